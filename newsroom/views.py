"""Error pages in the site's design.

The 500 page renders without the database or context processors: whatever broke may be
exactly what they need.
"""

from django.conf import settings
from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import page_not_found as django_page_not_found


def page_not_found(request, exception):
    return django_page_not_found(request, exception, template_name="404.html")


@requires_csrf_token
def server_error(request):
    template = loader.get_template("500.html")
    html = template.render({"site_name": settings.SITE_NAME})
    return HttpResponseServerError(html)
