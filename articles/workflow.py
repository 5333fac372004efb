"""The editorial workflow: every change of a story's state is one function here.

The admin (forms, actions, buttons) and management commands call these functions, so a rule
(who may publish, the embargo, the trash) holds whichever way a change arrives. Each function
checks the user's permission on the server, saves the story with a version check (a save that
started from an older version is refused, see ``save_checked``), keeps a revision of it
(django-reversion) and records an ``AuditEntry``.

Which changes exist, from which states and with which permission is one table,
``TRANSITIONS``; the admin's buttons and list actions are drawn from it. Whose story it is
is one QuerySet method, ``ArticleQuerySet.owned_by``.
"""

import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import reversion
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from . import roles
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
    """Whether the story is the user's own, by the one ownership rule,
    ``ArticleQuerySet.owned_by``. A story loaded through ``owned_by(user)`` is known to be;
    any other is asked once per story and user, since one change form checks its
    permissions several times."""
    if getattr(article, "owned_by_user_id", None) == user.pk:
        return True
    known = article.__dict__.setdefault("_owned_by", {})
    if user.pk not in known:
        known[user.pk] = (
            article.pk is not None and Article.objects.owned_by(user).filter(pk=article.pk).exists()
        )
    return known[user.pk]


def can_edit(user, article):
    """Editors edit any story. Writers edit their own, until it is published or scheduled:
    from then on only editors change what readers see. Nobody edits a story in the trash;
    it is restored first."""
    if not user.has_perm(roles.CHANGE) or article.is_trashed:
        return False
    if user.has_perm(roles.EDIT_ANY):
        return True
    return article.status != Article.Status.PUBLISHED and is_own_story(user, article)


def can_publish(user):
    return user.has_perm(roles.PUBLISH)


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
        _require(can_publish(user), TRANSITIONS["publish"].refusal)
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
    Status = Article.Status
    if new == Status.PUBLISHED and (
        old != Status.PUBLISHED or before.published_at != article.published_at
    ):
        _record_publication(article, user)
    elif new != old and (old is not None or new != Status.DRAFT):
        # The form made the change a transition makes (a new draft is only "created"):
        # audit it as that transition does.
        leading_to = {transition.target: transition for transition in TRANSITIONS.values()}
        record(article, leading_to[new].audit, user)


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


@dataclass(frozen=True)
class Transition:
    """One change of state an editor makes with a button on the story or an action on the
    list. ``TRANSITIONS`` (below the functions) is the one table of them: each workflow
    function checks its permission and starting state against its row, and the admin draws
    the story's buttons, the list's actions and their messages from it, so the two cannot
    disagree."""

    name: str  # in the button's address: …/workflow/<name>/
    function: Callable  # the workflow function that makes the change
    sources: frozenset  # the states (Article.State) it starts from
    target: str  # the state it leads to (Article.State), or "" when that depends
    permission: str  # one of articles.roles' names
    label: str  # the button on the story's page
    action: str  # the list action's name
    action_label: str  # the list action, as the list's menu offers it
    done: str  # the confirmation once it is done
    audit: str  # the AuditEntry.Action recorded; its label is the revision's comment
    refusal: str  # what a user without the permission is told
    wrong_state: str  # what is said when the story's state does not allow the change
    # Writers may make this change to their own stories: it counts as editing them.
    edits: bool = False

    def is_allowed(self, user, article):
        """Whether the user holds the permission for this change on this story."""
        if not user.has_perm(self.permission):
            return False
        return can_edit(user, article) if self.edits else True

    def check(self, article, user):
        """Raise ``NotAllowed`` or ``WorkflowError`` unless the user may make this change to
        the story in the state it is in now."""
        _require(self.is_allowed(user, article), self.refusal.format(story=article))
        if article.state not in self.sources:
            refuse_if_trashed(article)
            state = article.state_label.lower()
            raise WorkflowError(self.wrong_state.format(story=article, state=state))


def available_transitions(user, article):
    """The changes this user may make to this story now, in the table's order: the buttons
    on the story's page."""
    return [
        transition
        for transition in TRANSITIONS.values()
        if article.state in transition.sources and transition.is_allowed(user, article)
    ]


def _move(article, user, transition):
    """Give the story the transition's state: one revision, a version-checked save and an
    audit entry, named after the transition's audit action."""
    action = AuditEntry.Action(transition.audit)
    with revision(user, action.label):
        article.status = Article.Status(transition.target)
        save_checked(article, user)
        record(article, action, user)
    return article


def submit_for_review(article, user):
    """Draft (or unpublished) → in review. Writers do this with their own stories."""
    TRANSITIONS["submit"].check(article, user)
    return _move(article, user, TRANSITIONS["submit"])


def return_to_draft(article, user):
    """In review → draft, when an editor sends a story back to its writer."""
    TRANSITIONS["return"].check(article, user)
    return _move(article, user, TRANSITIONS["return"])


def publish(article, user, at=None):
    """Publish now, or at ``at``: a future time schedules the story, which then goes live by
    itself (the visibility rule decides, no job runs). Refused before the embargo."""
    TRANSITIONS["publish"].check(article, user)
    now = timezone.now()
    at = at or now
    _check_embargo(article, at)
    if article.lead_photo and (problems := article.lead_photo.publishing_problems()):
        raise WorkflowError(f"“{article}” cannot be published yet. " + " ".join(problems))
    comment = "Scheduled" if at > now else "Published"
    with revision(user, comment):
        article.status = Article.Status.PUBLISHED
        first = article.first_published_at
        # Back on the site after an unpublish or the trash, a story keeps the publication
        # time readers first saw; one scheduled for later goes out at that time.
        article.published_at = first if at <= now and first and first < at else at
        save_checked(article, user)
        _record_publication(article, user)
    return article


def unpublish(article, user):
    """Live or scheduled → unpublished: readers no longer see it; nothing is deleted."""
    TRANSITIONS["unpublish"].check(article, user)
    return _move(article, user, TRANSITIONS["unpublish"])


def trash(article, user):
    """Move a story to the trash from any state. Readers stop seeing it at once; it can be
    restored for ``TRASH_DAYS`` days, then ``purge_trash`` deletes it. Trashing a story that
    is already there changes nothing."""
    transition = TRANSITIONS["trash"]
    _require(transition.is_allowed(user, article), transition.refusal)
    if article.is_trashed:
        return article
    with revision(user, AuditEntry.Action(transition.audit).label):
        article.trashed_at = timezone.now()
        article.trashed_by = user
        save_checked(article, user)
        record(article, transition.audit, user)
    return article


def restore(article, user):
    """Take a story out of the trash. A story that was published comes back unpublished, so
    that nothing reappears before readers without an editor deciding it should."""
    transition = TRANSITIONS["restore"]
    transition.check(article, user)
    note = ""
    with revision(user, AuditEntry.Action(transition.audit).label):
        if article.status == Article.Status.PUBLISHED:
            article.status = Article.Status.UNPUBLISHED
            note = "Was published; restored as unpublished."
        article.trashed_at = None
        article.trashed_by = None
        save_checked(article, user)
        record(article, transition.audit, user, note)
    return article


State, Action = Article.State, AuditEntry.Action
TRANSITIONS = {
    transition.name: transition
    for transition in [
        Transition(
            name="submit",
            function=submit_for_review,
            sources=frozenset({State.DRAFT, State.UNPUBLISHED}),
            target=State.REVIEW,
            permission=roles.CHANGE,
            edits=True,
            label="Submit for review",
            action="submit_for_review",
            action_label="Submit selected stories for review",
            done="Submitted for review",
            audit=Action.SUBMITTED,
            refusal="You cannot edit “{story}”.",
            wrong_state="“{story}” is {state}, not a draft.",
        ),
        Transition(
            name="return",
            function=return_to_draft,
            sources=frozenset({State.REVIEW}),
            target=State.DRAFT,
            permission=roles.PUBLISH,
            label="Send back to draft",
            action="return_to_draft",
            action_label="Send selected stories back to draft",
            done="Sent back to draft",
            audit=Action.RETURNED,
            refusal="Only editors can send a story back to draft.",
            wrong_state="“{story}” is not in review.",
        ),
        Transition(
            # A scheduled story can be published at once, from its page as from the list.
            name="publish",
            function=publish,
            sources=frozenset({State.DRAFT, State.REVIEW, State.UNPUBLISHED, State.SCHEDULED}),
            target=State.LIVE,
            permission=roles.PUBLISH,
            label="Publish now",
            action="publish_now",
            action_label="Publish selected stories now",
            done="Published",
            audit=Action.PUBLISHED,
            refusal="Only editors can publish or schedule stories.",
            wrong_state="“{story}” is already live.",
        ),
        Transition(
            name="unpublish",
            function=unpublish,
            sources=frozenset({State.SCHEDULED, State.LIVE}),
            target=State.UNPUBLISHED,
            permission=roles.PUBLISH,
            label="Unpublish",
            action="unpublish",
            action_label="Unpublish selected stories",
            done="Unpublished",
            audit=Action.UNPUBLISHED,
            refusal="Only editors can unpublish stories.",
            wrong_state="“{story}” is not published.",
        ),
        Transition(
            name="trash",
            function=trash,
            sources=frozenset(set(State) - {State.TRASHED}),
            target=State.TRASHED,
            permission=roles.TRASH,
            label="Move to trash",
            action="move_to_trash",
            action_label="Move selected stories to the trash",
            done="Moved to the trash",
            audit=Action.TRASHED,
            refusal="Only editors can move stories to the trash.",
            wrong_state="",  # trashing a story already there changes nothing (see trash())
        ),
        Transition(
            # Back to the status it was trashed with; a published one comes back unpublished.
            name="restore",
            function=restore,
            sources=frozenset({State.TRASHED}),
            target="",
            permission=roles.TRASH,
            label="Restore from trash",
            action="restore",
            action_label="Restore selected stories from the trash",
            done="Restored from the trash",
            audit=Action.RESTORED,
            refusal="Only editors can restore stories from the trash.",
            wrong_state="“{story}” is not in the trash.",
        ),
    ]
}


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
    _require(user.has_perm(roles.ADD_CORRECTION), "Only editors can add corrections and updates.")
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
