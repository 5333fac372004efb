"""The exact security headers on one page of each template family, public and admin."""

import re

import pytest

from .factories import make_article, make_section, make_staff

pytestmark = pytest.mark.django_db

PUBLIC_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
SAME_FOR_EVERY_PAGE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
HASH_SOURCE = re.compile(r"^'sha256-[A-Za-z0-9+/]{43}='$")


def parse_policy(header):
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} given twice"
        directives[name] = sources
    return directives


def assert_security_headers(response, policy=PUBLIC_POLICY):
    for header, value in SAME_FOR_EVERY_PAGE.items():
        assert response[header] == value, header
    assert parse_policy(response["Content-Security-Policy"]) == policy
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    # HSTS is production's (see test_production_settings.py): never over plain http.
    assert "Strict-Transport-Security" not in response


@pytest.fixture
def story():
    return make_article(section=make_section(name="Harbour", slug="harbour"))


@pytest.mark.parametrize(
    ("family", "url", "status"),
    [
        ("home", "/", 200),
        ("article", None, 200),
        ("listing", "/section/harbour/", 200),
        ("search", "/search/?q=council", 200),
        ("feed", "/feeds/atom/", 200),
        ("sitemap", "/sitemap.xml", 200),
        ("not found", "/no-such-page/", 404),
        ("admin login", "/admin/login/", 200),
    ],
)
def test_public_and_login_pages_send_exactly_the_strict_policy(client, story, family, url, status):
    response = client.get(url or story.get_absolute_url())
    assert response.status_code == status, family
    assert_security_headers(response)


def test_admin_change_form_allows_only_the_editors_hashes(client, story):
    """The rich-text editor's import map and base stylesheet are allowed by hash, nothing else."""
    client.force_login(make_staff("eddie", "Editor"))
    response = client.get(f"/admin/articles/article/{story.pk}/change/")
    assert response.status_code == 200
    policy = parse_policy(response["Content-Security-Policy"])
    script_hashes = policy["script-src"][1:]
    style_hashes = policy["style-src"][1:]
    assert policy["script-src"][0] == policy["style-src"][0] == "'self'"
    assert script_hashes and style_hashes
    assert all(HASH_SOURCE.match(source) for source in script_hashes + style_hashes)
    expected = {**PUBLIC_POLICY, "script-src": policy["script-src"]}
    expected["style-src"] = policy["style-src"]
    assert policy == expected
    for header, value in SAME_FOR_EVERY_PAGE.items():
        assert response[header] == value, header
