"""The site around the stories: its settings, social accounts and homepage zones."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from .stories import Article, Section


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
