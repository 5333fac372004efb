"""The photo pipeline: what may be uploaded."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "AVIF"}


def validate_photo_upload(field_file):
    """Refuse files that are too large or are not a JPEG, PNG, WebP or AVIF by content.

    Django's ImageField has already checked that Pillow can read the file; this checks what
    it is, whatever its name says.
    """
    if getattr(field_file, "_committed", False):
        return  # Already in storage: it was checked when it was uploaded.
    limit = settings.PHOTO_MAX_UPLOAD_BYTES
    if field_file.size > limit:
        raise ValidationError(
            "This file is %(size)s; photos may be at most %(limit)s.",
            params={"size": filesizeformat(field_file.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    # The form field leaves the Pillow image it checked on the upload.
    image = getattr(field_file.file, "image", None)
    if image is None:
        with Image.open(field_file.file) as opened:
            image_format = opened.format
        field_file.file.seek(0)
    else:
        image_format = image.format
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            "This is a %(format)s file; upload a JPEG, PNG, WebP or AVIF photo.",
            params={"format": image_format or "unknown"},
            code="bad_format",
        )
