"""Registering a client (which starts the path) and finding one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

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


@login_required
def client_search(request):
    """Find a client by name, identity code or case number among the cases one may see."""
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
