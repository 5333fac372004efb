from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from articles.richtext import BODY_MEDIA, BODY_PHOTO_CAPTION, figure_photo_id, sanitize_html

register = template.Library()


@register.filter
def richtext(html, photos=None):
    """Render a stored body with its photos (``Article.body_photos``: the placements
    ``for_detail()`` prefetched, by id). It was sanitised on save; sanitising again on the
    way out protects readers from rows written around the model (raw SQL, restores, imports)."""
    cleaned = sanitize_html(html)
    if "<img" in cleaned:
        cleaned = render_body_photos(cleaned, photos or {})
    return mark_safe(cleaned)  # noqa: S308 - nh3 output is safe by construction


def render_body_photos(html, photos):
    """Replace each placed library photo with its figure (renditions, caption, credit).

    A figure whose photo is not among the story's placements, or that has no library id (an
    image pasted by URL), is left out.
    """

    def figure(match):
        photo = photos.get(figure_photo_id(match[0]))
        if photo is None:
            return ""
        # The figcaption is nh3 output; none, or an empty one, means "the photo's own caption".
        found = BODY_PHOTO_CAPTION.search(match[0])
        caption = found["caption"].strip() if found else ""
        caption = mark_safe(caption) if caption else photo.caption  # noqa: S308
        return render_to_string(
            "includes/photo.html", {"photo": photo, "caption": caption, "eager": False}
        )

    # One pass over figures and bare images, so rendered <picture>s are not seen again;
    # readers never get a stored <img>.
    return BODY_MEDIA.sub(figure, html)
