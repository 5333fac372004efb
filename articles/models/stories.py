"""Stories: sections, authors, articles with their bylines, tags and galleries."""

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case, Prefetch, Q, Value, When, prefetch_related_objects
from django.db.models.functions import Coalesce, Greatest
from django.db.models.query import ModelIterable
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from .. import roles
from ..dates import moment
from ..richtext import RichTextField, body_photo_ids
from .fields import staff_user
from .photos import Photo, PhotoRendition


class Section(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(
        blank=True,
        help_text="One or two sentences shown on the section's page and in search results.",
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Sections are listed in the navigation from the lowest number up."
    )

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


class Author(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(
        max_length=120, blank=True, help_text="The author's role, e.g. “City Hall reporter”."
    )
    bio = models.TextField(blank=True, help_text="Shown on the author's page. Plain text.")
    portrait = models.ImageField(upload_to="authors/", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text="The staff account that writes as this author, if any.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


def _prefetched_none(instance, name):
    """Record on ``instance`` that it has no ``name`` rows, as a prefetch that found none
    would: ``instance.<name>.all()`` is then empty without a query."""
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = getattr(instance, name).none()


class ForDetailIterable(ModelIterable):
    """Articles with the relations most stories lack prefetched only for the stories that
    have them: corrections and gallery photos (flagged by ``for_detail()``'s ``has_*``
    annotations) and the photos placed in the body (``BodyPhoto`` rows with their photos
    and renditions; placements are made from the body, so a body without a photo id has
    none). A story without any of them costs no query for them; one with them, the same
    few queries whatever their number."""

    def __iter__(self):
        articles = list(super().__iter__())
        optional = [
            (
                "corrections",
                "has_corrections",
                "corrections",
            ),
            (
                "gallery_items",
                "has_gallery",
                Prefetch(
                    "gallery_items",
                    queryset=GalleryPhoto.objects.select_related("photo").prefetch_related(
                        "photo__renditions"
                    ),
                ),
            ),
            (
                "body_placements",
                "names_body_photos",
                Prefetch(
                    "body_placements",
                    queryset=BodyPhoto.objects.select_related("photo").prefetch_related(
                        "photo__renditions"
                    ),
                ),
            ),
        ]
        for name, flag, lookup in optional:
            prefetch_related_objects([a for a in articles if getattr(a, flag)], lookup)
            for article in articles:
                if not getattr(article, flag):
                    _prefetched_none(article, name)
        yield from articles


def published_q(now=None):
    """The one visibility rule, as a condition on stories: a reader may see a story when its
    status is published, its publish time and any embargo have passed, and it is not in the
    trash. ``ArticleQuerySet.published()`` filters on it, and every other public filter is
    built from that (feeds, sitemaps, search, related and most read, the homepage).

    A future publish time makes a story scheduled; it goes live by itself when the time
    passes, with no job to run. The embargo is checked here too, so a story saved around the
    admin's checks still cannot appear before it. ``now`` defaults to the current time."""
    now = timezone.now() if now is None else now
    return (
        _released_q()
        & _not_trashed_q()
        & Q(published_at__lte=now)
        & (Q(embargo_until__isnull=True) | Q(embargo_until__lte=now))
    )


# The parts of the rule that the editors' states (scheduled, trashed) share with it.
def _released_q():
    return Q(status=Article.Status.PUBLISHED)


def _not_trashed_q():
    return Q(trashed_at__isnull=True)


def _waiting_q(now):
    """A released story's publish time or embargo is still ahead: scheduled, not public."""
    return Q(published_at__gt=now) | Q(embargo_until__gt=now)


class ArticleQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # update() bypasses field code; keep the body sanitised, and its photo placements in
        # step with it, on this path too.
        if not isinstance(kwargs.get("body"), str):
            return super().update(**kwargs)
        kwargs["body"] = Article._meta.get_field("body").clean_for_storage(kwargs["body"])
        with transaction.atomic(using=self.db):
            ids = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            for article in Article.objects.filter(pk__in=ids).only("pk", "body"):
                BodyPhoto.objects.place(article)
        return count

    def published(self):
        """Stories a reader may see (``published_q()``, the one visibility rule)."""
        return self.filter(published_q())

    def released(self):
        """Stories an editor has released to readers: published (live now or scheduled) and
        not in the trash. What they show reaches readers without anyone else's say."""
        return self.filter(_released_q() & _not_trashed_q())

    def not_trashed(self):
        """Stories outside the trash, whatever their status."""
        return self.filter(_not_trashed_q())

    def trashed(self):
        """Stories in the trash, which can still be restored until they are purged."""
        return self.exclude(_not_trashed_q())

    def with_go_live(self):
        """Annotate ``go_live_at``: when a published story becomes visible (its publish time,
        or its embargo if that is later)."""
        return self.annotate(
            go_live_at=Greatest("published_at", Coalesce("embargo_until", "published_at"))
        )

    def scheduled(self):
        """Published stories whose publish time or embargo is still ahead, soonest first.

        Filtered on the two columns themselves, not on ``go_live_at``, so their indexes
        answer (a filter on the computed time reads every row: a second at a million)."""
        return (
            self.filter(_released_q(), _not_trashed_q(), _waiting_q(timezone.now()))
            .with_go_live()
            .order_by("go_live_at", "pk")
        )

    def with_state(self):
        """Annotate ``workflow_state`` with the derived state editors speak of (see
        ``Article.State``), so the admin can filter and sort by it in SQL. The time is the
        application's, as for ``published_q()``: a story is live for editors exactly when
        readers see it."""
        now = timezone.now()
        return self.annotate(
            workflow_state=Case(
                When(~_not_trashed_q(), then=Value(Article.State.TRASHED)),
                When(_released_q() & _waiting_q(now), then=Value(Article.State.SCHEDULED)),
                When(_released_q(), then=Value(Article.State.LIVE)),
                When(status=Article.Status.REVIEW, then=Value(Article.State.REVIEW)),
                When(status=Article.Status.UNPUBLISHED, then=Value(Article.State.UNPUBLISHED)),
                default=Value(Article.State.DRAFT),
                output_field=models.CharField(),
            )
        )

    def in_state(self, state):
        """Stories in one derived state (``Article.State``)."""
        return self.with_state().filter(workflow_state=state)

    def owned_by(self, user):
        """The user's own stories: those they created or whose byline credits them.

        The one ownership rule. The admin lists a writer's own stories from it, and
        ``workflow.can_edit`` asks it whether a writer may still edit one (until it is
        published or scheduled). The stories it returns carry ``owned_by_user_id``, so
        permission checks on them need not ask again."""
        bylined = Byline.objects.filter(author__user=user).values("article")
        return self.filter(Q(created_by=user) | Q(pk__in=bylined)).annotate(
            owned_by_user_id=Value(user.pk, output_field=models.IntegerField())
        )

    def visible_in_admin(self, user):
        """The stories this user sees in the admin: every one for those who may edit any
        story, their own (``owned_by``) for writers, who open the published ones read-only."""
        if user.has_perm(roles.EDIT_ANY):
            return self
        return self.owned_by(user)

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    def with_section_photo_and_bylines(self):
        """What cards and the article page share; each adds the renditions it shows."""
        return self.select_related("section", "lead_photo").prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author"))
        )

    def for_listing(self):
        """What a story card shows: section, lead photo with its card renditions, and ordered
        bylines, in a fixed number of queries whatever the number of stories."""
        return self.with_section_photo_and_bylines().prefetch_related(
            Prefetch("lead_photo__renditions", queryset=PhotoRendition.objects.for_cards())
        )

    def ranked_by_shared_tags(self, shared_tags):
        """Stories sharing the most tags first, then the newest. ``shared_tags`` maps a
        story's id to the number of tags it shares (counted from tag links the caller has
        read): a CASE on ids, which costs no join and no GROUP BY over every column."""
        if not shared_tags:
            # No story shares a tag: newest first. (A CASE with no WHEN compiles to a bare
            # 0, which PostgreSQL's ORDER BY reads as a column position.)
            return self.order_by("-published_at")
        by_count = {}
        for pk, count in shared_tags.items():
            by_count.setdefault(count, []).append(pk)
        rank = Case(
            *[When(pk__in=pks, then=Value(count)) for count, pks in by_count.items()],
            default=Value(0),
        )
        return self.alias(shared_tags=rank).order_by("-shared_tags", "-published_at")

    def for_detail(self):
        """Everything the article page shows, in a fixed number of queries: with a gallery
        and with photos placed in the body, two more each, whatever their number."""
        corrections = self.model._meta.get_field("corrections").related_model
        queryset = (
            self.with_section_photo_and_bylines()
            .prefetch_related("lead_photo__renditions", "tags")
            .annotate(
                has_corrections=models.Exists(
                    corrections.objects.filter(article=models.OuterRef("pk"))
                ),
                has_gallery=models.Exists(
                    GalleryPhoto.objects.filter(article=models.OuterRef("pk"))
                ),
            )
        )
        queryset._iterable_class = ForDetailIterable
        return queryset


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    class State(models.TextChoices):
        """The state editors speak of, derived from status, times and the trash."""

        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        SCHEDULED = "scheduled", "Scheduled"
        LIVE = "live", "Live"
        UNPUBLISHED = "unpublished", "Unpublished"
        TRASHED = "trashed", "Trashed"

    headline = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=200,
        help_text="The readable part of the story's address. Made from the headline.",
    )
    kicker = models.CharField(
        max_length=60, blank=True, help_text="A short label above the headline, e.g. “Analysis”."
    )
    dek = models.TextField(
        "dek",
        max_length=400,
        blank=True,
        help_text="The sub-headline: one or two sentences that sell the story. Also used as the "
        "description for search engines and social cards.",
    )
    dateline = models.CharField(
        max_length=100, blank=True, help_text="Where the story was reported, e.g. “PORT ALDREN”."
    )
    body = RichTextField(blank=True)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles", blank=True)
    tags = TaggableManager(through="TaggedArticle", blank=True)
    lead_photo = models.ForeignKey(
        Photo,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_articles",
        help_text="Shown at the top of the story and on its cards.",
    )
    lead_photo_caption = models.TextField(
        blank=True, help_text="Replaces the photo's own caption in this story only."
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        help_text="Readers see the story once it is published and this time has passed. "
        "A time in the future schedules it. Left empty, publishing uses the current time.",
    )
    embargo_until = models.DateTimeField(
        "embargo",
        null=True,
        blank=True,
        help_text="Optional. The story cannot be published before this time, whatever its "
        "publish time says: the server refuses it and readers cannot see it before then.",
    )
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    trashed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text="When the story was moved to the trash. Trashed stories are hidden from "
        "readers and purged after 30 days.",
    )
    trashed_by = staff_user()
    # Bumped by every save through the admin and the workflow functions; a save that started
    # from an older number is refused instead of overwriting someone else's changes.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = staff_user()
    updated_by = staff_user()
    # Kept current by articles.search on PostgreSQL (GIN-indexed there); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        permissions = [
            ("publish_article", "Can publish stories"),
            ("edit_any_article", "Can edit other people's stories"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_public_order"),
            models.Index(
                fields=["section", "status", "-published_at"], name="article_section_order"
            ),
            models.Index(fields=["-updated_at"], name="article_recently_edited"),
            # The admin list's other sort orders, at a million rows (see docs/production.md).
            models.Index(fields=["-published_at"], name="article_published_at"),
            models.Index(fields=["headline"], name="article_headline"),
            # Scheduled stories (ArticleQuerySet.scheduled): few stories carry an embargo.
            models.Index(
                fields=["embargo_until"],
                name="article_embargoed",
                condition=Q(embargo_until__isnull=False),
            ),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED:
            if self.published_at is None:
                self.published_at = timezone.now()
            if self.first_published_at is None:
                self.first_published_at = self.published_at
        if self._state.adding or getattr(self, "_version_claimed", False):
            with transaction.atomic():
                super().save(*args, **kwargs)
                self._place_body_photos(kwargs.get("update_fields"))
            return
        # A save outside ``workflow.save_checked`` (a script, a command) still moves the
        # version on, so an edit form opened before it is refused instead of undoing it. It
        # counts from the row, not from this copy, which may be older than the last save;
        # the increment locks the row until this save has written it.
        with transaction.atomic():
            row = Article.objects.filter(pk=self.pk)
            row.update(version=models.F("version") + 1)
            self.version = row.values_list("version", flat=True).get()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
            super().save(*args, **kwargs)
            self._place_body_photos(kwargs.get("update_fields"))

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"pk": self.pk, "slug": self.slug})

    @cached_property
    def url(self):
        """The story's address, worked out once per object: cards and feeds use it often."""
        return self.get_absolute_url()

    def clean(self):
        super().clean()
        if self.lead_photo_caption and not self.lead_photo_id:
            raise ValidationError({"lead_photo_caption": "Choose a lead photo for this caption."})
        if self.status == self.Status.PUBLISHED and (embargo_error := self.embargo_error()):
            raise ValidationError({"published_at": embargo_error})

    def embargo_error(self, publish_at=None):
        """Why publishing at ``publish_at`` (default: the publish time, or now) would break the
        embargo, or an empty string when it would not. The one embargo rule: the admin form
        and the workflow functions both ask it."""
        if not self.embargo_until:
            return ""
        publish_at = publish_at or self.published_at or timezone.now()
        if publish_at >= self.embargo_until:
            return ""
        return (
            f"“{self}” is under embargo until {moment(self.embargo_until)}. Set the publish "
            "time to the embargo or later."
        )

    @property
    def is_live(self):
        """The same answer as ``published_q()``, for one story already in memory (the admin
        and the workflow ask it of stories they hold; tests/test_models.py keeps the two in
        step)."""
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.trashed_at is None
            and self.published_at is not None
            and self.published_at <= now
            and (self.embargo_until is None or self.embargo_until <= now)
        )

    @property
    def is_trashed(self):
        return self.trashed_at is not None

    @property
    def state(self):
        """The derived state (``Article.State``); ``with_state()`` computes the same in SQL."""
        if self.is_trashed:
            return self.State.TRASHED
        if self.status == self.Status.PUBLISHED:
            return self.State.LIVE if self.is_live else self.State.SCHEDULED
        return self.State(self.status)

    @property
    def state_label(self):
        """Draft / In review / Scheduled / Live / Unpublished / Trashed, as editors speak."""
        return self.state.label

    @property
    def go_live_time(self):
        """When a published story becomes visible: its publish time or a later embargo."""
        if self.status != self.Status.PUBLISHED or self.published_at is None:
            return None
        return max(self.published_at, self.embargo_until or self.published_at)

    @property
    def date_modified(self):
        """When readers last saw the story change: the latest of its publication, its last
        editorial update and its last correction or update note. For JSON-LD ``dateModified``;
        uses the ``corrections`` prefetch of ``for_detail()``."""
        corrections = list(self.corrections.all())
        times = [self.published_at, self.updated_at if self.first_published_at else None]
        times += [correction.created_at for correction in corrections]
        times = [time for time in times if time is not None]
        return max(times) if times else None

    @property
    def byline_authors(self):
        """Authors in byline order; uses the prefetch of ``for_listing()`` when present."""
        return [byline.author for byline in self.bylines.all()]

    def _place_body_photos(self, update_fields):
        # In the save's transaction: the rows never disagree with the stored body.
        if update_fields is None or "body" in update_fields:
            BodyPhoto.objects.place(self)

    @property
    def names_body_photos(self):
        """True when the body's markup places a library photo (only then has it placements)."""
        return "data-file=" in (self.body or "")

    @property
    def body_photos(self):
        """The photos placed in the body, by id, for the ``richtext`` filter; uses the
        placements prefetched by ``for_detail()``."""
        if not self.names_body_photos:
            return {}
        return {placement.photo_id: placement.photo for placement in self.body_placements.all()}

    @property
    def caption(self):
        """The caption for the lead photo in this story."""
        if self.lead_photo_caption:
            return self.lead_photo_caption
        return self.lead_photo.caption if self.lead_photo else ""

    @property
    def was_updated(self):
        """True when the story was edited noticeably after it was first published."""
        if not (self.first_published_at and self.updated_at):
            return False
        return (self.updated_at - self.published_at).total_seconds() > 15 * 60

    @property
    def updated_time(self):
        """The "Updated" time readers see: the later of a noticeable edit after publication
        and the last correction or update note; None when there is neither. Uses the
        ``corrections`` prefetch of ``for_detail()``."""
        if not self.first_published_at:
            return None
        times = [correction.created_at for correction in self.corrections.all()]
        if self.was_updated:
            times.append(self.updated_at)
        return max(times, default=None)


class Byline(models.Model):
    """An author credited on a story, in the order the byline names them."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="unique_byline"),
        ]
        indexes = [models.Index(fields=["author", "article"], name="byline_author_articles")]

    def __str__(self):
        return f"{self.author} on {self.article}"


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey(Article, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag"),
        ]
        # A tag page reads its newest stories' ids from here (views.newest_ids): a popular
        # tag is on a good share of a big archive, and this walks just the newest of them.
        indexes = [models.Index(fields=["tag", "content_object"], name="tag_articles")]


class GalleryPhoto(models.Model):
    """A library photo placed in a story's gallery, in order, with an optional caption for
    this story. The credit always comes from the photo."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="gallery_items")
    photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="gallery_placements")
    order = models.PositiveSmallIntegerField(default=0)
    caption = models.TextField(
        blank=True, help_text="Replaces the photo's own caption in this story's gallery only."
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "gallery photo"

    def __str__(self):
        return f"{self.photo} in {self.article}"

    @property
    def display_caption(self):
        return self.caption or self.photo.caption


class BodyPhotoQuerySet(models.QuerySet):
    def place(self, article):
        """Make the story's body placements match the photos its body shows, in reading
        order. Called by every save of the body (``Article.save()``, ``update(body=...)``);
        rows are created and deleted one by one so their signals (search) run. A body that
        names no photo is one query; an unchanged one, two."""
        wanted = body_photo_ids(article.body)
        if not wanted and not article.body_placements.exists():
            return
        current = {row.photo_id: row for row in self.filter(article=article)}
        for photo_id in current.keys() - set(wanted):
            current[photo_id].delete()
        known = set(Photo.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        for position, photo_id in enumerate(pid for pid in wanted if pid in known):
            row = current.get(photo_id)
            if row is None:
                self.create(article=article, photo_id=photo_id, position=position)
            elif row.position != position:
                row.position = position
                row.save(update_fields=["position"])


class BodyPhoto(models.Model):
    """A library photo placed in a story's body (the editor's Figure), in reading order.

    Derived from the body on every save (``BodyPhotoQuerySet.place``), never edited by hand:
    the body's ``<img data-file>`` says where the figure stands and holds its caption for this
    story; this row says the story shows the photo, so the library, the delete protection, the
    cache and search know it (``articles.placements``)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="body_placements")
    photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="body_placements")
    position = models.PositiveSmallIntegerField(default=0)

    objects = BodyPhotoQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "photo in a story's body"
        constraints = [
            models.UniqueConstraint(fields=["article", "photo"], name="unique_body_photo"),
        ]

    def __str__(self):
        return f"{self.photo} in the body of {self.article}"


# revision of it with its bylines and tags; see ``articles.revisions``.
reversion.register(Article, follow=["bylines", "taggedarticle_set"])
reversion.register(Byline)
reversion.register(TaggedArticle)
