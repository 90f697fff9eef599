"""The HTTP benchmark's helpers that need Django (bench/web.py runs them in the measured
database's environment):

    python -m bench.web_people people --out people.json
    python -m bench.web_people check --outcomes outcomes.json --since 2026-12-02T10:00:00+00:00

``people``: the case workers and managers of the first generated region, each with a fresh
signed-in session (as after a login), and words to search clients with.
``check``: every write Locust saw succeed, looked up in the database: a task claimed by two
people, a claim or a completion that did not stick, a step completed twice (two next tasks),
a draft that was not saved, or a queue row that disagrees with viewflow's task, is a problem.
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def people(out: str) -> None:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from bench.management.commands.generate_load import LAST
    from casework.models import Membership, Role

    region = "gen-ea-0"
    memberships = (
        Membership.objects.filter(is_active=True, user__is_active=True)
        .filter(unit__organisation__code__in=_region_organisations(region))
        .select_related("user")
        .order_by("unit_id", "user_id")
    )
    found = {"workers": [], "managers": []}
    seen = set()
    for membership in memberships:
        key = "managers" if membership.role == Role.MANAGER else "workers"
        if membership.role not in (Role.MANAGER, Role.CASE_WORKER) or membership.user_id in seen:
            continue
        seen.add(membership.user_id)
        user = membership.user
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        found[key].append(
            {"id": user.pk, "username": user.username, "session": session.session_key}
        )
    found["search_terms"] = sorted(LAST)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(found, handle)
    print(f"{len(found['workers'])} workers, {len(found['managers'])} managers", file=sys.stderr)


def _region_organisations(region):
    from casework.models import Organisation

    r = region.rsplit("-", 1)[1]
    return list(
        Organisation.objects.filter(code__in=[region]).values_list("code", flat=True)
    ) + list(
        Organisation.objects.filter(code__startswith=f"gen-m-{r}-").values_list("code", flat=True)
    )


def check(outcomes_path: str, since: str) -> dict:
    from casework.models import Assessment
    from workflows.models import CaseTask

    try:
        with open(outcomes_path, encoding="utf-8") as handle:
            outcomes = json.load(handle)
    except FileNotFoundError:
        outcomes = {}
    claimed = outcomes.get("claimed", [])
    completed = outcomes.get("completed", [])
    drafts = outcomes.get("drafts", [])
    problems = Counter()

    # the same task taken successfully twice
    taken = Counter(task for _user, task in claimed)
    problems["double claims"] = sum(n - 1 for n in taken.values() if n > 1)

    rows = {
        str(row.uuid): row
        for row in CaseTask.objects.filter(
            uuid__in={t for _u, t in claimed} | {t for _u, t in completed}
        ).select_related("task")
    }
    done_by = {task: user for user, task in completed}
    for user, task in claimed:
        row = rows.get(task)
        if row is None or row.owner_id != user:
            problems["claims lost (owner differs)"] += 1
    for _user, task in completed:
        row = rows.get(task)
        if row is None or row.status != "DONE" or row.task.status != "DONE":
            problems["completions lost"] += 1
    # a completed intake opens exactly one assessment task
    case_ids = [rows[t].case_id for t in done_by if t in rows]
    after = Counter(
        CaseTask.objects.filter(case_id__in=case_ids, step="assess").values_list(
            "case_id", flat=True
        )
    )
    problems["steps completed twice (two next tasks)"] = sum(
        1 for case_id in case_ids if after[case_id] != 1
    )
    # each draft saved is there (or a later draft of the same case replaced it)
    markers = {marker for _u, _t, marker in drafts}
    draft_cases = {
        row.case_id for row in CaseTask.objects.filter(uuid__in={t for _u, t, _m in drafts})
    }
    saved = set(
        Assessment.objects.filter(case_id__in=draft_cases).values_list("life_situation", flat=True)
    )
    last_marker = {}
    for _user, task, marker in drafts:
        last_marker[task] = marker
    problems["drafts lost"] = sum(1 for marker in last_marker.values() if marker not in saved)
    # the queue rows touched agree with viewflow's tasks
    mirror = 0
    for row in CaseTask.objects.filter(
        uuid__in={t for _u, t in claimed} | {t for _u, t in completed}
    ).select_related("task"):
        if row.status != row.task.status or row.owner_id != row.task.owner_id:
            mirror += 1
    problems["queue row differs from viewflow's task"] = mirror
    return {
        "claimed": len(claimed),
        "completed": len(completed),
        "drafts": len(drafts),
        "draft markers": len(markers),
        "problems": sum(problems.values()),
        "by_kind": {k: v for k, v in problems.items() if v},
        "since": since,
    }


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("people")
    p.add_argument("--out", required=True)
    c = sub.add_parser("check")
    c.add_argument("--outcomes", required=True)
    c.add_argument("--since", required=True)
    args = parser.parse_args()
    _setup()
    if args.command == "people":
        people(args.out)
    else:
        print(json.dumps(check(args.outcomes, args.since)))


if __name__ == "__main__":
    main()
