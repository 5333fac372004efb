"""What every public page shows around its content: the site's name, tagline, social
accounts and sections. Cached, and forgotten whenever one of them changes."""

import time

from django.conf import settings
from django.core.cache import cache

from .models import Section, SiteSettings

CACHE_KEY = "articles:chrome"
CACHE_SECONDS = 600


def site_chrome():
    chrome = cache.get(CACHE_KEY)
    if chrome is None:
        site, _ = SiteSettings.objects.get_or_create(pk=1, defaults={"name": settings.SITE_NAME})
        chrome = {
            "site": site,
            "social_accounts": list(site.social_accounts.all()),
            "sections": list(Section.objects.all()),
            # Names this copy: template fragments of the masthead and footer vary on it.
            "chrome_version": time.time_ns(),
        }
        cache.set(CACHE_KEY, chrome, CACHE_SECONDS)
    return chrome


def forget_site_chrome(**kwargs):
    cache.delete(CACHE_KEY)
