"""Full-text search over stories, for readers (published only) and the admin (everything).

PostgreSQL: a stored, GIN-indexed ``tsvector`` (``Article.search_vector``) weighted headline
(A), dek, tags and authors (B), photo captions (C) and body (D), kept current by signals;
queries use ``websearch_to_tsquery`` ("quoted phrases", -exclusions, OR), and ranking divides
``ts_rank`` by the story's age so recent stories win close calls.

SQLite (the local default) has no such engine; the fallback parses the same websearch syntax
and matches case-insensitive substrings across the same fields, ranked by where the words
are found (headline over dek over tags and authors over captions over body), newest first
among equals. No stemming: "ferry" does not find "ferries" there.
"""

import re
from dataclasses import dataclass, field
from html import escape, unescape

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

from .models import Article, Byline, TaggedArticle
from .placements import shown_captions

CONFIG = "english"
MAX_QUERY_LENGTH = 500
RECENCY_DAYS = 30.0  # a story this many days old needs twice the relevance to rank level
SNIPPET_WORDS = 30
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w", re.UNICODE)


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


def parse_query(text):
    """Parse quoted phrases, -exclusions and OR the way websearch_to_tsquery does; tokens
    with no letter or digit (and unbalanced quotes) are tolerated, never an error."""
    parsed = ParsedQuery()
    join_next = False
    for negated, phrase, word in _TOKEN.findall(text):
        if word == "OR":
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
    if connection.vendor == "postgresql":
        matches = _postgres_matching(stories, text)
    else:
        matches = _fallback_matching(stories, parse_query(text))
    if newest is None:
        return matches
    window = matches.order_by("-published_at", "-pk").values("pk")[:newest]
    return matches.filter(pk__in=window)


class AgeInDays(Func):
    """Days since a moment, as a float (PostgreSQL)."""

    template = "(EXTRACT(EPOCH FROM (NOW() - %(expressions)s)) / 86400.0)"
    output_field = FloatField()


def _postgres_matching(stories, text):
    if parse_query(text).is_empty:
        return stories.none()
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    age = AgeInDays(Coalesce("published_at", "updated_at"))
    return (
        stories.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query) / (1.0 + age / RECENCY_DAYS))
        .order_by("-rank", "-published_at", "-pk")
    )


def _field_matches(term):
    """Where a term can be found, with the weight of each place."""
    tag = TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag__name__icontains=term)
    author = Byline.objects.filter(article=OuterRef("pk"), author__name__icontains=term)
    return [
        (Q(headline__icontains=term), 8),
        (Q(dek__icontains=term), 4),
        (Q(Exists(tag)), 3),
        (Q(Exists(author)), 3),
        (Q(lead_photo_caption__icontains=term) | Q(lead_photo__caption__icontains=term), 2),
        (Q(body__icontains=term), 1),
    ]


def _anywhere(term):
    condition = Q()
    for place, _weight in _field_matches(term):
        condition |= place
    return condition


def _fallback_matching(stories, parsed):
    if parsed.is_empty:
        return stories.none()
    for group in parsed.groups:
        alternatives = Q()
        for term in group:
            alternatives |= _anywhere(term)
        stories = stories.filter(alternatives)
    for term in parsed.excluded:
        # As a subquery: NOT over the nullable photo join would also drop stories without one.
        stories = stories.exclude(pk__in=Article.objects.filter(_anywhere(term)).values("pk"))
    score = Value(0)
    for term in parsed.highlights:
        for place, weight in _field_matches(term):
            score = score + Case(When(place, then=Value(weight)), default=Value(0))
    return stories.annotate(rank=score).order_by("-rank", "-published_at", "-pk")


def snippet(article, text):
    """A short passage of the body around the first match, with matches in <mark>."""
    plain = " ".join(unescape(strip_tags(article.body)).split())
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


def refresh_search_vectors(article_ids):
    """Recompute the stored search vector of these stories (PostgreSQL only)."""
    if connection.vendor != "postgresql" or not article_ids:
        return
    tags = (
        TaggedArticle.objects.filter(content_object=OuterRef("pk"))
        .values("content_object")
        .annotate(names=StringAgg("tag__name", " "))
        .values("names")
    )
    authors = (
        Byline.objects.filter(article=OuterRef("pk"))
        .values("article")
        .annotate(names=StringAgg("author__name", " "))
        .values("names")
    )

    def vector(expression, weight):
        text = Coalesce(expression, Value(""), output_field=TextField())
        return SearchVector(text, weight=weight, config=CONFIG)

    Article.objects.filter(pk__in=article_ids).update(
        search_vector=vector(F("headline"), "A")
        + vector(F("dek"), "B")
        + vector(Subquery(tags), "B")
        + vector(Subquery(authors), "B")
        + vector(shown_captions(), "C")
        + vector(F("body"), "D")
    )
