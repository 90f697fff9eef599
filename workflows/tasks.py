"""Background work, run by Celery workers (config/celery.py).

Each task is safe to run twice: a notification batch is retried only for the messages not
yet sent, the sweep locks what it fires, an export is run only from ``queued``. With no
broker configured they run at once in the calling process.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.management import call_command

# The tasks defined beside the work they do, imported so that a worker knows them all:
from .exports import delete_expired, run_export  # noqa: F401
from .notifications import send_notification  # noqa: F401
from .timers import sweep

logger = logging.getLogger(__name__)


@shared_task(acks_late=False, ignore_result=True)
def sweep_timers() -> dict:
    """The periodic sweep (Celery beat): due review timers, then escalation of overdue tasks.
    Not acknowledged late: a sweep lost with its worker is simply the next one's work."""
    result = sweep()
    logger.info("sweep: %s timers fired, %s tasks escalated", result.timers_fired, result.escalated)
    return {"timers_fired": result.timers_fired, "escalated": result.escalated}


@shared_task(ignore_result=True)
def delete_expired_exports() -> int:
    """Delete finished export files older than ``EXPORT_KEEP_HOURS`` (Celery beat, hourly)."""
    return delete_expired()


@shared_task(ignore_result=True)
def clear_expired_sessions() -> None:
    """Delete expired sessions from the database (Celery beat, daily)."""
    call_command("clearsessions")
