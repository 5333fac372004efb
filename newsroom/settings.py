"""
Settings for Newsroom, read from the environment.

With no variable set the site runs locally on SQLite with development defaults.
Production sets at least DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL;
`manage.py check --deploy` is then clean. See README.md for every knob.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only ever used on a developer's machine: production refuses to start without a key.
    SECRET_KEY = "django-insecure-local-development-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SITE_NAME = env("SITE_NAME", "The Port Aldren Courier")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def _tag_url(tag):
    from django.urls import reverse

    return reverse("articles:tag", kwargs={"slug": tag.slug})


# django-taggit's Tag has no get_absolute_url(); templates, feeds and sitemaps ask for one.
ABSOLUTE_URL_OVERRIDES = {"taggit.tag": _tag_url}

INSTALLED_APPS = [
    "django.contrib.admin",
    # Replaces the admin's date_hierarchy tag (see articles/admin/mixins.py).
    "django_admin_lightweight_date_hierarchy",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "taggit",
    "django_prose_editor",
    "reversion",
    "axes",
    "django_ratelimit",
    "articles",
]

MIDDLEWARE = [
    # First: cached anonymous pages are answered before sessions, auth and CSRF run.
    "newsroom.pagecache.PageCacheMiddleware",
    # A database that cannot be reached is a quick 503 page, not a 500 (newsroom/outage.py).
    "newsroom.outage.DatabaseOutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "newsroom.security.AdminEditorCSPMiddleware",
    # Turns a rate-limited request into a 429 (newsroom.views.rate_limited).
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsroom.context_processors.site",
            ],
        },
    },
]

# Database: SQLite file in the project folder unless DATABASE_URL says otherwise.
DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server fails a connection attempt after this many seconds (libpq's
    # minimum is 2), instead of holding the worker until the operating system gives up.
    # A connect_timeout in DATABASE_URL's query string wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 2)
    )
    if env_bool("DATABASE_POOL", False):
        # psycopg 3's pool, for threaded or async workers; with health checks on it hands out
        # only live connections. The size is per process: workers x DATABASE_POOL_MAX_SIZE must
        # stay below max_connections. While the database is down each request waits up to
        # DATABASE_POOL_TIMEOUT for a connection, which is why sync workers do not use it.
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env_int("DATABASE_POOL_MIN_SIZE", 1),
            "max_size": env_int("DATABASE_POOL_MAX_SIZE", 4),
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
        }
    else:
        # Persistent connections, the default: faster with sync workers (one connection each,
        # no checkout per request), and a stopped database fails a request at once.
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# Cache: Redis when REDIS_URL is set, process memory otherwise. A Redis outage must slow
# the site, never break it, hence short timeouts, IGNORE_EXCEPTIONS (a failed call is a miss)
# and a circuit breaker: after a failed call this process skips Redis for
# CACHE_BREAKER_SECONDS, then tries one call again (newsroom/cachebreaker.py). Without it a
# hung Redis costs every cache call of every page the socket timeout.
CACHE_BREAKER_SECONDS = env_int("CACHE_BREAKER_SECONDS", 5)


def redis_cache(url, breaker_seconds=CACHE_BREAKER_SECONDS):
    """The cache settings for the Redis at ``url`` (also used by the Redis fault tests)."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "newsroom",
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
            "IGNORE_EXCEPTIONS": True,
            "REDIS_CLIENT_CLASS": "newsroom.cachebreaker.GuardedRedis",
            "REDIS_CLIENT_KWARGS": {"breaker_seconds": breaker_seconds},
        },
    }


REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
    # The breaker logs when Redis fails and when it answers again; a line per skipped call
    # (a dozen a page) would bury that.
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # Pages, fragments and their generation keys: more than the default 300 entries.
            "OPTIONS": {"MAX_ENTRIES": env_int("LOCMEM_CACHE_MAX_ENTRIES", 20_000)},
        }
    }

# CACHE_BACKEND=dummy makes every cache a DummyCache (pages, fragments, site settings,
# rate-limit counters): the cold render every page must be fast at by itself (bench/run.py).
CACHE_BACKEND = env("CACHE_BACKEND", "")
if CACHE_BACKEND == "dummy":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
elif CACHE_BACKEND:
    raise ImproperlyConfigured(f"CACHE_BACKEND must be empty or 'dummy', not {CACHE_BACKEND!r}")

# --- Page and fragment caching (articles/caching.py, newsroom/pagecache.py) -------------
# {% cache %} looks for this alias first; naming it saves a failed lookup per fragment.
CACHES["template_fragments"] = CACHES["default"]

# Anonymous public pages are kept in the cache above for at most PAGE_CACHE_SECONDS (0 turns
# the page cache off) and invalidated within seconds of a change through generation keys.
# Browsers revalidate (max-age 0, ETag); a CDN may keep a page PAGE_CACHE_CDN_SECONDS and
# serve it stale for PAGE_CACHE_STALE_SECONDS while it refetches. PURGER receives the
# surrogate keys of every change: the logging one by default, articles.caching.HTTPPurger
# (PURGE to each of PURGER_URLS, e.g. Varnish with xkey) for a proxy.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
PAGE_CACHE_BROWSER_SECONDS = env_int("PAGE_CACHE_BROWSER_SECONDS", 0)
PAGE_CACHE_CDN_SECONDS = env_int("PAGE_CACHE_CDN_SECONDS", 60)
PAGE_CACHE_STALE_SECONDS = env_int("PAGE_CACHE_STALE_SECONDS", 30)
FRAGMENT_CACHE_SECONDS = env_int("FRAGMENT_CACHE_SECONDS", 600)
PURGER = env("PURGER", "articles.caching.LoggingPurger")
PURGER_URLS = env_list("PURGER_URLS", [])
PURGER_HEADER = env("PURGER_HEADER", "xkey-purge")
PURGER_TIMEOUT = env_int("PURGER_TIMEOUT", 2)
# The benchmark's bare view (the framework floor) exists only when the harness asks for it.
BENCH_FLOOR_VIEW = env_bool("NEWSROOM_BENCH_FLOOR", False)

# --- Logins and public write endpoints -------------------------------------------------
# django-axes counts failed logins per username and address together, so a guesser locks
# out only themselves, not the editor they are guessing; see docs/security.md.
AUTHENTICATION_BACKENDS = [
    "newsroom.auth.LoginAttemptsBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# Groups of parameters: "username+ip_address" (one lock per pair), "ip_address", "username".
AXES_LOCKOUT_PARAMETERS = [
    group.split("+") if "+" in group else group
    for group in env_list("AXES_LOCKOUT_PARAMETERS", ["username+ip_address"])
]
AXES_LOCKOUT_CALLABLE = "newsroom.auth.locked_out"
AXES_CLIENT_IP_CALLABLE = "newsroom.auth.client_ip"
AXES_RESET_ON_SUCCESS = True
LOGIN_URL = "admin:login"
# Where a login lands when ?next= is missing or points off the site.
LOGIN_REDIRECT_URL = "admin:index"

# The client's address, for lockouts and rate limits. Behind a proxy every request comes
# from the proxy: name the header it sets (e.g. X-Forwarded-For) and its last hop is used.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", "")
# django-ratelimit: counters live in the default cache (Redis when set, so every worker and
# machine shares them). A cache failure lets requests through: an outage never blocks readers.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "newsroom.auth.client_ip"
RATELIMIT_FAIL_OPEN = True
RATELIMIT_VIEW = "newsroom.views.rate_limited"
# Views counted per address; empty turns the limit off. A newsroom's office or a mobile
# carrier may put many readers behind one address, hence the generous default.
READERSHIP_BEACON_RATE = env("READERSHIP_BEACON_RATE", "120/m")
if not REDIS_URL or CACHE_BACKEND == "dummy":
    # Without Redis each process counts for itself: the limit is per worker, which is still
    # a limit. django-ratelimit's checks ask for a shared cache; docs/security.md says why
    # one machine may do without.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))  # collectstatic writes here
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Django serves MEDIA_ROOT itself (newsroom/media.py) when debugging or when no web server is
# in front (SERVE_MEDIA=1); behind nginx the proxy does it (deploy/, docs/production.md).
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads larger than this are refused before Pillow sees them.
PHOTO_MAX_UPLOAD_BYTES = env_int("PHOTO_MAX_UPLOAD_BYTES", 30 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

TAGGIT_CASE_INSENSITIVE = True

# The admin's body editor; the same extensions define what the sanitiser keeps.
DJANGO_PROSE_EDITOR_DEFAULT_EXTENSIONS = {}

# Security. Production defaults are strict; behind a TLS-terminating proxy set
# SECURE_PROXY_SSL_HEADER=1 so Django trusts X-Forwarded-Proto.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Off only to try a production build over plain http on loopback (docs/security.md).
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Content-Security-Policy (django-csp): no inline script or style anywhere, so injected
# markup cannot run. Media may live on another host (object storage, a CDN).
_media_url = urlsplit(MEDIA_URL)
_media_origin = [f"{_media_url.scheme}://{_media_url.netloc}"] if _media_url.netloc else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # blob: lets the admin preview a photo before it is uploaded.
        "img-src": [SELF, "data:", "blob:", *_media_origin],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
