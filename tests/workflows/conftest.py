"""Fixtures for driving the integration path end to end, as each role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from casework import services as casework_services
from casework.models import Municipality, Organisation, Role, Service, Unit
from workflows import services
from workflows.models import CaseTask


def _unit(org, code):
    return Unit.objects.get(organisation__code=org, code=code)


@pytest.fixture
def staff(reference_data):
    """One person per role and organisation, keyed by a short name."""
    spec = {
        "anna": ("kokkola", "kotoutumispalvelut", Role.CASE_WORKER),
        "bertil": ("kokkola", "kotoutumispalvelut", Role.CASE_WORKER),
        "maria": ("kokkola", "kotoutumispalvelut", Role.MANAGER),
        "kaisa": ("kannus", "kotoutumistyo", Role.CASE_WORKER),
        "tuomas": ("kp-tyollisyysalue", "maahanmuuttajapalvelut", Role.CASE_WORKER),
        "teija": ("kp-tyollisyysalue", "maahanmuuttajapalvelut", Role.MANAGER),
        "sanna": ("soite", "monialainen-kotoutuminen", Role.WELLBEING_WORKER),
        "sakari": ("soite", "monialainen-kotoutuminen", Role.WELLBEING_WORKER),
        "sirpa": ("soite", "monialainen-kotoutuminen", Role.MANAGER),
    }
    users = {}
    for name, (org, unit, role) in spec.items():
        user = get_user_model().objects.create_user(
            username=name, password="x", email=f"{name}@example.invalid", first_name=name.title()
        )
        casework_services.membership_grant(by=None, user=user, unit=_unit(org, unit), role=role)
        users[name] = user
    return users


def client_data(**overrides):
    today = timezone.localdate()
    data = {
        "first_names": "Amina",
        "last_name": "Hassan",
        "date_of_birth": dt.date(1990, 5, 5),
        "municipality": Municipality.objects.get(code="272"),
        "first_residence_permit_date": today - dt.timedelta(days=200),
        "residence_basis": "quota_refugee",
        "labour_market_status": "outside_labour_force",
        "mother_tongue": "ar",
        "preferred_language": "fi",
    }
    data.update(overrides)
    return data


@pytest.fixture
def start_path(staff):
    def start(by="anna", organisation="kokkola", **overrides):
        return services.client_register_and_start(
            by=staff[by],
            organisation=Organisation.objects.get(code=organisation),
            data=client_data(**overrides),
        )

    return start


def open_task(case, step) -> CaseTask:
    return CaseTask.objects.get(case=case, step=step, status__in=["NEW", "ASSIGNED"])


def open_steps(case) -> set[str]:
    return set(
        CaseTask.objects.filter(case=case, status__in=["NEW", "ASSIGNED", "STARTED"]).values_list(
            "step", flat=True
        )
    )


def act(case, step, user, data=None):
    """Take the step's task if it waits in a queue, then complete it with ``data``."""
    case_task = open_task(case, step)
    if case_task.status == "NEW":
        case_task = services.task_claim(by=user, case_task=case_task)
    services.task_complete_with_data(by=user, case_task=case_task, data=data or {})
    case.refresh_from_db()
    return case


def assessment(**overrides):
    data = {
        "interview_date": timezone.localdate(),
        "literacy": "latin",
        "finnish_level": "A1",
        "swedish_level": "none",
        "learning_skills": "good",
        "working_life_skills": "some",
        "education_history": "secondary school",
        "work_history": "shop assistant",
        "education_goals": "B1 Finnish",
        "life_situation": "family of four",
        "plan_needed": True,
        "wellbeing_participation_needed": False,
        "interpreter_used": False,
    }
    data.update(overrides)
    return data


def plan(case, **overrides):
    today = timezone.localdate()
    data = {
        "language": "fi",
        "starts_on": today,
        "ends_on": today + dt.timedelta(days=300),
        "long_term_goals": "work as a nurse",
        "period_goals": "Finnish to A2",
        "follow_up": "meetings every six months",
        "job_seeking_obligation": "two applications a month"
        if case.category == "unemployed_jobseeker"
        else "",
        "measures": [
            {
                "service": Service.objects.get(code="integration-training-fi"),
                "provider": Organisation.objects.get(code="kpedu"),
                "language": "fi",
                "starts_on": today + dt.timedelta(days=20),
                "ends_on": today + dt.timedelta(days=200),
            }
        ],
    }
    data.update(overrides)
    return data


def drive_to_plan_active(case, user):
    """Intake, assessment (no wellbeing area), plan, agreement, approval."""
    act(case, "intake", user)
    act(case, "assess", user, assessment())
    act(case, "draft_plan", user, plan(case))
    act(case, "client_decision", user, {"decision": "agree", "decided_on": timezone.localdate()})
    act(case, "approve", user, {"confirm": True})
    return case
