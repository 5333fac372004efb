"""Readership: the beacon, what is (not) counted and stored, aggregation, most read, trending,
and the editors' dashboard."""

import io
import os
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from redis import Redis

from articles import analytics
from articles.models import Article, ArticleViews, Granularity, ReferrerViews
from newsroom.settings import redis_cache

from .factories import make_article, make_section

pytestmark = pytest.mark.django_db

BEACON = "/readership/view/"
REDIS_TEST_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def hit(client, article, referrer="", **headers):
    return client.post(
        BEACON,
        {"article": article.pk, "referrer": referrer},
        headers={"User-Agent": BROWSER, **headers},
    )


def views_of(article):
    return sum(ArticleViews.objects.filter(article=article).values_list("views", flat=True))


def test_a_beacon_counts_one_view_and_sets_no_cookie(client):
    article = make_article()
    response = hit(client, article, referrer="https://news.example.org/some/path?id=42")
    assert response.status_code == 204
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    assert views_of(article) == 1
    assert list(ReferrerViews.objects.values_list("domain", "views")) == [("news.example.org", 1)]


@pytest.mark.parametrize(
    "headers",
    [
        {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
        {"User-Agent": "curl/8.5.0"},
        {"User-Agent": ""},
        {"DNT": "1"},
        {"Sec-GPC": "1"},
        {"Sec-Purpose": "prefetch"},
        {"Purpose": "prefetch"},
    ],
    ids=["googlebot", "curl", "no-agent", "do-not-track", "gpc", "prefetch", "purpose-prefetch"],
)
def test_bots_prefetches_and_opted_out_readers_are_not_counted(client, headers):
    article = make_article()
    assert hit(client, article, **headers).status_code == 204
    assert views_of(article) == 0


def test_only_published_stories_are_counted_and_bad_input_is_a_clear_400(client):
    draft = make_article(status=Article.Status.DRAFT)
    assert hit(client, draft).status_code == 204
    assert views_of(draft) == 0
    response = client.post(BEACON, {"article": "nope"}, headers={"User-Agent": BROWSER})
    assert response.status_code == 400
    assert (
        client.post(BEACON, {"article": 999999}, headers={"User-Agent": BROWSER}).status_code == 204
    )
    assert client.get(BEACON).status_code == 405


def test_nothing_identifying_is_stored():
    def columns(model):
        return {field.name for field in model._meta.concrete_fields}

    assert columns(ArticleViews) == {"id", "article", "granularity", "bucket_start", "views"}
    assert columns(ReferrerViews) == {"id", "domain", "granularity", "bucket_start", "views"}


def test_views_are_aggregated_per_story_and_hour(client):
    article = make_article()
    for referrer in ["", "", "https://www.social.example/x", "http://127.0.0.1/news/1/"]:
        hit(client, article, referrer=referrer)
    assert ArticleViews.objects.filter(article=article).count() == 1
    assert views_of(article) == 4
    assert dict(ReferrerViews.objects.values_list("domain", "views")) == {
        "(direct)": 2,
        "social.example": 1,
        "127.0.0.1": 1,
    }


def test_roll_up_folds_old_hours_into_days_and_keeps_totals():
    article = make_article()
    now = timezone.now()
    old_day = analytics.hour_start(now - timedelta(days=10)).replace(hour=5)
    for hours in range(3):
        with time_machine.travel(old_day + timedelta(hours=hours), tick=False):
            analytics.record_view(article.pk, "(direct)")
            analytics.record_view(article.pk, "(direct)")
    analytics.record_view(article.pk, "(direct)")

    out = io.StringIO()
    call_command("rollup_readership", "--dry-run", stdout=out)
    assert "Would fold 6 hourly rows" in out.getvalue()
    assert ArticleViews.objects.filter(granularity=Granularity.DAY).count() == 0

    call_command("rollup_readership", stdout=io.StringIO())
    daily = ArticleViews.objects.get(granularity=Granularity.DAY)
    assert daily.views == 6 and daily.bucket_start == old_day.replace(hour=0)
    assert ArticleViews.objects.filter(granularity=Granularity.HOUR).count() == 1
    assert views_of(article) == 7
    call_command("rollup_readership", stdout=io.StringIO())  # again: nothing changes
    assert views_of(article) == 7


def record(article, views, hours_ago=0):
    with time_machine.travel(timezone.now() - timedelta(hours=hours_ago), tick=False):
        for _ in range(views):
            analytics.record_view(article.pk, "(direct)")


def test_most_read_ranks_the_last_24_hours_on_the_homepage_and_article_pages(client):
    section = make_section()
    steady = make_article(section=section, headline="Steady reader favourite")
    hot = make_article(section=section, headline="Hot story today")
    old_hit = make_article(section=section, headline="Big story last week")
    for _ in range(12):  # enough newer stories to fill the zones above "most read"
        make_article(section=section, published_at=timezone.now() - timedelta(minutes=5))
    record(steady, 5)
    record(hot, 9, hours_ago=3)
    record(old_hit, 50, hours_ago=30)

    assert analytics.most_read_ids(limit=3) == [hot.pk, steady.pk]
    other = make_article(section=section)
    html = client.get(other.url).content.decode()
    most_read = html.split('id="most-read-heading"', 1)[1].split("</section>", 1)[0]
    assert most_read.index("Hot story today") < most_read.index("Steady reader favourite")
    assert "Big story last week" not in most_read


def test_trending_compares_the_last_hour_with_the_storys_usual_rate():
    always_busy = make_article(published_at=timezone.now() - timedelta(days=3))
    surging = make_article(published_at=timezone.now() - timedelta(days=3))
    for hours_ago in range(2, 50):
        record(always_busy, 20, hours_ago=hours_ago)
        record(surging, 1, hours_ago=hours_ago)
    record(always_busy, 25)
    record(surging, 15)
    assert analytics.trending_ids(limit=2) == [surging.pk, always_busy.pk]


def test_editors_dashboard_shows_live_figures_and_an_svg_chart(editor_client, client):
    article = make_article(headline="Ferry returns")
    record(article, 3)
    hit(client, article, referrer="https://social.example/post")
    html = editor_client.get(reverse("admin:articles_readership_changelist")).content.decode()
    assert "story views in the last 5 minutes" in html
    live = html.split('class="readership-number">', 1)[1].split("<", 1)[0]
    assert int(live) >= 1
    assert "<svg" in html and "Story views per hour, last 48 hours" in html
    assert "Ferry returns" in html and "social.example" in html and article.section.name in html


def test_writers_see_the_dashboard_and_readers_do_not(writer_client, client):
    url = reverse("admin:articles_readership_changelist")
    assert writer_client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302


def test_a_storys_admin_page_charts_its_views(editor_client):
    article = make_article()
    record(article, 4)
    html = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content
    assert b"Views of this story per hour, last 48 hours" in html and b"<svg" in html


def test_article_pages_carry_the_beacon_and_listings_do_not(client):
    article = make_article()
    html = client.get(article.url).content.decode()
    assert f'data-article="{article.pk}" data-beacon="{BEACON}"' in html
    assert "data-beacon" not in client.get("/").content.decode()


# --- Rate limit (django-ratelimit, per address, in the shared cache) ----------------------


def test_beacons_past_the_rate_are_refused_with_429_and_no_cookie(client, settings):
    settings.READERSHIP_BEACON_RATE = "3/m"
    article = make_article()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert [hit(client, article).status_code for _ in range(3)] == [204] * 3
        refused = hit(client, article)
        assert refused.status_code == 429
        assert "Too many requests" in refused.content.decode()
        assert not refused.cookies
        assert "no-cache" in refused["Cache-Control"]
        assert views_of(article) == 3  # the refused one was not counted

        # Another reader's address has its own allowance.
        other = client.post(
            BEACON,
            {"article": article.pk},
            headers={"User-Agent": BROWSER},
            REMOTE_ADDR="203.0.113.20",
        )
        assert other.status_code == 204

        clock.shift(timedelta(seconds=61))
        assert hit(client, article).status_code == 204
    assert views_of(article) == 5


def test_beacon_rate_limit_can_be_turned_off(client, settings):
    settings.READERSHIP_BEACON_RATE = ""
    article = make_article()
    assert {hit(client, article).status_code for _ in range(5)} == {204}


def test_beacon_counters_live_in_redis_for_every_worker(client, settings):
    """With Redis, the count of one address is one key that every worker and machine shares."""
    prefix = f"nr_auth_test_{uuid.uuid4().hex}"
    settings.CACHES = {
        **settings.CACHES,
        "default": {**redis_cache(REDIS_TEST_URL), "KEY_PREFIX": prefix},
    }
    settings.READERSHIP_BEACON_RATE = "2/m"
    article = make_article()
    redis = Redis.from_url(REDIS_TEST_URL)
    try:
        assert [hit(client, article).status_code for _ in range(3)] == [204, 204, 429]
        # django-ratelimit's keys start with "rl:"; the others are the site's own.
        keys = redis.keys(f"{prefix}:1:rl:*")
        assert len(keys) == 1
        assert int(redis.get(keys[0])) == 3
    finally:
        for key in redis.scan_iter(f"{prefix}:*"):
            redis.delete(key)
