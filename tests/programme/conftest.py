"""Fixtures for the integration programme: path data written straight to the tables (with
known dates, so each computed indicator has a known answer), a programme, and people in the
coordinator's and the other roles."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from casework import services as casework_services
from casework.models import (
    CaseEvent,
    Client,
    IntegrationCase,
    IntegrationPlan,
    Municipality,
    Organisation,
    ParticipationPhase,
    Review,
    Role,
    Unit,
    WellbeingParticipation,
)
from tests.workflows.conftest import staff, start_path  # noqa: F401

D = dt.date
_numbers = itertools.count(1)
BORN = dt.date(1990, 5, 5)


def aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def make_case(
    *,
    municipality="272",
    category="international_protection",
    mother_tongue="ar",
    contacted: dt.date,
    started=None,
    completed=None,
    closed=None,
    close_reason="",
    period_ends=None,
    first_names=None,
    last_name="Testi",
    born=BORN,
    client=None,
    state=None,
) -> IntegrationCase:
    """A client and one case with the given dates, written directly (no services)."""
    number = next(_numbers)
    muni = Municipality.objects.get(code=municipality)
    org = Organisation.objects.get(code="kokkola" if municipality == "272" else "kannus")
    if client is None:
        client = Client.objects.create(
            first_names=first_names or f"Asiakas{number}",
            last_name=last_name,
            date_of_birth=born,
            municipality=muni,
            mother_tongue=mother_tongue,
        )
    if state is None:
        state = "closed" if closed else "plan_active" if completed else "intake"
    return IntegrationCase.objects.create(
        number=f"T-{number}",
        client=client,
        state=state,
        category=category,
        responsible_organisation=org,
        unit=org.units.first(),
        contacted_on=contacted,
        assessment_started_on=started,
        assessment_completed_on=completed,
        closed_on=closed,
        close_reason=close_reason,
        integration_period_ends_on=period_ends,
    )


def make_plan(case, *, version=1, state="approved", starts=None, approved=None, decided=None):
    plan = IntegrationPlan.objects.create(
        case=case,
        version=version,
        state=state,
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=300) if starts else None,
        approved_on=approved,
        client_decision_on=decided,
        refusal_reason="ei halua" if state == "refused" else "",
    )
    if approved and not case.plan_approved_on:
        IntegrationCase.objects.filter(pk=case.pk).update(plan_approved_on=approved)
    return plan


def make_review(plan, *, on, next_due=None):
    return Review.objects.create(
        plan=plan, reviewed_on=on, notes="ok", outcome="continue", next_review_due=next_due
    )


def make_participation(case, *, invited, contributed=None, phase=ParticipationPhase.ASSESSMENT):
    soite = Organisation.objects.get(code="soite")
    participation = WellbeingParticipation.objects.create(
        case=case, phase=phase, organisation=soite, unit=soite.units.first(), reason="tuki"
    )
    WellbeingParticipation.objects.filter(pk=participation.pk).update(
        invited_at=aware(invited), contributed_at=aware(contributed, 15) if contributed else None
    )
    return participation


def make_event(case, kind, on):
    event = CaseEvent.objects.create(case=case, kind=kind)
    CaseEvent.objects.filter(pk=event.pk).update(at=aware(on))
    return event


@pytest.fixture
def kokkola(reference_data):
    return Municipality.objects.get(code="272")


@pytest.fixture
def people(staff):  # noqa: F811 - the shared fixture
    """The path's staff plus a coordinator of Kokkola (kirsi) and of Kannus (kimmo), and an
    auditor (aino)."""
    users = dict(staff)
    for name, org, unit, role in (
        ("kirsi", "kokkola", "kotoutumispalvelut", Role.COORDINATOR),
        ("kimmo", "kannus", "kotoutumistyo", Role.COORDINATOR),
        ("kalle", "kannus", "kotoutumistyo", Role.MANAGER),
        ("aino", "kokkola", "kotoutumispalvelut", Role.AUDITOR),
    ):
        user = get_user_model().objects.create_user(
            username=name, password="x", first_name=name.title()
        )
        casework_services.membership_grant(
            by=None, user=user, unit=Unit.objects.get(organisation__code=org, code=unit), role=role
        )
        users[name] = user
    return users
