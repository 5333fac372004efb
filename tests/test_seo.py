"""News SEO: canonical links, descriptions, OpenGraph, Twitter cards and JSON-LD."""

import json
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest

from .factories import make_article, make_author, make_photo

pytestmark = pytest.mark.django_db


class HeadParser(HTMLParser):
    """Collects <meta>, <link> and JSON-LD blocks the way a crawler reads them."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.jsonld, self._in_jsonld = {}, [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name")
            if key:
                self.meta.setdefault(key, []).append(attrs.get("content"))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_jsonld = True

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld.append(json.loads(data))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_jsonld = False


def parse(client, url):
    parser = HeadParser()
    parser.feed(client.get(url).content.decode())
    return parser


@pytest.fixture
def article():
    return make_article(
        headline="Council backs </script><script>alert(1)</script> budget",
        dek="The vote frees $40 million for dredging.",
        dateline="PORT ALDREN",
        lead_photo=make_photo(caption="Council members vote.", credit="Reuters/Jane Doe"),
        authors=[make_author(name="Ana Ruiz"), make_author(name="Ben Okafor")],
        tags=["harbor", "budget"],
    )


def test_article_jsonld_is_a_complete_news_article(client, settings, article):
    (data,) = parse(client, article.url).jsonld
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.headline
    assert data["description"] == article.dek
    published = datetime.fromisoformat(data["datePublished"])
    assert abs(published - article.published_at) < timedelta(milliseconds=1)
    assert datetime.fromisoformat(data["dateModified"]) >= published
    assert [a["name"] for a in data["author"]] == ["Ana Ruiz", "Ben Okafor"]
    assert data["author"][0]["url"].startswith(settings.SITE_URL + "/author/")
    assert data["publisher"]["name"] == "The Port Aldren Courier"
    assert data["publisher"]["logo"]["url"].endswith(".png")
    assert data["articleSection"] == article.section.name
    assert sorted(data["keywords"]) == ["budget", "harbor"]
    image = data["image"][0]
    assert image["url"].startswith(settings.SITE_URL + "/media/renditions/")
    assert image["creditText"] == "Reuters/Jane Doe" and image["caption"] == "Council members vote."
    assert data["mainEntityOfPage"]["@id"] == settings.SITE_URL + article.url


def test_jsonld_cannot_break_out_of_its_script_element(client, article):
    html = client.get(article.url).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and "\\u003C/script\\u003E" in block


def test_article_has_canonical_description_robots_opengraph_and_twitter(client, settings, article):
    head = parse(client, article.url)
    canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
    assert canonical == [settings.SITE_URL + article.url]
    assert head.meta["description"] == [article.dek]
    assert "max-image-preview:large" in head.meta["robots"][0]
    assert head.meta["og:type"] == ["article"]
    assert head.meta["og:title"] == [article.headline]
    assert head.meta["og:image"][0].startswith(settings.SITE_URL + "/media/renditions/")
    assert head.meta["og:image:alt"] == [article.lead_photo.alt_text]
    assert head.meta["twitter:card"] == ["summary_large_image"]
    assert sorted(head.meta["article:tag"]) == ["budget", "harbor"]


def test_listing_pages_have_canonical_links_and_descriptions(client, settings, article):
    head = parse(client, article.section.get_absolute_url())
    canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
    assert canonical == [settings.SITE_URL + article.section.get_absolute_url()]
    assert head.meta["description"][0]
    assert "max-image-preview:large" in head.meta["robots"][0]
