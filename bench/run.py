"""The page benchmark behind ``make bench``.

Seeds a database (PostgreSQL when DATABASE_URL is set, else bench/results/bench.sqlite3) up
to BENCH_ARTICLES stories, collects static files, starts gunicorn the way production does
(newsroom/gunicorn.py, DEBUG=0, a SECRET_KEY, ALLOWED_HOSTS, persistent connections), warms
up, then drives wrk against each public page in three modes: page cache on ("cached"), page
cache off with template fragments allowed ("fragments") and no cache at all ("cold":
CACHE_BACKEND=dummy, every Django cache a DummyCache). In the same run it measures a bare
Django view returning as many bytes as the article page, through the same settings and
middleware (the framework floor), and prints each page's requests per second, its share of
the floor's, p50 and p99, the server's CPU milliseconds per request (user + system time of
gunicorn's processes over the run, from /proc) and the queries per request (one request
through Django's test client in the same mode, after a warming one). Results also go to
bench/results/<time>.json.

Environment: BENCH_ARTICLES (10000), BENCH_DURATION seconds per page (10), BENCH_CONNECTIONS
(16), BENCH_THREADS (2), BENCH_WORKERS (2), BENCH_PORT (8765). Loads go to 127.0.0.1 only.
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
ARTICLES = int(os.environ.get("BENCH_ARTICLES", "10000"))
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
HOST = f"http://127.0.0.1:{PORT}"


MODES = ("cached", "fragments", "cold")


def server_env(mode):
    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{RESULTS / 'bench.sqlite3'}"
    env.update(
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=HOST,
        SECURE_SSL_REDIRECT="0",  # TLS ends at the proxy in front; here we speak plain HTTP
        DATABASE_POOL="0",  # sync workers: persistent connections (docs/production.md)
        CONN_MAX_AGE="600",
        NEWSROOM_BENCH_FLOOR="1",
        PAGE_CACHE_SECONDS="600" if mode == "cached" else "0",
        CACHE_BACKEND="dummy" if mode == "cold" else "",
        WEB_CONCURRENCY=str(WORKERS),
        PORT=str(PORT),
        LOG_LEVEL="WARNING",
        MEDIA_ROOT=str(RESULTS / "media"),
    )
    return env


def manage(*args, env):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def django_query(code, env):
    """Run a line of ORM code in a subprocess (the harness itself stays Django-free)."""
    script = (
        "import django,json,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','newsroom.settings');"
        f"django.setup();{code}"
    )
    out = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare(env):
    RESULTS.mkdir(parents=True, exist_ok=True)
    manage("migrate", "--noinput", "-v0", env=env)
    have = django_query(
        "from articles.models import Article;print(Article.objects.count())", env=env
    )
    if have < ARTICLES:
        manage("seed_scale", "--articles", str(ARTICLES - have), env=env)
    manage("collectstatic", "--noinput", "-v0", env=env)
    return django_query(
        "from articles.models import Article,Section;from taggit.models import Tag;"
        "a=Article.objects.published().newest_first().first();"
        "s=Section.objects.order_by('pk').first();"
        "t=Tag.objects.filter(slug='ferries').first() or Tag.objects.order_by('pk').first();"
        "w=a.authors.order_by('pk').first();"
        "print(json.dumps({'count':Article.objects.count(),'article':a.url,"
        "'section':s.get_absolute_url(),'tag':'/tag/%s/'%t.slug,"
        "'author':w.get_absolute_url()}))",
        env=env,
    )


def start_server(env):
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "-c", "newsroom/gunicorn.py", "newsroom.wsgi"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            with urllib.request.urlopen(HOST + "/robots.txt", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    stop_server(process)
    raise SystemExit("gunicorn did not start")


def stop_server(process):
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def fetch_size(path):
    with urllib.request.urlopen(HOST + path, timeout=30) as response:  # noqa: S310
        return len(response.read())


def wrk(path, duration):
    out = subprocess.run(
        [
            "wrk",
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "10s",
            HOST + path,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return parse_wrk(out)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def parse_wrk(out):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    ):
        errors += sum(int(n) for n in match.groups())
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "requests": requests, "errors": errors}


def drain(floor_path):
    """Wait until the workers have answered what wrk left queued (a slow page's backlog
    would otherwise be charged to the next page)."""
    with urllib.request.urlopen(HOST + floor_path, timeout=300) as response:  # noqa: S310
        response.read()


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(group):
    """User + system CPU seconds of every live process in a process group (gunicorn's
    master and workers), from /proc; workers live as long as the server does."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[2]) == group:  # pgrp; utime and stime are fields 14 and 15 of stat
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def query_counts(pages, env):
    """Queries per request for each page in this mode: a warming request, then one counted."""
    code = (
        "from django.db import connection;from django.test import Client;"
        "from django.test.utils import CaptureQueriesContext;"
        "c=Client(HTTP_HOST='127.0.0.1');counts={}\n"
        f"for name,path in {pages!r}.items():\n"
        " c.get(path)\n"
        " with CaptureQueriesContext(connection) as q: c.get(path)\n"
        " counts[name]=len(q.captured_queries)\n"
        "print(json.dumps(counts))"
    )
    return django_query(code, env=env)


def measure(pages, env, mode, floor_path):
    queries = query_counts(pages, env)
    process = start_server(env)
    try:
        results = {}
        for name, path in [("floor", floor_path), *pages.items()]:
            wrk(path, 2)  # warm up: caches, connections, imports
            drain(floor_path)
            cpu_before = cpu_seconds(process.pid)
            results[name] = wrk(path, DURATION)
            drain(floor_path)
            cpu = cpu_seconds(process.pid) - cpu_before
            results[name]["cpu_ms"] = cpu * 1000 / max(results[name]["requests"] + 1, 1)
            results[name]["queries"] = queries.get(name, 0)
            print(f"  {mode:<9} {name:<8} {results[name]['rps']:9.0f} req/s", flush=True)
        return results
    finally:
        stop_server(process)


def main():
    if not shutil.which("wrk"):
        raise SystemExit("The benchmark needs wrk: apt-get install wrk (or `make bench-deps`).")
    env = server_env("fragments")
    info = prepare(env)
    pages = {
        "home": "/",
        "article": info["article"],
        "section": info["section"],
        "tag": info["tag"],
        "author": info["author"],
        "search": "/search/?q=ferry",
        "rss": "/feeds/rss/",
    }
    process = start_server(env)
    try:
        size = fetch_size(info["article"])
    finally:
        stop_server(process)
    floor_path = f"/__bench__/floor/{size}/"
    database = env["DATABASE_URL"].split(":", 1)[0]
    print(
        f"Benchmark: {info['count']:,} stories on {database}, gunicorn {WORKERS} sync workers, "
        f"wrk -t{THREADS} -c{CONNECTIONS} -d{DURATION}s, article page {size:,} bytes"
    )
    runs = {mode: measure(pages, server_env(mode), mode, floor_path) for mode in MODES}
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "articles": info["count"],
        "database": database,
        "workers": WORKERS,
        "wrk": {"threads": THREADS, "connections": CONNECTIONS, "duration": DURATION},
        "article_bytes": size,
        "runs": runs,
    }
    print_table(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"bench-{database}-{info['count']}-{stamp}.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"\nWritten to {out.relative_to(ROOT)}")
    if any(r["errors"] for run in runs.values() for r in run.values()):
        raise SystemExit("Some requests failed.")


def print_table(report):
    """One line per page and mode; "floor" is the page's requests per second over the
    floor's in the same mode's server (same settings, same middleware)."""
    print()
    print(
        f"{'page':<9}{'mode':<11}{'req/s':>8}{'floor':>8}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'CPU ms':>8}{'queries':>8}{'errors':>7}"
    )
    for mode, run in report["runs"].items():
        floor = run["floor"]["rps"]
        for name, r in run.items():
            print(
                f"{name:<9}{mode:<11}{r['rps']:>8.0f}{r['rps'] / floor:>7.3f}x{r['p50_ms']:>8.2f}"
                f"{r['p99_ms']:>8.2f}{r['cpu_ms']:>8.2f}{r['queries']:>8}{r['errors']:>7}"
            )


if __name__ == "__main__":
    main()
