"""Email notifications (Django's mail; the console backend in development).

Messages carry no client data beyond the case number: email is not a secure channel for
special-category personal data. Each is written in Finnish, Swedish and English.

Nothing is sent inside the request or the step: once the change is committed, the messages
go to the background worker (``workflows.tasks.send_notification``, with retries), and a
rolled-back step sends nothing. Without a broker the task runs at once after the commit."""

from __future__ import annotations

import contextlib
import logging
import smtplib
from contextlib import contextmanager
from contextvars import ContextVar

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

LANGUAGES = ("fi", "sv", "en")


def _in_all_languages(render) -> str:
    parts = []
    for language in LANGUAGES:
        with translation.override(language):
            parts.append(render())
    return "\n\n---\n\n".join(parts)


# --- sending: a background task with retries ------------------------------------------

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


@shared_task(
    name="workflows.tasks.send_notification",
    bind=True,
    max_retries=NOTIFICATION_RETRIES,
    acks_late=True,
)
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


# --- collecting and handing over ----------------------------------------------------------

# Messages of the open ``collected()`` block, sent together when it ends.
_collected: ContextVar[list | None] = ContextVar("kotopolku_notifications", default=None)


def _enqueue(messages: list) -> None:
    """Hand ``messages`` to the worker once the current transaction commits."""
    # robust: a broker that cannot be reached after the commit is logged, and the request
    # that committed the change still succeeds
    transaction.on_commit(lambda: send_notification.delay(messages), robust=True)


@contextmanager
def collected():
    """Send the notifications made inside the block as one background task (the sweeps:
    hundreds of reminders a batch, one message to the broker). Open it inside the
    transaction that makes them."""
    if _collected.get() is not None:
        yield
        return
    messages: list = []
    token = _collected.set(messages)
    try:
        yield
    finally:
        _collected.reset(token)
    if messages:
        _enqueue(messages)


def _send(recipients, subject_fn, body_fn) -> None:
    addresses = sorted({user.email for user in recipients if user and user.email})
    if not addresses:
        return
    with translation.override("fi"):
        subject = subject_fn()
    body = _in_all_languages(body_fn)
    messages = [[subject, body, settings.DEFAULT_FROM_EMAIL, [address]] for address in addresses]
    collecting = _collected.get()
    if collecting is not None:
        collecting.extend(messages)
    else:
        _enqueue(messages)


def _unit_members(unit, roles=None):
    # one filter(): the unit, the role and the activity are of the same membership
    conditions = {"memberships__unit": unit, "memberships__is_active": True}
    if roles:
        conditions["memberships__role__in"] = roles
    return get_user_model().objects.filter(is_active=True, **conditions).distinct()


def task_assigned(case_task, *, by=None) -> None:
    """A task was given to a person by someone else."""
    if not case_task.owner_id or case_task.owner == by:
        return
    _send(
        [case_task.owner],
        lambda: (
            _("Kotopolku: a task was assigned to you (case %(case)s)")
            % {"case": case_task.case.number}
        ),
        lambda: (
            _("The task “%(task)s” of case %(case)s was assigned to you. Due: %(due)s.")
            % {
                "task": case_task.title,
                "case": case_task.case.number,
                "due": case_task.due_on.strftime("%d.%m.%Y") if case_task.due_on else "-",
            }
        ),
    )


def wellbeing_invited(case_task) -> None:
    recipients = (
        [case_task.owner]
        if case_task.owner_id
        else list(_unit_members(case_task.unit, roles=["wellbeing_worker", "manager"]))
    )
    _send(
        recipients,
        lambda: (
            _("Kotopolku: the wellbeing area is invited to case %(case)s")
            % {"case": case_task.case.number}
        ),
        lambda: (
            _(
                "%(organisation)s invites the wellbeing area to take part in the "
                "multi-professional step of case %(case)s. The task is in the queue of %(unit)s."
            )
            % {
                "organisation": case_task.case.responsible_organisation,
                "case": case_task.case.number,
                "unit": case_task.unit,
            }
        ),
    )


REVIEW_REMINDER_ROLES = ["case_worker", "manager"]


def review_reminder(case_task, *, unit_members=None) -> None:
    """The review falls due: tell the task's worker, or the unit's case workers and
    managers while it waits in the queue. ``unit_members``: the latter, if already read."""
    if case_task.owner_id:
        recipients = [case_task.owner]
    elif unit_members is not None:
        recipients = unit_members
    else:
        recipients = list(_unit_members(case_task.unit, roles=REVIEW_REMINDER_ROLES))
    _send(
        recipients,
        lambda: _("Kotopolku: review of case %(case)s falls due") % {"case": case_task.case.number},
        lambda: (
            _("The integration plan of case %(case)s must be reviewed by %(due)s.")
            % {
                "case": case_task.case.number,
                "due": case_task.due_on.strftime("%d.%m.%Y") if case_task.due_on else "-",
            }
        ),
    )


def review_reminders(case_tasks) -> None:
    """``review_reminder`` for many new review tasks, reading each queue's people once."""
    members: dict = {}
    for case_task in case_tasks:
        if not case_task.owner_id and case_task.unit_id not in members:
            members[case_task.unit_id] = list(
                _unit_members(case_task.unit, roles=REVIEW_REMINDER_ROLES)
            )
        review_reminder(case_task, unit_members=members.get(case_task.unit_id))


def tasks_escalated(tasks_by_unit: dict) -> None:
    """One message per unit to its managers, listing the unit's newly overdue tasks."""
    if not tasks_by_unit:
        return
    managers: dict[int, list] = {}
    for user in (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__unit_id__in=list(tasks_by_unit),
            memberships__is_active=True,
            memberships__role="manager",
        )
        .annotate(unit_id=models.F("memberships__unit_id"))
    ):
        managers.setdefault(user.unit_id, []).append(user)
    for unit_id, case_tasks in tasks_by_unit.items():
        _overdue_digest(managers.get(unit_id, []), case_tasks[0].unit, case_tasks)


def _overdue_digest(recipients, unit, case_tasks) -> None:
    if not any(user.email for user in recipients):
        return

    def lines():
        return "\n".join(f"- {t.case.number}: {t.title} ({t.due_on:%d.%m.%Y})" for t in case_tasks)

    _send(
        recipients,
        lambda: (
            _("Kotopolku: %(count)s overdue tasks in %(unit)s")
            % {"count": len(case_tasks), "unit": unit.name}
        ),
        lambda: (
            _("These tasks in the queue of %(unit)s are past their due date:") % {"unit": unit}
            + "\n"
            + lines()
        ),
    )


def client_access_granted(membership, *, by) -> None:
    """Someone was given a role that reads client data (or the right to see details under
    a non-disclosure marking): the organisation's managers hear of it, so that a grant
    nobody agreed on is noticed. The message names the people and the role, no client."""
    organisation = membership.unit.organisation
    managers = (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__unit__organisation=organisation,
            memberships__is_active=True,
            memberships__role="manager",
        )
        .distinct()
    )
    granted_by = by.get_username() if by is not None else "system"

    def role():
        label = membership.get_role_display()
        if membership.can_see_protected_details:
            label += " + " + _("may see details under a non-disclosure marking")
        return label

    _send(
        list(managers),
        lambda: (
            _("Kotopolku: %(user)s was given access to client data in %(organisation)s")
            % {"user": membership.user.get_username(), "organisation": organisation}
        ),
        lambda: (
            _(
                "%(by)s gave %(user)s (%(name)s) the role “%(role)s” in %(unit)s. The role "
                "reads client data. If this was not agreed, tell the administrator and the "
                "data protection officer: the audit trail shows the change."
            )
            % {
                "by": granted_by,
                "user": membership.user.get_username(),
                "name": membership.user.get_full_name() or "-",
                "role": role(),
                "unit": membership.unit,
            }
        ),
    )
