"""Pages of one's work: the task list, the unit's queue, the wellbeing area's invitations,
and a step's page (claim, release, save a draft, complete)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Min, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from casework.models import Unit, WellbeingParticipation
from casework.selectors import can_see_full_case, can_see_protected_details, cases_visible_to
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
from .context_processors import navigation_for
from .listing import PER_PAGE_CHOICES, filter_tasks, search_condition
from .task_context import completed_message, task_context

# A task list's page length unless the user chooses another (?per_page=).
TASKS_PER_PAGE = PER_PAGE_CHOICES[0]


def _member_units(user):
    return list(
        Unit.objects.filter(memberships__user=user, memberships__is_active=True, is_active=True)
        .select_related("organisation")
        .distinct()
        .order_by("name_fi")
    )


# What a task list's rows show (``task_rows``), read without the rest of the task's, the
# case's and the client's columns: a third less time to read and build a page of rows.
ROW_FIELDS = (
    *("uuid", "step", "status", "due_on", "priority", "created_at"),
    *("case_id", "unit_id", "owner_id"),
    *("case__uuid", "case__number", "case__client_id"),
    *("case__client__first_names", "case__client__last_name", "case__client__non_disclosure"),
    *("unit__name_fi", "unit__name_sv", "unit__name_en", "unit__organisation_id"),
    *("owner__first_name", "owner__last_name", "owner__username"),
)


def _list_page(request, listing):
    return page_of(request, listing.queryset.only(*ROW_FIELDS), listing.per_page)


def _list_context(listing, page, **extra):
    return {
        "listing": listing,
        "page": page,
        "tasks": page.object_list,
        "per_page_choices": PER_PAGE_CHOICES,
        **extra,
    }


@login_required
def inbox(request):
    """My open tasks (and those of whom I cover for today), with search, filters and sorting
    kept in the URL."""
    covered = selectors.substituted_users(request.user)
    owners = None
    if covered:
        owners = get_user_model().objects.filter(pk__in=[request.user.pk, *covered])
    listing = filter_tasks(
        request.GET,
        selectors.inbox_for(request.user, covered),
        units=_member_units(request.user),
        owners=owners,
    )
    page = _list_page(request, listing)
    return render(
        request, "workflows/inbox.html", _list_context(listing, page, show_owner=bool(covered))
    )


# Where a person without a queue lands after signing in: the first their roles open.
_LANDING = (
    ("guidance", "guidance:home"),
    ("programme", "programme:list"),
    ("audit_log", "permissions:audit_log"),
)


@login_required
def start(request):
    """Where signing in leads: my tasks for whoever works a case-work queue or has tasks;
    otherwise the part of the service the person's roles are for (a guidance point's worker
    or manager to the guidance point, a coordinator to the programme, an auditor to the audit
    trail) instead of an empty task list."""
    user = request.user
    if not selectors.works_case_queue(user):
        allowed = navigation_for(user)
        for entry, url_name in _LANDING:
            if allowed[entry]:
                return redirect(url_name)
    return redirect("workflows:inbox")


@login_required
def queue(request):
    """Unassigned tasks in my units' queues; the ones I may take have a button."""
    units = selectors.queue_units(request.user)
    listing = filter_tasks(
        request.GET,
        selectors.queue_for(request.user, units=units),
        units=_member_units(request.user),
    )
    page = _list_page(request, listing)
    can_claim = claim_checker(request.user, units)
    for case_task in page.object_list:
        case_task.claimable = can_claim(case_task)
    return render(request, "workflows/queue.html", _list_context(listing, page))


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
        # An invitation in the unit's queue is open to its members; once taken or done, only
        # to those who may see the case (a wellbeing worker while her part lasts).
        if case_task.status != "NEW" and not case_task.seen_through_case:
            audit_record(
                actor=request.user,
                obj=case_task.case,
                action="access.denied",
                data={"task": str(case_task.uuid)},
            )
            raise Http404
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
        full = can_see_full_case(request.user, case)
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
                "full_case": full,
                "protected_visible": can_see_protected_details(request.user, case),
                **task_context(case_task, request.user, full_case=full),
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
            return self._render(request, case_task, step, forms, status=400)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return self._render(request, case_task, step, forms, status=403)
        if action == "draft":
            messages.success(request, _("Draft saved."))
            return redirect("workflows:task", uuid=case_task.uuid)
        messages.success(request, completed_message(case_task))
        if cases_visible_to(request.user).filter(pk=case_task.case_id).exists():
            return redirect("workflows:case", uuid=case_task.case.uuid)
        return redirect("workflows:inbox")


INVITATION_STATUSES = [
    ("open", _("open: waiting or in progress")),
    ("contributed", _("contributed, part lasts")),
    ("ended", _("ended")),
    ("all", _("all")),
]
INVITATION_SORTS = {
    "invited": ("invited_at",),
    "due": ("due", "invited_at"),
    "case": ("case__number",),
    "client": ("case__client__last_name", "case__client__first_names"),
}


@login_required
def invitations(request):
    """The wellbeing area's invitations to the units I work in: status, due date, client and
    who took it. Open ones and contributed ones (while the part lasts) open; the list is
    filtered, sorted and paginated in the URL. A colleague's invitation (and its reason) is
    not shown once it is claimed, as on the task page: only unclaimed ones in a queue the user
    works, and the user's own."""
    units = selectors.queue_units(request.user)
    status = request.GET.get("status") or "open"
    if status not in dict(INVITATION_STATUSES):
        status = "open"
    qs = WellbeingParticipation.objects.filter(
        Q(worker__isnull=True) | Q(worker=request.user), unit_id__in=units
    ).annotate(due=Min("tasks__due_on", filter=Q(tasks__step="wellbeing_contribution")))
    if status == "open":
        qs = qs.filter(ended_at__isnull=True, contributed_at__isnull=True)
    elif status == "contributed":
        qs = qs.filter(ended_at__isnull=True, contributed_at__isnull=False)
    elif status == "ended":
        qs = qs.filter(ended_at__isnull=False)
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(search_condition(query))
    sort = request.GET.get("sort") or "due"
    key = sort.lstrip("-")
    if key not in INVITATION_SORTS:
        sort, key = "due", "due"
    descending = sort.startswith("-")
    ordering = [
        F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
        for name in INVITATION_SORTS[key]
    ]
    qs = (
        qs.select_related(
            "case",
            "case__client",
            "organisation",
            "unit",
            "worker",
            "case__responsible_organisation",
            "invited_by",
        )
        .prefetch_related("tasks")
        .order_by(*ordering, "pk")
    )
    page = page_of(request, qs, 25)
    for p in page.object_list:
        tasks = [t for t in p.tasks.all() if t.step == "wellbeing_contribution"]
        p.task = max(tasks, key=lambda t: t.created_at) if tasks else None
        p.can_open = p.task is not None and p.ended_at is None
    return render(
        request,
        "workflows/invitations.html",
        {
            "page": page,
            "participations": page.object_list,
            "status": status,
            "statuses": INVITATION_STATUSES,
            "query": query,
            "sort": sort,
        },
    )
