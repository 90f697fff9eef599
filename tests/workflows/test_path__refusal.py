"""A client refuses the plan: the refusal is kept with its reason and date; the case closes."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework.models import CaseEvent, CaseState, CloseReason, PlanState

from .conftest import act, assessment, open_steps, open_task, plan


def test_refusal_is_recorded_and_closes_the_case(start_path, staff):
    anna = staff["anna"]
    case = start_path(residence_basis="family", social_assistance_non_temporary=True)
    act(case, "intake", anna)
    act(case, "assess", anna, assessment())
    act(case, "draft_plan", anna, plan(case))
    with pytest.raises(ValidationError) as error:
        act(
            case,
            "client_decision",
            anna,
            {"decision": "refuse", "decided_on": timezone.localdate()},
        )
    assert "refusal_reason" in error.value.message_dict
    assert open_task(case, "client_decision").status == "ASSIGNED"

    act(
        case,
        "client_decision",
        anna,
        {
            "decision": "refuse",
            "decided_on": timezone.localdate(),
            "refusal_reason": "does not want the course",
        },
    )
    assert case.state == CaseState.CLOSED
    assert case.close_reason == CloseReason.DECLINED
    refused = case.plans.get()
    assert refused.state == PlanState.REFUSED
    assert refused.refusal_reason == "does not want the course"
    assert refused.client_decision_on == timezone.localdate()
    assert open_steps(case) == set()
    assert case.process.status == "DONE"
    assert CaseEvent.objects.filter(case=case, kind="plan_refused").count() == 1
