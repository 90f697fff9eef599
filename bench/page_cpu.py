"""What one page costs on a CPU, whatever else the machine is doing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kotopolku_bench_10000 \\
        .venv/bin/python bench/page_cpu.py [--requests 100] [--pages inbox,queue,...]

On a database that ``generate_load`` filled (``bench/run.py`` leaves one per size), with the
settings of production (DEBUG off, cached templates), each page is requested in this process
with Django's test client as the people ``bench/measure.py`` times, after five warm-up
requests. Per request it counts the CPU time of this thread plus that of its PostgreSQL
backend (``/proc/<pid>/schedstat``; both run on this machine): the work a page costs,
without the time spent waiting behind other processes, so that runs on a busy shared machine
compare. Also the queries of one request. The sign-in form, the floor of the HTTP benchmark
(``bench/web.py``), is measured alike.

Prints a table (p50 and p95 CPU ms, queries) and, with ``--json``, writes it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WARMUP = 5
PAGES = ("login", "inbox", "queue", "case", "task", "search", "dashboard")


def _production_settings() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    for name, value in {
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-not-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }.items():
        os.environ.setdefault(name, value)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class CpuClock:
    """CPU seconds of this thread and of the database connection's backend process."""

    def __init__(self, connection):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.backend = cursor.fetchone()[0]

    def __call__(self) -> float:
        with open(f"/proc/{self.backend}/schedstat") as stat:
            backend_ns = int(stat.read().split()[0])
        return time.thread_time() + backend_ns / 1e9


class QueryCounter(list):
    def __call__(self, execute, sql, params, many, context):
        self.append(sql)
        return execute(sql, params, many, context)


def requests_of(users) -> dict:
    """``{page: a function of the request's index that makes the request}``."""
    from django.test import Client

    from casework.models import Client as ClientRecord
    from workflows.models import CaseTask

    def signed_in(user):
        client = Client()
        client.force_login(user)
        return client

    worker, manager = signed_in(users["worker"]), signed_in(users["manager"])
    queue_worker = signed_in(users["queue_worker"])
    mine = CaseTask.objects.filter(owner=users["worker"], status__in=("ASSIGNED", "STARTED"))
    cases = list(mine.values_list("case__uuid", flat=True)[:50])
    tasks = list(mine.values_list("uuid", flat=True)[:50])
    names = list(
        ClientRecord.objects.filter(cases__uuid__in=cases).values_list("last_name", flat=True)
    )
    anonymous = Client()
    return {
        "login": lambda i: anonymous.get("/accounts/login/"),
        "inbox": lambda i: worker.get("/"),
        "queue": lambda i: queue_worker.get("/queue/"),
        "case": lambda i: worker.get(f"/cases/{cases[i % len(cases)]}/"),
        "task": lambda i: worker.get(f"/tasks/{tasks[i % len(tasks)]}/"),
        "search": lambda i: worker.get("/clients/", {"q": names[i % len(names)]}),
        "dashboard": lambda i: manager.get("/manager/"),
    }


def measure(pages, requests: int) -> dict:
    from django.db import connection

    from bench.measure import pick_users

    makers = requests_of(pick_users())
    clock = CpuClock(connection)
    result = {}
    for page in pages:
        get = makers[page]
        for i in range(WARMUP):
            response = get(i)
            if response.status_code != 200:
                raise SystemExit(f"{page}: HTTP {response.status_code}")
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            get(0)
        samples = []
        for i in range(requests):
            started = clock()
            get(i)
            samples.append((clock() - started) * 1000)
        result[page] = {
            "cpu_ms_p50": round(percentile(samples, 50), 1),
            "cpu_ms_p95": round(percentile(samples, 95), 1),
            "queries": len(counter),
        }
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    _production_settings()
    import django

    django.setup()
    pages = [p for p in args.pages.split(",") if p]
    unknown = set(pages) - set(PAGES)
    if unknown:
        parser.error(f"unknown pages: {', '.join(sorted(unknown))} (known: {', '.join(PAGES)})")
    result = measure(pages, args.requests)
    floor = result.get("login", {}).get("cpu_ms_p50")
    print("| page | CPU ms p50 | CPU ms p95 | queries | × sign-in form (p50) |")
    print("|---|---:|---:|---:|---:|")
    for page, figures in result.items():
        times = f"{figures['cpu_ms_p50'] / floor:.1f}" if floor else "n/a"
        print(
            f"| {page} | {figures['cpu_ms_p50']} | {figures['cpu_ms_p95']} "
            f"| {figures['queries']} | {times} |"
        )
    print(f"load average: {os.getloadavg()[0]:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
