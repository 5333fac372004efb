"""Times in templates: ``|moment`` for people, ``|iso_datetime`` for machines."""

from django import template

from ..dates import iso_datetime, moment

register = template.Library()


@register.filter(name="moment")
def moment_filter(value):
    """``{{ value|moment }}``: see ``articles.dates.moment``; empty for no value."""
    return moment(value) if value else ""


@register.filter(name="iso_datetime")
def iso_datetime_filter(value):
    """``{{ value|iso_datetime }}`` for ``<time datetime>``, meta tags and sitemaps: see
    ``articles.dates.iso_datetime``; empty for no value."""
    return iso_datetime(value) if value else ""
