"""Nothing typed is lost: a refused save gives the form back with the text, and the error
pages after a failed save from the story form say where the text is kept."""

import re
from html import unescape

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from articles import workflow
from articles.models import Article

from .factories import make_article
from .workflow_helpers import add_form, change_url, form_data

TYPED_HEADLINE = "Ferry fares rise by a quarter from May"
TYPED_BODY = "<p>Typed while the story went live: the fares rise on May 1.</p>"


def field_value(html, name):
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
    return unescape(match.group(1)) if match else None


def textarea_value(html, name):
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.DOTALL)
    return unescape(match.group(1)).strip() if match else None


@pytest.fixture
def writers_draft(writer):
    return make_article(
        created_by=writer, status=Article.Status.DRAFT, published_at=None, headline="Fares"
    )


def test_writer_saving_after_an_editor_published_gets_the_form_with_their_text_and_why(
    writer_client, writers_draft, editor
):
    typed = form_data(writers_draft, headline=TYPED_HEADLINE, body=TYPED_BODY)
    workflow.publish(writers_draft, editor)

    response = writer_client.post(change_url(writers_draft), typed)

    assert response.status_code == 403
    html = response.content.decode()
    assert field_value(html, "headline") == TYPED_HEADLINE
    assert textarea_value(html, "body") == TYPED_BODY
    message = " ".join(
        unescape(re.search(r'class="messagelist">(.*?)</ul>', html, re.S)[1]).split()
    )
    assert re.search(r"This story was published by eddie at \d{1,2}:\d\d [AP]M", message)
    assert "you can no longer edit it" in message
    assert "Your text is kept below: copy it, or ask an editor" in message
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    story = Article.objects.get(pk=writers_draft.pk)
    assert story.headline == "Fares" and story.status == Article.Status.PUBLISHED


def test_editor_saving_a_story_trashed_meanwhile_gets_the_form_with_their_text(
    editor_client, editor
):
    article = make_article(headline="Pier closes")
    typed = form_data(article, headline=TYPED_HEADLINE)
    workflow.trash(article, editor)

    response = editor_client.post(change_url(article), typed)

    assert response.status_code == 403
    html = response.content.decode()
    assert field_value(html, "headline") == TYPED_HEADLINE
    assert "This story was moved to trash by eddie at" in unescape(html)
    assert Article.objects.get(pk=article.pk).headline == "Pier closes"


def test_a_story_the_user_may_not_even_see_is_still_refused_outright(writer_client):
    someone_elses = make_article(status=Article.Status.DRAFT, published_at=None)
    response = writer_client.post(change_url(someone_elses), form_data(someone_elses))
    assert response.status_code == 302  # Django's "no such story" for stories not theirs
    assert TYPED_HEADLINE not in response.content.decode()


# Saves that fail on the server -------------------------------------------------------------


OUTAGE = OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


@pytest.fixture
def database_down():
    """From here on the database refuses every statement, as during an outage (or fails them
    with another ``error``, as a bug would)."""

    def go_down(error=OUTAGE):
        def refuse(execute, sql, params, many, context):
            raise error

        return connection.execute_wrapper(refuse)

    return go_down


def post_during_outage(client, url, data, database_down, error=OUTAGE):
    client.raise_request_exception = False
    with database_down(error):
        return client.post(url, data)


@pytest.mark.parametrize(
    ("error", "status", "heading"),
    [
        (OUTAGE, 503, "The site is temporarily unavailable"),
        (RuntimeError("a bug"), 500, "Something went wrong on our side"),
    ],
    ids=["outage", "bug"],
)
def test_a_story_save_that_fails_says_the_text_is_kept_and_where_it_comes_back(
    editor_client, database_down, error, status, heading
):
    article = make_article(headline="Ferry timetable")
    response = post_during_outage(
        editor_client,
        change_url(article),
        form_data(article, headline=TYPED_HEADLINE),
        database_down,
        error,
    )
    assert response.status_code == status
    html = response.content.decode()
    assert heading in html
    assert "Your text is kept in this browser" in html
    assert f'<a href="{change_url(article)}">open the story form again</a>' in html
    assert "offers to restore your unsaved text" in html


def test_a_new_story_that_fails_to_save_points_back_to_the_new_story_form(
    editor_client, database_down
):
    add_url = reverse("admin:articles_article_add")
    response = post_during_outage(editor_client, add_url, {"headline": "x"}, database_down)
    assert response.status_code == 503
    assert f'<a href="{add_url}">open the story form again</a>' in response.content.decode()


def test_other_admin_saves_and_page_views_do_not_claim_a_backup(editor_client, database_down):
    photo_add = reverse("admin:articles_photo_add")
    html = post_during_outage(editor_client, photo_add, {"title": "x"}, database_down)
    assert "What you were saving was not saved" in html.content.decode()
    assert "kept in this browser" not in html.content.decode()

    reader = Client(raise_request_exception=False)
    with database_down():
        response = reader.get("/")
    assert response.status_code == 503
    assert "saving" not in response.content.decode()


# The browser's backup of the story form ----------------------------------------------------


def test_the_story_form_loads_its_backup_script_and_notice_per_story(editor_client):
    article = make_article()
    html = editor_client.get(change_url(article)).content.decode()
    assert "articles/admin/story-backup.js" in html
    assert f'data-story-backup="{article.pk}"' in html
    assert "Restore your unsaved text (saved in this browser at <time></time>)" in html
    add_html = editor_client.get(reverse("admin:articles_article_add")).content.decode()
    assert 'data-story-backup="new"' in add_html


def test_the_page_after_a_successful_save_is_told_to_drop_the_backup(editor_client):
    article = make_article()
    response = editor_client.post(change_url(article), form_data(article, headline="Saved"))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#saved-story-{article.pk}")
    continued = editor_client.post(
        change_url(article), form_data(article, headline="Again", _continue="1")
    )
    assert continued["Location"] == f"{change_url(article)}#saved-story-{article.pk}"
    listing = editor_client.get(response["Location"].split("#")[0]).content.decode()
    assert "articles/admin/story-backup.js" in listing  # where it drops the backup


def test_a_new_story_saved_drops_the_new_story_backup(editor_client):

    response = editor_client.post(
        reverse("admin:articles_article_add"), add_form(make_article().section)
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#saved-story-new")
