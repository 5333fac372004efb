import pytest
from django.core.cache import cache
from django.test import Client

from .factories import make_staff


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the database is rolled back, the cache is not."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def writer(db):
    return make_staff("wendy", "Writer")


@pytest.fixture
def editor(db):
    return make_staff("eddie", "Editor")


@pytest.fixture
def writer_client(client, writer):
    client.force_login(writer)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def reader():
    """An anonymous reader with a client of their own, beside the logged-in ones."""
    return Client()


@pytest.fixture(autouse=True)
def page_and_fragment_caches_off(request, settings):
    """Production caches whole pages and template fragments; other tests see every render
    come from the database. Tests marked ``caches_on`` (tests/test_caching.py) keep them."""
    if request.node.get_closest_marker("caches_on"):
        return
    settings.PAGE_CACHE_SECONDS = 0
    settings.CACHES = {
        **settings.CACHES,
        "template_fragments": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
