"""The page cache: anonymous public pages served from the cache before the middleware stack.

``PageCacheMiddleware`` is first in ``MIDDLEWARE``. For a GET or HEAD without a session
cookie, a stored page whose surrogate keys all still have the generations it was made with
(``articles.caching``) is answered at once: no session, auth, CSRF or view code runs, and a
matching ``If-None-Match``/``If-Modified-Since`` gets a 304. Anything else goes through the
stack as usual, and on the way out a response is stored only when all of these hold:

- the view is marked ``@page_cached`` (``articles.caching``; opt-in: previews, the admin and
  anything new are never cached by accident);
- status 200, no cookie set, no ``private``/``no-store``/``no-cache`` in ``Cache-Control``,
  no ``Vary`` beyond ``Cookie`` and ``Accept-Encoding``;
- the visitor is not logged in, and the query string holds only ``page`` and ``q``.

Every public response gets ``Cache-Control`` for a CDN (``s-maxage`` and
``stale-while-revalidate``), an ``ETag``, ``Last-Modified`` and the ``Surrogate-Key`` and
``Cache-Tag`` headers. If the cache is down, django-redis's ``IGNORE_EXCEPTIONS`` makes every
lookup a miss and every store a no-op, and the circuit breaker (``newsroom.cachebreaker``)
stops a hung Redis from costing more than one timeout: pages are rendered, never refused.
"""

import hashlib
import time
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from articles import caching
from articles.forms import SearchForm

# Listings' page numbers and the search form's fields (its form sends every field, blank
# or not); any other parameter makes a page uncacheable, so made-up ones cannot fill it.
ALLOWED_PARAMETERS = {"page", *SearchForm.base_fields}
ALLOWED_VARY = {"cookie", "accept-encoding"}
# Pages that declare no keys of their own (sitemaps, robots.txt, feeds) depend on these.
DEFAULT_KEYS = {caching.LIST_KEY}
COMMON_KEYS = [caching.SITE_KEY, caching.LIST_KEY]
# Headers that describe one exchange, not the page.
SKIPPED_HEADERS = {"date", "set-cookie", "age"}
ENTRY_PREFIX = "page:"


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.skipped_prefixes = tuple(
            prefix
            for prefix in ("/admin/", settings.STATIC_URL, settings.MEDIA_URL)
            if prefix and prefix.startswith("/")
        )

    def __call__(self, request):
        key = self.entry_key(request) if settings.PAGE_CACHE_SECONDS else None
        if key is None:
            response = self.get_response(request)
            if self.is_personal(request, response):
                # A logged-in reader's copy of a public page: no shared cache may keep it.
                patch_cache_control(response, private=True, no_cache=True)
            return response
        # Every page depends on ``site`` and most on ``list``: read with the entry, they make a
        # hit on the homepage, feeds, sitemaps and search one round trip (others two).
        entry, known = caching.get_with_generations(key, COMMON_KEYS)
        if entry is not None and self.is_current(entry, known):
            return self.answer(request, entry)
        started_ns = time.time_ns()
        response = self.get_response(request)
        if request.method == "GET" and self.may_store(request, response):
            self.store(key, request, response, started_ns)
            return get_conditional_response(
                request,
                etag=response.get("ETag"),
                last_modified=int(time.time()),
                response=response,
            )
        return response

    def entry_key(self, request):
        """The cache key for an anonymous GET/HEAD of a public page, else None."""
        if request.method not in ("GET", "HEAD"):
            return None
        path = request.path_info
        if path.startswith(self.skipped_prefixes):
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
            return None
        query = request.META.get("QUERY_STRING", "")
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            if any(name not in ALLOWED_PARAMETERS for name, _ in pairs):
                return None
            query = "&".join(f"{name}={value}" for name, value in sorted(pairs))
        scheme = "https" if request.is_secure() else "http"
        where = f"{scheme}://{request.META.get('HTTP_HOST', '')}{path}?{query}"
        return ENTRY_PREFIX + hashlib.md5(where.encode(), usedforsecurity=False).hexdigest()

    @staticmethod
    def is_current(entry, known):
        """Whether every key ``entry`` was stored with still has the same generation;
        ``known``: current generations already read (only the others are asked for)."""
        stored = entry["generations"]
        current = {key: value for key, value in known.items() if key in stored}
        rest = stored.keys() - known.keys()
        if rest:
            current.update(caching.current_generations(rest))
        return current == stored

    @staticmethod
    def answer(request, entry):
        content = b"" if request.method == "HEAD" else entry["content"]
        response = HttpResponse(content, status=entry["status"])
        for name, value in entry["headers"]:
            response.headers[name] = value
        return get_conditional_response(
            request,
            etag=entry["headers_etag"],
            last_modified=entry["last_modified"],
            response=response,
        )

    @staticmethod
    def is_personal(request, response):
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        return (
            match is not None
            and caching.is_page_cached(match.func)
            and user is not None
            and user.is_authenticated
            and not response.has_header("Cache-Control")
        )

    @staticmethod
    def may_store(request, response):
        match = getattr(request, "resolver_match", None)
        if match is None or not caching.is_page_cached(match.func):
            return False
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        control = response.get("Cache-Control", "").lower()
        if any(word in control for word in ("private", "no-store", "no-cache")):
            return False
        vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
        if vary - ALLOWED_VARY:
            return False
        user = getattr(request, "user", None)
        return not (user is not None and user.is_authenticated)

    @staticmethod
    def store(key, request, response, started_ns):
        keys = {*(getattr(request, "cache_keys", None) or DEFAULT_KEYS), caching.SITE_KEY}
        named = {*(getattr(request, "surrogate_keys", None) or DEFAULT_KEYS), caching.SITE_KEY}
        label = " ".join(sorted(named))
        response.headers["Surrogate-Key"] = label
        response.headers["Cache-Tag"] = label.replace(" ", ",")
        now = int(time.time())
        generations, seconds = caching.generations_for_storing(
            keys, started_ns, settings.PAGE_CACHE_SECONDS
        )
        patch_cache_control(
            response,
            public=True,
            max_age=settings.PAGE_CACHE_BROWSER_SECONDS,
            s_maxage=min(settings.PAGE_CACHE_CDN_SECONDS, seconds),
            stale_while_revalidate=settings.PAGE_CACHE_STALE_SECONDS,
        )
        if not response.has_header("ETag"):
            digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
            response.headers["ETag"] = f'"{digest}"'
        response.headers["Last-Modified"] = http_date(now)
        if generations is None:
            return  # something on the page changed while it was being rendered
        entry = {
            "generations": generations,
            "status": response.status_code,
            "headers": [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in SKIPPED_HEADERS
            ],
            "headers_etag": response.headers["ETag"],
            "last_modified": now,
            "content": response.content,
        }
        cache.set(key, entry, seconds)
