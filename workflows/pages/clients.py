"""Registering a client (which starts the path) and finding one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from casework.models import IntegrationCase, ResponsibilityRule
from casework.search import search_cases
from casework.selectors import cases_visible_to, intake_organisation, intake_places
from permissions.audit import audit_record
from workflows.forms import ClientForm
from workflows.services import client_register_and_start

from .common import errors_to_form


@login_required
def client_register(request):
    """Register a client and start the path; the case lands in the responsible queue."""
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
            errors_to_form(form, error)
        else:
            registered = request.session.get(REGISTERED_KEY, [])[-(REGISTERED_KEPT - 1) :]
            request.session[REGISTERED_KEY] = [*registered, str(case.uuid)]
            return redirect("workflows:client_registered", uuid=case.uuid)
    status = 400 if request.method == "POST" else 200
    return render(request, "workflows/client_form.html", {"form": form}, status=status)


# The cases this session registered: their confirmation pages may be shown to it even when
# the case went to another organisation's queue (and so out of the worker's sight).
REGISTERED_KEY = "registered_cases"
REGISTERED_KEPT = 20


@login_required
def client_registered(request, uuid):
    """The confirmation after registering a client: what was registered, which path and
    queue the case went to and why (the municipality's responsibility table), and a link to
    the case if the worker may still see it."""
    if str(uuid) not in request.session.get(REGISTERED_KEY, []):
        raise Http404
    case = (
        IntegrationCase.objects.select_related(
            "client", "client__municipality", "responsible_organisation", "unit"
        )
        .filter(uuid=uuid)
        .first()
    )
    if case is None:
        raise Http404
    audit_record(
        actor=request.user, obj=case.client, action="client.viewed", data={"via": "registration"}
    )
    rule = ResponsibilityRule.objects.filter(
        municipality=case.client.municipality, category=case.category
    ).first()
    first_task = case.tasks.select_related("unit", "owner").order_by("created_at").first()
    return render(
        request,
        "workflows/client_registered.html",
        {
            "case": case,
            "client": case.client,
            "rule": rule,
            "first_task": first_task,
            "visible": cases_visible_to(request.user).filter(pk=case.pk).exists(),
            "own_organisation": request.user.memberships.filter(
                is_active=True, unit__organisation_id=case.responsible_organisation_id
            ).exists(),
        },
    )


@login_required
def client_search(request):
    """Find a client by case number, personal identity code, date of birth or name (accents,
    case and a letter or two wrong do not matter) among the cases one may see."""
    query = request.GET.get("q", "").strip()
    kind, results = search_cases(request.user, query)
    if kind:
        audit_record(
            actor=request.user,
            obj=request.user,
            action="client.searched",
            data={"results": len(results), "by": kind},
        )
    return render(
        request,
        "workflows/client_search.html",
        {"query": query, "kind": kind, "results": results, "too_short": not kind and bool(query)},
    )
