"""Kotopolku through real HTTP: Locust (headless) against gunicorn, DEBUG off, PostgreSQL.

    python bench/web.py --clients 10000 [--clients 100000] [--users 8,32,64] \\
        [--duration 60] [--floor-duration 30] [--web-concurrency 5] [--profile-users 32] \\
        [--database-url postgres://postgres@127.0.0.1:5432/postgres] [--prefix kotopolku_bench] \\
        [--json bench/results/web.json]

For each database size and each number of simultaneous people: the generated database afresh
(``bench/run.py``'s snapshot, generated first if missing), gunicorn started as in
production (config/gunicorn.conf.py), then two Locust runs of the same length on it: the
sign-in form alone (the floor: the cheapest page Django serves here), and the mix of signed-in
workers and managers (bench/locustfile.py). After the mix, every write Locust saw succeed is
checked in the database: nothing lost, nothing done twice. With ``--profile-users``, py-spy
samples the gunicorn workers during that level's mix and the hottest code is listed.

Prints a table per size and writes everything to ``--json``. See bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import run  # noqa: E402 - bench/run.py, beside this file

SECRET = "bench-http-not-secret"
ACTIONS = [
    "inbox",
    "queue",
    "case page",
    "task page",
    "client search",
    "claim (take from the queue)",
    "take the next task",
    "save a draft",
    "complete a step",
    "dashboard",
]
FLOOR = "login form (floor)"
P95_TARGET_MS = 300
RATIO_TARGET = 0.25


# --- the server -------------------------------------------------------------------------


def server_env(url: str, static_root: Path, port: int, web_concurrency: int) -> dict:
    env = run.environment(url)
    env.update(
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        STATIC_ROOT=str(static_root),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY=str(web_concurrency),
        GUNICORN_ACCESS_LOG="",  # a line per request costs the server time too
        GUNICORN_MAX_REQUESTS="0",
    )
    env.pop("CELERY_BROKER_URL", None)  # notifications at once, in the request's process
    return env


def start_gunicorn(env: dict, port: int, log: Path) -> subprocess.Popen:
    out = log.open("w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "config/gunicorn.conf.py",
            "config.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(1)
    process.kill()
    raise SystemExit(f"gunicorn did not become ready; see {log}")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- Locust -----------------------------------------------------------------------------


def locust(classes: list[str], users: int, seconds: int, port: int, out: Path, env: dict) -> dict:
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(out),
        "--only-summary",
        "--loglevel",
        "WARNING",
        *classes,
    ]
    before = load_average()
    subprocess.run(command, cwd=ROOT, env=env, check=False, capture_output=True, text=True)
    stats = read_stats(Path(f"{out}_stats.csv"), seconds)
    stats["load_average"] = [before, load_average()]
    return stats


def load_average() -> float | None:
    """The machine's one-minute load average: others' work competes for the same cores."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def read_stats(path: Path, seconds: int) -> dict:
    stats = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = row["Name"] if row["Type"] else "all"
            count = int(row["Request Count"])
            stats[name] = {
                "requests": count,
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 2),
                "p50": _ms(row["50%"]),
                "p95": _ms(row["95%"]),
                "p99": _ms(row["99%"]),
                "mean": round(float(row["Average Response Time"]), 1),
            }
    return stats


def _ms(value):
    return None if value in ("", "N/A") else float(value)


# --- py-spy -----------------------------------------------------------------------------


def profile(pid: int, seconds: int, out: Path) -> subprocess.Popen | None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        return None
    return subprocess.Popen(
        [
            spy,
            "record",
            "--pid",
            str(pid),
            "--subprocesses",
            "--rate",
            "67",
            "--duration",
            str(seconds),
            "--format",
            "raw",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# Where a request's time goes: the first marker found in a sample's stack, innermost first.
BUCKETS = [
    ("database: waiting for PostgreSQL", ("psycopg2", "execute (django/db/backends")),
    ("templates: rendering", ("django/template/",)),
    ("ORM: building SQL and model objects", ("django/db/models/",)),
    ("permissions and audit", ("permissions/",)),
    ("viewflow", ("viewflow/",)),
    ("translations", ("django/utils/translation", "gettext")),
    (
        "sessions, auth and middleware",
        ("django/contrib/sessions", "django/contrib/auth", "middleware"),
    ),
    ("Kotopolku's own code", ("casework/", "workflows/")),
    ("gunicorn and WSGI", ("gunicorn/", "django/core/handlers")),
]


def summarise_profile(path: Path) -> dict:
    """py-spy's raw samples: where the time goes (buckets), and the functions with the most
    time of their own (self time), for samples inside a request."""
    buckets: Counter = Counter()
    self_time: Counter = Counter()
    inclusive: Counter = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        if not any("django/core/handlers" in frame for frame in frames):
            continue  # idle workers waiting for a connection
        total += n
        self_time[_short(frames[-1])] += n
        for frame in {_short(f) for f in frames}:
            inclusive[frame] += n
        for bucket, markers in BUCKETS:
            if any(m in frame for frame in reversed(frames[-6:]) for m in markers):
                buckets[bucket] += n
                break
        else:
            buckets["other (Python, libraries)"] += n

    def share(counter, k):
        return [(name, round(100 * value / total, 1)) for name, value in counter.most_common(k)]

    return {
        "samples": total,
        "buckets_pct": share(buckets, 20),
        "self_pct": share(self_time, 25),
        "inclusive_pct": [
            (name, pct)
            for name, pct in share(inclusive, 80)
            if any(
                part in name for part in ("workflows/", "casework/", "permissions/", "templates")
            )
        ][:30],
    }


def _short(frame: str) -> str:
    frame = frame.replace(str(ROOT) + "/", "").replace(".venv/lib/python3.11/site-packages/", "")
    return frame.split(" (")[0] + (" (" + frame.split(" (")[1] if " (" in frame else "")


# --- one level --------------------------------------------------------------------------


def measure_level(size, users, args, base, prefix, static_root, workdir) -> dict:
    name = f"{prefix}_{size}"
    url = run.database_url(base, name)
    run.recreate_database(base, name, template=f"{name}_generated")
    env = server_env(url, static_root, args.port, args.web_concurrency)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    run._execute(base, "CHECKPOINT")
    people = workdir / f"people_{size}_{users}.json"
    subprocess.run(
        [sys.executable, "-m", "bench.web_people", "people", "--out", str(people)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    outcomes = workdir / f"outcomes_{size}_{users}.json"
    locust_env = dict(os.environ, BENCH_PEOPLE=str(people), BENCH_OUTCOMES=str(outcomes))
    server = start_gunicorn(env, args.port, workdir / f"gunicorn_{size}_{users}.log")
    result = {"users": users}
    try:
        # warm every worker up (imports, templates, the first connection), not measured
        locust(["LoginForm"], users, 5, args.port, workdir / "warm_floor", locust_env)
        locust(["Worker", "Manager"], users, 10, args.port, workdir / "warm_mix", locust_env)
        result["floor"] = locust(
            ["LoginForm"],
            users,
            args.floor_duration,
            args.port,
            workdir / f"floor_{size}_{users}",
            locust_env,
        )
        since = dt.datetime.now(dt.UTC).isoformat()
        spy = None
        if users == args.profile_users:
            spy = profile(server.pid, args.duration, workdir / f"pyspy_{size}_{users}.txt")
        result["mix"] = locust(
            ["Worker", "Manager"],
            users,
            args.duration,
            args.port,
            workdir / f"mix_{size}_{users}",
            locust_env,
        )
        if spy is not None:
            spy.wait(timeout=args.duration + 60)
            raw = workdir / f"pyspy_{size}_{users}.txt"
            if raw.exists():
                result["profile"] = summarise_profile(raw)
    finally:
        stop(server)
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.web_people",
            "check",
            "--outcomes",
            str(outcomes),
            "--since",
            since,
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result["integrity"] = json.loads(checked.stdout)
    floor_rps = result["floor"].get("all", {}).get("rps") or 0
    mix_rps = result["mix"].get("all", {}).get("rps") or 0
    result["ratio"] = round(mix_rps / floor_rps, 3) if floor_rps else None
    print(
        f"[{size}] {users} people: mix {mix_rps} req/s, floor {floor_rps} req/s, "
        f"ratio {result['ratio']}, integrity {result['integrity']['problems']}",
        flush=True,
    )
    return result


# --- the table --------------------------------------------------------------------------


def table(size: int, levels: list[dict]) -> str:
    lines = [
        f"### {size:,} clients".replace(",", " "),
        "",
        "| action | "
        + " | ".join(f"{lv['users']} people: req/s, p50/p95/p99 ms" for lv in levels)
        + " |",
        "|---|" + "---:|" * len(levels),
    ]
    for action in [*ACTIONS, "all"]:
        cells = []
        for level in levels:
            s = level["mix"].get(action)
            cells.append(
                "–"
                if not s
                else f"{s['rps']:.1f}, {_fmt(s['p50'])}/{_fmt(s['p95'])}/{_fmt(s['p99'])}"
                + (f" ({s['failures']} errors)" if s["failures"] else "")
            )
        label = "page mix, all requests" if action == "all" else action
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    cells = []
    for level in levels:
        s = level["floor"].get("all", {})
        cells.append(
            f"{s.get('rps', 0):.1f}, {_fmt(s.get('p50'))}/{_fmt(s.get('p95'))}/{_fmt(s.get('p99'))}"
        )
    lines.append("| login form alone (floor) | " + " | ".join(cells) + " |")
    lines.append(
        "| ratio mix/floor (target ≥ 0.25) | "
        + " | ".join(str(level["ratio"]) for level in levels)
        + " |"
    )
    lines.append(
        "| errors (mix + floor) | "
        + " | ".join(
            str(
                level["mix"].get("all", {}).get("failures", 0)
                + level["floor"].get("all", {}).get("failures", 0)
            )
            for level in levels
        )
        + " |"
    )
    lines.append(
        "| machine load average before/after the mix | "
        + " | ".join(
            "/".join(str(v) for v in level["mix"].get("load_average", [])) for level in levels
        )
        + " |"
    )
    lines.append(
        "| lost or double writes | "
        + " | ".join(str(level["integrity"]["problems"]) for level in levels)
        + " |"
    )
    lines.append(
        "| writes checked (claims, completions, drafts) | "
        + " | ".join(
            f"{lv['integrity']['claimed']}, {lv['integrity']['completed']}, {lv['integrity']['drafts']}"
            for lv in levels
        )
        + " |"
    )
    return "\n".join(lines)


def _fmt(value):
    return "–" if value is None else f"{value:.0f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, action="append", required=True)
    parser.add_argument("--users", default="8,32,64")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--floor-duration", type=int, default=30)
    parser.add_argument("--web-concurrency", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--profile-users", type=int, default=32)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database-url", default=run.DEFAULT_URL)
    parser.add_argument("--prefix", default="kotopolku_bench")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "web.json"))
    args = parser.parse_args(argv)
    levels = [int(n) for n in args.users.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="kotopolku-http-"))
    static_root = run.STATIC_ROOT
    results = {
        "machine": run.machine(args.database_url),
        "source": run.source(),
        "started": dt.datetime.now(dt.UTC).isoformat(),
        "web_concurrency": args.web_concurrency,
        "duration_s": args.duration,
        "floor_duration_s": args.floor_duration,
        "sizes": {},
    }
    for size in args.clients:
        info = run.prepare(size, args.database_url, reuse=True, prefix=args.prefix)
        run.collect_static(info["url"])
        results["sizes"][size] = {
            "prepare": {k: v for k, v in info.items() if k != "url"},
            "levels": [
                measure_level(
                    size, users, args, args.database_url, args.prefix, static_root, workdir
                )
                for users in levels
            ],
        }
    results["finished"] = dt.datetime.now(dt.UTC).isoformat()
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    for size, data in results["sizes"].items():
        print()
        print(table(size, data["levels"]))
        for level in data["levels"]:
            if "profile" in level:
                print(
                    f"\nWhere the time goes at {level['users']} people (py-spy, % of samples in requests):"
                )
                for name, pct in level["profile"]["buckets_pct"]:
                    print(f"  {pct:5.1f} %  {name}")
    print(f"\nEverything: {args.json} (Locust's CSVs and logs in {workdir})")


if __name__ == "__main__":
    main()
