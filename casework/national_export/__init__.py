"""The national reporting dataset: the statutory content of assessments and plans for a
period, pseudonymised, in a versioned format described by a JSON Schema
(``schema-v1.json`` beside this file; ``README.md`` says what each part means).

Which cases: every case open on at least one day of the period (first contact on or before
its last day, and not closed before its first day), optionally only those of some responsible
organisations. Each record holds the case's dates and codes, never a name, an identity
code, contact details or free text. Client and case ids are HMAC-SHA256 pseudonyms under
``NATIONAL_EXPORT_KEY``: the same key gives the same pseudonym in every export, so the
receiver can follow a client across years without knowing who it is; without the key
nobody can tell whose record it is.

``build_dataset`` reads; ``casework.services.national_export`` checks permission, records
and audits the export.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from pathlib import Path

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from ..models import (
    CaseEvent,
    CaseEventKind,
    IntegrationCase,
    IntegrationPlan,
    Measure,
    PlanState,
    WellbeingParticipation,
)

DATASET = "kotopolku-national-integration-report"
SCHEMA_VERSION = "1.0"
SCHEMA_PATH = Path(__file__).with_name("schema-v1.json")


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def key_id(key: bytes) -> str:
    """Names the key without revealing it (12 hex digits of a hash)."""
    return hashlib.sha256(b"kotopolku-national-export-key:" + key).hexdigest()[:12]


def pseudonym(key: bytes, kind: str, public_id) -> str:
    return hmac.new(key, f"{kind}:{public_id}".encode(), hashlib.sha256).hexdigest()


def cases_in_period(start: dt.date, end: dt.date, organisation_ids=None):
    cases = IntegrationCase.objects.filter(contacted_on__lte=end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=start)
    )
    if organisation_ids is not None:
        cases = cases.filter(responsible_organisation_id__in=organisation_ids)
    return cases


def _day(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return value.isoformat()


def _assessment(case) -> dict | None:
    assessment = getattr(case, "assessment", None)
    if assessment is None and case.assessment_started_on is None:
        return None
    return {
        "started_on": _day(case.assessment_started_on),
        "completed_on": _day(case.assessment_completed_on),
        "interview_on": _day(assessment.interview_date) if assessment else None,
        "literacy": (assessment.literacy or None) if assessment else None,
        "finnish_level": (assessment.finnish_level or None) if assessment else None,
        "swedish_level": (assessment.swedish_level or None) if assessment else None,
        "plan_needed": assessment.plan_needed if assessment else None,
        "wellbeing_participation_needed": assessment.wellbeing_participation_needed
        if assessment
        else None,
        "interpreter_used": bool(assessment and assessment.interpreter_used),
        "interpreter_language": (assessment.interpreter_language or None) if assessment else None,
    }


def _plan(plan) -> dict:
    if plan.state == PlanState.REFUSED:
        decision = "refused"
    elif plan.client_decision_on is not None:
        decision = "agreed"
    else:
        decision = None
    return {
        "version": plan.version,
        "state": plan.state,
        "language": plan.language or None,
        "starts_on": _day(plan.starts_on),
        "ends_on": _day(plan.ends_on),
        "client_decision": decision,
        "client_decision_on": _day(plan.client_decision_on),
        "approved_on": _day(plan.approved_on),
        "ended_on": _day(plan.ended_on),
        "measures": [
            {
                "type": measure.service.kind,
                "service": measure.service.code,
                "provider": measure.provider.code if measure.provider_id else None,
                "language": measure.language or None,
                "hours": measure.hours if measure.hours is not None else measure.service.hours,
                "starts_on": _day(measure.starts_on),
                "ends_on": _day(measure.ends_on),
                "state": measure.state,
            }
            for measure in plan.measures.all()
        ],
    }


def _record(case, key: bytes) -> dict:
    plans = [_plan(plan) for plan in case.plans.all()]
    return {
        "client": pseudonym(key, "client", case.client.uuid),
        "case": pseudonym(key, "case", case.uuid),
        "municipality": case.client.municipality.code,
        "responsible_organisation": case.responsible_organisation.code,
        "category": case.category,
        "state": case.state,
        "contacted_on": _day(case.contacted_on),
        "assessment": _assessment(case),
        "wellbeing_area_took_part": bool(case.participation_ids),
        "plans": plans,
        "plan_refused": any(plan["client_decision"] == "refused" for plan in plans),
        "transfers": [
            {
                "on": _day(event.at),
                "from": (event.data.get("from") or {}).get("organisation"),
                "to": (event.data.get("to") or {}).get("organisation"),
            }
            for event in case.transfer_events
        ],
        "closed_on": _day(case.closed_on),
        "close_reason": case.close_reason or None,
    }


def build_dataset(
    *,
    start: dt.date,
    end: dt.date,
    key: bytes,
    organisation_codes: list[str] | None = None,
    organisation_ids: list[int] | None = None,
    generated_at: dt.datetime | None = None,
) -> dict:
    """The dataset of the cases open during ``start``–``end`` (see the module). A fixed
    number of queries per 2 000 cases."""
    cases = (
        cases_in_period(start, end, organisation_ids)
        .select_related("client__municipality", "responsible_organisation", "assessment")
        .prefetch_related(
            Prefetch(
                "plans",
                queryset=IntegrationPlan.objects.order_by("version").prefetch_related(
                    Prefetch(
                        "measures",
                        queryset=Measure.objects.select_related("service", "provider").order_by(
                            "starts_on", "pk"
                        ),
                    )
                ),
            ),
            Prefetch(
                "events",
                queryset=CaseEvent.objects.filter(kind=CaseEventKind.TRANSFERRED).order_by(
                    "at", "pk"
                ),
                to_attr="transfer_events",
            ),
        )
        .order_by("pk")
    )
    cases = cases.annotate(
        participation_ids=Exists(WellbeingParticipation.objects.filter(case=OuterRef("pk")))
    )
    records = [_record(case, key) for case in cases.iterator(chunk_size=2000)]
    return {
        "dataset": DATASET,
        "schema_version": SCHEMA_VERSION,
        "generated_at": (generated_at or timezone.now()).isoformat(),
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "organisations": sorted(organisation_codes) if organisation_codes is not None else None,
        "pseudonymisation": {"method": "HMAC-SHA256", "key_id": key_id(key)},
        "record_count": len(records),
        "records": records,
    }


def canonical_bytes(dataset: dict) -> bytes:
    """The dataset as compact JSON with sorted keys: what is hashed and written."""
    return json.dumps(dataset, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
