import re

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from articles.richtext import (
    BODY_IMAGE,
    BODY_PHOTO,
    BODY_PHOTO_CAPTION,
    BODY_PHOTO_ID,
    sanitize_html,
)

register = template.Library()


@register.filter
def richtext(html):
    """Render a stored body. It was sanitised on save; sanitising again on the way out
    protects readers from rows written around the model (raw SQL, restores, imports)."""
    cleaned = sanitize_html(html)
    if "<img" in cleaned:
        cleaned = render_body_photos(cleaned, getattr(html, "photos", {}))
    return mark_safe(cleaned)  # noqa: S308 - nh3 output is safe by construction


def render_body_photos(html, photos):
    """Replace each embedded library photo with its figure (renditions, caption, credit).

    ``photos`` were fetched with the article (``for_detail()``); a figure whose photo is
    missing, or that has no library id (an image pasted by URL), is left out.
    """

    def figure(match):
        inner = match["inner"] if match["inner"] is not None else match[0]
        found = BODY_PHOTO_ID.search(inner)
        photo = photos.get(int(found["id"])) if found else None
        if photo is None:
            return ""
        # The figcaption is nh3 output; none, or an empty one, means "the photo's own caption".
        found = BODY_PHOTO_CAPTION.search(inner)
        caption = found["caption"].strip() if found else ""
        caption = mark_safe(caption) if caption else photo.caption  # noqa: S308
        return render_to_string(
            "includes/photo.html", {"photo": photo, "caption": caption, "eager": False}
        )

    # One pass over figures and bare images (a photo placed without a figure), so rendered
    # <picture>s are not seen again; readers never get a stored <img>.
    return BODY_MEDIA.sub(figure, html)


BODY_MEDIA = re.compile(f"{BODY_PHOTO.pattern}|{BODY_IMAGE.pattern}", re.DOTALL)
