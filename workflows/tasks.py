"""Background work, run by Celery workers (config/celery.py).

Each task is safe to run twice: a notification batch is retried only for the messages not
yet sent, the sweep locks what it fires, an export is run only from ``queued``. With no
broker configured they run at once in the calling process.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib

from celery import shared_task
from django.core.mail import EmailMessage, get_connection

logger = logging.getLogger(__name__)

# Worth trying again later: the mail server did not answer, hung up or said "not now" (4xx).
TRANSIENT_MAIL_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    ConnectionError,
    TimeoutError,
)
NOTIFICATION_RETRIES = 8


def _retry_delay(retries: int) -> int:
    """30 s, 1 min, 2 min, ... up to an hour between attempts (about 6 h in all)."""
    return min(30 * 2**retries, 3600)


def _is_transient(error: Exception) -> bool:
    if isinstance(error, TRANSIENT_MAIL_ERRORS):
        return True
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and 400 <= code < 500


@shared_task(bind=True, max_retries=NOTIFICATION_RETRIES, acks_late=True)
def send_notification(self, messages: list) -> int:
    """Send ``[subject, body, sender, [recipient]]`` messages over one connection.

    If the mail server fails for a while, the messages not yet sent are tried again later
    (the ones already sent are not sent twice); a message the server refuses for good (an
    unknown address) is logged and skipped. Returns how many were sent in this attempt."""
    sent = 0
    connection = get_connection()
    try:
        connection.open()
        for subject, body, sender, recipients in messages:
            try:
                EmailMessage(subject, body, sender, recipients, connection=connection).send()
            except smtplib.SMTPException as error:
                if _is_transient(error):
                    raise
                logger.warning("notification to %s refused for good: %s", recipients, error)
            sent += 1
    except Exception as error:
        if not _is_transient(error):
            raise
        remaining = messages[sent:]
        logger.warning(
            "mail server unavailable (%s); %s messages retried later", error, len(remaining)
        )
        raise self.retry(
            args=[remaining], exc=error, countdown=_retry_delay(self.request.retries)
        ) from error
    finally:
        with contextlib.suppress(Exception):  # closing a broken connection
            connection.close()
    return sent


@shared_task(acks_late=False, ignore_result=True)
def sweep_timers() -> dict:
    """The periodic sweep (Celery beat): due review timers, then escalation of overdue tasks.
    Not acknowledged late: a sweep lost with its worker is simply the next one's work."""
    from .timers import sweep

    result = sweep()
    logger.info("sweep: %s timers fired, %s tasks escalated", result.timers_fired, result.escalated)
    return {"timers_fired": result.timers_fired, "escalated": result.escalated}


@shared_task(acks_late=True)
def run_export(job_id: int) -> str:
    """Build one export file (``workflows.exports``), reporting progress as it goes."""
    from .exports import run_job

    return run_job(job_id)


@shared_task(ignore_result=True)
def delete_expired_exports() -> int:
    """Delete finished export files older than ``EXPORT_KEEP_HOURS`` (Celery beat, hourly)."""
    from .exports import delete_expired

    return delete_expired()


@shared_task(ignore_result=True)
def clear_expired_sessions() -> None:
    """Delete expired sessions from the database (Celery beat, daily)."""
    from django.core.management import call_command

    call_command("clearsessions")
