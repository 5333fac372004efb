"""Machine-readable times for ``<time datetime>``, meta tags and sitemaps."""

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def iso_datetime(value):
    """``value`` in the newsroom's time zone as ISO 8601 to the second, e.g.
    ``2026-11-30T09:15:00-05:00``.

    Django's ``|date:'c'`` writes microseconds, which HTML's ``datetime`` attribute does not
    allow beyond three digits, so the Nu Html Checker rejects every page that uses it. Seconds
    are all a reader or a crawler needs.
    """
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()
