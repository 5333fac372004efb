"""Where photos are placed: the one place that knows which stories show a photo, and where.

A photo is an asset; its use in a story is a placement, and there are three kinds, each a
relation: the story's lead photo (``Article.lead_photo``), its gallery (``GalleryPhoto``) and
the photos in its body (``BodyPhoto``, kept in step with the body's markup on every save).
Every question about use is asked here, so the three are never forgotten one at a time: the
library's "used in" list, counts and filter, delete protection, cache invalidation, search
captions and the rule on who may change a photo.
"""

from django.db.models import (
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce, Concat

from . import roles
from .aggregates import Joined
from .models import Article, BodyPhoto, GalleryPhoto, Photo

LEAD = "lead photo"
GALLERY = "gallery"
BODY = "body"


def public_stories():
    """Stories whose photos readers see now or at a set time without anyone else's say
    (``ArticleQuerySet.released()``): the same line ``workflow.can_edit`` draws for writers'
    stories."""
    return Article.objects.released()


def stories_showing(photo, stories=None):
    """The stories (among ``stories``, default all) that show ``photo`` (a Photo or an id)
    as lead, gallery or body photo, each once."""
    stories = Article.objects.all() if stories is None else stories
    return stories.filter(
        Q(lead_photo=photo)
        | Q(pk__in=GalleryPhoto.objects.filter(photo=photo).values("article"))
        | Q(pk__in=BodyPhoto.objects.filter(photo=photo).values("article"))
    )


def where_shown(photo, articles):
    """For each of ``articles`` (stories showing ``photo``): where it shows it, e.g.
    ``{12: ["lead photo", "body"]}``. Two queries, for the library's "used in" list."""
    ids = [article.pk for article in articles]
    places = {
        article.pk: [LEAD] if article.lead_photo_id == photo.pk else [] for article in articles
    }
    for model, place in ((GalleryPhoto, GALLERY), (BodyPhoto, BODY)):
        for article_id in model.objects.filter(photo=photo, article__in=ids).values_list(
            "article_id", flat=True
        ):
            places[article_id].append(place)
    return places


def shown():
    """For filtering photos (``Photo.objects.filter(shown())``): true for a photo that some
    story shows. EXISTS on each relation's indexed foreign key, not a join: a pool photo can
    lead thousands of stories."""
    photo = OuterRef("pk")
    return (
        Exists(Article.objects.filter(lead_photo=photo))
        | Exists(GalleryPhoto.objects.filter(photo=photo))
        | Exists(BodyPhoto.objects.filter(photo=photo))
    )


def story_count():
    """For annotating photos: how many stories show each one, a story that shows it in
    several places counted once. Three counts on indexed foreign keys, evaluated per listed
    photo after the page's LIMIT, never a grouped join of every story."""
    photo = OuterRef("pk")
    same_photo = OuterRef(OuterRef("pk"))
    in_gallery = GalleryPhoto.objects.filter(article=OuterRef("article"), photo=same_photo)
    lead = Article.objects.filter(lead_photo=photo)
    gallery = GalleryPhoto.objects.filter(photo=photo).exclude(article__lead_photo=photo)
    body = (
        BodyPhoto.objects.filter(photo=photo)
        .exclude(article__lead_photo=photo)
        .exclude(Exists(in_gallery))
    )
    return _count(lead) + _count(gallery) + _count(body)


def _count(related):
    # COUNT(*) as a plain expression, so Django adds no GROUP BY and PostgreSQL counts from
    # the foreign key's index alone.
    count = Func(template="COUNT(*)", output_field=IntegerField())
    return Coalesce(Subquery(related.order_by().annotate(n=count).values("n")), 0)


def shown_captions():
    """Expressions over a story's row (for the search index, on either database): the
    captions of every photo the story shows: the lead photo's and the story's own for it, the
    gallery's, and the body photos' own (a body figure's caption for this story is in the
    body's text)."""
    lead = Photo.objects.filter(pk=OuterRef("lead_photo_id")).values("caption")
    gallery = (
        GalleryPhoto.objects.filter(article=OuterRef("pk"))
        .values("article")
        .annotate(
            text=Joined(Concat("caption", Value(" "), "photo__caption", output_field=TextField()))
        )
        .values("text")
    )
    body = (
        BodyPhoto.objects.filter(article=OuterRef("pk"))
        .values("article")
        .annotate(text=Joined("photo__caption"))
        .values("text")
    )
    return [F("lead_photo_caption"), Subquery(lead), Subquery(gallery), Subquery(body)]


def shown_publicly(photo):
    """True when a published story (live or scheduled) shows the photo anywhere."""
    return stories_showing(photo, public_stories()).exists()


def can_change_photo(user, photo):
    """Who may change a photo (its file, text or focal point): whoever holds
    ``change_any_photo`` (editors); a writer only a photo they uploaded that no published
    story shows, as readers would see the change without an editor's say. A new photo is
    anyone's with ``add_photo``."""
    if not user.has_perm(roles.CHANGE_PHOTO):
        return False
    if user.has_perm(roles.CHANGE_ANY_PHOTO):
        return True
    return photo.uploaded_by_id == user.pk and not shown_publicly(photo)


def why_photo_is_locked(user, photo):
    """The sentence that tells a writer why they may not change ``photo``, or ""."""
    if can_change_photo(user, photo):
        return ""
    if photo.uploaded_by_id != user.pk:
        return (
            f"“{photo}” was uploaded by someone else. Ask an editor to change it, or upload "
            "your own photo."
        )
    return (
        f"“{photo}” is shown by a published story, so changing it would change what readers "
        "see. Ask an editor to change it, or upload a new photo for your story."
    )
