"""Error pages in the site's design.

The 500 page renders without the database or context processors: whatever broke may be
exactly what they need.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import page_not_found as django_page_not_found

# The story form keeps what is typed in the browser (articles/admin/story-backup.js) and
# offers it again when the form is opened; an error page after its save says so.
STORY_FORMS = {"admin:articles_article_add", "admin:articles_article_change"}


def page_not_found(request, exception):
    return django_page_not_found(request, exception, template_name="404.html")


def failed_save_context(request):
    """What an error page tells someone whose save in the admin failed (for the
    ``includes/failed_save.html`` partial): for the story form, that their text is kept in
    this browser and the form's address, where it is offered again. Resolving the URL needs
    no database."""
    if request.method != "POST":
        return {}
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return {}
    if "admin" not in match.namespaces:
        return {}
    if match.view_name in STORY_FORMS:
        return {"failed_admin_save": True, "story_form_url": request.path}
    return {"failed_admin_save": True}


def error_page(request, template_name):
    """An error page's HTML, rendered without the database: the site's name from the
    settings, and where a failed save's text went."""
    context = {"site_name": settings.SITE_NAME, **failed_save_context(request)}
    return loader.get_template(template_name).render(context)


@requires_csrf_token
def server_error(request):
    return HttpResponseServerError(error_page(request, "500.html"))


# How long a reader, proxy or crawler is asked to wait before trying again.
RETRY_AFTER_SECONDS = 30


def service_unavailable(request):
    """The 503 page for a database outage (newsroom/outage.py): quick, in the site's design,
    without the database, and kept by nobody."""
    response = HttpResponse(error_page(request, "503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


@never_cache
def rate_limited(request, exception):
    """django-ratelimit's answer when a client sends more than its share (RATELIMIT_VIEW)."""
    return HttpResponse(
        "Too many requests: try again in a minute.\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
