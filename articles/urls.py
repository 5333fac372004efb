from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import feeds, views
from .caching import page_cached
from .sitemaps import SITEMAPS, news_sitemap

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("news/<int:pk>/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tag/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("author/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("readership/view/", views.readership_beacon, name="readership_beacon"),
    path("corrections/", views.CorrectionsView.as_view(), name="corrections"),
    path("preview/<str:token>/", views.preview, name="preview"),
    # Feeds
    path("feeds/rss/", feeds.StoryFeed(), name="rss"),
    path("feeds/atom/", feeds.atom(feeds.StoryFeed)(), name="atom"),
    path("section/<slug:slug>/rss/", feeds.SectionFeed(), name="section_rss"),
    path("section/<slug:slug>/atom/", feeds.atom(feeds.SectionFeed)(), name="section_atom"),
    path("tag/<slug:slug>/rss/", feeds.TagFeed(), name="tag_rss"),
    path("tag/<slug:slug>/atom/", feeds.atom(feeds.TagFeed)(), name="tag_atom"),
    path("author/<slug:slug>/rss/", feeds.AuthorFeed(), name="author_rss"),
    path("author/<slug:slug>/atom/", feeds.atom(feeds.AuthorFeed)(), name="author_atom"),
]

# Sitemaps and robots.txt live at the site root, outside the app's namespace.
root_urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        page_cached(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap_index",
    ),
    path(
        "sitemap-<section>.xml",
        page_cached(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("news-sitemap.xml", news_sitemap, name="news_sitemap"),
]
