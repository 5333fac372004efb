"""Corrections and updates: appended by editors, shown under the story and on the public
corrections page, dated, audited; and the trash purge command."""

import io
import json
import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, AuditEntry, Correction

from .factories import make_article
from .workflow_helpers import change_url, form_data

pytestmark = pytest.mark.django_db

CORRECTIONS = reverse("articles:corrections")


def test_editor_appends_a_correction_and_readers_see_it_under_the_story(
    editor, editor_client, reader
):
    article = make_article(headline="Council passes budget")
    text = "An earlier version of this story misstated the vote. It was 7-2."
    data = form_data(article, corrections=[("correction", text)])
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 302

    correction = Correction.objects.get()
    assert (correction.article, correction.created_by, correction.text) == (article, editor, text)
    page = reader.get(article.get_absolute_url()).content.decode()
    assert "Corrections and updates" in page
    assert text in page
    assert '<li class="correction correction-correction">' in page
    assert timezone.localtime(correction.created_at).strftime("%B %-d, %Y") in page

    listing = reader.get(CORRECTIONS).content.decode()
    assert text in listing and "Council passes budget" in listing
    assert article.get_absolute_url() in listing
    assert AuditEntry.objects.filter(article=article, action="corrected", user=editor).exists()


def test_corrections_are_kept_and_cannot_be_edited_through_the_form(editor_client):
    article = make_article()
    editor_client.post(change_url(article), form_data(article, corrections=[("update", "First.")]))
    data = form_data(article)
    data["corrections-0-text"] = "Rewritten history."
    editor_client.post(change_url(article), data)
    assert list(Correction.objects.values_list("kind", "text")) == [("update", "First.")]


def test_date_modified_follows_the_last_correction(editor):
    article = make_article()
    Article.objects.filter(pk=article.pk).update(updated_at=article.published_at)
    article.refresh_from_db()
    assert article.date_modified == article.published_at
    correction = workflow.add_correction(article, editor, "The mayor's name is Ruth Ade.")
    article = Article.objects.for_detail().get(pk=article.pk)
    assert article.date_modified == correction.created_at


def test_drafts_have_no_corrections_section_and_writers_cannot_add_one(
    writer, editor, editor_client
):
    draft = make_article(status=Article.Status.DRAFT, published_at=None, created_by=writer)
    assert "Corrections and updates" not in editor_client.get(change_url(draft)).content.decode()
    with pytest.raises(workflow.NotAllowed):
        workflow.add_correction(make_article(), writer, "Nope.")
    with pytest.raises(workflow.WorkflowError):
        workflow.add_correction(draft, editor, "A draft has nothing to correct.")
    assert not Correction.objects.exists()


def test_corrections_page_lists_only_stories_readers_can_see(editor, reader):
    live = make_article(headline="Live story")
    hidden = make_article(headline="Pulled story")
    workflow.add_correction(live, editor, "Live correction.")
    workflow.add_correction(hidden, editor, "Hidden correction.")
    workflow.unpublish(hidden, editor)
    html = reader.get(CORRECTIONS).content.decode()
    assert "Live correction." in html
    assert "Hidden correction." not in html and "Pulled story" not in html


# Purging the trash --------------------------------------------------------------------------


def test_purge_trash_deletes_only_old_trash_and_dry_run_deletes_nothing(editor):
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        old = make_article(headline="Old trash")
        workflow.trash(old, editor)
    recent = make_article(headline="Recent trash")
    kept = make_article(headline="Not trashed")
    workflow.trash(recent, editor)

    out = io.StringIO()
    call_command("purge_trash", "--dry-run", stdout=out)
    assert "Would delete" in out.getvalue() and "Old trash" in out.getvalue()
    assert "Recent trash" not in out.getvalue()
    assert Article.objects.count() == 3

    out = io.StringIO()
    call_command("purge_trash", stdout=out)
    assert "1 stories deleted" in out.getvalue()
    assert set(Article.objects.values_list("pk", flat=True)) == {recent.pk, kept.pk}
    purged = AuditEntry.objects.get(action="purged")
    assert (purged.article, purged.headline) == (None, "Old trash")


def test_a_correction_moves_the_storys_date_modified_for_search_engines(editor_client, reader):
    article = make_article(published_at=timezone.now() - timedelta(days=2))
    Article.objects.filter(pk=article.pk).update(updated_at=article.published_at)
    data = form_data(article, corrections=[("update", "The council will vote again on Friday.")])
    assert editor_client.post(change_url(article), data).status_code == 302
    correction = Correction.objects.get()
    # Only the correction is new: the story's own last edit is two days old again.
    Article.objects.filter(pk=article.pk).update(updated_at=article.published_at)
    html = reader.get(article.url).content.decode()
    jsonld = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html, re.S).group(1))
    modified = datetime.fromisoformat(jsonld["dateModified"])
    assert abs(modified - correction.created_at) < timedelta(seconds=1)
    assert modified > article.published_at + timedelta(days=1)
