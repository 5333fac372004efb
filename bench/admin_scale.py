"""Server times of the admin's article pages on the current database (seed it first with
``manage.py seed_scale``), and a check that no page counts the whole article table.

    DATABASE_URL=postgres://... python bench/admin_scale.py [--repeat 3]

Each page is requested through Django's test client as a superuser (no network, no
gunicorn): the time is the server's. Prints one line per page and fails if a page takes more
than --limit seconds (0.5 by default) or runs an unfiltered COUNT over articles_article.
"""

import argparse
import os
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.setdefault("PAGE_CACHE_SECONDS", "0")

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Author, Photo, Section  # noqa: E402

WHOLE_TABLE_COUNT = re.compile(
    r'SELECT COUNT\(\*\)[^;]*FROM "articles_article"(?![^;]*WHERE)', re.IGNORECASE
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=float, default=0.5)
    args = parser.parse_args()

    user, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    section = Section.objects.order_by("pk").first()
    author = Author.objects.order_by("pk").first()
    article = Article.objects.order_by("-pk").first()
    photo = Photo.objects.order_by("pk").first()
    base = "/admin/articles/article/"
    week_ago = (timezone.now() - timedelta(days=7)).strftime("%Y-%m-%d+00:00:00%%2B00:00")
    auto = "/admin/autocomplete/?app_label=articles&model_name=article&field_name={}&term={}"
    pages = {
        "changelist (default order)": base,
        "filter status=draft": base + "?status__exact=draft",
        "filter section": base + f"?section__id__exact={section.pk}",
        "filter author": base + f"?authors__id__exact={author.pk}",
        "filter published past 7 days": base + "?published_at__gte=" + week_ago,
        "date hierarchy: a year": base + f"?published_at__year={timezone.now().year}",
        "date hierarchy: a month": base
        + f"?published_at__year={timezone.now().year}&published_at__month={timezone.now().month}",
        "sort by headline": base + "?o=1",
        "sort by publish time": base + "?o=4",
        "search 'ferry timetable'": base + "?q=ferry+timetable",
        "search 'council'": base + "?q=council",
        "change page": base + f"{article.pk}/change/",
        "autocomplete section": auto.format("section", "ci"),
        "autocomplete lead photo": auto.format("lead_photo", "pool"),
        "autocomplete zone pin story": "/admin/autocomplete/?app_label=articles"
        "&model_name=zonepin&field_name=article&term=ferry",
        "autocomplete byline author": "/admin/autocomplete/?app_label=articles"
        "&model_name=byline&field_name=author&term=an",
        "tag autocomplete": "/admin/articles/article/tags/autocomplete/?term=fer",
        "photo library": "/admin/articles/photo/",
        "photo library: used": "/admin/articles/photo/?used=yes",
        "photo change page": f"/admin/articles/photo/{article.lead_photo_id or photo.pk}/change/",
    }
    total = Article.objects.order_by().values("pk").count() if args.repeat else 0
    print(f"articles: {total:,} on {connection.vendor}")
    failures = []
    for label, url in pages.items():
        timings = []
        for _ in range(args.repeat + 1):  # the first request warms caches and is not counted
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
            if response.status_code != 200:
                failures.append(f"{label}: HTTP {response.status_code}")
                break
        median = statistics.median(timings[1:] or timings)
        counts = [q["sql"] for q in queries.captured_queries if WHOLE_TABLE_COUNT.search(q["sql"])]
        flag = "ok" if median <= args.limit and not counts else "SLOW" if not counts else "COUNT"
        print(
            f"{label:<30} {median * 1000:8.1f} ms  {len(queries.captured_queries):3d} queries  {flag}"
        )
        if median > args.limit:
            failures.append(f"{label}: {median:.3f}s")
        if counts:
            failures.append(f"{label}: whole-table COUNT: {counts[0][:120]}")
    if failures:
        print("\n".join(["FAILED:", *failures]))
        sys.exit(1)


if __name__ == "__main__":
    main()
