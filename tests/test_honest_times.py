"""The times a story's page tells readers: "Updated" after a correction, the first
publication kept through an unpublish or a trip to the trash, and no publication time on the
preview of a story that has none."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from articles import workflow
from articles.dates import iso_datetime
from articles.models import Article

from .factories import make_article

pytestmark = pytest.mark.django_db

MORNING = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def timestamps(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    return re.search(r'<span class="timestamps">(.*?)</span>\s*</p>', html, re.S).group(1)


def published_in_the_morning():
    with time_machine.travel(MORNING, tick=False):
        return make_article(headline="Harbor dredging approved", published_at=MORNING)


def test_a_correction_marks_the_story_updated_at_the_corrections_time(client, editor):
    article = published_in_the_morning()
    assert "Updated" not in timestamps(client, article)

    with time_machine.travel(MORNING + timedelta(hours=3), tick=False):
        workflow.add_correction(article, editor, "An earlier version misstated the vote.")

    shown = timestamps(client, article)
    assert "Updated" in shown
    assert f'<time datetime="{iso_datetime(MORNING + timedelta(hours=3))}">' in shown


@pytest.mark.parametrize("take_down", ["unpublish", "trash and restore"])
def test_republishing_keeps_the_first_publication_time(client, editor, take_down):
    article = published_in_the_morning()
    with time_machine.travel(MORNING + timedelta(days=1), tick=False):
        if take_down == "unpublish":
            workflow.unpublish(article, editor)
        else:
            workflow.trash(article, editor)
            workflow.restore(article, editor)
    with time_machine.travel(MORNING + timedelta(days=2), tick=False):
        workflow.publish(Article.objects.get(pk=article.pk), editor)

    shown = timestamps(client, article)
    assert shown.strip().startswith(f'Published <time datetime="{iso_datetime(MORNING)}">')


def test_a_republished_story_can_still_be_scheduled_for_later(editor):
    article = published_in_the_morning()
    workflow.unpublish(article, editor)
    later = MORNING + timedelta(days=400)
    workflow.publish(article, editor, at=later)
    assert Article.objects.get(pk=article.pk).published_at == later


def test_the_preview_of_a_draft_says_draft(editor_client):
    article = make_article(status=Article.Status.DRAFT, published_at=None)
    html = editor_client.get(reverse("admin:articles_article_preview", args=[article.pk]))
    shown = re.search(
        r'<span class="timestamps">(.*?)</span>\s*</p>', html.content.decode(), re.S
    ).group(1)
    assert shown.strip() == "Draft"
