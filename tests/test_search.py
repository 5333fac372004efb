"""Search, for readers and in the admin.

Every test runs on the database the suite runs on: SQLite's FTS5 index in `make test`,
PostgreSQL's search vector in `make test-postgres`. Both engines must give the same answers."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles import search
from articles.models import Article, Byline
from articles.search import parse_query

from .factories import make_article, make_author, make_photo, make_section

pytestmark = pytest.mark.django_db

ADMIN_LIST = "admin:articles_article_changelist"
TOO_LONG = "Searches can be at most 500 characters"


def days_ago(days):
    return timezone.now() - timezone.timedelta(days=days)


def found_in(html):
    return [a.headline for a in Article.objects.all() if a.headline in html]


def results(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    html = response.content.decode()
    return html, found_in(html)


def admin_results(client, query):
    response = client.get(reverse(ADMIN_LIST), {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    return html, found_in(html)


def order_of(html, *headlines):
    return sorted(headlines, key=html.index)


# Ranking ------------------------------------------------------------------------------------


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


def test_fields_rank_headline_then_dek_tags_and_authors_then_captions_then_body(client):
    """Each story has every field, of like length, and the word in exactly one of them."""
    when = days_ago(1)

    def story(name, **overrides):
        fields = {
            "headline": f"Harbour {name} story today",
            "dek": "Crews worked through the night.",
            "tags": ["harbour", "weather"],
            "authors": [make_author(name=f"Reporter {name}")],
            "lead_photo": make_photo(caption="Boats wait at the pier."),
            "body": "<p>The council met on Monday evening.</p>",
            "published_at": when,
        }
        return make_article(**(fields | overrides)).headline

    body = story("body", body="<p>The lighthouse met on Monday evening.</p>")
    caption = story("caption", lead_photo=make_photo(caption="Boats wait at the lighthouse."))
    dek = story("dek", dek="Crews worked through the lighthouse.")
    tag = story("tag", tags=["harbour", "lighthouse"])
    author = story("author", authors=[make_author(name="Ada Lighthouse")])
    headline = story("lighthouse")

    html, found = results(client, q="lighthouse")
    assert len(found) == 6
    ranked = order_of(html, body, caption, dek, tag, author, headline)
    assert ranked[0] == headline
    assert set(ranked[1:4]) == {dek, tag, author}
    assert ranked[4:] == [caption, body]


def test_recent_stories_win_among_equal_matches(client):
    old = make_article(headline="Lighthouse keeper retires", published_at=days_ago(300))
    new = make_article(headline="Lighthouse keeper hired", published_at=days_ago(1))
    html, _ = results(client, q="lighthouse keeper")
    assert order_of(html, old.headline, new.headline)[0] == new.headline


def test_a_recent_story_beats_a_somewhat_better_match_from_long_ago(client):
    old = make_article(
        headline="Lighthouse keeper retires",
        body="<p>The lighthouse stood for a century.</p>",
        published_at=days_ago(300),
    )
    new = make_article(headline="Lighthouse keeper hired", published_at=days_ago(1))
    html, found = results(client, q="lighthouse")
    assert set(found) == {old.headline, new.headline}
    assert order_of(html, old.headline, new.headline)[0] == new.headline


# What is searched ---------------------------------------------------------------------------


def test_quoted_phrases_exclusions_and_or(client):
    phrase = make_article(headline="Harbor budget passes", body="<p>Seven votes.</p>")
    apart = make_article(headline="Budget for the harbor", body="<p>Debate continues.</p>")
    ferry = make_article(headline="Ferry schedule changes", body="<p>Winter timetable.</p>")
    bridge = make_article(headline="Bridge closes for repairs", body="<p>Detours.</p>")

    _, found = results(client, q='"harbor budget"')
    assert found == [phrase.headline]
    _, found = results(client, q="budget -continues")
    assert found == [phrase.headline]
    for either in ("ferry OR bridge", "ferry or bridge"):
        _, found = results(client, q=either)
        assert sorted(found) == sorted([ferry.headline, bridge.headline])
    _, found = results(client, q='harbor -"budget passes"')
    assert found == [apart.headline]


def test_words_are_stemmed(client):
    story = make_article(headline="Ferries return to the bay")
    assert results(client, q="ferry")[1] == [story.headline]


def test_tags_authors_and_photo_captions_are_searched(client):
    tagged = make_article(headline="Story one", tags=["seabirds"])
    by = make_article(headline="Story two", authors=[make_author(name="Marisol Quenby")])
    pictured = make_article(
        headline="Story three", lead_photo=make_photo(caption="Puffins nesting on the cliffs.")
    )
    own_caption = make_article(
        headline="Story four", lead_photo=make_photo(), lead_photo_caption="Gannets diving."
    )
    assert results(client, q="seabirds")[1] == [tagged.headline]
    assert results(client, q="Quenby")[1] == [by.headline]
    assert results(client, q="puffins")[1] == [pictured.headline]
    assert results(client, q="gannets")[1] == [own_caption.headline]


def test_markup_is_not_searched_only_the_text_readers_see(client):
    """Tag names and attribute values are not words of the story."""
    marked_up = make_article(
        headline="Harbour notes",
        body="<h2>Tides</h2><p>A <strong>very</strong> <em>calm</em> week, see "
        '<a href="https://blockquote.example/figure" title="Heading">the chart</a>.</p>'
        "<blockquote><p>Calm seas.</p></blockquote>",
    )
    worded = make_article(headline="Strong winds", body="<p>Gusts all week.</p>")
    assert results(client, q="strong")[1] == [worded.headline]
    for markup in ("em", "href", "blockquote", "figure", "heading", "example", "https"):
        assert results(client, q=markup)[1] == [], markup
    assert results(client, q='"very calm week"')[1] == [marked_up.headline]
    assert results(client, q="tides chart")[1] == [marked_up.headline]


def reindex_case(story, tag, author, photo):
    """Each change a story's search text follows: (what to do, whether "eelgrass" is found)."""

    def rename_tag():
        tag.name = "eelgrass"
        tag.save()

    def rename_author():
        author.name = "Eel Grass-Eelgrass"
        author.save()

    def edit_photo_caption():
        photo.caption = "Eelgrass beds at low tide."
        photo.save()

    def edit_story_caption():
        story.lead_photo_caption = "Eelgrass beds at low tide."
        story.save()

    def edit_headline():
        story.headline = "Eelgrass returns to the bay"
        story.save()

    return {
        "tag added": (lambda: story.tags.add("eelgrass"), True),
        "tag renamed": (rename_tag, True),
        "tag removed": (lambda: (story.tags.add("eelgrass"), story.tags.remove("eelgrass")), False),
        "byline added": (
            lambda: Byline.objects.create(article=story, author=make_author(name="Eelgrass")),
            True,
        ),
        "byline removed": (
            lambda: (
                Byline.objects.create(article=story, author=make_author(name="Eelgrass")),
                Byline.objects.filter(article=story, author__name="Eelgrass").delete(),
            ),
            False,
        ),
        "author renamed": (rename_author, True),
        "photo caption edited": (edit_photo_caption, True),
        "story's own caption edited": (edit_story_caption, True),
        "headline edited": (edit_headline, True),
        "story deleted": (lambda: (edit_headline(), story.delete()), False),
    }


CHANGES = list(reindex_case(None, None, None, None))


@pytest.mark.parametrize("change", CHANGES)
def test_the_index_follows_every_change_to_a_storys_text(client, change):
    author, photo = make_author(name="Jo Byline"), make_photo(caption="Boats at the pier.")
    story = make_article(headline="Quiet story", tags=["kelp"], authors=[author], lead_photo=photo)
    tag = Tag.objects.get(name="kelp")
    assert results(client, q="eelgrass")[1] == []
    action, expected = reindex_case(story, tag, author, photo)[change]
    action()
    found = results(client, q="eelgrass")[1]
    assert found == ([Article.objects.get().headline] if expected else [])


def test_rebuild_search_index_catches_up_with_changes_that_bypassed_the_orm(client):
    story = make_article(headline="Quiet story")
    Article.objects.filter(pk=story.pk).update(headline="Eelgrass returns")
    assert results(client, q="eelgrass")[1] == []
    out = StringIO()
    call_command("rebuild_search_index", stdout=out)
    assert "Indexed 1 stories." in out.getvalue()
    assert results(client, q="eelgrass")[1] == ["Eelgrass returns"]


@pytest.mark.django_db(transaction=True)
def test_the_index_migration_indexes_existing_stories_and_can_be_reversed(client):
    story = make_article(headline="Lighthouse before the upgrade", tags=["keepers"])
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    index_migration = next(key for key in graph.nodes if key[1].endswith("_search_fts"))
    before = next(key for key in graph.node_map[index_migration].parents if key[0] == "articles")
    executor.migrate([before])
    assert search.FTS_TABLE not in connection.introspection.table_names()
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    tables = connection.introspection.table_names()
    assert (search.FTS_TABLE in tables) == (connection.vendor == "sqlite")
    assert results(client, q="keepers lighthouse")[1] == [story.headline]


# Listing, filters and visibility ------------------------------------------------------------


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


def test_the_admin_search_uses_the_same_engine_and_finds_drafts(editor_client):
    draft = make_article(headline="Lighthouse draft", status=Article.Status.DRAFT, tags=["keepers"])
    make_article(headline="Unrelated story")
    assert admin_results(editor_client, "keepers")[1] == [draft.headline]
    assert admin_results(editor_client, '"lighthouse draft" -nothing')[1] == [draft.headline]
    assert admin_results(editor_client, "lighthouse -draft")[1] == []


def test_results_show_a_highlighted_escaped_snippet(client):
    make_article(
        headline="Harbor news",
        body="<p>Officials said the &lt;b&gt;lighthouse&lt;/b&gt; lamp will be replaced.</p>"
        "<p>Keepers</p><p>agreed.</p>",
    )
    html, _ = results(client, q="lamp")
    snippet = html.split('class="snippet">', 1)[1].split("</p>", 1)[0]
    assert "<mark>lamp</mark>" in snippet
    assert "&lt;b&gt;lighthouse&lt;/b&gt;" in snippet
    assert "replaced. Keepers agreed." in snippet


def test_pages_past_the_end_of_the_results_are_404(client):
    make_article(headline="Lighthouse")
    assert client.get("/search/", {"q": "lighthouse", "page": 5}).status_code == 404


def test_a_backwards_date_range_is_explained(client):
    response = client.get("/search/", {"q": "x", "since": "2026-02-01", "until": "2026-01-01"})
    assert "must come before" in response.content.decode()
    assert client.get("/search/", {"q": "x", "since": "not a date"}).status_code == 200


# Any query at all ---------------------------------------------------------------------------

# Short distinct words, so that a hundred of them fit in a search.
WORDS = [f"{letter}{n}" for n in range(1, 40) for letter in "bcdfghjkmnpqrstvwxz"]
ODD_QUERIES = [
    "",
    "   ",
    '"unbalanced quote',
    '"',
    '""',
    '"lighthouse',
    'light"house "keeper',
    "-",
    "- -",
    "--",
    "-lighthouse",
    '-"',
    "OR",
    "OR OR",
    "or or",
    "lighthouse OR OR",
    "OR lighthouse OR",
    "- OR -",
    "AND",
    "NOT",
    "lighthouse NOT",
    "NEAR(",
    "NEAR(lighthouse keeper",
    "NEAR(lighthouse keeper, 2)",
    "*",
    "lighthouse*",
    "^",
    "^lighthouse",
    ":",
    "headline:lighthouse",
    "{headline body}:lighthouse",
    "(",
    ")",
    "((lighthouse)",
    "+lighthouse",
    "'",
    "'; DROP TABLE articles_article; --",
    "\\",
    "%",
    "%00",
    "_",
    "!!! ??? ...",
    "ünïcödé lïghthöuse",
    "灯塔 守护者",
    "😀",
    "\u202elighthouse",
    "\ufb01re",
    "\x00",
    "light\x00house",
    "x" * 600,
    "lighthouse " * 1000,
    "x" * 10_000,
]


@pytest.mark.parametrize("query", ODD_QUERIES, ids=lambda q: repr(q[:30]) + f"/{len(q)}")
def test_odd_queries_get_a_page_not_an_error(reader, editor_client, query):
    make_article(headline="Lighthouse keeper")
    html, _ = results(reader, q=query)
    assert "noindex" in html and 'id="id_q"' in html
    admin_results(editor_client, query)


@pytest.mark.parametrize("count", [1, 20, 100])
def test_long_queries_find_the_story_with_every_word(reader, editor_client, count):
    everything = make_article(headline="Every word", body=f"<p>{' '.join(WORDS)}.</p>")
    make_article(headline="Some words", body=f"<p>{' '.join(WORDS[1 : count + 5])}.</p>")
    query = " ".join(WORDS[:count])
    assert len(query) <= search.MAX_QUERY_LENGTH
    assert results(reader, q=query)[1] == [everything.headline]
    assert admin_results(editor_client, query)[1] == [everything.headline]


@pytest.mark.parametrize("query", [" ".join(WORDS[:500]), "lighthouse " * 1000, "x" * 10_000])
def test_a_query_over_the_limit_is_refused_with_a_message(reader, editor_client, query):
    make_article(headline="Lighthouse keeper")
    html, found = results(reader, q=query)
    assert TOO_LONG in html and found == []
    html, found = admin_results(editor_client, query)
    assert TOO_LONG in html and found == []


def test_the_engine_itself_takes_a_query_of_any_length():
    """Beyond the forms' limit too: 500 words and 10,000 characters."""
    everything = make_article(headline="Every word", body=f"<p>{' '.join(WORDS[:500])}.</p>")
    make_article(headline="Some words", body=f"<p>{' '.join(WORDS[1:400])}.</p>")
    stories = Article.objects.all()
    assert list(search.matching(stories, " ".join(WORDS[:500]))) == [everything]
    assert list(search.matching(stories, '"' + "-OR NEAR( " * 1000)) == []


def test_query_parsing_matches_websearch_syntax():
    parsed = parse_query('ferry "harbor budget" -delay bridge OR tunnel -"late night" !!!')
    assert parsed.groups == [["ferry"], ["harbor budget"], ["bridge", "tunnel"]]
    assert parsed.excluded == ["delay", "late night"]
    assert parse_query("a or b").groups == [["a", "b"]]
    assert parse_query("!!! --- ... _ 😀").is_empty
