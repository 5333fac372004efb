"""The page cache and template fragments: served fast, and never stale after a change."""

import http.server
import threading

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import caching, workflow
from articles.chrome import site_chrome
from articles.models import Article, Byline, GalleryPhoto, Photo, Section
from newsroom.pagecache import PageCacheMiddleware
from newsroom.settings import redis_cache

from .factories import make_article, make_author, make_photo, make_section

pytestmark = [pytest.mark.caches_on, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def site_settings_exist(db):
    """The site settings row exists, as on any running site (its creation is a change)."""
    site_chrome()


@pytest.fixture
def story():
    return make_article(
        headline="Ferry timetable changes",
        authors=[make_author(name="Ana Ruiz")],
        tags=["ferries"],
        lead_photo=make_photo(),
    )


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what changes queue for after the commit, as a real transaction would."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            change()

    return run


def pages_of(story):
    tag = story.tags.first()
    return [
        "/",
        story.url,
        story.section.get_absolute_url(),
        f"/tag/{tag.slug}/",
        story.byline_authors[0].get_absolute_url(),
        "/feeds/rss/",
        f"/section/{story.section.slug}/rss/",
        "/sitemap-articles.xml",
        "/news-sitemap.xml",
        "/search/?q=ferry",
    ]


def test_a_second_anonymous_visit_is_served_from_the_cache(
    client, story, django_assert_num_queries
):
    first = client.get(story.url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(story.url)
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert "Content-Security-Policy" in second and second["X-Frame-Options"] == "DENY"


def test_public_pages_tell_a_cdn_how_long_to_keep_them_and_what_they_show(client, story):
    response = client.get(story.url)
    control = response["Cache-Control"]
    assert "public" in control and "s-maxage=60" in control
    assert "stale-while-revalidate=30" in control and "max-age=0" in control
    keys = set(response["Surrogate-Key"].split())
    assert {f"a{story.pk}", f"s{story.section_id}", f"i{story.lead_photo_id}", "site"} <= keys
    assert set(response["Cache-Tag"].split(",")) == keys
    assert response["Last-Modified"] and response["ETag"].startswith('"')
    listing = client.get(story.section.get_absolute_url())
    author = story.byline_authors[0]
    assert {f"s{story.section_id}", f"a{story.pk}", f"p{author.pk}"} <= set(
        listing["Surrogate-Key"].split()
    )


def test_a_matching_etag_or_date_gets_304(client, story):
    for _ in range(2):  # a miss, then a hit
        response = client.get(story.url)
        etag = response["ETag"]
        assert client.get(story.url, HTTP_IF_NONE_MATCH=etag).status_code == 304
        modified = response["Last-Modified"]
        assert client.get(story.url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get(story.url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.parametrize(
    "change",
    [
        "edit",
        "unpublish",
        "trash",
        "delete",
        "correction",
        "byline",
        "tag",
        "photo",
        "gallery",
        "section",
    ],
)
def test_every_affected_page_is_fresh_after_a_change(client, story, editor, on_commit, change):
    """Publishing, editing, unpublishing, trashing (deleting) or correcting a story shows
    at once on the article, homepage, section, tag and author pages, feeds and sitemaps."""
    pages = pages_of(story)
    for url in pages:
        shows = story.url if url == "/sitemap-articles.xml" else "Ferry timetable changes"
        assert shows in client.get(url).content.decode(), url

    def apply():
        if change == "edit":
            story.headline = "Ferry timetable changes again"
            story.save()
        elif change == "unpublish":
            workflow.unpublish(story, editor)
        elif change == "trash":
            workflow.trash(story, editor)
        elif change == "delete":
            story.delete()
        elif change == "correction":
            workflow.add_correction(story, editor, "Correction: the timetable starts on Monday.")
        elif change == "gallery":
            GalleryPhoto.objects.create(
                article=story, photo=make_photo(caption="Crew at the new pier."), order=1
            )
        elif change == "byline":
            Byline.objects.create(article=story, author=make_author(name="Zed Quill"), order=1)
        elif change == "tag":
            story.tags.add("harbour works")
        elif change == "photo":
            Photo.objects.filter(pk=story.lead_photo_id).update(credit="AP/New Credit")
            Photo.objects.get(pk=story.lead_photo_id).save()
        elif change == "section":
            Section.objects.filter(pk=story.section_id).update(name="Harbour")
            Section.objects.get(pk=story.section_id).save()

    on_commit(apply)
    after = {url: client.get(url) for url in pages}
    for url, response in after.items():
        html = response.content.decode()
        if change == "edit" and url != "/sitemap-articles.xml":
            assert "Ferry timetable changes again" in html, url
        elif change in ("unpublish", "trash", "delete"):
            assert response.status_code == 404 or (
                "Ferry timetable changes" not in html and story.url not in html
            ), url
        elif change == "correction" and url == story.url:
            assert "Correction: the timetable starts on Monday." in html
        elif change == "byline" and url in (story.url, "/"):
            assert "Zed Quill" in html, url
        elif change == "gallery" and url == story.url:
            assert "Crew at the new pier." in html
        elif change == "tag" and url == story.url:
            assert "harbour works" in html
        elif change == "photo" and url == story.url:
            assert "AP/New Credit" in html
        elif change == "section" and url != "/news-sitemap.xml":
            assert "Harbour" in html or "xml" in response["Content-Type"], url


def test_publishing_a_story_puts_it_on_listings_at_once(client, on_commit):
    section = make_section()
    make_article(section=section, headline="Older story")
    draft = make_article(section=section, headline="Breaking story", status=Article.Status.DRAFT)
    for url in ("/", section.get_absolute_url(), "/feeds/rss/"):
        assert b"Breaking story" not in client.get(url).content

    def publish():
        draft.status = Article.Status.PUBLISHED
        draft.published_at = timezone.now()
        draft.save()

    on_commit(publish)
    for url in ("/", section.get_absolute_url(), "/feeds/rss/", draft.url):
        assert b"Breaking story" in client.get(url).content, url


def test_a_scheduled_story_shows_when_its_time_comes(client, settings):
    make_article(headline="Already out")
    soon = make_article(
        headline="Coming soon", published_at=timezone.now() + timezone.timedelta(seconds=30)
    )
    make_article(headline="Tonight", published_at=timezone.now() + timezone.timedelta(hours=6))
    response = client.get("/")
    assert b"Coming soon" not in response.content
    assert b"Coming soon" not in client.get(soon.section.get_absolute_url()).content
    # Nothing signals the moment, so the cached copy may not outlive it.
    assert "s-maxage=" in response["Cache-Control"]
    assert 0 < caching.seconds_until_next_scheduled() <= 30
    with time_machine.travel(soon.published_at + timezone.timedelta(seconds=1)):
        assert b"Coming soon" in client.get("/").content
        assert b"Coming soon" in client.get(soon.section.get_absolute_url()).content
        # The next story is hours away: pages are kept again, not for a second at a time.
        assert caching.seconds_until_next_scheduled() > 5 * 60 * 60


def test_an_embargo_ends_cached_copies_when_it_lifts(client):
    make_article(headline="Already out")
    make_article(
        headline="Report under embargo",
        published_at=timezone.now() - timezone.timedelta(hours=1),
        embargo_until=timezone.now() + timezone.timedelta(seconds=40),
    )
    response = client.get("/")
    assert b"Report under embargo" not in response.content
    assert 0 < caching.seconds_until_next_scheduled() <= 40
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=41)):
        assert b"Report under embargo" in client.get("/").content


def test_logged_in_readers_are_never_served_or_stored_a_cached_page(editor_client, story):
    anonymous = Client().get(story.url)
    assert anonymous["Surrogate-Key"]
    editor_page = editor_client.get(story.url)
    assert "private" in editor_page["Cache-Control"]
    assert "Surrogate-Key" not in editor_page
    # The editor's request ran the whole stack (session, user), not the cache.
    with CaptureQueriesContext(connection) as queries:
        editor_client.get(story.url)
    assert any("django_session" in query["sql"] for query in queries.captured_queries)


def test_responses_that_set_a_cookie_are_not_cached(client, story, monkeypatch):
    from articles import views

    original = views.ArticleDetailView.render_to_response

    def with_cookie(self, context, **kwargs):
        response = original(self, context, **kwargs)
        response.set_cookie("seen", "1")
        return response

    monkeypatch.setattr(views.ArticleDetailView, "render_to_response", with_cookie)
    client.get(story.url)
    client.cookies.clear()
    monkeypatch.setattr(views.ArticleDetailView, "render_to_response", original)
    second = client.get(story.url)
    assert "Surrogate-Key" in second  # rendered (and stored) now, not served from before
    assert not second.cookies


def test_only_known_public_views_and_parameters_are_cached(client, story):
    middleware = PageCacheMiddleware(lambda request: None)
    from django.test import RequestFactory

    factory = RequestFactory()
    assert middleware.entry_key(factory.get(story.url)) is not None
    assert middleware.entry_key(factory.get("/section/x/?page=2")) is not None
    # what the search page's own form sends
    search = factory.get("/search/?q=ferry&section=&since=&until=2026-01-31")
    assert middleware.entry_key(search) is not None
    assert middleware.entry_key(factory.get(story.url + "?preview=abc")) is None
    assert middleware.entry_key(factory.post(story.url)) is None
    assert middleware.entry_key(factory.get("/admin/")) is None
    with_session = factory.get(story.url, HTTP_COOKIE="sessionid=abc")
    assert middleware.entry_key(with_session) is None
    # An unknown view (e.g. a preview link) is rendered but never stored.
    assert client.get("/nothing-here/").status_code == 404
    assert "Surrogate-Key" not in client.get("/nothing-here/")


def test_the_public_views_are_stored_and_no_others(client, story):
    """Views are cached only when marked (``@page_cached``): every reader's page, feed and
    sitemap is, the corrections page, the readership beacon and 404s are not."""
    tag, author = story.tags.first(), story.byline_authors[0]
    section = story.section.slug
    stored = [
        "/",
        story.url,
        f"/section/{section}/",
        f"/tag/{tag.slug}/",
        author.get_absolute_url(),
        "/search/?q=ferry",
        "/feeds/rss/",
        "/feeds/atom/",
        *(f"/section/{section}/{kind}/" for kind in ("rss", "atom")),
        *(f"/tag/{tag.slug}/{kind}/" for kind in ("rss", "atom")),
        *(f"/author/{author.slug}/{kind}/" for kind in ("rss", "atom")),
        "/robots.txt",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/news-sitemap.xml",
    ]
    for url in stored:
        assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as queries:
            again = client.get(url)
        assert "Surrogate-Key" in again and not queries.captured_queries, url
    assert "Surrogate-Key" not in client.get("/corrections/")
    beacon = client.post("/readership/view/", {"article": story.pk})
    assert beacon.status_code == 204 and "Surrogate-Key" not in beacon
    assert "Surrogate-Key" not in client.get(f"/news/{story.pk}/not-its-slug/")


def test_the_site_serves_pages_with_redis_down(client, settings, story):
    """REDIS_URL pointing at a closed port: pages are rendered, never a 5xx."""
    # The settings the site builds from REDIS_URL, at the discard port (nothing listens).
    settings.CACHES = {"default": redis_cache("redis://127.0.0.1:9/0")}
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
    for url in pages_of(story):
        assert client.get(url).status_code == 200, url
        assert client.get(url).status_code == 200, url


def test_fragments_serve_an_uncached_article_and_homepage_without_queries(
    client, settings, story, django_assert_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0  # fragments only
    client.get(story.url)
    with django_assert_num_queries(0):
        response = client.get(story.url)
    assert b"Ferry timetable changes" in response.content
    client.get("/")
    with django_assert_num_queries(0):
        client.get("/")


class PurgeHandler(http.server.BaseHTTPRequestHandler):
    received = []

    def do_PURGE(self):
        PurgeHandler.received.append((self.command, self.headers.get("xkey-purge")))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def purge_server():
    PurgeHandler.received = []
    server = http.server.HTTPServer(("127.0.0.1", 0), PurgeHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", PurgeHandler.received
    server.shutdown()
    server.server_close()


def test_publishing_purges_exactly_the_story_keys_through_the_http_purger(
    settings, story, on_commit, purge_server
):
    url, received = purge_server
    settings.PURGER = "articles.caching.HTTPPurger"
    settings.PURGER_URLS = [url]
    story.refresh_from_db()
    author = story.byline_authors[0]
    tag = story.tags.first()

    def edit():
        story.headline = "Ferry timetable: the new hours"
        story.save()

    on_commit(edit)
    assert len(received) == 1
    method, keys = received[0]
    assert method == "PURGE"
    assert set(keys.split()) == {
        "list",
        f"a{story.pk}",
        f"s{story.section_id}",
        f"i{story.lead_photo_id}",
        f"p{author.pk}",
        f"t{tag.pk}",
    }


def test_a_dead_purge_server_is_logged_not_raised(settings, story, on_commit, caplog):
    settings.PURGER = "articles.caching.HTTPPurger"
    settings.PURGER_URLS = ["http://127.0.0.1:9/"]
    settings.PURGER_TIMEOUT = 1

    def edit():
        story.headline = "Still saved"
        story.save()

    on_commit(edit)
    assert Article.objects.get(pk=story.pk).headline == "Still saved"
    assert "purge" in caplog.text


def test_the_default_purger_logs_the_keys(story, on_commit, caplog):
    caplog.set_level("INFO", logger="articles.caching")
    on_commit(story.save)
    assert f"a{story.pk}" in caplog.text


def test_new_photos_tags_and_authors_keep_the_cached_pages(
    client, story, on_commit, django_assert_num_queries
):
    """They are on no page yet: a busy photo desk must not empty the cache."""
    from taggit.models import Tag

    client.get(story.url)
    on_commit(lambda: (make_photo(), make_author(), Tag.objects.create(name="new", slug="new")))
    with django_assert_num_queries(0):  # still the stored page
        assert client.get(story.url).status_code == 200
    generations = caching.current_generations([caching.SITE_KEY, caching.LIST_KEY])
    on_commit(lambda: make_photo())
    assert caching.current_generations([caching.SITE_KEY, caching.LIST_KEY]) == generations


def test_preview_links_are_never_cached_and_show_the_latest_draft(client, editor, on_commit):
    from articles import previews

    draft = make_article(headline="First draft headline", status=Article.Status.DRAFT)
    url = previews.preview_path(previews.share_preview(draft, editor))
    first = client.get(url)
    assert "First draft headline" in first.content.decode()
    assert "no-store" in first["Cache-Control"]
    assert "Surrogate-Key" not in first

    def edit():
        draft.headline = "Second draft headline"
        draft.save()

    on_commit(edit)
    assert "Second draft headline" in client.get(url).content.decode()


@pytest.mark.parametrize("place", ["gallery", "body"])
def test_editing_a_gallery_or_body_photo_refreshes_the_story_page(client, story, on_commit, place):
    """A photo's caption and credit show wherever a story shows the photo: its lead, its
    gallery or its body. Changing them must not leave a cached story page with the old ones."""
    photo = make_photo(caption="Crew at the old pier.", credit="Courier/Old Credit")
    if place == "gallery":
        GalleryPhoto.objects.create(article=story, photo=photo)
    else:
        story.body += f'<figure><img src="/x.jpg" alt="" data-file="{photo.pk}"></figure>'
        story.save()
    before = client.get(story.url).content.decode()
    assert "Crew at the old pier." in before and "Courier/Old Credit" in before
    assert client.get(story.url).content.decode() == before  # now served from the cache

    def edit():
        photo.caption = "Crew at the new pier."
        photo.credit = "AP/New Credit"
        photo.save()

    on_commit(edit)
    after = client.get(story.url).content.decode()
    assert "Crew at the new pier." in after and "AP/New Credit" in after
    assert "Courier/Old Credit" not in after


def test_a_key_given_a_generation_elsewhere_keeps_it():
    """Two processes that both find a key without a generation (or one whose read was
    skipped while the cache was unreachable) agree on one, instead of the second overwriting
    the first and turning every page stored with it into a miss."""
    first = caching.fragment_generations("list")["list"]
    # A process that did not see it: the generation it uses is the one already there.
    assert caching._with_missing(["list"], {}) == {"list": first}
    assert caching.fragment_generations("list")["list"] == first
