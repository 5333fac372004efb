"""Production behaviours that need no proxy: media served by Django when no web server is in
front, machine-readable times, and the structured-data images."""

import io
import json
import re
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from PIL import Image

from articles.models import GalleryPhoto

from .factories import make_article, make_photo

pytestmark = pytest.mark.django_db

YEAR = 365 * 24 * 3600


def jsonld(response):
    (block,) = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(block)


def two_colour_photo(size=(2400, 1600), split=0.75, **fields):
    """A blue picture whose right part (from ``split`` of its width) is red."""
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (int(size[0] * split), 0, size[0], size[1]))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    upload = SimpleUploadedFile("harbour.jpg", buffer.getvalue(), content_type="image/jpeg")
    return make_photo(image=upload, **fields)


# --- Media without a proxy ------------------------------------------------------------------


def test_media_served_with_long_caching_and_nosniff_when_serve_media_is_on(client, settings):
    settings.SERVE_MEDIA = True
    photo = make_photo()
    url = photo.rendition("w400").file.url if photo.rendition("w400") else photo.image.url
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert f"max-age={YEAR}" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


def test_media_folders_are_never_listed_and_paths_cannot_leave_media_root(client, settings):
    settings.SERVE_MEDIA = True
    make_photo()
    assert client.get(settings.MEDIA_URL + "renditions/").status_code == 404
    assert client.get(settings.MEDIA_URL).status_code == 404
    assert client.get(settings.MEDIA_URL + "../newsroom/settings.py").status_code == 404
    assert client.get(settings.MEDIA_URL + "%2e%2e/manage.py").status_code == 404


def test_media_is_left_to_the_proxy_when_serve_media_is_off(client, settings):
    settings.SERVE_MEDIA = False
    photo = make_photo()
    assert client.get(photo.image.url).status_code == 404


# --- Times ------------------------------------------------------------------------------


def test_iso_datetime_drops_microseconds_and_speaks_the_newsrooms_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    moment = datetime(2026, 11, 30, 14, 15, 16, 123456, tzinfo=UTC)
    rendered = Template("{% load dates %}{{ moment|iso_datetime }}|{{ nothing|iso_datetime }}")
    assert rendered.render(Context({"moment": moment, "nothing": None})) == (
        "2026-11-30T09:15:16-05:00|"
    )


def test_every_time_element_on_article_and_home_pages_is_to_the_second(client):
    article = make_article()
    for url in ("/", article.url):
        values = re.findall(r'<time datetime="([^"]+)"', client.get(url).content.decode())
        assert any("T" in value for value in values)  # the masthead's is a plain date
        for value in values:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d[+-]\d\d:\d\d)?", value), value


# --- Structured data ----------------------------------------------------------------------


def test_jsonld_lists_16_9_4_3_and_1_1_crops_at_least_1200_wide_around_the_focal_point(
    client, settings
):
    settings.SERVE_MEDIA = True
    # The focal point sits in the red right quarter; a centred square would be all blue.
    photo = two_colour_photo(focal_x=90, focal_y=50)
    article = make_article(lead_photo=photo)
    images = jsonld(client.get(article.url))["image"]
    ratios = [round(image["width"] / image["height"], 2) for image in images]
    assert ratios == [round(16 / 9, 2), round(4 / 3, 2), 1.0]
    for image in images:
        assert image["width"] >= 1200
        assert image["creditText"] == photo.credit
        response = client.get(image["url"].removeprefix(settings.SITE_URL))
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        picture = Image.open(io.BytesIO(b"".join(response.streaming_content)))
        assert picture.size == (image["width"], image["height"])
        right_edge = picture.getpixel((picture.width - 2, picture.height // 2))
        assert right_edge[0] > 200 and right_edge[2] < 60, image["url"]


def test_jsonld_lists_the_gallery_photos_after_the_lead_crops(client, settings):
    settings.SERVE_MEDIA = True
    article = make_article(lead_photo=make_photo())
    first = make_photo(credit="AP/Sam Lee", caption="The old pier.")
    second = make_photo(credit="Courier/Kim Ng")
    GalleryPhoto.objects.create(article=article, photo=first, order=1)
    GalleryPhoto.objects.create(article=article, photo=second, order=2, caption="At night.")
    images = jsonld(client.get(article.url))["image"]
    assert len(images) == 5
    assert [(image["creditText"], image["caption"]) for image in images[3:]] == [
        ("AP/Sam Lee", "The old pier."),
        ("Courier/Kim Ng", "At night."),
    ]
    for image in images:
        assert client.get(image["url"].removeprefix(settings.SITE_URL)).status_code == 200
