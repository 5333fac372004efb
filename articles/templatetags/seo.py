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


def image_object(image, caption, credit):
    return {
        "@type": "ImageObject",
        "url": absolute(image.url),
        "width": image.width,
        "height": image.height,
        "caption": caption,
        "creditText": credit,
    }


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
    images = []
    if article.lead_photo:
        images += [
            image_object(image, article.caption, article.lead_photo.credit)
            for image in article.lead_photo.structured_data_images()
        ]
    # The gallery's photos whole, from the for_detail() prefetch.
    images += [
        image_object(item.photo.full_frame_image(), item.display_caption, item.photo.credit)
        for item in article.gallery_items.all()
    ]
    if images:
        data["image"] = images
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308
