"""The audit trail, read-only."""

from django.contrib import admin

from .. import roles
from ..models import (
    Article,
    AuditEntry,
)
from .mixins import LightweightDateHierarchyMixin, ReadOnlyAdminMixin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, LightweightDateHierarchyMixin, admin.ModelAdmin):
    """The newsroom's audit trail: read-only."""

    list_display = ["at", "action", "headline", "user", "note"]
    list_filter = ["action", "at"]
    search_fields = ["headline", "note", "user__username"]
    date_hierarchy = "at"
    list_select_related = ["user"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.has_perm(roles.EDIT_ANY):
            return queryset
        # Writers see the trail of their own stories only.
        return queryset.filter(article__in=Article.objects.owned_by(request.user).values("pk"))
