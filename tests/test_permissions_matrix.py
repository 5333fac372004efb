"""Roles by every admin URL by GET and POST: what a role may not do is refused and changes nothing.

The URLs come from the admin site itself (every registered ModelAdmin's own URL patterns,
its actions and the site's pages), so a new ModelAdmin, custom view or action is covered
without touching this file. A URL argument this file cannot fill fails the test, on purpose.

Each request runs in a savepoint that is rolled back, so what an allowed role does to the data
(an editor's delete, a publish) does not change what the next request sees.
"""

import hashlib
import re

import pytest
import reversion
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, reverse
from reversion.models import Version
from taggit.models import Tag

from articles import analytics
from articles.models import Article, AuditEntry, Correction, HomepageZone, SiteSettings
from articles.workflow import TRANSITIONS

from .factories import make_article, make_author, make_photo, make_section, make_staff
from .workflow_helpers import ensure_editorial_groups

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "Writer", "Editor", "Administrators"]
# The tables a hostile request could change; proxies share their concrete model's table.
WATCHED_APPS = {"articles", "auth", "taggit", "reversion", "axes", "admin", "contenttypes"}
# Site pages that are public by design (the login form, logging out, the admin's JavaScript
# catalogue) or only take a logged-in user to another page; every other site URL is checked.
PUBLIC_SITE_URLS = {"login", "logout", "jsi18n", "password_change_done"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- The data every request is tried against --------------------------------------------------


@pytest.fixture
def newsroom_data():
    ensure_editorial_groups()
    editor = make_staff("eddie", "Editor")
    writer = make_staff("wendy", "Writer")
    administrator = make_staff("ada", "Administrators")
    # The published story of someone else: a writer may read it in the admin, not change it.
    with reversion.create_revision():
        story = make_article(
            authors=[make_author()], tags=["harbour"], created_by=editor, lead_photo=make_photo()
        )
        reversion.set_user(editor)
    Correction.objects.create(article=story, text="An earlier version misspelled a name.")
    AuditEntry.objects.create(article=story, user=editor, action=AuditEntry.Action.PUBLISHED)
    HomepageZone.objects.get_or_create(title="Top stories", defaults={"order": 1})
    SiteSettings.objects.get_or_create(pk=1)
    AccessAttempt.objects.create(username="ada", ip_address="203.0.113.1", failures_since_start=1)
    AccessLog.objects.create(username="ada", ip_address="203.0.113.1")
    AccessFailureLog.objects.create(username="ada", ip_address="203.0.113.1", locked_out=False)
    analytics.record_view(story.pk, "")
    make_section()
    return {
        "users": {"Writer": writer, "Editor": editor, "Administrators": administrator},
        "story": story,
    }


def sample_object(model):
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"seed a {model._meta.label} above"
    return obj


# --- Every admin URL -------------------------------------------------------------------------


class Target:
    """One URL and how to try it: ``kind`` says which permission decides."""

    def __init__(self, url, kind, model_admin=None, obj=None, action=None):
        self.url, self.kind, self.model_admin, self.obj, self.action = (
            url,
            kind,
            model_admin,
            obj,
            action,
        )

    def __repr__(self):
        return f"{self.url} ({self.kind}{' ' + self.action if self.action else ''})"


def _kwarg_choices(name, model_admin, obj):
    if name in {"object_id", "id"}:
        return [str(obj.pk)]
    if name == "transition":
        return list(TRANSITIONS)
    if name == "version_id":
        return [str(version.pk) for version in Version.objects.get_for_object(obj)]
    raise AssertionError(
        f"{model_admin}: no sample for URL argument {name!r}; add one to the permission matrix"
    )


def _expand(pattern, model_admin, obj):
    """Every URL a pattern stands for, with each argument filled from the seeded data."""
    names = list(pattern.pattern.regex.groupindex)
    urls = [{}]
    for name in names:
        urls = [
            {**kw, name: value} for kw in urls for value in _kwarg_choices(name, model_admin, obj)
        ]
    return [reverse(f"admin:{pattern.name}", kwargs=kw) for kw in urls]


def admin_targets():
    superuser = User(is_superuser=True, is_staff=True, is_active=True)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    targets = []
    for model, model_admin in admin.site._registry.items():
        obj = sample_object(model)
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        for pattern in model_admin.urls:
            if not isinstance(pattern, URLPattern) or pattern.name is None:
                continue  # the bare "<id>/" redirect to the change page
            kind = pattern.name.removeprefix(info + "_")
            if kind not in {"changelist", "add", "history", "delete", "change"}:
                kind = "custom"
            # A page about one object is judged by the permissions on that object.
            about = obj if {"object_id", "id"} & set(pattern.pattern.regex.groupindex) else None
            for url in _expand(pattern, model_admin, obj):
                targets.append(Target(url, kind, model_admin, about))
        for action in model_admin.get_actions(request):
            changelist = reverse(f"admin:{info}_changelist")
            targets.append(Target(changelist, "action", model_admin, obj, action=action))
    for pattern in admin.site.get_urls():
        if (
            isinstance(pattern, URLPattern)
            and pattern.name
            and pattern.name not in PUBLIC_SITE_URLS
        ):
            if pattern.name == "app_list":
                for app_label in {m._meta.app_label for m in admin.site._registry}:
                    targets.append(Target(reverse("admin:app_list", args=[app_label]), "site"))
            elif pattern.name == "view_on_site":
                story = sample_object(Article)
                content_type = ContentType.objects.get_for_model(Article).pk
                targets.append(
                    Target(reverse("admin:view_on_site", args=[content_type, story.pk]), "site")
                )
            else:
                targets.append(Target(reverse(f"admin:{pattern.name}"), "site"))
    return targets


# --- What each role may do -------------------------------------------------------------------


def may(role_request, target, method):
    """(may reach, may write): what the ModelAdmin's own permission methods allow this role.

    A role that may not reach a URL must be refused; one that may not write must leave every
    row as it was, whatever the answer (a view-only list answers a POST like a GET)."""
    if role_request is None:
        return False, False
    if target.kind == "site":
        return True, False
    model_admin, obj, request = target.model_admin, target.obj, role_request
    if target.kind == "add":
        allowed = model_admin.has_add_permission(request)
        return allowed, allowed
    if target.kind == "action":
        allowed = target.action in model_admin.get_actions(request)
        return allowed, allowed
    if obj is not None and not model_admin.get_queryset(request).filter(pk=obj.pk).exists():
        return False, False  # outside what the role's list shows: as if it did not exist
    may_view = model_admin.has_view_or_change_permission(request, obj)
    if target.kind == "delete":
        allowed = model_admin.has_delete_permission(request, obj)
        return allowed, allowed
    may_change = model_admin.has_change_permission(request, obj)
    if method == "GET" or target.kind in {"history", "changelist"}:
        return may_view, may_change and target.kind == "changelist"
    return may_change, may_change


def snapshot():
    """Row counts and a checksum of every row of the watched tables."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in WATCHED_APPS or model._meta.proxy:
            continue
        rows = list(model._base_manager.order_by("pk").values_list())
        digest = hashlib.sha256(repr(rows).encode()).hexdigest()
        state[model._meta.label] = (len(rows), digest)
    return state


def is_refusal(response, role, target, method):
    if response.status_code in (403, 404):
        return b"CSRF verification failed" not in response.content
    if response.status_code == 405:
        return method == "GET"  # a POST-only step asked for with GET does nothing
    if response.status_code == 302:
        location = response["Location"]
        if role != "anonymous" and location == "/admin/":
            return True  # Django's answer for an object outside the role's list: "not found"
        if role == "anonymous" or target.kind in {"action", "custom"}:
            # Anonymous: to the login page. A refused action or workflow step: back to the
            # admin with a message (the unchanged data is what is checked below).
            return location.startswith("/admin/login/") or (
                role != "anonymous" and location.startswith("/admin/")
            )
    # An action the role does not have is answered like an empty selection.
    return target.kind == "action" and response.status_code == 200


def client_for(role, users):
    client = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        client.force_login(users[role])
    page = client.get("/admin/password_change/" if role != "anonymous" else "/admin/login/")
    token = TOKEN.search(page.content.decode()).group(1)
    return client, token


def role_request(role, users):
    if role == "anonymous":
        return None
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(pk=users[role].pk)  # fresh: no cached permissions
    return request


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", ROLES)
def test_every_role_is_refused_what_it_may_not_do_and_changes_nothing(newsroom_data, role, method):
    users = newsroom_data["users"]
    targets = admin_targets()
    kinds = {target.kind for target in targets}
    assert {"changelist", "add", "change", "delete", "history", "custom", "action"} <= kinds
    assert len(targets) > 50

    client, token = client_for(role, users)
    request = role_request(role, users)
    before = snapshot()
    refused, allowed = [], []
    for target in targets:
        may_reach, may_write = may(request, target, method)
        with transaction.atomic():
            if method == "GET":
                response = client.get(target.url)
            else:
                data = {"csrfmiddlewaretoken": token, "post": "yes"}
                if target.action:
                    data |= {
                        "action": target.action,
                        "_selected_action": [str(target.obj.pk)] if target.obj else [],
                        "index": "0",
                    }
                response = client.post(target.url, data)
            assert response.status_code < 500, target
            assert b"CSRF verification failed" not in response.content, target
            if not may_reach:
                assert is_refusal(response, role, target, method), (target, response.status_code)
                refused.append(target)
            else:
                allowed.append(target)
            if not may_write:
                assert snapshot() == before, f"{role} {method} {target} changed the data"
            transaction.set_rollback(True)

    if role == "anonymous":
        assert not allowed
    else:
        # Every staff role is refused something and allowed something.
        assert refused and allowed
    assert snapshot() == before


def test_taggit_merge_tool_is_not_offered(newsroom_data):
    """taggit's merge page checked no permission and merges nothing for stories."""
    story_tag = Tag.objects.get(name="harbour")
    client = Client()
    client.force_login(newsroom_data["users"]["Writer"])
    changelist = client.get("/admin/taggit/tag/")
    assert changelist.status_code == 200
    assert "Merge selected tags" not in changelist.content.decode()
    response = client.post("/admin/taggit/tag/merge-tags/", {"new_tag_name": "merged"})
    assert response.status_code in (302, 404)
    assert not Tag.objects.filter(name="merged").exists()
    assert Tag.objects.filter(pk=story_tag.pk).exists()
