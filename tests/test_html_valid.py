"""Every page type is valid HTML: the Nu Html Checker (npm's vnu-jar, on the machine's Java)
finds no error in any of them. `make test` installs it (html-check-deps)."""

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from articles import workflow
from articles.models import Article, Author, Correction, GalleryPhoto, Photo

from .factories import make_article

VNU_JAR = Path(__file__).parent / "htmlcheck/node_modules/vnu-jar/build/dist/vnu.jar"

pytestmark = [pytest.mark.django_db, pytest.mark.html_check]


@pytest.fixture
def demo(editor):
    """The demo newsroom, with what it lacks for some page types: a story with a gallery and
    corrections, and a section long enough for a second page."""
    call_command("seed_demo", stdout=io.StringIO())
    story, plain = Article.objects.published().newest_first()[:2]
    for order, photo in enumerate(Photo.objects.exclude(pk=story.lead_photo_id)[:3]):
        GalleryPhoto.objects.create(article=story, photo=photo, order=order)
    workflow.add_correction(story, editor, "An earlier version misstated the vote. It was 7-2.")
    workflow.add_correction(story, editor, "Adds the mayor's response.", Correction.Kind.UPDATE)
    section = story.section
    photos = list(Photo.objects.all()[:4])
    for number in range(25):
        make_article(
            section=section,
            lead_photo=photos[number % len(photos)],
            headline=f"Harbor ferry timetable changes, part {number}",
            tags=["harbor"],
        )
    return story, plain


def test_every_page_type_is_valid_html(client, demo, tmp_path):
    assert VNU_JAR.exists(), "Run `make html-check-deps` (npm ci --prefix tests/htmlcheck)."
    java = shutil.which("java")
    assert java, "The Nu Html Checker needs Java: apt-get install default-jre-headless"
    story, plain = demo
    author = Author.objects.filter(bylines__article=plain).first()
    tag = story.tags.first()
    pages = {
        "home": ("/", 200),
        "article-with-photo": (plain.url, 200),
        "article-with-gallery-and-corrections": (story.url, 200),
        "section": (story.section.get_absolute_url(), 200),
        "section-page-2": (story.section.get_absolute_url() + "?page=2", 200),
        "tag": (f"/tag/{tag.slug}/", 200),
        "author": (author.get_absolute_url(), 200),
        "search-results": ("/search/?q=harbor", 200),
        "search-no-results": ("/search/?q=zyzzyvaquux", 200),
        "corrections": ("/corrections/", 200),
        "not-found": ("/no-such-page/", 404),
        "admin-login": ("/admin/login/", 200),
    }
    folder = tmp_path / "pages"  # beside MEDIA_ROOT, which the checker must not read
    folder.mkdir()
    files = []
    for name, (url, status) in pages.items():
        response = client.get(url)
        assert response.status_code == status, (name, url)
        files.append(folder / f"{name}.html")
        files[-1].write_bytes(response.content)
    # One Java start for every page; JSON messages go to stderr.
    result = subprocess.run(  # noqa: S603
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [
        f"{Path(message.get('url', '')).name}:{message.get('lastLine')}: {message['message']}"
        for message in messages
        if message["type"] == "error" or message.get("subType") == "fatal"
    ]
    assert errors == [], "\n".join(errors)
    assert result.returncode == 0, result.stderr[-2000:]
