"""Absolute addresses on the public site.

Every address that leaves the page (canonical and OpenGraph links, JSON-LD, feeds, sitemaps,
robots.txt, share buttons, preview links handed to editors) starts with ``SITE_URL``,
whatever host the request came in on: a proxy's internal name or a second domain must not end
up in a feed reader or a search index.
"""

from urllib.parse import urlsplit

from django.conf import settings


def absolute(url):
    """``url`` on the public site. An address that is absolute already (media may be served
    from another host) is kept."""
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def site_protocol_and_domain():
    """``SITE_URL``'s scheme and host, for code that joins them itself (Django's sitemaps)."""
    parts = urlsplit(settings.SITE_URL)
    return parts.scheme, parts.netloc
