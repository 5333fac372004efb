"""Who is asking: the client's address, and the login lockout in front of the model backend."""

import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import admin
from django.core import checks
from django.template.response import TemplateResponse


def client_ip(request):
    """The client's address: REMOTE_ADDR, or the last hop of ``CLIENT_IP_HEADER``.

    The last hop is the one our own proxy added; anything before it was sent by the client
    and could be forged. Login lockouts (django-axes) and rate limits (django-ratelimit)
    both ask this, so they always agree on who the client is.
    """
    if settings.CLIENT_IP_HEADER:
        meta_key = "HTTP_" + settings.CLIENT_IP_HEADER.upper().replace("-", "_")
        hops = [hop.strip() for hop in request.META.get(meta_key, "").split(",")]
        if hops[-1]:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


@checks.register(checks.Tags.security, deploy=True)
def check_client_ip_behind_proxy(app_configs, **kwargs):
    """Behind a proxy without CLIENT_IP_HEADER every client has the proxy's address: one
    guesser would lock everyone out of an account and all readers would share one beacon
    allowance."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not settings.CLIENT_IP_HEADER:
        return [
            checks.Warning(
                "SECURE_PROXY_SSL_HEADER says a proxy is in front, but CLIENT_IP_HEADER is "
                "not set: lockouts and rate limits would see every client as the proxy.",
                hint="Set CLIENT_IP_HEADER to the header the proxy sets, e.g. X-Forwarded-For.",
                id="newsroom.W001",
            )
        ]
    return []


class LoginAttemptsBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins that come with a request.

    Every login form (the admin's, Django's LoginView) passes the request. A call without
    one, such as Django's test client ``login()`` or a shell, has no address to count
    failures for; axes would raise, so it is passed on to the model backend unchecked.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def locked_out(request, original_response=None, credentials=None):
    """The lockout page (AXES_LOCKOUT_CALLABLE): in the admin's design, 429 Too Many Requests."""
    minutes = math.ceil(get_cool_off(request).total_seconds() / 60)
    context = {
        **admin.site.each_context(request),
        "title": "Too many failed logins",
        "minutes": minutes,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    response = TemplateResponse(request, "admin/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response.render()
