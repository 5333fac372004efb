"""Error pages in the site's design.

The 500 page renders without the database or context processors: whatever broke may be
exactly what they need.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import page_not_found as django_page_not_found


def page_not_found(request, exception):
    return django_page_not_found(request, exception, template_name="404.html")


@requires_csrf_token
def server_error(request):
    template = loader.get_template("500.html")
    html = template.render({"site_name": settings.SITE_NAME})
    return HttpResponseServerError(html)


# How long a reader, proxy or crawler is asked to wait before trying again.
RETRY_AFTER_SECONDS = 30


def service_unavailable(request):
    """The 503 page for a database outage (newsroom/outage.py): quick, in the site's design,
    without the database, and kept by nobody."""
    html = loader.get_template("503.html").render({"site_name": settings.SITE_NAME})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
