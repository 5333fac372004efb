"""Gunicorn settings for production and for the benchmark (``gunicorn -c newsroom/gunicorn.py
newsroom.wsgi``). Every value can be changed from the environment; docs/production.md says
how to size them.

Sync workers, one per core: a page render is CPU work, and with sync workers the default
persistent database connections (DATABASE_POOL=0, CONN_MAX_AGE) are faster than a pool and
fail at once when the database is down, where a pool would hold the worker. Each worker
holds one connection, so workers x machines must stay below PostgreSQL's max_connections.

A sync worker is held by one client from its first byte to its last, so gunicorn never faces
readers: nginx (deploy/nginx/newsroom.conf) buffers each request and answer and hands workers
only complete requests on loopback.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request that runs longer than this is killed and logged: nothing here should take 30 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak cannot grow forever (jitter: not all at once).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "0"))
# Behind a proxy on the same machine; access logs usually come from the proxy.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
