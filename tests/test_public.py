"""What an anonymous reader sees on the homepage and the article page."""

import pytest
from django.utils import timezone

from articles.models import Article

from .factories import make_article, make_author, make_photo, make_section

pytestmark = pytest.mark.django_db


def test_article_page_shows_the_full_anatomy(client):
    photo = make_photo(caption="Ferries wait at Pier 4.", credit="Reuters/Jane Doe")
    article = make_article(
        kicker="Harbor",
        headline="Dredging begins in the outer harbor",
        dek="The $40 million project will take two years.",
        dateline="PORT ALDREN",
        body="<p>Crews began work on Monday.</p>",
        lead_photo=photo,
        authors=[make_author(name="Ana Ruiz"), make_author(name="Ben Okafor")],
        tags=["harbor", "budget"],
    )
    response = client.get(article.get_absolute_url())
    html = response.content.decode()

    assert response.status_code == 200
    assert html.count("<h1") == 1
    for text in (
        "Harbor",
        "Dredging begins in the outer harbor",
        "The $40 million project",
        "PORT ALDREN",
        "Crews began work on Monday.",
        'By <span class="author">Ana Ruiz</span> and <span class="author">Ben Okafor</span>',
        "harbor",
        "budget",
    ):
        assert text in html
    assert f'datetime="{timezone.localtime(article.published_at).isoformat()}"' in html
    figure = html.split("<figure", 1)[1].split("</figure>", 1)[0]
    figcaption = figure.split("<figcaption>", 1)[1]
    assert "Ferries wait at Pier 4." in figcaption
    assert "Photo: Reuters/Jane Doe" in figcaption
    assert f'alt="{photo.alt_text}"' in figure


def test_story_caption_replaces_the_photo_caption(client):
    photo = make_photo(caption="Library caption.")
    article = make_article(lead_photo=photo, lead_photo_caption="Caption for this story.")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Caption for this story." in html
    assert "Library caption." not in html


def test_old_slug_redirects_permanently_to_the_canonical_url(client):
    article = make_article(slug="new-slug")
    response = client.get(f"/news/{article.pk}/old-slug/")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_homepage_lists_published_stories_newest_first(client):
    section = make_section()
    older = make_article(section=section, published_at=timezone.now() - timezone.timedelta(days=1))
    newer = make_article(section=section)
    make_article(section=section, headline="Secret draft", status=Article.Status.DRAFT)
    html = client.get("/").content.decode()
    assert html.index(newer.headline) < html.index(older.headline)
    assert "Secret draft" not in html


def test_masthead_shows_todays_date_in_the_newsroom_time_zone(client):
    today = timezone.localdate()
    html = client.get("/").content.decode()
    assert f'<time datetime="{today:%Y-%m-%d}">' in html


@pytest.mark.parametrize("stories", [3, 12])
def test_homepage_query_count_does_not_grow_with_stories(
    client, django_assert_num_queries, stories
):
    section = make_section()
    authors = [make_author(), make_author()]
    for _ in range(stories):
        make_article(section=section, lead_photo=make_photo(), authors=authors, tags=["a", "b"])
    # stories+sections+photos in one query, bylines with authors in one, photo renditions in one.
    with django_assert_num_queries(3):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("extra", [1, 8])
def test_article_query_count_does_not_grow_with_authors_or_tags(
    client, django_assert_num_queries, extra
):
    authors = [make_author() for _ in range(extra)]
    article = make_article(
        lead_photo=make_photo(), authors=authors, tags=[f"tag {n}" for n in range(extra)]
    )
    # article+section+photo, bylines+authors, lead-photo renditions, tags, gallery
    # placements+photos (the gallery's renditions add one more when there is a gallery).
    with django_assert_num_queries(5):
        assert client.get(article.get_absolute_url()).status_code == 200
