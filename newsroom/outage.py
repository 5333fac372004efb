"""A database outage answered at once with "temporarily unavailable", never a hang or a 500.

Pages in the page cache are answered before any database work (``newsroom.pagecache``), so
they keep being served while the database is down. Anything else that needs the database
fails fast (persistent connections and a short ``connect_timeout``, newsroom/settings.py),
and this middleware turns the error into a 503 with ``Retry-After``, so readers, proxies and
crawlers know to come back rather than that the page is broken.

``OperationalError`` and ``InterfaceError`` are the DB-API's errors of the database's
operation (connection refused or lost, server shutting down), as opposed to errors in our
queries (``ProgrammingError``, ``IntegrityError``), which stay 500s.
"""

import logging

from django.db import InterfaceError, OperationalError

from newsroom.views import service_unavailable

logger = logging.getLogger(__name__)


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            logger.error("database unavailable for %s: %s", request.path, exception)
            return service_unavailable(request)
        return None
