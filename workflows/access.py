"""Looking up a case, a task or a client by its public id, for the user asking: what they may
not see is a plain 404, the same whether it exists or not, and the attempt is audited. The
pages and the API both look objects up through here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from casework.models import Client, IntegrationCase
from casework.selectors import cases_visible_to
from casework.services.privacy import ensure_can_view_client
from permissions.audit import audit_record

from .models import CaseTask
from .services import may_see_waiting_invitation


def visible_case_or_404(user, uuid) -> IntegrationCase:
    case = cases_visible_to(user).filter(uuid=uuid).first()
    if case is None:
        existing = IntegrationCase.objects.filter(uuid=uuid).first()
        if existing is not None:
            audit_record(actor=user, obj=existing, action="access.denied")
        raise Http404
    return case


def visible_task_or_404(user, uuid) -> CaseTask:
    """The task, if the user may see its case, or it is an invitation waiting unclaimed in
    the queue of the user's wellbeing-area unit (once claimed, only the participant sees it,
    and only while the participation lasts). ``seen_through_case`` on the task says whether
    the user may see its case."""
    case_task = (
        # the case with what its header shows (organisation, unit), the task's own unit
        CaseTask.objects.select_related(
            "case",
            "case__client",
            "case__responsible_organisation",
            "case__unit",
            "unit",
            "owner",
            "task",
            "participation",
        )
        .filter(uuid=uuid)
        .first()
    )
    if case_task is None:
        raise Http404
    case_task.seen_through_case = cases_visible_to(user).filter(pk=case_task.case_id).exists()
    if case_task.seen_through_case or may_see_waiting_invitation(user, case_task):
        return case_task
    audit_record(
        actor=user, obj=case_task.case, action="access.denied", data={"task": str(case_task.uuid)}
    )
    raise Http404


def visible_client_or_404(user, uuid) -> Client:
    client = Client.objects.filter(uuid=uuid).first()
    if client is None:
        raise Http404
    try:
        ensure_can_view_client(user, client)
    except PermissionDenied:
        audit_record(actor=user, obj=client, action="access.denied")
        raise Http404 from None
    return client
