"""Search, for readers and in the admin, on PostgreSQL (full text) and SQLite (fallback).

The same tests run on both databases (`make test` and `make test-postgres`)."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.search import parse_query

from .factories import make_article, make_author, make_photo, make_section

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - timezone.timedelta(days=days)


def results(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    html = response.content.decode()
    return html, [a.headline for a in Article.objects.all() if a.headline in html]


def order_of(html, *headlines):
    return sorted(headlines, key=html.index)


def test_a_headline_match_outranks_a_body_match(client):
    body_match = make_article(
        headline="Council meets on Tuesday", body="<p>The lighthouse keeper spoke first.</p>"
    )
    headline_match = make_article(
        headline="Lighthouse to reopen in spring",
        body="<p>Repairs are done.</p>",
        published_at=days_ago(2),
    )
    html, found = results(client, q="lighthouse")
    assert set(found) == {body_match.headline, headline_match.headline}
    assert (
        order_of(html, body_match.headline, headline_match.headline)[0] == headline_match.headline
    )


def test_recent_stories_win_among_equal_matches(client):
    old = make_article(headline="Lighthouse keeper retires", published_at=days_ago(300))
    new = make_article(headline="Lighthouse keeper hired", published_at=days_ago(1))
    html, _ = results(client, q="lighthouse keeper")
    assert order_of(html, old.headline, new.headline)[0] == new.headline


def test_quoted_phrases_exclusions_and_or(client):
    phrase = make_article(headline="Harbor budget passes", body="<p>Seven votes.</p>")
    apart = make_article(headline="Budget for the harbor", body="<p>Debate continues.</p>")
    ferry = make_article(headline="Ferry schedule changes", body="<p>Winter timetable.</p>")
    bridge = make_article(headline="Bridge closes for repairs", body="<p>Detours.</p>")

    _, found = results(client, q='"harbor budget"')
    assert found == [phrase.headline]
    _, found = results(client, q="budget -continues")
    assert found == [phrase.headline]
    _, found = results(client, q="ferry OR bridge")
    assert sorted(found) == sorted([ferry.headline, bridge.headline])
    _, found = results(client, q='harbor -"budget passes"')
    assert found == [apart.headline]


def test_tags_authors_and_photo_captions_are_searched(client):
    tagged = make_article(headline="Story one", tags=["seabirds"])
    by = make_article(headline="Story two", authors=[make_author(name="Marisol Quenby")])
    pictured = make_article(
        headline="Story three", lead_photo=make_photo(caption="Puffins nesting on the cliffs.")
    )
    assert results(client, q="seabirds")[1] == [tagged.headline]
    assert results(client, q="Quenby")[1] == [by.headline]
    assert results(client, q="puffins")[1] == [pictured.headline]


def test_the_index_follows_tag_changes(client):
    story = make_article(headline="Quiet story")
    assert results(client, q="eelgrass")[1] == []
    story.tags.add("eelgrass")
    assert results(client, q="eelgrass")[1] == [story.headline]


def test_filters_by_section_and_date(client):
    harbor, city = make_section(name="Harbor"), make_section(name="City")
    in_harbor = make_article(section=harbor, headline="Tide report one", published_at=days_ago(1))
    in_city = make_article(section=city, headline="Tide report two", published_at=days_ago(1))
    old = make_article(section=harbor, headline="Tide report three", published_at=days_ago(40))

    assert set(results(client, q="tide", section=harbor.slug)[1]) == {
        in_harbor.headline,
        old.headline,
    }
    since = timezone.localdate() - timezone.timedelta(days=7)
    assert set(results(client, q="tide", since=since.isoformat())[1]) == {
        in_harbor.headline,
        in_city.headline,
    }
    until = timezone.localdate() - timezone.timedelta(days=30)
    assert results(client, q="tide", until=until.isoformat())[1] == [old.headline]


def test_only_the_newest_matches_are_ranked_and_dates_reach_older_ones(client, monkeypatch):
    """A common word matches much of a big archive: readers get the best of its newest
    matches (the listings' cap), and the date filters reach further back."""
    monkeypatch.setattr("articles.views.LISTING_MAX_STORIES", 2)
    oldest = make_article(headline="Lighthouse lighthouse reopens", published_at=days_ago(90))
    middle = make_article(headline="Council hears from the lighthouse keeper")
    newest = make_article(headline="Port budget", body="<p>The lighthouse needs paint.</p>")
    html, found = results(client, q="lighthouse")
    assert set(found) == {middle.headline, newest.headline}
    assert order_of(html, middle.headline, newest.headline)[0] == middle.headline
    until = days_ago(30).date().isoformat()
    _, found = results(client, q="lighthouse", until=until)
    assert found == [oldest.headline]


def test_readers_never_find_drafts_scheduled_or_in_review_stories(client):
    make_article(headline="Lighthouse draft", status=Article.Status.DRAFT)
    make_article(headline="Lighthouse review", status=Article.Status.REVIEW)
    make_article(
        headline="Lighthouse later", published_at=timezone.now() + timezone.timedelta(days=1)
    )
    live = make_article(headline="Lighthouse live")
    assert results(client, q="lighthouse")[1] == [live.headline]


def test_results_show_a_highlighted_escaped_snippet(client):
    make_article(
        headline="Harbor news",
        body="<p>Officials said the &lt;b&gt;lighthouse&lt;/b&gt; lamp will be replaced.</p>",
    )
    html, _ = results(client, q="lamp")
    snippet = html.split('class="snippet">', 1)[1].split("</p>", 1)[0]
    assert "<mark>lamp</mark>" in snippet
    assert "&lt;b&gt;lighthouse&lt;/b&gt;" in snippet


@pytest.mark.parametrize(
    "query", ["", "   ", '"unbalanced quote', "!!! ??? ...", "-", "OR", "- OR -", "%00", "'; DROP"]
)
def test_odd_queries_get_a_friendly_page(client, query):
    make_article(headline="Lighthouse")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


def test_a_very_long_query_is_refused_with_a_message(client):
    response = client.get("/search/", {"q": "lighthouse " * 60})
    assert response.status_code == 200
    assert "Searches can be at most 500 characters" in response.content.decode()


def test_a_backwards_date_range_is_explained(client):
    response = client.get("/search/", {"q": "x", "since": "2026-02-01", "until": "2026-01-01"})
    assert "must come before" in response.content.decode()
    assert client.get("/search/", {"q": "x", "since": "not a date"}).status_code == 200


def test_pages_past_the_end_of_the_results_are_404(client):
    make_article(headline="Lighthouse")
    assert client.get("/search/", {"q": "lighthouse", "page": 5}).status_code == 404


def test_the_admin_search_uses_the_same_engine_and_finds_drafts(editor_client):
    draft = make_article(headline="Lighthouse draft", status=Article.Status.DRAFT, tags=["keepers"])
    make_article(headline="Unrelated story")
    url = reverse("admin:articles_article_changelist")
    html = editor_client.get(url, {"q": "keepers"}).content.decode()
    assert draft.headline in html and "Unrelated story" not in html
    html = editor_client.get(url, {"q": '"lighthouse draft" -nothing'}).content.decode()
    assert draft.headline in html


def test_query_parsing_matches_websearch_syntax():
    parsed = parse_query('ferry "harbor budget" -delay bridge OR tunnel -"late night" !!!')
    assert parsed.groups == [["ferry"], ["harbor budget"], ["bridge", "tunnel"]]
    assert parsed.excluded == ["delay", "late night"]
    assert parse_query("!!! --- ...").is_empty


def test_runs_on_the_expected_engine():
    """Both engines are exercised: CI runs this file on SQLite and on PostgreSQL."""
    assert connection.vendor in {"sqlite", "postgresql"}
