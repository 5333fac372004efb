"""Outages: a hung or dead Redis slows the site at most once; a stopped database leaves the
page cache answering and every other page a quick 503.

Each test starts its own redis-server and PostgreSQL on free ports (tests/services.py) and
stops them by PID; the machine's shared servers are never touched.
"""

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import Client

from articles.chrome import site_chrome
from newsroom.settings import redis_cache

from .factories import make_article, make_author, make_photo
from .services import (
    SiteServer,
    ThrowawayPostgres,
    ThrowawayRedis,
    manage,
    run_django,
    site_environment,
    wait_for,
)

pytestmark = pytest.mark.caches_on

SOCKET_TIMEOUT = redis_cache("redis://x")["OPTIONS"]["SOCKET_TIMEOUT"]


@pytest.fixture
def throwaway_redis():
    server = ThrowawayRedis()
    yield server
    server.stop()


def use_redis(settings, server, **options):
    config = redis_cache(server.url, **options)
    settings.CACHES = {"default": config, "template_fragments": config}


def no_cache(settings):
    dummy = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    settings.CACHES = {"default": dummy, "template_fragments": dummy}


@pytest.fixture
def story(db):
    site_chrome()  # the site settings row exists, as on any running site
    return make_article(
        headline="Ferry timetable changes",
        authors=[make_author(name="Ana Ruiz")],
        tags=["ferries"],
        lead_photo=make_photo(),
    )


def pages_of(story):
    return {"home": "/", "article": story.url, "section": story.section.get_absolute_url()}


def timed_get(client, url):
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, url
    return elapsed


def commands_for(server, client, url):
    """How many commands Redis ran for one request."""
    before = server.commands()
    client.get(url)
    return server.commands() - before - 1  # the first INFO is counted by the second


def test_pages_make_few_cache_round_trips(settings, story, throwaway_redis):
    throwaway_redis.start()
    use_redis(settings, throwaway_redis)
    client = Client()
    pages = pages_of(story)
    for url in pages.values():
        client.get(url)
    # From the page cache: the stored page with the generations of ``site`` and ``list`` in
    # one MGET (all the homepage needs), then those of the page's other keys in another.
    hits = {name: commands_for(throwaway_redis, client, url) for name, url in pages.items()}
    assert hits == {"home": 1, "article": 2, "section": 2}
    # Rendered with every fragment warm (another page number is another page-cache entry):
    # the entry with two generations, one MGET of the generations and the next publication
    # time, the site chrome with its generation in one MGET, one GET per template fragment,
    # one MGET of the generations to store the page with, the SET.
    rendered = {
        name: commands_for(throwaway_redis, client, f"{url}?page=1") for name, url in pages.items()
    }
    assert rendered == {"home": 9, "article": 12, "section": 9}


def test_with_redis_hung_pages_answer_about_as_fast_as_with_no_cache(
    settings, story, throwaway_redis
):
    """After the first cache call times out, the process stops asking Redis: pages cost
    what they cost with no cache at all, not a socket timeout per cache call."""
    client = Client()
    pages = pages_of(story)
    no_cache(settings)
    for url in pages.values():
        timed_get(client, url)  # imports, template loading
    baseline = {
        name: statistics.median(timed_get(client, url) for _ in range(5))
        for name, url in pages.items()
    }
    throwaway_redis.start()
    use_redis(settings, throwaway_redis)
    for url in pages.values():
        timed_get(client, url)
        timed_get(client, url)  # now served from the page cache
    throwaway_redis.hang()

    # The first request meets the hung server: one socket timeout, not one per cache call.
    assert timed_get(client, pages["home"]) < 3 * SOCKET_TIMEOUT
    for name, url in pages.items():
        for _ in range(3):
            elapsed = timed_get(client, url)
            # 1.5x, plus 50 ms for a busy machine: far below one socket timeout.
            assert elapsed < 1.5 * baseline[name] + 0.05, (name, elapsed, baseline[name])


def test_the_breaker_tries_redis_again_after_its_time(settings, story, throwaway_redis):
    """Redis down: the first request finds out and the process stops asking. Once Redis is
    back, requests keep skipping it until CACHE_BREAKER_SECONDS have passed, then one call
    tries again and pages are cached once more."""
    seconds = 2
    use_redis(settings, throwaway_redis, breaker_seconds=seconds)
    client = Client()
    url = story.url
    opened = time.monotonic()  # no later than the breaker opens
    timed_get(client, url)  # connection refused: the breaker opens
    throwaway_redis.start()
    assert commands_for(throwaway_redis, client, url) == 0  # Redis is up, but skipped
    assert time.monotonic() - opened < seconds, "the machine is too slow for this test"

    wait_for(
        lambda: commands_for(throwaway_redis, client, url) > 0,
        10 + seconds,
        "the breaker to try Redis again",
    )
    assert time.monotonic() - opened >= seconds
    client.get(url)  # stored by the first request after the breaker closed, or by this one
    assert commands_for(throwaway_redis, client, url) == 2  # a page-cache hit again


def test_a_change_reaches_redis_while_the_breaker_skips_it_for_pages(
    settings, story, throwaway_redis, django_capture_on_commit_callbacks
):
    """Invalidations are not skipped: a bump lost to a passing failure would leave every
    other process serving the old page."""
    use_redis(settings, throwaway_redis, breaker_seconds=60)
    client = Client()
    timed_get(client, story.url)  # connection refused: the breaker opens for a minute
    throwaway_redis.start()
    assert commands_for(throwaway_redis, client, story.url) == 0
    story.headline = "Ferry timetable restored"
    with django_capture_on_commit_callbacks(execute=True):
        story.save()
    assert throwaway_redis.client().keys(f"*gen:a{story.pk}")


# Database outages ---------------------------------------------------------------------------

SEED = """
from tests.factories import make_article, make_author, make_section
section = make_section(name="Harbour", slug="harbour")
author = make_author(name="Ana Ruiz", slug="ana-ruiz")
stories = [
    make_article(section=section, authors=[author], tags=["ferries"],
                 headline=f"Ferry story {n}", slug=f"ferry-story-{n}")
    for n in range(3)
]
print(json.dumps({"articles": [s.url for s in stories], "section": section.get_absolute_url()}))
"""


@pytest.fixture(scope="module")
def site_on_throwaway_services():
    """The site in production mode (gunicorn, 2 sync workers, the default database settings)
    on a PostgreSQL and a Redis of its own: the page cache is shared by the workers."""
    postgres, cache_server, server = ThrowawayPostgres(), ThrowawayRedis(), None
    try:
        postgres.start()
        postgres.create_database()
        cache_server.start()
        env = site_environment(postgres.url, cache_server.url, postgres.folder / "media")
        manage("migrate", "--noinput", "-v0", env=env)
        manage("collectstatic", "--noinput", "-v0", env=env)
        urls = run_django(SEED, env)
        server = SiteServer(env, workers=2).start()
        yield postgres, server, urls
    finally:
        if server:
            server.stop()
        cache_server.stop()
        postgres.remove()


@pytest.mark.stack  # runs the site on its own services, so once, not again per database
def test_with_the_database_stopped_cached_pages_answer_and_others_are_a_quick_503(
    site_on_throwaway_services,
):
    postgres, server, urls = site_on_throwaway_services
    cached, uncached, later = urls["articles"]
    for path in ("/", cached):
        for _ in range(4):  # both workers have it, and it is in the page cache
            assert server.get(path)[0] == 200
    postgres.stop()

    # Uncached pages, several at once: each fails fast, none holds a worker.
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(server.get, [uncached, urls["section"]] * 3))
    for status, headers, body, seconds in answers:
        assert status == 503, body[:500]
        assert seconds < 2
        assert headers["Retry-After"] == "30"
        assert "no-store" in headers["Cache-Control"]
        assert "Content-Security-Policy" in headers
        assert "The site is temporarily unavailable" in body
        assert 'rel="stylesheet"' in body
    # Page-cached pages keep answering, from either worker.
    for _ in range(4):
        for path in ("/", cached):
            status, _, body, seconds = server.get(path)
            assert (status, seconds < 1) == (200, True), path
    assert "Ferry story 0" in server.get(cached)[2]

    postgres.start()
    wait_for(lambda: server.get(uncached)[0] == 200, 20, "the site to use the database again")
    for path in (later, urls["section"], uncached):
        assert server.get(path)[0] == 200, path
