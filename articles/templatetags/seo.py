"""Structured data for search engines: JSON-LD NewsArticle."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..addresses import absolute

register = template.Library()

# The characters json_script escapes, so the data cannot close its <script> element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


register.filter("absolute", absolute)


@register.simple_tag(takes_context=True)
def article_jsonld(context, article):
    site = context["site"]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": absolute(article.url)},
        "headline": article.headline[:110],
        "description": article.dek or article.headline,
        "datePublished": article.published_at,
        "dateModified": article.date_modified,
        "author": [
            {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}
            for author in article.byline_authors
        ],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": site.name,
            "url": absolute("/"),
            "logo": {
                "@type": "ImageObject",
                "url": absolute(static("img/logo.png")),
                "width": 512,
                "height": 512,
            },
        },
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in article.tags.all()],
        "isAccessibleForFree": True,
    }
    if article.dateline:
        data["dateline"] = article.dateline
    if article.lead_photo:
        photo = article.lead_photo
        image = photo.share_image()
        data["image"] = [
            {
                "@type": "ImageObject",
                "url": absolute(image.url),
                "width": image.width,
                "height": image.height,
                "caption": article.caption,
                "creditText": photo.credit,
            }
        ]
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308
