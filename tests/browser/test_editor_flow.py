"""An editor logs in, uploads a photo, writes and publishes a story; a reader finds it."""

import io
import re

import pytest
from django.core.management import call_command

from articles.demo import draw_illustration

# seed_demo recreates the groups and homepage zones that a flush of the database removes.
pytestmark = pytest.mark.django_db(transaction=True)


def demo_login(username):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    match = re.search(rf"login: {username}\s+password: (\S+)", out.getvalue())
    assert match, out.getvalue()
    return match.group(1)


def choose_autocomplete(page, select_id, term, option_text):
    """Pick an option in one of the admin's select2 autocompletes, as a person would."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(term)
    page.locator(".select2-results__option", has_text=option_text).first.click()


def test_editor_publishes_a_story_with_a_photo_and_a_reader_finds_it(
    live_server, page, screenshot, tmp_path
):
    password = demo_login("editor")
    csp_errors = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and csp_errors.append(message.text)
        ),
    )

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    # Upload a photo with its alt text, caption and credit.
    upload = tmp_path / "council.jpg"
    upload.write_bytes(draw_illustration("council chamber"))
    page.goto(f"{live_server.url}/admin/articles/photo/add/")
    page.set_input_files("#id_image", str(upload))
    page.wait_for_selector("img.photo-upload-preview:not([hidden])")
    page.fill("#id_title", "Council chamber vote")
    page.fill("#id_alt_text", "Council members raise their hands during a vote")
    page.fill("#id_caption", "Council members vote on the harbor budget on Tuesday.")
    page.fill("#id_credit", "Reuters/Jane Doe")
    screenshot("01-photo-upload")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    screenshot("02-photo-library")

    # Write the story.
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.fill("#id_kicker", "City Hall")
    headline = "Council backs harbor budget after late-night vote"
    page.locator("#id_headline").press_sequentially(headline)  # typed, so the slug follows
    assert page.input_value("#id_slug") == "council-backs-harbor-budget-after-late-night-vote"
    page.fill("#id_dek", "The 7-2 vote frees $40 million for dredging the outer harbor.")
    page.fill("#id_dateline", "PORT ALDREN")
    choose_autocomplete(page, "id_section", "City", "City")
    page.locator(".ProseMirror[contenteditable=true]").click()
    page.keyboard.type("The council approved the plan shortly after midnight.")
    page.keyboard.press("Enter")
    page.keyboard.type("Work begins in the spring.")
    choose_autocomplete(page, "id_lead_photo", "Council chamber", "Council chamber vote")
    choose_autocomplete(page, "id_bylines-0-author", "a", "")
    tags = page.locator("#id_tags + .select2 .select2-search__field")
    tags.click()
    tags.type("city council,")
    tags.type("harbor budget,")
    page.select_option("#id_status", "published")
    screenshot("03-article-form")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    screenshot("04-article-list")
    newest = page.locator("#result_list tbody tr").first
    assert newest.locator(".state-live").inner_text().lower() == "live"
    assert newest.locator("img.admin-thumb").count() == 1

    # A reader finds it on the homepage and opens it.
    page.goto(f"{live_server.url}/")
    link = page.get_by_role("link", name="Council backs harbor budget after late-night vote")
    link.first.wait_for()
    screenshot("05-homepage")
    link.first.click()
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "Council backs harbor budget after late-night vote"
    figcaption = page.text_content("figure figcaption")
    assert "Council members vote on the harbor budget on Tuesday." in figcaption
    assert "Photo: Reuters/Jane Doe" in figcaption
    assert "The council approved the plan shortly after midnight." in page.inner_text(".story-body")
    assert "city council" in page.inner_text(".tags")
    screenshot("06-article-page")
    assert csp_errors == [], "the admin and the site run under a strict CSP"
