"""Email notifications (Django's mail; the console backend in development).

Messages carry no client data beyond the case number: email is not a secure channel for
special-category personal data. Each is written in Finnish, Swedish and English."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
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


def _send(recipients, subject_fn, body_fn) -> None:
    addresses = sorted({user.email for user in recipients if user and user.email})
    if not addresses:
        return
    with translation.override("fi"):
        subject = subject_fn()
    body = _in_all_languages(body_fn)
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses]
    # Only once the change is committed: a rolled-back step sends nothing.
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))


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


def review_reminder(case_task) -> None:
    recipients = (
        [case_task.owner]
        if case_task.owner_id
        else list(_unit_members(case_task.unit, roles=["case_worker", "manager"]))
    )
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
