"""sitemap.xml (an index over articles, sections, tags and authors) and a Google News
sitemap of the stories published in the last 48 hours."""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from .caching import page_cached
from .chrome import site_chrome
from .models import Article, Author, Section

NEWS_SITEMAP_WINDOW = timedelta(hours=48)


class ArticleSitemap(Sitemap):
    limit = 5000

    def items(self):
        return Article.objects.published().only("pk", "slug", "updated_at").order_by("-pk")

    def lastmod(self, article):
        return article.updated_at


class SectionSitemap(Sitemap):
    def items(self):
        public = Article.objects.published().values("pk")
        return Section.objects.annotate(
            last_story=Max("articles__published_at", filter=Q(articles__in=public))
        ).order_by("order", "name")

    def lastmod(self, section):
        return section.last_story


class TagSitemap(Sitemap):
    limit = 5000

    def items(self):
        public = Article.objects.published().values("pk")
        return (
            Tag.objects.filter(articles_taggedarticle_items__content_object__in=public)
            .distinct()
            .order_by("slug")
        )

    def location(self, tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})


class AuthorSitemap(Sitemap):
    def items(self):
        public = Article.objects.published().values("pk")
        return Author.objects.filter(bylines__article__in=public).distinct().order_by("slug")


SITEMAPS = {
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}


@page_cached
def news_sitemap(request):
    """Google News sitemap: stories published in the last 48 hours, newest first."""
    since = timezone.now() - NEWS_SITEMAP_WINDOW
    articles = (
        Article.objects.published()
        .filter(published_at__gte=since)
        .prefetch_related("tags")
        .only("pk", "slug", "headline", "published_at")
        .newest_first()[:1000]
    )
    return render(
        request,
        "sitemaps/news.xml",
        {"articles": articles, "publication": site_chrome()["site"].name},
        content_type="application/xml; charset=utf-8",
    )
