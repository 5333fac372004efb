"""Times of the readers' search on the current database (seed it first with
``manage.py seed_scale``), and of re-indexing stories for it.

    DATABASE_URL=sqlite:////tmp/scale.sqlite3 python bench/search.py [--repeat 3]

Each query runs as the search page runs it (the newest 1,000 matches, ranked, first page of
20 with its listing data); the best of --repeat runs is printed. Then 1,000 stories are
re-indexed (``refresh_search_vectors``), as a rebuild or ``seed_scale`` does in batches.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from articles import search  # noqa: E402
from articles.models import Article  # noqa: E402
from articles.views import LISTING_MAX_STORIES, PAGE_SIZE  # noqa: E402

TWENTY_WORDS = (
    "council ferry harbour budget school bridge tide storm vote market museum port road rail "
    "water park police fire health river"
)
QUERIES = {
    "one common word": "council",
    "two words": "ferry timetable",
    "a phrase": '"city council"',
    "OR and an exclusion": "ferry OR bridge -storm",
    "twenty words": TWENTY_WORDS,
}


def best_of(repeat, run):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    print(f"{connection.vendor}, {Article.objects.count():,} stories")
    stories = Article.objects.published()
    for label, query in QUERIES.items():
        seconds, page = best_of(
            options.repeat,
            lambda q=query: list(
                search.matching(stories, q, newest=LISTING_MAX_STORIES).for_listing()[:PAGE_SIZE]
            ),
        )
        print(f"{label:22} {seconds * 1000:8.1f} ms  {len(page):2} on the first page")
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True)[:1000])
    seconds, _ = best_of(1, lambda: search.refresh_search_vectors(ids))
    print(f"{'re-index 1,000 stories':22} {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
