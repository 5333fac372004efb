"""The editorial workflow through the admin, as logged-in writers and editors use it."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import Article, AuditEntry

from .factories import make_article, make_author, make_section, make_staff
from .workflow_helpers import add_form, change_url, form_data, transition_url

pytestmark = pytest.mark.django_db

ADD_ARTICLE = reverse("admin:articles_article_add")
CHANGELIST = reverse("admin:articles_article_changelist")


def actions_of(article):
    return list(
        AuditEntry.objects.filter(article=article)
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )


def draft(**overrides):
    return make_article(**({"status": Article.Status.DRAFT, "published_at": None} | overrides))


# Writers ------------------------------------------------------------------------------------


def test_writer_drafts_then_submits_with_the_button_and_both_are_audited(writer, writer_client):
    response = writer_client.post(ADD_ARTICLE, add_form(make_section()))
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.state == Article.State.DRAFT

    html = writer_client.get(change_url(article)).content.decode()
    assert "Submit for review" in html
    assert "Publish now" not in html

    response = writer_client.post(transition_url(article, "submit"), follow=True)
    assert "Submitted for review" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Article.Status.REVIEW
    assert actions_of(article) == ["created", "submitted"]
    assert AuditEntry.objects.filter(action="submitted", user=writer).exists()


@pytest.mark.parametrize("transition", ["publish", "unpublish", "trash", "return"])
def test_writer_cannot_publish_unpublish_or_trash_by_crafting_a_post(
    writer, writer_client, transition
):
    status = Article.Status.PUBLISHED if transition == "unpublish" else Article.Status.REVIEW
    article = draft(created_by=writer, status=status)
    response = writer_client.post(transition_url(article, transition))
    assert response.status_code == 403
    refreshed = Article.objects.get(pk=article.pk)
    assert (refreshed.status, refreshed.trashed_at) == (article.status, None)


def test_writer_cannot_publish_by_crafting_the_edit_form(writer, writer_client):
    article = draft(created_by=writer)
    data = form_data(
        article, status="published", published_at=timezone.now() - timedelta(minutes=1)
    )
    response = writer_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Article.objects.published().exists()


def test_writer_cannot_see_or_edit_someone_elses_story(writer_client):
    other = make_staff("walt", "Writer")
    article = draft(created_by=other, headline="Walt's scoop")
    response = writer_client.get(change_url(article), follow=True)
    assert "Walt&#x27;s scoop" not in response.content.decode()
    writer_client.post(change_url(article), form_data(article, headline="Hijacked"))
    assert Article.objects.get(pk=article.pk).headline == "Walt's scoop"
    assert "Walt" not in writer_client.get(CHANGELIST).content.decode()


def test_writer_edits_a_story_carrying_their_byline(writer, writer_client):
    author = make_author(user=writer)
    article = draft(authors=[author])
    response = writer_client.post(change_url(article), form_data(article, headline="Mine too"))
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).headline == "Mine too"


def test_writer_cannot_change_their_story_once_published(writer, writer_client):
    article = make_article(created_by=writer, headline="Live words")
    response = writer_client.post(change_url(article), form_data(article, headline="Sneaky"))
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).headline == "Live words"


# Editors ------------------------------------------------------------------------------------


def test_editor_publishes_with_the_button(editor, editor_client, reader):
    article = draft(status=Article.Status.REVIEW)
    response = editor_client.post(transition_url(article, "publish"), follow=True)
    assert "Published" in response.content.decode()
    article.refresh_from_db()
    assert article.state == Article.State.LIVE
    assert reader.get(article.get_absolute_url()).status_code == 200
    assert AuditEntry.objects.get(article=article, action="published").user == editor


def test_editor_returns_a_story_to_draft(editor_client):
    article = draft(status=Article.Status.REVIEW)
    editor_client.post(transition_url(article, "return"))
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert actions_of(article) == ["returned"]


def test_going_live_next_lists_scheduled_and_embargoed_stories_soonest_first(editor_client):
    now = timezone.now()
    make_article(headline="Live already", published_at=now - timedelta(hours=2))
    make_article(headline="Scheduled for tonight", published_at=now + timedelta(hours=6))
    make_article(
        headline="Embargoed until noon",
        published_at=now - timedelta(hours=1),
        embargo_until=now + timedelta(hours=2),
    )
    listing = editor_client.get(CHANGELIST).content.decode()
    box = listing.split("Going live next")[1].split("</section>")[0]
    assert "Live already" not in box
    assert box.index("Embargoed until noon") < box.index("Scheduled for tonight")


def test_editor_schedules_and_the_story_goes_live_by_itself_at_its_time(editor_client, reader):
    article = draft(status=Article.Status.REVIEW)
    go_live = timezone.now() + timedelta(hours=2)
    response = editor_client.post(
        change_url(article), form_data(article, status="published", published_at=go_live)
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.state == Article.State.SCHEDULED
    assert actions_of(article) == ["scheduled"]
    listing = editor_client.get(CHANGELIST).content.decode()
    assert "Going live next" in listing
    assert article.headline in listing.split("Going live next")[1].split("</section>")[0]
    assert 'class="state state-scheduled"' in listing
    assert reader.get(article.get_absolute_url()).status_code == 404

    with time_machine.travel(go_live + timedelta(seconds=1)):
        assert reader.get(article.get_absolute_url()).status_code == 200
        assert Article.objects.in_state(Article.State.LIVE).filter(pk=article.pk).exists()
        assert 'class="state state-live"' in editor_client.get(CHANGELIST).content.decode()


def test_the_admin_and_the_audit_trail_write_a_moment_as_the_story_page_does(editor_client):
    """One format for people: the change page's note, the embargo error, the audit trail
    and the story's date line all read "March 4, 2031, 3:05 PM EST"."""
    written = "March 4, 2031, 3:05 PM EST"
    go_live = timezone.make_aware(datetime(2031, 3, 4, 15, 5))  # the newsroom's time zone
    article = draft(status=Article.Status.REVIEW)
    editor_client.post(
        change_url(article), form_data(article, status="published", published_at=go_live)
    )
    assert AuditEntry.objects.get(article=article, action="scheduled").note == (
        f"Goes live {written}"
    )
    assert f"Goes live {written}" in editor_client.get(change_url(article)).content.decode()
    embargoed = draft(embargo_until=go_live)
    response = editor_client.post(transition_url(embargoed, "publish"), follow=True)
    assert f"under embargo until {written}" in response.content.decode()
    with time_machine.travel(go_live + timedelta(minutes=1)):
        page = editor_client.get(article.get_absolute_url()).content.decode()
    assert f">{written}</time>" in page


def test_editor_unpublishes_and_readers_get_404(editor_client, reader):
    article = make_article()
    editor_client.post(transition_url(article, "unpublish"))
    article.refresh_from_db()
    assert article.state == Article.State.UNPUBLISHED
    assert reader.get(article.get_absolute_url()).status_code == 404
    assert actions_of(article) == ["unpublished"]
    assert 'class="state state-unpublished"' in editor_client.get(CHANGELIST).content.decode()


# Embargo ------------------------------------------------------------------------------------


def test_embargo_refuses_an_earlier_publish_time_in_the_form(editor_client):
    embargo = timezone.now() + timedelta(hours=3)
    article = draft(status=Article.Status.REVIEW, embargo_until=embargo)
    data = form_data(
        article, status="published", published_at=timezone.now() - timedelta(minutes=5)
    )
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "under embargo until" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == Article.Status.REVIEW


def test_embargo_refuses_publish_now(editor_client):
    article = draft(status=Article.Status.REVIEW, embargo_until=timezone.now() + timedelta(hours=1))
    response = editor_client.post(transition_url(article, "publish"), follow=True)
    assert "under embargo until" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == Article.Status.REVIEW
    changelist = editor_client.post(
        CHANGELIST, {"action": "publish_now", "_selected_action": [article.pk]}, follow=True
    )
    assert "under embargo until" in changelist.content.decode()
    assert not Article.objects.published().exists()


def test_embargo_allows_scheduling_at_or_after_it(editor_client):
    embargo = timezone.now() + timedelta(hours=1)
    article = draft(status=Article.Status.REVIEW, embargo_until=embargo)
    response = editor_client.post(
        change_url(article), form_data(article, status="published", published_at=embargo)
    )
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).state == Article.State.SCHEDULED


def test_embargo_holds_even_for_a_story_saved_around_the_checks(reader):
    """The visibility rule itself respects the embargo."""
    article = make_article(embargo_until=timezone.now() + timedelta(hours=1))
    assert article.state == Article.State.SCHEDULED
    assert not Article.objects.published().exists()
    assert reader.get(article.get_absolute_url()).status_code == 404


# Trash --------------------------------------------------------------------------------------


def test_delete_moves_to_trash_and_restore_brings_it_back_unpublished(
    editor, editor_client, reader
):
    article = make_article(headline="Pier collapse")
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    assert "Move to trash" in editor_client.get(delete).content.decode()
    response = editor_client.post(delete, {"post": "yes"}, follow=True)
    assert "is in the trash" in response.content.decode()

    article.refresh_from_db()
    assert article.state == Article.State.TRASHED and article.trashed_by == editor
    assert reader.get(article.get_absolute_url()).status_code == 404
    assert "Pier collapse" not in editor_client.get(CHANGELIST).content.decode()
    trash = editor_client.get(CHANGELIST + "?state=trashed").content.decode()
    assert "Pier collapse" in trash and "state-trashed" in trash

    editor_client.post(transition_url(article, "restore"))
    article.refresh_from_db()
    assert article.state == Article.State.UNPUBLISHED
    assert actions_of(article) == ["trashed", "restored"]


def test_trash_and_restore_as_list_actions(editor_client):
    articles = [draft(), draft()]
    ids = [article.pk for article in articles]
    editor_client.post(CHANGELIST, {"action": "move_to_trash", "_selected_action": ids})
    assert Article.objects.trashed().count() == 2
    # The trash is its own view of the list; restoring is done from there.
    trash = CHANGELIST + "?state=trashed"
    editor_client.post(trash, {"action": "restore", "_selected_action": ids})
    assert Article.objects.trashed().count() == 0
    assert Article.objects.in_state(Article.State.DRAFT).count() == 2


def test_writer_cannot_trash(writer, writer_client):
    article = draft(created_by=writer)
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    assert writer_client.post(delete, {"post": "yes"}).status_code == 403
    assert not Article.objects.get(pk=article.pk).is_trashed


def test_photo_in_use_cannot_be_deleted_and_the_admin_says_why(editor_client):
    from .factories import make_photo

    photo = make_photo()
    make_article(lead_photo=photo)
    delete = reverse("admin:articles_photo_delete", args=[photo.pk])
    response = editor_client.post(delete, {"post": "yes"})
    assert response.status_code == 200
    assert "protected" in response.content.decode()
    assert photo.__class__.objects.filter(pk=photo.pk).exists()


# Audit --------------------------------------------------------------------------------------


def test_history_page_shows_revisions_and_state_changes(editor_client):
    article = draft(status=Article.Status.REVIEW)
    editor_client.post(change_url(article), form_data(article, headline="Sharper headline"))
    editor_client.post(transition_url(article, "publish"))
    history = reverse("admin:articles_article_history", args=[article.pk])
    html = editor_client.get(history).content.decode()
    assert "Changed headline" in html
    assert "Published" in html
    assert "eddie" in html
    assert html.count('name="from"') == 2  # the edit and the publication are revisions


def test_the_workflow_functions_refuse_without_permission(writer):
    article = draft(created_by=writer, status=Article.Status.REVIEW)
    for function in (workflow.publish, workflow.unpublish, workflow.trash, workflow.restore):
        with pytest.raises(workflow.NotAllowed):
            function(article, writer)
    assert not AuditEntry.objects.exists()


def test_derived_state_in_sql_matches_the_state_in_python():
    now = timezone.now()
    stories = [
        draft(),
        draft(status=Article.Status.REVIEW),
        make_article(published_at=now + timedelta(hours=1)),
        make_article(),
        draft(status=Article.Status.UNPUBLISHED),
        make_article(trashed_at=now),
    ]
    states = dict(Article.objects.with_state().values_list("pk", "workflow_state"))
    assert [states[a.pk] for a in stories] == [a.state for a in stories]
    assert sorted(set(states.values())) == sorted(Article.State.values)
    assert list(Article.objects.published()) == [stories[3]]


def test_publishing_a_live_story_again_is_refused_and_keeps_its_time(editor_client):
    article = make_article()
    response = editor_client.post(transition_url(article, "publish"), follow=True)
    assert "already live" in response.content.decode()
    assert Article.objects.get(pk=article.pk).published_at == article.published_at


def test_administrators_manage_users_and_editors_do_not(editor_client):
    from django.contrib.auth.models import Group

    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    admin = make_staff("ada", "Administrators")
    assert admin.has_perm("auth.change_user") and admin.has_perm("articles.publish_article")
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Writer",
        "Editor",
        "Administrators",
    }


def test_edit_page_shows_who_else_has_the_story_open(editor_client):
    from django.test import Client

    article = draft()
    other = Client()
    other.force_login(make_staff("erin", "Editor"))
    assert "Also open by" not in editor_client.get(change_url(article)).content.decode()
    html = other.get(change_url(article)).content.decode()
    assert "Also open by eddie" in html
    heartbeat = reverse("admin:articles_article_presence", args=[article.pk])
    assert editor_client.post(heartbeat).json() == {"others": ["erin"]}
    assert editor_client.get(heartbeat).status_code == 405


def test_a_trashed_story_is_read_only_until_restored(editor_client):
    article = make_article(headline="Pulled")
    editor_client.post(transition_url(article, "trash"))
    response = editor_client.post(change_url(article), form_data(article, headline="Edited"))
    assert response.status_code == 403
    html = editor_client.get(change_url(article)).content.decode()
    assert "Restore from trash" in html and "In the trash since" in html
    assert Article.objects.get(pk=article.pk).headline == "Pulled"


def test_writers_see_the_audit_trail_of_their_own_stories_only(writer, writer_client, editor):
    mine = draft(created_by=writer, headline="My story")
    theirs = draft(created_by=editor, headline="Their story")
    workflow.submit_for_review(mine, writer)
    workflow.submit_for_review(theirs, editor)
    html = writer_client.get(reverse("admin:articles_auditentry_changelist")).content.decode()
    assert "My story" in html and "Their story" not in html


@pytest.mark.parametrize(
    ("transition", "status", "message"),
    [
        ("submit", Article.Status.REVIEW, "not a draft"),
        ("unpublish", Article.Status.DRAFT, "is not published"),
        ("return", Article.Status.DRAFT, "is not in review"),
        ("restore", Article.Status.DRAFT, "is not in the trash"),
    ],
)
def test_transitions_the_state_does_not_allow_are_refused_with_a_message(
    editor_client, transition, status, message
):
    article = draft(status=status)
    response = editor_client.post(transition_url(article, transition), follow=True)
    assert message in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == status
    assert not AuditEntry.objects.exists()


def test_transitions_need_a_post(editor_client):
    article = draft(status=Article.Status.REVIEW)
    assert editor_client.get(transition_url(article, "publish")).status_code == 405
    assert Article.objects.get(pk=article.pk).status == Article.Status.REVIEW


# One rule each: ownership, the transition table, the version check -------------------------


def test_a_writer_sees_their_own_stories_and_edits_them_until_they_are_published(
    writer, writer_client, editor
):
    """One ownership rule (``owned_by``) decides the writer's list, the change form and the
    workflow alike: created by them or bylined, editable until published."""
    byline = make_author(user=writer)
    created_draft = draft(created_by=writer, headline="Created draft")
    bylined_draft = draft(created_by=editor, authors=[byline], headline="Bylined draft")
    created_live = make_article(created_by=writer, headline="Created live")
    bylined_live = make_article(created_by=editor, authors=[byline], headline="Bylined live")
    theirs = draft(created_by=editor, headline="Someone else's draft")

    owned = {created_draft, bylined_draft, created_live, bylined_live}
    assert set(Article.objects.owned_by(writer)) == owned
    listing = writer_client.get(CHANGELIST).content.decode()
    assert all(story.headline in listing for story in owned)
    assert "Someone else" not in listing
    for story in owned:
        html = writer_client.get(change_url(story)).content.decode()
        editable = 'name="_save"' in html
        assert editable == workflow.can_edit(writer, story) == (not story.is_live), story
    assert writer_client.get(change_url(theirs)).status_code == 302  # "does not exist"
    assert not workflow.can_edit(writer, theirs)


def test_a_writers_change_form_asks_whose_story_it_is_once(writer, writer_client, editor):
    """The change form checks its permissions several times (the form, each inline, the
    buttons); the byline lookup that decides ownership must not run for each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    article = draft(created_by=editor, authors=[make_author(user=writer)])
    with CaptureQueriesContext(connection) as queries:
        response = writer_client.get(change_url(article))
    assert response.status_code == 200 and 'name="_save"' in response.content.decode()
    # Bylines credited to the writer: a filter on the author's user, aliased or not.
    credited = re.compile(r'(U\d+|"articles_author")\."user_id" = ')
    ownership = [
        query["sql"]
        for query in queries.captured_queries
        if "articles_byline" in query["sql"] and credited.search(query["sql"])
    ]
    assert len(ownership) == 1, ownership  # the admin's own list filter, nothing more


def stories_in_every_state():
    now = timezone.now()
    return {
        Article.State.DRAFT: draft(),
        Article.State.REVIEW: draft(status=Article.Status.REVIEW),
        Article.State.SCHEDULED: make_article(published_at=now + timedelta(hours=3)),
        Article.State.LIVE: make_article(),
        Article.State.UNPUBLISHED: draft(status=Article.Status.UNPUBLISHED),
        Article.State.TRASHED: draft(trashed_at=now),
    }


@pytest.mark.parametrize("role", ["Editor", "Writer"])
def test_the_story_page_offers_exactly_what_the_list_actions_do(client, role):
    """For every state and transition: the story's page shows the button if and only if the
    list's action makes the change."""
    user = make_staff(f"someone-{role.lower()}", role)
    client.force_login(user)

    def stories():
        made = stories_in_every_state()
        Article.objects.filter(pk__in=[a.pk for a in made.values()]).update(created_by=user)
        return made

    offered = {}
    for state, article in stories().items():
        page = client.get(change_url(article)).content.decode()
        offered[state] = {
            name
            for name in workflow.TRANSITIONS
            if f'action="{transition_url(article, name)}"' in page
        }
    for transition in workflow.TRANSITIONS.values():
        for state, article in stories().items():
            client.post(
                f"{CHANGELIST}?state={state}",
                {"action": transition.action, "_selected_action": [article.pk]},
            )
            changed = Article.objects.get(pk=article.pk).state != state
            assert (transition.name in offered[state]) == changed, (transition.name, state)


def test_an_editor_can_publish_a_scheduled_story_now_from_its_page(editor_client, reader):
    article = make_article(published_at=timezone.now() + timedelta(hours=3))
    page = editor_client.get(change_url(article)).content.decode()
    assert "Publish now" in page and "Unpublish" in page
    response = editor_client.post(transition_url(article, "publish"), follow=True)
    assert "Published: " in response.content.decode()
    assert Article.objects.get(pk=article.pk).state == Article.State.LIVE
    assert reader.get(article.get_absolute_url()).status_code == 200


def test_a_list_action_does_not_overwrite_an_edit_saved_after_the_list_loaded_the_story(
    editor, editor_client
):
    """The action loads the selected stories, then changes them one by one. An edit saved to
    a story in between (here: while the first story is being published) is newer than the
    action's copy; the version check refuses that story instead of writing the old copy."""
    from django.db.models.signals import post_save

    stories = [draft(status=Article.Status.REVIEW, headline=f"Story {n}") for n in (1, 2)]
    colleague = make_staff("erin", "Editor")
    edited = []

    def colleague_edits_the_other(sender, instance, **kwargs):
        if instance.status == Article.Status.PUBLISHED and not edited:
            other = next(story for story in stories if story.pk != instance.pk)
            edited.append(other)
            story = Article.objects.get(pk=other.pk)
            story.dek = "The colleague's newer dek."
            workflow.save_edit(story, colleague, before=Article.objects.get(pk=other.pk))

    post_save.connect(colleague_edits_the_other, sender=Article, weak=False)
    try:
        response = editor_client.post(
            CHANGELIST,
            {"action": "publish_now", "_selected_action": [story.pk for story in stories]},
            follow=True,
        )
    finally:
        post_save.disconnect(colleague_edits_the_other, sender=Article)
    html = response.content.decode()
    assert "Published 1 stories." in html
    (other,) = edited
    assert f"“{other}” was saved by someone else just now; it is unchanged." in html
    other.refresh_from_db()
    assert other.dek == "The colleague's newer dek."
    assert other.status == Article.Status.REVIEW
    assert Article.objects.published().count() == 1


def test_every_named_permission_is_a_real_one_held_by_the_roles_that_need_it(writer, editor):
    from articles import roles

    writers = {roles.CHANGE, roles.VIEW}
    editors = writers | {
        roles.EDIT_ANY,
        roles.PUBLISH,
        roles.TRASH,
        roles.ADD_CORRECTION,
        roles.SHARE_PREVIEW,
        roles.REVOKE_PREVIEW,
    }
    assert all(editor.has_perm(name) for name in editors)
    assert {name for name in editors if writer.has_perm(name)} == writers


def test_the_admin_imports_no_public_views():
    """The admin renders previews through articles.previews; the reader's views module is
    not loaded by setting up Django and its admin."""
    import subprocess
    import sys

    script = (
        "import sys, django; django.setup(); import articles.admin; "
        "print('articles.views' in sys.modules)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "newsroom.settings", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(  # noqa: S603 - our own interpreter running our own line
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("before", "after", "audited"),
    [
        (Article.Status.DRAFT, "review", "submitted"),
        (Article.Status.REVIEW, "draft", "returned"),
        (Article.Status.PUBLISHED, "unpublished", "unpublished"),
    ],
)
def test_a_state_changed_in_the_form_is_audited_as_its_transition_is(
    editor_client, before, after, audited
):
    article = make_article(status=before)
    response = editor_client.post(change_url(article), form_data(article, status=after))
    assert response.status_code == 302
    assert actions_of(article) == [audited]
    assert (
        audited
        == workflow.TRANSITIONS[
            {"review": "submit", "draft": "return", "unpublished": "unpublish"}[after]
        ].audit
    )
