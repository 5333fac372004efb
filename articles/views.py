import functools
from collections import Counter

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, TemplateView
from django_ratelimit.decorators import ratelimit
from taggit.models import Tag

from . import analytics, caching, previews, search
from .addresses import absolute
from .forms import SearchForm
from .homepage import compose_homepage
from .models import Article, Author, Byline, Correction, Section, TaggedArticle

PAGE_SIZE = 20
RELATED_COUNT = 4
RELATED_CANDIDATES = 100
MOST_READ_COUNT = 5
LISTING_MAX_STORIES = 1_000


# Pages with cached fragments get what only a fragment shows as ``load_*`` callables: the
# template calls one inside its {% cache %} block, so while the fragment is warm nothing is
# loaded, and each loads at most once per request (functools.cache).


@caching.page_cached
class HomeView(TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        # The homepage's stories are "the newest and pinned stories": the list key covers them.
        caching.add_keys(self.request, {caching.LIST_KEY})
        return super().get_context_data(
            # Most read is ranked well past the five shown: those are often on the page already.
            load_homepage=functools.cache(
                lambda: compose_homepage(most_read_ids=analytics.most_read_ids(limit=None))
            ),
            fragment=caching.fragment_context(list=caching.LIST_KEY, site=caching.SITE_KEY),
            **kwargs,
        )


@caching.page_cached
class ArticleDetailView(DetailView):
    """The article page. ``story`` is a light row (the columns read around the cached
    fragments: 404, redirect, title, surrogate keys); ``load_article`` gives the whole story
    with its relations (``for_detail()``) for the fragments that show it."""

    template_name = "articles/article_detail.html"
    context_object_name = "story"
    light_fields = ("slug", "headline", "dek", "section_id", "lead_photo_id")
    article = None  # the whole story, when it had to be loaded to decide

    def get_object(self, queryset=None):
        """The light row: from the fragment cache while the story's generation is unchanged
        (any save or delete bumps it). Only public stories are kept, and a public story stops
        being public only through a change, so a kept copy is never wrong for longer than an
        edit takes. When it is not kept the fragments are cold too and need the whole story:
        it is loaded at once (one query, not a light one and then the whole one) and its
        light copy kept."""
        pk = self.kwargs["pk"]
        key = f"article-light:{pk}:{self.fragment['story']}"
        light = caching.fragment_cache().get(key)
        if light is None:
            # Drafts and scheduled stories are 404, never 403: readers must not learn they exist.
            self.article = get_object_or_404(Article.objects.published().for_detail(), pk=pk)
            light = light_copy(self.article, self.light_fields)
            caching.fragment_cache().set(key, light, self.fragment["seconds"])
        return light

    def get(self, request, *args, **kwargs):
        self.fragment = caching.fragment_context(
            story=caching.article_key(kwargs["pk"]), list=caching.LIST_KEY, site=caching.SITE_KEY
        )
        self.object = self.get_object()
        if self.object.slug != kwargs["slug"]:
            return redirect(self.object, permanent=True)
        caching.add_keys(request, caching.keys_for_stories([self.object]))
        # The rails (related, most read) follow the newest stories; a CDN may lag on them.
        caching.add_keys(request, {caching.LIST_KEY}, header=False)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        story = self.object
        load_article = functools.cache(
            lambda: self.article or Article.objects.for_detail().get(pk=story.pk)
        )
        return super().get_context_data(
            load_article=load_article,
            load_related=functools.cache(lambda: related_stories(load_article())),
            load_most_read=functools.cache(lambda: most_read_besides(story)),
            fragment=self.fragment,
            **kwargs,
        )


def light_copy(instance, fields):
    """``instance`` with only its pk and ``fields`` loaded, as ``.only(*fields)`` would
    have read it (smaller to keep in a cache)."""
    names = {"id", *fields}
    attnames = [f.attname for f in instance._meta.concrete_fields if f.attname in names]
    return type(instance).from_db(
        instance._state.db, attnames, [getattr(instance, name) for name in attnames]
    )


def related_stories(article):
    """The public stories most related to ``article`` (a story loaded with its tags): those
    sharing the most tags with it, then its section's newest."""
    shared_tags, same_section = related_candidates(article)
    return list(
        Article.objects.published()
        .filter(pk__in={*shared_tags, *same_section})
        .ranked_by_shared_tags(shared_tags)
        .for_listing()[:RELATED_COUNT]
    )


def most_read_besides(article):
    """The most read stories of the last day other than ``article``; until readers have been
    counted, the newest ones."""
    stories = Article.objects.published().exclude(pk=article.pk)
    stories = stories.only("pk", "slug", "headline", "published_at")
    ranked = analytics.most_read_ids(limit=MOST_READ_COUNT + 1)
    if ranked:
        by_id = stories.in_bulk(ranked)
        return [by_id[pk] for pk in ranked if pk in by_id][:MOST_READ_COUNT]
    return stories.newest_first()[:MOST_READ_COUNT]


def related_candidates(article):
    """The stories "related" may choose from: the newest sharing a tag with ``article``
    (id -> how many of its tags they share, counted from the tag links read) and the ids of
    the newest of its section. Ranking every story of a section by shared
    tags takes half a minute at a million stories; ranking these few takes milliseconds.
    (Read as lists: as subqueries PostgreSQL plans them badly, seconds at a million.)"""
    tag_ids = [tag.pk for tag in article.tags.all()]
    by_tag = (
        TaggedArticle.objects.filter(tag_id__in=tag_ids)
        .exclude(content_object_id=article.pk)
        .order_by("-content_object_id")
        .values_list("content_object_id", flat=True)[:RELATED_CANDIDATES]
    )
    same_section = (
        Article.objects.filter(section_id=article.section_id)
        .exclude(pk=article.pk)
        .order_by("-pk")
        .values_list("pk", flat=True)[:RELATED_CANDIDATES]
    )
    return Counter(by_tag), list(same_section)


def newest_ids(links):
    """The ids of the newest LISTING_MAX_STORIES stories among ``links`` (bylines or tag
    links), newest id first. Read first and passed as a list: given the join, PostgreSQL
    walks every story by publish time looking for the tag's few (seconds at a million)."""
    field = "content_object_id" if links.model is TaggedArticle else "article_id"
    return list(links.order_by(f"-{field}").values_list(field, flat=True)[:LISTING_MAX_STORIES])


@caching.page_cached
class StoryListView(ListView):
    """A paginated list of public stories under a heading; pages past the end are 404."""

    template_name = "articles/story_list.html"
    context_object_name = "articles"
    paginate_by = PAGE_SIZE
    feed_name = None
    kind = ""
    subject_key = None  # the subject's surrogate key, from its pk

    def get_queryset(self):
        """The ids of the subject's newest LISTING_MAX_STORIES public stories, newest first,
        kept in the fragment cache while the subject's generation holds (any change to one
        of its stories bumps it). Pages go through these ids and load just their own stories
        (``paginate_queryset``): a visit costs the same at any size."""
        self.subject = self.get_subject()
        key = self.subject_key(self.subject.pk)
        generations, seconds = caching.fragment_generations_and_seconds(
            [key], settings.FRAGMENT_CACHE_SECONDS
        )
        return caching.fragment_cached(
            f"listing:{key}:{generations[key]}",
            seconds,
            lambda: list(
                self.filter_stories(Article.objects.published())
                .newest_first()
                .values_list("pk", flat=True)[:LISTING_MAX_STORIES]
            ),
        )

    def paginate_queryset(self, queryset, page_size):
        paginator, page, page_ids, is_paginated = super().paginate_queryset(queryset, page_size)
        stories = Article.objects.published().for_listing().in_bulk(page_ids)
        page.object_list = [stories[pk] for pk in page_ids if pk in stories]
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            subject=self.subject,
            kind=self.kind,
            feeds=feed_links(self.feed_name, self.subject.slug, str(self.subject)),
            **kwargs,
        )
        # The subject's key changes with any of its stories; the cards name the rest.
        caching.add_keys(self.request, {self.subject_key(self.subject.pk)})
        cards = caching.keys_for_stories(context["articles"])
        caching.add_keys(self.request, cards, depend=False)
        return context


class SectionView(StoryListView):
    feed_name = "section"
    kind = "Section"
    subject_key = staticmethod(caching.section_key)

    def get_subject(self):
        return get_object_or_404(Section, slug=self.kwargs["slug"])

    def filter_stories(self, stories):
        return stories.filter(section=self.subject)


class TagView(StoryListView):
    feed_name = "tag"
    kind = "Topic"
    subject_key = staticmethod(caching.tag_key)

    def get_subject(self):
        return get_object_or_404(Tag, slug=self.kwargs["slug"])

    def filter_stories(self, stories):
        return stories.filter(pk__in=newest_ids(TaggedArticle.objects.filter(tag=self.subject)))


class AuthorView(StoryListView):
    template_name = "articles/author.html"
    feed_name = "author"
    kind = "Author"
    subject_key = staticmethod(caching.author_key)

    def get_subject(self):
        return get_object_or_404(Author, slug=self.kwargs["slug"])

    def filter_stories(self, stories):
        return stories.filter(pk__in=newest_ids(Byline.objects.filter(author=self.subject)))


@caching.page_cached
class SearchView(ListView):
    """Full-text search for readers: published stories only, filters by section and date."""

    template_name = "articles/search.html"
    context_object_name = "articles"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.form = SearchForm(self.request.GET or None)
        if not self.form.is_valid():
            return Article.objects.none()
        # Like the listings, results come from the newest LISTING_MAX_STORIES matches (best
        # first among them); the date filters reach further back.
        stories = self.form.search(Article.objects.published(), newest=LISTING_MAX_STORIES)
        return stories.for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(form=self.form, **kwargs)
        query = self.form.cleaned_data.get("q", "") if self.form.is_bound else ""
        for article in context["articles"]:
            article.snippet = search.snippet(article, query)
        context["query"] = query
        context["query_string"] = self.form.query_string() if self.form.is_valid() else ""
        caching.add_keys(self.request, {caching.LIST_KEY})
        caching.add_keys(self.request, caching.keys_for_stories(context["articles"]), depend=False)
        return context


@csrf_exempt  # A beacon carries no cookie and changes no one's data: nothing to forge.
@require_POST
@never_cache
@ratelimit(key="ip", rate="articles.analytics.beacon_rate")
def readership_beacon(request):
    """Count one view of a story; answers at once, sets no cookie, stores nothing personal."""
    try:
        article_id = int(request.POST.get("article", ""))
    except ValueError:
        return HttpResponseBadRequest("Send the story's id as 'article'.")
    if (
        analytics.should_count(request)
        and Article.objects.published().filter(pk=article_id).exists()
    ):
        domain = analytics.referrer_domain(
            request.POST.get("referrer", "")[:300], request.get_host()
        )
        analytics.record_view(article_id, domain)
    return HttpResponse(status=204)


def feed_links(kind, slug=None, title=""):
    """The RSS and Atom addresses for a page, for <link rel="alternate"> and the footer."""
    if kind is None:
        return {"title": "", "rss": reverse("articles:rss"), "atom": reverse("articles:atom")}
    return {
        "title": title,
        "rss": reverse(f"articles:{kind}_rss", kwargs={"slug": slug}),
        "atom": reverse(f"articles:{kind}_atom", kwargs={"slug": slug}),
    }


@caching.page_cached
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "",
        f"Sitemap: {absolute(reverse('sitemap_index'))}",
        f"Sitemap: {absolute(reverse('news_sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def preview(request, token):
    """A shared preview link: the latest draft, or 404 when the link is not valid."""
    return previews.render_preview(request, previews.article_for_token(token), shared=True)


class CorrectionsView(ListView):
    """Every correction and update on stories readers can see, newest first."""

    template_name = "articles/corrections.html"
    context_object_name = "corrections"
    paginate_by = 50

    def get_queryset(self):
        return Correction.objects.public()
