"""Hostile text: what a hostile writer or reader might type into any field.

Each payload that could become markup carries ``data-xss``, so a page where one came alive
is found by a single DOM query (``[data-xss]``) instead of by guessing what it would do; the
Content-Security-Policy would stop most of them running, but the markup must not exist at all.
"""

XSS_PAYLOADS = [
    "<img data-xss src=x onerror=alert(1)>",
    "<script data-xss>alert(1)</script>",
    '"><b data-xss>x</b>',
    "'><b data-xss>x</b>",
    '" data-xss="1',
    "' data-xss='1",
    "</script><b data-xss>x</b><script>",
    "<svg data-xss onload=alert(1)><circle r=1></svg>",
    '<a data-xss href="javascript:alert(1)">click</a>',
    "javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    '<iframe data-xss src="javascript:alert(1)"></iframe>',
    "<details data-xss open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img data-xss src=x onerror=alert(1)>",
    "<!--><b data-xss>x</b>-->",
    "&lt;b data-xss&gt;x&lt;/b&gt;",
    "&#60;b data-xss&#62;x",
    "\\u003cb data-xss\\u003ex",
    "＜b data-xss＞x＜/b＞",
    '<noscript><p title="</noscript><img data-xss src=x onerror=alert(1)>">',
    "<style data-xss>*{display:none}</style>",
    "<input data-xss autofocus onfocus=alert(1)>",
    '{{ 7|add:1 }}{% now "Y" %}',
    '<base data-xss href="https://evil.example/">',
    '<meta data-xss http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "line\u2028separator\u2029and <b data-xss>x</b>",
    "vertical\x0btab and form\x0cfeed",
    "]]><b data-xss>x</b><![CDATA[",
]


def fitted(payload, max_length):
    """The payload cut to a field's length (a CharField's ``max_length``; None for text)."""
    return payload if max_length is None else payload[:max_length]


def text_fields(model):
    """The free-text fields of ``model``: every CharField and TextField a person types into,
    not slugs, addresses or choices (those are validated, and tested on their own)."""
    from django.db import models

    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.SlugField | models.URLField | models.EmailField)
        and not field.choices
        and field.editable
    ]


def fill_text_fields(instance, payload):
    """Put ``payload`` (cut to length) into every free-text field of ``instance``."""
    for field in text_fields(type(instance)):
        setattr(instance, field.attname, fitted(payload, field.max_length))
    return instance


def hostile_newsroom(payload):
    """A published story in which every text field, and every text field of what the story
    shows (section, author, photo, tag, correction, site settings), holds ``payload``."""
    from articles.models import Article, Correction, SiteSettings

    from .factories import make_article, make_author, make_photo, make_section

    site = fill_text_fields(SiteSettings(pk=1), payload)
    site.save()
    section = fill_text_fields(make_section(slug="hostile"), payload)
    section.save()
    author = fill_text_fields(make_author(slug="hostile"), payload)
    author.save()
    photo = fill_text_fields(make_photo(), payload)
    photo.save()
    article = make_article(section=section, authors=[author], lead_photo=photo)
    fill_text_fields(article, payload)
    article.body = "<p>Body.</p>"
    article.save()
    article.tags.add(fitted(payload, 100))
    Correction.objects.create(article=article, text=payload)
    article = Article.objects.for_detail().get(pk=article.pk)
    return {"payload": payload, "article": article, "site": site, "author": author}
