"""Privacy-friendly readership: counting story views and reading the figures back.

A view is counted from a beacon the page sends after it loads (so pages served by a cache or
a CDN count too). Nothing identifies a reader: no cookie is set, and no address, browser or
full referring URL is stored; requests from bots, prefetches and readers who ask not to be
tracked (Do-Not-Track, Global Privacy Control) are not counted. Counts go into one row per
story per hour (`ArticleViews`), so storage grows with stories x hours; `roll_up()` folds
hours older than a week into days.
"""

from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

from crawlerdetect import CrawlerDetect
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from .models import Article, ArticleViews, Granularity, ReferrerViews

MOST_READ_HOURS = 24
MOST_READ_RANKED = 30  # enough for the homepage to skip the stories shown above it
FIGURES_CACHE_SECONDS = 60
LIVE_MINUTES = 5
ROLL_UP_AFTER = timedelta(days=7)

_crawlers = CrawlerDetect()


def should_count(request):
    """False for bots, prefetches and readers who opted out of tracking."""
    headers = request.headers
    if headers.get("DNT") == "1" or headers.get("Sec-GPC") == "1":
        return False
    purpose = headers.get("Sec-Purpose", "") + headers.get("Purpose", "") + headers.get("X-Moz", "")
    if "prefetch" in purpose or "prerender" in purpose:
        return False
    user_agent = headers.get("User-Agent", "")
    return bool(user_agent) and not _crawlers.isCrawler(user_agent)


def beacon_rate(group, request):
    """How many views one address may report (READERSHIP_BEACON_RATE); None: no limit."""
    return settings.READERSHIP_BEACON_RATE or None


def referrer_domain(referrer, own_host):
    """The referring site's host name only; "(direct)" and "(internal)" for the obvious."""
    host = (urlsplit(referrer if "//" in referrer else f"//{referrer}").hostname or "")[:100]
    if not host:
        return "(direct)"
    if host == own_host.split(":")[0]:
        return "(internal)"
    return host.removeprefix("www.")


def hour_start(moment):
    return moment.replace(minute=0, second=0, microsecond=0)


def _increment(model, key_fields, values, views=1):
    """Add ``views`` to one bucket row, creating it if needed, in one atomic statement."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [model._meta.get_field(name).column for name in key_fields]
    column_list = ", ".join(connection.ops.quote_name(c) for c in columns)
    placeholders = ", ".join(["%s"] * (len(columns) + 1))
    sql = (
        f"INSERT INTO {table} ({column_list}, views) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({column_list}) DO UPDATE SET views = {table}.views + EXCLUDED.views"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, views])


def record_view(article_id, domain):
    """Count one view of a story: its hourly bucket, the referrer's, and the live counter."""
    now = timezone.now()
    bucket = hour_start(now)
    with transaction.atomic():
        _increment(
            ArticleViews,
            ["article", "granularity", "bucket_start"],
            [article_id, Granularity.HOUR, bucket],
        )
        _increment(
            ReferrerViews,
            ["domain", "granularity", "bucket_start"],
            [domain, Granularity.HOUR, bucket],
        )
    minute_key = f"readership:minute:{int(now.timestamp() // 60)}"
    cache.add(minute_key, 0, timeout=(LIVE_MINUTES + 2) * 60)
    try:
        cache.incr(minute_key)
    except ValueError:  # The key expired between add and incr: this view starts it again.
        cache.set(minute_key, 1, timeout=(LIVE_MINUTES + 2) * 60)


def views_in_last_minutes(minutes=LIVE_MINUTES, now=None):
    """Story views in the last few minutes (from the shared cache; exact with Redis)."""
    now = now or timezone.now()
    current = int(now.timestamp() // 60)
    keys = [f"readership:minute:{current - n}" for n in range(minutes)]
    return sum(cache.get_many(keys).values())


def _cached(key, compute):
    return cache.get_or_set(key, compute, FIGURES_CACHE_SECONDS)


def _hourly_since(hours, now=None):
    now = now or timezone.now()
    return ArticleViews.objects.filter(
        granularity=Granularity.HOUR,
        bucket_start__gte=hour_start(now) - timedelta(hours=hours - 1),
    )


def most_read_ids(limit=5, hours=MOST_READ_HOURS):
    """Ids of the public stories read most in the last ``hours``, most read first, at most
    ``limit`` of them (None: all MOST_READ_RANKED). Cached as one ranking that every caller
    slices: the homepage wants more than the article page's rail, and ranking for each
    would read the day's figures twice."""

    def compute():
        return list(
            _hourly_since(hours)
            .filter(article__in=Article.objects.published())
            .values("article")
            .annotate(total=Sum("views"))
            .order_by("-total", "-article")
            .values_list("article", flat=True)[:MOST_READ_RANKED]
        )

    return _cached(f"readership:most-read:{hours}", compute)[:limit]


def trending_ids(limit=5, minimum_views=5):
    """Ids of public stories read much more in the last hour than is usual for them.

    "Usual" is the story's average views per hour over the week before (counting only the
    hours since it was published), so a new story is compared with itself, not with the
    site's old favourites.
    """

    def compute():
        now = timezone.now()
        recent = dict(
            _hourly_since(2, now)
            .filter(article__in=Article.objects.published())
            .values("article")
            .annotate(total=Sum("views"))
            .filter(total__gte=minimum_views)
            .order_by("-total")
            .values_list("article", "total")[:50]
        )
        if not recent:
            return []
        week_ago = hour_start(now) - timedelta(days=7)
        before = Counter(
            dict(
                ArticleViews.objects.filter(
                    article__in=recent,
                    granularity=Granularity.HOUR,
                    bucket_start__gte=week_ago,
                    bucket_start__lt=hour_start(now) - timedelta(hours=1),
                )
                .values("article")
                .annotate(total=Sum("views"))
                .values_list("article", "total")
            )
        )
        published = dict(Article.objects.filter(pk__in=recent).values_list("pk", "published_at"))

        def score(article_id):
            hours = (now - max(published[article_id], week_ago)).total_seconds() / 3600 - 1
            usual_per_hour = before[article_id] / max(hours, 1)
            return recent[article_id] / max(usual_per_hour, 1)

        return sorted(recent, key=lambda pk: (-score(pk), -recent[pk]))[:limit]

    return _cached(f"readership:trending:{limit}", compute)


def views_per_hour(hours=48, article=None, now=None):
    """[(hour start, views)] for each of the last ``hours`` hours, oldest first, zeros included."""
    now = now or timezone.now()
    rows = _hourly_since(hours, now)
    if article is not None:
        rows = rows.filter(article=article)
    totals = dict(
        rows.values("bucket_start")
        .annotate(total=Sum("views"))
        .values_list("bucket_start", "total")
    )
    first = hour_start(now) - timedelta(hours=hours - 1)
    return [
        (first + timedelta(hours=n), totals.get(first + timedelta(hours=n), 0))
        for n in range(hours)
    ]


def top_stories(hours=1, limit=10):
    """[(article, views)] read most in the last ``hours``."""
    totals = (
        _hourly_since(hours)
        .values("article")
        .annotate(total=Sum("views"))
        .order_by("-total")
        .values_list("article", "total")[:limit]
    )
    totals = dict(totals)
    articles = Article.objects.select_related("section").in_bulk(totals)
    return [(articles[pk], views) for pk, views in totals.items() if pk in articles]


def top_sections(hours=24, limit=10):
    return list(
        _hourly_since(hours)
        .values("article__section__name")
        .annotate(total=Sum("views"))
        .order_by("-total")
        .values_list("article__section__name", "total")[:limit]
    )


def top_referrers(hours=24, limit=10):
    now = timezone.now()
    return list(
        ReferrerViews.objects.filter(
            granularity=Granularity.HOUR,
            bucket_start__gte=hour_start(now) - timedelta(hours=hours - 1),
        )
        .values("domain")
        .annotate(total=Sum("views"))
        .order_by("-total")
        .values_list("domain", "total")[:limit]
    )


def roll_up(older_than=ROLL_UP_AFTER, dry_run=False, now=None):
    """Fold hourly buckets older than ``older_than`` into daily ones; returns rows folded.

    Days are UTC days. Each day is added to its daily row (so running twice is safe: the
    hours are gone after the first run) and its hours are deleted in the same transaction.
    """
    now = now or timezone.now()
    cutoff = hour_start(now) - older_than
    cutoff = cutoff.replace(hour=0)  # whole days only
    folded = 0
    with transaction.atomic():
        for model, key in ((ArticleViews, "article"), (ReferrerViews, "domain")):
            old = model.objects.filter(granularity=Granularity.HOUR, bucket_start__lt=cutoff)
            days = Counter()
            for key_value, start, views in old.values_list(key, "bucket_start", "views"):
                days[(key_value, start.replace(hour=0))] += views
                folded += 1
            if dry_run:
                continue
            for (key_value, day), views in days.items():
                _increment(
                    model,
                    [key, "granularity", "bucket_start"],
                    [key_value, Granularity.DAY, day],
                    views=views,
                )
            old.delete()
    return folded
