from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import Count, Prefetch
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.functional import cached_property, lazy
from django.utils.html import format_html
from taggit.models import Tag

from .chrome import site_chrome
from .forms import ArticleAdminForm
from .models import (
    Article,
    Author,
    Byline,
    HomepageZone,
    Photo,
    Section,
    SiteSettings,
    SocialAccount,
    ZonePin,
)
from .views import planner_estimate

# Lazy, so a new name in the site settings shows without a restart.
admin.site.site_header = lazy(lambda: f"{site_chrome()['site'].name} newsroom", str)()
admin.site.site_title = lazy(lambda: site_chrome()["site"].name, str)()
admin.site.index_title = "Newsroom"
admin.site.site_url = "/"

ADMIN_CSS = {"all": ["articles/admin/admin.css"]}


def thumbnail(photo, size=80):
    if not photo or not photo.image:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" width="{}" class="admin-thumb" loading="lazy">',
        photo.image.url,
        photo.alt_text,
        size,
    )


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "user"]
    search_fields = ["name", "title"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "__str__", "credit", "dimensions", "uploaded_by", "uploaded_at"]
    list_display_links = ["thumbnail", "__str__"]
    list_filter = ["uploaded_at"]
    search_fields = ["title", "alt_text", "caption", "credit"]
    date_hierarchy = "uploaded_at"
    readonly_fields = ["preview", "dimensions", "uploaded_by", "uploaded_at"]
    fields = [
        "image",
        "preview",
        "title",
        "alt_text",
        "caption",
        "credit",
        "dimensions",
        "uploaded_by",
        "uploaded_at",
    ]
    list_select_related = ["uploaded_by"]

    class Media:
        css = ADMIN_CSS
        js = ["articles/admin/photo-preview.js"]

    @admin.display(description="Photo")
    def thumbnail(self, photo):
        return thumbnail(photo)

    @admin.display(description="Preview")
    def preview(self, photo):
        return thumbnail(photo, size=480)

    @admin.display(description="Size")
    def dimensions(self, photo):
        return f"{photo.width} × {photo.height}" if photo.width else "—"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


class BylineInline(admin.TabularInline):
    model = Byline
    autocomplete_fields = ["author"]
    fields = ["author", "order"]
    extra = 1
    verbose_name = "byline"
    verbose_name_plural = "Byline (authors in the order they are named)"


class EstimatedCountPaginator(Paginator):
    """The admin's article list at a million rows: on PostgreSQL a count the planner
    estimates above ESTIMATE_ABOVE rows is taken from its estimate (pg_class.reltuples for the
    whole table) instead of a COUNT(*) over every row; smaller results are counted exactly.
    A big result's page count is then approximate, which a list of a million stories can
    afford."""

    ESTIMATE_ABOVE = 1_000

    @cached_property
    def count(self):
        queryset = self.object_list
        if connections[queryset.db].vendor != "postgresql":
            return super().count
        estimate = self.estimate(queryset)
        return estimate if estimate > self.ESTIMATE_ABOVE else super().count

    @staticmethod
    def estimate(queryset):
        with connections[queryset.db].cursor() as cursor:
            if not queryset.query.where:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                return max(cursor.fetchone()[0], 0)
        return planner_estimate(queryset)


class AuthorFilter(admin.SimpleListFilter):
    """Stories by one author, through a subquery on bylines: filtering on the many-to-many
    field itself makes the admin add DISTINCT over every column (seconds at a million)."""

    title = "author"
    parameter_name = "authors__id__exact"

    def lookups(self, request, model_admin):
        return Author.objects.values_list("pk", "name")

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                pk__in=Byline.objects.filter(author_id=self.value()).values("article_id")
            )
        return queryset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    # At a million stories: no COUNT(*) of the whole table per page, and only sort orders
    # that have an index (Meta.indexes; sections are a filter, not a sort).
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    sortable_by = ["headline", "state", "published_at", "updated_at"]
    list_display = [
        "headline",
        "state",
        "section",
        "byline",
        "published_at",
        "lead_thumbnail",
        "updated_at",
    ]
    list_filter = ["status", "section", AuthorFilter, "published_at"]
    list_select_related = ["section", "lead_photo"]
    search_fields = ["headline", "dek", "kicker", "slug"]
    # No date_hierarchy: its year links need a DISTINCT over every row (over a second at a
    # million stories); the publish-time filter offers the same ranges from an index.
    ordering = ["-updated_at"]
    autocomplete_fields = ["section", "lead_photo"]
    prepopulated_fields = {"slug": ["headline"]}
    inlines = [BylineInline]
    actions = ["publish_now"]
    readonly_fields = ["first_published_at", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["kicker", "headline", "slug", "dek", "dateline", "section"]}),
        (None, {"fields": ["body"]}),
        ("Lead photo", {"fields": ["lead_photo", "lead_photo_caption"]}),
        ("Tags", {"fields": ["tags"]}),
        (
            "Publishing",
            {
                "fields": [
                    "status",
                    "published_at",
                    "first_published_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    class Media:
        css = ADMIN_CSS

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, user=request.user, **form_kwargs)

        return RequestForm

    def get_urls(self):
        return [
            path(
                "tags/autocomplete/",
                self.admin_site.admin_view(self.tag_autocomplete),
                name="articles_article_tag_autocomplete",
            ),
            *super().get_urls(),
        ]

    def tag_autocomplete(self, request):
        """Existing tags matching what the editor typed, for the tag field's suggestions."""
        if not self.has_view_or_change_permission(request):
            return JsonResponse({"results": []}, status=403)
        term = request.GET.get("term", "").strip()[:100]
        tags = Tag.objects.filter(name__icontains=term).order_by("name")[:20]
        return JsonResponse(
            {
                "results": [{"id": tag.name, "text": tag.name} for tag in tags],
                "pagination": {"more": False},
            }
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    @admin.action(description="Publish selected stories now", permissions=["publish"])
    def publish_now(self, request, queryset):
        now = timezone.now()
        published = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            article.status = Article.Status.PUBLISHED
            article.published_at = now
            article.updated_by = request.user
            article.save()
            published += 1
        self.message_user(request, f"Published {published} stories.", messages.SUCCESS)

    @admin.display(description="Status", ordering="status")
    def state(self, article):
        label = article.state_label
        return format_html(
            '<span class="state state-{}">{}</span>', label.lower().replace(" ", "-"), label
        )

    @admin.display(description="Byline")
    def byline(self, article):
        return ", ".join(author.name for author in article.byline_authors) or "—"

    @admin.display(description="Photo")
    def lead_thumbnail(self, article):
        return thumbnail(article.lead_photo, size=64)


class SocialAccountInline(admin.TabularInline):
    model = SocialAccount
    extra = 1
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = ["network", "handle", "url", "order"]


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One row: the list page goes straight to it."""

    inlines = [SocialAccountInline]

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        site = site_chrome()["site"]
        return redirect("admin:articles_sitesettings_change", site.pk)


class ZonePinInline(admin.TabularInline):
    model = ZonePin
    autocomplete_fields = ["article"]
    fields = ["position", "article"]
    extra = 1
    verbose_name = "pinned story"
    verbose_name_plural = "Pinned stories (other positions fill with the newest stories)"


@admin.register(HomepageZone)
class HomepageZoneAdmin(admin.ModelAdmin):
    list_display = ["title", "layout", "section", "size", "order", "pinned"]
    list_editable = ["order"]
    list_select_related = ["section"]
    inlines = [ZonePinInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pin_count=Count("pins"))

    @admin.display(description="Pinned", ordering="pin_count")
    def pinned(self, zone):
        return zone.pin_count
