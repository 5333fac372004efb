"""Feeds, sitemaps and robots.txt, checked with real parsers."""

import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.utils import timezone

from articles import analytics
from articles.models import Article

from .factories import make_article, make_author, make_photo, make_section

pytestmark = pytest.mark.django_db

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


@pytest.fixture
def newsroom():
    section = make_section(name="Harbor", slug="harbor")
    author = make_author(name="Ana Ruiz", slug="ana-ruiz")
    # Only on hidden stories: their pages list nothing, and no sitemap names them.
    unseen_author = make_author(name="Quinn Unseen", slug="quinn-unseen")
    live = make_article(
        section=section,
        authors=[author],
        tags=["ferries"],
        headline="Ferries return",
        lead_photo=make_photo(caption="A ferry docks.", credit="Reuters/Jane Doe"),
    )
    hidden = [
        make_article(
            section=section,
            authors=[author, unseen_author],
            tags=["ferries", "under wraps"],
            headline="Draft story",
            status=Article.Status.DRAFT,
        ),
        make_article(
            section=section,
            authors=[author, unseen_author],
            tags=["ferries", "under wraps"],
            headline="Scheduled story",
            published_at=timezone.now() + timezone.timedelta(days=1),
        ),
        make_article(
            section=section,
            authors=[author, unseen_author],
            tags=["ferries", "under wraps"],
            headline="In review story",
            status=Article.Status.REVIEW,
        ),
        make_article(
            section=section,
            authors=[author, unseen_author],
            tags=["ferries", "under wraps"],
            headline="Trashed story",
            trashed_at=timezone.now(),
        ),
        make_article(
            section=section,
            authors=[author, unseen_author],
            tags=["ferries", "under wraps"],
            headline="Unpublished story",
            status=Article.Status.UNPUBLISHED,
        ),
        make_article(
            section=section,
            authors=[author, unseen_author],
            tags=["ferries", "under wraps"],
            headline="Embargoed story",
            embargo_until=timezone.now() + timezone.timedelta(hours=2),
        ),
    ]
    return {"live": live, "hidden": hidden}


FEEDS = [
    "/feeds/rss/",
    "/feeds/atom/",
    "/section/harbor/rss/",
    "/section/harbor/atom/",
    "/tag/ferries/rss/",
    "/tag/ferries/atom/",
    "/author/ana-ruiz/rss/",
    "/author/ana-ruiz/atom/",
]


@pytest.mark.parametrize("url", FEEDS)
def test_feeds_are_valid_and_carry_the_photo_and_its_credit(client, newsroom, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    assert [entry.title for entry in feed.entries] == ["Ferries return"]
    entry = feed.entries[0]
    assert entry.link.endswith(newsroom["live"].url)
    assert entry.media_content[0]["url"].startswith("http")
    assert entry.media_credit[0]["content"] == "Reuters/Jane Doe"
    assert "ferries" in [tag.term for tag in entry.tags]
    assert entry.author == "Ana Ruiz"


def test_feeds_of_unknown_subjects_are_404(client):
    for url in ("/section/nope/rss/", "/tag/nope/atom/", "/author/nope/rss/"):
        assert client.get(url).status_code == 404


def test_sitemap_index_lists_sitemaps_that_hold_only_public_pages(client, newsroom):
    index = ET.fromstring(client.get("/sitemap.xml").content)
    locations = [loc.text for loc in index.findall("s:sitemap/s:loc", SITEMAP_NS)]
    assert {loc.rsplit("/", 1)[1] for loc in locations} == {
        "sitemap-articles.xml",
        "sitemap-sections.xml",
        "sitemap-tags.xml",
        "sitemap-authors.xml",
    }
    urls = []
    for location in locations:
        path = location.split("://", 1)[1].split("/", 1)[1]
        sitemap = ET.fromstring(client.get("/" + path).content)
        urls += [loc.text for loc in sitemap.findall("s:url/s:loc", SITEMAP_NS)]
    assert any(url.endswith(newsroom["live"].url) for url in urls)
    assert any(url.endswith("/section/harbor/") for url in urls)
    assert any(url.endswith("/tag/ferries/") for url in urls)
    assert any(url.endswith("/author/ana-ruiz/") for url in urls)
    for story in newsroom["hidden"]:
        assert not any(url.endswith(story.url) for url in urls)


def test_news_sitemap_lists_the_last_48_hours(client, newsroom):
    old = make_article(
        headline="Last week's story", published_at=timezone.now() - timezone.timedelta(days=3)
    )
    root = ET.fromstring(client.get("/news-sitemap.xml").content)
    entries = root.findall("s:url", SITEMAP_NS)
    titles = [e.find("news:news/news:title", SITEMAP_NS).text for e in entries]
    assert titles == ["Ferries return"]
    assert old.headline not in titles
    news = entries[0].find("news:news", SITEMAP_NS)
    assert news.find("news:publication/news:name", SITEMAP_NS).text == "The Port Aldren Courier"
    assert news.find("news:keywords", SITEMAP_NS).text == "ferries"


def test_robots_txt_points_to_the_sitemaps(client, settings):
    text = client.get("/robots.txt").content.decode()
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in text
    assert f"Sitemap: {settings.SITE_URL}/news-sitemap.xml" in text
    assert "Disallow: /admin/" in text


def test_stories_readers_may_not_see_appear_on_no_public_page(client, newsroom):
    """Drafts, in-review, scheduled, trashed, unpublished and embargoed stories are on no
    page: not in listings, feeds, sitemaps or search, not among the live story's related
    stories, not in "most read" however much they were read, and their own pages are 404."""
    for story in [newsroom["live"], *newsroom["hidden"]]:
        for _ in range(3 if story in newsroom["hidden"] else 1):
            analytics.record_view(story.pk, "(direct)")
    sitemaps = [
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-sections.xml",
        "/sitemap-tags.xml",
        "/sitemap-authors.xml",
        "/news-sitemap.xml",
    ]
    urls = [
        "/",
        "/corrections/",
        "/section/harbor/",
        "/tag/ferries/",
        "/tag/under-wraps/",
        "/author/ana-ruiz/",
        "/author/quinn-unseen/",
        "/search/?q=story",
        newsroom["live"].url,  # related stories and most read
        *FEEDS,
        "/tag/under-wraps/rss/",
        "/author/quinn-unseen/atom/",
        *sitemaps,
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for story in newsroom["hidden"]:
            assert story.headline not in body, (story.headline, url)
            assert story.url not in body, (story.headline, url)
        if url in sitemaps:
            assert "/tag/under-wraps/" not in body, url
            assert "/author/quinn-unseen/" not in body, url
    # The rails are not empty: the live story is what "most read" shows.
    assert "Ferries return" in client.get("/").content.decode()
    assert 'href="/news/' not in client.get("/tag/under-wraps/").content.decode()
    for story in newsroom["hidden"]:
        assert client.get(story.url).status_code == 404


def test_addresses_in_feeds_sitemaps_and_pages_use_the_site_url_whatever_the_host(
    client, newsroom, settings
):
    """Readers and crawlers that reached the site by another name (a proxy's internal host,
    an old domain) are given the public addresses. (The sitemap index names its sitemaps on
    the host asked, as Django's view does: they are this server's either way.)"""
    settings.SITE_URL = "https://news.example"
    settings.ALLOWED_HOSTS = ["internal.example"]
    live = newsroom["live"]
    pages = [
        *FEEDS,
        "/sitemap-articles.xml",
        "/sitemap-sections.xml",
        "/sitemap-tags.xml",
        "/sitemap-authors.xml",
        "/news-sitemap.xml",
        "/robots.txt",
        live.url,
        "/section/harbor/",
    ]
    for url in pages:
        body = client.get(url, HTTP_HOST="internal.example").content.decode()
        assert "internal.example" not in body, url
        assert "https://news.example/" in body, url
    feed = feedparser.parse(client.get("/tag/ferries/rss/", HTTP_HOST="internal.example").content)
    assert feed.feed.link == "https://news.example/tag/ferries/"
    assert feed.entries[0].link == "https://news.example" + live.url
    page = client.get(live.url, HTTP_HOST="internal.example").content.decode()
    assert f'<link rel="canonical" href="https://news.example{live.url}">' in page
    assert '<a href="/tag/ferries/" rel="tag">ferries</a>' in page


@pytest.mark.parametrize("stories", [5, 30])
def test_feed_query_count_does_not_grow_with_stories(client, django_assert_num_queries, stories):
    section = make_section(slug="busy")
    for _ in range(stories):
        make_article(
            section=section,
            authors=[make_author(), make_author()],
            tags=["a", "b"],
            lead_photo=make_photo(),
        )
    client.get("/section/busy/rss/")
    # section; stories (+section, photo); bylines; photo renditions; tags.
    with django_assert_num_queries(5):
        client.get("/section/busy/rss/")
