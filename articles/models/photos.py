"""The photo library: photos, their renditions."""

import hashlib
from collections import namedtuple
from pathlib import Path

import reversion
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction

from .. import images
from .fields import PhotoImageField, staff_user, validate_photo_upload

SharedImage = namedtuple("SharedImage", ["url", "width", "height"])
# The crops search engines ask for in structured data (articles/images.py makes them).
STRUCTURED_DATA_SPECS = ("ld16x9", "ld4x3", "ld1x1")


def delete_files_on_commit(storage, names):
    """Delete stored files once the transaction commits: a rolled-back save keeps them."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


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
    uploaded_by = staff_user()
    uploaded_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at"]
        permissions = [
            (
                "change_any_photo",
                "Can change any photo, also one that others uploaded or that a published "
                "story shows",
            ),
        ]

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
            delete_files_on_commit(self.image.storage, [previous[0]])

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
        item = self.rendition("social")
        if item is not None:
            return SharedImage(item.file.url, item.width, item.height)
        return self.full_frame_image()

    def full_frame_image(self):
        """The whole picture: the widest full-frame JPEG rendition, else (before renditions
        exist) the original. Uses the prefetched renditions."""
        item = max(
            (r for r in self.renditions.all() if r.format == "jpeg" and r.spec.startswith("w")),
            key=lambda r: r.width,
            default=None,
        )
        if item is not None:
            return SharedImage(item.file.url, item.width, item.height)
        return SharedImage(self.image.url, self.width, self.height)

    def structured_data_images(self):
        """The pictures JSON-LD lists for this photo: its 16:9, 4:3 and 1:1 focal-point crops,
        or the share image while those renditions do not exist yet. Uses the prefetched
        renditions."""
        crops = [self.rendition(spec) for spec in STRUCTURED_DATA_SPECS]
        if all(crops):
            return [SharedImage(item.file.url, item.width, item.height) for item in crops]
        return [self.share_image()]


class PhotoRenditionQuerySet(models.QuerySet):
    def for_cards(self):
        """The renditions a story card shows (the 3:2 crops) and the social crop feeds and
        structured data use: under half of a photo's renditions, for pages of many cards."""
        families = ("card", "social")
        return self.filter(
            spec__in=[spec.name for spec in images.RENDITION_SPECS if spec.family in families]
        )


class PhotoRendition(models.Model):
    """One resized file of a photo, made when the photo is saved, never during a request."""

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="renditions")
    spec = models.CharField(max_length=20)
    format = models.CharField(max_length=10)
    file = models.FileField(upload_to="renditions/", max_length=255)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text="File size in bytes.")

    objects = PhotoRenditionQuerySet.as_manager()

    class Meta:
        ordering = ["spec", "format"]
        constraints = [
            models.UniqueConstraint(fields=["photo", "spec", "format"], name="unique_rendition"),
        ]

    def __str__(self):
        return f"{self.photo_id} {self.spec}.{self.format} ({self.width}×{self.height})"


# A photo keeps revisions of its record when a file that stories show is replaced (the
# photo library's admin); see ``PhotoAdmin.save_model``.
reversion.register(Photo)
