from django import template

from ..dates import moment

register = template.Library()


@register.filter(name="moment")
def moment_filter(value):
    """``{{ value|moment }}``: see ``articles.dates.moment``; empty for no value."""
    return moment(value) if value else ""
