"""Photos through the admin as an editor uploads them, and as readers receive them.

Every test image is drawn here with Pillow; the "bad files" are built byte by byte.
"""

import io
import struct
import zlib
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageCms, ImageDraw

from articles import placements, workflow
from articles.images import inspect_upload, plan_renditions
from articles.models import Article, BodyPhoto, GalleryPhoto, Photo, PhotoRendition

from .factories import make_article, make_photo, make_section
from .test_admin import ADD_ARTICLE, article_form
from .workflow_helpers import change_url, form_data

pytestmark = pytest.mark.django_db

ADD_PHOTO = reverse("admin:articles_photo_add")
BULK_UPLOAD = reverse("admin:articles_photo_bulk_upload")
CHANGELIST = reverse("admin:articles_photo_changelist")

GPS = {1: "N", 2: (41.0, 24.0, 12.2), 3: "W", 4: (71.0, 3.0, 30.5)}
SERIAL = "SN-4471-0042"
XMP_WITH_GPS = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:aux="http://ns.adobe.com/exif/1.0/aux/" '
    b'exif:GPSLatitude="41,24.2N" exif:GPSLongitude="71,3.5W" aux:SerialNumber="SN-4471-0042"/>'
    b"</rdf:RDF></x:xmpmeta>"
)


# --- Test images ------------------------------------------------------------------------------


def picture(size=(600, 400), mode="RGB"):
    """A drawn scene, so crops and resizes have something to show."""
    image = Image.new(mode, size, (40, 90, 160) if mode == "RGB" else (40, 90, 160, 255))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rectangle((0, height * 2 // 3, width, height), fill=(20, 60, 90))
    draw.ellipse((width // 2 - 40, height // 4, width // 2 + 40, height // 4 + 80), fill="gold")
    return image


def camera_exif(orientation=None):
    exif = Image.Exif()
    exif[0x010F] = "Test Camera"
    exif[0x0110] = "Model 7"
    if orientation:
        exif[0x0112] = orientation
    exif.get_ifd(0x8769).update({0xA431: SERIAL, 0xA435: "LENS-99", 0x9003: "2026:11:20 08:15:00"})
    exif.get_ifd(0x8825).update(GPS)
    return exif


def iptc_segment(records):
    """An APP13 segment with IPTC records, as photo desks and wire agencies write them."""
    iptc = b""
    for (record, dataset), value in records.items():
        encoded = value.encode()
        iptc += bytes([0x1C, record, dataset]) + len(encoded).to_bytes(2, "big") + encoded
    if len(iptc) % 2:
        iptc += b"\0"
    resource = b"8BIM" + (0x0404).to_bytes(2, "big") + b"\0\0" + len(iptc).to_bytes(4, "big")
    payload = b"Photoshop 3.0\0" + resource + iptc
    return b"\xff\xed" + (len(payload) + 2).to_bytes(2, "big") + payload


def jpeg_bytes(image=None, iptc=None, gps=True, orientation=None, icc=None, quality=90):
    image = image or picture()
    buffer = io.BytesIO()
    options = {"quality": quality, "xmp": XMP_WITH_GPS if gps else b""}
    if gps or orientation:
        options["exif"] = camera_exif(orientation).tobytes()
    if icc:
        options["icc_profile"] = icc
    image.save(buffer, "JPEG", **options)
    data = buffer.getvalue()
    if iptc:
        data = data[:2] + iptc_segment(iptc) + data[2:]
    return data


def upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def wire_photo_jpeg(**kwargs):
    return jpeg_bytes(
        iptc={
            (2, 5): "HARBOR-DREDGING",
            (2, 120): "A dredger works in the outer harbor of Port Aldren on Monday.",
            (2, 80): "Kevin Lamarque",
            (2, 110): "Reuters",
            (2, 115): "Reuters",
            (2, 116): "© 2026 Thomson Reuters",
        },
        **kwargs,
    )


def png_bytes(size=(500, 300)):
    image = picture(size, "RGBA")
    ImageDraw.Draw(image).rectangle((0, 0, 60, 60), fill=(0, 0, 0, 0))  # Transparent corner.
    buffer = io.BytesIO()
    exif = camera_exif()
    image.save(buffer, "PNG", exif=exif.tobytes())
    return buffer.getvalue()


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def decompression_bomb():
    """A 30000 x 30000 one-bit PNG: 113 KB on disk, 900 megapixels once decoded."""
    side = 30000
    raw = zlib.compress(b"\0" * ((side // 8 + 1) * side), 9)
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + png_chunk(b"IDAT", raw) + png_chunk(b"IEND", b"")


def html_jpeg_polyglot():
    """A JPEG that is also a web page: the HTML sits in a comment segment, where browsers
    sniffing the file would find and run it."""
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    comment = b"\xff\xfe" + (len(html) + 2).to_bytes(2, "big") + html
    data = jpeg_bytes(gps=False)
    return data[:2] + comment + data[2:]


BAD_FILES = {
    "text renamed .jpg": (
        "notes.jpg",
        b"Interview notes: call the harbor master back on Tuesday.\n" * 20,
        "not a JPEG, PNG, WebP or AVIF photo, whatever its name says",
    ),
    "truncated JPEG": (
        "cut-short.jpg",
        jpeg_bytes(picture((800, 600)), gps=False)[:6000],
        "damaged or incomplete",
    ),
    "decompression bomb": ("huge.png", decompression_bomb(), "far too many pixels"),
    "SVG with script": (
        "logo.jpg",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script><rect width='10' height='10'/></svg>",
        "This is an SVG drawing",
    ),
    "zero-byte file": ("empty.jpg", b"", "The submitted file is empty"),
    "HTML/JPEG polyglot": ("innocent.jpg", html_jpeg_polyglot(), "hides web-page code"),
    "HTML page": ("page.jpg", b"<!doctype html><title>x</title>", "a web page or other text"),
}


def stored_files(path=""):
    """Every file in default storage, through the storage API."""
    if path and not default_storage.exists(path):
        return []
    try:
        directories, files = default_storage.listdir(path)
    except FileNotFoundError:
        return []
    found = [f"{path}/{name}".lstrip("/") for name in files]
    for directory in directories:
        found += stored_files(f"{path}/{directory}".lstrip("/"))
    return found


def read_stored(name):
    with default_storage.open(name, "rb") as fh:
        return fh.read()


def photo_form(image, **overrides):
    return {
        "image": image,
        "title": "",
        "alt_text": "A dredger in the outer harbor",
        "caption": "",
        "credit": "",
        "source": "",
        "copyright": "",
        "usage_notes": "",
        "rights_expire_on": "",
        "focal_x": "50",
        "focal_y": "50",
    } | overrides


# --- Uploads ----------------------------------------------------------------------------------


def test_wire_photo_fills_caption_credit_and_copyright_from_its_iptc(editor_client):
    response = editor_client.post(ADD_PHOTO, photo_form(upload("DSC_0042.JPG", wire_photo_jpeg())))
    assert response.status_code == 302, response.content.decode()[:3000]
    photo = Photo.objects.get()
    assert photo.caption == "A dredger works in the outer harbor of Port Aldren on Monday."
    assert photo.credit == "Reuters/Kevin Lamarque"
    assert photo.source == "Reuters"
    assert photo.copyright == "© 2026 Thomson Reuters"
    assert photo.title == "HARBOR-DREDGING"
    assert photo.uploaded_by.username == "eddie"
    # The editor sees them filled in and can change them.
    change = editor_client.get(reverse("admin:articles_photo_change", args=[photo.pk]))
    html = change.content.decode()
    assert 'value="Reuters/Kevin Lamarque"' in html
    assert "A dredger works in the outer harbor" in html
    assert photo.renditions.count() == len(planned(photo))


def test_what_the_editor_types_wins_over_the_file(editor_client):
    data = photo_form(upload("wire.jpg", wire_photo_jpeg()), credit="Courier/Ana Ruiz")
    assert editor_client.post(ADD_PHOTO, data).status_code == 302
    photo = Photo.objects.get()
    assert photo.credit == "Courier/Ana Ruiz"
    assert photo.caption.startswith("A dredger")


def planned(photo):
    return [
        (spec.name, fmt)
        for spec, _box, _size in plan_renditions(photo.width, photo.height)
        for fmt in spec.formats
    ]


def assert_renditions_are_real(photo):
    """Every planned rendition exists once, is stored, and is the format and size it says."""
    renditions = list(photo.renditions.all())
    assert sorted((r.spec, r.format) for r in renditions) == sorted(planned(photo))
    for rendition in renditions:
        with Image.open(io.BytesIO(read_stored(rendition.file.name))) as image:
            assert image.format == rendition.format.upper()
            assert image.size == (rendition.width, rendition.height)
            assert rendition.width <= photo.width
    return renditions


def test_png_is_accepted_with_renditions(editor_client):
    response = editor_client.post(
        ADD_PHOTO, photo_form(upload("chart.png", png_bytes(), "image/png"))
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    photo = Photo.objects.get()
    assert photo.image.name.endswith(".png")
    assert (photo.width, photo.height) == (500, 300)
    renditions = assert_renditions_are_real(photo)
    jpeg = next(r for r in renditions if r.spec == "w400" and r.format == "jpeg")
    with Image.open(io.BytesIO(read_stored(jpeg.file.name))) as image:
        assert image.mode == "RGB"  # Transparency flattened onto white for JPEG.
        assert image.getpixel((2, 2)) == pytest.approx((255, 255, 255), abs=8)


def test_a_24_megapixel_jpeg_is_accepted_with_every_size(editor_client):
    big = picture((6000, 4000))
    response = editor_client.post(
        ADD_PHOTO, photo_form(upload("big.jpg", jpeg_bytes(big, quality=85)))
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (6000, 4000)
    renditions = assert_renditions_are_real(photo)
    widths = {r.width for r in renditions if r.spec.startswith("w")}
    assert widths == {400, 800, 1200, 1600}
    social = next(r for r in renditions if r.spec == "social")
    assert (social.width, social.height) == (1200, 630)


def test_the_file_type_comes_from_the_content_not_the_name(editor_client):
    response = editor_client.post(
        ADD_PHOTO, photo_form(upload("really-a-png.jpg", png_bytes(), "image/jpeg"))
    )
    assert response.status_code == 302
    assert Photo.objects.get().image.name.endswith(".png")


@pytest.mark.parametrize("kind", BAD_FILES)
def test_bad_files_get_a_clear_error_and_leave_nothing_behind(editor_client, kind):
    name, data, message = BAD_FILES[kind]
    response = editor_client.post(ADD_PHOTO, photo_form(upload(name, data)))
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert "errorlist" in html
    assert message in html, kind
    assert not Photo.objects.exists()
    assert stored_files() == []


def test_files_over_the_size_cap_are_refused(editor_client, settings):
    settings.PHOTO_MAX_UPLOAD_BYTES = 1000
    response = editor_client.post(ADD_PHOTO, photo_form(upload("a.jpg", jpeg_bytes())))
    assert "photos may be at most 1000" in response.content.decode()
    assert stored_files() == []


def test_pictures_over_the_pixel_limit_are_refused_by_their_header(settings):
    settings.PHOTO_MAX_PIXELS = 100_000
    with pytest.raises(ValidationError) as refused:
        inspect_upload(io.BytesIO(jpeg_bytes()))
    assert refused.value.messages == [
        "This picture is 600 × 400 pixels (0.2 megapixels); photos may be at most 0.1 "
        "megapixels. Resize it before uploading."
    ]


def test_heic_and_gif_are_refused_with_advice():
    heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 100
    with pytest.raises(ValidationError, match="Export it as JPEG"):
        inspect_upload(io.BytesIO(heic))
    gif = io.BytesIO()
    Image.new("P", (10, 10)).save(gif, "GIF")
    with pytest.raises(ValidationError, match="GIF files are not accepted"):
        inspect_upload(gif)


def test_webp_and_avif_are_accepted():
    for image_format in ("WEBP", "AVIF"):
        buffer = io.BytesIO()
        picture().save(buffer, image_format, exif=camera_exif().tobytes())
        info = inspect_upload(buffer)
        assert info.format == image_format
        photo = make_photo(image=upload(f"p.{image_format.lower()}", buffer.getvalue()))
        assert photo.image.name.endswith(f".{image_format.lower()}")
        assert_renditions_are_real(photo)
        assert SERIAL.encode() not in read_stored(photo.image.name)


# --- Privacy ----------------------------------------------------------------------------------


def assert_no_location_or_serials(name):
    data = read_stored(name)
    assert SERIAL.encode() not in data, name
    assert b"LENS-99" not in data, name
    assert b"GPSLatitude" not in data, name
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        assert not exif.get_ifd(0x8825), name
        assert 0x8825 not in exif, name
        assert 0xA431 not in exif.get_ifd(0x8769), name


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("upright.jpg", jpeg_bytes()),  # Kept bit for bit, minus metadata.
        ("rotated.jpg", jpeg_bytes(orientation=6)),  # Re-encoded upright.
        ("graphic.png", png_bytes()),
    ],
)
def test_no_stored_file_keeps_gps_or_camera_serials(editor_client, name, data):
    response = editor_client.post(ADD_PHOTO, photo_form(upload(name, data)))
    assert response.status_code == 302, response.content.decode()[:3000]
    photo = Photo.objects.get()
    files = [photo.image.name] + [r.file.name for r in photo.renditions.all()]
    assert len(files) >= 8  # The original and at least seven renditions.
    assert sorted(files) == sorted(stored_files())
    for stored in files:
        assert_no_location_or_serials(stored)


def test_harmless_exif_is_kept_in_the_original(editor_client):
    editor_client.post(ADD_PHOTO, photo_form(upload("a.jpg", jpeg_bytes())))
    with Image.open(default_storage.open(Photo.objects.get().image.name)) as image:
        exif = image.getexif()
        assert exif[0x010F] == "Test Camera"
        assert exif.get_ifd(0x8769)[0x9003] == "2026:11:20 08:15:00"


def test_orientation_is_applied_before_anything_else(editor_client):
    wide = picture((600, 400))
    response = editor_client.post(
        ADD_PHOTO, photo_form(upload("phone.jpg", jpeg_bytes(wide, orientation=6)))
    )
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (400, 600)  # Upright, as the camera meant.
    with Image.open(default_storage.open(photo.image.name)) as image:
        assert image.size == (400, 600)
        assert image.getexif().get(0x0112, 1) == 1
    w400 = photo.renditions.get(spec="w400", format="jpeg")
    assert (w400.width, w400.height) == (400, 600)


def test_the_colour_profile_is_kept(editor_client):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    editor_client.post(ADD_PHOTO, photo_form(upload("a.jpg", jpeg_bytes(icc=srgb))))
    photo = Photo.objects.get()
    for name in [photo.image.name] + [r.file.name for r in photo.renditions.all()]:
        with Image.open(default_storage.open(name)) as image:
            assert image.info.get("icc_profile") == srgb, name


def test_cmyk_jpegs_are_served_as_rgb():
    buffer = io.BytesIO()
    Image.new("CMYK", (300, 200), (0, 80, 80, 0)).save(buffer, "JPEG")
    photo = make_photo(image=upload("print.jpg", buffer.getvalue()))
    with Image.open(photo.rendition("w400", "webp").file.open("rb")) as image:
        assert image.mode == "RGB"


# --- Reader's pages ---------------------------------------------------------------------------


def test_pages_serve_picture_elements_and_never_make_images(client):
    lead = make_photo(credit="Reuters/Jane Doe", alt_text="A dredger at dawn")
    article = make_article(lead_photo=lead)
    first = make_photo(alt_text="Crew on deck", caption="Crew members on Monday.")
    second = make_photo(alt_text="The harbor at night", credit="Courier/Ben Okafor")
    GalleryPhoto.objects.create(article=article, photo=first, order=1)
    GalleryPhoto.objects.create(article=article, photo=second, order=2, caption="At night.")
    make_article(lead_photo=make_photo())

    def no_processing(*args, **kwargs):
        raise AssertionError("image processing during a page render")

    with (
        mock.patch("articles.images.render_renditions", no_processing),
        mock.patch("articles.models.Photo.make_renditions", no_processing),
        mock.patch("PIL.Image.open", no_processing),
        mock.patch("PIL.Image.Image.resize", no_processing),
    ):
        home = client.get("/").content.decode()
        page = client.get(article.get_absolute_url()).content.decode()

    for html in (home, page):
        assert '<source type="image/avif"' in html
        assert '<source type="image/webp"' in html
        assert "/media/photos/" not in html  # Renditions, never the original upload.
    # The homepage's first card is the lead; the rest load lazily.
    assert home.count('fetchpriority="high"') == 1
    assert home.count('loading="lazy"') == 1
    # Article page: the lead photo first and eager, the gallery lazy, in order, captioned.
    assert page.count('fetchpriority="high"') == 1
    assert page.index('fetchpriority="high"') < page.index('loading="lazy"')
    assert page.count('loading="lazy"') == 2
    assert page.index("Crew members on Monday.") < page.index("At night.")
    assert "Photo: Courier/Ben Okafor" in page
    for img in page.split("<img")[1:]:
        assert ' width="' in img.split(">")[0] and ' height="' in img.split(">")[0]
    assert 'alt="The harbor at night"' in page


def test_card_images_are_focal_point_crops_with_their_own_dimensions(client):
    photo = make_photo(image=upload("wide.jpg", jpeg_bytes(picture((1800, 600)), gps=False)))
    make_article(lead_photo=photo)
    html = client.get("/").content.decode()
    card = photo.rendition("card800")
    assert card.file.url in html
    assert (card.width, card.height) == (800, 533)
    assert 'width="900" height="600"' in html  # Largest card crop: 3:2 of a 600 px tall photo.


def test_decorative_photos_have_an_empty_alt():
    from django.template import Context, Template

    photo = make_photo(alt_text="", decorative=True)
    html = Template('{% load photos %}{% picture photo "full" %}').render(Context({"photo": photo}))
    assert 'alt=""' in html


@pytest.mark.parametrize("gallery_size", [1, 6])
def test_article_with_a_gallery_uses_a_constant_number_of_queries(
    client, django_assert_num_queries, gallery_size
):
    article = make_article(lead_photo=make_photo())
    for order in range(gallery_size):
        GalleryPhoto.objects.create(article=article, photo=make_photo(), order=order)
    assert client.get(article.url).status_code == 200  # fills the site-wide caches
    # article+section+photo (and whether it has corrections or a gallery), bylines, lead
    # renditions, tags, gallery+photos, gallery renditions, related candidates (by section:
    # no tags; nothing to rank here), most read.
    with django_assert_num_queries(8):
        assert client.get(article.url).status_code == 200


def test_social_cards_and_feeds_use_the_1200x630_crop(client):
    """JSON-LD lists its own 16:9, 4:3 and 1:1 crops (tests/test_production.py)."""
    photo = make_photo(image=upload("a.jpg", jpeg_bytes(picture((2400, 1600)), gps=False)))
    article = make_article(lead_photo=photo)
    crop = Photo.objects.with_renditions().get(pk=photo.pk).share_image()
    assert (crop.width, crop.height) == (1200, 630) and "social" in crop.url
    html = client.get(article.url).content.decode()
    assert f'<meta property="og:image" content="http://127.0.0.1:8000{crop.url}">' in html
    assert '<meta property="og:image:width" content="1200">' in html
    assert f'url="http://127.0.0.1:8000{crop.url}"' in client.get("/feeds/rss/").content.decode()


# --- Focal point ------------------------------------------------------------------------------


def half_and_half(size=(1200, 400)):
    image = Image.new("RGB", size, (220, 30, 30))
    ImageDraw.Draw(image).rectangle((size[0] // 2, 0, size[0], size[1]), fill=(30, 30, 220))
    return image


def card_colour(photo):
    rendition = photo.rendition("card400", "jpeg")
    with Image.open(rendition.file.open("rb")) as image:
        return image.convert("RGB").resize((1, 1)).getpixel((0, 0))


def test_focal_point_moves_card_and_social_crops(editor_client):
    photo = make_photo(image=upload("split.jpg", jpeg_bytes(half_and_half(), gps=False)))
    photo.focal_x = 10
    photo.save()
    red, _, blue = card_colour(photo)
    assert red > 180 and blue < 80  # The left (red) half is kept.

    change = reverse("admin:articles_photo_change", args=[photo.pk])
    data = photo_form("", alt_text=photo.alt_text, credit=photo.credit, focal_x="90")
    data.pop("image")
    response = editor_client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    photo.refresh_from_db()
    assert photo.focal_x == 90
    red, _, blue = card_colour(photo)
    assert blue > 180 and red < 80
    with Image.open(photo.rendition("social").file.open("rb")) as social:
        assert social.resize((1, 1)).getpixel((0, 0))[2] > 180


def test_focal_point_must_be_inside_the_picture(editor_client):
    photo = make_photo()
    change = reverse("admin:articles_photo_change", args=[photo.pk])
    data = photo_form("", alt_text="x", focal_x="140")
    data.pop("image")
    response = editor_client.post(change, data)
    assert "less than or equal to 100" in response.content.decode()


# --- Library ----------------------------------------------------------------------------------


def test_replacing_the_file_keeps_the_record_and_its_uses(
    editor_client, django_capture_on_commit_callbacks
):
    photo = make_photo()
    article = make_article(lead_photo=photo)
    old_files = {photo.image.name} | {r.file.name for r in photo.renditions.all()}
    change = reverse("admin:articles_photo_change", args=[photo.pk])
    new = upload("better.jpg", jpeg_bytes(picture((900, 600)), gps=False))
    data = photo_form(new, alt_text=photo.alt_text, credit=photo.credit, caption=photo.caption)
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    photo.refresh_from_db()
    article.refresh_from_db()
    assert article.lead_photo_id == photo.pk
    assert (photo.width, photo.height) == (900, 600)
    assert "better" in photo.image.name
    assert_renditions_are_real(photo)
    remaining = set(stored_files())
    assert not (old_files & remaining)  # The replaced file and its renditions are gone.
    assert photo.image.name in remaining


def test_deleting_a_photo_deletes_its_files(django_capture_on_commit_callbacks):
    photo = make_photo()
    assert stored_files()
    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()
    assert stored_files() == []


def test_alt_text_is_required_unless_the_photo_is_decorative(editor_client):
    response = editor_client.post(ADD_PHOTO, photo_form(upload("a.jpg", jpeg_bytes()), alt_text=""))
    assert "or tick “Decorative”" in response.content.decode()
    response = editor_client.post(
        ADD_PHOTO, photo_form(upload("a.jpg", jpeg_bytes()), alt_text="", decorative="on")
    )
    assert response.status_code == 302
    assert stored_files()


def test_library_lists_thumbnails_uses_and_filters(editor_client, editor):
    used = make_photo(title="Dredger", credit="Reuters/Jane Doe", source="Reuters")
    make_article(headline="Dredging begins", lead_photo=used)
    uncredited = make_photo(title="Night harbor", credit="", source="Handout")
    html = editor_client.get(CHANGELIST).content.decode()
    assert used.rendition("w400").file.url in html  # Thumbnails are renditions.
    assert "Missing credit" in html and "1 story" in html
    assert "Upload several photos" in html

    def titles(query):
        response = editor_client.get(CHANGELIST + query)
        assert response.status_code == 200
        return {p.title for p in response.context["cl"].result_list}

    assert titles("?needs=credit") == {"Night harbor"}
    assert titles("?used=yes") == {"Dredger"}
    assert titles("?used=no") == {"Night harbor"}
    assert titles("?source=Handout") == {"Night harbor"}
    assert titles("?q=reuters") == {"Dredger"}
    Photo.objects.filter(pk=uncredited.pk).update(uploaded_by=editor)
    assert titles(f"?uploaded_by__id__exact={editor.pk}") == {"Night harbor"}
    change = editor_client.get(reverse("admin:articles_photo_change", args=[used.pk]))
    html = change.content.decode()
    assert "Dredging begins" in html  # "Used in"
    assert 'class="focal-picker"' in html


def test_a_wire_photo_on_many_stories_lists_the_latest_and_counts_the_rest(
    editor_client, monkeypatch
):
    monkeypatch.setattr("articles.admin.photos.USED_IN_LISTED", 2)
    pool = make_photo(title="Harbor at dusk")
    for n in range(5):
        story = make_article(headline=f"Harbor story {n}", lead_photo=pool)
    GalleryPhoto.objects.create(article=story, photo=pool)  # the same story: counted once
    html = editor_client.get(CHANGELIST).content.decode()
    assert "5 stories" in html
    change = editor_client.get(reverse("admin:articles_photo_change", args=[pool.pk]))
    html = change.content.decode()
    assert "Harbor story 4" in html and "Harbor story 3" in html  # the latest edited
    assert "Harbor story 0" not in html
    assert "… and 3 more." in html


def test_bulk_upload_creates_one_photo_per_file(editor_client):
    files = [
        upload("one.jpg", wire_photo_jpeg()),
        upload("two.jpg", jpeg_bytes(gps=False)),
        upload("three.png", png_bytes(), "image/png"),
    ]
    response = editor_client.post(BULK_UPLOAD, {"files": files, "credit": "Courier/Staff"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"].endswith("?needs=alt")
    photos = Photo.objects.order_by("pk")
    assert photos.count() == 3
    # A file's own credit wins; the shared one fills in where the file has none.
    assert [p.credit for p in photos] == [
        "Reuters/Kevin Lamarque",
        "Courier/Staff",
        "Courier/Staff",
    ]
    assert all(p.renditions.exists() for p in photos)
    for photo in photos:
        assert photo.uploaded_by.username == "eddie"


def test_bulk_upload_with_a_bad_file_stores_nothing(editor_client):
    files = [upload("good.jpg", jpeg_bytes()), upload("bad.jpg", b"not a photo at all")]
    response = editor_client.post(BULK_UPLOAD, {"files": files})
    assert response.status_code == 200
    assert "bad.jpg: Upload a valid image" in response.content.decode()
    assert not Photo.objects.exists()
    assert stored_files() == []


def test_writers_can_upload_photos(writer_client):
    response = writer_client.post(ADD_PHOTO, photo_form(upload("a.jpg", jpeg_bytes())))
    assert response.status_code == 302
    assert writer_client.get(BULK_UPLOAD).status_code == 200


# --- Publishing guard and galleries in the article admin ---------------------------------------


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"credit": ""}, "has no credit"),
        ({"alt_text": "", "decorative": True}, "has no alt text"),
    ],
)
def test_a_story_cannot_be_published_while_its_lead_photo_lacks_credit_or_alt(
    editor_client, missing, message
):
    photo = make_photo(title="Harbor at dawn", **missing)
    section = make_section()
    data = article_form(section, lead_photo=photo.pk, status="published")
    response = editor_client.post(ADD_ARTICLE, data)
    assert response.status_code == 200
    html = response.content.decode().replace("&#x201C;", "“").replace("&#x201D;", "”")
    assert f"The lead photo “Harbor at dawn” {message}" in html
    assert not Article.objects.exists()
    # A draft may use it; fixing the photo lets the story go out.
    assert editor_client.post(ADD_ARTICLE, data | {"status": "draft"}).status_code == 302
    Photo.objects.filter(pk=photo.pk).update(credit="Reuters/Jane Doe", alt_text="Boats")
    article = Article.objects.get()
    change = reverse("admin:articles_article_change", args=[article.pk])
    response = editor_client.post(change, data | {"slug": article.slug})
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert article.is_live


def test_editor_adds_an_ordered_gallery_with_captions(editor_client, client):
    first, second = make_photo(title="Crew"), make_photo(title="Night", caption="Own caption.")
    section = make_section()
    data = article_form(section, status="published") | {
        "gallery_items-TOTAL_FORMS": "2",
        "gallery_items-0-photo": second.pk,
        "gallery_items-0-order": "2",
        "gallery_items-0-caption": "",
        "gallery_items-1-photo": first.pk,
        "gallery_items-1-order": "1",
        "gallery_items-1-caption": "The crew at work.",
    }
    response = editor_client.post(ADD_ARTICLE, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get()
    page = client.get(article.get_absolute_url()).content.decode()
    gallery = page.split('class="gallery"', 1)[1]
    assert gallery.index("The crew at work.") < gallery.index("Own caption.")
    assert gallery.count("Photo: Reuters/Jane Doe") == 2


# --- Maintenance ------------------------------------------------------------------------------


def test_rebuild_renditions_command_shows_progress_and_remakes_files():
    photos = [make_photo(), make_photo()]
    PhotoRendition.objects.filter(photo=photos[0]).delete()
    out = io.StringIO()
    call_command("rebuild_renditions", "--missing", "--dry-run", stdout=out)
    assert "Would rebuild renditions of 1 photos." in out.getvalue()
    assert not photos[0].renditions.exists()

    out = io.StringIO()
    call_command("rebuild_renditions", "--missing", stdout=out)
    assert "100%|##########| 1/1" in out.getvalue()  # the progress bar, complete
    assert_renditions_are_real(photos[0])

    out = io.StringIO()
    call_command("rebuild_renditions", stdout=out)
    assert "Rebuilt renditions of 2 photos." in out.getvalue()
    for photo in photos:
        assert_renditions_are_real(photo)


def test_photos_without_renditions_still_render_with_dimensions(client):
    photo = make_photo()
    PhotoRendition.objects.filter(photo=photo).delete()
    article = make_article(lead_photo=photo)
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'width="{photo.width}" height="{photo.height}"' in html


# --- Photos in the story body -------------------------------------------------------------------


def body_figure(photo, caption="", src="/media/anything.jpg"):
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return (
        f'<figure class="figure"><img src="{src}" alt="x" data-file="{photo.pk}">'
        f"{figcaption}</figure>"
    )


def test_editor_embeds_library_photos_in_the_body(editor_client, client):
    placed = make_photo(
        image=upload("divers.jpg", jpeg_bytes(gps=False)),
        alt_text="Divers check the hull",
        credit="Courier/Ben Okafor",
    )
    own_caption = make_photo(alt_text="Buoys", caption="Buoys mark the channel.")
    body = (
        "<p>Divers went down at noon.</p>"
        + body_figure(placed, "Divers before the <em>second</em> dive.")
        + "<p>The channel is marked.</p>"
        + body_figure(own_caption)
        + '<p><img src="https://tracker.example/pixel.gif"></p>'
    )
    section = make_section()
    response = editor_client.post(ADD_ARTICLE, article_form(section, status="published", body=body))
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get()
    assert f'data-file="{placed.pk}"' in article.body
    assert "tracker.example" not in article.body  # Only library photos may be embedded.

    html = client.get(article.get_absolute_url()).content.decode()
    story = html.split('class="story-body"', 1)[1].split("</div>", 1)[0]
    assert story.index("Divers went down") < story.index("Divers before the <em>second</em> dive.")
    assert "Photo: Courier/Ben Okafor" in story
    assert "Buoys mark the channel." in story  # No figcaption: the photo's own caption.
    assert placed.rendition("w800", "avif").file.url in story
    assert 'alt="Divers check the hull"' in story
    assert "/media/anything.jpg" not in html
    assert story.count("<picture>") == 2


def test_a_figure_without_its_placement_is_left_out():
    """Markup written around the model (raw SQL, an import) can name a photo the story does
    not place, or one that no longer exists: readers get the text without it."""
    from django.template import Context, Template

    photo = make_photo()
    article = make_article(body="<p>Before.</p>" + body_figure(photo) + "<p>After.</p>")
    BodyPhoto.objects.filter(article=article).delete()
    photo.delete()
    article = Article.objects.for_detail().get(pk=article.pk)
    html = Template("{% load richtext %}{{ article.body|richtext:article.body_photos }}").render(
        Context({"article": article})
    )
    assert html == "<p>Before.</p><p>After.</p>"


@pytest.mark.parametrize("placed", [1, 4])
def test_body_photos_cost_two_queries_whatever_their_number(
    client, django_assert_num_queries, placed
):
    body = "".join(body_figure(make_photo()) for _ in range(placed))
    article = make_article(lead_photo=make_photo(), body=body)
    assert client.get(article.url).status_code == 200  # fills the site-wide caches
    # The six of this article page without a gallery, then body photos and their renditions.
    with django_assert_num_queries(8):
        html = client.get(article.url).content.decode()
    assert html.count("<picture>") == placed + 1


def test_body_photos_are_rendered_without_image_processing(client):
    article = make_article(body=body_figure(make_photo(), "In the body."))

    def no_processing(*args, **kwargs):
        raise AssertionError("image processing during a page render")

    with (
        mock.patch("articles.images.render_renditions", no_processing),
        mock.patch("PIL.Image.open", no_processing),
    ):
        html = client.get(article.get_absolute_url()).content.decode()
    assert "In the body." in html and '<source type="image/avif"' in html


def test_body_editor_offers_the_photo_picker(editor_client):
    photo = make_photo(image=upload("d.jpg", jpeg_bytes(gps=False)), title="Divers", credit="")
    html = editor_client.get(ADD_ARTICLE).content.decode()
    assert reverse("admin:articles_photo_picker") in html
    picker = editor_client.get(reverse("admin:articles_photo_picker"), {"CKEditorFuncNum": "3"})
    page = picker.content.decode()
    assert f'data-id="{photo.pk}"' in page
    assert photo.rendition("w800").file.url in page
    assert "Missing credit" in page
    assert 'data-func-num="3"' in page
    searched = editor_client.get(reverse("admin:articles_photo_picker"), {"q": "nothing-like"})
    assert "No photos match." in searched.content.decode()


def test_a_failure_while_making_renditions_leaves_no_file(editor_client):
    with (
        mock.patch("articles.images.render_renditions", side_effect=OSError("disk full")),
        pytest.raises(OSError),
    ):
        editor_client.post(ADD_PHOTO, photo_form(upload("a.jpg", jpeg_bytes())))
    assert stored_files() == []


def test_a_live_story_with_an_older_uncredited_photo_can_still_be_corrected(editor_client):
    photo = make_photo(credit="")
    article = make_article(lead_photo=photo, headline="Typo in the headlne")
    change = reverse("admin:articles_article_change", args=[article.pk])
    response = editor_client.post(change, form_data(article, headline="Typo in the headline fixed"))
    assert response.status_code == 302, response.content.decode()[:3000]
    # Swapping in an uncredited photo is refused, though.
    article.refresh_from_db()
    other = make_photo(credit="", title="Other")
    response = editor_client.post(change, form_data(article, lead_photo=other.pk))
    assert "has no credit" in response.content.decode()


def test_the_publish_button_and_list_action_refuse_an_uncredited_lead_photo(editor_client):
    from .workflow_helpers import transition_url

    article = make_article(
        headline="Ferry story",
        status=Article.Status.REVIEW,
        published_at=None,
        lead_photo=make_photo(credit=""),
    )
    response = editor_client.post(transition_url(article, "publish"), follow=True)
    assert "has no credit" in response.content.decode()
    changelist = reverse("admin:articles_article_changelist")
    response = editor_client.post(
        changelist, {"action": "publish_now", "_selected_action": [article.pk]}, follow=True
    )
    assert "has no credit" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW


# --- The pipeline's layers --------------------------------------------------------------------


def test_the_pipeline_runs_without_loading_a_model_or_the_database_layer():
    """``articles.images`` is Pillow and plain values: it can be imported, run and measured
    without Django's models, so models may import it and never the other way round."""
    import subprocess
    import sys

    script = (
        "import sys, io\n"
        "from PIL import Image\n"
        "from django.conf import settings\n"
        "settings.configure(PHOTO_MAX_UPLOAD_BYTES=10_000_000)\n"
        "from articles import images\n"
        "buffer = io.BytesIO(); Image.new('RGB', (900, 600), 'teal').save(buffer, 'JPEG')\n"
        "info = images.inspect_upload(buffer)\n"
        "original = images.clean_original(buffer, info)\n"
        "made = images.render_renditions(io.BytesIO(original))\n"
        "layers = ('django.db', 'articles.models')\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(layers))\n"
        "print(len(made), loaded)\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    count, loaded = result.stdout.strip().split(" ", 1)
    assert int(count) > 10
    assert "django.db.models" not in loaded and "articles.models" not in loaded, loaded


# --- Placements: lead, gallery and body photos ---------------------------------------------------


def placed_ids(article):
    return list(BodyPhoto.objects.filter(article=article).values_list("photo_id", flat=True))


def test_a_photo_only_in_a_body_is_used_and_cannot_be_deleted(
    editor_client, django_capture_on_commit_callbacks
):
    """The library knows a body photo: it is counted and listed as used, and deleting it is
    refused with the story named, so the story never loses its figure silently."""
    photo = make_photo(title="Divers at the hull")
    make_article(headline="Divers inspect the ferry", body=body_figure(photo))
    unused = make_photo(title="Empty quay")
    files = set(stored_files())

    html = editor_client.get(CHANGELIST).content.decode()
    assert "1 story" in html

    def titles(query):
        return {p.title for p in editor_client.get(CHANGELIST + query).context["cl"].result_list}

    assert titles("?used=yes") == {"Divers at the hull"}
    assert titles("?used=no") == {"Empty quay"}
    change = editor_client.get(reverse("admin:articles_photo_change", args=[photo.pk]))
    assert "Divers inspect the ferry" in change.content.decode()
    assert "(body)" in change.content.decode()

    delete = reverse("admin:articles_photo_delete", args=[photo.pk])
    page = editor_client.get(delete)
    assert page.status_code == 200
    assert "Divers inspect the ferry" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        refused = editor_client.post(delete, {"post": "yes"})
        bulk = editor_client.post(
            CHANGELIST,
            {"action": "delete_selected", "_selected_action": [photo.pk, unused.pk], "post": "yes"},
        )
    assert refused.status_code == 200 and bulk.status_code == 200
    assert "Divers inspect the ferry" in bulk.content.decode()
    assert Photo.objects.filter(pk__in=[photo.pk, unused.pk]).count() == 2
    assert set(stored_files()) == files  # no file went either


def test_the_used_in_list_says_where_each_story_shows_the_photo(editor_client):
    photo = make_photo()
    make_article(headline="Lead story", lead_photo=photo, body=body_figure(photo))
    gallery = make_article(headline="Gallery story")
    GalleryPhoto.objects.create(article=gallery, photo=photo)
    make_article(headline="Body story", body=body_figure(photo))
    html = editor_client.get(CHANGELIST).content.decode()
    assert "3 stories" in html  # the lead story shows it twice and counts once
    page = editor_client.get(reverse("admin:articles_photo_change", args=[photo.pk]))
    html = page.content.decode()
    assert "Lead story</a> (lead photo, body)" in html
    assert "Gallery story</a> (gallery)" in html
    assert "Body story</a> (body)" in html
    assert set(placements.stories_showing(photo).values_list("headline", flat=True)) == {
        "Lead story",
        "Gallery story",
        "Body story",
    }


def test_body_placements_follow_every_save_of_the_body(editor_client, editor):
    first, second, third = make_photo(), make_photo(), make_photo()
    section = make_section()
    body = body_figure(first) + "<p>Text.</p>" + body_figure(second)
    response = editor_client.post(ADD_ARTICLE, article_form(section, body=body))
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get()
    assert placed_ids(article) == [first.pk, second.pk]  # the admin form, in reading order

    response = editor_client.post(
        change_url(article), form_data(article, body=body_figure(third) + body_figure(first))
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert placed_ids(article) == [third.pk, first.pk]

    article.refresh_from_db()
    article.body = "<p>No photos now.</p>"
    article.save()  # a script
    assert placed_ids(article) == []

    Article.objects.filter(pk=article.pk).update(body=body_figure(second))
    assert placed_ids(article) == [second.pk]

    from reversion.models import Version

    with_third = next(
        v
        for v in Version.objects.get_for_object(article)
        if f'"{third.pk}"' in v.field_dict["body"]
    )
    restore = reverse("admin:articles_article_restore_revision", args=[article.pk, with_third.pk])
    assert editor_client.post(restore).status_code == 302
    assert placed_ids(article) == [third.pk, first.pk]


def test_a_figure_of_a_photo_that_does_not_exist_is_not_stored():
    photo = make_photo()
    made_up = Photo(pk=photo.pk + 1000)
    article = make_article(body=body_figure(photo) + "<p>Text.</p>" + body_figure(made_up))
    assert f'data-file="{made_up.pk}"' not in article.body
    assert f'data-file="{photo.pk}"' in article.body and "<p>Text.</p>" in article.body
    assert placed_ids(article) == [photo.pk]


def test_the_migration_places_the_photos_of_existing_bodies_and_can_be_reversed():
    from importlib import import_module

    from django.apps import apps
    from django.db.models import QuerySet

    migration = import_module("articles.migrations.0009_body_photos")
    photo, other = make_photo(), make_photo()
    article = make_article()
    # A body stored before placements existed: written without the model's save.
    QuerySet.update(
        Article.objects.filter(pk=article.pk), body=body_figure(other) + body_figure(photo)
    )
    assert placed_ids(article) == []
    migration.place_body_photos(apps, None)
    assert placed_ids(article) == [other.pk, photo.pk]
    migration.forget_body_photos(apps, None)
    assert not BodyPhoto.objects.exists()


def test_search_finds_a_story_by_its_gallery_and_body_photos_captions(client):
    """Captions travel with photos wherever they are placed, into the search index too."""
    gallery_story = make_article(headline="Harbour works begin")
    GalleryPhoto.objects.create(
        article=gallery_story, photo=make_photo(caption="A cormorant dries its wings.")
    )
    make_article(headline="Ferry returns", body=body_figure(make_photo(caption="Kelp forest.")))
    found = client.get("/search/", {"q": "cormorant"}).content.decode()
    assert "Harbour works begin" in found
    found = client.get("/search/", {"q": "kelp"}).content.decode()
    assert "Ferry returns" in found
    assert connection.vendor in {"sqlite", "postgresql"}


# --- Who may change a photo ---------------------------------------------------------------------


def place_photo(photo, place, **story):
    """A story (published unless ``story`` says otherwise) that shows ``photo`` at ``place``."""
    if place == "lead":
        return make_article(lead_photo=photo, **story)
    if place == "body":
        return make_article(body=body_figure(photo), **story)
    article = make_article(**story)
    GalleryPhoto.objects.create(article=article, photo=photo)
    return article


def change_photo_url(photo):
    return reverse("admin:articles_photo_change", args=[photo.pk])


def new_file_and_text(photo):
    new = upload("writer.jpg", jpeg_bytes(picture((900, 600), "RGB"), gps=False))
    return photo_form(new, alt_text="Changed by the writer", credit=photo.credit)


def unchanged(photo, files):
    stored = Photo.objects.get(pk=photo.pk)
    return (stored.image.name, stored.alt_text, stored.width) == (
        photo.image.name,
        photo.alt_text,
        photo.width,
    ) and set(stored_files()) == files


@pytest.mark.parametrize("place", ["lead", "gallery", "body"])
def test_a_writer_cannot_change_their_photo_once_a_published_story_shows_it(
    writer_client, writer, client, place
):
    photo = make_photo(uploaded_by=writer, alt_text="Ferries at dawn")
    story = place_photo(photo, place)
    files = set(stored_files())

    page = writer_client.get(change_photo_url(photo))
    assert page.status_code == 200
    html = page.content.decode()
    assert "is shown by a published story" in html and "Ask an editor" in html
    assert 'name="alt_text"' not in html  # read-only

    # A crafted POST, with a new file (replace) and new alt text.
    response = writer_client.post(change_photo_url(photo), new_file_and_text(photo))
    assert response.status_code == 403
    assert unchanged(photo, files)
    assert "Changed by the writer" not in client.get(story.url).content.decode()


def test_a_scheduled_story_counts_as_published_for_the_photo_rule(writer_client, writer):
    photo = make_photo(uploaded_by=writer)
    later = timezone.now() + timezone.timedelta(days=1)
    place_photo(photo, "lead", published_at=later)
    files = set(stored_files())
    response = writer_client.post(change_photo_url(photo), new_file_and_text(photo))
    assert response.status_code == 403
    assert unchanged(photo, files)


def test_a_writer_cannot_change_a_photo_someone_else_uploaded(writer_client, editor):
    photo = make_photo(uploaded_by=editor)
    files = set(stored_files())
    page = writer_client.get(change_photo_url(photo)).content.decode()
    assert "was uploaded by someone else" in page
    data = photo_form("", alt_text="Changed by the writer", credit=photo.credit)
    data.pop("image")
    assert writer_client.post(change_photo_url(photo), data).status_code == 403
    assert unchanged(photo, files)


def test_a_writer_changes_their_photo_while_only_drafts_and_the_trash_show_it(
    writer_client, writer, editor
):
    photo = make_photo(uploaded_by=writer)
    place_photo(photo, "lead", status=Article.Status.DRAFT, published_at=None)
    trashed = place_photo(photo, "body")
    workflow.trash(trashed, editor)
    response = writer_client.post(change_photo_url(photo), new_file_and_text(photo))
    assert response.status_code == 302, response.content.decode()[:3000]
    photo.refresh_from_db()
    assert photo.alt_text == "Changed by the writer" and photo.width == 900


def test_a_writer_cannot_delete_a_photo_with_the_bulk_action(writer_client, writer):
    photo = make_photo(uploaded_by=writer)
    place_photo(photo, "lead")
    response = writer_client.post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [photo.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302, 403)
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_an_editor_replaces_a_used_photo_and_its_old_record_is_kept(
    editor_client, editor, client, django_capture_on_commit_callbacks
):
    from reversion.models import Version

    photo = make_photo(alt_text="Ferries at dawn", credit="Reuters/Jane Doe")
    story = place_photo(photo, "body")
    old_name = photo.image.name
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(change_photo_url(photo), new_file_and_text(photo))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "Changed by the writer" in client.get(story.url).content.decode()
    versions = list(Version.objects.get_for_object(photo))  # newest first
    assert [v.revision.user for v in versions] == [editor, editor]
    assert versions[1].field_dict["image"] == old_name
    assert versions[1].field_dict["alt_text"] == "Ferries at dawn"
    assert versions[0].field_dict["alt_text"] == "Changed by the writer"
    assert "writer" in versions[0].revision.comment


def test_editing_an_unused_photo_keeps_no_revision(editor_client):
    from reversion.models import Version

    photo = make_photo()
    response = editor_client.post(change_photo_url(photo), new_file_and_text(photo))
    assert response.status_code == 302
    assert not Version.objects.get_for_object(photo).exists()


def test_a_photo_with_a_300_character_file_name_is_stored_under_a_shorter_unique_name(
    editor_client,
):
    name = ("harbour-" * 40)[:296] + ".jpg"
    assert len(name) == 300
    for _ in range(2):
        response = editor_client.post(ADD_PHOTO, photo_form(upload(name, jpeg_bytes())))
        assert response.status_code == 302, response.content.decode()[:3000]
    names = [photo.image.name for photo in Photo.objects.all()]
    max_length = Photo._meta.get_field("image").max_length
    assert len(set(names)) == 2
    for stored in names:
        assert len(stored) <= max_length and stored.endswith(".jpg")
        assert stored.rsplit("/", 1)[1].startswith("harbour-harbour-")
        assert default_storage.exists(stored)
