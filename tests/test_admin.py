"""The editors' admin, used through the client as a logged-in writer or editor would."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Photo

from .factories import image_file, make_article, make_author, make_photo, make_section
from .workflow_helpers import add_form as article_form

pytestmark = pytest.mark.django_db

ADD_ARTICLE = reverse("admin:articles_article_add")


def test_writer_can_save_a_draft_and_submit_it_for_review(writer_client):
    section = make_section()
    response = writer_client.post(ADD_ARTICLE, article_form(section, status="review"))
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(slug="harbor-dredging-begins")
    assert article.status == Article.Status.REVIEW
    assert article.created_by.username == "wendy"


def test_writer_is_not_offered_publishing(writer_client):
    html = writer_client.get(ADD_ARTICLE).content.decode()
    assert 'value="review"' in html
    assert 'value="published"' not in html


def test_writer_cannot_publish_by_crafting_a_post(writer_client):
    section = make_section()
    response = writer_client.post(ADD_ARTICLE, article_form(section, status="published"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Article.objects.exists()


def test_writer_cannot_publish_an_existing_story_or_use_the_publish_action(writer_client):
    article = make_article(status=Article.Status.REVIEW, published_at=None)
    change = reverse("admin:articles_article_change", args=[article.pk])
    data = article_form(article.section, status="published", slug=article.slug)
    writer_client.post(change, data)
    changelist = reverse("admin:articles_article_changelist")
    writer_client.post(changelist, {"action": "publish_now", "_selected_action": [article.pk]})
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    assert not Article.objects.published().exists()


def test_editor_publishes_and_readers_see_it(editor_client, client):
    section = make_section()
    response = editor_client.post(ADD_ARTICLE, article_form(section, status="published"))
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.is_live and article.first_published_at is not None
    editor_client.logout()
    assert article.headline in client.get("/").content.decode()


def test_editor_publishes_a_review_story_with_the_list_action(editor_client):
    article = make_article(status=Article.Status.REVIEW, published_at=None)
    changelist = reverse("admin:articles_article_changelist")
    response = editor_client.post(
        changelist, {"action": "publish_now", "_selected_action": [article.pk]}, follow=True
    )
    assert "Published 1 stories." in response.content.decode()
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_admin_form_sanitises_the_body(editor_client):
    section = make_section()
    body = (
        '<p onclick="x()">Hi <a href="javascript:alert(1)">there</a></p><script>alert(1)</script>'
    )
    editor_client.post(ADD_ARTICLE, article_form(section, body=body))
    stored = Article.objects.get().body
    assert stored == '<p>Hi <a rel="noopener noreferrer">there</a></p>'


def test_photo_needs_alt_text(editor_client):
    response = editor_client.post(
        reverse("admin:articles_photo_add"),
        {"image": image_file(), "alt_text": "", "caption": "A caption", "credit": "AP/Jo Lee"},
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Photo.objects.exists()


def test_photo_upload_refuses_a_file_that_is_not_an_image(editor_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"this is text, not a JPEG", content_type="image/jpeg")
    response = editor_client.post(
        reverse("admin:articles_photo_add"), {"image": fake, "alt_text": "Alt"}
    )
    assert response.status_code == 200
    assert "Upload a valid image" in response.content.decode()
    assert not Photo.objects.exists()


def test_round_trip_from_admin_to_the_article_page(editor_client, client):
    """Upload a photo, write and publish a story with it, and read it as a reader."""
    response = editor_client.post(
        reverse("admin:articles_photo_add"),
        {
            "image": image_file("ferries.jpg"),
            "alt_text": "Ferries at Pier 4 at dawn",
            "caption": "Ferries wait at Pier 4 on Monday.",
            "credit": "Reuters/Jane Doe",
        },
    )
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (120, 80)
    assert photo.uploaded_by.username == "eddie"

    section = make_section(name="City")
    authors = [make_author(name="Ana Ruiz"), make_author(name="Ben Okafor")]
    now = timezone.localtime()
    response = editor_client.post(
        ADD_ARTICLE,
        article_form(
            section,
            authors=authors[::-1],
            kicker="Harbor",
            lead_photo=photo.pk,
            status="published",
            published_at_0=now.strftime("%Y-%m-%d"),
            published_at_1=now.strftime("%H:%M:%S"),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get()
    assert [a.name for a in article.byline_authors] == ["Ben Okafor", "Ana Ruiz"]
    assert sorted(article.tags.names()) == ["budget", "harbor"]

    home = client.get("/").content.decode()
    assert "Harbor dredging begins" in home
    page = client.get(article.get_absolute_url()).content.decode()
    figcaption = page.split("<figcaption>", 1)[1].split("</figcaption>", 1)[0]
    assert "Ferries wait at Pier 4 on Monday." in figcaption
    assert "Photo: Reuters/Jane Doe" in figcaption
    assert ">Ben Okafor</a> and <a" in page


def test_article_list_shows_status_section_authors_and_thumbnail(editor_client):
    article = make_article(lead_photo=make_photo(), authors=[make_author(name="Ana Ruiz")])
    make_article(
        status=Article.Status.PUBLISHED, published_at=timezone.now() + timezone.timedelta(days=1)
    )
    url = reverse("admin:articles_article_changelist")
    html = editor_client.get(url).content.decode()
    for text in (
        article.headline,
        "state-live",
        "state-scheduled",
        article.section.name,
        "Ana Ruiz",
        "admin-thumb",
    ):
        assert text in html
    for query in (
        "?status__exact=draft",
        f"?section__id__exact={article.section_id}",
        "?q=Council",
        "?published_at__year=2026",
        "?authors__id__exact=1",
    ):
        assert editor_client.get(url + query).status_code == 200


def test_autocompletes_answer_for_authors_photos_sections_and_tags(editor_client):
    make_author(name="Ana Ruiz")
    make_photo(title="Ferries")
    make_article(tags=["harbor dredging"])
    autocomplete = reverse("admin:autocomplete")
    for field, term, expected in [
        ("section", "Section", "Section"),
        ("lead_photo", "Ferr", "Ferries"),
    ]:
        response = editor_client.get(
            autocomplete,
            {"app_label": "articles", "model_name": "article", "field_name": field, "term": term},
        )
        assert expected in response.content.decode()
    response = editor_client.get(
        autocomplete,
        {"app_label": "articles", "model_name": "byline", "field_name": "author", "term": "Ana"},
    )
    assert "Ana Ruiz" in response.content.decode()
    response = editor_client.get(
        reverse("admin:articles_article_tag_autocomplete"), {"term": "dredg"}
    )
    assert response.json()["results"] == [{"id": "harbor dredging", "text": "harbor dredging"}]


def test_admin_is_branded_with_the_site_name(editor_client, settings):
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert settings.SITE_NAME in html


def test_groups_are_created_by_migration():
    from django.contrib.auth.models import Group

    writer = Group.objects.get(name="Writer")
    editor = Group.objects.get(name="Editor")
    assert not writer.permissions.filter(codename="publish_article").exists()
    assert editor.permissions.filter(codename="publish_article").exists()


def test_article_list_thumbnails_are_small_renditions_not_originals(editor_client):
    make_article(lead_photo=make_photo(image=image_file(size=(1600, 1000))))
    html = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    thumb = html.split('class="admin-thumb"', 1)[0].rsplit("<img", 1)[1]
    assert "/media/renditions/" in thumb and "/media/photos/" not in thumb


def test_the_admin_loads_without_the_public_views():
    """The admin shares the preview page and the planner's estimate through their own
    modules, so it can be deployed, and changed, apart from the reader's views."""
    code = (
        "import sys, django; django.setup(); import articles.admin; "
        "sys.exit('articles.views' in sys.modules)"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    loaded = subprocess.run([sys.executable, "-c", code], env=environment, check=False)  # noqa: S603
    assert loaded.returncode == 0
