"""The site settings and the homepage zones."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count
from django.shortcuts import redirect

from ..chrome import site_chrome
from ..models import (
    HomepageZone,
    SiteSettings,
    SocialAccount,
    ZonePin,
)


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
        # Django's own list view checks this; the shortcut to the one row must too.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
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
