import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from articles.urls import root_urlpatterns
from newsroom.media import serve_media

urlpatterns = [
    path("admin/", admin.site.urls),
    *root_urlpatterns,
    path("", include("articles.urls")),
]

if settings.BENCH_FLOOR_VIEW:  # only when bench/run.py starts the server
    urlpatterns = [path("", include("newsroom.bench")), *urlpatterns]

if not urlsplit(settings.MEDIA_URL).netloc:  # media on this host; the view obeys SERVE_MEDIA
    urlpatterns += [
        re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", serve_media),
    ]

handler404 = "newsroom.views.page_not_found"
handler500 = "newsroom.views.server_error"
