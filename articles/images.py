"""The photo pipeline: what may be uploaded, what is stored, and the renditions readers get.

Three steps, each a plain function so the model, the admin, the ``rebuild_renditions`` command
and ``bench/images.py`` share them:

1. ``inspect_upload`` decides whether a file may enter the library (by content, never by name)
   and reads the caption, credit and copyright embedded in it.
2. ``clean_original`` makes the file that is stored: without GPS, camera serials or anything
   else outside a short allowlist, with its orientation applied and its colour profile kept.
   Media URLs are public, so a source's location must never reach storage.
3. ``render_renditions`` makes the resized AVIF, WebP and JPEG files pages serve. It runs when a
   photo is saved (or by the command), never while a page is rendered.

Bytes and Pillow images in, bytes and plain values out: this module knows no model, form or
storage, so the pipeline can be run and measured on its own. The model field and form field
that call it are in ``articles.models.fields``; file clean-up signals in ``articles.signals``.
"""

import contextlib
import io
import math
import os
import re
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import ExifTags, Image, ImageCms, ImageFile, ImageOps, IptcImagePlugin

# A truncated upload must fail loudly, not be padded with grey.
ImageFile.LOAD_TRUNCATED_IMAGES = False

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "AVIF")
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "AVIF": "avif"}
MIME_TYPES = {"jpeg": "image/jpeg", "webp": "image/webp", "avif": "image/avif"}
ALLOWED_HELP = "a JPEG, PNG, WebP or AVIF photo"
# Larger pictures are refused as decompression bombs (Pillow's own limit is about 89 MP);
# settings.PHOTO_MAX_PIXELS overrides it.
DEFAULT_MAX_PIXELS = 80_000_000


def max_pixels():
    return getattr(settings, "PHOTO_MAX_PIXELS", DEFAULT_MAX_PIXELS)


# ---------------------------------------------------------------------------------------------
# Renditions


@dataclass(frozen=True)
class RenditionSpec:
    """One size a photo is served at.

    ``ratio`` is None to keep the whole frame, or (width, height) for a crop that keeps the
    photo's focal point in frame. ``width`` is a ceiling: no rendition is wider than the part
    of the original it shows.
    """

    name: str
    width: int
    ratio: tuple[int, int] | None = None
    formats: tuple[str, ...] = ("avif", "webp", "jpeg")
    family: str = field(default="", compare=False)


FULL_WIDTHS = (1600, 1200, 800, 400)
CARD_WIDTHS = (1200, 800, 400)
CARD_RATIO = (3, 2)  # Matches `.card-image img { aspect-ratio: 3 / 2 }` in site.css.
SOCIAL_SIZE = (1200, 630)  # The size Facebook, LinkedIn and X recommend for link previews.

RENDITION_SPECS = (
    *(RenditionSpec(f"w{width}", width, family="full") for width in FULL_WIDTHS),
    *(RenditionSpec(f"card{width}", width, CARD_RATIO, family="card") for width in CARD_WIDTHS),
    # Link previews are fetched by crawlers that do not all read AVIF or WebP.
    RenditionSpec("social", SOCIAL_SIZE[0], SOCIAL_SIZE, ("jpeg",), family="social"),
    # Structured data (JSON-LD NewsArticle): Google asks for 16:9, 4:3 and 1:1 crops at least
    # 1200 px wide, in a format every crawler reads.
    RenditionSpec("ld16x9", 1200, (16, 9), ("jpeg",), family="ld16x9"),
    RenditionSpec("ld4x3", 1200, (4, 3), ("jpeg",), family="ld4x3"),
    RenditionSpec("ld1x1", 1200, (1, 1), ("jpeg",), family="ld1x1"),
)

# Quality settings chosen for news photos viewed on phones: no visible artefacts at 1x/2x,
# files a third of the size of the JPEG for AVIF. AVIF speed 8 encodes a 1600 px photo in about
# a tenth of a second; lower speeds gain a few percent of size for several times the time.
ENCODER_OPTIONS = {
    "avif": {"format": "AVIF", "quality": 55, "speed": 8},
    "webp": {"format": "WEBP", "quality": 78, "method": 4},
    "jpeg": {"format": "JPEG", "quality": 82, "optimize": True, "progressive": True},
}


ENCODER_THREADS = min(4, os.cpu_count() or 1)


@dataclass
class RenderedFile:
    spec: str
    format: str  # "avif", "webp" or "jpeg"
    width: int
    height: int
    data: bytes


def focal_crop_box(width, height, ratio, focal_x=50.0, focal_y=50.0):
    """The largest box of aspect ``ratio`` inside a ``width`` x ``height`` image, placed as near
    to centring the focal point (percentages from the top left) as the edges allow."""
    target = ratio[0] / ratio[1]
    if width / height > target:
        crop_w, crop_h = height * target, float(height)
    else:
        crop_w, crop_h = float(width), width / target
    left = min(max(focal_x / 100 * width - crop_w / 2, 0), width - crop_w)
    top = min(max(focal_y / 100 * height - crop_h / 2, 0), height - crop_h)
    return (left, top, left + crop_w, top + crop_h)


def plan_renditions(width, height, focal_x=50.0, focal_y=50.0):
    """For an oriented ``width`` x ``height`` original: each spec's crop box in the original and
    its output size, largest first within each family. A small original is never upscaled:
    specs that would come out at the same size are made once, under the smallest spec's name
    (a 1200 px original has w1200 but no w1600)."""
    plans = {}
    for spec in RENDITION_SPECS:
        if spec.ratio is None:
            box = (0.0, 0.0, float(width), float(height))
        else:
            box = focal_crop_box(width, height, spec.ratio, focal_x, focal_y)
        box_w, box_h = box[2] - box[0], box[3] - box[1]
        out_w = max(1, min(spec.width, math.floor(box_w)))
        out_h = max(1, round(out_w * box_h / box_w))
        key = (spec.family, out_w)
        if key in plans:  # Specs run from large to small; keep the smaller name.
            plans[key] = (spec, plans[key][1], plans[key][2])
        else:
            plans[key] = (spec, box, (out_w, out_h))
    return list(plans.values())


def _is_rgb_profile(icc):
    try:
        return ImageCms.ImageCmsProfile(io.BytesIO(icc)).profile.xcolor_space.strip() == "RGB"
    except (ImageCms.PyCMSError, OSError, AttributeError):
        return False


def _normalise_mode(image):
    """RGB or RGBA in sRGB (or with the file's own RGB profile kept), whatever came in."""
    icc = image.info.get("icc_profile")
    if image.mode == "CMYK":
        if icc:
            try:
                image = ImageCms.profileToProfile(
                    image,
                    ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                    ImageCms.createProfile("sRGB"),
                    outputMode="RGB",
                )
            except (ImageCms.PyCMSError, OSError):
                image = image.convert("RGB")
        else:
            image = image.convert("RGB")
        icc = None  # Now sRGB, which is what browsers assume without a profile.
    elif image.mode in ("I;16", "I;16B", "I;16L", "I"):
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    was_rgb = image.mode in ("RGB", "RGBA")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    if icc and not (was_rgb and _is_rgb_profile(icc)):
        icc = None  # A grey profile would not describe the converted pixels; sRGB is assumed.
    # Nothing read from the file travels further than this point except the colour profile.
    image.info = {"icc_profile": icc} if icc else {}
    return image


def _encode(image, fmt, icc):
    if fmt == "jpeg" and image.mode == "RGBA":
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    options = dict(ENCODER_OPTIONS[fmt])
    buffer = io.BytesIO()
    image.save(buffer, icc_profile=icc, **options)
    return buffer.getvalue()


def render_renditions(fileobj, focal_x=50.0, focal_y=50.0):
    """Make every rendition of the stored original in ``fileobj``. Returns RenderedFiles.

    Decodes once, at the smallest JPEG scale (``draft``) that still covers the largest output,
    so a 24-megapixel photo is read at 3000 x 2000 instead of 6000 x 4000. Each family
    (full frame, card crop, social crop) is resized once from the source and its smaller
    sizes are made from its largest one.
    """
    with Image.open(fileobj, formats=ALLOWED_FORMATS) as opened:
        orientation = opened.getexif().get(ExifTags.Base.Orientation, 1)
        swap = orientation in (5, 6, 7, 8)
        width, height = (opened.height, opened.width) if swap else opened.size
        plans = plan_renditions(width, height, focal_x, focal_y)
        scale = max(out[0] / (box[2] - box[0]) for _spec, box, out in plans)
        if opened.format == "JPEG":
            wanted = (math.ceil(opened.width * scale), math.ceil(opened.height * scale))
            opened.draft(opened.mode if opened.mode in ("L", "CMYK") else "RGB", wanted)
        source = ImageOps.exif_transpose(opened) if orientation != 1 else opened
        source.load()
        source = _normalise_mode(source)
    icc = source.info.get("icc_profile")
    factor = source.width / width  # The draft scale, to map boxes from original pixels.

    # Resize first (each family's largest from the source, the rest from it), then encode.
    jobs = []  # (spec name, resized image, size, (box, size) key, format)
    largest = {}
    for spec, box, size in plans:
        previous = largest.get(spec.family)
        if previous is None:
            scaled = tuple(value * factor for value in box)
            resized = source.resize(size, Image.Resampling.LANCZOS, box=scaled, reducing_gap=3.0)
            largest[spec.family] = resized
        else:
            resized = previous.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        key = (tuple(round(value) for value in box), size)
        jobs.extend((spec.name, resized, size, key, fmt) for fmt in spec.formats)
    del source

    # A card crop of a 3:2 photo is the whole frame: encode each distinct picture once.
    unique = {}
    for _name, image, _size, key, fmt in jobs:
        unique.setdefault((key, fmt), image)
    # Pillow's encoders release the GIL, so encoding in threads uses every core.
    with ThreadPoolExecutor(max_workers=ENCODER_THREADS) as pool:
        futures = {job: pool.submit(_encode, image, job[1], icc) for job, image in unique.items()}
        encoded = {job: future.result() for job, future in futures.items()}
    return [
        RenderedFile(name, fmt, size[0], size[1], encoded[(key, fmt)])
        for name, _image, size, key, fmt in jobs
    ]


# ---------------------------------------------------------------------------------------------
# Upload checks


@dataclass
class PhotoInfo:
    """What inspecting an upload found: its real format, oriented size and embedded text."""

    format: str
    width: int
    height: int
    orientation: int = 1
    metadata: dict = field(default_factory=dict)


# Markup that turns a picture into a web page when a browser sniffs it: the HTML half of an
# HTML/JPEG polyglot, or an SVG's script. Legitimate photo metadata (XMP is XML) has none.
# Only long tokens, so that compressed image data, which is random bytes, cannot match by chance.
_MARKUP = re.compile(
    rb"<(?:script|html|body|iframe|svg|object|embed|!doctype|\?php)[\s>/]", re.IGNORECASE
)

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


def sniff_format(head):
    """The format the first bytes of a file say it is (JPEG, PNG, WEBP, AVIF), or a word that
    names what it is instead (SVG, HTML, HEIC, GIF, ...), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        box_end = min(int.from_bytes(head[:4], "big") or len(head), len(head))
        brands = {head[i : i + 4] for i in range(8, box_end, 4)}
        if brands & {b"avif", b"avis"}:
            return "AVIF"
        if brands & _HEIF_BRANDS:
            return "HEIC"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "GIF"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "TIFF"
    if head.startswith(b"%PDF"):
        return "PDF"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in head.lower()):
        return "SVG"
    if text.startswith((b"<!doctype", b"<html", b"<")):
        return "HTML"
    return None


_REFUSED = {
    "SVG": "This is an SVG drawing. SVG files can carry scripts, so the library does not accept "
    "them; export the picture as a PNG and upload that.",
    "HTML": "Upload a valid image: this is a web page or other text, not a photo, whatever "
    "its name says.",
    "HEIC": "This is an HEIC photo (the iPhone's format). Export it as JPEG (on an iPhone: "
    "Settings › Camera › Formats › Most Compatible) and upload that.",
    "GIF": f"GIF files are not accepted. Upload {ALLOWED_HELP}.",
    "TIFF": "TIFF files are not accepted. Export the photo as JPEG and upload that.",
    "PDF": f"This is a PDF document, not a photo. Upload {ALLOWED_HELP}.",
    None: f"Upload a valid image: this file is not {ALLOWED_HELP}, whatever its name says.",
}

_DAMAGED = (
    "This file is damaged or incomplete and cannot be read as a photo (it may have been cut "
    "short while copying). Export or download it again and upload the new copy."
)


def _metadata_regions(data, image_format):
    """The parts of a file that are not compressed pixels: where a polyglot hides its HTML.
    None when the layout cannot be walked (the whole file is then searched)."""
    try:
        if image_format == "JPEG":
            segments = list(_jpeg_segments(data))
            regions = [data[start:end] for marker, start, end in segments if marker is not None]
            return [*regions, data[segments[-1][2] :]]  # and whatever follows EOI
        if image_format == "PNG":
            regions, pos = [], 8
            while pos + 8 <= len(data):
                length = int.from_bytes(data[pos : pos + 4], "big")
                kind = data[pos + 4 : pos + 8]
                if kind != b"IDAT":
                    regions.append(data[pos : pos + 12 + length])
                pos += 12 + length
                if kind == b"IEND":
                    break
            return [*regions, data[pos:]]
    except (ValueError, IndexError):
        return None
    return None


def _contains_markup(fileobj, image_format, chunk_size=1 << 20):
    fileobj.seek(0)
    if image_format in ("JPEG", "PNG"):
        regions = _metadata_regions(fileobj.read(), image_format)
        if regions is not None:
            return any(_MARKUP.search(region) for region in regions)
        fileobj.seek(0)
    tail = b""
    while chunk := fileobj.read(chunk_size):
        if _MARKUP.search(tail + chunk):
            return True
        tail = chunk[-32:]
    return False


def _too_many_pixels(width, height):
    limit = max_pixels()
    return ValidationError(
        "This picture is %(width)d × %(height)d pixels (%(mp)s megapixels); photos may be at "
        "most %(limit)s megapixels. Resize it before uploading.",
        params={
            "width": width,
            "height": height,
            "mp": f"{width * height / 1e6:.1f}",
            "limit": f"{limit / 1e6:.1f}",
        },
        code="too_many_pixels",
    )


def inspect_upload(fileobj):
    """Check an uploaded file by its content and return a PhotoInfo, or raise a
    ValidationError whose message tells the editor what to do.

    Refuses: empty and oversized files, anything that is not a JPEG, PNG, WebP or AVIF by its
    bytes (SVG, HTML, text renamed .jpg, HEIC, ...), files with web-page markup hidden in them
    (polyglots), decompression bombs (more pixels than ``PHOTO_MAX_PIXELS`` or Pillow's own
    limit), animations, and truncated or corrupt files (the whole image is decoded, at a
    reduced JPEG scale so it stays cheap).
    """
    size = getattr(fileobj, "size", None)
    if size is None:
        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
    if not size:
        raise ValidationError("The file is empty (0 bytes).", code="empty")
    limit = settings.PHOTO_MAX_UPLOAD_BYTES
    if size > limit:
        raise ValidationError(
            "This file is %(size)s; photos may be at most %(limit)s.",
            params={"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    fileobj.seek(0)
    sniffed = sniff_format(fileobj.read(512))
    if sniffed not in ALLOWED_FORMATS:
        raise ValidationError(_REFUSED.get(sniffed, _REFUSED[None]), code="bad_format")
    if _contains_markup(fileobj, sniffed):
        raise ValidationError(
            "This file hides web-page code (HTML or script) inside the picture, which browsers "
            "could run. Open it in a photo editor, export it again and upload the new copy.",
            code="polyglot",
        )
    fileobj.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(fileobj, formats=[sniffed])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow read the size before refusing; report it if we can.
        raise ValidationError(
            "This picture has far too many pixels to be a photo (a “decompression bomb”). "
            f"Photos may be at most {max_pixels() / 1e6:.1f} megapixels.",
            code="too_many_pixels",
        ) from None
    except Exception:  # Pillow raises many types for bad input; all mean the same here.
        raise ValidationError(_DAMAGED, code="damaged") from None
    with image:
        width, height = image.size
        if width * height > max_pixels():
            raise _too_many_pixels(width, height)
        if getattr(image, "n_frames", 1) > 1:
            raise ValidationError(
                "Animated images are not accepted; upload a still photo.", code="animated"
            )
        try:
            orientation = int(image.getexif().get(ExifTags.Base.Orientation, 1) or 1)
            metadata = read_metadata(image)
            if image.format == "JPEG":
                image.draft("RGB" if image.mode == "RGB" else image.mode, (width // 8, height // 8))
            image.load()
        except Exception:
            raise ValidationError(_DAMAGED, code="damaged") from None
    fileobj.seek(0)
    if orientation not in range(1, 9):
        orientation = 1
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return PhotoInfo(sniffed, width, height, orientation, metadata)


# ---------------------------------------------------------------------------------------------
# Embedded metadata: caption, credit, copyright


def _text(value):
    if isinstance(value, list):
        value = value[0] if value else b""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            value = value.decode("latin-1")
    return " ".join(str(value or "").replace("\x00", " ").split())


def _xmp_values(node, wanted, found):
    """Collect text under the XMP keys in ``wanted`` (local names) from Pillow's getxmp()."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in wanted and key not in found:
                text = _xmp_text(value)
                if text:
                    found[key] = text
            _xmp_values(value, wanted, found)
    elif isinstance(node, list):
        for item in node:
            _xmp_values(item, wanted, found)
    return found


def _xmp_text(value):
    # rdf:Alt / rdf:Seq / rdf:Bag wrap values in {"Alt": {"li": ...}}; li may be a dict with
    # "text" (language alternatives) or a list.
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        if "text" in value:
            return _text(value["text"])
        for inner in ("Alt", "Seq", "Bag", "li"):
            if inner in value:
                return _xmp_text(value[inner])
        return ""
    if isinstance(value, list):
        return ", ".join(filter(None, (_xmp_text(item) for item in value)))
    return ""


def read_metadata(image):
    """Caption, credit, source, copyright, title and alt text embedded by cameras, agencies
    and photo desks: IPTC first (what wires fill in), then XMP, then EXIF."""
    # Damaged IPTC or XMP is common and only means "no metadata".
    iptc = {}
    with contextlib.suppress(Exception):
        iptc = IptcImagePlugin.getiptcinfo(image) or {}
    xmp = {}
    with contextlib.suppress(Exception):
        xmp = _xmp_values(
            image.getxmp(),
            {
                "description",
                "creator",
                "Credit",
                "Source",
                "rights",
                "title",
                "AltTextAccessibility",
                "UsageTerms",
            },
            {},
        )
    exif = image.getexif()

    def first(*values):
        return next((v for v in (_text(value) for value in values) if v), "")

    byline = first(iptc.get((2, 80)), xmp.get("creator"), exif.get(ExifTags.Base.Artist))
    provider = first(iptc.get((2, 110)), xmp.get("Credit"))
    if provider and byline and provider.lower() not in byline.lower():
        credit = f"{provider}/{byline}"
    else:
        credit = byline or provider
    return {
        key: value[:limit]
        for key, value, limit in (
            (
                "caption",
                first(
                    iptc.get((2, 120)),
                    xmp.get("description"),
                    exif.get(ExifTags.Base.ImageDescription),
                ),
                2000,
            ),
            ("credit", credit, 200),
            ("source", first(iptc.get((2, 115)), xmp.get("Source"), provider), 100),
            ("copyright", first(iptc.get((2, 116)), xmp.get("rights"), exif.get(0x8298)), 200),
            ("usage_notes", first(xmp.get("UsageTerms")), 2000),
            ("title", first(iptc.get((2, 5)), xmp.get("title")), 200),
            ("alt_text", first(xmp.get("AltTextAccessibility")), 250),
        )
        if value
    }


# ---------------------------------------------------------------------------------------------
# The stored original


# EXIF kept in a stored original: what a photo desk uses (date, author, copyright, exposure).
# Everything else goes, notably GPS, serial numbers, owner names and maker notes, which hold
# serials in undocumented formats.
_KEEP_IFD0 = {0x010E, 0x010F, 0x0110, 0x011A, 0x011B, 0x0128, 0x0131, 0x0132, 0x013B, 0x8298}
_KEEP_EXIF_IFD = {
    0x829A,  # ExposureTime
    0x829D,  # FNumber
    0x8827,  # ISO
    0x9003,  # DateTimeOriginal
    0x9004,  # DateTimeDigitized
    0x9010,  # OffsetTime
    0x9011,  # OffsetTimeOriginal
    0x9012,  # OffsetTimeDigitized
    0x920A,  # FocalLength
    0xA001,  # ColorSpace
    0xA434,  # LensModel
}


def clean_exif(exif, keep_orientation=False):
    """A copy of ``exif`` holding only the allowlisted tags, as bytes (b"" if none)."""
    cleaned = Image.Exif()
    try:
        for tag in _KEEP_IFD0 | ({ExifTags.Base.Orientation} if keep_orientation else set()):
            if tag in exif:
                cleaned[tag] = exif[tag]
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        kept = {tag: value for tag, value in sub.items() if tag in _KEEP_EXIF_IFD}
        if kept:
            cleaned.get_ifd(ExifTags.IFD.Exif).update(kept)
        return cleaned.tobytes() if len(cleaned) or kept else b""
    except Exception:
        return b""  # An EXIF block Pillow cannot rewrite is dropped entirely.


def _jpeg_segments(data):
    """Yield (marker, start, end) for each marker segment of a JPEG, up to and including EOI.
    Entropy-coded data after each SOS is yielded with marker None."""
    pos = 2  # After SOI.
    length = len(data)
    while pos < length:
        if data[pos] != 0xFF:
            raise ValueError("not a marker")
        marker = data[pos + 1]
        if marker == 0xFF:  # Fill byte.
            pos += 1
            continue
        if marker == 0xD9:  # EOI: anything after it (previews, appended files) is dropped.
            yield marker, pos, pos + 2
            return
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            yield marker, pos, pos + 2
            pos += 2
            continue
        seg_len = int.from_bytes(data[pos + 2 : pos + 4], "big")
        end = pos + 2 + seg_len
        if seg_len < 2 or end > length:
            raise ValueError("bad segment length")
        yield marker, pos, end
        pos = end
        if marker == 0xDA:  # SOS: scan entropy-coded data up to the next real marker.
            scan = pos
            while True:
                scan = data.index(b"\xff", scan)
                following = data[scan + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    scan += 2  # Stuffed byte or restart marker: still inside the scan.
                    continue
                if following == 0xFF:
                    scan += 1
                    continue
                break
            yield None, pos, scan
            pos = scan
    raise ValueError("no EOI")


# JFIF, the ICC colour profile (possibly split over several APP2s), Adobe's colour transform.
_KEEP_JPEG = ((0xE0, b"JFIF\x00"), (0xE2, b"ICC_PROFILE\x00"), (0xEE, b"Adobe"))


def strip_jpeg(data):
    """The same JPEG, losslessly, with only the segments a browser or editor needs: JFIF,
    the ICC colour profile, Adobe's colour-transform flag, and an allowlisted EXIF. XMP,
    IPTC, comments, multi-picture previews and trailing data are dropped."""
    out = bytearray(b"\xff\xd8")
    for marker, start, end in _jpeg_segments(data):
        segment = data[start:end]
        if marker is not None and (0xE0 <= marker <= 0xEF or marker == 0xFE):
            payload = segment[4:]
            if any(marker == kept and payload.startswith(prefix) for kept, prefix in _KEEP_JPEG):
                out += segment
            elif marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
                exif = Image.Exif()
                exif.load(payload[6:])
                kept = clean_exif(exif, keep_orientation=True)
                if kept:
                    body = b"Exif\x00\x00" + kept
                    if len(body) + 2 <= 0xFFFF:
                        out += b"\xff\xe1" + (len(body) + 2).to_bytes(2, "big") + body
            continue  # Every other APPn and COM segment is dropped.
        out += segment
    return bytes(out)


_ORIGINAL_OPTIONS = {
    "JPEG": {"quality": 95},
    "PNG": {"compress_level": 6},
    "WEBP": {"quality": 92, "method": 4},
    "AVIF": {"quality": 90, "speed": 6},
}


def clean_original(fileobj, info):
    """The bytes to store for an upload that passed ``inspect_upload``.

    An upright JPEG is kept bit for bit, minus its metadata (no recompression of an agency's
    picture). Other files are re-encoded by Pillow with the orientation applied, the colour
    profile kept and only the allowlisted EXIF.
    """
    fileobj.seek(0)
    data = fileobj.read()
    if info.format == "JPEG" and info.orientation == 1:
        try:
            return strip_jpeg(data)
        except (ValueError, IndexError):
            pass  # An unusual layout: fall back to re-encoding, which always works.
    with Image.open(io.BytesIO(data), formats=[info.format]) as image:
        exif = clean_exif(image.getexif())
        icc = image.info.get("icc_profile")
        lossless = info.format == "WEBP" and b"VP8L" in data[:4096]
        upright = ImageOps.exif_transpose(image)
        upright.info = {}
        if info.format == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        options = dict(_ORIGINAL_OPTIONS[info.format])
        if lossless:
            options = {"lossless": True}
        buffer = io.BytesIO()
        upright.save(buffer, info.format, icc_profile=icc, exif=exif, **options)
    return buffer.getvalue()
