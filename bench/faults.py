"""Page times through outages: `.venv/bin/python bench/faults.py`.

Starts a PostgreSQL and a Redis of its own (initdb/pg_ctl and redis-server on free loopback
ports, in temporary folders; tests/services.py), seeds FAULTS_ARTICLES stories with
seed_scale, runs the site as production does (gunicorn, newsroom/gunicorn.py, 2 sync workers,
DEBUG=0, the default database and cache settings) and times the homepage, an article and a
section page, FAULTS_REQUESTS requests each from FAULTS_CLIENTS clients at once:

- normal: pages in the page cache (Redis up, PostgreSQL up), and rendered every time (a
  session cookie skips the page cache; template fragments still come from Redis);
- Redis stopped: no cache at all (every call refused at once), every page rendered from the
  database: the "no-cache time";
- Redis hung: DEBUG SLEEP from a connection of its own (the first requests meet the socket
  timeout, the circuit breaker then skips Redis: every page is rendered from the database);
- PostgreSQL stopped: page-cached pages, pages that are not in the cache (503), and both
  requested at once (a cached page must not wait behind the others).

Prints p50 and max in milliseconds and the statuses seen. Both servers are stopped by PID.
"""

import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.services import (  # noqa: E402 (after the path is set)
    SiteServer,
    ThrowawayPostgres,
    ThrowawayRedis,
    manage,
    run_django,
    site_environment,
    wait_for,
)

ARTICLES = int(os.environ.get("FAULTS_ARTICLES", "2000"))
REQUESTS = int(os.environ.get("FAULTS_REQUESTS", "40"))
CLIENTS = int(os.environ.get("FAULTS_CLIENTS", "4"))

PAGES_QUERY = """
from articles.models import Article, Section
stories = list(Article.objects.published().newest_first()[:2])
section = Section.objects.order_by("pk").first()
print(json.dumps({"home": "/", "article": stories[0].url, "section": section.get_absolute_url(),
                  "other article": stories[1].url}))
"""


# A session cookie makes a request skip the page cache: the page is rendered every time.
RENDER = {"Cookie": "sessionid=none"}


def measure(server, path, headers, requests=REQUESTS):
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = list(
            pool.map(lambda _: server.get(path, timeout=60, headers=headers), range(requests))
        )
    times = [seconds * 1000 for _, _, _, seconds in answers]
    statuses = Counter(status for status, *_ in answers)
    return statistics.median(times), max(times), statuses


def report(label, server, pages, headers=None):
    for name, path in pages.items():
        p50, worst, statuses = measure(server, path, headers)
        seen = " ".join(f"{status}x{count}" for status, count in sorted(statuses.items()))
        print(f"  {label:<25} {name:<14} p50 {p50:8.1f} ms   max {worst:8.1f} ms   {seen}")


def report_mixed(label, server, pages):
    """Requests for all ``pages`` at once, interleaved: does a page that needs nothing from
    the database wait behind one that does?"""
    paths = [path for _ in range(REQUESTS // len(pages)) for path in pages.values()]
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = list(pool.map(lambda path: (path, server.get(path, timeout=60)), paths))
    for name, path in pages.items():
        mine = [answer for seen, answer in answers if seen == path]
        times = [seconds * 1000 for _, _, _, seconds in mine]
        statuses = Counter(status for status, *_ in mine)
        seen = " ".join(f"{status}x{count}" for status, count in sorted(statuses.items()))
        print(
            f"  {label:<25} {name:<14} p50 {statistics.median(times):8.1f} ms"
            f"   max {max(times):8.1f} ms   {seen}"
        )


def warm(server, pages):
    for path in pages.values():
        for _ in range(4):
            server.get(path)


def restart_redis(server, cache_server, pages):
    """A new, empty Redis on the same port; wait until the workers' breakers (which try again
    after CACHE_BREAKER_SECONDS) use it, and cache the pages again."""
    cache_server.start()
    wait_for(
        lambda: server.get(pages["article"])[0] == 200 and cache_server.commands() > 20,
        60,
        "the site to use Redis again",
    )
    warm(server, pages)


def main():
    postgres, cache_server, server = ThrowawayPostgres(), ThrowawayRedis(), None
    try:
        postgres.start()
        postgres.create_database()
        cache_server.start()
        env = site_environment(postgres.url, cache_server.url, postgres.folder / "media")
        print(f"Seeding {ARTICLES} stories into a throwaway PostgreSQL ...", flush=True)
        manage("migrate", "--noinput", "-v0", env=env)
        manage("seed_scale", "--articles", str(ARTICLES), "--photos", "4", env=env)
        manage("collectstatic", "--noinput", "-v0", env=env)
        urls = run_django(PAGES_QUERY, env)
        server = SiteServer(env, workers=2, stderr=subprocess.DEVNULL).start()
        cached = {name: urls[name] for name in ("home", "article", "section")}
        print(f"{REQUESTS} requests per page from {CLIENTS} clients, 2 sync workers:")

        warm(server, cached)
        report("normal (page cache)", server, cached)
        report("normal, rendered", server, cached, RENDER)

        # No cache at all: Redis stopped, so every cache call is refused at once.
        cache_server.stop()
        report("Redis stopped (no cache)", server, cached)

        restart_redis(server, cache_server, cached)
        cache_server.hang(seconds=600)
        report("Redis hung", server, cached)

        cache_server.stop()
        restart_redis(server, cache_server, cached)

        postgres.stop()
        report("PostgreSQL stopped", server, cached)
        report("PostgreSQL stopped", server, {"other article": urls["other article"]})
        report_mixed(
            "PostgreSQL stopped, mixed",
            server,
            {"article": cached["article"], "other article": urls["other article"]},
        )
        started = time.monotonic()
        postgres.start()
        wait_for(lambda: server.get(urls["other article"])[0] == 200, 30, "recovery")
        print(f"  back to 200 within {time.monotonic() - started:.1f} s of PostgreSQL starting")
    finally:
        if server:
            server.stop()
        cache_server.stop()
        postgres.remove()


if __name__ == "__main__":
    main()
