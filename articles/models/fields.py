"""Field shapes the models share."""

from django.conf import settings
from django.db import models


def staff_user():
    """Who did something (uploaded, created, edited, trashed): a staff account, kept as
    empty if the account is deleted, never edited by hand, with no reverse accessor."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
