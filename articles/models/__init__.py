"""The app's models, one module per concern. Import them from here."""

from .photos import Photo, PhotoQuerySet, PhotoRendition, SharedImage
from .readership import ArticleViews, Granularity, Readership, ReferrerViews, ViewCount
from .site import HomepageZone, SiteSettings, SocialAccount, ZonePin
from .stories import (
    Article,
    ArticleQuerySet,
    Author,
    BodyPhoto,
    Byline,
    ForDetailIterable,
    GalleryPhoto,
    Section,
    TaggedArticle,
)
from .workflow import AuditEntry, Correction, CorrectionQuerySet, PreviewLink

__all__ = [
    "Article",
    "ArticleQuerySet",
    "ArticleViews",
    "AuditEntry",
    "Author",
    "BodyPhoto",
    "Byline",
    "Correction",
    "CorrectionQuerySet",
    "ForDetailIterable",
    "GalleryPhoto",
    "Granularity",
    "HomepageZone",
    "Photo",
    "PhotoQuerySet",
    "PhotoRendition",
    "PreviewLink",
    "Readership",
    "ReferrerViews",
    "Section",
    "SharedImage",
    "SiteSettings",
    "SocialAccount",
    "TaggedArticle",
    "ViewCount",
    "ZonePin",
]
