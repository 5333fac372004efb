"""RSS 2.0 and Atom feeds for the site and for each section, tag and author.

Each item carries its lead photo as a Media RSS element with the photo's caption and credit,
so feed readers and aggregators can show the picture and who took it.

Every value here is plain text typed by someone. Names, categories, credits and Atom titles
go into elements that feed readers read as text, and the feed writer escapes them for XML.
Descriptions, summaries, captions and RSS titles go into elements that feed readers read as
HTML (RSS ``<description>`` and ``<title>``, Atom ``<summary type="html">``,
``<media:description type="html">``): those are escaped for HTML first (``as_html``), so that
a reader decodes them back to the same text, never to markup.
"""

import mimetypes

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from taggit.models import Tag

from .addresses import absolute
from .caching import page_cached
from .chrome import site_chrome
from .models import Article, Author, Section
from .plaintext import plain_text

FEED_SIZE = 30
MEDIA_NS = "http://search.yahoo.com/mrss/"


def as_html(text):
    """Plain text for an element that feed readers render as HTML."""
    return escape(plain_text(text))


class MediaMixin:
    """Adds Media RSS (<media:content> with <media:credit> and <media:description>)."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA_NS}

    def root_attributes(self):
        attrs = super().root_attributes()
        attrs["xmlns:media"] = MEDIA_NS
        return attrs

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        photo = item.get("photo")
        if photo is None:
            return
        handler.startElement(
            "media:content",
            {
                "url": photo["url"],
                "medium": "image",
                "type": photo["type"],
                "width": str(photo["width"]),
                "height": str(photo["height"]),
            },
        )
        if photo["caption"]:
            # Readers (feedparser among them) treat it as HTML whatever it says, so say so.
            handler.addQuickElement(
                "media:description", as_html(photo["caption"]), {"type": "html"}
            )
        if photo["credit"]:
            handler.addQuickElement("media:credit", plain_text(photo["credit"]))
        handler.endElement("media:content")


class RssFeed(MediaMixin, Rss201rev2Feed):
    """RSS leaves open whether a title is text or HTML, and readers take it for HTML when it
    looks like markup: its titles are escaped for HTML like its descriptions, so either reading
    gives the typed text. (Atom says ``type="text"``, so its titles stay plain.)"""

    def __init__(self, title, *args, **kwargs):
        super().__init__(as_html(title), *args, **kwargs)

    def add_item(self, title, *args, **kwargs):
        super().add_item(as_html(title), *args, **kwargs)


class AtomFeed(MediaMixin, Atom1Feed):
    pass


@page_cached  # with every subclass: the section, tag and author feeds and the Atom ones
class StoryFeed(Feed):
    feed_type = RssFeed

    def get_object(self, request, slug=None):
        return None

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        # Django names the feed's own address on the host asked; readers keep the public one.
        feed.feed["feed_url"] = absolute(request.path)
        return feed

    def filter_stories(self, stories, obj):
        return stories

    def title(self, obj):
        site = site_chrome()["site"].name
        return plain_text(f"{obj} | {site}" if obj else site)

    def link(self, obj):
        return absolute(obj.get_absolute_url() if obj else "/")

    def about(self, obj):
        """What the feed is about, as plain text."""
        site = site_chrome()["site"]
        return getattr(obj, "description", "") or site.description or site.tagline or site.name

    def description(self, obj):  # RSS <channel><description>: HTML to feed readers
        return as_html(self.about(obj))

    def subtitle(self, obj):  # Atom <subtitle>: text
        return plain_text(self.about(obj))

    def items(self, obj):
        stories = self.filter_stories(Article.objects.published(), obj)
        return stories.for_listing().prefetch_related("tags").newest_first()[:FEED_SIZE]

    def item_title(self, item):
        return plain_text(item.headline)

    def item_description(self, item):
        return as_html(item.dek)

    def item_link(self, item):
        return absolute(item.url)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return plain_text(", ".join(author.name for author in item.byline_authors)) or None

    def item_categories(self, item):
        names = [item.section.name, *(tag.name for tag in item.tags.all())]
        return [plain_text(name) for name in names]

    def item_guid(self, item):
        return absolute(f"/news/{item.pk}/")

    item_guid_is_permalink = False

    def item_extra_kwargs(self, item):
        photo = item.lead_photo
        if photo is None:
            return {}
        image = photo.share_image()
        return {
            "photo": {
                "url": absolute(image.url),
                "type": mimetypes.guess_type(image.url)[0] or "image/jpeg",
                "width": image.width,
                "height": image.height,
                "caption": item.caption,
                "credit": photo.credit,
            }
        }


class SectionFeed(StoryFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def filter_stories(self, stories, obj):
        return stories.filter(section=obj)


class TagFeed(StoryFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def filter_stories(self, stories, obj):
        return stories.filter(tags=obj)


class AuthorFeed(StoryFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Author, slug=slug)

    def about(self, obj):
        return obj.bio or f"Stories by {obj.name}."

    def filter_stories(self, stories, obj):
        return stories.filter(bylines__author=obj)


def atom(feed_class):
    return type(f"Atom{feed_class.__name__}", (feed_class,), {"feed_type": AtomFeed})
