"""
Rich text for story bodies: what the admin editor offers and what survives sanitising.

The editor's extensions and the sanitiser's allowlist are kept side by side so that what an
editor can make is exactly what a reader receives. Everything else (scripts, event handlers,
styles, ``javascript:`` links, iframes) is removed by nh3.
"""

import re

import nh3
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
    },
    attributes={"a": {"href", "title"}, "ol": {"start"}},
    url_schemes={"http", "https", "mailto", "tel"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)

_EMPTY_DOCUMENT = re.compile(r"^\s*(<p>\s*(<br>)?\s*</p>\s*)*$")


def sanitize_html(html):
    """Return ``html`` reduced to the tags and attributes the body editor can produce."""
    cleaned = _cleaner.clean(html or "")
    # The editor always submits at least one empty paragraph; an empty body is "".
    return "" if _EMPTY_DOCUMENT.match(cleaned) else cleaned


class RichTextField(ProseEditorField):
    """HTML edited with the admin's rich-text editor and sanitised on every way into the
    database that runs model field code: forms, ``save()``, ``create()`` and ``bulk_create()``.
    ``ArticleQuerySet.update()`` covers ``update()``; the ``richtext`` template filter
    sanitises again on the way out for rows written around the ORM (fixtures, raw SQL).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("config", {"extensions": BODY_EDITOR_EXTENSIONS})
        kwargs.setdefault("sanitize", sanitize_html)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value
