"""The photo library in the admin: upload, bulk upload, metadata, focal point, renditions."""

import reversion
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .. import placements
from ..models import Photo, PhotoRendition
from ..models.fields import PhotoFormField
from .mixins import LightweightDateHierarchyMixin, state_badge

ADMIN_CSS = {"all": ["articles/admin/admin.css"]}


THUMBNAIL_SPECS = ["w400", "w1200", "w800"]
USED_IN_LISTED = 20


def thumbnail_renditions(lookup="renditions"):
    """Prefetch only the JPEG renditions that admin thumbnails and previews show."""
    return Prefetch(
        lookup, queryset=PhotoRendition.objects.filter(spec__in=THUMBNAIL_SPECS, format="jpeg")
    )


def thumbnail(photo, size=80):
    if not photo or not photo.image:
        return "—"
    # A small rendition when the list prefetched them; the original otherwise.
    prefetched = getattr(photo, "_prefetched_objects_cache", {}).get("renditions")
    small = photo.rendition("w400") if prefetched is not None else None
    return format_html(
        '<img src="{}" alt="{}" width="{}" class="admin-thumb" loading="lazy">',
        small.file.url if small else photo.image.url,
        photo.alt_text,
        size,
    )


def _preview_url(photo):
    small = photo.rendition("w800") or photo.rendition("w400")
    return small.file.url if small else photo.image.url


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(PhotoFormField):
    """Several uploads, each checked like a single one; errors name the file."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        if not any(files):
            raise forms.ValidationError("Choose one or more photos.", code="required")
        cleaned, errors = [], []
        for upload in files:
            try:
                cleaned.append(super().clean(upload, initial))
            except forms.ValidationError as error:
                name = getattr(upload, "name", "file")
                errors.extend(f"{name}: {message}" for message in error.messages)
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


class BulkPhotoUploadForm(forms.Form):
    files = MultiplePhotoField(
        label="Photos",
        help_text="Choose several files at once. Each one's own caption, credit and copyright "
        "are read from the file; what you type below fills in what a file does not say.",
    )
    credit = forms.CharField(max_length=200, required=False, help_text="e.g. “Reuters/Jane Doe”.")
    source = forms.CharField(label="Source or agency", max_length=100, required=False)
    copyright = forms.CharField(max_length=200, required=False)
    usage_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def save(self, uploaded_by):
        """Create one photo per file. Nothing is stored unless every file passed its checks."""
        shared = {
            name: self.cleaned_data[name]
            for name in ("credit", "source", "copyright", "usage_notes")
            if self.cleaned_data[name]
        }
        photos = []
        with transaction.atomic():
            for upload in self.cleaned_data["files"]:
                photo = Photo(image=upload, uploaded_by=uploaded_by)
                # The file's own metadata wins; the shared values fill what it lacks.
                for name, value in upload.photo_info.metadata.items():
                    setattr(photo, name, value)
                for name, value in shared.items():
                    if not getattr(photo, name):
                        setattr(photo, name, value)
                photo.save()
                photos.append(photo)
        return photos


class PhotoNeedsFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "needs"

    def lookups(self, request, model_admin):
        return [
            ("credit", "Missing credit"),
            ("alt", "Missing alt text"),
            ("expired", "Rights expired"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "credit":
            return queryset.missing_credit()
        if self.value() == "alt":
            return queryset.filter(alt_text="", decorative=False)
        if self.value() == "expired":
            return queryset.filter(rights_expire_on__lt=timezone.localdate())
        return queryset


class PhotoUsedFilter(admin.SimpleListFilter):
    title = "use"
    parameter_name = "used"

    def lookups(self, request, model_admin):
        return [("yes", "Used in a story"), ("no", "Not used yet")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(placements.shown())
        if self.value() == "no":
            return queryset.exclude(placements.shown())
        return queryset


@admin.register(Photo)
class PhotoAdmin(LightweightDateHierarchyMixin, admin.ModelAdmin):
    list_display = [
        "thumbnail",
        "__str__",
        "credit_or_warning",
        "source",
        "used_in_count",
        "dimensions",
        "uploaded_by",
        "uploaded_at",
    ]
    list_display_links = ["thumbnail", "__str__"]
    list_filter = [
        PhotoNeedsFilter,
        PhotoUsedFilter,
        "source",
        ("uploaded_by", admin.RelatedOnlyFieldListFilter),
        "uploaded_at",
    ]
    list_per_page = 60
    search_fields = ["title", "alt_text", "caption", "credit", "source"]
    date_hierarchy = "uploaded_at"
    readonly_fields = ["focal_point_picker", "dimensions", "used_in", "uploaded_by", "uploaded_at"]
    fieldsets = [
        (None, {"fields": ["image", "title"]}),
        (
            "For readers",
            {"fields": ["alt_text", "decorative", "caption", "credit"]},
        ),
        ("Rights", {"fields": ["source", "copyright", "usage_notes", "rights_expire_on"]}),
        (
            "Focal point",
            {
                "fields": ["focal_point_picker", ("focal_x", "focal_y")],
                "description": "Cards and link previews crop the photo; the point you click "
                "stays in frame.",
            },
        ),
        ("Library", {"fields": ["dimensions", "used_in", "uploaded_by", "uploaded_at"]}),
    ]
    list_select_related = ["uploaded_by"]
    change_list_template = "admin/articles/photo/change_list.html"

    class Media:
        css = {"all": ["articles/admin/admin.css", "articles/admin/photos.css"]}
        js = ["articles/admin/photo-preview.js", "articles/admin/focal-point.js"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(story_count=placements.story_count())
            .prefetch_related(thumbnail_renditions())
        )

    def get_urls(self):
        return [
            path(
                "bulk-upload/",
                self.admin_site.admin_view(self.bulk_upload_view),
                name="articles_photo_bulk_upload",
            ),
            path(
                "picker/",
                self.admin_site.admin_view(self.picker_view),
                name="articles_photo_picker",
            ),
            *super().get_urls(),
        ]

    def bulk_upload_view(self, request):
        """Several files at once, with the credit and rights they share. Each photo is then
        listed under "Missing alt text" until someone describes it."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BulkPhotoUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            photos = form.save(uploaded_by=request.user)
            for photo in photos:
                self.log_addition(request, photo, [{"added": {}}])
            self.message_user(
                request,
                f"Uploaded {len(photos)} photos. Describe each one (alt text) before it is "
                "used; they are listed below.",
                messages.SUCCESS,
            )
            changelist = reverse("admin:articles_photo_changelist")
            return HttpResponseRedirect(f"{changelist}?needs=alt")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Upload several photos",
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/articles/photo/bulk_upload.html", context)

    def picker_view(self, request):
        """The body editor's "Browse…" window: choose a library photo to place in the story.
        Speaks the editor's CKEditor-style protocol (``CKEditorFuncNum``)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        term = request.GET.get("q", "").strip()[:100]
        photos = self.get_queryset(request)
        if term:
            photos, _ = self.get_search_results(request, photos, term)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Choose a photo",
            "items": [
                {
                    "photo": photo,
                    "thumb": photo.rendition("w400"),
                    # What the editor shows while writing; readers get renditions by id.
                    "preview_url": _preview_url(photo),
                }
                for photo in photos[:60]
            ],
            "term": term,
            "func_num": request.GET.get("CKEditorFuncNum", ""),
            "is_popup": True,
            "media": forms.Media(
                css={"all": ["articles/admin/photos.css"]}, js=["articles/admin/photo-picker.js"]
            ),
        }
        return TemplateResponse(request, "admin/articles/photo/picker.html", context)

    @admin.display(description="Photo")
    def thumbnail(self, photo):
        return thumbnail(photo)

    @admin.display(description="Credit", ordering="credit")
    def credit_or_warning(self, photo):
        if photo.credit:
            return photo.credit
        return format_html('<span class="photo-warning">{}</span>', "Missing credit")

    @admin.display(description="Used in")
    def used_in_count(self, photo):
        uses = getattr(photo, "story_count", 0)
        return f"{uses} {'story' if uses == 1 else 'stories'}" if uses else "—"

    @admin.display(description="Used in")
    def used_in(self, photo):
        if not photo.pk:
            return "—"
        links, more = self._story_links(photo, getattr(photo, "story_count", None))
        if not links:
            return "Not used in any story yet."
        return format_html(
            '<ul class="photo-used-in">{}</ul>{}',
            format_html_join("", "<li>{}</li>", ((link,) for link in links)),
            format_html("<p>… and {} more.</p>", f"{more:,}") if more else "",
        )

    def _story_links(self, photo, count=None):
        """Links to the latest edited stories that show the photo, with where they show it,
        and how many more there are. A wire photo can illustrate thousands of stories."""
        stories = placements.stories_showing(photo).order_by("-updated_at")
        latest = list(stories[:USED_IN_LISTED])
        places = placements.where_shown(photo, latest)
        links = [
            format_html(
                '<a href="{}">{}</a> ({}) {}',
                reverse("admin:articles_article_change", args=[article.pk]),
                article.headline,
                ", ".join(places[article.pk]),
                state_badge(article.state_label),
            )
            for article in latest
        ]
        more = 0
        if len(latest) == USED_IN_LISTED:
            count = stories.count() if count is None else count
            more = count - len(latest)
        return links, more

    def get_deleted_objects(self, objs, request):
        """A photo a story shows cannot be deleted (every placement PROTECTs it): the delete
        page names those stories, and where they show it, instead of the placement rows."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            protected = []
            for photo in objs:
                links, more = self._story_links(photo)
                protected += [format_html("“{}” is shown by {}", photo, link) for link in links]
                if more:
                    protected.append(format_html("… and {} more stories", f"{more:,}"))
        return deleted, model_count, perms_needed, protected

    @admin.display(description="Picture")
    def focal_point_picker(self, photo):
        if not photo.pk or not photo.image:
            return "Save the photo first; then click the picture to set its focal point."
        preview = photo.rendition("w1200") or photo.rendition("w800") or photo.rendition("w400")
        url = preview.file.url if preview else photo.image.url
        return format_html(
            '<div class="focal-picker" data-x="{}" data-y="{}">'
            '<img src="{}" alt="{}" width="{}" height="{}">'
            '<span class="focal-marker" hidden></span></div>'
            '<p class="help">Click the picture to set the focal point.</p>',
            photo.focal_x,
            photo.focal_y,
            url,
            photo.alt_text,
            preview.width if preview else photo.width,
            preview.height if preview else photo.height,
        )

    @admin.display(description="Size")
    def dimensions(self, photo):
        return f"{photo.width} × {photo.height}" if photo.width else "—"

    def has_change_permission(self, request, obj=None):
        """Changing a photo (its file, text or focal point) follows
        ``placements.can_change_photo``: editors any photo, writers only their own that no
        published story shows. Without it the change page is read-only and a POST is 403."""
        if obj is None or not super().has_change_permission(request, obj):
            return super().has_change_permission(request, obj)
        # Asked several times per page: decide once per request and photo.
        decided = request.__dict__.setdefault("_photo_change_allowed", {})
        if obj.pk not in decided:
            decided[obj.pk] = placements.can_change_photo(request.user, obj)
        return decided[obj.pk]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        photo = self.get_object(request, object_id) if request.method == "GET" else None
        if photo is not None and (reason := placements.why_photo_is_locked(request.user, photo)):
            self.message_user(request, reason, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        if change and "image" in form.changed_data and placements.stories_showing(obj).exists():
            self._save_replacing_a_used_file(request, obj, form)
            return
        super().save_model(request, obj, form, change)

    def _save_replacing_a_used_file(self, request, obj, form):
        """A new file for a photo stories show changes what their readers see: keep the
        photo's record as it was (file name, size, text, rights) and as it is now as
        revisions, signed by whoever replaced it."""
        stored = Photo.objects.get(pk=obj.pk)
        with transaction.atomic(), reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(f"Before the file was replaced: {stored.image.name}")
            reversion.add_to_revision(stored)
        with transaction.atomic(), reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(f"Replaced the file with {form.cleaned_data['image'].name}")
            super().save_model(request, obj, form, True)
