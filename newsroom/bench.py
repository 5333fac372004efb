"""The benchmark's framework floor: a bare Django view returning a given number of bytes.

Routed only when NEWSROOM_BENCH_FLOOR=1 (set by bench/run.py), never in a normal deployment.
"""

from django.http import HttpResponse
from django.urls import path


def floor(request, size):
    return HttpResponse(b"x" * min(size, 1_000_000), content_type="text/html; charset=utf-8")


urlpatterns = [path("__bench__/floor/<int:size>/", floor, name="bench_floor")]
