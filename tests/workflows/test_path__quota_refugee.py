"""A quota refugee: the municipality all the way, from registration to an approved plan."""

from viewflow.workflow.models import Task

from casework.models import CaseEvent, CaseState, PlanState
from workflows.models import CaseTask

from .conftest import act, assessment, open_steps, open_task, plan


def test_quota_refugee_reaches_an_approved_plan_in_the_municipality(start_path, staff):
    anna = staff["anna"]
    case = start_path(residence_basis="quota_refugee")

    assert case.category == "international_protection"
    assert case.responsible_organisation.code == "kokkola"
    intake = open_task(case, "intake")
    assert intake.status == "NEW" and intake.owner is None
    assert intake.unit.code == "kotoutumispalvelut"
    assert intake.due_on is not None

    act(case, "intake", anna)
    assert case.state == CaseState.ASSESSMENT
    # The worker who took the first task gets the next ones directly.
    assert open_task(case, "assess").owner == anna

    act(case, "assess", anna, assessment())
    assert case.state == CaseState.PLANNING
    act(case, "draft_plan", anna, plan(case))
    act(case, "client_decision", anna, {"decision": "agree", "decided_on": case.contacted_on})
    assert open_steps(case) == {"approve"}
    act(case, "approve", anna, {"confirm": True})

    assert case.state == CaseState.PLAN_ACTIVE
    assert case.plans.get().state == PlanState.APPROVED
    assert case.next_review_due is not None
    assert open_steps(case) == set()
    timer = Task.objects.get(process=case.process, flow_task_type="TIMER", status="SCHEDULED")
    assert timer.scheduled.date() < case.next_review_due
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds[0] == "registered" and "plan_approved" in kinds
    assert CaseTask.objects.filter(case=case, status="DONE").count() == 5
