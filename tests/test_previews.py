"""Previews: editors see any draft in the public design; shared links are signed, expire,
can be revoked, are never indexed nor cached, and fail with 404."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles import previews
from articles.models import Article, AuditEntry, PreviewLink

from .factories import make_article, make_photo
from .workflow_helpers import change_url, form_data

pytestmark = pytest.mark.django_db


def draft(**overrides):
    fields = {"status": Article.Status.DRAFT, "published_at": None, "headline": "Secret plan"}
    return make_article(**(fields | overrides))


def assert_private(response):
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def share(editor_client, article, hours=None):
    url = reverse("admin:articles_article_previews", args=[article.pk])
    editor_client.post(url, {"hours": hours} if hours else {})
    link = PreviewLink.objects.filter(article=article).first()
    return link, previews.preview_path(link)


def test_editor_previews_a_draft_in_the_public_design(editor_client, reader):
    article = draft(body="<p>Draft words.</p>")
    url = reverse("admin:articles_article_preview", args=[article.pk])
    response = editor_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Secret plan" in html and "Draft words." in html
    assert 'class="story"' in html  # the reader's article template
    assert_private(response)
    assert reader.get(url).status_code == 302  # anonymous: to the login page


def test_the_editors_preview_shows_photos_placed_in_the_body(editor_client):
    photo = make_photo(alt_text="Divers check the hull", credit="Courier/Ben Okafor")
    figure = f'<figure class="figure"><img src="/x.jpg" alt="x" data-file="{photo.pk}"></figure>'
    article = draft(body="<p>Divers went down.</p>" + figure)
    url = reverse("admin:articles_article_preview", args=[article.pk])
    html = editor_client.get(url).content.decode()
    assert 'alt="Divers check the hull"' in html and "Photo: Courier/Ben Okafor" in html


def test_shared_link_shows_the_latest_draft_to_anyone_until_it_expires(editor_client, reader):
    article = draft()
    link, path = share(editor_client, article)
    assert link.expires_at == pytest.approx(
        timezone.now() + timedelta(hours=48), abs=timedelta(minutes=1)
    )
    response = reader.get(path)
    assert response.status_code == 200
    assert "Secret plan" in response.content.decode()
    assert_private(response)
    assert AuditEntry.objects.filter(article=article, action="preview_shared").exists()

    # Edits after sharing show through the same link.
    editor_client.post(change_url(article), form_data(article, headline="Revised plan"))
    assert "Revised plan" in reader.get(path).content.decode()

    with time_machine.travel(link.expires_at + timedelta(seconds=1)):
        assert reader.get(path).status_code == 404


def test_the_link_handed_to_the_editor_is_on_the_public_site(editor_client, settings):
    """Editors may work on an admin host of their own; the reader gets the site's address."""
    settings.SITE_URL = "https://news.example"
    article = draft()
    _link, path = share(editor_client, article)
    page = editor_client.get(reverse("admin:articles_article_previews", args=[article.pk]))
    assert f"https://news.example{path}" in page.content.decode()


def test_link_lifetime_can_be_chosen(editor_client):
    link, _ = share(editor_client, draft(), hours=2)
    assert link.expires_at < timezone.now() + timedelta(hours=2, minutes=1)


def test_tampered_links_are_404(editor_client, reader):
    article = draft()
    link, path = share(editor_client, article)
    token = path.rstrip("/").rsplit("/", 1)[1]
    other = draft()
    forged = previews.signing.dumps({"link": link.pk, "article": other.pk}, salt="other-salt")
    for bad in [
        token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
        forged,
        "nonsense",
        token + "x",
    ]:
        response = reader.get(reverse("articles:preview", kwargs={"token": bad}))
        assert response.status_code == 404, bad
        assert "Secret plan" not in response.content.decode()


def test_revoked_link_is_404(editor_client, reader):
    article = draft()
    link, path = share(editor_client, article)
    url = reverse("admin:articles_article_previews", args=[article.pk])
    page = editor_client.get(url).content.decode()
    assert path in page and "Revoke" in page
    editor_client.post(url, {"revoke": link.pk})
    assert reader.get(path).status_code == 404
    assert "Revoked" in editor_client.get(url).content.decode()
    assert AuditEntry.objects.filter(article=article, action="preview_revoked").exists()


def test_link_to_a_trashed_story_is_404(editor_client, reader, editor):
    from articles import workflow

    article = draft()
    _, path = share(editor_client, article)
    workflow.trash(article, editor)
    assert reader.get(path).status_code == 404


def test_writer_cannot_share_preview_links(writer, writer_client):
    article = draft(created_by=writer)
    url = reverse("admin:articles_article_previews", args=[article.pk])
    assert writer_client.post(url, {}).status_code == 403
    assert not PreviewLink.objects.exists()
    # ...but previews their own draft in the admin.
    preview = reverse("admin:articles_article_preview", args=[article.pk])
    assert writer_client.get(preview).status_code == 200
