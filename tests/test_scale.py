"""Things that must stay cheap as the archive grows: query budgets of the crawler pages, the
admin list without whole-table counts, and the scale seeding command."""

import re
from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import search
from articles.admin.stories import EstimatedCountPaginator
from articles.models import Article, Byline, TaggedArticle

from .factories import make_article, make_author, make_photo, make_section

WHOLE_TABLE_COUNT = re.compile(r'COUNT\(\*\)[^;]*FROM "articles_article"(?![^;]*WHERE)', re.I)


@pytest.fixture
def archive(db):
    def grow(stories):
        section = make_section()
        for _ in range(stories):
            make_article(
                section=section,
                authors=[make_author()],
                tags=["harbour", "budget"],
                lead_photo=make_photo(),
            )

    return grow


@pytest.mark.parametrize("stories", [3, 30])
@pytest.mark.parametrize(
    ("url", "budget"),
    [
        # the index: one count per sitemap (articles, sections, tags, authors) and their pages
        ("/sitemap.xml", 6),
        ("/sitemap-articles.xml", 2),  # count; a page of stories
        ("/sitemap-sections.xml", 2),  # count; sections with their newest story's time
        ("/sitemap-tags.xml", 2),  # count; a page of tags
        ("/sitemap-authors.xml", 2),  # count; a page of authors
        ("/news-sitemap.xml", 2),  # stories; their tags
        ("/robots.txt", 0),
    ],
)
def test_crawler_pages_run_a_fixed_number_of_queries(
    client, archive, django_assert_num_queries, stories, url, budget
):
    archive(stories)
    assert client.get(url).status_code == 200  # fills the site-wide caches
    with django_assert_num_queries(budget):
        assert client.get(url).status_code == 200


def test_admin_article_list_never_counts_the_whole_table(editor_client, archive, monkeypatch):
    """At a million rows a COUNT(*) of the table takes seconds: the list shows an estimate
    (PostgreSQL's statistics) and no "N total" link. Forced here for any result size."""
    archive(5)
    monkeypatch.setattr(EstimatedCountPaginator, "ESTIMATE_ABOVE", -1)
    for query in ("", "?status__exact=published", "?q=budget", "?authors__id__exact=1"):
        with CaptureQueriesContext(connection) as queries:
            response = editor_client.get("/admin/articles/article/" + query)
        assert response.status_code == 200
        sql = [q["sql"] for q in queries.captured_queries]
        whole = [s for s in sql if WHOLE_TABLE_COUNT.search(s)]
        if connection.vendor == "postgresql":
            assert not whole, whole
            assert not any(re.search(r"COUNT\(\*\)", s) for s in sql if "articles_article" in s)


def test_admin_date_hierarchy_lists_years_without_a_distinct_over_the_table(editor_client):
    """Django's drill-down runs SELECT DISTINCT on the truncated date of every row (over a
    second at a million stories); ours links each year between the first and the last story."""
    tz = timezone.get_current_timezone()
    make_article(headline="Ferry strike ends", published_at=datetime(2019, 3, 14, 12, tzinfo=tz))
    make_article(headline="Port budget passes", published_at=datetime(2022, 7, 1, 12, tzinfo=tz))
    url = "/admin/articles/article/"
    with CaptureQueriesContext(connection) as queries:
        html = editor_client.get(url).content.decode()
    assert not [q["sql"] for q in queries.captured_queries if "DISTINCT" in q["sql"]]
    years = re.findall(r'href="\?published_at__year=(\d{4})"', html)
    assert years == ["2019", "2020", "2021", "2022"]

    html = editor_client.get(url + "?published_at__year=2022").content.decode()
    assert "Port budget passes" in html and "Ferry strike ends" not in html
    assert "published_at__month=12" in html  # every month of the year to drill into
    html = editor_client.get(url + "?published_at__year=2022&published_at__month=7").content
    assert b"published_at__day=31" in html


def test_admin_list_sorts_only_by_indexed_columns():
    from django.contrib import admin

    model_admin = admin.site._registry[Article]
    indexed = {"headline", "state", "published_at", "updated_at"}
    assert set(model_admin.sortable_by) <= indexed
    assert model_admin.show_full_result_count is False


def test_seed_scale_adds_realistic_stories_with_shared_photos(db, settings, tmp_path):
    out = StringIO()
    call_command("seed_scale", "--articles", "120", "--photos", "3", "--authors", "5", stdout=out)
    assert "Added 120 stories" in out.getvalue()
    assert Article.objects.count() == 120
    assert Article.objects.published().count() > 100
    assert Article.objects.values("lead_photo").distinct().count() <= 4  # a pool, plus none
    assert Byline.objects.count() >= 120 and TaggedArticle.objects.count() >= 120
    story = Article.objects.published().filter(lead_photo__isnull=False).for_detail().first()
    assert story.byline_authors and story.tags.all() and story.lead_photo.width == 960
    assert story in search.matching(Article.objects.all(), f'"{story.headline}"')


def test_seed_scale_dry_run_changes_nothing(db):
    out = StringIO()
    call_command("seed_scale", "--articles", "1000000", "--dry-run", stdout=out)
    assert "Would add 1,000,000 stories" in out.getvalue()
    assert not Article.objects.exists()
