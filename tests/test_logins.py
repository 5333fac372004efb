"""Logging in: lockout after repeated failures (django-axes), where a login lands, cookies."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from .factories import make_staff

PASSWORD = "correct horse battery staple"
LOGIN = "/admin/login/?next=/admin/"
HOME_IP = "198.51.100.7"


@pytest.fixture
def eddie(db):
    return make_staff("eddie", "Editor")


def attempt(client, password, username="eddie", ip=HOME_IP):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail_until_locked(client, settings, **who):
    responses = [attempt(client, "wrong guess", **who) for _ in range(settings.AXES_FAILURE_LIMIT)]
    return responses


@pytest.mark.django_db
def test_wrong_passwords_lock_the_account_with_a_429_page(eddie, settings):
    settings.AXES_FAILURE_LIMIT = 5
    client = Client()
    responses = fail_until_locked(client, settings)
    # The first failures are the usual form error; the last one locks.
    assert [r.status_code for r in responses[:-1]] == [200] * 4
    assert "Please enter the correct username and password" in responses[0].content.decode()
    locked = responses[-1]
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "you are locked out for 15 minutes" in page
    assert 'id="site-name"' in page  # the admin's own header: its design, not a bare message
    assert locked["Retry-After"] == "900"


@pytest.mark.django_db
def test_right_password_is_refused_while_locked_and_works_after_the_cool_off(eddie, settings):
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail_until_locked(client, settings)
        refused = attempt(client, PASSWORD)
        assert refused.status_code == 429
        assert "_auth_user_id" not in client.session

        clock.shift(dt.timedelta(minutes=14))
        assert attempt(client, PASSWORD).status_code == 429  # still locked

        # The refused attempt above restarted the cool-off; 15 quiet minutes end it.
        clock.shift(dt.timedelta(minutes=15, seconds=1))
        welcome = attempt(client, PASSWORD)
    assert welcome.status_code == 302
    assert welcome["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(eddie.pk)


@pytest.mark.django_db
def test_lock_is_for_this_user_from_this_address_only(eddie, settings):
    make_staff("wendy", "Writer")
    fail_until_locked(Client(), settings)
    assert attempt(Client(), PASSWORD).status_code == 429
    # The guesser does not lock the editor out from their own desk...
    assert attempt(Client(), PASSWORD, ip="203.0.113.9").status_code == 302
    # ...nor anyone else from the guesser's address.
    assert attempt(Client(), PASSWORD, username="wendy").status_code == 302


@pytest.mark.django_db
def test_address_behind_a_proxy_comes_from_the_header_it_sets(eddie, settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            LOGIN,
            {"username": "eddie", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.9.9.9, {HOME_IP}",
        )
    # A different real client behind the same proxy is not locked.
    other = Client().post(
        LOGIN,
        {"username": "eddie", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert other.status_code == 302
    # The locked one is, whatever it puts in front of the header.
    locked = Client().post(
        LOGIN,
        {"username": "eddie", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=f"1.2.3.4, {HOME_IP}",
    )
    assert locked.status_code == 429


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("axes_reset_username", ["eddie"]),
        ("axes_reset_ip", [HOME_IP]),
        ("axes_reset", []),
    ],
)
def test_an_administrator_can_unlock_with_a_command(eddie, settings, command, args):
    fail_until_locked(Client(), settings)
    assert attempt(Client(), PASSWORD).status_code == 429
    call_command(command, *args, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert attempt(Client(), PASSWORD).status_code == 302


@pytest.mark.django_db
def test_test_client_logins_still_work(eddie):
    """Django's client.login() passes no request; the lockout does not get in its way."""
    client = Client()
    assert client.login(username="eddie", password=PASSWORD)
    assert client.get("/admin/").status_code == 200
    assert not Client().login(username="eddie", password="wrong")


# --- Where a login lands ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/phish", "//evil.example/", "/\\evil.example", ""],
)
def test_login_with_an_off_site_next_lands_on_the_admin(eddie, next_url):
    client = Client()
    response = client.post(
        f"/admin/login/?next={next_url}",
        {"username": "eddie", "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[0][0] == "/admin/"
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/admin/"
