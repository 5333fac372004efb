"""Uploaded photos served by Django itself, for a deployment without a web server in front.

Behind nginx (deploy/nginx/newsroom.conf) the proxy serves MEDIA_ROOT and this view is never
reached. A one-process deployment (``SERVE_MEDIA=1``: gunicorn alone, or a PaaS that routes
every request to the app) still needs its photos: each one then occupies a gunicorn worker for
as long as the reader takes to download it, which is the trade-off docs/production.md
describes.
"""

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import Http404
from django.views.static import serve

# Rendition and original file names are never reused (renditions carry a version hash and the
# storage never overwrites a name), so browsers and CDNs may keep them for a year.
MEDIA_CACHE_CONTROL = "public, max-age=31536000"


def serve_media(request, path):
    """The file at ``path`` under MEDIA_ROOT with long caching; directories are 404, never
    listed. ``nosniff`` comes from SecurityMiddleware, as on every response."""
    if not settings.SERVE_MEDIA:
        raise Http404("Media is served by the web server in front of the application.")
    try:
        response = serve(request, path, document_root=settings.MEDIA_ROOT, show_indexes=False)
    except SuspiciousFileOperation as error:  # "../": nothing outside MEDIA_ROOT exists here
        raise Http404("No such file.") from error
    response["Cache-Control"] = MEDIA_CACHE_CONTROL
    return response
