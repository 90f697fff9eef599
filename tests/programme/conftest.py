"""Fixtures for the integration programme: path data written straight to the tables (with
known dates, so each computed indicator has a known answer), a programme, and people in the
coordinator's and the other roles."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation

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
            register=org,
        )
    if state is None:
        state = "closed" if closed else "plan_active" if completed else "intake"
    return IntegrationCase.objects.create(
        number=f"T-{number}",
        client=client,
        municipality=client.municipality,
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


THIS_YEAR = timezone.localdate().year


@pytest.fixture
def programme(people):
    """Kokkola's programme from two years ago to next year: two themes; a measure per goal;
    a manual count, a manual scale 1–5 and a computed indicator (new clients)."""
    from casework.services import programme as s

    kirsi = people["kirsi"]
    unit = Unit.objects.get(organisation__code="kokkola", code="kotoutumispalvelut")
    programme = s.programme_create(
        by=kirsi,
        data={
            "name_fi": "Kotouttamisohjelma",
            "name_sv": "Integrationsprogram",
            "first_year": THIS_YEAR - 2,
            "last_year": THIS_YEAR + 1,
        },
        organisations=[Organisation.objects.get(code="kokkola")],
        municipalities=[Municipality.objects.get(code="272")],
    )
    housing = s.theme_save(by=kirsi, programme=programme, data={"name_fi": "Asuminen"})
    language = s.theme_save(
        by=kirsi, programme=programme, data={"name_fi": "Kieli", "name_sv": "Språk"}
    )
    goal = s.goal_save(by=kirsi, theme=housing, data={"text_fi": "Asuntoja riittää"})
    goal2 = s.goal_save(by=kirsi, theme=language, data={"text_fi": "Kieli opitaan"})
    s.programme_measure_save(
        by=kirsi,
        goal=goal,
        data={"text_fi": "Asumisneuvonta", "schedule": "Jatkuva", "responsible_unit": unit},
    )
    s.programme_measure_save(
        by=kirsi,
        goal=goal2,
        data={
            "text_fi": "Kielikurssit",
            "schedule": "Jatkuva",
            "responsible_organisation": Organisation.objects.get(code="kpedu"),
            "partners": "Kansalaisopisto",
        },
    )
    s.indicator_save(
        by=kirsi,
        goal=goal,
        data={
            "name_fi": "Neuvontakäynnit",
            "name_sv": "Rådgivningsbesök",
            "kind": "manual",
            "value_type": "number",
            "unit_label": "käyntiä",
        },
    )
    s.indicator_save(
        by=kirsi,
        goal=goal2,
        data={
            "name_fi": "Arvio kielitaidosta",
            "kind": "manual",
            "value_type": "scale",
            "scale_min": 1,
            "scale_max": 5,
        },
    )
    s.indicator_save(
        by=kirsi,
        goal=goal2,
        data={"name_fi": "Uudet asiakkaat", "kind": "computed", "computation": "new_clients"},
    )
    return programme


def item(programme, model, **lookup):
    """A part of ``programme`` by a field (``name_fi``, ``text_fi``)."""
    from casework.models import Goal, Indicator, ProgrammeMeasure, Theme

    path = {
        Theme: "programme",
        Goal: "theme__programme",
        ProgrammeMeasure: "goal__theme__programme",
        Indicator: "goal__theme__programme",
    }[model]
    return model.objects.get(**{path: programme}, **lookup)


@pytest.fixture
def in_english(client, settings):
    """The programme's tests read its messages in English (the catalogues translate them to
    Finnish and Swedish; the pages' language comes from the language cookie, as a user's)."""
    translation.activate("en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
