"""A home parent who registers as an unemployed jobseeker mid-plan: responsibility moves to
the employment authority, and so do the open tasks; the history says who, when and why."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework.models import CaseEvent, CaseState, ClientCategory, Municipality, ResponsibilityRule
from workflows import services

from .conftest import act, assessment, drive_to_plan_active, open_task, plan


def test_home_parent_becomes_jobseeker_mid_plan(start_path, staff):
    anna, tuomas = staff["anna"], staff["tuomas"]
    case = start_path(
        residence_basis="family", labour_market_status="home_parent", child_home_care_allowance=True
    )
    assert case.category == "home_parent"
    drive_to_plan_active(case, anna)
    # A review falls due: its task is anna's.
    case.next_review_due = timezone.localdate()
    case.save(update_fields=["next_review_due"])
    # Start a revision so that there is an open task to move.
    from viewflow.workflow.models import Task
    from viewflow.workflow.timers import fire_due_timers

    Task.objects.filter(process=case.process, flow_task_type="TIMER").update(
        scheduled=timezone.now()
    )
    assert fire_due_timers() == 1
    review = open_task(case, "review")
    assert review.owner == anna

    services.client_change(
        by=anna,
        client=case.client,
        changes={
            "labour_market_status": "unemployed_jobseeker",
            "child_home_care_allowance": False,
        },
        reason="Registered as an unemployed jobseeker on 1.11.",
    )
    case.refresh_from_db()
    assert case.category == "unemployed_jobseeker"
    assert case.responsible_organisation.code == "kp-tyollisyysalue"
    assert case.owner is None
    assert case.state == CaseState.PLAN_ACTIVE  # the plan stays in force
    review.refresh_from_db()
    assert review.unit.organisation.code == "kp-tyollisyysalue"
    assert review.status == "NEW" and review.owner is None
    event = CaseEvent.objects.get(case=case, kind="transferred")
    assert event.actor == anna
    assert event.note == "Registered as an unemployed jobseeker on 1.11."
    assert event.data["from"]["organisation"] == "kokkola"
    assert event.data["to"]["organisation"] == "kp-tyollisyysalue"

    act(
        case,
        "review",
        tuomas,
        {"reviewed_on": timezone.localdate(), "notes": "taken over", "outcome": "continue"},
    )
    assert case.owner == tuomas


def test_transfer_to_a_municipality_with_no_responsible_organisation_changes_nothing(
    start_path, staff
):
    anna = staff["anna"]
    case = start_path()
    act(case, "intake", anna)
    elsewhere = Municipality.objects.get(code="837")  # Tampere: no responsibility table here
    with pytest.raises(ValidationError) as error:
        services.client_change(
            by=anna, client=case.client, changes={"municipality": elsewhere}, reason="moved"
        )
    assert error.value.code == "no_responsible_organisation"
    case.refresh_from_db()
    case.client.refresh_from_db()
    assert case.client.municipality.code == "272"
    assert case.responsible_organisation.code == "kokkola"
    assert open_task(case, "assess").owner == anna
    assert not CaseEvent.objects.filter(case=case, kind="transferred").exists()


def test_move_between_municipalities_of_the_same_areas(start_path, staff):
    anna, kaisa = staff["anna"], staff["kaisa"]
    case = start_path()
    act(case, "intake", anna)
    act(case, "assess", anna, assessment())
    services.client_change(
        by=anna,
        client=case.client,
        changes={"municipality": Municipality.objects.get(code="217")},
        reason="moved to Kannus",
    )
    case.refresh_from_db()
    assert case.responsible_organisation.code == "kannus"
    task = open_task(case, "draft_plan")
    assert task.unit.code == "kotoutumistyo" and task.status == "NEW"
    act(case, "draft_plan", kaisa, plan(case))
    # Kannus's own table: a row for every category
    assert ResponsibilityRule.objects.filter(municipality__code="217").count() == len(
        ClientCategory
    )
