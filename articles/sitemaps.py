"""sitemap.xml (an index over articles, sections, tags and authors) and a Google News
sitemap of the stories published in the last 48 hours."""

from datetime import timedelta

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.shortcuts import render
from django.utils import timezone
from taggit.models import Tag

from .addresses import site_protocol_and_domain
from .caching import page_cached
from .chrome import site_chrome
from .models import Article, Author, Section

NEWS_SITEMAP_WINDOW = timedelta(hours=48)


class PublicSitemap(Sitemap):
    """A sitemap of addresses on the public site (``SITE_URL``), whatever host was asked."""

    def get_domain(self, site=None):
        return site_protocol_and_domain()[1]

    def get_protocol(self, protocol=None):
        return site_protocol_and_domain()[0]


class ArticleSitemap(PublicSitemap):
    limit = 5000

    def items(self):
        return Article.objects.published().only("pk", "slug", "updated_at").order_by("-pk")

    def lastmod(self, article):
        return article.updated_at


class SectionSitemap(PublicSitemap):
    def items(self):
        public = Article.objects.published().values("pk")
        return Section.objects.annotate(
            last_story=Max("articles__published_at", filter=Q(articles__in=public))
        ).order_by("order", "name")

    def lastmod(self, section):
        return section.last_story


class TagSitemap(PublicSitemap):
    limit = 5000

    def items(self):
        public = Article.objects.published().values("pk")
        return (
            Tag.objects.filter(articles_taggedarticle_items__content_object__in=public)
            .distinct()
            .order_by("slug")
        )


class AuthorSitemap(PublicSitemap):
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
