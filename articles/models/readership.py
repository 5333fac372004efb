"""Readership counts: views per story and referring site, per hour or day."""

from django.db import models

from .stories import Article


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
