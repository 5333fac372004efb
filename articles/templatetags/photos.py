"""Template tags for photos: ``{% picture %}`` renders the renditions made when the photo was
saved. It only reads rows that the page's QuerySet prefetched; it never makes a file."""

from django import template

from articles.images import MIME_TYPES

register = template.Library()

# What each layout shows: the rendition family and the ``sizes`` a browser picks from.
LAYOUTS = {
    # The article page's lead figure and gallery: the story column is at most 48rem wide.
    "full": ("w", "(min-width: 48rem) 48rem, 100vw"),
    # The homepage lead card takes three fifths of the page from 48rem up.
    "card-lead": ("card", "(min-width: 48rem) 60vw, 100vw"),
    # Other cards: a grid of columns at least 16rem wide.
    "card": ("card", "(min-width: 34rem) 33vw, 100vw"),
}
FORMAT_ORDER = ["avif", "webp"]  # Offered as <source>s; JPEG is the <img> fallback.


def picture_context(photo, layout="full", eager=False):
    prefix, sizes = LAYOUTS[layout]
    renditions = [
        item
        for item in photo.renditions.all()
        if item.spec.startswith(prefix) and item.spec[len(prefix) :].isdigit()
    ]
    by_format = {}
    for item in sorted(renditions, key=lambda item: item.width):
        by_format.setdefault(item.format, []).append(item)
    jpegs = by_format.get("jpeg", [])
    if jpegs:
        # The <img> fallback: the smallest JPEG at least 800 px wide, or the largest there is.
        fallback = next((item for item in jpegs if item.width >= 800), jpegs[-1])
        largest = jpegs[-1]
        width, height = largest.width, largest.height
    else:
        # No renditions yet (photos from before the pipeline, until `rebuild_renditions` runs):
        # the original, still with its width and height so nothing shifts.
        fallback, width, height = None, photo.width, photo.height
    return {
        "photo": photo,
        "alt": "" if photo.decorative else photo.alt_text,
        "sources": [
            {
                "type": MIME_TYPES[fmt],
                "srcset": ", ".join(f"{item.file.url} {item.width}w" for item in items),
            }
            for fmt in FORMAT_ORDER
            if (items := by_format.get(fmt))
        ],
        "src": fallback.file.url if fallback else photo.image.url,
        "srcset": ", ".join(f"{item.file.url} {item.width}w" for item in jpegs),
        "sizes": sizes,
        "width": width,
        "height": height,
        "eager": eager,
    }


@register.inclusion_tag("includes/picture.html")
def picture(photo, layout="full", eager=False):
    """``{% picture photo "card" eager=True %}``: a <picture> with AVIF and WebP sources and a
    JPEG <img> carrying width and height. ``eager`` marks the one photo at the top of a page
    (loaded first, ``fetchpriority="high"``); every other photo loads lazily."""
    return picture_context(photo, layout, eager)
