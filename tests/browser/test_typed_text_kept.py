"""Nothing typed is lost, in a real browser: a save refused because an editor published the
story meanwhile, and a save during a real database outage (a throwaway PostgreSQL stopped
under a gunicorn server), both give the text back."""

import re
import time

import pytest

from articles import workflow
from articles.models import Article

from ..factories import make_article, make_section, make_staff
from ..services import SiteServer, ThrowawayPostgres, manage, run_django, site_environment
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
    csp_errors = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text and csp_errors.append(message.text)
        ),
    )
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

    # Opened again, the story is read-only for the writer: the page shows their copy to
    # take away; they copy it and discard it.
    page.goto(f"{base}/admin/articles/article/{story.pk}/change/")
    page.locator(".story-backup").wait_for()
    assert "You can no longer edit the story" in page.get_by_role("alert").inner_text()
    copy = page.locator(".story-backup-copy").inner_text()
    assert "Ferry fares under review" + TYPED_HEADLINE in copy and TYPED_BODY in copy
    assert page.locator("[data-backup-restore]").is_hidden()
    screenshot("typed-01b-writer-reopens-read-only-copy")
    page.get_by_role("button", name="Discard").click()
    assert page.locator(".story-backup").is_hidden()
    assert "discarded" in page.get_by_role("status").filter(has_text="discarded").inner_text()
    assert page.evaluate(f"localStorage.getItem('newsroom.story-backup.{story.pk}')") is None
    assert csp_errors == [], "the backup runs under the admin's strict CSP"


# A real database outage ----------------------------------------------------------------------


@pytest.fixture
def postgres():
    server = ThrowawayPostgres()
    try:
        server.start()
        server.create_database()
        yield server
    finally:
        server.remove()


SEED = """
from django.contrib.auth.models import Group, User
from articles.models import Article, Section
user = User.objects.create_user("eddie", password=%r, is_staff=True)
user.groups.add(Group.objects.get(name="Editor"))
section = Section.objects.create(name="City", slug="city")
Article.objects.create(headline="Harbor dredging begins", slug="harbor-dredging", section=section,
                       body="<p>Crews start on Monday.</p>", status="draft", created_by=user)
print(json.dumps(True))
"""


@pytest.fixture
def production_site(postgres, tmp_path):
    """The site as production runs it (gunicorn, DEBUG=0, collected static files) on the
    throwaway PostgreSQL, with an editor and a story. Yields (base URL, environment)."""
    env = site_environment(
        postgres.url,
        "",  # no Redis: nothing between the browser and the database's outage
        tmp_path / "media",
        STATIC_ROOT=str(tmp_path / "static"),
        # Every request connects, so a stopped database fails at once (connection refused)
        # and is used again as soon as it is back.
        CONN_MAX_AGE="0",
        LOG_LEVEL="WARNING",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    manage("migrate", "--noinput", "-v0", env=env)
    manage("collectstatic", "--noinput", "-v0", env=env)
    run_django(SEED % PASSWORD, env)
    server = SiteServer(env, workers=1)
    env["SITE_URL"] = server.env["SITE_URL"] = f"http://127.0.0.1:{server.port}"
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}", env
    finally:
        server.stop()


def stored_story(env):
    """The story's headline and body as the database holds them."""
    return run_django(
        "from articles.models import Article\n"
        "a = Article.objects.get(slug='harbor-dredging')\n"
        "print(json.dumps(a.headline + '|' + a.body))",
        env,
    )


def test_a_save_during_a_database_outage_keeps_the_text_and_restores_it(
    production_site, postgres, page, screenshot
):
    base, env = production_site
    log_in(page, base, "eddie")
    page.goto(f"{base}/admin/articles/article/")
    page.get_by_role("link", name="Harbor dredging begins").click()
    form_url = page.url
    type_into_story(page, " on schedule", "The first barge arrived at dawn.")
    wait_for_backup(page, "The first barge arrived at dawn.")

    postgres.stop()
    started = time.monotonic()
    page.click("input[name=_save]")
    page.get_by_role("heading", name="The site is temporarily unavailable").wait_for()
    failed_after = time.monotonic() - started
    assert "Your text is kept in this browser" in page.inner_text("main")
    screenshot("typed-02-outage-error-page")
    assert failed_after < 5, f"the error page took {failed_after:.1f} s"

    postgres.start()
    page.get_by_role("link", name="open the story form again").click()
    notice = page.locator(".story-backup")
    notice.wait_for()
    assert "This browser kept text you typed" in page.get_by_role("alert").inner_text()
    restore = page.get_by_role(
        "button",
        name=re.compile(r"^Restore your unsaved text \(saved in this browser at \d\d:\d\d\)$"),
    )
    assert page.input_value("#id_headline") == "Harbor dredging begins"
    screenshot("typed-03-backup-offered")
    restore.click()
    assert page.input_value("#id_headline") == "Harbor dredging begins on schedule"
    body = page.locator(".ProseMirror[contenteditable=true]")
    assert "The first barge arrived at dawn." in body.inner_text()
    assert page.get_by_role("status").filter(has_text="back in the form").count() == 1
    screenshot("typed-04-backup-restored")

    page.click("input[name=_save]")
    page.locator(".messagelist .success").wait_for()
    assert (
        page.evaluate(
            "Object.keys(localStorage).filter(k => k.startsWith('newsroom.story-backup.'))"
        )
        == []
    )
    saved = stored_story(env)
    assert saved.startswith("Harbor dredging begins on schedule|")
    assert "The first barge arrived at dawn." in saved
    page.goto(form_url)
    page.locator(".ProseMirror[contenteditable=true]").wait_for()
    assert page.locator(".story-backup").is_hidden()
