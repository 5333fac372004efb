from django.conf import settings
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import DetailView, ListView, TemplateView
from taggit.models import Tag

from .homepage import compose_homepage
from .models import Article, Author, Section

PAGE_SIZE = 20
RELATED_COUNT = 4
MOST_READ_COUNT = 5
SEARCH_MAX_LENGTH = 200


class HomeView(TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(homepage=compose_homepage(), **kwargs)


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        # Drafts and scheduled stories are 404, never 403: readers must not learn they exist.
        return get_object_or_404(Article.objects.published().for_detail(), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.slug != kwargs["slug"]:
            return redirect(self.object, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        published = Article.objects.published()
        return super().get_context_data(
            related=published.related_to(self.object).for_listing()[:RELATED_COUNT],
            # Until readership figures exist, "most read" shows the newest other stories.
            most_read=published.exclude(pk=self.object.pk)
            .only("pk", "slug", "headline", "published_at")
            .newest_first()[:MOST_READ_COUNT],
            **kwargs,
        )


class StoryListView(ListView):
    """A paginated list of public stories under a heading; pages past the end are 404."""

    template_name = "articles/story_list.html"
    context_object_name = "articles"
    paginate_by = PAGE_SIZE
    feed_name = None
    kind = ""

    def get_queryset(self):
        self.subject = self.get_subject()
        return self.filter_stories(Article.objects.published()).for_listing().newest_first()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            subject=self.subject,
            kind=self.kind,
            feeds=feed_links(self.feed_name, self.subject.slug, str(self.subject)),
            **kwargs,
        )


class SectionView(StoryListView):
    feed_name = "section"
    kind = "Section"

    def get_subject(self):
        return get_object_or_404(Section, slug=self.kwargs["slug"])

    def filter_stories(self, stories):
        return stories.filter(section=self.subject)


class TagView(StoryListView):
    feed_name = "tag"
    kind = "Topic"

    def get_subject(self):
        return get_object_or_404(Tag, slug=self.kwargs["slug"])

    def filter_stories(self, stories):
        return stories.filter(tags=self.subject)


class AuthorView(StoryListView):
    template_name = "articles/author.html"
    feed_name = "author"
    kind = "Author"

    def get_subject(self):
        return get_object_or_404(Author, slug=self.kwargs["slug"])

    def filter_stories(self, stories):
        return stories.filter(bylines__author=self.subject)


class SearchView(ListView):
    """Headline, dek and body matching for readers; published stories only."""

    template_name = "articles/search.html"
    context_object_name = "articles"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.query = " ".join(self.request.GET.get("q", "").split())[:SEARCH_MAX_LENGTH]
        if not self.query:
            return Article.objects.none()
        match = Q()
        for word in self.query.split()[:10]:
            match &= Q(headline__icontains=word) | Q(dek__icontains=word) | Q(body__icontains=word)
        return Article.objects.published().filter(match).for_listing().newest_first()

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.query, **kwargs)


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
