"""Field shapes the models share, and the photo library's upload field."""

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.db import models

from ..images import inspect_upload


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


def validate_photo_upload(field_file):
    """Model-level check for files that did not come through the admin's form field."""
    if getattr(field_file, "_committed", False):
        return  # Already in storage: it was checked when it was uploaded.
    upload = field_file.file
    if getattr(upload, "photo_info", None) is None:
        upload.photo_info = inspect_upload(upload)


def shortened_name(name, limit):
    """``name`` cut to at most ``limit`` characters, keeping its extension."""
    path = PurePath(name)
    suffix = path.suffix[:16]
    stem = path.name[: len(path.name) - len(path.suffix)] if path.suffix else path.name
    return stem[: max(1, limit - len(suffix))] + suffix


class PhotoFormField(forms.ImageField):
    """The upload field of photo forms: ``inspect_upload`` instead of Django's generic
    "Upload a valid image", so each refusal says what is wrong and what to do."""

    def to_python(self, data):
        if data and self.max_length and len(getattr(data, "name", "") or "") > self.max_length:
            # A long name is no reason to refuse a photo: the stored name is made from it
            # (shortened again to fit the folder, made unique by the storage).
            data.name = shortened_name(data.name, self.max_length)
        upload = forms.FileField.to_python(self, data)
        if upload is None:
            return None
        upload.photo_info = inspect_upload(upload)
        upload.content_type = f"image/{upload.photo_info.format.lower()}"
        return upload


class PhotoImageField(models.ImageField):
    """An ImageField whose forms check uploads with ``inspect_upload``."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhotoFormField, **kwargs})
