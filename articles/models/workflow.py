"""The editorial record: corrections, the audit trail and preview links."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .fields import staff_user
from .stories import Article


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
    created_by = staff_user()

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
