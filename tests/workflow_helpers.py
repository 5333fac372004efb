"""Shared helpers for the workflow tests: the admin's change form as a browser would post it."""

import re

from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.roles import sync_groups


def management_form(prefix, *, total=0, initial=0):
    """The hidden fields of an inline formset's management form."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def add_form(section, *, authors=(), **overrides):
    """The admin's "add article" form as a browser posts it."""
    data = {
        "kicker": "",
        "headline": "Harbor dredging begins",
        "slug": "harbor-dredging-begins",
        "dek": "Two years of work start on Monday.",
        "dateline": "PORT ALDREN",
        "section": section.pk,
        "body": "<p>Crews began work on Monday.</p>",
        "lead_photo": "",
        "lead_photo_caption": "",
        "tags": ["harbor", "budget"],
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "embargo_until_0": "",
        "embargo_until_1": "",
        **management_form("bylines", total=len(authors)),
        **management_form("gallery_items"),
    }
    for index, author in enumerate(authors):
        data[f"bylines-{index}-author"] = author.pk
        data[f"bylines-{index}-order"] = index
    return data | overrides


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def transition_url(article, name):
    return reverse("admin:articles_article_transition", args=[article.pk, name])


def split(value):
    if value is None:
        return "", ""
    local = timezone.localtime(value)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def form_data(article, *, corrections=(), **overrides):
    """What the change form posts for ``article`` as saved now, with ``overrides`` applied.

    ``published_at`` and ``embargo_until`` overrides take datetimes (or None)."""
    article = Article.objects.get(pk=article.pk)
    published_at = overrides.pop("published_at", article.published_at)
    embargo_until = overrides.pop("embargo_until", article.embargo_until)
    bylines = list(article.bylines.all())
    data = {
        "kicker": article.kicker,
        "headline": article.headline,
        "slug": article.slug,
        "dek": article.dek,
        "dateline": article.dateline,
        "section": article.section_id,
        "body": article.body,
        "lead_photo": article.lead_photo_id or "",
        "lead_photo_caption": article.lead_photo_caption,
        "tags": [tag.name for tag in article.tags.all()],
        "status": article.status,
        "published_at_0": split(published_at)[0],
        "published_at_1": split(published_at)[1],
        "embargo_until_0": split(embargo_until)[0],
        "embargo_until_1": split(embargo_until)[1],
        "loaded_version": article.version,
        **management_form("bylines", total=len(bylines), initial=len(bylines)),
        **management_form("gallery_items"),
    }
    for index, byline in enumerate(bylines):
        data[f"bylines-{index}-id"] = byline.pk
        data[f"bylines-{index}-article"] = article.pk
        data[f"bylines-{index}-author"] = byline.author_id
        data[f"bylines-{index}-order"] = byline.order
    if article.first_published_at:
        existing = list(article.corrections.all())
        data |= management_form(
            "corrections", total=len(existing) + len(corrections), initial=len(existing)
        )
        for index, correction in enumerate(existing):
            data[f"corrections-{index}-id"] = correction.pk
            data[f"corrections-{index}-article"] = article.pk
        for index, (kind, text) in enumerate(corrections, start=len(existing)):
            data[f"corrections-{index}-kind"] = kind
            data[f"corrections-{index}-text"] = text
            data[f"corrections-{index}-article"] = article.pk
    return data | overrides


def loaded_version(html):
    """The hidden version number in a rendered change form."""
    match = re.search(r'name="loaded_version" value="(\d+)"', html)
    assert match, "no loaded_version in the form"
    return int(match.group(1))


def ensure_editorial_groups():
    """Put back the groups, which the data migrations make and which transactional tests
    (browser, concurrency) lose when an earlier one flushed the database."""
    sync_groups(apps)
