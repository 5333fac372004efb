"""Readership beacon burst: how many view counts per second the site accepts, and proof that
every accepted hit was counted.

    .venv/bin/python bench/beacons.py [--hits 20000] [--seconds 10] [--clients 4] [--workers 2]

Uses the database in DATABASE_URL (PostgreSQL recommended; SQLite serialises writers), loads
the demo content if there is none, starts gunicorn as production would (DEBUG off), then
several client processes send the hits at an even pace over the given time to 127.0.0.1
only. Prints hits/s accepted, latency percentiles, errors and the counts before and after.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
REFERRERS = ["", "", "social.example", "search.example", "news.example"]


def production_env():
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY", "bench-" + "x" * 60),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        DJANGO_SETTINGS_MODULE="newsroom.settings",
    )
    # Every hit comes from 127.0.0.1: the per-address limit stays on (its cost is measured)
    # but high enough never to refuse the burst. READERSHIP_BEACON_RATE="" turns it off.
    env.setdefault("READERSHIP_BEACON_RATE", "10000000/m")
    return env


def setup_django():
    os.environ.update(production_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def total_views():
    from django.db.models import Sum

    from articles.models import ArticleViews

    return ArticleViews.objects.aggregate(total=Sum("views"))["total"] or 0


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def client(port, article_ids, count, interval, seed, results):
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    statuses, latencies = {}, []
    start = time.monotonic()
    for n in range(count):
        # An even pace: hit n is due at start + n * interval.
        delay = start + n * interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        body = urlencode({"article": rng.choice(article_ids), "referrer": rng.choice(REFERRERS)})
        sent = time.monotonic()
        try:
            connection.request(
                "POST",
                "/readership/view/",
                body,
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "User-Agent": BROWSER,
                },
            )
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status = "connection error"
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        latencies.append(time.monotonic() - sent)
        statuses[status] = statuses.get(status, 0) + 1
    results.put((statuses, latencies))


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hits", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    env = production_env()
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    setup_django()
    from articles.models import Article

    if not Article.objects.published().exists():
        subprocess.run(
            [python, "manage.py", "seed_demo"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    article_ids = list(Article.objects.published().values_list("pk", flat=True))
    before = total_views()

    port = free_port()
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "newsroom.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(port)
        per_client = args.hits // args.clients
        interval = args.seconds / per_client
        results = multiprocessing.Queue()
        clients = [
            multiprocessing.Process(
                target=client, args=(port, article_ids, per_client, interval, n, results)
            )
            for n in range(args.clients)
        ]
        started = time.monotonic()
        for process in clients:
            process.start()
        statuses, latencies = {}, []
        for _ in clients:
            client_statuses, client_latencies = results.get()
            latencies += client_latencies
            for status, count in client_statuses.items():
                statuses[status] = statuses.get(status, 0) + count
        for process in clients:
            process.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    accepted = statuses.get(204, 0)
    after = total_views()
    report = {
        "database": os.environ.get("DATABASE_URL", "sqlite (default)").split("@")[-1],
        "hits_sent": sum(statuses.values()),
        "accepted": accepted,
        "errors": sum(c for s, c in statuses.items() if s != 204),
        "statuses": {str(s): c for s, c in statuses.items()},
        "seconds": round(elapsed, 2),
        "accepted_per_second": round(accepted / elapsed, 1),
        "latency_ms_p50": round(percentile(latencies, 0.5) * 1000, 1),
        "latency_ms_p99": round(percentile(latencies, 0.99) * 1000, 1),
        "views_before": before,
        "views_after": after,
        "counted": after - before,
        "lost": accepted - (after - before),
    }
    for key, value in report.items():
        print(f"{key:>22}: {value}")
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "beacons.json").write_text(json.dumps(report, indent=2))
    if report["lost"]:
        raise SystemExit("Some accepted hits were not counted.")


if __name__ == "__main__":
    main()
