import hashlib
from collections import namedtuple
from pathlib import Path

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Case, Prefetch, Q, Value, When
from django.db.models.functions import Coalesce, Greatest, Now
from django.db.models.query import ModelIterable
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from . import images
from .images import PhotoImageField, validate_photo_upload
from .richtext import BodyHTML, RichTextField, body_photo_ids, sanitize_html


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


SharedImage = namedtuple("SharedImage", ["url", "width", "height"])


class PhotoQuerySet(models.QuerySet):
    def with_renditions(self):
        """Photos with their renditions, for pages that show them (one extra query)."""
        return self.prefetch_related("renditions")

    def missing_credit(self):
        """Photos that cannot lead a story yet: no credit."""
        return self.filter(credit="")


class Photo(models.Model):
    """A picture in the photo library. Its use in a story is a placement on the article.

    Saving a new file stores a cleaned copy (no GPS or camera serials, orientation applied) and
    makes its renditions; changing the focal point remakes the crops. See ``articles.images``.
    """

    image = PhotoImageField(
        upload_to="photos/%Y/%m/",
        width_field="width",
        height_field="height",
        validators=[validate_photo_upload],
        help_text="JPEG, PNG, WebP or AVIF. Caption, credit and copyright written into the file "
        "by the camera or agency fill the fields below that you leave empty. Choosing a new "
        "file replaces the picture everywhere it is used. Location (GPS) and camera serial "
        "numbers are removed from the stored file.",
    )
    width = models.PositiveIntegerField(editable=False, null=True)
    height = models.PositiveIntegerField(editable=False, null=True)
    title = models.CharField(
        max_length=200, blank=True, help_text="An internal name to find the photo in the library."
    )
    alt_text = models.CharField(
        max_length=250,
        blank=True,
        help_text="Describes the picture for readers who cannot see it. Required unless the "
        "photo is decorative, and always before it can lead a published story.",
    )
    decorative = models.BooleanField(
        default=False,
        help_text="Tick only for pictures that add nothing a reader would miss (a texture, an "
        "ornament). Screen readers then skip them. News photos are never decorative.",
    )
    caption = models.TextField(
        blank=True,
        help_text="What the photo shows, in a sentence. A story may replace it with its own.",
    )
    credit = models.CharField(
        max_length=200,
        blank=True,
        help_text="Agency and photographer, e.g. “Reuters/Jane Doe”. Shown as “Photo: …”. "
        "A story cannot be published with a lead photo that has no credit.",
    )
    source = models.CharField(
        "source or agency",
        max_length=100,
        blank=True,
        help_text="Where the photo came from, e.g. “Reuters”, “Staff”, “Handout”. Used to "
        "filter the library and to check what a licence allows.",
    )
    copyright = models.CharField(
        max_length=200, blank=True, help_text="The copyright notice, e.g. “© 2026 Reuters”."
    )
    usage_notes = models.TextField(
        "usage notes",
        blank=True,
        help_text="Restrictions from the licence or the source, e.g. “Editorial use only; no "
        "archive sales”. Editors read this before using the photo.",
    )
    rights_expire_on = models.DateField(
        "rights expire on",
        null=True,
        blank=True,
        help_text="After this date the licence no longer allows new uses. The library lists "
        "expired photos under “Needs attention”.",
    )
    focal_x = models.FloatField(
        "focal point across",
        default=50,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent from the left edge. Card and social-media crops keep this point in "
        "frame. Click the picture to set it.",
    )
    focal_y = models.FloatField(
        "focal point down",
        default=50,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent from the top edge.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.title or self.alt_text or (self.image.name or "photo").rsplit("/", 1)[-1]

    def save(self, *args, **kwargs):
        # An emptied focal-point field means "the centre" again.
        self.focal_x = 50 if self.focal_x is None else self.focal_x
        self.focal_y = 50 if self.focal_y is None else self.focal_y
        new_file = bool(self.image) and not getattr(self.image, "_committed", True)
        previous = getattr(self, "_stored_state", None)
        if new_file:
            self._store_clean_original(previous)
        try:
            super().save(*args, **kwargs)
            if previous != self._rendition_state():
                self.make_renditions()
        except BaseException:
            if new_file:  # The rows roll back; do not leave the stored file behind either.
                self.image.storage.delete(self.image.name)
            raise
        self._stored_state = self._rendition_state()

    def clean(self):
        super().clean()
        if not self.decorative and not self.alt_text.strip():
            raise ValidationError(
                {
                    "alt_text": "This field is required: describe the picture for readers who "
                    "cannot see it, or tick “Decorative” if it adds nothing they would miss."
                }
            )

    def _rendition_state(self):
        return (self.image.name, self.focal_x, self.focal_y)

    @classmethod
    def from_db(cls, db, field_names, values):
        photo = super().from_db(db, field_names, values)
        photo._stored_state = photo._rendition_state()
        return photo

    def _store_clean_original(self, previous):
        """Store the cleaned file instead of the upload, fill empty fields from the file's own
        caption/credit/copyright, and forget the file it replaces once the save commits."""
        upload = self.image.file
        info = getattr(upload, "photo_info", None) or images.inspect_upload(upload)
        for name, value in info.metadata.items():
            if not getattr(self, name):
                setattr(self, name, value)
        content = images.clean_original(upload, info)
        stem = Path(self.image.name).stem[:80] or "photo"
        self.image.save(f"{stem}.{images.EXTENSIONS[info.format]}", ContentFile(content), False)
        # Django reads dimensions with a parser that does not know AVIF; the check knows them.
        self.width, self.height = info.width, info.height
        if previous and previous[0] and previous[0] != self.image.name:
            images.delete_files_on_commit(self.image.storage, [previous[0]])

    def make_renditions(self):
        """(Re)make every rendition from the stored original and replace the old rows; the old
        files are deleted once the transaction commits. Never called while rendering a page."""
        storage = self.image.storage
        with storage.open(self.image.name, "rb") as original:
            rendered = images.render_renditions(original, self.focal_x, self.focal_y)
        version = hashlib.sha256(repr(self._rendition_state()).encode()).hexdigest()[:8]
        stem = Path(self.image.name).stem[:60]
        rows, written = [], []
        try:
            for item in rendered:
                name = storage.save(
                    f"renditions/{self.pk}/{stem}-{item.spec}-{version}.{item.format}",
                    ContentFile(item.data),
                )
                written.append(name)
                rows.append(
                    PhotoRendition(
                        photo=self,
                        spec=item.spec,
                        format=item.format,
                        file=name,
                        width=item.width,
                        height=item.height,
                        size=len(item.data),
                    )
                )
            with transaction.atomic():
                # Not self.renditions: a prefetch (the library's thumbnails) may have narrowed it.
                PhotoRendition.objects.filter(photo=self).delete()  # Files go on commit.
                PhotoRendition.objects.bulk_create(rows)
        except BaseException:
            for name in written:
                storage.delete(name)
            raise
        if hasattr(self, "_prefetched_objects_cache"):
            self._prefetched_objects_cache.pop("renditions", None)
        return rows

    def publishing_problems(self):
        """Why this photo cannot lead a published story yet, as sentences for the editor."""
        problems = []
        label = f"The lead photo “{self}”"
        if not self.alt_text.strip():
            problems.append(
                f"{label} has no alt text. Describe it in the photo library before publishing."
            )
        if not self.credit.strip():
            problems.append(
                f"{label} has no credit. Add the agency and photographer in the photo library "
                "before publishing."
            )
        return problems

    def rendition(self, spec, fmt="jpeg"):
        """The rendition ``spec`` in ``fmt`` among the (prefetched) renditions, or None."""
        for item in self.renditions.all():
            if item.spec == spec and item.format == fmt:
                return item
        return None

    def share_image(self):
        """The picture for social cards, feeds and structured data: the 1200 x 630 focal-point
        crop, else the widest JPEG rendition, else (before renditions exist) the original.
        Uses the prefetched renditions."""
        item = self.rendition("social") or max(
            (r for r in self.renditions.all() if r.format == "jpeg" and r.spec.startswith("w")),
            key=lambda r: r.width,
            default=None,
        )
        if item is not None:
            return SharedImage(item.file.url, item.width, item.height)
        return SharedImage(self.image.url, self.width, self.height)


class PhotoRendition(models.Model):
    """One resized file of a photo, made when the photo is saved, never during a request."""

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="renditions")
    spec = models.CharField(max_length=20)
    format = models.CharField(max_length=10)
    file = models.FileField(upload_to="renditions/", max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text="File size in bytes.")

    class Meta:
        ordering = ["spec", "format"]
        constraints = [
            models.UniqueConstraint(fields=["photo", "spec", "format"], name="unique_rendition"),
        ]

    def __str__(self):
        return f"{self.photo_id} {self.spec}.{self.format} ({self.width}×{self.height})"

    @property
    def mime_type(self):
        return images.MIME_TYPES[self.format]


class WithBodyPhotosIterable(ModelIterable):
    """Articles whose ``body`` carries the library photos it embeds (a ``BodyHTML``), fetched
    with their renditions in two queries for all the articles together."""

    def __iter__(self):
        articles = list(super().__iter__())
        ids = set().union(*(body_photo_ids(article.body) for article in articles))
        if ids:
            photos = Photo.objects.with_renditions().in_bulk(ids)
            for article in articles:
                article.body = BodyHTML(article.body, photos)
        yield from articles


class ArticleQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # update() bypasses field code; keep the body sanitised on this path too.
        if isinstance(kwargs.get("body"), str):
            kwargs["body"] = sanitize_html(kwargs["body"])
        return super().update(**kwargs)

    def published(self):
        """Stories a reader may see: status published, publish time and any embargo passed,
        not in the trash.

        This is the one visibility rule. A future publish time makes a story scheduled; it goes
        live by itself when the time passes, with no job to run. The embargo is checked here
        too, so a story saved around the admin's checks still cannot appear before it.
        """
        now = timezone.now()
        return self.filter(
            Q(embargo_until__isnull=True) | Q(embargo_until__lte=now),
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
            trashed_at__isnull=True,
        )

    def not_trashed(self):
        """Stories outside the trash, whatever their status."""
        return self.filter(trashed_at__isnull=True)

    def trashed(self):
        """Stories in the trash, which can still be restored until they are purged."""
        return self.filter(trashed_at__isnull=False)

    def with_go_live(self):
        """Annotate ``go_live_at``: when a published story becomes visible (its publish time,
        or its embargo if that is later)."""
        return self.annotate(
            go_live_at=Greatest("published_at", Coalesce("embargo_until", "published_at"))
        )

    def scheduled(self):
        """Published stories whose publish time or embargo is still ahead, soonest first."""
        return (
            self.not_trashed()
            .filter(status=Article.Status.PUBLISHED)
            .with_go_live()
            .filter(go_live_at__gt=timezone.now())
            .order_by("go_live_at", "pk")
        )

    def with_state(self):
        """Annotate ``workflow_state`` with the derived state editors speak of (see
        ``Article.State``), so the admin can filter and sort by it in SQL."""
        published = Q(status=Article.Status.PUBLISHED)
        waiting = Q(published_at__gt=Now()) | Q(embargo_until__gt=Now())
        return self.annotate(
            workflow_state=Case(
                When(trashed_at__isnull=False, then=Value(Article.State.TRASHED)),
                When(published & waiting, then=Value(Article.State.SCHEDULED)),
                When(published, then=Value(Article.State.LIVE)),
                When(status=Article.Status.REVIEW, then=Value(Article.State.REVIEW)),
                When(status=Article.Status.UNPUBLISHED, then=Value(Article.State.UNPUBLISHED)),
                default=Value(Article.State.DRAFT),
                output_field=models.CharField(),
            )
        )

    def in_state(self, state):
        """Stories in one derived state (``Article.State``)."""
        return self.with_state().filter(workflow_state=state)

    def editable_by(self, user):
        """Stories this user may edit: all of them for editors, their own for writers (those
        they created or carry their byline)."""
        if user.has_perm("articles.edit_any_article"):
            return self
        bylined = Byline.objects.filter(author__user=user).values("article")
        return self.filter(Q(created_by=user) | Q(pk__in=bylined))

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    def for_listing(self):
        """What a story card shows: section, lead photo and ordered bylines, in a fixed number
        of queries whatever the number of stories."""
        return self.select_related("section", "lead_photo").prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author")),
            "lead_photo__renditions",
        )

    def related_to(self, article):
        """Stories sharing the most tags with ``article``, then its section's newest."""
        tag_ids = [tag.pk for tag in article.tags.all()]
        return (
            self.exclude(pk=article.pk)
            .filter(models.Q(tags__in=tag_ids) | models.Q(section_id=article.section_id))
            .annotate(shared_tags=models.Count("tags", filter=models.Q(tags__in=tag_ids)))
            .order_by("-shared_tags", "-published_at")
        )

    def for_detail(self):
        """Everything the article page shows, in a fixed number of queries: with a gallery
        and with photos embedded in the body, two more each, whatever their number."""
        queryset = self.for_listing().prefetch_related(
            "tags",
            "corrections",
            Prefetch(
                "gallery_items",
                queryset=GalleryPhoto.objects.select_related("photo").prefetch_related(
                    "photo__renditions"
                ),
            ),
        )
        queryset._iterable_class = WithBodyPhotosIterable
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
    trashed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Bumped by every save through the admin and the workflow functions; a save that started
    # from an older number is refused instead of overwriting someone else's changes.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
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
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED:
            if self.published_at is None:
                self.published_at = timezone.now()
            if self.first_published_at is None:
                self.first_published_at = self.published_at
        adding = self._state.adding
        super().save(*args, **kwargs)
        if not adding and not getattr(self, "_version_claimed", False):
            # A save outside ``workflow.save_checked`` (a script, a command) still moves the
            # version on, so an edit form opened before it is refused instead of undoing it.
            Article.objects.filter(pk=self.pk).update(version=models.F("version") + 1)
            self.version = Article.objects.values_list("version", flat=True).get(pk=self.pk)

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
        embargo_error = self.embargo_error()
        if embargo_error:
            raise ValidationError({"published_at": embargo_error})

    def embargo_error(self, publish_at=None):
        """Why publishing at ``publish_at`` (default: the publish time, or now) would break the
        embargo, or an empty string when it would not."""
        if self.status != self.Status.PUBLISHED or not self.embargo_until:
            return ""
        publish_at = publish_at or self.published_at or timezone.now()
        if publish_at >= self.embargo_until:
            return ""
        embargo = timezone.localtime(self.embargo_until).strftime("%B %-d, %Y, %-I:%M %p %Z")
        return (
            f"This story is under embargo until {embargo}. Set the publish time to the embargo "
            "or later."
        )

    @property
    def is_live(self):
        """The same answer as ``published()``, for one story already in memory."""
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


class SiteSettings(models.Model):
    """The site's identity, edited by staff. There is one row; read it through
    ``articles.chrome.site_chrome()``, which caches it."""

    name = models.CharField(max_length=100, help_text="Shown in the masthead and page titles.")
    tagline = models.CharField(
        max_length=200, blank=True, help_text="A line under the name in the masthead."
    )
    description = models.TextField(
        blank=True,
        help_text="Describes the site to search engines and in feeds when a page has no "
        "description of its own.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "site settings"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.pk = 1  # There is only ever one.
        super().save(*args, **kwargs)


class SocialAccount(models.Model):
    class Network(models.TextChoices):
        MASTODON = "mastodon", "Mastodon"
        BLUESKY = "bluesky", "Bluesky"
        X = "x", "X"
        FACEBOOK = "facebook", "Facebook"
        INSTAGRAM = "instagram", "Instagram"
        YOUTUBE = "youtube", "YouTube"
        LINKEDIN = "linkedin", "LinkedIn"
        THREADS = "threads", "Threads"
        TIKTOK = "tiktok", "TikTok"
        WHATSAPP = "whatsapp", "WhatsApp"

    site = models.ForeignKey(SiteSettings, on_delete=models.CASCADE, related_name="social_accounts")
    network = models.CharField(max_length=20, choices=Network.choices)
    handle = models.CharField(max_length=100, help_text="As readers know it, e.g. “@courier”.")
    url = models.URLField("address", help_text="The account's page, starting with https://.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.get_network_display()} {self.handle}"


class HomepageZone(models.Model):
    """A block of the homepage. Pinned stories fill their positions; the rest back-fill with
    the newest published stories of the zone's section (or of any section)."""

    class Layout(models.TextChoices):
        LEAD = "lead", "Lead story"
        TOP = "top", "Top stories"
        RAIL = "rail", "Section rail"

    title = models.CharField(max_length=80)
    layout = models.CharField(max_length=10, choices=Layout.choices, default=Layout.RAIL)
    section = models.ForeignKey(
        Section,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="homepage_zones",
        help_text="Back-fill with this section's stories. Empty: stories from every section.",
    )
    size = models.PositiveSmallIntegerField(
        default=4, help_text="How many stories the zone shows (1 to 12)."
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Zones are filled and shown from the lowest number up."
    )

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__gte=1, size__lte=12), name="zone_size_1_to_12"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.section.get_absolute_url() if self.section else reverse("articles:home")


class ZonePin(models.Model):
    """An editor's choice of story for one position of a homepage zone."""

    zone = models.ForeignKey(HomepageZone, on_delete=models.CASCADE, related_name="pins")
    position = models.PositiveSmallIntegerField(help_text="1 is the first slot of the zone.")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="pins")

    class Meta:
        ordering = ["zone", "position"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "position"], name="one_pin_per_position"),
        ]

    def __str__(self):
        return f"{self.zone} #{self.position}: {self.article}"

    def clean(self):
        if self.position is not None and self.zone_id and not 1 <= self.position <= self.zone.size:
            raise ValidationError({"position": f"This zone has positions 1 to {self.zone.size}."})


class Granularity(models.TextChoices):
    HOUR = "hour", "Hour"
    DAY = "day", "Day"


class ViewCount(models.Model):
    """Views counted in one hour (or, once rolled up, one day) for one key.

    Counts only: no reader, address, browser or cookie is stored, and the tables grow with
    keys x hours, not with views.
    """

    granularity = models.CharField(max_length=4, choices=Granularity.choices)
    bucket_start = models.DateTimeField()
    views = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.granularity} {self.bucket_start:%Y-%m-%d %H:%M}: {self.views} views"


class ArticleViews(ViewCount):
    """How many times a story was read in an hour or a day."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="view_counts")

    class Meta:
        verbose_name_plural = "article views"
        constraints = [
            models.UniqueConstraint(
                fields=["article", "granularity", "bucket_start"], name="one_view_bucket"
            ),
        ]
        indexes = [
            models.Index(fields=["granularity", "bucket_start"], name="views_by_time"),
        ]


class ReferrerViews(ViewCount):
    """Story views per referring site (its name only, never the full address)."""

    domain = models.CharField(max_length=100)

    class Meta:
        verbose_name_plural = "referrer views"
        constraints = [
            models.UniqueConstraint(
                fields=["domain", "granularity", "bucket_start"], name="one_referrer_bucket"
            ),
        ]
        indexes = [
            models.Index(fields=["granularity", "bucket_start"], name="referrers_by_time"),
        ]


class Readership(ArticleViews):
    """The editors' readership dashboard in the admin (no data of its own)."""

    class Meta:
        proxy = True
        verbose_name = verbose_name_plural = "readership"


class CorrectionQuerySet(models.QuerySet):
    def public(self):
        """Corrections and updates on stories readers can see, newest first."""
        return (
            self.filter(article__in=Article.objects.published())
            .select_related("article", "article__section")
            .order_by("-created_at", "-pk")
        )


class Correction(models.Model):
    """A dated note appended to a published story; it is never edited away."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        default=Kind.CORRECTION,
        help_text="A correction fixes an error; an update adds news. Both are shown under the "
        "story with their date and listed on the public corrections page.",
    )
    text = models.TextField(
        help_text="What was wrong and what is right, in full sentences, e.g. “An earlier "
        "version of this story misstated the vote. It was 7-2.” Plain text. Cannot be "
        "changed once saved."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.article}"


class AuditEntry(models.Model):
    """One change of a story's state, with who made it and when."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        SUBMITTED = "submitted", "Submitted for review"
        RETURNED = "returned", "Returned to draft"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled"
        UNPUBLISHED = "unpublished", "Unpublished"
        TRASHED = "trashed", "Moved to trash"
        RESTORED = "restored", "Restored from trash"
        PURGED = "purged", "Deleted for good"
        REVISION_RESTORED = "revision_restored", "Revision restored"
        CORRECTED = "corrected", "Correction added"
        PREVIEW_SHARED = "preview_shared", "Preview link shared"
        PREVIEW_REVOKED = "preview_revoked", "Preview link revoked"

    # Entries outlive a purged story: the link goes, the headline stays.
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    headline = models.CharField(max_length=200)
    action = models.CharField(max_length=30, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.get_action_display()}: {self.headline}"


class PreviewLink(models.Model):
    """A shareable link to a story's latest draft; see ``articles.previews``."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Preview of {self.article}"

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()


# Every save of a story inside a revision block (the admin, the workflow functions) keeps a
# revision of it with its bylines and tags; see ``articles.revisions``.
reversion.register(Article, follow=["bylines", "taggedarticle_set"])
reversion.register(Byline)
reversion.register(TaggedArticle)
