"""The readership dashboard."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from .. import analytics, roles
from ..charts import hourly_bar_chart
from ..models import (
    Article,
    Readership,
)
from .mixins import ReadOnlyAdminMixin


@admin.register(Readership)
class ReadershipAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What readers read right now. Anyone who may see stories may see their figures."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(roles.VIEW)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        trending = Article.objects.in_bulk(analytics.trending_ids(limit=5))
        context = {
            **self.admin_site.each_context(request),
            "title": "Readership",
            "opts": self.model._meta,
            "live_minutes": analytics.LIVE_MINUTES,
            "live_views": analytics.views_in_last_minutes(),
            "top_now": analytics.top_stories(hours=1, limit=10),
            "trending": [trending[pk] for pk in analytics.trending_ids(limit=5) if pk in trending],
            "chart": hourly_bar_chart(
                "Story views per hour, last 48 hours", analytics.views_per_hour(hours=48)
            ),
            "sections": analytics.top_sections(hours=24),
            "referrers": analytics.top_referrers(hours=24),
        }
        return TemplateResponse(request, "admin/articles/readership.html", context)
