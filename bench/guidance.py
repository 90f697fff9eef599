"""The guidance statistics on PostgreSQL: a year of N visits at one point (100 000 by
default), then the statistics page, its API and the selector alone, timed and counted.

    python bench/guidance.py --visits 10000 --visits 100000 [--database-url postgres://...]

For each size: a fresh database ``kotopolku_bench_guidance_<N>`` on the server of
``--database-url``, ``migrate``, the reference data, N visits written in bulk with the demo's
distributions (``workflows.demo_guidance``), ``VACUUM ANALYZE``, then REQUESTS timed GETs of
each (after a warm-up) with the settings of production (DEBUG off). Prints p50/p95 and the
number of queries per request; the target is p95 under 300 ms at 100 000 visits, with the same
query count at every size (each row's count is compared across the sizes). A benchmark, not a
test: the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402 - the path above first
    DEFAULT_URL,
    collect_static,
    database_url,
    drop_database,
    environment,
    recreate_database,
    vacuum_analyze,
)

REQUESTS = 40
WARMUP = 5
TARGET_MS = 300
POINT = "kokkola-welcome-office"


def percentile(samples, p):
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def fill(visits: int) -> dict:
    """Runs in the child process: reference data, a manager, ``visits`` visits in a year."""
    import datetime as dt
    import random

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from casework import services
    from casework.models import GuidanceDayCount, GuidancePoint, GuidanceVisit, Role, Unit
    from workflows.demo_guidance import _visits

    call_command("migrate", verbosity=0)
    call_command("load_demo", "--reference-only", verbosity=0)
    manager = get_user_model().objects.create_user(username="bench-manager", password="x")
    services.membership_grant(
        by=None,
        user=manager,
        unit=Unit.objects.get(organisation__code="kokkola", code="welcome-office"),
        role=Role.MANAGER,
    )
    point = GuidancePoint.objects.select_related("unit").get(code=POINT)
    started = time.perf_counter()
    _visits(point, visits, manager, random.Random(7), timezone.localdate())
    seconds = time.perf_counter() - started
    total = GuidanceVisit.objects.count()
    through = GuidanceVisit.topics.through.objects.count()
    return {
        "visits": total,
        "topic_rows": through,
        # what the statistics read: the visits counted by day and answer (demo_guidance
        # recounts them after its bulk insert, inside the timed fill)
        "day_count_rows": GuidanceDayCount.objects.count(),
        "fill_seconds": round(seconds, 1),
        "first_day": str(timezone.localdate() - dt.timedelta(days=365)),
    }


def measure(requests: int) -> dict:
    """Runs in the child process: time the page, the API and the selector."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from casework import guidance_stats as gs
    from casework.models import GuidancePoint

    manager = get_user_model().objects.get(username="bench-manager")
    today = timezone.localdate()
    start = today - dt.timedelta(days=365)
    client = Client()
    client.force_login(manager)
    query = f"start={start}&end={today}&point={POINT}"
    targets = {
        "statistics page": lambda: client.get(f"/en/guidance/statistics/?{query}", secure=True),
        "statistics API": lambda: client.get(
            f"/api/v1/guidance/statistics/?from={start}&to={today}&point={POINT}", secure=True
        ),
        "selector only": lambda: gs.guidance_statistics(
            points=list(GuidancePoint.objects.select_related("unit").filter(code=POINT)),
            period=gs.Period(start, today),
        ),
        "XLSX export": lambda: client.get(
            f"/en/guidance/statistics/?{query}&format=xlsx&audience=outside", secure=True
        ),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    results = {}
    for name, call in targets.items():
        for _ in range(WARMUP):
            response = call()
            status = getattr(response, "status_code", 200)
            if status != 200:
                raise SystemExit(f"{name}: HTTP {status}")
        samples, cpu = [], []
        for _ in range(requests):
            began, db_began = time.perf_counter(), _cpu_ns(backend)
            own_began = time.process_time_ns()
            call()
            samples.append(time.perf_counter() - began)
            cpu.append((time.process_time_ns() - own_began + _cpu_ns(backend) - db_began) / 1e9)
        with CaptureQueriesContext(connection) as captured:
            call()
        results[name] = {
            "p50_ms": round(1000 * percentile(samples, 50), 1),
            "p95_ms": round(1000 * percentile(samples, 95), 1),
            "max_ms": round(1000 * max(samples), 1),
            # the time on a CPU, of this process and of its PostgreSQL backend: what the
            # request costs without waiting for the CPU behind other sessions' work
            "cpu_p50_ms": round(1000 * percentile(cpu, 50), 1),
            "cpu_p95_ms": round(1000 * percentile(cpu, 95), 1),
            "queries": len(captured.captured_queries),
            "slowest_sql_ms": round(
                1000 * max(float(q["time"]) for q in captured.captured_queries), 1
            ),
        }
    return results


def _cpu_ns(pid: int) -> int:
    """Nanoseconds process ``pid`` has run on a CPU (Linux, /proc/<pid>/schedstat)."""
    with open(f"/proc/{pid}/schedstat") as stat:
        return int(stat.read().split()[0])


def child(args) -> None:
    import django

    django.setup()
    if args.step == "fill":
        print(json.dumps(fill(args.visits[0])))
    else:
        # with DEBUG off Django keeps no query log; CaptureQueriesContext turns it on itself
        print(json.dumps(measure(args.requests)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, action="append", help="visits in the year")
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="measure a kept database again without refilling"
    )
    parser.add_argument("--json", help="write the figures here too")
    parser.add_argument("--step", choices=["fill", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        child(args)
        return
    sizes = args.visits or [100_000]
    # the page renders hashed static names with DEBUG off: a fresh checkout has none yet
    collect_static(args.database_url)
    report = {}
    for visits in sizes:
        name = f"kotopolku_bench_guidance_{visits}"
        url = database_url(args.database_url, name)
        env = environment(url)
        if args.reuse:
            filled = {"visits": visits, "reused": True}
        else:
            recreate_database(args.database_url, name)
            print(f"[{visits}] filling {name} ...", flush=True)
            filled = _child(env, "fill", visits, args.requests)
            vacuum_analyze(url)
        print(f"[{visits}] {filled}", flush=True)
        load_before = os.getloadavg()
        figures = _child(env, "measure", visits, args.requests)
        # the machine's load (1, 5, 15 min) around the measurement: on a shared machine the
        # wall times depend on it, the CPU times much less
        load = {"before": load_before, "after": os.getloadavg()}
        report[visits] = {"data": filled, "figures": figures, "load_average": load}
        print(f"[{visits}] load average {_loads(load_before)} -> {_loads(load['after'])}")
        if not args.keep:
            drop_database(args.database_url, name)
    print()
    print(
        f"{'p50 / p95 (p95 on a CPU)':24}" + "".join(f"{n:>44,}" for n in report).replace(",", " ")
    )
    names = next(iter(report.values()))["figures"].keys()
    for row in names:
        cells = []
        for size in report.values():
            f = size["figures"][row]
            cells.append(
                f"{f['p50_ms']:>6} / {f['p95_ms']:>6} ms ({f['cpu_p95_ms']:>6} ms CPU) / "
                f"{f['queries']:>2} q"
            )
        print(f"{row:24}" + "".join(f"{c:>44}" for c in cells))
    largest = report[max(report)]["figures"]["statistics page"]
    verdict = "met" if largest["p95_ms"] <= TARGET_MS else "MISSED"
    cpu_verdict = "met" if largest["cpu_p95_ms"] <= TARGET_MS else "MISSED"
    # every row's query count must be the same at every size, not only the page's
    counts = {row: {size["figures"][row]["queries"] for size in report.values()} for row in names}
    grows = {row: sorted(n) for row, n in counts.items() if len(n) > 1}
    print(
        f"\nstatistics page at {max(report):,} visits: p95 {largest['p95_ms']} ms "
        f"(target {TARGET_MS} ms: {verdict}), on a CPU {largest['cpu_p95_ms']} ms "
        f"({cpu_verdict}); load average {os.getloadavg()[0]:.1f}; queries per request "
        f"{'the same at every size' if not grows else 'NOT fixed: ' + str(grows)}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


def _loads(load) -> str:
    return "/".join(f"{n:.1f}" for n in load)


def _child(env, step, visits, requests) -> dict:
    completed = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--step",
            step,
            "--visits",
            str(visits),
            "--requests",
            str(requests),
        ],
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=True,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
        raise SystemExit(f"{step} failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
