from django.conf import settings

from articles.chrome import site_chrome


def site(request):
    """The site's identity and sections, and the newsroom's time zone, for every template."""
    return {**site_chrome(), "TIME_ZONE": settings.TIME_ZONE}
