"""Production settings (DEBUG=0), each in a fresh interpreter: settings are read at start-up."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A request through the whole middleware stack in production mode. A beacon without a
# story id is answered (400) before any query, so this runs without a database.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().post("/readership/view/", secure=True)
plain = Client().post("/readership/view/")
print(json.dumps({
    "status": response.status_code,
    "headers": dict(response.headers),
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
}))
"""


def production_env(**overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing the test run itself set (e.g. DJANGO_ALLOW_ASYNC_UNSAFE for Playwright).
        if not key.startswith(
            ("SESSION_COOKIE", "CSRF_COOKIE", "SECURE_", "PYTEST", "DJANGO_", "CLIENT_IP")
        )
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="news.example.com,testserver",
        DJANGO_SETTINGS_MODULE="newsroom.settings",
    )
    env.update(overrides)
    return env


def run(args, **env):
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def probe(**env):
    result = run(["-c", PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("redis_url", ["", "redis://127.0.0.1:6379/0"])
def test_check_deploy_is_clean_with_production_settings(redis_url):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], REDIS_URL=redis_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("weakened", "reported"),
    [
        ({"SECURE_SSL_REDIRECT": "0"}, "security.W008"),
        # Behind a proxy without the client's address, lockouts and limits hit everyone.
        ({"SECURE_PROXY_SSL_HEADER": "1"}, "newsroom.W001"),
    ],
)
def test_check_deploy_fails_on_a_weak_setting(weakened, reported):
    """The check can fail: each weakened setting is reported."""
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **weakened)
    assert result.returncode != 0
    assert reported in result.stderr + result.stdout


def test_check_deploy_is_clean_behind_a_proxy_that_names_the_client():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECURE_PROXY_SSL_HEADER="1",
        CLIENT_IP_HEADER="X-Forwarded-For",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_sends_hsts_and_redirects_plain_http():
    found = probe()
    assert found["status"] == 400
    headers = found["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert found["plain_status"] == 301
    assert found["plain_location"] == "https://testserver/readership/view/"


def test_production_cookies_are_secure_unless_turned_off_for_loopback():
    default = probe()
    assert default["session_cookie_secure"] is True
    assert default["csrf_cookie_secure"] is True

    loopback = probe(SESSION_COOKIE_SECURE="0", CSRF_COOKIE_SECURE="0", SECURE_SSL_REDIRECT="0")
    assert loopback["session_cookie_secure"] is False
    assert loopback["csrf_cookie_secure"] is False
    assert loopback["plain_status"] == 400  # answered over http, not redirected


COLD = """
import json, django
django.setup()
from django.core.cache import caches
from articles.caching import fragment_cache
for cache in (caches["default"], fragment_cache()):
    cache.set("kept", 1)
print(json.dumps({
    "backends": sorted({type(caches[alias]).__name__ for alias in caches}),
    "kept": [caches["default"].get("kept"), fragment_cache().get("kept")],
}))
"""


def test_cache_backend_dummy_turns_every_cache_off_even_with_redis():
    """The benchmark's cold mode: nothing is kept anywhere, and the deploy check still passes."""
    result = run(["-c", COLD], CACHE_BACKEND="dummy", REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found == {"backends": ["DummyCache"], "kept": [None, None]}
    check = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], CACHE_BACKEND="dummy"
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_an_unknown_cache_backend_stops_start_up_with_a_clear_error():
    result = run(["manage.py", "check"], CACHE_BACKEND="memcached")
    assert result.returncode != 0
    assert "CACHE_BACKEND must be empty or 'dummy', not 'memcached'" in result.stderr
