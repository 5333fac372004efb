"""Hostile plain text comes out of every machine-read format as the same text, never markup.

A dek, caption or name typed as ``<img src=x onerror=alert(1)>`` must reach a feed reader,
a search engine's sitemap reader and a JSON-LD parser as those characters. Each format is read
back with a real parser: feedparser (without its own sanitiser, as a naive reader would),
ElementTree and json.
"""

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import feedparser
import pytest

from articles.models import Article
from articles.plaintext import plain_text

from .payloads import XSS_PAYLOADS, hostile_newsroom

pytestmark = pytest.mark.django_db

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


class HTMLText(HTMLParser):
    """What an HTML fragment means to a browser: its elements and its text."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements, self.text = [], []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def read_as_html(value):
    parsed = HTMLText(value)
    return parsed.elements, "".join(parsed.text)


def as_read(detail):
    """A feed value as its reader takes it: HTML is parsed, text is taken as it is."""
    if detail.type == "text/html":
        elements, text = read_as_html(detail.value)
        assert elements == [], detail.value
        return text
    return detail.value


@pytest.fixture(params=XSS_PAYLOADS, ids=range(len(XSS_PAYLOADS)))
def hostile(request):
    return hostile_newsroom(request.param)


FEEDS = [
    "/feeds/rss/",
    "/feeds/atom/",
    "/section/hostile/rss/",
    "/section/hostile/atom/",
    "/author/hostile/rss/",
    "/author/hostile/atom/",
]


def test_text_fields_keep_what_was_typed_less_what_xml_cannot_carry(hostile):
    article = hostile["article"]
    assert article.dek == plain_text(hostile["payload"])
    assert "\x0b" not in Article.objects.get(pk=article.pk).headline


@pytest.mark.parametrize("url", FEEDS)
def test_every_feed_gives_back_the_text_that_was_typed(client, hostile, url):
    article = hostile["article"]
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content, sanitize_html=False)
    assert not feed.bozo, feed.bozo_exception
    (entry,) = feed.entries
    assert as_read(entry.title_detail) == article.headline
    subject = {"section": article.section.name, "author": hostile["author"].name}
    site = hostile["site"].name
    expected_title = next((f"{subject[k]} | {site}" for k in subject if k in url), site)
    assert as_read(feed.feed.title_detail) == expected_title
    assert entry.author == hostile["author"].name
    assert article.section.name in [tag.term for tag in entry.tags]
    assert article.tags.get().name in [tag.term for tag in entry.tags]
    assert entry.media_credit[0]["content"] == article.lead_photo.credit
    # What feed readers render as HTML means exactly the typed text, and holds no element.
    assert entry.summary_detail.type == "text/html"
    assert read_as_html(entry.summary) == ([], article.dek)
    expected_about = hostile["site"].description
    if "section" in url:
        expected_about = article.section.description
    if "author" in url:
        expected_about = hostile["author"].bio
    assert as_read(feed.feed.subtitle_detail) == expected_about


def test_the_photo_caption_in_media_rss_is_the_typed_text(client, hostile):
    feed = feedparser.parse(client.get("/feeds/rss/").content, sanitize_html=False)
    xml = client.get("/feeds/rss/").content.decode()
    # feedparser folds <media:description> into the summary; read it from the XML itself.
    root = ET.fromstring(xml)
    (description,) = root.iter("{http://search.yahoo.com/mrss/}description")
    assert description.get("type") == "html"
    assert read_as_html(description.text) == ([], hostile["article"].caption)
    assert feed.entries


def test_sitemaps_give_back_the_typed_text(client, hostile):
    root = ET.fromstring(client.get("/news-sitemap.xml").content)
    news = root.find("s:url/news:news", SITEMAP_NS)
    assert news.find("news:title", SITEMAP_NS).text == hostile["article"].headline
    assert news.find("news:publication/news:name", SITEMAP_NS).text == hostile["site"].name
    assert news.find("news:keywords", SITEMAP_NS).text == hostile["article"].tags.get().name
    for sitemap in ("articles", "sections", "tags", "authors"):
        response = client.get(f"/sitemap-{sitemap}.xml")
        assert response.status_code == 200
        ET.fromstring(response.content)


def test_jsonld_gives_back_the_typed_text_and_stays_in_its_script(client, hostile):
    article = hostile["article"]
    html = client.get(article.url).content.decode()
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert "<" not in block
    data = json.loads(block)
    assert data["headline"] == article.headline[:110]
    assert data["description"] == article.dek
    assert data["dateline"] == article.dateline
    assert data["articleSection"] == article.section.name
    assert data["keywords"] == [article.tags.get().name]
    assert [author["name"] for author in data["author"]] == [hostile["author"].name]
    assert data["publisher"]["name"] == hostile["site"].name
    (image,) = data["image"][:1]
    assert image["caption"] == article.caption
    assert image["creditText"] == article.lead_photo.credit
