"""Data subject rights: export everything held about a client; anonymise closed cases after
the retention period, keeping what the statistics need."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permissions.audit import audit_record
from permissions.models import AuditEntry
from permissions.policy import can

from ..models import (
    Assessment,
    CaseEvent,
    CaseState,
    Client,
    GuidanceVisit,
    IntegrationCase,
    IntegrationPlan,
    Measure,
    Review,
    WellbeingParticipation,
)
from ..selectors import can_see_protected_details
from ._common import atomic_service


def _plain(obj, exclude=()) -> dict:
    data = model_to_dict(obj, exclude=exclude)
    for key, value in list(data.items()):
        if isinstance(value, dt.date | dt.datetime):
            data[key] = value.isoformat()
        elif isinstance(value, list):
            data[key] = [str(v) for v in value]
        elif value is not None and not isinstance(value, str | int | float | bool | dict):
            data[key] = str(value)  # countries, related objects, UUIDs
    return data


def ensure_can_view_client(by, client: Client) -> None:
    if not any(can(by, "casework.view_client_data", case) for case in client.cases.all()):
        raise PermissionDenied(_("You do not have permission to see this client's data."))


def client_export(*, by, client: Client) -> dict:
    """Everything Kotopolku holds about ``client``, including who has looked at it."""
    ensure_can_view_client(by, client)
    cases = []
    for case in client.cases.select_related("responsible_organisation", "unit", "owner"):
        assessment = Assessment.objects.filter(case=case).first()
        cases.append(
            {
                "case": {
                    **_plain(case, exclude=["id"]),
                    "uuid": str(case.uuid),
                    "state": case.get_state_display(),
                },
                "timeline": [
                    {
                        "at": e.at.isoformat(),
                        "event": str(e.get_kind_display()),
                        "by": e.actor.get_full_name() if e.actor else "",
                        "note": e.note,
                    }
                    for e in case.events.select_related("actor")
                ],
                "assessment": _plain(assessment, exclude=["id", "case"]) if assessment else None,
                "wellbeing_participation": [
                    _plain(p, exclude=["id", "case"]) for p in case.participations.all()
                ],
                "plans": [
                    {
                        **_plain(plan, exclude=["id", "case", "previous"]),
                        "state": plan.get_state_display(),
                        "measures": [
                            _plain(m, exclude=["id", "plan"]) for m in plan.measures.all()
                        ],
                        "reviews": [_plain(r, exclude=["id", "plan"]) for r in plan.reviews.all()],
                    }
                    for plan in case.plans.prefetch_related("measures", "reviews")
                ],
            }
        )
    access = [
        {
            "at": entry.at.isoformat(),
            "by": entry.actor_name,
            "action": entry.action,
            "object": entry.object_type,
        }
        for entry in AuditEntry.objects.filter(client_id=client.pk).order_by("at")
    ]
    visits = [
        {
            **_plain(visit, exclude=["id", "point", "client", "case", "logged_by", "channel"]),
            "point": visit.point.name,
            "channel": visit.channel.name if visit.channel else "",
            "topics": [t.name for t in visit.topics.all()],
            "referrals": [r.name for r in visit.referrals.all()],
        }
        for visit in client.guidance_visits.select_related("point__unit", "channel")
        .prefetch_related("topics", "referrals")
        .order_by("visited_at")
    ]
    audit_record(actor=by, obj=client, action="client.exported")
    client_data = {**_plain(client, exclude=["id", "created_by"]), "uuid": str(client.uuid)}
    if client.non_disclosure and not any(
        can_see_protected_details(by, case) for case in client.cases.all()
    ):
        for name in PROTECTED_FIELDS:
            client_data[name] = str(_("hidden: non-disclosure marking"))
    return {
        "exported_at": timezone.now().isoformat(),
        "client": client_data,
        "cases": cases,
        "guidance_visits": visits,
        "access_log": access,
    }


PROTECTED_FIELDS = ("street_address", "postal_code", "post_office", "phone", "email")

PERSONAL_FIELDS_BLANKED = {
    "personal_identity_code": None,
    "minor_representative": "",
    "street_address": "",
    "postal_code": "",
    "post_office": "",
    "phone": "",
    "email": "",
}


@dataclass
class AnonymisationReport:
    cutoff: dt.date
    clients: int = 0
    cases: int = 0
    skipped_open: int = 0
    client_ids: list[int] = field(default_factory=list)


@atomic_service
def anonymise_closed(
    *, retention_days: int, today: dt.date | None = None, dry_run: bool = False
) -> AnonymisationReport:
    """Anonymise every client whose cases all closed more than ``retention_days`` ago.

    Names, the identity code, contact details, the exact date of birth and every free text
    go; the category facts, dates of the path, municipality, languages, country of origin,
    gender and year of birth stay, so the statistics still add up.
    """
    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=retention_days)
    candidates = Client.objects.filter(
        anonymised_at__isnull=True, pk__in=IntegrationCase.objects.values("client_id")
    )
    report = AnonymisationReport(cutoff=cutoff)
    for client in candidates.select_for_update(of=("self",)).prefetch_related("cases"):
        cases = list(client.cases.all())
        if any(case.state != CaseState.CLOSED for case in cases):
            report.skipped_open += 1
            continue
        if any(case.closed_on is None or case.closed_on > cutoff for case in cases):
            continue
        report.clients += 1
        report.cases += len(cases)
        report.client_ids.append(client.pk)
        if dry_run:
            continue
        _anonymise(client, cases)
    return report


def _anonymise(client: Client, cases: list[IntegrationCase]) -> None:
    client.first_names = "—"
    client.last_name = str(_("anonymised"))
    for name, value in PERSONAL_FIELDS_BLANKED.items():
        setattr(client, name, value)
    if client.date_of_birth:
        client.date_of_birth = client.date_of_birth.replace(month=1, day=1)
    client.anonymised_at = timezone.now()
    client.save()
    case_ids = [case.pk for case in cases]
    Assessment.objects.filter(case_id__in=case_ids).update(
        learning_skills="",
        working_life_skills="",
        education_history="",
        work_history="",
        education_goals="",
        particular_skills="",
        life_situation="",
        other_service_needs="",
        wellbeing_participation_reason="",
        multi_professional_summary="",
    )
    WellbeingParticipation.objects.filter(case_id__in=case_ids).update(
        reason="", contribution="", services_offered=""
    )
    IntegrationPlan.objects.filter(case_id__in=case_ids).update(
        long_term_goals="",
        period_goals="",
        job_seeking_obligation="",
        follow_up="",
        refusal_reason="",
    )
    Measure.objects.filter(plan__case_id__in=case_ids).update(notes="")
    Review.objects.filter(plan__case_id__in=case_ids).update(participants="", notes="")
    CaseEvent.objects.filter(case_id__in=case_ids).update(note="")
    # the guidance visits stay in the statistics, without the client's words
    GuidanceVisit.objects.filter(client=client).update(feedback="")
    audit_record(actor=None, obj=client, action="client.anonymised", data={"cases": len(case_ids)})
