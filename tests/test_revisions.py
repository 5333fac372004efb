"""Revisions, compare and restore; the edit conflict; no lost update when two saves race."""

import re
import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles import workflow
from articles.models import Article, AuditEntry

from .factories import make_article, make_author, make_staff
from .workflow_helpers import change_url, ensure_editorial_groups, form_data, loaded_version


def draft(**overrides):
    fields = {"status": Article.Status.DRAFT, "published_at": None}
    return make_article(**(fields | overrides))


def history_url(article):
    return reverse("admin:articles_article_history", args=[article.pk])


def versions_of(article):
    return list(Version.objects.get_for_object(article))  # newest first


# Revisions ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_save_keeps_a_revision_with_who_and_what_changed(editor_client):
    article = draft(headline="First headline", body="<p>One two three.</p>")
    editor_client.post(change_url(article), form_data(article, headline="Second headline"))
    editor_client.post(change_url(article), form_data(article, body="<p>One four three.</p>"))
    versions = versions_of(article)
    assert len(versions) == 2
    assert versions[0].revision.user.username == "eddie"
    assert versions[0].revision.comment == "Changed body"
    assert versions[1].revision.comment == "Changed headline"
    assert versions[0].field_dict["body"] == "<p>One four three.</p>"


@pytest.mark.django_db
def test_compare_shows_a_readable_field_by_field_diff(editor_client):
    section_before = make_article().section
    article = draft(headline="Harbor plan", body="<p>The vote was 5-4.</p>", section=section_before)
    editor_client.post(change_url(article), form_data(article))
    author = make_author(name="Ada Reporter")
    data = form_data(article, headline="Harbor plan approved", body="<p>The vote was 7-2.</p>")
    data |= {"bylines-TOTAL_FORMS": "1", "bylines-0-author": author.pk, "bylines-0-order": 0}
    editor_client.post(change_url(article), data)
    older, newer = versions_of(article)[1], versions_of(article)[0]

    compare = reverse("admin:articles_article_compare", args=[article.pk])
    html = editor_client.get(compare, {"from": older.pk, "to": newer.pk}).content.decode()
    assert "Harbor plan<ins> approved</ins>" in html
    assert "<del>5-4.</del><ins>7-2.</ins>" in html
    assert "Ada Reporter" in html  # the byline change
    assert "Dek" not in html  # unchanged fields are left out

    # The history page offers the two to compare.
    history = editor_client.get(history_url(article)).content.decode()
    assert f'value="{older.pk}"' in history and f'value="{newer.pk}"' in history


@pytest.mark.django_db
def test_restoring_a_revision_makes_a_new_one_and_keeps_the_state(editor, editor_client):
    ada, bob = make_author(name="Ada Reporter"), make_author(name="Bob Reporter")
    article = draft(headline="Original words", tags=["harbor"], authors=[ada])
    editor_client.post(change_url(article), form_data(article))
    worse = form_data(article, headline="Worse words", tags=["ferries"]) | {
        "bylines-0-author": bob.pk
    }
    editor_client.post(change_url(article), worse)
    assert [author.name for author in Article.objects.get(pk=article.pk).byline_authors] == [
        "Bob Reporter"
    ]
    workflow.publish(Article.objects.get(pk=article.pk), editor)
    original = versions_of(article)[-1]
    restore = reverse("admin:articles_article_restore_revision", args=[article.pk, original.pk])
    confirm = editor_client.get(restore).content.decode()
    assert "Original words" in confirm and "Worse words" in confirm

    before = len(versions_of(article))
    response = editor_client.post(restore, follow=True)
    assert "nothing was overwritten" in response.content.decode()
    article.refresh_from_db()
    assert article.headline == "Original words"
    assert [tag.name for tag in article.tags.all()] == ["harbor"]
    assert [author.name for author in article.byline_authors] == ["Ada Reporter"]
    assert article.state == Article.State.LIVE  # restoring text does not unpublish
    versions = versions_of(article)
    assert len(versions) == before + 1
    assert versions[0].revision.comment.startswith("Restored the revision of")
    assert versions[1].field_dict["headline"] == "Worse words"  # still there to go back to
    assert AuditEntry.objects.filter(article=article, action="revision_restored").exists()


@pytest.mark.django_db
def test_writer_cannot_restore_revisions_of_others_stories(writer_client, editor):
    article = draft(created_by=editor)
    workflow.submit_for_review(article, editor)
    version = versions_of(article)[0]
    restore = reverse("admin:articles_article_restore_revision", args=[article.pk, version.pk])
    assert writer_client.post(restore).status_code in (403, 404)


# Conflicts ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_second_save_is_refused_with_what_changed_and_the_input_is_kept(editor_client):
    article = draft(headline="Bridge reopens", body="<p>The bridge reopens Monday.</p>")
    editor_client.post(change_url(article), form_data(article))  # a revision to compare from
    first, second = editor_client, Client()
    second.force_login(make_staff("erin", "Editor"))

    # Both open the edit page.
    first_version = loaded_version(first.get(change_url(article)).content.decode())
    second_version = loaded_version(second.get(change_url(article)).content.decode())
    assert first_version == second_version

    # The first saves a new headline.
    data = form_data(article, headline="Bridge reopens after repairs", loaded_version=first_version)
    assert first.post(change_url(article), data).status_code == 302

    # The second, still on the old version, saves a new body: refused, explained, kept.
    mine = "<p>The bridge reopens Monday at 6 a.m., the city says.</p>"
    data = form_data(article, body=mine, loaded_version=second_version)
    data["headline"] = "Bridge reopens"
    response = second.post(change_url(article), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "eddie saved this story at" in html
    assert "they changed: Headline" in html
    assert "Bridge reopens<ins> after repairs</ins>" in html
    assert "6 a.m., the city says." in html  # the second editor's text is still in the form
    saved = Article.objects.get(pk=article.pk)
    assert saved.headline == "Bridge reopens after repairs"
    assert saved.body == "<p>The bridge reopens Monday.</p>"

    # Having read the changes, saving again replaces them deliberately.
    data["loaded_version"] = loaded_version(html)
    data["headline"] = "Bridge reopens after repairs"
    assert second.post(change_url(article), data).status_code == 302
    saved.refresh_from_db()
    assert (saved.headline, saved.body) == ("Bridge reopens after repairs", mine)


@pytest.mark.django_db
def test_a_workflow_change_in_between_also_counts_as_a_conflict(editor, editor_client):
    article = draft(status=Article.Status.REVIEW)
    version = loaded_version(editor_client.get(change_url(article)).content.decode())
    workflow.publish(Article.objects.get(pk=article.pk), make_staff("erin", "Editor"))
    data = form_data(article, headline="Late edit", loaded_version=version)
    data["status"] = "review"
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "erin saved this story" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED


# Racing saves on two real connections -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_racing_saves_never_lose_an_update():
    """Two threads, each with its own database connection, save the same story from the same
    version at the same moment: one wins, the other is told, and nothing is lost."""
    ensure_editorial_groups()
    users = [make_staff("eddie", "Editor"), make_staff("erin", "Editor")]
    article = draft(headline="Before", dek="Before")
    barrier = threading.Barrier(2)
    outcomes = {}

    def save(index, field, value):
        try:
            mine = Article.objects.get(pk=article.pk)
            setattr(mine, field, value)
            barrier.wait(timeout=10)
            workflow.save_checked(mine, users[index], expected_version=1)
            outcomes[index] = "saved"
        except workflow.EditConflict as conflict:
            outcomes[index] = ("conflict", conflict.current.version)
        except Exception as error:
            outcomes[index] = repr(error)
        finally:
            connections.close_all()

    for _ in range(5):
        Article.objects.filter(pk=article.pk).update(version=1, headline="Before", dek="Before")
        outcomes.clear()
        barrier.reset()
        threads = [
            threading.Thread(target=save, args=(0, "headline", "From eddie")),
            threading.Thread(target=save, args=(1, "dek", "From erin")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcomes.values(), key=str) == sorted(["saved", ("conflict", 2)], key=str), (
            outcomes
        )
        saved = Article.objects.get(pk=article.pk)
        winner = next(index for index, outcome in outcomes.items() if outcome == "saved")
        assert saved.version == 2
        # The winner's change is there, and the loser did not overwrite it with stale data.
        if winner == 0:
            assert (saved.headline, saved.dek) == ("From eddie", "Before")
        else:
            assert (saved.headline, saved.dek) == ("Before", "From erin")


@pytest.mark.django_db
def test_without_the_check_the_last_save_would_win():
    """What the version check prevents: two plain saves from the same load lose one edit."""
    article = draft(headline="Before", dek="Before")
    one, two = Article.objects.get(pk=article.pk), Article.objects.get(pk=article.pk)
    one.headline = "New headline"
    two.dek = "New dek"
    workflow.save_checked(one, None)
    with pytest.raises(workflow.EditConflict):
        workflow.save_checked(two, None)
    assert Article.objects.get(pk=article.pk).dek == "Before"
    assert re.fullmatch(r"\d+", str(Article.objects.get(pk=article.pk).version))
    assert timezone.now() - Article.objects.get(pk=article.pk).updated_at < timedelta(minutes=1)


@pytest.mark.django_db
def test_a_failed_claim_after_validation_runs_the_request_again_instead_of_a_500(
    editor_client, monkeypatch
):
    """If the version claim fails after the form validated (a save landed in between), the
    whole request is rolled back and run again, so the form can check against the newer
    version. Simulated here by failing the first claim: nothing else changed in the database,
    so the second run saves normally, in a revision."""
    article = draft(headline="Tram line opens")
    real_save_checked = workflow.save_checked
    claims = []

    def first_claim_fails(story, user, expected_version=None):
        claims.append(expected_version)
        if len(claims) == 1:
            raise workflow.EditConflict(Article.objects.get(pk=story.pk))
        return real_save_checked(story, user, expected_version)

    monkeypatch.setattr(workflow, "save_checked", first_claim_fails)
    response = editor_client.post(change_url(article), form_data(article, dek="My new dek."))
    assert response.status_code == 302
    assert claims == [1, 1]
    assert Article.objects.get(pk=article.pk).dek == "My new dek."
    assert versions_of(article)[0].revision.comment == "Changed dek"


@pytest.mark.django_db
def test_a_script_saving_an_old_copy_still_moves_the_version_past_the_editors(editor_client):
    article = draft(headline="Budget vote")
    script = Article.objects.get(pk=article.pk)  # loaded before the editor's save
    response = editor_client.post(change_url(article), form_data(article, dek="Editor's dek."))
    assert response.status_code == 302
    reopened = loaded_version(editor_client.get(change_url(article)).content.decode())
    script.headline = "Budget vote delayed"
    script.save()
    assert script.version == reopened + 1
    data = form_data(article, dek="A second edit.", loaded_version=reopened)
    data["headline"] = "Budget vote"
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200  # refused: the script's headline is not undone
    assert Article.objects.get(pk=article.pk).headline == "Budget vote delayed"


@pytest.mark.django_db
def test_a_plain_save_by_a_script_also_counts_as_a_conflict(editor_client):
    article = draft(headline="Budget vote")
    version = loaded_version(editor_client.get(change_url(article)).content.decode())
    script = Article.objects.get(pk=article.pk)
    script.headline = "Budget vote delayed"
    script.save()
    assert script.version == version + 1
    data = form_data(article, dek="An editor's dek.", loaded_version=version)
    data["headline"] = "Budget vote"
    response = editor_client.post(change_url(article), data)
    assert response.status_code == 200
    assert "saved this story at" in response.content.decode()
    assert Article.objects.get(pk=article.pk).headline == "Budget vote delayed"


@pytest.mark.django_db
def test_a_restored_byline_is_searchable_by_its_authors_name(editor, editor_client):
    """Restoring a revision brings its bylines back, and search (PostgreSQL's stored vector,
    SQLite's fallback) finds the story by the restored author's name."""
    from articles import search

    ada, bob = make_author(name="Adaline Quartermaine"), make_author(name="Bob Reporter")
    article = draft(headline="Harbor dredging begins", authors=[ada])
    editor_client.post(change_url(article), form_data(article))
    editor_client.post(change_url(article), form_data(article) | {"bylines-0-author": bob.pk})
    assert not search.matching(Article.objects.all(), "Quartermaine").exists()

    original = versions_of(article)[-1]
    restore = reverse("admin:articles_article_restore_revision", args=[article.pk, original.pk])
    assert editor_client.post(restore).status_code == 302
    restored = Article.objects.get(pk=article.pk)
    assert [author.name for author in restored.byline_authors] == ["Adaline Quartermaine"]
    assert list(search.matching(Article.objects.all(), "Quartermaine")) == [restored]
    assert not search.matching(Article.objects.all(), "Bob Reporter").exists()


@pytest.mark.caches_on
@pytest.mark.django_db
def test_a_restored_byline_puts_the_story_back_on_its_authors_cached_page(
    editor_client, reader, django_capture_on_commit_callbacks
):
    """The author's page is cached; restoring a revision that credits them again shows the
    story there at once, as any byline change does."""
    ada, bob = make_author(name="Ada Reporter"), make_author(name="Bob Reporter")
    article = make_article(headline="Harbor dredging begins", authors=[ada])
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(change_url(article), form_data(article))
        editor_client.post(change_url(article), form_data(article) | {"bylines-0-author": bob.pk})
    assert "Harbor dredging begins" not in reader.get(ada.get_absolute_url()).content.decode()

    original = versions_of(article)[-1]
    restore = reverse("admin:articles_article_restore_revision", args=[article.pk, original.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert editor_client.post(restore).status_code == 302
    assert "Harbor dredging begins" in reader.get(ada.get_absolute_url()).content.decode()
    assert "Harbor dredging begins" not in reader.get(bob.get_absolute_url()).content.decode()
