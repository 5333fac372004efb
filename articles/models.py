from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from .images import validate_photo_upload
from .richtext import RichTextField, sanitize_html


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


class Photo(models.Model):
    """A picture in the photo library. Its use in a story is a placement on the article."""

    image = models.ImageField(
        upload_to="photos/%Y/%m/",
        width_field="width",
        height_field="height",
        validators=[validate_photo_upload],
        help_text="JPEG, PNG, WebP or AVIF.",
    )
    width = models.PositiveIntegerField(editable=False, null=True)
    height = models.PositiveIntegerField(editable=False, null=True)
    title = models.CharField(
        max_length=200, blank=True, help_text="An internal name to find the photo in the library."
    )
    alt_text = models.CharField(
        max_length=250,
        help_text="Describes the picture for readers who cannot see it. Required.",
    )
    caption = models.TextField(
        blank=True,
        help_text="What the photo shows, in a sentence. A story may replace it with its own.",
    )
    credit = models.CharField(
        max_length=200,
        blank=True,
        help_text="Agency and photographer, e.g. “Reuters/Jane Doe”. Shown as “Photo: …”.",
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

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.title or self.alt_text


class ArticleQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # update() bypasses field code; keep the body sanitised on this path too.
        if isinstance(kwargs.get("body"), str):
            kwargs["body"] = sanitize_html(kwargs["body"])
        return super().update(**kwargs)

    def published(self):
        """Stories a reader may see: status published and publish time passed.

        This is the one visibility rule. A future publish time makes a story scheduled; it goes
        live by itself when the time passes, with no job to run.
        """
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def newest_first(self):
        return self.order_by("-published_at", "-pk")

    def for_listing(self):
        """What a story card shows: section, lead photo and ordered bylines, in a fixed number
        of queries whatever the number of stories."""
        return self.select_related("section", "lead_photo").prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author"))
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
        """Everything the article page shows, in a fixed number of queries."""
        return self.for_listing().prefetch_related("tags")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"

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
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
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

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        permissions = [("publish_article", "Can publish stories")]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_public_order"),
            models.Index(
                fields=["section", "status", "-published_at"], name="article_section_order"
            ),
            models.Index(fields=["-updated_at"], name="article_recently_edited"),
            # The admin list's other sort orders, at a million rows (see docs/production.md).
            models.Index(fields=["-published_at"], name="article_published_at"),
            models.Index(fields=["headline"], name="article_headline"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED:
            if self.published_at is None:
                self.published_at = timezone.now()
            if self.first_published_at is None:
                self.first_published_at = self.published_at
        super().save(*args, **kwargs)

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

    @property
    def is_live(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def state_label(self):
        """Draft / In review / Scheduled / Live, as editors speak of it."""
        if self.status == self.Status.PUBLISHED:
            return "Live" if self.is_live else "Scheduled"
        return self.get_status_display()

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
