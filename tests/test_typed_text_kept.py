"""Nothing typed is lost: a refused save gives the form back with the text, and the error
pages after a failed save from the story form say where the text is kept."""

import re
from html import unescape

import pytest

from articles import workflow
from articles.models import Article

from .factories import make_article
from .workflow_helpers import change_url, form_data

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
