"""Full-text search over stories, for readers (published only) and the admin (everything).

Both databases search the same text of a story (``story_text()``: headline; dek, tags and
authors; photo captions; body), weighted in that order, and read the same websearch syntax:
words, "quoted phrases", -exclusions and OR. Recent stories win close calls: relevance is
divided by ``1 + age in days / RECENCY_DAYS``.

PostgreSQL: a stored, GIN-indexed ``tsvector`` (``Article.search_vector``, weights A to D),
queried with ``websearch_to_tsquery`` and ranked with ``ts_rank``.

SQLite: an FTS5 index (migration 0010) over a table of the stories' plain text (the body's
HTML stripped, so tag names and attribute values are never found), with the Porter stemmer.
The query is parsed here and every term is sent as a quoted FTS5 string, so nothing a reader
types can be FTS5 syntax; ``bm25`` ranks with per-field weights.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import F, FloatField, Func, OuterRef, Subquery, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.safestring import mark_safe

from .aggregates import Joined
from .models import Article, Byline, TaggedArticle
from .placements import shown_captions

CONFIG = "english"
MAX_QUERY_LENGTH = 500
TOO_LONG = (
    "Searches can be at most %(limit_value)d characters (this one has %(show_value)d). "
    "Try a few distinctive words."
)
RECENCY_DAYS = 30.0  # a story this many days old needs twice the relevance to rank level
SNIPPET_WORDS = 30

# The fields of a story's search text, and what a match in each is worth: PostgreSQL's weight
# class, and SQLite's bm25 column weight in the same proportions as ts_rank's default weights
# (A 1.0, B 0.4, C 0.2, D 0.1).
FIELDS = {
    "headline": ("A", 10.0),
    "dek": ("B", 4.0),
    "tags": ("B", 4.0),
    "authors": ("B", 4.0),
    "captions": ("C", 2.0),
    "body": ("D", 1.0),
}
HTML_FIELDS = {"body"}  # rich text: indexed as the text a reader sees, not as markup

# SQLite's index (created by migration 0010): the FTS5 table and the plain text it indexes.
FTS_TABLE = "articles_article_search"
TEXT_TABLE = "articles_article_search_text"

# The bm25 score of one story, looked up among the scores of every match, which FTS5 computes
# once per search (``FtsRelevance``); names and weights are ours, the query is a parameter.
SCORE_OF_ROW = (  # noqa: S608
    "(WITH scores AS MATERIALIZED (SELECT rowid AS story, -bm25({table}, {weights}) AS score "
    "FROM {table} WHERE {table} MATCH {{query}}) SELECT score FROM scores WHERE story = {{pk}})"
).format(table=FTS_TABLE, weights=", ".join(str(weight) for _, weight in FIELDS.values()))

_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"[^\W_]")  # a letter or digit: what both engines make a word of


@dataclass
class ParsedQuery:
    """A websearch-style query: every group must match (one of its alternatives), no
    excluded text may."""

    groups: list = field(default_factory=list)
    excluded: list = field(default_factory=list)

    @property
    def is_empty(self):
        return not self.groups

    @property
    def highlights(self):
        return [alternative for group in self.groups for alternative in group]


def clean_query(text):
    """The query without control characters (NUL among them: PostgreSQL refuses text that
    holds one) and with runs of white space made one space."""
    printable = "".join(
        " " if unicodedata.category(char) in {"Cc", "Cs"} else char for char in text
    )
    return " ".join(printable.split())


def query_problem(text):
    """Why ``text`` cannot be searched, as a message for whoever typed it, or None."""
    if len(text) > MAX_QUERY_LENGTH:
        return TOO_LONG % {"limit_value": MAX_QUERY_LENGTH, "show_value": len(text)}
    return None


def parse_query(text):
    """Parse quoted phrases, -exclusions and OR (either case) the way websearch_to_tsquery
    does; tokens with no letter or digit (and unbalanced quotes) are tolerated, never an
    error."""
    parsed = ParsedQuery()
    join_next = False
    for negated, phrase, word in _TOKEN.findall(clean_query(text)):
        if word.upper() == "OR":
            join_next = bool(parsed.groups)
            continue
        term = phrase if phrase or not word else word
        if word.startswith("-") and len(word) > 1:
            negated, term = "-", word[1:]
        term = " ".join(term.split()).strip(".,;:!?()[]{}'")
        if not _WORD.search(term):
            continue
        if negated:
            parsed.excluded.append(term)
        elif join_next:
            parsed.groups[-1].append(term)
        else:
            parsed.groups.append([term])
        join_next = False
    return parsed


def matching(stories, text, newest=None):
    """``stories`` that match ``text``, best first. An empty or pointless query matches none.

    With ``newest``, only that many of the most recently published matches are ranked. A
    common word matches a large share of a big archive, and ranking every match costs in
    proportion to it; the newest matches are found by walking the publish-time index until
    enough have matched, so a search costs the same at ten thousand stories or a million.
    """
    parsed = parse_query(text)
    if parsed.is_empty:
        return stories.none()
    if connection.vendor == "postgresql":
        query = SearchQuery(clean_query(text), search_type="websearch", config=CONFIG)
        matches = stories.filter(search_vector=query)
        relevance = SearchRank(F("search_vector"), query)
    else:
        query = fts_query(parsed)
        matches = stories.filter(pk__in=_fts_matches(query))
        relevance = FtsRelevance(query)
    if newest is not None:
        window = matches.order_by("-published_at", "-pk").values("pk")[:newest]
        # The window holds every condition; ranking reads just its rows (and on SQLite, an
        # outer query this plain lets the planner index the scores it looks up).
        matches = stories.model.objects.filter(pk__in=window)
    age = AgeInDays(Coalesce("published_at", "updated_at"))
    return matches.annotate(rank=relevance / (1.0 + age / RECENCY_DAYS)).order_by(
        "-rank", "-published_at", "-pk"
    )


class AgeInDays(Func):
    """Days since a moment, as a float."""

    template = "(EXTRACT(EPOCH FROM (NOW() - %(expressions)s)) / 86400.0)"
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        template = "(julianday('now') - julianday(%(expressions)s))"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def _fts_string(term):
    """A term as an FTS5 string: a phrase of its words, whatever characters it holds."""
    return '"' + term.replace('"', '""') + '"'


def fts_query(parsed):
    """The FTS5 query for a parsed websearch query. Every term is a quoted string, so no
    user text is read as an FTS5 operator, column filter, prefix or NEAR group."""

    def any_of(terms):
        return "(" + " OR ".join(_fts_string(term) for term in terms) + ")"

    query = " AND ".join(any_of(group) for group in parsed.groups)
    if parsed.excluded:
        query = f"({query}) NOT {any_of(parsed.excluded)}"
    return query


class FtsRelevance(Func):
    """How well the story in this row matches an FTS5 query: bm25 with the fields' weights,
    made positive (FTS5 scores better matches lower).

    The scores of all matches are computed once per search, in one pass of FTS5 (a
    materialized CTE, SQLite 3.35+), and each row looks its own up: asking FTS5 row by row
    re-runs the whole query for every story, seconds for a page of a common word.
    """

    output_field = FloatField()

    def __init__(self, query):
        super().__init__(Value(query), F("pk"))

    def as_sql(self, compiler, connection, **extra_context):
        (query_sql, query_params), (pk_sql, pk_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return SCORE_OF_ROW.format(query=query_sql, pk=pk_sql), (*query_params, *pk_params)


def _fts_matches(query):
    """The ids of the stories that match an FTS5 query."""
    return RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [query])  # noqa: S608, S611 - the query is a parameter


class _TextOfHTML(HTMLParser):
    """Collects the text of an HTML fragment (never tag names or attribute values); block
    elements and line breaks separate words, inline ones (strong, em, a) do not."""

    INLINE = {"strong", "em", "b", "i", "a", "span", "code", "sub", "sup"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        self.handle_starttag(tag, ())

    def handle_data(self, data):
        self.parts.append(data)


def text_of_html(html):
    """The words a reader sees in an HTML fragment, one space between them."""
    parser = _TextOfHTML()
    parser.feed(html or "")
    parser.close()
    return " ".join("".join(parser.parts).split())


def snippet(article, text):
    """A short passage of the body around the first match, with matches in <mark>."""
    plain = text_of_html(article.body)
    terms = [re.escape(term) for term in parse_query(text).highlights]
    if not plain or not terms:
        return ""
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(terms) + r")\w*", re.IGNORECASE)
    words = plain.split(" ")
    first = next((i for i, word in enumerate(words) if pattern.search(word)), 0)
    start = max(0, first - SNIPPET_WORDS // 3)
    passage = " ".join(words[start : start + SNIPPET_WORDS])
    marked = pattern.sub(lambda m: f"\x02{m.group(0)}\x03", passage)
    html = escape(marked).replace("\x02", "<mark>").replace("\x03", "</mark>")
    prefix = "… " if start else ""
    suffix = " …" if start + SNIPPET_WORDS < len(words) else ""
    return mark_safe(prefix + html + suffix)  # noqa: S308 - escaped above, then our <mark> only


def story_text():
    """What search reads of a story: for each of FIELDS, the SQL expressions (over a row of
    articles_article) whose text goes into it. Both engines index exactly this."""
    tags = (
        TaggedArticle.objects.filter(content_object=OuterRef("pk"))
        .values("content_object")
        .annotate(names=Joined("tag__name"))
        .values("names")
    )
    authors = (
        Byline.objects.filter(article=OuterRef("pk"))
        .values("article")
        .annotate(names=Joined("author__name"))
        .values("names")
    )
    return {
        "headline": [F("headline")],
        "dek": [F("dek")],
        "tags": [Subquery(tags)],
        "authors": [Subquery(authors)],
        # The captions of every photo the story shows, wherever it shows it.
        "captions": shown_captions(),
        "body": [F("body")],
    }


def refresh_search_vectors(article_ids):
    """Bring the search index of these stories up to date from ``story_text()``: the stored
    vector on PostgreSQL, the FTS5 rows on SQLite (a deleted story's row goes with it)."""
    if not article_ids:
        return
    stories = Article.objects.filter(pk__in=article_ids)
    if connection.vendor == "postgresql":
        _store_vectors(stories)
    else:
        _store_fts_rows(stories, article_ids)


def _as_text(expression):
    return Coalesce(expression, Value(""), output_field=TextField())


def _store_vectors(stories):
    vector = None
    for name, expressions in story_text().items():
        weight = FIELDS[name][0]
        for expression in expressions:
            part = SearchVector(_as_text(expression), weight=weight, config=CONFIG)
            vector = part if vector is None else vector + part
    stories.update(search_vector=vector)


def _store_fts_rows(stories, article_ids):
    columns, field_of = {}, {}
    for name, expressions in story_text().items():
        for n, expression in enumerate(expressions):
            columns[f"{name}_{n}"] = _as_text(expression)
            field_of[f"{name}_{n}"] = name
    rows = []
    for values in stories.values("pk", **columns):
        text = {name: [] for name in FIELDS}
        for column, name in field_of.items():
            if value := values[column]:
                text[name].append(text_of_html(value) if name in HTML_FIELDS else value)
        rows.append([values["pk"], *(" ".join(text[name]) for name in FIELDS)])
    ids = list(article_ids)
    names = ", ".join(FIELDS)
    # One transaction: in autocommit every row would be a commit of its own (a disk sync).
    with transaction.atomic(), connection.cursor() as cursor:
        # Through the text table: its triggers tell the FTS5 index what to forget and learn.
        cursor.execute(
            f"DELETE FROM {TEXT_TABLE} WHERE article_id IN ({', '.join(['%s'] * len(ids))})",  # noqa: S608
            ids,
        )
        cursor.executemany(
            f"INSERT INTO {TEXT_TABLE} (article_id, {names}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * (len(FIELDS) + 1))})",
            rows,
        )
