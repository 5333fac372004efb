"""What every public page shows around its content: the site's name, tagline, social
accounts and sections. Cached under the generation of the ``site`` key, which
``articles.caching`` bumps whenever one of them changes (and again after the commit)."""

from django.conf import settings
from django.core.cache import cache

from . import caching
from .models import Section, SiteSettings

CACHE_KEY = "articles:chrome"
CACHE_SECONDS = 600


def site_chrome():
    # One round trip: the copy is kept under one key and carries the generation it was made
    # under, read together with the current one.
    chrome, generation = caching.get_with_generation(CACHE_KEY, caching.SITE_KEY)
    if chrome is None or chrome["chrome_version"] != generation:
        site, _ = SiteSettings.objects.get_or_create(pk=1, defaults={"name": settings.SITE_NAME})
        chrome = {
            "site": site,
            "social_accounts": list(site.social_accounts.all()),
            "sections": list(Section.objects.all()),
        }
        # Read after the rows: creating the settings row (on the first page ever) bumps it.
        # The masthead, footer and head-link fragments vary on it, so they are rendered
        # again when the site changes, not each time this copy expires.
        chrome["chrome_version"] = caching.fragment_generations_of(caching.SITE_KEY)
        cache.set(CACHE_KEY, chrome, CACHE_SECONDS)
    return chrome
