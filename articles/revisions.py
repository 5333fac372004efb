"""Revisions of a story: readable snapshots, field-by-field diffs, restoring an old one.

django-reversion stores the revisions (the story with its bylines and tags, who, when and a
comment); this module turns them into what editors read and restores one as a new revision.
"""

import difflib
import re
from dataclasses import dataclass

import reversion
from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import mark_safe
from reversion.models import Version
from taggit.models import Tag

from . import workflow
from .dates import moment
from .models import Article, AuditEntry, Author, Byline, Photo, Section, TaggedArticle

# Compared and restored, in the order the edit form shows them.
CONTENT_FIELDS = [
    "kicker",
    "headline",
    "slug",
    "dek",
    "dateline",
    "section",
    "body",
    "lead_photo",
    "lead_photo_caption",
]
TEXT_FIELDS = {"headline", "dek", "body", "kicker", "lead_photo_caption"}
STATE_FIELDS = ["status", "published_at", "embargo_until"]


@dataclass
class Change:
    label: str
    before: str
    after: str
    diff: str  # HTML: <del>/<ins> marks for text fields, empty for others


def revisions_of(article):
    """Every stored revision of the story, newest first, with who saved it."""
    return Version.objects.get_for_object(article).select_related("revision__user")


def _label(name):
    if name in ("bylines", "tags"):
        return name.capitalize()
    return str(Article._meta.get_field(name).verbose_name).capitalize()


def _display(name, value):
    if value in (None, ""):
        return ""
    if name == "section":
        return str(Section.objects.filter(pk=value).first() or f"(deleted section #{value})")
    if name == "lead_photo":
        return str(Photo.objects.filter(pk=value).first() or f"(deleted photo #{value})")
    if name == "status":
        return str(Article.Status(value).label)
    if name in ("published_at", "embargo_until"):
        return moment(value)
    return str(value)


def _stored_with(version, model):
    """The story's bylines or tagged items as the same revision stored them (field dicts)."""
    link = "article_id" if model is Byline else "content_object_id"
    article_id = int(version.object_id)
    return [
        sibling.field_dict
        for sibling in version.revision.version_set.select_related("content_type")
        if sibling.content_type.model_class() is model
        and sibling.field_dict.get(link) == article_id
    ]


def snapshot_of_version(version):
    """The story as this revision stored it: field name → readable value."""
    data = version.field_dict  # keyed by attname: section_id, lead_photo_id, ...
    values = {
        name: _display(name, data.get(Article._meta.get_field(name).attname))
        for name in CONTENT_FIELDS + STATE_FIELDS
    }
    bylines = sorted(
        _stored_with(version, Byline), key=lambda fields: (fields["order"], fields["id"])
    )
    authors = Author.objects.in_bulk([fields["author_id"] for fields in bylines])
    values["bylines"] = ", ".join(
        str(authors.get(fields["author_id"], "(deleted author)")) for fields in bylines
    )
    tag_ids = [fields["tag_id"] for fields in _stored_with(version, TaggedArticle)]
    values["tags"] = ", ".join(
        sorted(Tag.objects.filter(pk__in=tag_ids).values_list("name", flat=True))
    )
    return values


def snapshot_of_article(article):
    """The story as it is saved now, in the same shape as ``snapshot_of_version``."""
    values = {
        name: _display(name, getattr(article, Article._meta.get_field(name).attname))
        for name in CONTENT_FIELDS + STATE_FIELDS
    }
    values["bylines"] = ", ".join(
        str(b.author) for b in article.bylines.select_related("author").order_by("order", "pk")
    )
    values["tags"] = ", ".join(sorted(article.tags.values_list("name", flat=True)))
    return values


def _words(name, text):
    if name == "body":
        # Compare what readers read: block ends become line breaks, tags go.
        text = re.sub(r"</(p|h[1-6]|li|blockquote)>|<br\s*/?>", "\n", text)
        text = strip_tags(text)
    return re.findall(r"\s+|[^\s]+", text)


def text_diff(name, before, after):
    """A word-by-word diff as HTML with <del> and <ins>; everything else is escaped."""
    a, b = _words(name, before), _words(name, after)
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(format_html("<del>{}</del>", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(format_html("<ins>{}</ins>", "".join(b[j1:j2])))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


def compare(before, after):
    """Field-by-field changes between two snapshots, in the edit form's order."""
    changes = []
    for name in [*CONTENT_FIELDS, "bylines", "tags", *STATE_FIELDS]:
        old, new = before.get(name, ""), after.get(name, "")
        if old == new:
            continue
        diff = text_diff(name, old, new) if name in TEXT_FIELDS else ""
        changes.append(Change(_label(name), old, new, diff))
    return changes


def version_loaded_as(article, version_number):
    """The revision holding the story as it was at ``version_number`` (the version an edit
    form was loaded at), or None when no revision kept it."""
    for version in revisions_of(article)[:100]:
        if version.field_dict.get("version") == version_number:
            return version
    return None


def conflict_changes(current, loaded_version_number):
    """What the other person changed: the story as the form loaded it against the story as
    it is saved now. None when the loaded state was never kept as a revision."""
    loaded = version_loaded_as(current, loaded_version_number)
    if loaded is None:
        return None
    return compare(snapshot_of_version(loaded), snapshot_of_article(current))


def restore_revision(article, version, user):
    """Bring back the content of an old revision (text, section, photo, bylines, tags) as a
    new revision. The story's state (status, times, trash) stays as it is now: restoring an
    old text never publishes or unpublishes anything."""
    if not workflow.can_edit(user, article):
        raise workflow.NotAllowed(f"You cannot edit “{article}”.")
    if version.object_id != str(article.pk) or version.content_type.model_class() is not Article:
        raise workflow.WorkflowError("That revision belongs to another story.")
    data = version.field_dict
    when = moment(version.revision.date_created)
    by = version.revision.user or "someone"
    with workflow.revision(user, f"Restored the revision of {when} by {by}"):
        for name in CONTENT_FIELDS:
            attname = Article._meta.get_field(name).attname
            value = data.get(attname)
            if name == "section" and not Section.objects.filter(pk=value).exists():
                continue  # keep the current section rather than fail on a deleted one
            if name == "lead_photo" and value and not Photo.objects.filter(pk=value).exists():
                value = None
            setattr(article, attname, value if value is not None or name == "lead_photo" else "")
        workflow.save_checked(article, user)
        bylines = _stored_with(version, Byline)
        authors = Author.objects.in_bulk([fields["author_id"] for fields in bylines])
        article.bylines.all().delete()
        # One save per byline, as the form's inline makes them: the signals that keep the
        # search vector and the caches in step with a story's authors (bulk_create sends
        # none) see the restored byline like any other.
        for fields in bylines:
            if fields["author_id"] in authors:  # an author deleted since is left out
                Byline.objects.create(
                    article=article, author_id=fields["author_id"], order=fields["order"]
                )
        tag_ids = [fields["tag_id"] for fields in _stored_with(version, TaggedArticle)]
        article.tags.set(list(Tag.objects.filter(pk__in=tag_ids)))
        # Store the story again now that its bylines and tags are the restored ones.
        reversion.add_to_revision(article)
        workflow.record(
            article, AuditEntry.Action.REVISION_RESTORED, user, f"Revision of {when} by {by}"
        )
    return article
