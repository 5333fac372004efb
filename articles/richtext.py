"""
Rich text for story bodies: what the admin editor offers and what survives sanitising.

The editor's extensions and the sanitiser's allowlist are kept side by side so that what an
editor can make is exactly what a reader receives. Everything else (scripts, event handlers,
styles, ``javascript:`` links, iframes) is removed by nh3.
"""

import re

import nh3
from django.apps import apps
from django.urls import reverse_lazy
from django_prose_editor.fields import ProseEditorField

# Extensions of the admin's ProseMirror editor (django-prose-editor).
BODY_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "HorizontalRule": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto", "tel"]},
    # Library photos in the body: "Browse…" opens the photo library's picker, which stores
    # the photo's id in data-file. Readers get the photo's renditions, caption and credit,
    # rendered from that id (a BodyPhoto row); an image without a library id is never shown.
    "Figure": {"pickerUrl": reverse_lazy("admin:articles_photo_picker")},
    "Image": True,
    "Caption": True,
}

_cleaner = nh3.Cleaner(
    tags={
        "p",
        "h2",
        "h3",
        "h4",
        "strong",
        "em",
        "a",
        "ul",
        "ol",
        "li",
        "blockquote",
        "br",
        "hr",
        "figure",
        "figcaption",
        "img",
    },
    attributes={
        "a": {"href", "title"},
        "ol": {"start"},
        "img": {"src", "alt", "data-file"},
    },
    url_schemes={"http", "https", "mailto", "tel"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)

# A library photo placed in the body by the editor's Figure extension.
BODY_PHOTO = re.compile(r"<figure>(?P<inner>.*?)</figure>", re.DOTALL)
BODY_PHOTO_ID = re.compile(r'<img [^>]*\bdata-file="(?P<id>\d+)"')
BODY_PHOTO_CAPTION = re.compile(r"<figcaption>(?P<caption>.*?)</figcaption>", re.DOTALL)
BODY_IMAGE = re.compile(r"<img\b[^>]*>")
# A figure, or a bare image (a photo placed without a figure), in one pass.
BODY_MEDIA = re.compile(f"{BODY_PHOTO.pattern}|{BODY_IMAGE.pattern}", re.DOTALL)
# Only library photos may be embedded: an <img> without a photo id (pasted by URL) goes.
_IMAGE_WITHOUT_PHOTO = re.compile(r'<img\b(?![^>]*\bdata-file="\d+")[^>]*>')


def body_photo_ids(html):
    """The ids of the library photos a body's markup names, in reading order, each once.
    Read when the body is saved, to keep its ``BodyPhoto`` rows in step; pages ask the rows."""
    return list(dict.fromkeys(int(match["id"]) for match in BODY_PHOTO_ID.finditer(html or "")))


def figure_photo_id(markup):
    """The library id in one figure's (or image's) markup, or None."""
    found = BODY_PHOTO_ID.search(markup)
    return int(found["id"]) if found else None


def keep_photos(html, photo_ids):
    """``html`` without the figures whose photo is not among ``photo_ids``."""

    def keep(match):
        return match[0] if figure_photo_id(match[0]) in photo_ids else ""

    return BODY_MEDIA.sub(keep, html)


_EMPTY_DOCUMENT = re.compile(r"^\s*(<p>\s*(<br>)?\s*</p>\s*)*$")


def sanitize_html(html):
    """Return ``html`` reduced to the tags and attributes the body editor can produce."""
    cleaned = _IMAGE_WITHOUT_PHOTO.sub("", _cleaner.clean(html or ""))
    # The editor always submits at least one empty paragraph; an empty body is "".
    return "" if _EMPTY_DOCUMENT.match(cleaned) else cleaned


class RichTextField(ProseEditorField):
    """HTML edited with the admin's rich-text editor and sanitised on every way into the
    database that runs model field code: forms, ``save()``, ``create()`` and ``bulk_create()``.
    ``ArticleQuerySet.update()`` covers ``update()``; the photos a stored body names are its
    ``BodyPhoto`` rows, kept in step by ``Article.save()``; the ``richtext`` template filter
    sanitises again on the way out for rows written around the ORM (fixtures, raw SQL).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("config", {"extensions": BODY_EDITOR_EXTENSIONS})
        kwargs.setdefault("sanitize", sanitize_html)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = self.clean_for_storage(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def clean_for_storage(self, html):
        """What is stored: the sanitised body, keeping only figures of photos that exist (a
        figure of a deleted or made-up photo id is dropped, as it could never be shown)."""
        cleaned = sanitize_html(html)
        named = body_photo_ids(cleaned)
        if not named:
            return cleaned
        # By name: the models import this module.
        photos = apps.get_model("articles", "Photo").objects.filter(pk__in=named)
        return keep_photos(cleaned, set(photos.values_list("pk", flat=True)))
