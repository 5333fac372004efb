"""Password guessing against a real server: how the login lockout answers.

    .venv/bin/python bench/logins.py [--attempts 50] [--seconds 50]

Starts gunicorn in production mode (DEBUG off) over plain http on 127.0.0.1 (the loopback
settings of docs/security.md), on the database in DATABASE_URL or a SQLite file under
bench/results/, with an account `bench-editor`. Sends the wrong password --attempts times at an
even pace, then the right one, then the right one from another address (through
CLIENT_IP_HEADER, as a proxy would send it). Prints each answer's status and time.
"""

import argparse
import http.cookiejar
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from beacons import free_port, wait_for  # the same gunicorn start as the beacon benchmark

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PASSWORD = secrets.token_urlsafe(16)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def server_env():
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", f"sqlite:///{RESULTS / 'logins.sqlite3'}")
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        CLIENT_IP_HEADER="X-Forwarded-For",
        LOG_LEVEL="ERROR",
    )
    return env


def attempt(base, password, address):
    """One login as a browser does it: the form (for its CSRF token), then the POST."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    headers = {"X-Forwarded-For": address}
    form = urllib.request.Request(f"{base}/admin/login/", headers=headers)  # noqa: S310
    page = opener.open(form)
    token = TOKEN.search(page.read().decode()).group(1)
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "bench-editor", "password": password}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        f"{base}/admin/login/?next=/admin/",
        body,
        headers={**headers, "Referer": f"{base}/admin/login/"},
    )
    started = time.monotonic()
    try:
        response = opener.open(request)
        status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    return status, time.monotonic() - started, text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=50.0)
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    env = server_env()
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True)
    create = (
        "from django.contrib.auth.models import User; from axes.models import AccessAttempt; "
        "AccessAttempt.objects.filter(username='bench-editor').delete(); "
        "u, _ = User.objects.get_or_create(username='bench-editor', defaults={'is_staff': True}); "
        f"u.set_password({PASSWORD!r}); u.is_staff = True; u.save()"
    )
    subprocess.run([*manage, "shell", "-c", create], cwd=ROOT, env=env, check=True)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "newsroom/gunicorn.py", "newsroom.wsgi"],
        cwd=ROOT,
        env={**env, "PORT": str(port), "WEB_CONCURRENCY": "2"},
    )
    try:
        wait_for(port)
        interval = args.seconds / max(args.attempts, 1)
        statuses, first_locked, slowest = Counter(), None, 0.0
        started = time.monotonic()
        for n in range(1, args.attempts + 1):
            delay = started + (n - 1) * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            status, seconds, text = attempt(base, "wrong password", "198.51.100.7")
            statuses[status] += 1
            slowest = max(slowest, seconds)
            if status == 429 and first_locked is None:
                first_locked = n
                message = re.search(r"you are locked out for [^.]+", text)
        right_status, _, _ = attempt(base, PASSWORD, "198.51.100.7")
        other_status, _, _ = attempt(base, PASSWORD, "203.0.113.9")
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(f"{'wrong passwords sent':>34}: {args.attempts} in {args.seconds:g} s")
    print(f"{'answers':>34}: {dict(sorted(statuses.items()))}")
    print(f"{'first locked attempt':>34}: {first_locked}")
    if first_locked:
        print(f"{'lockout page says':>34}: {message.group(0) if message else '?'}")
    print(f"{'slowest answer':>34}: {slowest * 1000:.0f} ms")
    print(f"{'right password, same address':>34}: {right_status}")
    print(f"{'right password, other address':>34}: {other_status}")


if __name__ == "__main__":
    main()
