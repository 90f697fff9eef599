"""The measurements of one database size, run by ``bench/run.py`` in its own process
(``python -m bench.measure --out FILE``) with ``DATABASE_URL`` pointing at a database that
``generate_load`` has filled. Writes its figures as JSON to ``--out``.

Nothing here is a test: figures are measured and written whatever they are; ``run.py``
compares them with the targets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import statistics
import sys
import threading
import time
import traceback
from collections import Counter, defaultdict
from contextlib import contextmanager, suppress

import django

SEED = 2026
WARMUP = 5
PROFILED = 5  # requests per page run under the query profiler (not timed)


# --- query profiling --------------------------------------------------------------------


class QueryProfile:
    """Counts and times every statement on one connection, grouped by its SQL text (the
    text has ``%s`` placeholders, so one group is one query shape: N+1 shows as a count)."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0
        self.shapes: dict[str, dict] = {}

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.count += 1
            self.seconds += elapsed
            shape = self.shapes.setdefault(
                sql, {"count": 0, "seconds": 0.0, "max": 0.0, "params": None, "many": many}
            )
            shape["count"] += 1
            shape["seconds"] += elapsed
            if elapsed >= shape["max"]:
                shape["max"] = elapsed
                shape["params"] = None if many else params

    def top(self, n=5, key="seconds"):
        rows = sorted(self.shapes.items(), key=lambda item: item[1][key], reverse=True)[:n]
        return [
            {
                "sql": _short(sql),
                "count": s["count"],
                "total_ms": round(s["seconds"] * 1000, 2),
                "max_ms": round(s["max"] * 1000, 2),
            }
            for sql, s in rows
        ]


def _short(sql, limit=600):
    sql = re.sub(r"\s+", " ", sql)
    return sql if len(sql) <= limit else sql[:limit] + " …"


@contextmanager
def profiled(profile):
    from django.db import connection

    with connection.execute_wrapper(profile):
        yield profile


def explain(profile, n=2):
    """EXPLAIN (ANALYZE, BUFFERS) of the ``n`` slowest SELECT shapes, with the parameters of
    their slowest execution."""
    from django.db import connection

    plans = []
    for sql, shape in sorted(profile.shapes.items(), key=lambda i: i[1]["max"], reverse=True):
        if len(plans) >= n:
            break
        if not sql.lstrip().upper().startswith("SELECT") or " FOR UPDATE" in sql.upper():
            continue
        try:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, shape["params"])
                text = "\n".join(row[0] for row in cursor.fetchall())
        except Exception as error:  # noqa: BLE001 - evidence only
            text = f"(could not explain: {error})"
        plans.append(
            {"sql": _short(sql, 2000), "max_ms": round(shape["max"] * 1000, 2), "plan": text}
        )
    return plans


def percentiles(samples):
    ordered = sorted(samples)

    def pct(p):
        if not ordered:
            return None
        k = (len(ordered) - 1) * p
        low, high = int(k), min(int(k) + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (k - low)

    return {
        "n": len(ordered),
        "p50_ms": round(pct(0.50) * 1000, 2),
        "p95_ms": round(pct(0.95) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2),
    }


# --- who the realistic users are --------------------------------------------------------


REGION = ["gen-ea-0", "gen-wa-0", *(f"gen-m-0-{m}" for m in range(4))]


def pick_users():
    """The generated people whose pages are timed: the case worker with the most open
    tasks, a case worker and the manager of the unit with the most open tasks.

    All are taken from the first generated region: ``generate_load`` makes one region per
    5 000 clients, so a region looks alike at every size, and the busiest of a region's
    workers is comparable across sizes (the busiest of all workers would grow with the
    number of workers)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from casework.models import Membership, Role
    from workflows.models import OPEN_STATUSES, CaseTask

    User = get_user_model()
    busiest = (
        CaseTask.objects.filter(
            status__in=("ASSIGNED", "STARTED"),
            unit__organisation__code__in=REGION,
            owner__memberships__role=Role.CASE_WORKER,
        )
        .values("owner_id")
        .annotate(n=Count("id"))
        .order_by("-n", "owner_id")
        .first()
    )
    worker = User.objects.get(pk=busiest["owner_id"])
    largest = (
        CaseTask.objects.filter(status__in=OPEN_STATUSES, unit__organisation__code__in=REGION)
        .values("unit_id")
        .annotate(n=Count("id"))
        .order_by("-n", "unit_id")
        .first()
    )
    members = Membership.objects.filter(unit_id=largest["unit_id"], is_active=True).select_related(
        "user", "unit", "unit__organisation"
    )
    queue_worker = members.filter(role=Role.CASE_WORKER).order_by("user_id").first().user
    manager = members.filter(role=Role.MANAGER).order_by("user_id").first().user
    unit = members.first().unit
    return {
        "worker": worker,
        "worker_open_tasks": busiest["n"],
        "queue_worker": queue_worker,
        "manager": manager,
        "unit": unit,
        "unit_open_tasks": largest["n"],
        "unit_new_tasks": CaseTask.objects.filter(unit=unit, status="NEW").count(),
    }


# --- page timings -----------------------------------------------------------------------


def api_available():
    try:
        from django.urls import resolve

        from workflows.api import urls  # noqa: F401

        resolve("/api/v1/tasks/inbox/")
        return True, ""
    except Exception as error:  # noqa: BLE001 - the row says n/a and why
        return False, f"{type(error).__name__}: {error}"


def time_page(user, urls, requests, *, name):
    """Warm up, then time ``requests`` GETs (cycling through ``urls``), then profile a few."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    statuses = Counter()

    def get(url):
        response = client.get(url, secure=True)
        statuses[response.status_code] += 1
        return response

    for url in urls[:WARMUP] if len(urls) >= WARMUP else (urls * WARMUP)[:WARMUP]:
        get(url)
    samples = []
    for i in range(requests):
        url = urls[i % len(urls)]
        started = time.perf_counter()
        get(url)
        samples.append(time.perf_counter() - started)
    counts = []
    worst = QueryProfile()
    for i in range(PROFILED):
        profile = QueryProfile()
        with profiled(profile):
            get(urls[i % len(urls)])
        counts.append(profile.count)
        if profile.seconds >= worst.seconds:
            worst = profile
    result = percentiles(samples)
    result.update(
        {
            "queries_min": min(counts),
            "queries_max": max(counts),
            "statuses": {str(k): v for k, v in statuses.items()},
            "slowest_queries": worst.top(3),
            "explain": explain(worst, 1),
        }
    )
    bad = {k: v for k, v in statuses.items() if k != 200}
    if bad:
        result["error"] = f"{name}: non-200 responses {bad}"
        print(f"  WARNING {result['error']}", flush=True)
    return result


def measure_pages(users, requests):
    from django.urls import reverse

    from casework.models import IntegrationCase
    from permissions.policy import role_permissions

    worker = users["worker"]
    orgs = sorted(role_permissions(worker))
    case_uuids = list(
        IntegrationCase.objects.filter(responsible_organisation_id__in=orgs)
        .order_by("pk")
        .values_list("uuid", flat=True)
    )
    sample = random.Random(SEED).sample(case_uuids, min(len(case_uuids), max(requests, 50)))
    pages = {
        "inbox": (worker, [reverse("workflows:inbox")]),
        "queue": (users["queue_worker"], [reverse("workflows:queue")]),
        "case": (worker, [reverse("workflows:case", args=[u]) for u in sample]),
        "dashboard": (users["manager"], [reverse("workflows:dashboard")]),
    }
    ok, why = api_available()
    if ok:
        pages["api_inbox"] = (worker, ["/api/v1/tasks/inbox/"])
        pages["api_queue"] = (users["queue_worker"], ["/api/v1/tasks/queue/"])
    results = {}
    for name, (user, urls) in pages.items():
        print(f"  page {name} ...", flush=True)
        try:
            results[name] = time_page(user, urls, requests, name=name)
        except Exception as error:  # noqa: BLE001 - reported, the run goes on
            results[name] = {"error": f"{type(error).__name__}: {error}"}
            traceback.print_exc()
    if not ok:
        for name in ("api_inbox", "api_queue"):
            results[name] = {"na": f"the API is not importable: {why}"}
    return results


# --- engine throughput ------------------------------------------------------------------


def _path_user_and_place(unit):
    """A case worker of ``unit`` and a municipality whose new clients land in its queue."""
    from casework.models import Membership, OrganisationKind, Role

    user = (
        Membership.objects.filter(unit=unit, is_active=True, role=Role.CASE_WORKER)
        .order_by("user_id")
        .first()
        .user
    )
    organisation = unit.organisation
    municipality = organisation.municipalities.order_by("code").first()
    jobseeker = organisation.kind == OrganisationKind.EMPLOYMENT_AUTHORITY
    return user, organisation, municipality, jobseeker


def client_data(municipality, jobseeker, n):
    today = dt.date.today()
    data = {
        "first_names": "Bench",
        "last_name": f"Client{n}",
        "date_of_birth": dt.date(1990, 5, 5),
        "municipality": municipality,
        "first_residence_permit_date": today - dt.timedelta(days=200),
        "mother_tongue": "ar",
        "preferred_language": "fi",
    }
    if jobseeker:
        data["labour_market_status"] = "unemployed_jobseeker"
    else:
        data.update(residence_basis="quota_refugee", labour_market_status="outside_labour_force")
    return data


def assessment_data():
    return {
        "interview_date": dt.date.today(),
        "literacy": "latin",
        "finnish_level": "A1",
        "swedish_level": "none",
        "learning_skills": "good",
        "working_life_skills": "some",
        "education_history": "secondary school",
        "work_history": "shop assistant",
        "education_goals": "B1 Finnish",
        "life_situation": "family of four",
        "plan_needed": True,
        "wellbeing_participation_needed": False,
        "interpreter_used": False,
    }


def plan_data(case, service, provider):
    today = dt.date.today()
    return {
        "language": "fi",
        "starts_on": today,
        "ends_on": today + dt.timedelta(days=300),
        "long_term_goals": "work as a nurse",
        "period_goals": "Finnish to A2",
        "follow_up": "meetings every six months",
        "job_seeking_obligation": "two applications a month"
        if case.category == "unemployed_jobseeker"
        else "",
        "measures": [
            {
                "service": service,
                "provider": provider,
                "language": "fi",
                "starts_on": today + dt.timedelta(days=20),
                "ends_on": today + dt.timedelta(days=200),
            }
        ],
    }


class IntegrationPaths:
    """Complete paths through ``workflows.services``, as the case's worker: register, take
    the intake task from the queue, then assess, draw up the plan, record the agreement,
    approve. Five human steps, as the bare flow."""

    steps = 5

    def __init__(self, unit):
        from casework.models import Organisation, Service

        self.user, self.organisation, self.municipality, self.jobseeker = _path_user_and_place(unit)
        self.service = Service.objects.get(code="integration-training-fi")
        self.provider = Organisation.objects.get(code="kpedu")
        self.n = 0

    def _act(self, case, step, data):
        from workflows import services
        from workflows.models import CaseTask

        case_task = CaseTask.objects.select_related("case", "unit", "task").get(
            case=case, step=step, status__in=("NEW", "ASSIGNED")
        )
        if case_task.status == "NEW":
            case_task = services.task_claim(by=self.user, case_task=case_task)
        services.task_complete_with_data(by=self.user, case_task=case_task, data=data)

    def run_one(self):
        from workflows import services

        self.n += 1
        case = services.client_register_and_start(
            by=self.user,
            organisation=self.organisation,
            data=client_data(self.municipality, self.jobseeker, self.n),
        )
        self._act(case, "intake", {})
        self._act(case, "assess", assessment_data())
        case.refresh_from_db()
        self._act(case, "draft_plan", plan_data(case, self.service, self.provider))
        self._act(case, "client_decision", {"decision": "agree", "decided_on": dt.date.today()})
        self._act(case, "approve", {"confirm": True})
        case.refresh_from_db()
        if case.state != "plan_active":
            raise RuntimeError(f"path ended in {case.state}, not plan_active")


class BarePaths:
    """The same shape in ``bench.flows.BareFlow``: start, then each human task
    assigned, started and executed through viewflow's activation API."""

    steps = 5

    def __init__(self, user):
        from bench.flows import HUMAN_STEPS, BareFlow

        self.flow, self.human_steps, self.user = BareFlow, HUMAN_STEPS, user

    def run_one(self):
        process = self.flow.start.run()
        for step in self.human_steps:
            task = process.task_set.get(flow_task=getattr(self.flow, step), status="NEW")
            with task.activation() as activation:
                activation.assign(self.user)
                activation.start(None)
                activation.execute()
        process.refresh_from_db()
        if process.status != "DONE":
            raise RuntimeError(f"bare process ended {process.status}")


class BaselinePaths:
    """``bench.flows.BaselineFlow``: the same five human steps with Kotopolku's bookkeeping
    in plain ORM code. Registering writes the client, the case, an audit entry and a
    timeline event; taking the first task and completing each step lock the path, the case
    and the queue row (as ``workflows.services`` does), move viewflow's task, update the
    queue row and write an audit entry and a timeline event; each new task gets its queue
    row (``_queue_row``)."""

    steps = 5
    events = {
        "intake": "assessment_started",
        "assess": "assessment_completed",
        "draft_plan": "plan_drafted",
        "client_decision": "plan_agreed",
        "approve": "plan_approved",
    }

    def __init__(self, unit):
        from bench.flows import HUMAN_STEPS, BaselineFlow

        self.flow, self.human_steps = BaselineFlow, HUMAN_STEPS
        self.user, self.organisation, self.municipality, _jobseeker = _path_user_and_place(unit)
        self.unit = unit
        self.n = 0

    def _bookkeeping(self, case, action, kind):
        from casework.models import CaseEvent
        from permissions.audit import audit_record

        audit_record(actor=self.user, obj=case, action=action)
        CaseEvent.objects.create(case=case, actor=self.user, kind=kind)

    def run_one(self):
        from django.db import transaction
        from django.utils import timezone
        from viewflow.workflow.models import Process

        from casework.models import Client, IntegrationCase
        from workflows.models import CaseTask

        self.n += 1
        with transaction.atomic():
            client = Client.objects.create(
                first_names="Baseline",
                last_name=f"Client{self.n}",
                municipality=self.municipality,
                first_residence_permit_date=dt.date.today() - dt.timedelta(days=200),
                residence_basis="quota_refugee",
                labour_market_status="outside_labour_force",
                register=self.organisation,
            )
            case = IntegrationCase.objects.create(
                client=client,
                municipality=self.municipality,
                category="quota_refugee",
                responsible_organisation=self.organisation,
                unit=self.unit,
                contacted_on=dt.date.today(),
            )
            self._bookkeeping(case, "case.opened", "registered")
            process = self.flow.start.run(case=case)
        for index, step in enumerate(self.human_steps):
            with transaction.atomic():
                Process.objects.select_for_update().filter(pk=process.pk).exists()
                case = IntegrationCase.objects.select_for_update(of=("self",)).get(pk=case.pk)
                case_task = (
                    CaseTask.objects.select_for_update(of=("self",))
                    .select_related("task")
                    .get(task__process=process, step=step, status__in=("NEW", "ASSIGNED"))
                )
                task = case_task.task
                activation = task.flow_task.activation_class(task)
                if index == 0:
                    activation.assign(self.user)
                    case_task.owner, case_task.status = self.user, "ASSIGNED"
                    case_task.assigned_at = timezone.now()
                    case_task.save(update_fields=["owner", "status", "assigned_at"])
                    case.owner = self.user
                    case.save(update_fields=["owner", "updated_at"])
                    activation.process.data["owner_id"] = self.user.pk
                    activation.process.save(update_fields=["data"])
                    self._bookkeeping(case, "task.claimed", "assigned")
                activation.start(None)
                activation.execute()
                case_task.status, case_task.finished_at = "DONE", timezone.now()
                case_task.save(update_fields=["status", "finished_at"])
                case.save(update_fields=["updated_at"])
                self._bookkeeping(case, f"step.{step}", self.events[step])
        process.refresh_from_db()
        if process.status != "DONE":
            raise RuntimeError(f"baseline process ended {process.status}")


CHUNK = 10


def _figures(runner, k, seconds, profile):
    return {
        "paths": k,
        "seconds": round(seconds, 3),
        "paths_per_s": round(k / seconds, 2),
        "completions_per_s": round(k * runner.steps / seconds, 2),
        "ms_per_path": round(seconds / k * 1000, 2),
        "queries_per_path": profile.count,
        "most_repeated_queries": profile.top(6, key="count"),
    }


def measure_engine(unit, k):
    """``k`` complete paths of each flow, one after another in this thread. The two flows
    take turns in chunks of ten, so that a change in the machine's load (it may be shared)
    falls on both alike."""
    runners = {"integration": IntegrationPaths(unit)}
    runners["bare"] = BarePaths(runners["integration"].user)
    runners["baseline"] = BaselinePaths(unit)
    profiles, seconds = {}, dict.fromkeys(runners, 0.0)
    for name, runner in runners.items():
        for _ in range(3):  # warm-up
            runner.run_one()
        profiles[name] = QueryProfile()
        with profiled(profiles[name]):
            runner.run_one()
    print(
        f"  engine: {k} integration paths as {runners['integration'].user.username} "
        f"and {k} bare viewflow paths, in turns of {CHUNK} ...",
        flush=True,
    )
    done = 0
    while done < k:
        chunk = min(CHUNK, k - done)
        for name, runner in runners.items():
            started = time.perf_counter()
            for _ in range(chunk):
                runner.run_one()
            seconds[name] += time.perf_counter() - started
        done += chunk
    result = {
        name: _figures(runner, k, seconds[name], profiles[name]) for name, runner in runners.items()
    }
    result["ratio"] = round(result["integration"]["paths_per_s"] / result["bare"]["paths_per_s"], 3)
    result["ratio_baseline"] = round(
        result["integration"]["paths_per_s"] / result["baseline"]["paths_per_s"], 3
    )
    return result


# --- claiming under contention ----------------------------------------------------------


def measure_claims(unit, tasks, workers, pick="first"):
    """``tasks`` new paths wait in ``unit``'s queue; ``workers`` threads, each with its own
    connection, take a task of the queue until none is left: the first one (``pick="first"``,
    everyone competes for the head of the queue, as people taking the top task do), one
    at random among the first ``workers`` (``pick="spread"``, for comparison), or whatever
    ``task_claim_next`` gives ("take the next task", ``pick="next"``: tasks being taken
    are passed over, not waited for)."""
    from django.db import close_old_connections, connections

    from casework.models import Membership, Role
    from workflows import selectors, services
    from workflows.models import CaseTask

    paths = IntegrationPaths(unit)
    print(f"  claims: registering {tasks} clients into {unit} ...", flush=True)
    ids = []
    for n in range(tasks):
        case = services.client_register_and_start(
            by=paths.user,
            organisation=paths.organisation,
            data=client_data(paths.municipality, paths.jobseeker, 100000 + n),
        )
        ids.append(CaseTask.objects.get(case=case, step="intake").pk)
    if CaseTask.objects.filter(pk__in=ids, status="NEW").count() != tasks:
        raise RuntimeError("the new intake tasks are not all waiting in the queue")
    people = list(
        Membership.objects.filter(
            unit=unit, is_active=True, role__in=[Role.CASE_WORKER, Role.MANAGER]
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    wins = defaultdict(list)  # task pk -> [(thread, user id)]
    conflicts, errors = Counter(), []
    lock = threading.Lock()
    barrier = threading.Barrier(workers + 1)
    id_set = set(ids)

    def work(index):
        from django.contrib.auth import get_user_model

        try:
            close_old_connections()
            user = get_user_model().objects.get(pk=people[index % len(people)])
            rng = random.Random(SEED + index)
            barrier.wait()
            while True:
                waiting = selectors.queue_for(user).filter(pk__in=id_set)
                if pick == "next":
                    case_task = services.task_claim_next(by=user, candidates=waiting)
                    if case_task is None:
                        if not waiting.exists():
                            return
                        with lock:  # every waiting task was being taken: look again
                            conflicts[index] += 1
                        continue
                    with lock:
                        wins[case_task.pk].append((index, user.pk))
                    continue
                if pick == "first":
                    case_task = waiting.first()
                else:
                    head = list(waiting.values_list("pk", flat=True)[:workers])
                    case_task = (
                        CaseTask.objects.select_related("case", "unit", "task").get(
                            pk=rng.choice(head)
                        )
                        if head
                        else None
                    )
                if case_task is None:
                    return
                try:
                    services.task_claim(by=user, case_task=case_task)
                except services.TaskConflict:
                    with lock:
                        conflicts[index] += 1
                    continue
                with lock:
                    wins[case_task.pk].append((index, user.pk))
        except Exception as error:  # noqa: BLE001 - counted and reported
            with lock:
                errors.append(f"{type(error).__name__}: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    print(f"  claims ({pick}): {workers} workers on {tasks} tasks ...", flush=True)
    with suppress(threading.BrokenBarrierError):  # a worker failed early: counted as an error
        barrier.wait(timeout=120)
    started = time.perf_counter()
    for thread in threads:
        thread.join(timeout=600)
    seconds = time.perf_counter() - started
    claimed = sum(len(v) for v in wins.values())
    doubles = sum(1 for v in wins.values() if len(v) > 1)
    rows = list(
        CaseTask.objects.filter(pk__in=ids).values_list(
            "pk", "status", "owner_id", "task__owner_id", "task__status"
        )
    )
    owner_mismatch = [
        pk
        for pk, status, owner, task_owner, task_status in rows
        if status != "ASSIGNED" or owner is None or owner != task_owner or task_status != "ASSIGNED"
    ]
    winner_mismatch = [
        pk for pk, _s, owner, _to, _ts in rows if pk in wins and wins[pk][-1][1] != owner
    ]
    return {
        "pick": pick,
        "tasks": tasks,
        "workers": workers,
        "people": len(people),
        "seconds": round(seconds, 3),
        "claims": claimed,
        "claims_per_s": round(claimed / seconds, 2) if seconds else None,
        "double_claims": doubles,
        "unclaimed": tasks - len(wins),
        "conflicts": sum(conflicts.values()),
        "errors": len(errors),
        "error_samples": errors[:5],
        "db_rows_not_single_owner": len(owner_mismatch),
        "db_owner_differs_from_winner": len(winner_mismatch),
    }


# --- the sweep --------------------------------------------------------------------------


def active_cases():
    from casework.models import CaseState, IntegrationCase

    return IntegrationCase.objects.exclude(state=CaseState.CLOSED).count()


def _sweep_once(label, today=None):
    from workflows.timers import sweep

    profile = QueryProfile()
    started = time.perf_counter()
    with profiled(profile):
        result = sweep(today=today)
    seconds = time.perf_counter() - started
    print(
        f"  sweep {label}: {seconds:.2f} s, {result.timers_fired} timers, "
        f"{result.escalated} escalated",
        flush=True,
    )
    return {
        "seconds": round(seconds, 3),
        "timers_fired": result.timers_fired,
        "escalated": result.escalated,
        "queries": profile.count,
        "most_repeated_queries": profile.top(6, key="count"),
    }


def measure_sweep():
    from viewflow.workflow.models import Task

    from workflows.models import OPEN_STATUSES, CaseTask

    today = dt.date.today()
    before = {
        "active_cases": active_cases(),
        "timers_due": Task.objects.filter(
            flow_task_type="TIMER", status="SCHEDULED", scheduled__lte=django_now()
        ).count(),
        "overdue_unescalated": CaseTask.objects.filter(
            status__in=OPEN_STATUSES, due_on__lt=today, escalated_at__isnull=True
        ).count(),
    }
    result = {"before": before, "first": _sweep_once("first run")}
    result["repeat"] = _sweep_once("repeat")
    try:
        import time_machine
    except ImportError:
        result["next_day"] = {"na": "time-machine is not installed"}
    else:
        tomorrow = django_now() + dt.timedelta(days=1)
        with time_machine.travel(tomorrow, tick=True):
            result["next_day"] = _sweep_once("next day", today=today + dt.timedelta(days=1))
        # Catching up: the sweep did not run for two weeks (a broken cron job, say).
        later = django_now() + dt.timedelta(days=15)
        with time_machine.travel(later, tick=True):
            result["backlog"] = _sweep_once(
                "after two weeks without one", today=today + dt.timedelta(days=15)
            )
    return result


def django_now():
    from django.utils import timezone

    return timezone.now()


# --- main -------------------------------------------------------------------------------


def database_facts():
    from django.db import connection

    from casework.models import Client
    from workflows.models import CaseTask

    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), pg_database_size(current_database())")
        version, size = cursor.fetchone()
        settings = {}
        for name in ("shared_buffers", "work_mem", "effective_cache_size", "random_page_cost"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM viewflow_task")
        tasks = cursor.fetchone()[0]
    return {
        "postgresql": version,
        "settings": settings,
        "size_mb": round(size / 2**20),
        "clients": Client.objects.count(),
        "viewflow_tasks": tasks,
        "case_tasks": CaseTask.objects.count(),
        "active_cases": active_cases(),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--paths", type=int, default=100)
    parser.add_argument("--claim-tasks", type=int, default=400)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated: pages,engine,claims,claims_spread,claims_next,sweep",
    )
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings

    users = pick_users()
    out = {
        "database": database_facts(),
        "debug": settings.DEBUG,
        "users": {
            "inbox": f"{users['worker'].username} ({users['worker_open_tasks']} open tasks)",
            "queue": f"{users['queue_worker'].username} in {users['unit']} "
            f"({users['unit_new_tasks']} waiting, {users['unit_open_tasks']} open)",
            "dashboard": users["manager"].username,
        },
    }
    print(f"  users: {out['users']}", flush=True)
    sections = [
        ("pages", lambda: measure_pages(users, args.requests)),
        ("engine", lambda: measure_engine(users["unit"], args.paths)),
        ("claims", lambda: measure_claims(users["unit"], args.claim_tasks, args.workers)),
        (
            "claims_spread",
            lambda: measure_claims(users["unit"], args.claim_tasks, args.workers, pick="spread"),
        ),
        (
            "claims_next",
            lambda: measure_claims(users["unit"], args.claim_tasks, args.workers, pick="next"),
        ),
        ("sweep", measure_sweep),
    ]
    for name, function in sections:
        if name in skip:
            continue
        try:
            out[name] = function()
        except Exception as error:  # noqa: BLE001 - one broken section must not hide the rest
            traceback.print_exc()
            out[name] = {"error": f"{type(error).__name__}: {error}"}
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(out, handle, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
