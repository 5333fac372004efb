from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, TemplateView
from taggit.models import Tag

from . import analytics, previews, search
from .forms import SearchForm
from .homepage import compose_homepage
from .models import Article, Author, Correction, Section

PAGE_SIZE = 20
RELATED_COUNT = 4
MOST_READ_COUNT = 5


class HomeView(TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        # Ranked well past the five shown: the most read are often on the page already.
        homepage = compose_homepage(most_read_ids=analytics.most_read_ids(limit=30))
        return super().get_context_data(homepage=homepage, **kwargs)


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
            most_read=most_read_besides(self.object),
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
    """Full-text search for readers: published stories only, filters by section and date."""

    template_name = "articles/search.html"
    context_object_name = "articles"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.form = SearchForm(self.request.GET or None)
        if not self.form.is_valid():
            return Article.objects.none()
        return self.form.search(Article.objects.published()).for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(form=self.form, **kwargs)
        query = self.form.cleaned_data.get("q", "") if self.form.is_bound else ""
        for article in context["articles"]:
            article.snippet = search.snippet(article, query)
        context["query"] = query
        context["query_string"] = self.form.query_string() if self.form.is_valid() else ""
        return context


@csrf_exempt  # A beacon carries no cookie and changes no one's data: nothing to forge.
@require_POST
@never_cache
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
    response = TemplateResponse(
        request, "articles/preview.html", {"article": article, "shared_preview": shared}
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
