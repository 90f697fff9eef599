"""Pages of the path: inbox, queue, task forms, the case page with the flow chart, and
registering a client."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from casework.rules import rules_on
from casework.selectors import (
    can_see_full_case,
    can_see_protected_details,
    cases_visible_to,
    intake_organisation,
    intake_places,
)
from casework.services.privacy import PROTECTED_FIELDS
from permissions.audit import audit_record

from . import selectors
from .access import visible_case_or_404, visible_task_or_404


@login_required
def inbox(request):
    page = _page(request, selectors.inbox_for(request.user))
    return render(request, "workflows/inbox.html", {"tasks": page.object_list, "page": page})


@login_required
def queue(request):
    from .services import claim_checker

    page = _page(request, selectors.queue_for(request.user))
    can_claim = claim_checker(request.user)
    for case_task in page.object_list:
        case_task.claimable = can_claim(case_task)
    return render(request, "workflows/queue.html", {"tasks": page.object_list, "page": page})


TASKS_PER_PAGE = 50


def _page(request, queryset):
    """One page of a task list, the most urgent first: a fixed cost whatever the length."""
    from django.core.paginator import Paginator

    page = Paginator(queryset, TASKS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return page


@login_required
@require_POST
def claim(request, uuid):
    from .services import TaskConflict, task_claim

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
    from .services import NOTHING_TO_TAKE, task_claim_next

    case_task = task_claim_next(by=request.user)
    if case_task is None:
        messages.info(request, NOTHING_TO_TAKE)
        return redirect("workflows:queue")
    messages.success(request, _("The task is now yours."))
    return redirect("workflows:task", uuid=case_task.uuid)


@login_required
@require_POST
def release(request, uuid):
    from .services import TaskConflict, task_release

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
        from .services import substituted_users
        from .steps import STEPS

        case_task = visible_task_or_404(request.user, uuid)
        self.may_work = case_task.is_open and case_task.owner_id in (
            request.user.pk,
            *substituted_users(request.user),
        )
        return case_task, STEPS[case_task.step]

    def _render(self, request, case_task, step, forms, status=200):
        from .services import can_claim

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
        from .services import TaskConflict, task_complete, task_save_draft
        from .steps import apply_errors, forms_valid

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
def case_detail(request, uuid):
    case = visible_case_or_404(request.user, uuid)
    audit_record(actor=request.user, obj=case.client, action="client.viewed", data={"via": "case"})
    full = can_see_full_case(request.user, case)
    context = {
        "case": case,
        "client": case.client,
        "full_case": full,
        "protected_visible": can_see_protected_details(request.user, case),
        # a wellbeing-area worker sees the steps they take part in, not the whole case
        "tasks": selectors.case_tasks(case)
        if full
        else selectors.case_tasks(case).filter(participation__worker=request.user),
        "events": case.events.select_related("actor") if full else None,
        "plans": case.plans.prefetch_related("measures__service", "measures__provider", "reviews")
        if full
        else None,
        "assessment": getattr(case, "assessment", None) if full else None,
        "participations": case.participations.select_related("organisation", "worker"),
        "print_languages": [("fi", "suomeksi"), ("sv", "på svenska"), ("en", "in English")],
    }
    return render(request, "workflows/case_detail.html", context)


@login_required
def case_chart(request, uuid):
    from viewflow.workflow import chart

    from .flows import IntegrationFlow

    case = visible_case_or_404(request.user, uuid)
    grid = chart.calc_layout_data(IntegrationFlow)
    process = getattr(case, "process", None)
    if process is not None:
        chart.calc_cell_status(IntegrationFlow, grid, process.pk)
    return HttpResponse(chart.grid_to_svg(grid), content_type="image/svg+xml")


@login_required
def flow_chart(request, fmt="svg"):
    from viewflow.workflow import chart

    from .flows import IntegrationFlow

    if fmt == "bpmn":
        grid = chart.calc_layout_data(IntegrationFlow, edge_start_gap_size=0, edge_end_gap_size=0)
        response = HttpResponse(chart.grid_to_bpmn(grid), content_type="application/xml")
        response["Content-Disposition"] = 'attachment; filename="kotopolku-integration-path.bpmn"'
        return response
    grid = chart.calc_layout_data(IntegrationFlow)
    return HttpResponse(chart.grid_to_svg(grid), content_type="image/svg+xml")


@login_required
def client_register(request):
    """Register a client and start the path; the case lands in the responsible queue."""
    from .forms import ClientForm
    from .services import client_register_and_start

    organisations, municipalities = intake_places(request.user)
    if not organisations:
        raise PermissionDenied
    form = ClientForm(request.POST or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ClientForm.Meta.fields}
        municipality = data["municipality"]
        organisation = intake_organisation(organisations, municipality)
        try:
            case = client_register_and_start(
                by=request.user,
                organisation=organisation,
                data=data,
                contacted_on=form.cleaned_data["contacted_on"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    target = field if field in form.fields else None
                    form.add_error(target, [m for e in errors for m in e.messages])
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Case %(number)s opened; it is in the queue of %(unit)s.")
                % {"number": case.number, "unit": case.unit},
            )
            if cases_visible_to(request.user).filter(pk=case.pk).exists():
                return redirect("workflows:case", uuid=case.uuid)
            return redirect("workflows:inbox")
    status = 400 if request.method == "POST" else 200
    return render(request, "workflows/client_form.html", {"form": form}, status=status)


def step_titles() -> dict:
    from .flows import IntegrationFlow

    return {node.name: node.task_title for node in IntegrationFlow.instance.nodes()}


def _require_manager(user):
    from .dashboard import managed_units

    if not managed_units(user).exists():
        raise PermissionDenied


@login_required
def manager_dashboard(request):
    from .dashboard import dashboard_for

    _require_manager(request.user)
    data = dashboard_for(request.user)
    titles = step_titles()
    for row in data.per_queue_step:
        row["title"] = titles.get(row["step"], row["step"])
    peak = max([a["count"] for a in data.ages] + [1])
    for age in data.ages:
        age["percent"] = round(100 * age["count"] / peak)
    week_peak = max([w["done"] for w in data.per_week] + [1])
    for week in data.per_week:
        week["percent"] = round(100 * week["done"] / week_peak)
    return render(request, "workflows/dashboard.html", {"d": data})


@login_required
def manager_tasks(request):
    """The tasks behind a dashboard figure: filter, reassign one or many, export as CSV."""
    from .dashboard import assignable_workers, drilldown
    from .services import TaskConflict, tasks_reassign

    _require_manager(request.user)
    tasks, errors = drilldown(request.user, request.GET)
    workers = assignable_workers(request.user)
    if request.method == "POST":
        chosen = request.POST.getlist("tasks")
        worker = workers.filter(pk=request.POST.get("worker") or 0).first()
        selected = list(tasks.filter(uuid__in=[c for c in chosen if _is_uuid(c)]))
        if not selected:
            errors.append(_("Choose at least one task."))
        elif worker is None:
            errors.append(_("Choose the worker who gets the tasks."))
        else:
            try:
                tasks_reassign(by=request.user, case_tasks=selected, to=worker)
            except (TaskConflict, PermissionDenied, ValidationError) as error:
                errors.append(
                    getattr(error, "message", None)
                    or "; ".join(getattr(error, "messages", [str(error)]))
                )
            else:
                messages.success(
                    request,
                    _("%(count)s tasks given to %(worker)s.")
                    % {"count": len(selected), "worker": worker.get_full_name() or worker},
                )
                return redirect(request.get_full_path())
    if request.GET.get("format") == "csv":
        return _tasks_csv(tasks)
    from django.core.paginator import Paginator

    page = Paginator(tasks, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "workflows/manager_tasks.html",
        {
            "page": page,
            "errors": errors,
            "workers": workers,
            "query": request.GET,
            "selected": set(request.POST.getlist("tasks")),
            "chosen_worker": request.POST.get("worker", ""),
        },
        status=400 if request.method == "POST" else 200,
    )


def _is_uuid(value):
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _tasks_csv(tasks):
    import csv

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kotopolku-tasks.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "case",
            "task",
            "queue",
            "assigned to",
            "status",
            "due",
            "created",
            "priority",
            "escalated",
        ]
    )
    for t in tasks.iterator(chunk_size=2000):
        writer.writerow(
            [
                t.case.number,
                t.step,
                t.unit.name,
                t.owner.get_username() if t.owner else "",
                t.status,
                t.due_on.isoformat() if t.due_on else "",
                t.created_at.date().isoformat(),
                t.priority,
                "yes" if t.escalated_at else "",
            ]
        )
    return response


@login_required
def plan_print(request, uuid, version):
    """The plan printable in its language (the client's), with places for signatures."""
    from django.utils import translation

    case = visible_case_or_404(request.user, uuid)
    if not can_see_full_case(request.user, case):
        raise Http404
    plan = get_object_or_404(
        case.plans.prefetch_related("measures__service", "measures__provider"), version=version
    )
    audit_record(
        actor=request.user,
        obj=case.client,
        action="client.viewed",
        data={"via": "plan_print", "version": version},
    )
    language = request.GET.get("lang") or plan.language
    if language not in ("fi", "sv", "en"):
        language = "fi"
    with translation.override(language):
        response = render(
            request,
            "workflows/plan_print.html",
            {
                "case": case,
                "client": case.client,
                "plan": plan,
                "language": language,
                "measures": plan.measures.all(),
                "worker": plan.drafted_by,
                "review_months": rules_on(plan.starts_on).review_interval_months,
            },
        )
    return response


@login_required
def client_search(request):
    """Find a client by name, identity code or case number among the cases one may see."""
    from django.db.models import Q

    query = request.GET.get("q", "").strip()
    results = []
    if len(query) >= 2:
        cases = cases_visible_to(request.user)
        condition = Q(number__iexact=query) | Q(
            client__personal_identity_code__iexact=query.upper()
        )
        for word in query.split()[:4]:
            condition |= Q(client__last_name__istartswith=word) | Q(
                client__first_names__istartswith=word
            )
        results = list(cases.filter(condition).order_by("client__last_name", "-created_at")[:50])
        audit_record(
            actor=request.user,
            obj=request.user,
            action="client.searched",
            data={"results": len(results)},
        )
    return render(request, "workflows/client_search.html", {"query": query, "results": results})


@login_required
def invitations(request):
    """A wellbeing-area worker's invitations: open, waiting in the unit or theirs."""
    from casework.models import WellbeingParticipation

    units = request.user.memberships.filter(is_active=True).values("unit_id")
    participations = (
        WellbeingParticipation.objects.filter(unit_id__in=units, ended_at__isnull=True)
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


@login_required
def client_change(request, uuid):
    """Change the client's facts; if they change who is responsible, the case and its open
    tasks move to the new owner's queue, and the history says who, when and why."""
    from casework.models import Municipality

    from .forms import ClientChangeForm
    from .services import client_change as change

    case = visible_case_or_404(request.user, uuid)
    if not can_see_full_case(request.user, case) or not case.is_open:
        raise Http404
    client = case.client
    protected_ok = can_see_protected_details(request.user, case)
    form = ClientChangeForm(
        request.POST or None, instance=client, municipalities=Municipality.objects.all()
    )
    if not protected_ok:
        for name in ("non_disclosure", *PROTECTED_FIELDS):
            del form.fields[name]
    if request.method == "POST" and form.is_valid():
        changes = {
            name: form.cleaned_data[name]
            for name in form.fields
            if name in ClientChangeForm.Meta.fields
        }
        try:
            change(
                by=request.user, client=client, changes=changes, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The client's details were saved."))
            case.refresh_from_db()
            if cases_visible_to(request.user).filter(pk=case.pk).exists():
                return redirect("workflows:case", uuid=case.uuid)
            messages.info(
                request,
                _("The case moved to %(organisation)s.")
                % {"organisation": case.responsible_organisation},
            )
            return redirect("workflows:inbox")
    return render(
        request,
        "workflows/client_change.html",
        {"form": form, "case": case, "client": client},
        status=400 if request.method == "POST" else 200,
    )


def _errors_to_form(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(
                field if field in form.fields else None, [m for e in errors for m in e.messages]
            )
    else:
        form.add_error(None, error)


@login_required
def case_close(request, uuid):
    """Close the case before its path ends: the client moved away, declined, ..."""
    from .forms import CloseCaseForm
    from .services import path_close

    case = visible_case_or_404(request.user, uuid)
    if not can_see_full_case(request.user, case):
        raise Http404
    form = CloseCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            path_close(
                by=request.user,
                case=case,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The case was closed."))
            return redirect("workflows:case", uuid=case.uuid)
    return render(
        request,
        "workflows/case_close.html",
        {"form": form, "case": case, "client": case.client},
        status=400 if request.method == "POST" else 200,
    )
