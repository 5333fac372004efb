"""Readership end to end: a reader's browser counts views with its beacon, search works, and
the editors' dashboard charts them. Screenshots of the search page and the dashboard."""

import io
import re
import time

import pytest
from django.core.management import call_command

from articles.models import Article, ArticleViews

# seed_demo recreates the groups and homepage zones that a flush of the database removes.
pytestmark = pytest.mark.django_db(transaction=True)

# A reader's Chrome: the headless default names itself and is rightly ignored as a bot.
READER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def views_of(stories):
    return [
        sum(ArticleViews.objects.filter(article=a).values_list("views", flat=True)) for a in stories
    ]


def test_views_are_counted_searched_and_charted(live_server, browser, screenshot_dir):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    password = re.search(r"login: editor\s+password: (\S+)", out.getvalue()).group(1)
    stories = list(Article.objects.published().order_by("-published_at")[:3])
    before = views_of(stories)

    reader = browser.new_context(user_agent=READER_AGENT, viewport={"width": 1280, "height": 900})
    page = reader.new_page()
    for story, visits in zip(stories, (3, 2, 1), strict=True):
        for _ in range(visits):
            with page.expect_request("**/readership/view/"):
                page.goto(live_server.url + story.url)
    page.goto(live_server.url + '/search/?q="city council" -bridge')
    assert page.locator(".story-list .card").count() > 0
    assert page.locator(".snippet mark").count() > 0
    page.screenshot(path=screenshot_dir / "search-1280.png", full_page=True)
    reader.close()

    # Beacons are sent in the background; give the server a moment to count the last one.
    deadline = time.monotonic() + 5
    while (counted := [a - b for a, b in zip(views_of(stories), before, strict=True)]) != [3, 2, 1]:
        assert time.monotonic() < deadline, counted
        time.sleep(0.1)

    editor = browser.new_context(viewport={"width": 1280, "height": 900})
    page = editor.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/articles/readership/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_selector(".readership-chart svg")
    assert page.locator(".readership-number").inner_text() == "6"
    assert stories[0].headline in page.locator(".readership-grid").inner_text()
    page.screenshot(path=screenshot_dir / "readership-dashboard.png", full_page=True)
    editor.close()
