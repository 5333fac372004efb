"""Page and fragment caching: surrogate keys, generations, invalidation and purges.

Everything that decides whether a cached page is still right lives here.

- Every public page names what it shows with **surrogate keys**: ``a<id>`` an article,
  ``s<id>`` a section, ``t<id>`` a tag, ``p<id>`` an author (person), ``i<id>`` a photo
  (image), ``list`` "the newest stories" (homepage, site feeds, sitemaps, search) and ``site``
  (site settings, social accounts and the sections' navigation, on every page). They go out in
  the ``Surrogate-Key`` and ``Cache-Tag`` headers for a CDN or Varnish.
- Each key has a **generation** in the cache, a nanosecond timestamp of its last change.
  A cached page (``newsroom.pagecache``) and the template fragments store the generations
  they were made with; a page is served only while all of them are unchanged.
- A change **bumps** the keys it affects: once at once (so a render in the same process sees
  it) and again from ``transaction.on_commit`` (so a page rendered from the old rows while the
  transaction was open is not kept), then asks the configured **purger** (setting ``PURGER``)
  to purge those keys from a proxy or CDN.

Views take part through the helpers here: ``@page_cached`` marks the views whose anonymous
responses the page cache may keep, ``add_keys()`` records what a response shows, and
``fragment_context()`` / ``fragment_cached()`` give templates and views what their cached
fragments vary on.

Other code calls ``invalidate_article(article)`` after changing a story by means that send no
model signal (``QuerySet.update()``, raw SQL); the signals connected in ``connect()`` cover
saves and deletes of articles, bylines, tags, sections, authors, photos and the site settings.
"""

import functools
import logging
import time
import urllib.request
from functools import cache as memoize

from django.conf import settings
from django.core.cache import InvalidCacheBackendError, cache, caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.module_loading import import_string

from newsroom import cachebreaker

logger = logging.getLogger(__name__)

LIST_KEY = "list"
SITE_KEY = "site"
GENERATION_PREFIX = "gen:"
NEXT_SCHEDULED_KEY = "articles:next-scheduled"
NO_SCHEDULED = "none"
# A generation that expires only makes what was stored with it a miss, so none is kept
# forever (requests for made-up addresses would otherwise fill the cache with them).
GENERATION_SECONDS = 24 * 60 * 60


def article_key(pk):
    return f"a{pk}"


def section_key(pk):
    return f"s{pk}"


def tag_key(pk):
    return f"t{pk}"


def author_key(pk):
    return f"p{pk}"


def photo_key(pk):
    return f"i{pk}"


# Which views the page cache keeps ---------------------------------------------------------


def page_cached(view):
    """Mark a public view whose anonymous responses ``newsroom.pagecache`` may store (and a
    CDN may keep). Opt-in: previews, the admin and anything new are never cached by accident.

    Decorates a class-based view or a feed class (subclasses, such as the Atom variants of
    the feeds, inherit the mark) or a view function; ``page_cached(view)`` in a URLconf marks
    a view from elsewhere (the sitemaps) without changing it for other users."""
    if isinstance(view, type):
        view.page_cached = True
        return view

    @functools.wraps(view)
    def marked(*args, **kwargs):
        return view(*args, **kwargs)

    marked.page_cached = True
    return marked


def is_page_cached(view):
    """Whether ``view`` (a resolved URL's ``func``) was marked with ``@page_cached``."""
    view_class = getattr(view, "view_class", None)  # what as_view() returns carries it
    return bool(getattr(view, "page_cached", False) or getattr(view_class, "page_cached", False))


# Surrogate keys of what a page shows ------------------------------------------------------


def keys_for_stories(articles):
    """The keys of story cards: each story, its section, its photo and its authors. Uses the
    bylines prefetched by ``for_listing()``; adds no query."""
    keys = set()
    for article in articles:
        keys.add(article_key(article.pk))
        keys.add(section_key(article.section_id))
        if article.lead_photo_id:
            keys.add(photo_key(article.lead_photo_id))
        prefetched = getattr(article, "_prefetched_objects_cache", {})
        for byline in prefetched.get("bylines", ()):
            keys.add(author_key(byline.author_id))
    return keys


def add_keys(request, keys, header=True, depend=True):
    """Record what the response to ``request`` shows, for the page cache. ``depend``: our
    cached copy expires when one of the keys changes; ``header``: the keys also go out in
    ``Surrogate-Key`` for a CDN. (A listing depends on its subject's key alone, which every
    change to its stories bumps, but names every story on it for precise purges.)"""
    if not hasattr(request, "cache_keys"):
        request.cache_keys, request.surrogate_keys = set(), set()
    if depend:
        request.cache_keys.update(keys)
    if header:
        request.surrogate_keys.update(keys)


# Generations ------------------------------------------------------------------------------


def _generation_keys(keys):
    return {GENERATION_PREFIX + key: key for key in keys}


def current_generations(keys):
    """{key: generation} for the keys that have one (a missing key is absent)."""
    return _read(keys)[0]


def _read(keys, *others):
    """The generations of ``keys`` (as ``current_generations``) and the values of the cache
    keys ``others``, in one round trip."""
    names = _generation_keys(keys)
    found = cache.get_many([*names, *others])
    values = [found.pop(other, None) for other in others]
    return {names[name]: value for name, value in found.items()}, *values


def _with_missing(keys, found):
    """Give keys that have no generation yet (never bumped, or evicted) a new one. It is
    negative, so it never looks like a change made during a render, and differs from any
    value before an eviction, so nothing stored before it is trusted again."""
    missing = [key for key in keys if key not in found]
    if missing:
        initial = -time.time_ns()
        found = dict(found)
        for key in missing:
            # Only if it still has none: another process may have given it one since (or this
            # one's read was skipped while the cache was unreachable). Overwriting that would
            # make every page stored with it a miss, which a database outage then turns into
            # errors instead of stored pages.
            if cache.add(GENERATION_PREFIX + key, initial, timeout=GENERATION_SECONDS):
                found[key] = initial
            else:
                found[key] = cache.get(GENERATION_PREFIX + key, initial)
    return found


def generations_for_storing(keys, started_ns, limit):
    """Generations to store with a page rendered since ``started_ns`` (None when one of its
    keys was bumped during the render: the page may hold old rows, do not keep it), and how
    long to keep it, ``cache_seconds(limit)``: one round trip."""
    found, upcoming = _read(keys, NEXT_SCHEDULED_KEY)
    seconds = cache_seconds(limit, upcoming)
    if any(value > started_ns for value in found.values()):
        return None, seconds
    return _with_missing(keys, found), seconds


def fragment_generations(*keys):
    """The generations for a template fragment's cache key (``{% cache %}`` vary-on values)."""
    return _with_missing(keys, current_generations(keys))


def fragment_generations_and_seconds(keys, limit):
    """``fragment_generations(*keys)`` and ``cache_seconds(limit)``, read in one round trip."""
    found, upcoming = _read(keys, NEXT_SCHEDULED_KEY)
    return _with_missing(keys, found), cache_seconds(limit, upcoming)


def get_with_generations(cache_key, keys):
    """The value stored at ``cache_key`` (None if none) and ``current_generations(keys)``,
    in one round trip: for values that carry the generations they were made with."""
    found, value = _read(keys, cache_key)
    return value, found


def get_with_generation(cache_key, key):
    """As ``get_with_generations`` for one key, which gets a generation if it had none."""
    value, found = get_with_generations(cache_key, [key])
    return value, _with_missing([key], found)[key]


# Template fragments -------------------------------------------------------------------------


def fragment_context(**keys):
    """What the templates' {% cache %} tags vary on: the generation of each named key, and
    ``seconds``, a lifetime that ends before the next scheduled story goes live."""
    generations, seconds = fragment_generations_and_seconds(
        keys.values(), settings.FRAGMENT_CACHE_SECONDS
    )
    return {
        "seconds": seconds,
        **{name: generations[key] for name, key in keys.items()},
    }


def fragment_generations_of(key):
    return fragment_generations(key)[key]


def fragment_cache():
    """The cache of the templates' {% cache %} fragments (an alias tests turn off)."""
    try:
        return caches["template_fragments"]
    except InvalidCacheBackendError:
        return caches["default"]


def fragment_cached(key, seconds, compute):
    """``compute()``'s value, kept in the fragment cache under ``key`` (which names the
    generations it depends on) for ``seconds``; ``compute`` runs only when it is missing."""
    value = fragment_cache().get(key)
    if value is None:
        value = compute()
        fragment_cache().set(key, value, seconds)
    return value


def bump(keys):
    if keys:
        now = time.time_ns()
        cache.set_many({GENERATION_PREFIX + key: now for key in keys}, timeout=GENERATION_SECONDS)


def seconds_until_next_scheduled(value=None):
    """How long until the next scheduled story goes live (None: nothing scheduled). Cached
    pages and fragments live no longer than that, since no event marks the moment.
    ``value``: what is cached at NEXT_SCHEDULED_KEY, if the caller has read it already."""
    from .models import Article

    if value is None:
        value = cache.get(NEXT_SCHEDULED_KEY)
    if value is None or (value != NO_SCHEDULED and value <= time.time()):
        # Not known, or the story it named has gone live since: the next one may be hours
        # away, and pages must not keep expiring every second until this copy would.
        # The publish time or a later embargo, whichever the story waits for.
        upcoming = Article.objects.scheduled().values_list("go_live_at", flat=True).first()
        value = upcoming.timestamp() if upcoming else NO_SCHEDULED
        cache.set(NEXT_SCHEDULED_KEY, value, settings.PAGE_CACHE_SECONDS or 300)
    if value == NO_SCHEDULED:
        return None
    return max(int(value - time.time()), 1)


def cache_seconds(limit, next_scheduled=None):
    """``limit`` seconds, shortened so nothing outlives the next scheduled publication
    (``next_scheduled``: the value at NEXT_SCHEDULED_KEY, if already read)."""
    upcoming = seconds_until_next_scheduled(next_scheduled)
    return limit if upcoming is None else min(limit, upcoming)


# Invalidation -----------------------------------------------------------------------------


def invalidate(keys):
    """Make every page showing one of ``keys`` fresh: now, and again after the commit, when
    the purge goes to the proxy or CDN too."""
    keys = set(keys)
    if not keys:
        return

    def bump_keys():
        # Sent even while the cache's circuit breaker is open after a passing failure: a lost
        # bump would leave other processes serving the old page.
        with cachebreaker.essential():
            bump(keys)
            if LIST_KEY in keys:
                cache.delete(NEXT_SCHEDULED_KEY)

    bump_keys()

    def after_commit():
        bump_keys()
        purge(keys)

    transaction.on_commit(after_commit)


def article_keys(article, previous=None):
    """Every key a change to ``article`` affects: the story, its section (and its previous
    one), its tags, authors and photo, and the lists of newest stories."""
    from .models import Byline, TaggedArticle

    keys = {LIST_KEY, article_key(article.pk), section_key(article.section_id)}
    if article.lead_photo_id:
        keys.add(photo_key(article.lead_photo_id))
    if previous:
        keys.add(section_key(previous["section_id"]))
    keys.update(
        author_key(pk)
        for pk in Byline.objects.filter(article_id=article.pk).values_list("author_id", flat=True)
    )
    keys.update(
        tag_key(pk)
        for pk in TaggedArticle.objects.filter(content_object_id=article.pk).values_list(
            "tag_id", flat=True
        )
    )
    return keys


def invalidate_article(article, previous=None):
    """Call after publishing, unpublishing, editing, correcting, trashing or restoring a story
    by any means; saves and deletes through the ORM call it by themselves (signals below).

    ``previous`` may hold the story's earlier ``section_id``, status and publish time: a story
    that was not public and still is not changes no public page."""
    if previous and not _was_or_is_public(previous) and not _was_or_is_public(article.__dict__):
        invalidate({article_key(article.pk)})
        return
    invalidate(article_keys(article, previous))


def _was_or_is_public(values):
    # Published (now or scheduled) counts: scheduling changes when listings must expire.
    return values.get("status") == "published"


# Purgers ----------------------------------------------------------------------------------


class LoggingPurger:
    """The default: write the purged keys to the log (nothing caches in front of Django)."""

    def purge(self, keys):
        logger.info("purge %s", " ".join(sorted(keys)))


class HTTPPurger:
    """Send ``PURGE`` with the keys in a header to each of ``PURGER_URLS``: Varnish with
    varnish-modules' xkey (see docs/production.md for the VCL). A proxy that does not answer
    within ``PURGER_TIMEOUT`` seconds is logged, never raised: the page is still fresh here."""

    def purge(self, keys):
        for url in settings.PURGER_URLS:
            request = urllib.request.Request(  # noqa: S310 (operators configure the URLs)
                url, method="PURGE", headers={settings.PURGER_HEADER: " ".join(sorted(keys))}
            )
            try:
                with urllib.request.urlopen(request, timeout=settings.PURGER_TIMEOUT) as response:  # noqa: S310
                    response.read()
            except OSError as error:
                logger.warning("purge of %s at %s failed: %s", sorted(keys), url, error)


@memoize
def _purger(path):
    return import_string(path)()


def purge(keys):
    try:
        _purger(settings.PURGER).purge(set(keys))
    except Exception:
        # A broken purger must not turn an editor's save into an error page.
        logger.exception("purging %s failed", sorted(keys))


# Signals ----------------------------------------------------------------------------------


def _remember_article(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    instance._cache_previous = (
        sender.objects.filter(pk=instance.pk).values("section_id", "status").first()
    )


def _article_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        invalidate_article(instance, getattr(instance, "_cache_previous", None))


def _byline_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        invalidate({LIST_KEY, article_key(instance.article_id), author_key(instance.author_id)})


def _story_part_changed(sender, instance, raw=False, **kwargs):
    """A correction or a gallery photo shows on its story's page (and corrections also on the
    corrections page, which is not cached)."""
    if not raw:
        invalidate({article_key(instance.article_id)})


def _tagging_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        invalidate({LIST_KEY, article_key(instance.content_object_id), tag_key(instance.tag_id)})


def _keyed(key_function, *extra, new_is_unseen=False):
    """A receiver bumping the object's own key and ``extra`` keys (``site``: names of
    sections, authors and tags appear in cached fragments of many pages). With
    ``new_is_unseen``, creating one changes no page (a new tag or author is on no story yet)."""

    def receiver(sender, instance, raw=False, created=False, **kwargs):
        if raw or (created and new_is_unseen):
            return
        invalidate({key_function(instance.pk), *extra})

    return receiver


def _photo_changed(sender, instance, raw=False, created=False, **kwargs):
    """A new photo is on no page; an edited one (caption, credit, alt text, file) is on every
    story that shows it, as lead, gallery or body photo (``placements``), on their cards
    (sections, the lists) and nothing else."""
    from .placements import stories_showing

    if raw or created:
        return
    keys = {photo_key(instance.pk), LIST_KEY}
    for pk, section_id in stories_showing(instance).values_list("pk", "section_id"):
        keys.update((article_key(pk), section_key(section_id)))
    invalidate(keys)


_receivers = []


def connect():
    """Connect the invalidation receivers; called from ArticlesConfig.ready()."""
    from taggit.models import Tag

    from .models import (
        Article,
        Author,
        Byline,
        Correction,
        GalleryPhoto,
        HomepageZone,
        Photo,
        Section,
        SiteSettings,
        SocialAccount,
        TaggedArticle,
        ZonePin,
    )

    pairs = [
        (Article, _article_changed),
        (Byline, _byline_changed),
        (TaggedArticle, _tagging_changed),
        (Correction, _story_part_changed),
        (GalleryPhoto, _story_part_changed),
        (Section, _keyed(section_key, SITE_KEY, LIST_KEY)),
        (Author, _keyed(author_key, SITE_KEY, new_is_unseen=True)),
        (Tag, _keyed(tag_key, SITE_KEY, new_is_unseen=True)),
        (Photo, _photo_changed),
        (SiteSettings, _keyed(lambda pk: SITE_KEY)),
        (SocialAccount, _keyed(lambda pk: SITE_KEY)),
        (HomepageZone, _keyed(lambda pk: LIST_KEY)),
        (ZonePin, _keyed(lambda pk: LIST_KEY)),
    ]
    pre_save.connect(_remember_article, sender=Article, dispatch_uid="cache-article-previous")
    for model, receiver in pairs:
        _receivers.append(receiver)  # the signal holds receivers weakly
        post_save.connect(receiver, sender=model, dispatch_uid=f"cache-save-{model.__name__}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"cache-del-{model.__name__}")
