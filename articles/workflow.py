"""The editorial workflow: every change of a story's state is one function here.

The admin (forms, actions, buttons) and management commands call these functions, so a rule
(who may publish, the embargo, the trash) holds whichever way a change arrives. Each function
checks the user's permission on the server, saves the story with a version check (a save that
started from an older version is refused, see ``save_checked``), keeps a revision of it
(django-reversion) and records an ``AuditEntry``.
"""

import time
from contextlib import contextmanager
from datetime import timedelta

import reversion
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from .dates import moment
from .models import Article, AuditEntry, Correction

TRASH_DAYS = 30
SQLITE_LOCK_RETRIES = 50


class WorkflowError(Exception):
    """A change the workflow refuses; the message is written for the editor."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class NotAllowed(WorkflowError):
    """The user lacks the permission for this change."""


class EditConflict(WorkflowError):
    """Someone else saved the story after this edit started; ``current`` is their version."""

    def __init__(self, current):
        super().__init__("Someone else saved this story while you were editing it.")
        self.current = current


# Permissions -------------------------------------------------------------------------------


def is_own_story(user, article):
    """True when the user created the story or is credited in its byline."""
    if article.created_by_id == user.pk:
        return True
    return article.pk is not None and article.bylines.filter(author__user=user).exists()


def can_edit(user, article):
    """Editors edit any story. Writers edit their own, until it is published or scheduled:
    from then on only editors change what readers see. Nobody edits a story in the trash;
    it is restored first."""
    if not user.has_perm("articles.change_article") or article.is_trashed:
        return False
    if user.has_perm("articles.edit_any_article"):
        return True
    return is_own_story(user, article) and article.status != Article.Status.PUBLISHED


def can_publish(user):
    return user.has_perm("articles.publish_article")


def can_trash(user):
    return user.has_perm("articles.delete_article")


def _require(allowed, message):
    if not allowed:
        raise NotAllowed(message)


# Saving ------------------------------------------------------------------------------------


def record(article, action, user, note=""):
    """Add an audit entry for a change of the story's state."""
    return AuditEntry.objects.create(
        article=article,
        headline=article.headline[:200],
        action=action,
        user=user if user and user.is_authenticated else None,
        note=note[:300],
    )


@contextmanager
def revision(user, comment):
    """Keep a revision of every story saved inside the block, signed by ``user``."""
    with transaction.atomic(), reversion.create_revision():
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment)
        yield


def save_checked(article, user, expected_version=None):
    """Save the story unless someone saved it since ``expected_version`` (default: the version
    in memory); then raise ``EditConflict`` with their version and write nothing.

    The claim is one conditional UPDATE on the version, run first in the transaction, so it is
    atomic on every database: on PostgreSQL the second of two racing saves waits for the
    first's row lock and then finds the version changed; on SQLite writers are serialised and
    the loser's UPDATE matches no row.
    """
    if article.pk is None or article._state.adding:
        article.version = 1
        article.updated_by = user
        article.save()
        return article
    expected = article.version if expected_version is None else expected_version
    for attempt in range(SQLITE_LOCK_RETRIES + 1):
        try:
            with transaction.atomic():
                claimed = Article.objects.filter(pk=article.pk, version=expected).update(
                    version=expected + 1
                )
                if not claimed:
                    current = Article.objects.select_related("updated_by").get(pk=article.pk)
                    raise EditConflict(current)
                article.version = expected + 1
                article.updated_by = user
                article._version_claimed = True
                try:
                    article.save()
                finally:
                    article._version_claimed = False
            return article
        except OperationalError as error:
            # SQLite answers "database table is locked" at once, instead of waiting, when
            # connections share a cache (as its in-memory test database does), and
            # "database is locked" after its busy timeout. Nothing was written: try again.
            if connection.vendor != "sqlite" or "locked" not in str(error):
                raise
            if attempt == SQLITE_LOCK_RETRIES:
                raise
            time.sleep(0.02 * (attempt + 1))


def save_edit(article, user, *, expected_version=None, before=None, comment=""):
    """Save an edit made in the admin form: version-checked, with a revision and audit entries
    for any change of state the form made (``before`` is the story as loaded, or None for a
    new story).

    The form already refuses what the user may not do; this checks again so that no other
    path can publish without the permission or before the embargo.
    """
    publishing = article.status == Article.Status.PUBLISHED and (
        before is None
        or before.status != Article.Status.PUBLISHED
        or before.published_at != article.published_at
        or before.embargo_until != article.embargo_until
    )
    if publishing:
        _require(can_publish(user), "Only editors can publish or schedule stories.")
        _check_embargo(article, article.published_at or timezone.now())
    with revision(user, comment or ("Created" if before is None else "Edited")):
        if before is None:
            article.created_by = user
        save_checked(article, user, expected_version)
        if before is None:
            record(article, AuditEntry.Action.CREATED, user)
        _record_status_change(article, before, user)
    return article


def _record_status_change(article, before, user):
    old = before.status if before is not None else None
    new = article.status
    Status, Action = Article.Status, AuditEntry.Action
    if new == Status.PUBLISHED and (
        old != Status.PUBLISHED or before.published_at != article.published_at
    ):
        _record_publication(article, user)
    elif new == old:
        return
    elif new == Status.REVIEW:
        record(article, Action.SUBMITTED, user)
    elif new == Status.DRAFT and old is not None:
        record(article, Action.RETURNED, user)
    elif new == Status.UNPUBLISHED:
        record(article, Action.UNPUBLISHED, user)


def _record_publication(article, user):
    go_live = article.go_live_time
    if go_live and go_live > timezone.now():
        record(article, AuditEntry.Action.SCHEDULED, user, f"Goes live {moment(go_live)}")
    else:
        record(article, AuditEntry.Action.PUBLISHED, user)


def _check_embargo(article, publish_at):
    if error := article.embargo_error(publish_at):
        raise WorkflowError(error)


def refuse_if_trashed(article):
    if article.is_trashed:
        raise WorkflowError(f"“{article}” is in the trash. Restore it first.")


# Transitions -------------------------------------------------------------------------------


def _move(article, user, status, action):
    """Give the story a new status: one revision, a version-checked save and an audit entry,
    all named after ``action``."""
    with revision(user, action.label):
        article.status = status
        save_checked(article, user)
        record(article, action, user)
    return article


def submit_for_review(article, user):
    """Draft (or unpublished) → in review. Writers do this with their own stories."""
    _require(can_edit(user, article), f"You cannot edit “{article}”.")  # nor a trashed one
    if article.status not in (Article.Status.DRAFT, Article.Status.UNPUBLISHED):
        raise WorkflowError(f"“{article}” is {article.state_label.lower()}, not a draft.")
    return _move(article, user, Article.Status.REVIEW, AuditEntry.Action.SUBMITTED)


def return_to_draft(article, user):
    """In review → draft, when an editor sends a story back to its writer."""
    _require(can_publish(user), "Only editors can send a story back to draft.")
    refuse_if_trashed(article)
    if article.status != Article.Status.REVIEW:
        raise WorkflowError(f"“{article}” is not in review.")
    return _move(article, user, Article.Status.DRAFT, AuditEntry.Action.RETURNED)


def publish(article, user, at=None):
    """Publish now, or at ``at``: a future time schedules the story, which then goes live by
    itself (the visibility rule decides, no job runs). Refused before the embargo."""
    _require(can_publish(user), "Only editors can publish or schedule stories.")
    refuse_if_trashed(article)
    if article.is_live:
        raise WorkflowError(f"“{article}” is already live.")
    at = at or timezone.now()
    _check_embargo(article, at)
    if article.lead_photo and (problems := article.lead_photo.publishing_problems()):
        raise WorkflowError(f"“{article}” cannot be published yet. " + " ".join(problems))
    comment = "Scheduled" if at > timezone.now() else "Published"
    with revision(user, comment):
        article.status = Article.Status.PUBLISHED
        article.published_at = at
        save_checked(article, user)
        _record_publication(article, user)
    return article


def unpublish(article, user):
    """Live or scheduled → unpublished: readers no longer see it; nothing is deleted."""
    _require(can_publish(user), "Only editors can unpublish stories.")
    refuse_if_trashed(article)
    if article.status != Article.Status.PUBLISHED:
        raise WorkflowError(f"“{article}” is not published.")
    return _move(article, user, Article.Status.UNPUBLISHED, AuditEntry.Action.UNPUBLISHED)


def trash(article, user):
    """Move a story to the trash from any state. Readers stop seeing it at once; it can be
    restored for ``TRASH_DAYS`` days, then ``purge_trash`` deletes it."""
    _require(can_trash(user), "Only editors can move stories to the trash.")
    if article.is_trashed:
        return article
    with revision(user, "Moved to trash"):
        article.trashed_at = timezone.now()
        article.trashed_by = user
        save_checked(article, user)
        record(article, AuditEntry.Action.TRASHED, user)
    return article


def restore(article, user):
    """Take a story out of the trash. A story that was published comes back unpublished, so
    that nothing reappears before readers without an editor deciding it should."""
    _require(can_trash(user), "Only editors can restore stories from the trash.")
    if not article.is_trashed:
        raise WorkflowError(f"“{article}” is not in the trash.")
    note = ""
    with revision(user, "Restored from trash"):
        if article.status == Article.Status.PUBLISHED:
            article.status = Article.Status.UNPUBLISHED
            note = "Was published; restored as unpublished."
        article.trashed_at = None
        article.trashed_by = None
        save_checked(article, user)
        record(article, AuditEntry.Action.RESTORED, user, note)
    return article


def purge(article, user=None):
    """Delete a trashed story for good. The audit trail keeps its headline."""
    if not article.is_trashed:
        raise WorkflowError(f"“{article}” is not in the trash.")
    with transaction.atomic():
        record(article, AuditEntry.Action.PURGED, user)
        article.delete()


def expired_trash(days=TRASH_DAYS, now=None):
    """Stories that have been in the trash longer than ``days``."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return Article.objects.trashed().filter(trashed_at__lt=cutoff).order_by("trashed_at")


def add_correction(article, user, text, kind=Correction.Kind.CORRECTION):
    """Append a dated correction or update to a story that has been published."""
    _require(
        user.has_perm("articles.add_correction"), "Only editors can add corrections and updates."
    )
    if not article.first_published_at:
        raise WorkflowError("Corrections are for stories that have been published.")
    text = text.strip()
    if not text:
        raise WorkflowError("Write the correction's text.")
    with transaction.atomic():
        correction = Correction.objects.create(
            article=article, kind=kind, text=text, created_by=user
        )
        record(article, AuditEntry.Action.CORRECTED, user, text[:300])
    return correction
