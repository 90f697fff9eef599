"""Kotopolku's performance benchmark on PostgreSQL.

    python bench/run.py --clients 10000 --clients 100000 --json bench/results/latest.json

For each size: a fresh database ``kotopolku_bench_<N>`` on the server of ``--database-url``,
``migrate``, ``generate_load --clients N`` (timed), ``VACUUM ANALYZE``, then the
measurements (``bench/measure.py``, in a process of its own so that each size gets fresh
settings). Prints one table with a column per size and writes everything to ``--json``.

The exit code is 0 even when a target is missed: this is a benchmark, not a test. A missed
target says FAIL in the table. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PAGES = [
    ("inbox", "inbox (worker's tasks)"),
    ("queue", "unit queue"),
    ("case", "case page"),
    ("dashboard", "manager dashboard"),
    ("api_inbox", "API task list: inbox"),
    ("api_queue", "API task list: queue"),
]
LIST_PAGE_P95_MS = 100
DASHBOARD_P95_MS = 300
GROWTH = 1.5
BASELINE_RATIO = 0.9  # against the baseline flow (issue 17); the bare ratio is a figure
SWEEP_S = 10
TARGET_SIZE = 100_000


# --- databases --------------------------------------------------------------------------


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/" + name))


def _admin(base: str):
    import psycopg2

    parts = urlsplit(base)
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
    )
    connection.autocommit = True
    return connection


def database_exists(base: str, name: str) -> bool:
    with _admin(base) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def _execute(base: str, *statements) -> None:
    connection = _admin(base)
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def recreate_database(base: str, name: str, template: str | None = None) -> None:
    """A new empty database, or a copy of ``template`` (file by file: no WAL for the copy)."""
    copy = f' TEMPLATE "{template}" STRATEGY FILE_COPY' if template else ""
    _execute(
        base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"{copy}'
    )


def drop_database(base: str, name: str) -> None:
    _execute(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def vacuum_analyze(url: str) -> float:
    """As autovacuum would do soon after a bulk load: fresh statistics for the planner."""
    import psycopg2

    started = time.perf_counter()
    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    finally:
        connection.close()
    return time.perf_counter() - started


def environment(url: str) -> dict:
    """The settings the measured code runs with: production-like (DEBUG off, so no query
    log and no debug templates), no mail sent, plain HTTP inside the test client."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY") or "bench-not-secret",
        ALLOWED_HOSTS="testserver,localhost",
        SECURE_SSL_REDIRECT="0",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        # DEBUG off names static files by their hashes: collected once per run (collect())
        STATIC_ROOT=str(STATIC_ROOT),
    )
    env.pop("CELERY_BROKER_URL", None)  # background tasks run at once, in the measured process
    return env


STATIC_ROOT = ROOT / "bench" / "results" / "static"


def collect_static(url: str) -> None:
    """``collectstatic`` into bench/results/static: pages render hashed static names with
    DEBUG off. Only changed files are copied again on later runs."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=environment(url),
        check=True,
    )


def run(command, env, *, label):
    print(f"[{label}] {' '.join(command)}", flush=True)
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, env=env, text=True, capture_output=True)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-4000:])
        raise SystemExit(f"[{label}] failed with exit code {completed.returncode}")
    return seconds, completed.stdout


def prepare(size: int, base: str, reuse: bool, prefix: str = "kotopolku_bench") -> dict:
    """A database of ``size`` generated clients, as generated (never as a previous run left
    it: the measurements add paths, claim tasks and escalate). The generated state is kept
    as ``<name>_generated`` so that ``--reuse`` can start again from it without generating.
    ``prefix`` names the databases (``<prefix>_<size>``)."""
    name = f"{prefix}_{size}"
    snapshot = f"{name}_generated"
    url = database_url(base, name)
    env = environment(url)
    python = sys.executable
    info = {"database": name}
    if reuse and database_exists(base, snapshot):
        started = time.perf_counter()
        recreate_database(base, name, template=snapshot)
        _execute(base, "CHECKPOINT")
        info.update(reused=snapshot, restore_s=round(time.perf_counter() - started, 1))
        print(f"[{size}] restored {name} from {snapshot} (generated earlier, not timed now)")
        return info | {"url": url}
    recreate_database(base, name)
    info["migrate_s"], _ = run(
        [python, "manage.py", "migrate", "--noinput"], env, label=f"{size} migrate"
    )
    seconds, out = run(
        [python, "manage.py", "generate_load", "--clients", str(size)],
        env,
        label=f"{size} generate_load",
    )
    match = re.search(r"Generated .*", out)
    info.update(
        generate_s=round(seconds, 1),
        generate_clients_per_s=round(size / seconds, 1),
        generate_output=match.group(0) if match else out.strip()[-300:],
        vacuum_analyze_s=round(vacuum_analyze(url), 1),
    )
    print(f"[{size}] {info['generate_output']} ({info['generate_clients_per_s']} clients/s)")
    recreate_database(base, snapshot, template=name)
    # Write the load out now, not in the middle of the timings.
    _execute(base, "CHECKPOINT")
    return info | {"url": url}


def measure(size: int, url: str, args) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    command = [
        sys.executable,
        "-m",
        "bench.measure",
        "--out",
        out,
        "--requests",
        str(args.requests),
        "--paths",
        str(args.paths),
        "--claim-tasks",
        str(args.claim_tasks),
        "--workers",
        str(args.workers),
        "--skip",
        args.skip,
    ]
    print(f"[{size}] measuring ...", flush=True)
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, env=environment(url), text=True)
    if completed.returncode != 0:
        raise SystemExit(f"[{size}] the measurements failed (exit {completed.returncode})")
    result = json.loads(Path(out).read_text(encoding="utf-8"))
    Path(out).unlink()
    result["measure_s"] = round(time.perf_counter() - started, 1)
    return result


# --- the machine ------------------------------------------------------------------------


def _git(*args):
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, text=True, capture_output=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def source() -> dict:
    """The code measured: its commit and a digest of uncommitted changes (bench/ aside).
    ``BENCH_GIT_COMMIT`` names the commit when the tree is an export with no .git."""
    diff = _git("diff", "HEAD", "--", ".", ":(exclude)bench") or ""
    untracked = _git("ls-files", "--others", "--exclude-standard", "--", ".", ":(exclude)bench")
    changes = diff + (untracked or "")
    return {
        "commit": os.environ.get("BENCH_GIT_COMMIT") or _git("rev-parse", "HEAD"),
        "uncommitted": hashlib.sha1(changes.encode()).hexdigest()[:12] if changes else None,
        "untracked_files": (untracked or "").split(),
    }


def machine(base: str) -> dict:
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{round(int(line.split()[1]) / 2**20, 1)} GiB"
    except OSError:
        pass
    postgresql = None
    try:
        with _admin(base) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            postgresql = cursor.fetchone()[0]
    except Exception:  # noqa: BLE001 - description only
        pass
    cpu = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for package in ("django", "django-viewflow", "psycopg2-binary", "djangorestframework"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:  # noqa: BLE001
            versions[package] = None
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "postgresql": postgresql,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
    }


# --- the table --------------------------------------------------------------------------


def _get(data, *path):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _fmt(value):
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def rows(results: dict) -> list[dict]:
    """One row per metric: its value at each size, the target and whether it is met."""
    sizes = sorted(results, key=int)
    big, small = max(sizes, key=int), min(sizes, key=int)
    table = []

    def add(name, path, target="", check=None, values=None, unit=""):
        vals = values or {s: _get(results[s], *path) for s in sizes}
        verdict = ""
        if check is not None:
            outcomes = [check(s, v) for s, v in vals.items()]
            outcomes = [o for o in outcomes if o is not None]
            if outcomes:
                verdict = "ok" if all(outcomes) else "FAIL"
            elif any(v is None for v in vals.values()):
                verdict = "n/a"
        table.append(
            {"metric": name + (f" ({unit})" if unit else ""), "values": vals, "target": target}
            | {"result": verdict}
        )

    def at(size_min, limit, cmp=lambda v, lim: v <= lim):
        def check(size, value):
            if value is None or int(size) < size_min:
                return None
            return cmp(value, limit)

        return check

    add("generate_load", ("prepare", "generate_s"), unit="s")
    add("generate_load rate", ("prepare", "generate_clients_per_s"), unit="clients/s")
    for key, label in PAGES:
        is_dashboard = key == "dashboard"
        limit = DASHBOARD_P95_MS if is_dashboard else LIST_PAGE_P95_MS
        add(f"{label} p50", ("measure", "pages", key, "p50_ms"), unit="ms")
        add(
            f"{label} p95",
            ("measure", "pages", key, "p95_ms"),
            target=f"<= {limit} ms" + ("" if is_dashboard else " at 100k"),
            check=at(0 if is_dashboard else TARGET_SIZE, limit),
            unit="ms",
        )
        add(f"{label} max", ("measure", "pages", key, "max_ms"), unit="ms")
        add(
            f"{label} queries",
            ("measure", "pages", key, "queries_max"),
            target="same at every size" if len(sizes) > 1 else "",
            check=(lambda s, v, k=key: None)
            if len(sizes) == 1
            else (
                lambda s, v, k=key: (
                    None
                    if s != big or v is None
                    else v <= (_get(results[small], "measure", "pages", k, "queries_max") or v)
                )
            ),
        )
        if len(sizes) > 1:
            p_small = _get(results[small], "measure", "pages", key, "p95_ms")
            p_big = _get(results[big], "measure", "pages", key, "p95_ms")
            growth = round(p_big / p_small, 2) if p_small and p_big else None
            add(
                f"{label} p95 growth {big}/{small}",
                (),
                target=f"<= {GROWTH}",
                check=lambda s, v: None if v is None else v <= GROWTH,
                values={big: growth},
            )
    add(
        "path (integration) throughput",
        ("measure", "engine", "integration", "paths_per_s"),
        unit="paths/s",
    )
    add(
        "task completions (integration)",
        ("measure", "engine", "integration", "completions_per_s"),
        unit="/s",
    )
    add("queries per path (integration)", ("measure", "engine", "integration", "queries_per_path"))
    add(
        "path (bare viewflow) throughput",
        ("measure", "engine", "bare", "paths_per_s"),
        unit="paths/s",
    )
    add(
        "task completions (bare viewflow)",
        ("measure", "engine", "bare", "completions_per_s"),
        unit="/s",
    )
    add("queries per path (bare viewflow)", ("measure", "engine", "bare", "queries_per_path"))
    add("path throughput integration/bare", ("measure", "engine", "ratio"))
    add(
        "path (baseline: same steps and bookkeeping, plain ORM) throughput",
        ("measure", "engine", "baseline", "paths_per_s"),
        unit="paths/s",
    )
    add("queries per path (baseline)", ("measure", "engine", "baseline", "queries_per_path"))
    add(
        "path throughput integration/baseline",
        ("measure", "engine", "ratio_baseline"),
        target=f">= {BASELINE_RATIO}",
        check=at(0, BASELINE_RATIO, lambda v, lim: v >= lim),
    )
    add("claims, 16 workers, one queue", ("measure", "claims", "claims_per_s"), unit="claims/s")
    add("claim conflicts (TaskConflict)", ("measure", "claims", "conflicts"))
    add(
        "claims, 16 workers, spread over the first 16",
        ("measure", "claims_spread", "claims_per_s"),
        unit="claims/s",
    )
    add("  conflicts when spread", ("measure", "claims_spread", "conflicts"))
    add(
        "claims, 16 workers, take the next task",
        ("measure", "claims_next", "claims_per_s"),
        unit="claims/s",
    )
    add("  conflicts taking the next task", ("measure", "claims_next", "conflicts"))
    for key in (
        "errors",
        "double_claims",
        "db_rows_not_single_owner",
        "db_owner_differs_from_winner",
    ):
        add(
            {
                "errors": "claim errors (all runs)",
                "double_claims": "double claims (all runs)",
                "db_rows_not_single_owner": "tasks without exactly one owner (DB)",
                "db_owner_differs_from_winner": "DB owner is not the claim's winner",
            }[key],
            (),
            target="0",
            check=at(0, 0, lambda v, lim: v == lim),
            values={
                s: _sum(
                    _get(results[s], "measure", "claims", key),
                    _get(results[s], "measure", "claims_spread", key),
                    _get(results[s], "measure", "claims_next", key),
                )
                for s in sizes
            },
        )
    add("active cases", ("measure", "sweep", "before", "active_cases"))
    add(
        "sweep, this morning (a day's work)",
        ("measure", "sweep", "first", "seconds"),
        target=f"<= {SWEEP_S} s at 100k",
        check=at(TARGET_SIZE, SWEEP_S),
        unit="s",
    )
    add("  review timers due", ("measure", "sweep", "before", "timers_due"))
    add("  timers fired", ("measure", "sweep", "first", "timers_fired"))
    add("  tasks escalated", ("measure", "sweep", "first", "escalated"))
    add("  queries", ("measure", "sweep", "first", "queries"))

    def fired_and_escalated(run):
        return {
            s: _sum(
                _get(results[s], "measure", "sweep", run, "timers_fired"),
                _get(results[s], "measure", "sweep", run, "escalated"),
            )
            for s in sizes
        }

    add("sweep, repeat (nothing due)", ("measure", "sweep", "repeat", "seconds"), unit="s")
    add(
        "  fired + escalated on repeat",
        (),
        target="0",
        check=at(0, 0, lambda v, lim: v == lim),
        values=fired_and_escalated("repeat"),
    )
    add(
        "sweep, next day (+1 day)",
        ("measure", "sweep", "next_day", "seconds"),
        target=f"<= {SWEEP_S} s at 100k",
        check=at(TARGET_SIZE, SWEEP_S),
        unit="s",
    )
    add("  timers fired + escalated next day", (), values=fired_and_escalated("next_day"))
    add(
        "sweep after two weeks without one (+15 days)",
        ("measure", "sweep", "backlog", "seconds"),
        unit="s",
    )
    add("  timers fired + escalated", (), values=fired_and_escalated("backlog"))
    return table


def _sum(*values):
    """The sum of the values measured (a section left out with --skip counts as none)."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def print_table(table, sizes):
    headers = ["metric", *[f"{int(s):,}".replace(",", " ") for s in sizes], "target", "result"]
    lines = [
        [
            r["metric"],
            *[_fmt(r["values"].get(s)) if s in r["values"] else "" for s in sizes],
            r["target"],
            r["result"],
        ]
        for r in table
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *lines, strict=True)]

    def fmt(cells):
        out = []
        for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
            out.append(
                str(cell).ljust(width) if i == 0 or i >= len(cells) - 2 else str(cell).rjust(width)
            )
        return "| " + " | ".join(out) + " |"

    print(fmt(headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for line in lines:
        print(fmt(line))
    failed = [r["metric"] for r in table if r["result"] == "FAIL"]
    print()
    print("Targets missed: " + (", ".join(failed) if failed else "none"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--clients",
        type=int,
        action="append",
        required=True,
        help="a database size; give it twice for two sizes",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help="the PostgreSQL server (its database name is replaced per size)",
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--paths", type=int, default=100, help="complete paths per flow")
    parser.add_argument("--claim-tasks", type=int, default=400)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "latest.json"))
    parser.add_argument(
        "--skip",
        default="",
        help="pages,engine,claims,claims_spread,claims_next,sweep to leave out",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="start again from the database an earlier run generated (kept as <name>_generated)",
    )
    parser.add_argument("--drop", action="store_true", help="drop each database afterwards")
    args = parser.parse_args(argv)
    if urlsplit(args.database_url).scheme not in ("postgres", "postgresql"):
        raise SystemExit("The benchmark runs on PostgreSQL: give a postgres:// URL.")

    started = dt.datetime.now(dt.UTC)
    args.source_at_start = source()
    results = {}
    for size in sorted(set(args.clients)):
        info = prepare(size, args.database_url, args.reuse)
        url = info.pop("url")
        # the restored snapshot may predate this code's migrations
        run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            environment(url),
            label=f"{size} migrate",
        )
        if "pages" not in args.skip:
            collect_static(url)
        results[str(size)] = {"prepare": info, "measure": measure(size, url, args)}
        if args.drop:
            drop_database(args.database_url, info["database"])
            drop_database(args.database_url, info["database"] + "_generated")
        # A partial file after each size: a long run that breaks later keeps what it had.
        _write(args, started, results)
    table = _write(args, started, results)
    print()
    print_table(table, sorted(results, key=int))
    if args.source_changed:
        print("\nWARNING: the code changed during the run; the sizes may not be comparable.")
    print(f"\nJSON: {args.json}")
    return 0


def _write(args, started, results):
    table = rows(results)
    now = source()
    args.source_changed = now != args.source_at_start
    document = {
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(args.database_url),
        "source": {"at_start": args.source_at_start, "at_end": now, "changed": args.source_changed},
        "parameters": {
            "requests": args.requests,
            "paths": args.paths,
            "claim_tasks": args.claim_tasks,
            "workers": args.workers,
        },
        "table": table,
        "sizes": results,
    }
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")
    return table


if __name__ == "__main__":
    sys.exit(main())
