"""The demo newsroom that `make run` loads: what it holds, that it loads into an empty
database only, that its logins stay the same, and the port check that runs before it."""

import io
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape

from articles.demo import load_demo_content
from articles.models import Article, AuditEntry, Correction, Photo

from .factories import make_article, make_photo

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


@pytest.fixture
def logins_file(tmp_path):
    return tmp_path / ".demo-logins"


@pytest.fixture
def seed(logins_file):
    """Run seed_demo and return what it printed. The illustrations are made small here
    first: the command reuses the ones in the photo library, which spares drawing 53 large
    pictures."""
    for row in load_demo_content()["stories"]:
        make_photo(title=f"Illustration: {row['headline']}"[:200])

    def run():
        out = io.StringIO()
        call_command("seed_demo", logins_file=logins_file, stdout=out)
        return out.getvalue()

    return run


def printed_logins(output):
    return dict(re.findall(r"login: (\w+)\s+password: (\S+)", output))


def test_the_demo_has_a_gallery_a_correction_a_review_a_schedule_and_a_page_2(seed, client):
    seed()
    published = Article.objects.published()

    gallery_story = published.filter(gallery_items__isnull=False).distinct().get()
    assert gallery_story.gallery_items.count() >= 3
    html = client.get(gallery_story.get_absolute_url()).content.decode()
    assert all(item.caption in html for item in gallery_story.gallery_items.all())

    corrected = Correction.objects.get(kind=Correction.Kind.CORRECTION).article
    assert corrected.corrections.get(kind=Correction.Kind.CORRECTION).created_at > (
        corrected.published_at
    )
    assert "misstated" in client.get(corrected.get_absolute_url()).content.decode()

    in_review = Article.objects.get(status=Article.Status.REVIEW)
    submitted = in_review.audit_entries.get(action=AuditEntry.Action.SUBMITTED)
    assert submitted.note and submitted.user.username == "writer"
    assert in_review.created_by.username == "writer"

    assert Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=timezone.now()
    ).exists()

    section = max(
        {story.section for story in published}, key=lambda s: published.filter(section=s).count()
    )
    assert published.filter(section=section).count() > 20
    page_2 = client.get(f"{section.get_absolute_url()}?page=2")
    assert page_2.status_code == 200
    oldest = published.filter(section=section).order_by("published_at").first()
    assert escape(oldest.headline) in page_2.content.decode()


def test_a_second_run_keeps_what_editors_changed_and_the_same_passwords(seed, logins_file, client):
    first = seed()
    stories = Article.objects.count()
    edited = Article.objects.published().first()
    Article.objects.filter(pk=edited.pk).update(headline="Edited by the desk")

    second = seed()

    assert "nothing was changed" in second
    assert Article.objects.count() == stories
    assert Article.objects.get(pk=edited.pk).headline == "Edited by the desk"
    logins = printed_logins(first)
    assert set(logins) == {"editor", "writer"}
    assert printed_logins(second) == logins
    for username, password in logins.items():
        assert f"{username} {password}" in logins_file.read_text()
        assert client.login(username=username, password=password)
    # The logins come last, after the loading's own lines.
    assert second.rstrip().splitlines()[-1].startswith("Sign in at")


def test_passwords_come_from_the_logins_file(seed, logins_file, client):
    logins_file.write_text("editor kept-editor-secret\nwriter kept-writer-secret\n")

    output = seed()

    assert printed_logins(output) == {
        "editor": "kept-editor-secret",
        "writer": "kept-writer-secret",
    }
    assert client.login(username="editor", password="kept-editor-secret")
    assert client.login(username="writer", password="kept-writer-secret")


def test_a_database_with_stories_is_left_alone(seed):
    own = make_article(headline="Our own first story")
    photos = Photo.objects.count()

    output = seed()

    assert list(Article.objects.all()) == [own]
    assert Photo.objects.count() == photos
    assert "nothing was changed" in output
    assert set(printed_logins(output)) == {"editor", "writer"}


@pytest.mark.django_db(transaction=True)
def test_seeding_does_not_log_each_purge(seed, caplog, settings):
    """Outside a test's transaction, as `make run` seeds: the purges run at the commit."""
    settings.PURGER = "articles.caching.LoggingPurger"
    with caplog.at_level("INFO"):
        seed()
    assert Article.objects.exists()
    assert not [r for r in caplog.records if r.name == "articles.caching"]


# The port check `make run` does before installing anything ---------------------------------


@pytest.fixture
def taken_port():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def check_port(port):
    return subprocess.run(  # noqa: S603
        [sys.executable, "deploy/check_port.py", str(port)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_port_check_refuses_a_taken_port(taken_port):
    result = check_port(taken_port)
    assert result.returncode == 1
    assert f"Port {taken_port} on 127.0.0.1 is already in use" in result.stderr
    assert "make run PORT=" in result.stderr


def test_port_check_accepts_a_free_port_and_refuses_a_word(taken_port):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    assert check_port(free).returncode == 0
    refused = check_port("http")
    assert refused.returncode == 1
    assert "PORT must be a number" in refused.stderr


def test_make_run_stops_on_a_taken_port_before_installing(taken_port, tmp_path):
    venv = tmp_path / "venv"
    result = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "run", f"PORT={taken_port}", f"VENV={venv}"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert f"Port {taken_port} on 127.0.0.1 is already in use" in result.stderr
    assert not venv.exists()
