import json

from django.conf import settings
from django.core.cache import InvalidCacheBackendError, caches
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, TemplateView
from django_ratelimit.decorators import ratelimit
from taggit.models import Tag

from . import analytics, caching, previews, search
from .forms import SearchForm
from .homepage import compose_homepage
from .models import Article, Author, Byline, Correction, Section, TaggedArticle

PAGE_SIZE = 20
RELATED_COUNT = 4
RELATED_CANDIDATES = 100
MOST_READ_COUNT = 5
LISTING_MAX_STORIES = 1_000


class HomeView(TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        # The homepage's stories are "the newest and pinned stories": the list key covers them.
        caching.add_keys(self.request, {caching.LIST_KEY})
        return super().get_context_data(
            # Composed only if the template's cached fragment is missing or out of date. Most
            # read is ranked well past the five shown: those are often on the page already.
            homepage=SimpleLazyObject(
                lambda: compose_homepage(most_read_ids=analytics.most_read_ids(limit=None))
            ),
            fragment=fragment_context(list=caching.LIST_KEY, site=caching.SITE_KEY),
            **kwargs,
        )


class StoryOnDemand(SimpleLazyObject):
    """The article page's story: the few columns read around the cached fragments come from
    one small query; the whole story with its relations (``for_detail()``) loads only when a
    fragment has to be rendered."""

    LIGHT_FIELDS = ("pk", "id", "slug", "headline", "dek", "section_id", "lead_photo_id")

    def __init__(self, light):
        self.__dict__["_light"] = light
        super().__init__(lambda: Article.objects.for_detail().get(pk=light.pk))

    def __getattr__(self, name):
        if name in StoryOnDemand.LIGHT_FIELDS:
            return getattr(self.__dict__["_light"], name)
        return super().__getattr__(name)

    @property
    def url(self):
        return self.__dict__["_light"].url

    @property
    def __class__(self):
        # isinstance() checks (templates make some) must not load the story either.
        return type(self.__dict__["_light"])

    def __bool__(self):
        return True  # it exists: the small query said so

    def __getitem__(self, key):
        # Templates try item lookup first; a story has none (and must not load for it).
        raise TypeError("not subscriptable")


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        """The few columns that decide 404, redirect or render: from the fragment cache
        while the story's generation is unchanged (any save or delete bumps it), else from
        one small query. Only public stories are kept, and a public story stops being public
        only through a change, so a kept copy is never wrong for longer than an edit takes."""
        pk = self.kwargs["pk"]
        key = f"article-light:{pk}:{self.fragment['story']}"
        light = fragment_cache().get(key)
        if light is None:
            # Drafts and scheduled stories are 404, never 403: readers must not learn they exist.
            light = get_object_or_404(
                Article.objects.published().only(*StoryOnDemand.LIGHT_FIELDS[1:]), pk=pk
            )
            fragment_cache().set(key, light, self.fragment["seconds"])
        return light

    def get(self, request, *args, **kwargs):
        self.fragment = fragment_context(
            story=caching.article_key(kwargs["pk"]), list=caching.LIST_KEY, site=caching.SITE_KEY
        )
        light = self.get_object()
        if light.slug != kwargs["slug"]:
            return redirect(light, permanent=True)
        self.object = StoryOnDemand(light)
        caching.add_keys(request, caching.keys_for_stories([light]))
        # The rails (related, most read) follow the newest stories; a CDN may lag on them.
        caching.add_keys(request, {caching.LIST_KEY}, header=False)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        # Lazy: while the rails' fragments are warm, not even the QuerySet is built.
        article = self.object
        return super().get_context_data(
            related=SimpleLazyObject(
                lambda: list(
                    Article.objects.published()
                    .filter(pk__in=related_candidates(article))
                    .related_to(article)
                    .for_listing()[:RELATED_COUNT]
                )
            ),
            most_read=SimpleLazyObject(lambda: most_read_besides(article)),
            fragment=self.fragment,
            **kwargs,
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
    """Ids of the stories "related" may choose from: the newest sharing a tag with
    ``article`` and the newest of its section. Ranking every story of a section by shared
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
    return {*by_tag, *same_section}


def fragment_context(**keys):
    """What the templates' {% cache %} tags vary on: the generation of each named key, and
    ``seconds``, a lifetime that ends before the next scheduled story goes live."""
    generations = caching.fragment_generations(*keys.values())
    return {
        "seconds": caching.cache_seconds(settings.FRAGMENT_CACHE_SECONDS),
        **{name: generations[key] for name, key in keys.items()},
    }


def fragment_generations_of(key):
    return caching.fragment_generations(key)[key]


def fragment_cache():
    """The cache of the templates' {% cache %} fragments (an alias tests turn off)."""
    try:
        return caches["template_fragments"]
    except InvalidCacheBackendError:
        return caches["default"]


def newest_ids(links):
    """The ids of the newest LISTING_MAX_STORIES stories among ``links`` (bylines or tag
    links), newest id first. Read first and passed as a list: given the join, PostgreSQL
    walks every story by publish time looking for the tag's few (seconds at a million)."""
    field = "content_object_id" if links.model is TaggedArticle else "article_id"
    return list(links.order_by(f"-{field}").values_list(field, flat=True)[:LISTING_MAX_STORIES])


def planner_estimate(queryset):
    """How many rows PostgreSQL's planner expects ``queryset`` to return (no rows read)."""
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class StoryListView(ListView):
    """A paginated list of public stories under a heading; pages past the end are 404."""

    template_name = "articles/story_list.html"
    context_object_name = "articles"
    paginate_by = PAGE_SIZE
    feed_name = None
    kind = ""

    def get_queryset(self):
        self.subject = self.get_subject()
        # Built (and, for tags and authors, their ids read) only if the cached ids are gone.
        return SimpleLazyObject(
            lambda: self.filter_stories(Article.objects.published()).for_listing().newest_first()
        )

    subject_key = None

    def get_template_names(self):
        return [self.template_name]  # ListView's own would build the lazy queryset to guess

    def paginate_queryset(self, queryset, page_size):
        """Page through the ids of the newest LISTING_MAX_STORIES stories, kept in the
        fragment cache while the subject's generation holds (any change to one of its stories
        bumps it), then load just the page's stories: a visit costs the same at any size."""
        generation = fragment_generations_of(self.subject_key(self.subject.pk))
        key = f"listing:{self.subject_key(self.subject.pk)}:{generation}"
        ids = fragment_cache().get(key)
        if ids is None:
            ids = list(queryset.values_list("pk", flat=True)[:LISTING_MAX_STORIES])
            seconds = caching.cache_seconds(settings.FRAGMENT_CACHE_SECONDS)
            fragment_cache().set(key, ids, seconds)
        paginator, page, page_ids, is_paginated = super().paginate_queryset(ids, page_size)
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


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "",
        f"Sitemap: {settings.SITE_URL}{reverse('sitemap_index')}",
        f"Sitemap: {settings.SITE_URL}{reverse('news_sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def render_preview(request, article, *, shared):
    """The story in the public design, marked as a preview: never indexed, never cached."""
    if article.published_at is None:
        # Show the date line as it would read if the story went out now; nothing is saved.
        article.published_at = timezone.now()
    # A fragment lifetime of 0 keeps previews out of the fragment cache both ways.
    response = TemplateResponse(
        request,
        "articles/preview.html",
        {"article": article, "shared_preview": shared, "fragment": {"seconds": 0}},
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)  # includes no-store: nobody keeps a copy of a draft
    return response


def preview(request, token):
    """A shared preview link: the latest draft, or 404 when the link is not valid."""
    return render_preview(request, previews.article_for_token(token), shared=True)


class CorrectionsView(ListView):
    """Every correction and update on stories readers can see, newest first."""

    template_name = "articles/corrections.html"
    context_object_name = "corrections"
    paginate_by = 50

    def get_queryset(self):
        return Correction.objects.public()
