"""The visibility rule and the article model's invariants."""

import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from articles.demo import load_demo_content
from articles.models import Article, Photo

from .factories import make_article, make_photo

pytestmark = pytest.mark.django_db

HOUR = timezone.timedelta(hours=1)


@pytest.mark.parametrize(
    ("fields", "visible", "state"),
    [
        ({"status": Article.Status.DRAFT, "published_at": None}, False, "draft"),
        ({"status": Article.Status.REVIEW, "published_at": None}, False, "review"),
        ({"status": Article.Status.DRAFT, "published_at": -HOUR}, False, "draft"),
        ({"status": Article.Status.UNPUBLISHED, "published_at": -HOUR}, False, "unpublished"),
        ({"published_at": HOUR}, False, "scheduled"),
        ({"published_at": -HOUR}, True, "live"),
        ({"published_at": None}, True, "live"),
        ({"published_at": -HOUR, "embargo_until": HOUR}, False, "scheduled"),
        ({"published_at": -HOUR, "embargo_until": -HOUR / 2}, True, "live"),
        ({"published_at": -HOUR, "trashed_at": -HOUR / 2}, False, "trashed"),
    ],
    ids=[
        "draft",
        "in-review",
        "draft-with-past-time",
        "unpublished",
        "scheduled-future",
        "scheduled-past",
        "published-now",
        "embargoed",
        "embargo-lifted",
        "trashed",
    ],
)
def test_visibility_rule_decides_what_readers_see(client, fields, visible, state):
    """published(), the in-memory is_live and the admin's derived state give one answer."""
    now = timezone.now()
    times = ("published_at", "embargo_until", "trashed_at")
    fields = {
        name: now + value if name in times and value is not None else value
        for name, value in fields.items()
    }
    status = fields.pop("status", Article.Status.PUBLISHED)
    article = make_article(status=status, **fields)
    article.refresh_from_db()

    assert Article.objects.published().filter(pk=article.pk).exists() is visible
    assert article.is_live is visible
    assert article.state == state
    assert Article.objects.with_state().get(pk=article.pk).workflow_state == state
    assert Article.objects.in_state(state).filter(pk=article.pk).exists()
    assert Article.objects.scheduled().filter(pk=article.pk).exists() is (state == "scheduled")
    assert Article.objects.trashed().filter(pk=article.pk).exists() is (state == "trashed")
    detail = client.get(f"/news/{article.pk}/{article.slug}/")
    assert detail.status_code == (200 if visible else 404)
    home = client.get("/")
    assert (article.headline in home.content.decode()) is visible


def test_scheduled_story_goes_live_when_its_time_passes(client):
    article = make_article(published_at=timezone.now() + HOUR)
    assert client.get(article.get_absolute_url()).status_code == 404
    with time_machine.travel(article.published_at + timezone.timedelta(seconds=1)):
        assert client.get(article.get_absolute_url()).status_code == 200


def test_publishing_sets_first_published_time_once():
    article = make_article(status=Article.Status.DRAFT, published_at=None)
    assert article.first_published_at is None
    article.status = Article.Status.PUBLISHED
    article.save()
    first = article.first_published_at
    assert first is not None and article.published_at == first
    article.published_at = timezone.now() + HOUR
    article.save()
    assert article.first_published_at == first


DIRTY_BODY = (
    '<p onclick="steal()">Hello <a href="javascript:alert(1)">link</a>'
    '<img src=x onerror="alert(2)"></p><script>alert(3)</script>'
    '<p style="color:red" onmouseover="x()">Styled <a href="https://example.com/">fine</a></p>'
)


def assert_clean(html):
    lowered = html.lower()
    for needle in ("<script", "onclick", "onerror", "onmouseover", "javascript:", "<img", "style="):
        assert needle not in lowered, f"{needle!r} survived sanitising: {html}"
    assert '<a href="https://example.com/"' in html  # legitimate markup stays


def test_orm_save_sanitises_body():
    article = make_article(body=DIRTY_BODY)
    article.refresh_from_db()
    assert_clean(article.body)


def test_bulk_create_and_update_sanitise_body():
    template = make_article()
    Article.objects.bulk_create(
        [Article(headline="Bulk", slug="bulk", section=template.section, body=DIRTY_BODY)]
    )
    assert_clean(Article.objects.get(slug="bulk").body)
    Article.objects.filter(pk=template.pk).update(body=DIRTY_BODY)
    template.refresh_from_db()
    assert_clean(template.body)


def test_loaded_fixture_cannot_reach_a_reader_with_script(client, tmp_path):
    """loaddata writes rows raw, around model code; the page sanitises on the way out."""
    article = make_article()
    fixture = tmp_path / "dirty.json"
    row = {
        "model": "articles.article",
        "pk": article.pk,
        "fields": {
            "headline": "Raw",
            "slug": "raw",
            "section": article.section_id,
            "status": "published",
            "published_at": "2020-01-01T00:00:00Z",
            "created_at": "2020-01-01T00:00:00Z",
            "updated_at": "2020-01-01T00:00:00Z",
            "body": DIRTY_BODY,
        },
    }
    fixture.write_text(json.dumps([row]))
    call_command("loaddata", str(fixture), verbosity=0)
    html = client.get(f"/news/{article.pk}/raw/").content.decode()
    body = html.split('class="story-body"', 1)[1].split("</div>", 1)[0]
    assert_clean(body)
    assert "Hello" in body


def test_seed_demo_command_stores_sanitised_bodies(tmp_path):
    """The command reuses the illustrations already in the photo library (as when it runs
    again), so small ones made here spare the test drawing and encoding 1200 px pictures."""
    for row in load_demo_content()["stories"]:
        make_photo(title=f"Illustration: {row['headline']}"[:200])
    photos = Photo.objects.count()
    call_command("seed_demo", logins_file=tmp_path / "logins", stdout=io.StringIO())
    assert Photo.objects.count() == photos
    assert Article.objects.count() >= 30
    for body in Article.objects.values_list("body", flat=True):
        assert "<script" not in body and "javascript:" not in body
