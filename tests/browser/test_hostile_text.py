"""Hostile text in every field, saved through the admin's forms and through the ORM, is never
live markup anywhere: on every public page, in what a feed reader renders, in the JSON-LD,
and on every admin page that shows it.

"Live" is checked in Chromium's DOM, not in the HTML source: every payload that could become
an element or an attribute carries ``data-xss``, so one query finds it however the browser
parsed the page. A dialog or a Content-Security-Policy refusal (which would mean a payload
became script and only the policy stopped it) fails the test too.
"""

import json
from html import escape
from html.parser import HTMLParser
from urllib.parse import quote

import feedparser
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import previews
from articles.models import (
    Article,
    ArticleViews,
    AuditEntry,
    Author,
    Photo,
    ReferrerViews,
    Section,
    SiteSettings,
)

from ..payloads import XSS_PAYLOADS, fitted, hostile_newsroom, text_fields

# In the page: what would be live if a payload had become markup.
FIND_LIVE_MARKUP = """() => {
  const urls = [...document.querySelectorAll('[href], [src], [action], [formaction], [data]')]
    .flatMap(e => ['href', 'src', 'action', 'formaction', 'data'].map(a => e.getAttribute(a)))
    .filter(v => v && /^\\s*(javascript|vbscript|data:text)/i.test(v));
  return {
    elements: [...document.querySelectorAll('[data-xss]')].map(e => e.outerHTML.slice(0, 160)),
    scriptUrls: urls,
    bases: document.querySelectorAll('base').length,
    refreshes: document.querySelectorAll('meta[http-equiv]').length,
  };
}"""


class FormFields(HTMLParser):
    """The fields of the admin's change form, as a browser would post them unchanged."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.fields, self._in_form, self._textarea, self._select = [], False, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or ("name" not in attrs and tag != "option"):
            return
        if tag == "input" and attrs.get("type") not in {"submit", "button", "file", "image"}:
            if attrs.get("type") in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.append((attrs["name"], attrs.get("value", "on")))
            else:
                self.fields.append((attrs["name"], attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            self.fields.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def save_through_admin(client, obj, payload):
    """Post ``obj``'s admin change form with the payload in each of its text fields."""
    url = reverse(f"admin:articles_{obj._meta.model_name}_change", args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200, url
    typed = {field.name: fitted(payload, field.max_length) for field in text_fields(type(obj))}
    typed.pop("body", None)  # The body editor's own corpus is in tests/test_models.py.
    data = {}
    for name, value in FormFields(page.content.decode()).fields:
        data.setdefault(name, []).append(typed.get(name, value))
    response = client.post(url, data)
    # Saved, or refused with a message on the form: never an error page.
    assert response.status_code in {200, 302}, (url, response.status_code)
    if response.status_code == 200:
        assert b"errornote" in response.content or b"errorlist" in response.content, url


@pytest.fixture
def superuser(transactional_db):
    return User.objects.create_superuser("root", password="correct horse battery staple")


def check_page(page, problems, where):
    found = page.evaluate(FIND_LIVE_MARKUP)
    if found["elements"] or found["scriptUrls"] or found["bases"] or found["refreshes"]:
        problems.append((where, found))


def open_and_check(page, problems, url, where=None):
    response = page.goto(url)
    assert response.status < 500, (url, response.status)
    check_page(page, problems, where or url)


def feed_reader_view(feed_text):
    """The feed as a naive reader shows it: HTML-typed values inserted as HTML."""

    def shown(detail):
        return detail.value if detail.type == "text/html" else escape(detail.value)

    feed = feedparser.parse(feed_text, sanitize_html=False)
    parts = [f"<h1>{shown(feed.feed.title_detail)}</h1>"]
    if "subtitle_detail" in feed.feed:
        parts.append(f"<p>{shown(feed.feed.subtitle_detail)}</p>")
    for entry in feed.entries:
        parts.append(f"<h2>{shown(entry.title_detail)}</h2>")
        parts.append(f"<div>{shown(entry.summary_detail)}</div>")
        parts += [f"<span>{escape(tag.term)}</span>" for tag in entry.get("tags", [])]
    return "<!doctype html><title>feed</title>" + "".join(parts)


# Four payloads a round: whole in long fields, the first of each round whole in short ones.
ROUNDS = [" ".join(XSS_PAYLOADS[i : i + 4]) for i in range(0, len(XSS_PAYLOADS), 4)]


@pytest.mark.parametrize("payload", ROUNDS, ids=range(len(ROUNDS)))
def test_hostile_text_never_becomes_live_markup(live_server, browser, superuser, payload):
    news = hostile_newsroom(payload)
    article = news["article"]
    # The same text again through every admin form that edits it: a second revision too.
    admin = Client()
    admin.force_login(superuser)
    for obj in (
        Article.objects.get(pk=article.pk),
        Section.objects.get(pk=article.section_id),
        Author.objects.get(pk=news["author"].pk),
        Photo.objects.get(pk=article.lead_photo_id),
        SiteSettings.objects.get(pk=1),
    ):
        save_through_admin(admin, obj, payload)
    User.objects.filter(pk=superuser.pk).update(
        first_name=fitted(payload, 150), last_name=fitted(payload, 150)
    )
    AuditEntry.objects.create(
        article=article,
        headline=fitted(payload, 200),
        action=AuditEntry.Action.PUBLISHED,
        user=superuser,
        note=fitted(payload, 300),
    )
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    ArticleViews.objects.create(article=article, granularity="hour", bucket_start=hour, views=9)
    ReferrerViews.objects.create(
        domain=fitted(payload, 100), granularity="hour", bucket_start=hour, views=3
    )
    link = previews.share_preview(article, superuser)
    article = Article.objects.get(pk=article.pk)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    session = admin.cookies["sessionid"].value
    page = context.new_page()
    page.set_default_timeout(15_000)
    dialogs, refusals, problems = [], [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refusals.append(message.text),
    )
    base = live_server.url
    try:
        public = [
            "/",
            article.get_absolute_url(),
            article.section.get_absolute_url(),
            *(reverse("articles:tag", kwargs={"slug": tag.slug}) for tag in article.tags.all()),
            news["author"].get_absolute_url(),
            "/search/?q=Body",
            "/search/?q=" + quote(payload),
            "/corrections/",
            "/news/999999/" + quote(payload, safe="") + "/",
            previews.preview_path(link),
        ]
        for path in public:
            open_and_check(page, problems, base + path)
        page.goto(base + article.get_absolute_url())
        assert page.locator("h1").first.text_content().strip() == article.headline.strip()
        for block in page.locator('script[type="application/ld+json"]').all_text_contents():
            assert json.loads(block)["headline"] == article.headline[:110]

        for path in (
            "/feeds/rss/",
            "/feeds/atom/",
            "/section/hostile/rss/",
            "/author/hostile/atom/",
        ):
            response = page.request.get(base + path)
            assert response.status == 200, path
            page.set_content(feed_reader_view(response.body()))
            check_page(page, problems, f"feed reader: {path}")

        context.add_cookies([{"name": "sessionid", "value": session, "url": base}])
        versions = Version.objects.get_for_object(article).order_by("pk")
        compare = reverse("admin:articles_article_compare", args=[article.pk])
        admin_pages = [
            reverse("admin:index"),
            reverse("admin:articles_article_changelist"),
            reverse("admin:articles_article_change", args=[article.pk]),
            reverse("admin:articles_article_history", args=[article.pk]),
            f"{compare}?from={versions.first().pk}&to={versions.last().pk}",
            f"{compare}?from={versions.first().pk}",
            reverse("admin:articles_article_previews", args=[article.pk]),
            reverse("admin:articles_photo_changelist"),
            reverse("admin:articles_photo_change", args=[article.lead_photo_id]),
            reverse("admin:articles_photo_picker"),
            reverse("admin:articles_section_changelist"),
            reverse("admin:articles_section_change", args=[article.section_id]),
            reverse("admin:articles_author_changelist"),
            reverse("admin:articles_author_change", args=[news["author"].pk]),
            reverse("admin:articles_sitesettings_changelist"),
            reverse("admin:articles_auditentry_changelist"),
            reverse("admin:articles_readership_changelist"),
            reverse("admin:articles_homepagezone_changelist"),
            reverse("admin:taggit_tag_changelist"),
        ]
        for path in admin_pages:
            open_and_check(page, problems, base + path)
    finally:
        context.close()
    assert problems == []
    assert dialogs == []
    assert refusals == []
