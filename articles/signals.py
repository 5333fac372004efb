"""Side effects of saving, connected in ArticlesConfig.ready()."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from taggit.models import Tag

from .models import Article, Author, BodyPhoto, Byline, GalleryPhoto, Photo, PhotoRendition
from .models.photos import delete_files_on_commit
from .placements import stories_showing
from .search import refresh_search_vectors


# The search vector is part of the story's data, so it is refreshed in the same transaction
# (not on commit): a search never sees a story saved with a stale vector.
def reindex_article(sender, instance, **kwargs):
    refresh_search_vectors([instance.pk])


def reindex_article_of_byline(sender, instance, **kwargs):
    refresh_search_vectors([instance.article_id])


def reindex_article_of_placement(sender, instance, **kwargs):
    refresh_search_vectors([instance.article_id])


def reindex_tagged(sender, instance, action, reverse, pk_set, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        refresh_search_vectors(list(pk_set or []) if reverse else [instance.pk])


def reindex_articles_of_author(sender, instance, **kwargs):
    refresh_search_vectors(list(instance.bylines.values_list("article_id", flat=True)))


def reindex_articles_of_photo(sender, instance, **kwargs):
    refresh_search_vectors(list(stories_showing(instance).values_list("pk", flat=True)))


def reindex_articles_of_tag(sender, instance, **kwargs):
    ids = Article.objects.filter(tags=instance).values_list("pk", flat=True)
    refresh_search_vectors(list(ids))


# A deleted photo's or rendition's file goes once the deletion commits (a rollback keeps it).
def delete_original(sender, instance, **kwargs):
    delete_files_on_commit(instance.image.storage, [instance.image.name])


def delete_rendition(sender, instance, **kwargs):
    delete_files_on_commit(instance.file.storage, [instance.file.name])


def connect():
    post_save.connect(reindex_article, sender=Article, dispatch_uid="search-article")
    post_save.connect(reindex_article_of_byline, sender=Byline, dispatch_uid="search-byline")
    post_delete.connect(reindex_article_of_byline, sender=Byline, dispatch_uid="search-byline-del")
    m2m_changed.connect(reindex_tagged, sender=Article.tags.through, dispatch_uid="search-tags")
    post_save.connect(reindex_articles_of_author, sender=Author, dispatch_uid="search-author")
    post_save.connect(reindex_articles_of_photo, sender=Photo, dispatch_uid="search-photo")
    # A placed photo's captions are part of its story's vector.
    for placement in (GalleryPhoto, BodyPhoto):
        name = placement.__name__
        post_save.connect(
            reindex_article_of_placement, sender=placement, dispatch_uid=f"search-{name}"
        )
        post_delete.connect(
            reindex_article_of_placement, sender=placement, dispatch_uid=f"search-{name}-del"
        )
    post_save.connect(reindex_articles_of_tag, sender=Tag, dispatch_uid="search-tag")
    post_delete.connect(delete_original, sender=Photo, dispatch_uid="photo_original_files")
    post_delete.connect(delete_rendition, sender=PhotoRendition, dispatch_uid="rendition_files")
