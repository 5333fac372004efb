"""Shareable preview links: signed, expiring, revocable.

A link carries a signed reference to a ``PreviewLink`` row. The signature stops anyone from
guessing or altering a link; the row holds the expiry and the revocation, so an editor can
withdraw a link already sent. Every failure is the same 404, which tells nothing about the
story. Preview pages are ``noindex`` and never cached (``render_preview``, which the admin's
preview and the shared link both use).
"""

from datetime import timedelta

from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from . import roles, workflow
from .models import Article, AuditEntry, PreviewLink

SALT = "articles.preview"
DEFAULT_HOURS = 48


def share_preview(article, user, hours=DEFAULT_HOURS):
    """Make a preview link for the story, valid ``hours`` hours."""
    if not user.has_perm(roles.SHARE_PREVIEW):
        raise workflow.NotAllowed("Only editors can share preview links.")
    workflow.refuse_if_trashed(article)
    link = PreviewLink.objects.create(
        article=article, created_by=user, expires_at=timezone.now() + timedelta(hours=hours)
    )
    workflow.record(article, AuditEntry.Action.PREVIEW_SHARED, user, f"Valid {hours} hours")
    return link


def revoke_preview(link, user):
    """Withdraw a link: from now on it is a 404 like any unknown address."""
    if not user.has_perm(roles.REVOKE_PREVIEW):
        raise workflow.NotAllowed("Only editors can revoke preview links.")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        workflow.record(link.article, AuditEntry.Action.PREVIEW_REVOKED, user)
    return link


def preview_token(link):
    return signing.dumps({"link": link.pk, "article": link.article_id}, salt=SALT)


def preview_path(link):
    return reverse("articles:preview", kwargs={"token": preview_token(link)})


def article_for_token(token):
    """The story a link shows, as saved now (the latest draft), or Http404 when the link is
    tampered with, unknown, revoked or expired, or the story is in the trash."""
    try:
        payload = signing.loads(token, salt=SALT)
        link = PreviewLink.objects.get(pk=payload["link"], article_id=payload["article"])
    except (signing.BadSignature, PreviewLink.DoesNotExist, KeyError, TypeError) as error:
        raise Http404("No such preview.") from error
    if not link.is_active:
        raise Http404("No such preview.")
    return get_object_or_404(Article.objects.not_trashed().for_detail(), pk=link.article_id)


def render_preview(request, article, *, shared):
    """The story in the public design, marked as a preview: never indexed, never cached."""
    # A fragment lifetime of 0 keeps previews out of the fragment cache both ways.
    response = TemplateResponse(
        request,
        "articles/preview.html",
        {
            "story": article,
            "load_article": lambda: article,
            "shared_preview": shared,
            "fragment": {"seconds": 0},
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)  # includes no-store: nobody keeps a copy of a draft
    return response
