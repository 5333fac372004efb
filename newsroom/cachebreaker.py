"""A circuit breaker between the site and Redis: a hung cache is skipped, never waited on.

django-redis's ``IGNORE_EXCEPTIONS`` turns a failed cache call into a miss, but each call
still waits out the socket timeout first: with Redis hung, a page making a dozen cache calls
waits a dozen timeouts. ``GuardedRedis`` (django-redis's ``REDIS_CLIENT_CLASS``, set in
``newsroom.settings.redis_cache()``) sends every command and pipeline through the
``CircuitBreaker`` of its connection pool. After one call fails with a connection error or a
timeout, every call in this process fails at once, as a miss, for ``breaker_seconds``; then
one call tries the server again, and the breaker closes if it answers.

Invalidations must not be lost to a breaker opened by a passing hiccup, so code that bumps
generations wraps its writes in ``essential()``: they always try the server.

Why not pybreaker: it holds one lock for the whole guarded call, so in a threaded worker
every cache call would wait for the one before it (and behind a hung one); this breaker
takes its lock only to read and change its state.
"""

import contextlib
import logging
import threading
import time
import weakref
from contextvars import ContextVar

import redis
from redis.client import Pipeline

logger = logging.getLogger(__name__)

# The errors that mean "the server is not answering"; a server's error reply does not count.
OUTAGE_ERRORS = (redis.ConnectionError, redis.TimeoutError)

_essential = ContextVar("cache_call_is_essential", default=False)


class CacheSkipped(redis.ConnectionError):
    """Raised instead of calling a server the breaker considers down (django-redis treats it
    as any connection error: a miss, or a write that did not happen)."""


class CircuitBreaker:
    """Closed: calls go through. After a failed call it is open for ``seconds``: calls are
    refused at once. Then the next call is a trial (others are still refused while it runs);
    if it succeeds the breaker closes, if it fails it stays open another ``seconds``."""

    def __init__(self, seconds):
        self.seconds = seconds
        self._retry_at = None  # time.monotonic() after which a trial may run; None: closed
        self._lock = threading.Lock()

    @property
    def is_open(self):
        return self._retry_at is not None

    def call(self, function, *args, **kwargs):
        with self._lock:
            if self._retry_at is not None and not _essential.get():
                now = time.monotonic()
                if now < self._retry_at:
                    raise CacheSkipped("the cache failed recently; skipped")
                self._retry_at = now + self.seconds  # this call is the trial
        try:
            result = function(*args, **kwargs)
        except OUTAGE_ERRORS as error:
            if isinstance(error, CacheSkipped):
                raise
            with self._lock:
                was_open, self._retry_at = self.is_open, time.monotonic() + self.seconds
            if not was_open:
                logger.warning("cache unreachable, skipping it for %ss: %s", self.seconds, error)
            raise
        if self._retry_at is not None:
            with self._lock:
                self._retry_at = None
            logger.warning("cache answers again")
        return result


_breakers = weakref.WeakKeyDictionary()
_breakers_lock = threading.Lock()


def breaker_for(pool, seconds):
    """One breaker per connection pool, i.e. per server: every cache alias on the same Redis
    learns of its failure at once."""
    with _breakers_lock:
        if pool not in _breakers:
            _breakers[pool] = CircuitBreaker(seconds)
        return _breakers[pool]


@contextlib.contextmanager
def essential():
    """Cache calls in this block try the server even while the breaker is open."""
    token = _essential.set(True)
    try:
        yield
    finally:
        _essential.reset(token)


class GuardedRedis(redis.Redis):
    """redis-py's client with every command and pipeline sent through the pool's breaker."""

    def __init__(self, *args, breaker_seconds, **kwargs):
        super().__init__(*args, **kwargs)
        self.breaker = breaker_for(self.connection_pool, breaker_seconds)

    def execute_command(self, *args, **options):
        return self.breaker.call(super().execute_command, *args, **options)

    def pipeline(self, transaction=True, shard_hint=None):
        pipeline = GuardedPipeline(
            self.connection_pool, self.response_callbacks, transaction, shard_hint
        )
        pipeline.breaker = self.breaker
        return pipeline


class GuardedPipeline(Pipeline):
    """A pipeline's commands are queued locally and sent by ``execute()``: one guarded call."""

    breaker = None

    def execute(self, raise_on_error=True):
        return self.breaker.call(super().execute, raise_on_error)
