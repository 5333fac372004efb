"""Nothing typed is lost, in a real browser: a save refused because an editor published the
story meanwhile, and a save during a real database outage (a throwaway PostgreSQL stopped
under a gunicorn server), both give the text back."""

import re

import pytest

from articles import workflow
from articles.models import Article

from ..factories import make_article, make_section, make_staff
from ..workflow_helpers import ensure_editorial_groups

PASSWORD = "correct horse battery staple"
TYPED_HEADLINE = " — and fares rise in May"
TYPED_BODY = "Typed after the story went live: the fares rise on May 1."


def log_in(page, base_url, username, password=PASSWORD):
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def type_into_story(page, headline_suffix, body_text):
    page.locator(".ProseMirror[contenteditable=true]").wait_for()
    page.locator("#id_headline").press("End")
    page.locator("#id_headline").press_sequentially(headline_suffix)
    page.locator(".ProseMirror[contenteditable=true]").click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type(body_text)


def wait_for_backup(page, text):
    """The browser's copy of the form holds ``text`` (written a moment after typing)."""
    page.wait_for_function(
        """text => Object.keys(localStorage).some(
            key => key.startsWith("newsroom.story-backup.") && localStorage[key].includes(text))""",
        arg=text,
    )


@pytest.mark.django_db(transaction=True)
def test_writer_saving_after_an_editor_published_gets_the_form_with_their_text(
    live_server, page, screenshot
):
    ensure_editorial_groups()
    writer = make_staff("wendy", "Writer")
    editor = make_staff("eddie", "Editor")
    story = make_article(
        created_by=writer,
        status=Article.Status.DRAFT,
        published_at=None,
        headline="Ferry fares under review",
        section=make_section(name="City", slug="city"),
    )
    base = live_server.url
    log_in(page, base, "wendy")
    page.goto(f"{base}/admin/articles/article/{story.pk}/change/")
    type_into_story(page, TYPED_HEADLINE, TYPED_BODY)
    wait_for_backup(page, TYPED_BODY)

    workflow.publish(Article.objects.get(pk=story.pk), editor)  # the editor, meanwhile
    page.click("input[name=_save]")

    message = page.locator(".messagelist .error")
    message.wait_for()
    text = message.inner_text()
    assert re.search(r"This story was published by eddie at \d{1,2}:\d\d [AP]M", text), text
    assert "Your text is kept below: copy it, or ask an editor" in text
    assert page.input_value("#id_headline") == "Ferry fares under review" + TYPED_HEADLINE
    assert TYPED_BODY in page.locator(".ProseMirror[contenteditable=true]").inner_text()
    assert page.locator("input[name=_save]").count() == 0
    screenshot("typed-01-writer-refused-keeps-text")
    assert Article.objects.get(pk=story.pk).headline == "Ferry fares under review"
