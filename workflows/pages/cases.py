"""The case page with its flow chart, the printable plan, changing the client's facts and
closing the case early."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from viewflow.workflow import chart

from casework.models import Municipality
from casework.rules import rules_on
from casework.selectors import can_see_full_case, can_see_protected_details, cases_visible_to
from casework.services.privacy import PROTECTED_FIELDS
from permissions.audit import audit_record
from workflows import selectors
from workflows.access import visible_case_or_404
from workflows.flows import IntegrationFlow
from workflows.forms import ClientChangeForm, CloseCaseForm
from workflows.services import client_change as change
from workflows.services import path_close

from .common import PLAN_CONTENTS, errors_to_form
from .flowchart import chart_focus, flow_svg, progress


@login_required
def case_detail(request, uuid):
    case = visible_case_or_404(request.user, uuid)
    audit_record(actor=request.user, obj=case.client, action="client.viewed", data={"via": "case"})
    full = can_see_full_case(request.user, case)
    tasks = (
        selectors.case_tasks(case)
        if full
        else selectors.case_tasks(case).filter(participation__worker=request.user)
    )
    participations = list(case.participations.select_related("organisation", "worker"))
    plans = list(case.plans.prefetch_related(*PLAN_CONTENTS)) if full else None
    open_tasks = [t for t in tasks if t.is_open]
    context = {
        "case": case,
        "client": case.client,
        "full_case": full,
        "protected_visible": can_see_protected_details(request.user, case),
        # a wellbeing-area worker sees the steps they take part in, not the whole case
        "tasks": tasks,
        "stages": progress(
            case,
            open_tasks,
            invited=bool(participations),
            had_plan=bool(plans) if full else None,
        ),
        "chart_focus": chart_focus(case.pk),
        "events": case.events.select_related("actor") if full else None,
        "plans": plans,
        "assessment": getattr(case, "assessment", None) if full else None,
        "participations": participations,
        "print_languages": [("fi", "suomeksi"), ("sv", "på svenska"), ("en", "in English")],
    }
    return render(request, "workflows/case_detail.html", context)


@login_required
def case_chart(request, uuid):
    """The path's chart coloured by where this case is."""
    case = visible_case_or_404(request.user, uuid)
    process = getattr(case, "process", None)
    return HttpResponse(
        flow_svg(process.pk if process is not None else None), content_type="image/svg+xml"
    )


@login_required
def flow_chart(request, fmt="svg"):
    if fmt == "bpmn":
        grid = chart.calc_layout_data(IntegrationFlow, edge_start_gap_size=0, edge_end_gap_size=0)
        response = HttpResponse(chart.grid_to_bpmn(grid), content_type="application/xml")
        response["Content-Disposition"] = 'attachment; filename="kotopolku-integration-path.bpmn"'
        return response
    return HttpResponse(flow_svg(), content_type="image/svg+xml")


@login_required
def plan_print(request, uuid, version):
    """The plan printable in its language (the client's), with places for signatures."""
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
def client_change(request, uuid):
    """Change the client's facts; if they change who is responsible, the case and its open
    tasks move to the new owner's queue, and the history says who, when and why."""
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
            errors_to_form(form, error)
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


@login_required
def case_close(request, uuid):
    """Close the case before its path ends: the client moved away, declined, ..."""
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
            errors_to_form(form, error)
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
