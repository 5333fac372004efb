from django import template
from django.utils.safestring import mark_safe

from articles.richtext import sanitize_html

register = template.Library()


@register.filter
def richtext(html):
    """Render a stored body. It was sanitised on save; sanitising again on the way out
    protects readers from rows written around the model (raw SQL, restores, imports)."""
    return mark_safe(sanitize_html(html))  # noqa: S308 - nh3 output is safe by construction
