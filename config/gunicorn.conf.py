"""gunicorn settings for Kotopolku, every one from the environment (README, "Running in
production"). Start with::

    gunicorn -c config/gunicorn.conf.py config.wsgi

Each worker is a process with its own database connection, kept between requests
(``DATABASE_CONN_MAX_AGE``): budget ``WEB_CONCURRENCY`` × machines connections on the
PostgreSQL server (its default ``max_connections`` is 100).
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# Behind a reverse proxy on the same machine; give 0.0.0.0:8000 (or a unix socket,
# unix:/run/kotopolku/gunicorn.sock) when the proxy is elsewhere.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: a request's time is Python and database, not waiting on the network
# (the proxy buffers slow clients). Two per core plus one is gunicorn's own advice.
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# A request taking longer than this is stuck: the worker is killed and replaced.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Replace each worker after this many requests (and a random part of it), so that a slow
# leak in any library cannot grow for ever, and not all workers restart at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Only these addresses may say, by X-Forwarded-Proto, that the request came over HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# One line per request on stdout (journald keeps it): address, method, path, status, size
# and the time taken in microseconds. The path only, never the query string: the client
# search sends names and identity codes there, and they must not end up in a log file.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(D)sus "%(a)s"'
proc_name = "kotopolku"
