"""The production stack as `make production` runs it: nginx in front of gunicorn, DEBUG off,
collected static files, the demo content, on throwaway loopback ports in a temporary folder
(deploy/stack.py). What readers and editors get through it: photos, compression, HTTPS, and
pages that keep answering while slow clients hold connections open."""

import gzip
import http.client
import json
import re
import socket
import ssl
import threading
import time
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest

from deploy.stack import Stack

from .services import free_port, wait_for

pytestmark = pytest.mark.stack

LONG_CACHE = 30 * 24 * 3600  # at least a month


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("production")
    stack = Stack(
        run_dir=run_dir,
        https_port=free_port(),
        http_port=free_port(),
        app_port=free_port(),
        # Its own SQLite database and the process-memory cache, never a shared service.
        extra_env={"DATABASE_URL": f"sqlite:///{run_dir / 'db.sqlite3'}", "REDIS_URL": ""},
    )
    stack.logins = stack.prepare(out=open("/dev/null", "w"))  # noqa: SIM115
    stack.start()
    stack.tls = ssl.create_default_context(cafile=str(run_dir / "tls" / "cert.pem"))
    yield stack
    stack.stop()


class Response:
    def __init__(self, raw):
        self.status, self.headers, self.body = raw.status, raw.headers, raw.read()

    def text(self):
        body = self.body
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return body.decode()


def get(stack, url, headers=None, method="GET", body=None, timeout=10):
    """One request on a new connection; ``url`` is a path or an https URL of the stack."""
    parts = urlsplit(url)
    if parts.scheme == "http":
        connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=timeout)
    else:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", stack.https_port, context=stack.tls, timeout=timeout
        )
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(method, path or "/", body=body, headers=headers or {})
        return Response(connection.getresponse())
    finally:
        connection.close()


class ImageURLs(HTMLParser):
    """Every picture address a page gives: <img src/srcset>, <source srcset>, og:image and
    the JSON-LD images."""

    def __init__(self):
        super().__init__()
        self.urls, self._jsonld = set(), False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("img", "source"):
            if attrs.get("src"):
                self.urls.add(attrs["src"])
            for candidate in (attrs.get("srcset") or "").split(","):
                if candidate.strip():
                    self.urls.add(candidate.split()[0])
        elif tag == "meta" and attrs.get("property") in ("og:image", "twitter:image"):
            self.urls.add(attrs["content"])
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._jsonld = True

    def handle_data(self, data):
        if self._jsonld:
            for image in json.loads(data).get("image", []):
                self.urls.add(image["url"])
            self._jsonld = False


def article_url(stack):
    home = get(stack, "/").text()
    return re.search(r'href="(/news/\d+/[^"]+/)"', home).group(1)


def test_every_image_on_pages_and_in_feeds_answers_with_a_picture_and_long_caching(stack):
    urls = set()
    for page in ("/", article_url(stack)):
        parser = ImageURLs()
        parser.feed(get(stack, page).text())
        urls |= parser.urls
    for feed in ("/feeds/rss/", "/feeds/atom/"):
        urls |= set(re.findall(r'<media:content url="([^"]+)"', get(stack, feed).text()))
    media = {url for url in urls if "/media/" in url}
    assert len(media) >= 20, urls
    for url in urls:
        response = get(stack, url)
        assert response.status == 200, url
        assert response.headers["Content-Type"].startswith("image/"), url
        max_age = int(re.search(r"max-age=(\d+)", response.headers["Cache-Control"]).group(1))
        assert max_age >= LONG_CACHE, url
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_media_folders_are_not_listed(stack):
    assert get(stack, "/media/").status == 404
    assert get(stack, "/media/renditions/").status == 404
    assert get(stack, "/static/").status == 404


def test_pages_feeds_and_sitemaps_are_compressed_when_asked(stack):
    urls = ["/", article_url(stack), "/section/city/", "/feeds/rss/", "/feeds/atom/"]
    urls += ["/sitemap.xml", "/news-sitemap.xml", "/sitemap-articles.xml"]
    for url in urls:
        plain = get(stack, url)
        assert plain.status == 200, url
        assert "Content-Encoding" not in plain.headers, url
        zipped = get(stack, url, {"Accept-Encoding": "gzip"})
        assert zipped.headers["Content-Encoding"] == "gzip", url
        assert len(zipped.body) < len(plain.body) / 2, url
        assert gzip.decompress(zipped.body) == plain.body or url == "/", url
        assert get(stack, url, {"Accept-Encoding": "br"}).headers["Content-Encoding"] == "br"


def test_static_files_are_immutable_for_a_year_and_compressed(stack):
    css = re.search(r'href="(/static/[^"]+\.css)"', get(stack, "/").text()).group(1)
    response = get(stack, css, {"Accept-Encoding": "gzip"})
    assert response.status == 200 and response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_http_redirects_to_https(stack):
    response = get(stack, f"{stack.http_url}/search/?q=harbor")
    assert response.status == 301
    assert response.headers["Location"] == f"{stack.https_url}/search/?q=harbor"


def test_https_pages_carry_hsts_and_the_security_headers(stack):
    for url in ("/", article_url(stack), "/admin/login/"):
        headers = get(stack, url).headers
        hsts = headers["Strict-Transport-Security"]
        assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "Set-Cookie" not in get(stack, "/").headers  # anonymous readers get no cookie


def test_an_editor_signs_in_over_https_with_secure_cookies(stack):
    """SECURE_PROXY_SSL_HEADER, CSRF_TRUSTED_ORIGINS and the Host nginx passes agree."""
    password = re.search(r"login: editor\s+password: (\S+)", stack.logins).group(1)
    form = get(stack, "/admin/login/")
    cookie = form.headers["Set-Cookie"]
    assert "Secure" in cookie and "csrftoken=" in cookie
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text()).group(1)
    response = get(
        stack,
        "/admin/login/?next=/admin/",
        {
            "Cookie": cookie.split(";")[0],
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": stack.https_url,
            "Referer": f"{stack.https_url}/admin/login/",
        },
        method="POST",
        body=urlencode({"username": "editor", "password": password, "csrfmiddlewaretoken": token}),
    )
    assert response.status == 302 and response.headers["Location"] == "/admin/"
    session = [c for c in response.headers.get_all("Set-Cookie") if c.startswith("sessionid=")]
    assert session and "Secure" in session[0] and "HttpOnly" in session[0]


SLOW_CLIENTS = 100
SLOW_SECONDS = 30


def dribble_headers(stack, stop, open_now, lock):
    """One slow client: a request head sent a byte a second until ``stop`` is set; when nginx
    gives up on it (client_header_timeout), it connects again and starts over."""
    head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Slow: " + b"a" * 200
    while not stop.is_set():
        try:
            raw = socket.create_connection(("127.0.0.1", stack.https_port), timeout=5)
            with stack.tls.wrap_socket(raw, server_hostname="127.0.0.1") as conn:
                with lock:
                    open_now[0] += 1
                try:
                    for byte in head:
                        conn.sendall(bytes([byte]))
                        if stop.wait(1):  # the pace of a slow client, until the test ends
                            return
                finally:
                    with lock:
                        open_now[0] -= 1
        except OSError:
            stop.wait(0.2)  # closed by nginx: connect again


def test_readers_are_served_while_100_slow_clients_dribble_headers(stack):
    pages = ["/", article_url(stack), "/section/city/", "/search/?q=harbor"]
    lock, open_now, stop = threading.Lock(), [0], threading.Event()
    slow = [
        threading.Thread(target=dribble_headers, args=(stack, stop, open_now, lock))
        for _ in range(SLOW_CLIENTS)
    ]
    for thread in slow:
        thread.start()
    # Start measuring once the slow clients hold their connections.
    wait_for(lambda: open_now[0] >= SLOW_CLIENTS * 0.9, 10, "the slow clients to connect")
    held = open_now[0]
    deadline = time.monotonic() + SLOW_SECONDS
    latencies, failures = [], []
    while time.monotonic() < deadline - 1:
        for page in pages:
            started = time.monotonic()
            try:
                status = get(stack, page, timeout=5).status
            except OSError as error:
                status = repr(error)
            latencies.append(time.monotonic() - started)
            if status != 200:
                failures.append((page, status))
    stop.set()
    for thread in slow:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in slow)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(
        f"\n{held} slow clients held; {len(latencies)} reader requests, "
        f"p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms, {len(failures)} failed"
    )
    assert held >= SLOW_CLIENTS * 0.9
    assert failures == []
    assert len(latencies) >= 40
    assert p99 < 1.0


def test_article_jsonld_lists_16_9_4_3_and_1_1_crops_1200_wide(stack):
    page = get(stack, article_url(stack)).text()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    images = json.loads(block)["image"][:3]
    assert [round(image["width"] / image["height"], 2) for image in images] == [1.78, 1.33, 1.0]
    assert all(image["width"] >= 1200 for image in images)
