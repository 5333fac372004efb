"""Error pages in the site's design.

The 500 page renders without the database or context processors: whatever broke may be
exactly what they need.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import page_not_found as django_page_not_found


def page_not_found(request, exception):
    return django_page_not_found(request, exception, template_name="404.html")


@requires_csrf_token
def server_error(request):
    template = loader.get_template("500.html")
    html = template.render({"site_name": settings.SITE_NAME})
    return HttpResponseServerError(html)


@never_cache
def rate_limited(request, exception):
    """django-ratelimit's answer when a client sends more than its share (RATELIMIT_VIEW)."""
    return HttpResponse(
        "Too many requests: try again in a minute.\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
