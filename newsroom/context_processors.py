from django.conf import settings

from articles.chrome import site_chrome


def site(request):
    """The site's identity, sections and address for every template."""
    return {**site_chrome(), "SITE_URL": settings.SITE_URL, "TIME_ZONE": settings.TIME_ZONE}
