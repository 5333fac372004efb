"""The whole editorial workflow in a real browser: a writer drafts and submits, an editor
previews and shares a preview, schedules the story a few seconds ahead, it goes live by
itself at its time, and the editor appends a correction that readers see."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article, Correction

from ..factories import make_section, make_staff
from ..workflow_helpers import ensure_editorial_groups

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
HEADLINE = "Night ferry returns to Gull Island after two-year pause"


def log_in(page, base_url, username):
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def choose_autocomplete(page, select_id, term, option_text):
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(term)
    page.locator(".select2-results__option", has_text=option_text).first.click()


def test_writer_submits_editor_previews_schedules_it_goes_live_and_is_corrected(
    live_server, browser, page, screenshot
):
    ensure_editorial_groups()
    make_section(name="City", slug="city")
    make_staff("wendy", "Writer")
    make_staff("eddie", "Editor")
    base = live_server.url

    # The writer drafts the story and submits it for review.
    log_in(page, base, "wendy")
    page.goto(f"{base}/admin/articles/article/add/")
    page.fill("#id_kicker", "Transport")
    page.locator("#id_headline").press_sequentially(HEADLINE)
    page.fill("#id_dek", "The 11:40 p.m. sailing is back from Monday, the port authority says.")
    choose_autocomplete(page, "id_section", "City", "City")
    page.locator(".ProseMirror[contenteditable=true]").click()
    page.keyboard.type("The night ferry to Gull Island returns on Monday.")
    page.keyboard.press("Enter")
    page.keyboard.type("Tickets cost $4.50, the same as the day sailings.")
    assert page.locator("#id_status option[value=published]").count() == 0
    screenshot("workflow-01-writer-drafts")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert page.inner_text(".workflow-bar .state").lower() == "draft"
    assert page.locator(".workflow-publish").count() == 0
    page.click("button.workflow-submit")
    page.wait_for_selector(".messagelist .success")
    assert page.inner_text(".workflow-bar .state").lower() == "in review"
    screenshot("workflow-02-writer-submitted")
    article = Article.objects.get(headline=HEADLINE)
    assert article.status == Article.Status.REVIEW
    story_url = f"{base}{article.get_absolute_url()}"

    # The editor finds it in review, previews it and shares a preview link.
    editor_context = browser.new_context(viewport={"width": 1280, "height": 900})
    editor = editor_context.new_page()
    editor.set_default_timeout(15_000)
    log_in(editor, base, "eddie")
    editor.goto(f"{base}/admin/articles/article/?state=review")
    row = editor.locator("#result_list tbody tr", has_text=HEADLINE)
    assert row.locator(".state-in-review").count() == 1
    screenshot("workflow-03-editor-review-queue", editor)
    row.locator("a", has_text=HEADLINE).click()
    change_url = editor.url
    preview_href = editor.get_attribute("a.preview-link", "href")
    editor.goto(f"{base}{preview_href}")
    assert editor.inner_text("h1") == HEADLINE
    assert "Preview" in editor.inner_text(".preview-banner")
    assert editor.locator('meta[name=robots][content*="noindex"]').count() == 1
    screenshot("workflow-04-editor-preview", editor)

    editor.goto(change_url)
    editor.click("text=Share preview link")
    editor.click("input[value='Share preview link']")
    editor.wait_for_selector(".messagelist .success")
    shared = editor.input_value("input.preview-url")
    screenshot("workflow-05-preview-links", editor)
    outsider_context = browser.new_context(viewport={"width": 1280, "height": 900})
    outsider = outsider_context.new_page()
    response = outsider.goto(shared)
    assert response.status == 200
    assert "no-store" in response.headers["cache-control"]
    assert outsider.inner_text("h1") == HEADLINE
    screenshot("workflow-06-shared-preview", outsider)

    # The editor schedules it a few seconds ahead; readers get 404 until then.
    go_live = timezone.localtime(timezone.now() + timedelta(seconds=8)).replace(microsecond=0)
    editor.goto(change_url)
    editor.select_option("#id_status", "published")
    editor.fill("#id_published_at_0", go_live.strftime("%Y-%m-%d"))
    editor.fill("#id_published_at_1", go_live.strftime("%H:%M:%S"))
    editor.click("input[name=_save]")
    editor.wait_for_selector(".messagelist .success")
    editor.goto(f"{base}/admin/articles/article/")
    going_live = editor.locator(".going-live")
    assert HEADLINE in going_live.inner_text()
    row = editor.locator("#result_list tbody tr", has_text=HEADLINE)
    assert row.locator(".state-scheduled").count() == 1
    screenshot("workflow-07-scheduled-going-live-next", editor)
    assert outsider.goto(story_url).status == 404

    # No job runs: the story is public once its time has passed.
    while timezone.now() < go_live:
        time.sleep(0.25)
    response = outsider.goto(story_url)
    assert response.status == 200
    assert outsider.inner_text("h1") == HEADLINE
    screenshot("workflow-08-live-at-its-time", outsider)

    # The editor appends a correction; readers see it under the story and on the list.
    editor.goto(change_url)
    assert editor.inner_text(".workflow-bar .state").lower() == "live"
    editor.click("text=Add another Correction or update")
    correction = "An earlier version of this story gave the fare as $4. It is $4.50."
    editor.fill("#id_corrections-0-text", correction)
    screenshot("workflow-09-editor-adds-correction", editor)
    editor.click("input[name=_continue]")
    editor.wait_for_selector(".messagelist .success")
    assert Correction.objects.filter(article=article).count() == 1

    outsider.goto(story_url)
    assert correction in outsider.inner_text(".corrections")
    screenshot("workflow-10-article-with-correction", outsider)
    outsider.goto(f"{base}/corrections/")
    assert correction in outsider.inner_text(".corrections-list")
    screenshot("workflow-11-corrections-page", outsider)

    # The history shows every revision and every change of state, with who and when.
    editor.goto(change_url.replace("/change/", "/history/"))
    trail = editor.inner_text(".audit-trail")
    for action in ["Created", "Submitted for review", "Scheduled", "Correction added"]:
        assert action in trail
    screenshot("workflow-12-history", editor)
    editor.locator("table.revisions input[name=from]").last.check()  # from the first draft
    editor.click("input[value='Compare selected revisions']")
    editor.wait_for_selector(".story-compare")
    screenshot("workflow-13-compare", editor)

    editor_context.close()
    outsider_context.close()
