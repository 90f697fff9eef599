"""A real Celery worker, fed through Redis, sends a notification and runs the timer sweep.

Needs PostgreSQL (the worker is another process: it must see the test's committed data) and
Redis on ``CELERY_TEST_BROKER_URL`` (default ``redis://127.0.0.1:6379/0``, as in CI). The
test's tasks go to a queue of their own, so other workers on the same Redis never see them.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone
from viewflow.workflow.models import Task

from config.celery import app as celery_app
from workflows import services, tasks
from workflows.models import CaseTask

from ..workflows.conftest import drive_to_plan_active, open_task

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_TEST_BROKER_URL", "redis://127.0.0.1:6379/0")


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping())
    except redis.exceptions.RedisError:
        return False


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait_for(check, *, seconds=90, what="the worker"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"{what} did not happen within {seconds} s")


@pytest.fixture
def worker(tmp_path, settings):
    """A ``celery worker`` process on a queue of its own, its mail going to files."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker is another process: it needs the test data in PostgreSQL")
    if not _redis_reachable():
        pytest.skip(f"Redis is not reachable at {BROKER} (set CELERY_TEST_BROKER_URL)")
    queue = f"kotopolku-test-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path / "mail"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=_database_url(),
        CELERY_BROKER_URL=BROKER,
        CELERY_QUEUE=queue,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        PYTHONUNBUFFERED="1",
    )
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    # this process sends to the same broker and queue, no longer running tasks itself
    previous = {
        key: celery_app.conf[key]
        for key in ("broker_url", "task_always_eager", "task_default_queue")
    }
    celery_app.conf.update(broker_url=BROKER, task_always_eager=False, task_default_queue=queue)
    _reset_broker_connections()
    try:
        _wait_for(lambda: "ready." in log.read_text(), seconds=120, what="the worker's start")
        yield {"mail": mail_dir, "log": log}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        celery_app.conf.update(previous)
        _reset_broker_connections()
        # the queue was this test's alone
        import redis

        redis.Redis.from_url(BROKER).delete(queue)


def _reset_broker_connections():
    """Forget the connections made with the previous broker settings."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _mails(mail_dir: Path) -> str:
    if not mail_dir.exists():
        return ""
    return "\n".join(path.read_text(errors="replace") for path in sorted(mail_dir.iterdir()))


def test_a_notification_and_the_timer_sweep_go_through_the_worker(worker, start_path, staff):
    # 1. A manager gives bertil a task: the step commits, and the message goes to the worker.
    case = start_path()
    intake = open_task(case, "intake")
    services.tasks_reassign(by=staff["maria"], case_tasks=[intake], to=staff["bertil"])
    text = _wait_for(
        lambda: "bertil@example.invalid" in _mails(worker["mail"]) and _mails(worker["mail"]),
        what="the assignment's notification",
    )
    assert f"({case.number})" in text or case.number in text
    assert "workflows.tasks.send_notification" in worker["log"].read_text()

    # 2. A plan in force whose review timer is due now, and an overdue task elsewhere.
    reviewed = start_path(last_name="Reviewed")
    drive_to_plan_active(reviewed, staff["anna"])
    timer = Task.objects.get(
        process__integrationprocess__case=reviewed, flow_task_type="TIMER", status="SCHEDULED"
    )
    Task.objects.filter(pk=timer.pk).update(scheduled=timezone.now() - dt.timedelta(minutes=1))
    late = start_path(last_name="Late")
    CaseTask.objects.filter(case=late, step="intake").update(
        due_on=timezone.localdate() - dt.timedelta(days=3)
    )

    tasks.sweep_timers.delay()

    review = _wait_for(
        lambda: CaseTask.objects.filter(case=reviewed, step="review").first(),
        what="the review timer's firing",
    )
    assert review.owner == staff["anna"] and review.reminded_at is not None
    _wait_for(
        lambda: CaseTask.objects.get(case=late, step="intake").escalated_at is not None,
        what="the escalation",
    )
    log = worker["log"].read_text()
    assert "workflows.tasks.sweep_timers" in log and "1 timers fired" in log
    # the reminder went through the worker too
    _wait_for(
        lambda: (
            reviewed.number in _mails(worker["mail"])
            and "anna@example.invalid" in _mails(worker["mail"])
        ),
        what="the review reminder",
    )
