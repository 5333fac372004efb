from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from articles.urls import root_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    *root_urlpatterns,
    path("", include("articles.urls")),
]

if settings.BENCH_FLOOR_VIEW:  # only when bench/run.py starts the server
    urlpatterns = [path("", include("newsroom.bench")), *urlpatterns]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "newsroom.views.page_not_found"
handler500 = "newsroom.views.server_error"
