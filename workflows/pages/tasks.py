"""Pages of one's work: the task list, the unit's queue, the wellbeing area's invitations,
and a step's page (claim, release, save a draft, complete)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from casework.models import WellbeingParticipation
from casework.selectors import can_see_full_case, can_see_protected_details
from permissions.audit import audit_record
from workflows import selectors
from workflows.access import visible_task_or_404
from workflows.services import (
    NOTHING_TO_TAKE,
    TaskConflict,
    can_claim,
    claim_checker,
    task_claim,
    task_claim_next,
    task_complete,
    task_release,
    task_save_draft,
)
from workflows.steps import STEPS, apply_errors, forms_valid

from .common import page_of


@login_required
def inbox(request):
    page = _page(request, selectors.inbox_for(request.user))
    return render(request, "workflows/inbox.html", {"tasks": page.object_list, "page": page})


@login_required
def queue(request):
    page = _page(request, selectors.queue_for(request.user))
    can_claim = claim_checker(request.user)
    for case_task in page.object_list:
        case_task.claimable = can_claim(case_task)
    return render(request, "workflows/queue.html", {"tasks": page.object_list, "page": page})


TASKS_PER_PAGE = 50


def _page(request, queryset):
    """One page of a task list, the most urgent first: a fixed cost whatever the length."""
    return page_of(request, queryset, TASKS_PER_PAGE)


@login_required
@require_POST
def claim(request, uuid):
    case_task = visible_task_or_404(request.user, uuid)
    try:
        task_claim(by=request.user, case_task=case_task)
    except (TaskConflict, PermissionDenied) as error:
        messages.error(request, str(error))
        return redirect("workflows:queue")
    messages.success(request, _("The task is now yours."))
    return redirect("workflows:task", uuid=case_task.uuid)


@login_required
@require_POST
def claim_next(request):
    """Take the most urgent task of one's queues that nobody else is taking right now."""
    case_task = task_claim_next(by=request.user)
    if case_task is None:
        messages.info(request, NOTHING_TO_TAKE)
        return redirect("workflows:queue")
    messages.success(request, _("The task is now yours."))
    return redirect("workflows:task", uuid=case_task.uuid)


@login_required
@require_POST
def release(request, uuid):
    case_task = visible_task_or_404(request.user, uuid)
    try:
        task_release(by=request.user, case_task=case_task)
    except (TaskConflict, PermissionDenied) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The task is back in the queue."))
    return redirect("workflows:inbox")


@method_decorator(login_required, name="dispatch")
class TaskView(LoginRequiredMixin, View):
    """A step's form: save a draft, or complete the step. An invalid form keeps the task
    open and every value entered."""

    def _load(self, request, uuid):
        case_task = visible_task_or_404(request.user, uuid)
        self.may_work = case_task.is_open and case_task.owner_id in (
            request.user.pk,
            *selectors.substituted_users(request.user),
        )
        return case_task, STEPS[case_task.step]

    def _render(self, request, case_task, step, forms, status=200):
        case = case_task.case
        audit_record(
            actor=request.user,
            obj=case.client,
            action="client.viewed",
            data={"via": "task", "task": str(case_task.uuid)},
        )
        return render(
            request,
            step.template,
            {
                "case_task": case_task,
                "case": case,
                "client": case.client,
                "step": step,
                "forms": forms,
                "form": forms.get("form"),
                "may_work": self.may_work,
                "claimable": case_task.status == "NEW" and can_claim(request.user, case_task),
                "full_case": can_see_full_case(request.user, case),
                "protected_visible": can_see_protected_details(request.user, case),
            },
            status=status,
        )

    def get(self, request, uuid):
        case_task, step = self._load(request, uuid)
        forms = step.build_forms(case=case_task.case, task=case_task.task)
        return self._render(request, case_task, step, forms)

    def post(self, request, uuid):
        case_task, step = self._load(request, uuid)
        forms = step.build_forms(case=case_task.case, task=case_task.task, data=request.POST)
        action = "draft" if request.POST.get("action") == "draft" and step.has_draft else "complete"
        if not forms_valid(forms):
            messages.error(request, _("Check the fields marked below."))
            return self._render(request, case_task, step, forms, status=400)
        try:
            if action == "draft":
                task_save_draft(by=request.user, case_task=case_task, forms=forms)
            else:
                task_complete(by=request.user, case_task=case_task, forms=forms)
        except TaskConflict as error:
            messages.error(request, error.message)
            self.may_work = False
            return self._render(request, case_task, step, forms, status=409)
        except ValidationError as error:
            apply_errors(forms, error)
            messages.error(request, _("Check the fields marked below."))
            return self._render(request, case_task, step, forms, status=400)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return self._render(request, case_task, step, forms, status=403)
        if action == "draft":
            messages.success(request, _("Draft saved."))
            return redirect("workflows:task", uuid=case_task.uuid)
        messages.success(request, _("Step completed."))
        return redirect("workflows:case", uuid=case_task.case.uuid)


@login_required
def invitations(request):
    """A wellbeing-area worker's invitations: open, and either waiting unclaimed in a queue
    the user works or their own. A colleague's invitation (and its reason) is not shown once
    it is claimed, as on the task page."""
    user = request.user
    participations = (
        WellbeingParticipation.objects.filter(
            Q(worker__isnull=True) | Q(worker=user),
            unit_id__in=selectors.queue_units(user),
            ended_at__isnull=True,
        )
        .select_related(
            "case",
            "case__client",
            "organisation",
            "unit",
            "worker",
            "case__responsible_organisation",
            "invited_by",
        )
        .prefetch_related("tasks")
        .order_by("invited_at")
    )
    return render(request, "workflows/invitations.html", {"participations": participations})
