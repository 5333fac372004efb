"""Who else has a story open: a light heartbeat through the cache, no websockets.

The edit page reports itself when it loads and then every ``HEARTBEAT_SECONDS`` (a small
script, ``presence.js``); anyone seen within ``STALE_SECONDS`` counts as having it open. The
cache entry is read, changed and written without a lock: two heartbeats at the same instant
may drop one, which the next heartbeat repairs. That is enough for a hint to editors; the
version check is what actually protects their work.
"""

import time

from django.core.cache import cache

HEARTBEAT_SECONDS = 20
STALE_SECONDS = 60


def _key(article_id):
    return f"articles:presence:{article_id}"


def others_editing(article_id, user):
    """Record that ``user`` has the story open; return the names of the others who do."""
    now = time.time()
    seen = cache.get(_key(article_id)) or {}
    seen = {uid: entry for uid, entry in seen.items() if now - entry[1] < STALE_SECONDS}
    seen[user.pk] = (user.get_full_name() or user.get_username(), now)
    cache.set(_key(article_id), seen, STALE_SECONDS * 2)
    return sorted(name for uid, (name, _) in seen.items() if uid != user.pk)


def leave(article_id, user):
    """Forget ``user`` (they saved or left the page)."""
    seen = cache.get(_key(article_id)) or {}
    if seen.pop(user.pk, None) is not None:
        cache.set(_key(article_id), seen, STALE_SECONDS * 2)
