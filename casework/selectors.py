"""Reads, already narrowed to what the user may see, with the joins a page needs."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q

from permissions.models import AuditEntry
from permissions.policy import organisations_where

from .models import (
    QUEUE_ROLES,
    Client,
    IntegrationCase,
    IntegrationPlan,
    Membership,
    Municipality,
    Organisation,
    OrganisationKind,
    PlanState,
    RuleSet,
    WellbeingParticipation,
)


def cases_visible_to(user):
    """Cases of the user's organisations, and those the user takes part in for the
    wellbeing area (only while their part lasts)."""
    orgs = organisations_where(user, "casework.view_client_data")
    taking_part = WellbeingParticipation.objects.filter(
        case=OuterRef("pk"), worker=user, ended_at__isnull=True
    )
    return IntegrationCase.objects.filter(
        Q(responsible_organisation_id__in=orgs) | Exists(taking_part)
    ).select_related("client", "client__municipality", "responsible_organisation", "unit", "owner")


def can_see_full_case(user, case) -> bool:
    """Full client data for staff of the responsible organisation; a wellbeing-area worker
    taking part sees the case summary and their own steps."""
    return case.responsible_organisation_id in organisations_where(
        user, "casework.view_client_data"
    )


def can_see_protected_details(user, case) -> bool:
    """Address and contact details under a non-disclosure marking: only named staff."""
    if not can_see_full_case(user, case):
        return False
    if not case.client.non_disclosure:
        return True
    # named in a membership of the responsible organisation whose role works its cases (the
    # flag on an auditor's or administrator's membership opens nothing by itself)
    return user.memberships.filter(
        is_active=True,
        can_see_protected_details=True,
        role__in=QUEUE_ROLES,
        unit__organisation_id=case.responsible_organisation_id,
    ).exists()


# Intake happens at a municipality or an employment authority; the wellbeing area takes part
# in cases but opens none.
INTAKE_KINDS = (OrganisationKind.MUNICIPALITY, OrganisationKind.EMPLOYMENT_AUTHORITY)


def intake_places(user):
    """Where the user may register clients: ``(organisation ids, municipalities served)``."""
    organisations = list(
        Organisation.objects.filter(
            pk__in=organisations_where(user, "casework.assess_case"), kind__in=INTAKE_KINDS
        ).values_list("pk", flat=True)
    )
    municipalities = Municipality.objects.filter(organisations__in=organisations).distinct()
    return organisations, municipalities


def intake_organisation(organisations, municipality):
    """The user's organisation that registers a client of ``municipality``."""
    return municipality.organisations.filter(pk__in=organisations).first()


def current_draft(case) -> IntegrationPlan | None:
    """The plan being drawn up for the case (the newest draft), or None."""
    return case.plans.filter(state=PlanState.DRAFT).order_by("-version").first()


# What a wellbeing-area worker taking part sees of the assessment: what the invitation is
# about (the client's literacy and language skills, life situation, other service needs and
# why the area was invited), not the education and work history or the plan.
PARTICIPANT_ASSESSMENT_FIELDS = (
    "interview_date",
    "interpreter_used",
    "literacy",
    "finnish_level",
    "swedish_level",
    "life_situation",
    "other_service_needs",
    "wellbeing_participation_reason",
)


def assessment_for(user, case) -> tuple[object | None, tuple[str, ...]]:
    """The case's assessment and the names of its fields ``user`` may read: all of them for
    staff of the responsible organisation, ``PARTICIPANT_ASSESSMENT_FIELDS`` for a
    wellbeing-area worker taking part now, none otherwise."""
    assessment = getattr(case, "assessment", None)
    if assessment is None:
        return None, ()
    if can_see_full_case(user, case):
        return assessment, tuple(
            f.name
            for f in assessment._meta.concrete_fields
            if f.name not in ("id", "uuid", "case", "assessed_by", "completed_at")
        )
    if case.participations.filter(worker=user, ended_at__isnull=True).exists():
        return assessment, PARTICIPANT_ASSESSMENT_FIELDS
    return None, ()


def rule_set_history(rule_set: RuleSet):
    """Who changed the rule set (and its step targets), what and when, on what legal basis:
    its entries in the audit trail, newest first."""
    return AuditEntry.objects.filter(
        object_type=RuleSet._meta.label_lower, object_id=str(rule_set.pk)
    ).order_by("-at", "-pk")


def audit_entries_visible_to(
    user, *, client=None, actor="", action="", since=None, until=None
) -> tuple:
    """``(entries, client_unknown)``: the audit entries ``user`` may read (about clients of
    their organisations' cases, or made by staff of their organisations), newest first,
    narrowed by the audit page's filters: ``client`` a client's UUID, ``actor`` a user name,
    ``action`` its beginning, ``since`` and ``until`` dates. Another organisation's client is
    no client, the same answer as an identifier that does not exist (``client_unknown``).
    PermissionDenied for a user who may read no audit trail. The page and its export both
    read the trail through here."""
    organisations = organisations_where(user, "permissions.view_auditentry")
    if not organisations:
        raise PermissionDenied
    client_ids = IntegrationCase.objects.filter(
        responsible_organisation_id__in=organisations
    ).values("client_id")
    staff_ids = Membership.objects.filter(unit__organisation_id__in=organisations).values("user_id")
    entries = AuditEntry.objects.filter(Q(client_id__in=client_ids) | Q(actor_id__in=staff_ids))
    client_unknown = False
    if client:
        try:
            found = (
                Client.objects.filter(uuid=uuid.UUID(str(client)), pk__in=client_ids)
                .values("pk")
                .first()
            )
        except ValueError:  # a malformed identifier is no client either
            found = None
        client_unknown = found is None
        entries = entries.none() if client_unknown else entries.filter(client_id=found["pk"])
    if actor:
        entries = entries.filter(actor_name=actor)
    if action:
        entries = entries.filter(action__startswith=action)
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries.order_by("-at", "-pk"), client_unknown
