"""A client who moves away from the areas served: the case closes, open work is cancelled."""

import pytest
from django.core.exceptions import ValidationError

from casework import services as casework_services
from casework.models import CaseState, CloseReason, PlanState
from workflows import services
from workflows.models import CaseTask

from .conftest import act, assessment, drive_to_plan_active


def test_client_moves_away_mid_plan(start_path, staff):
    anna = staff["anna"]
    case = start_path()
    drive_to_plan_active(case, anna)
    services.path_close(by=anna, case=case, reason=CloseReason.MOVED_AWAY, note="Moved to Oulu")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert case.close_reason == CloseReason.MOVED_AWAY
    assert case.plans.get().state == PlanState.ENDED
    assert case.process.status == "CANCELED"
    assert not case.process.task_set.filter(status__in=["NEW", "ASSIGNED", "SCHEDULED"]).exists()
    # A closed case cannot be reviewed or closed again.
    with pytest.raises(ValidationError):
        casework_services.review_record(by=anna, case=case, notes="x", outcome="continue")
    with pytest.raises(ValidationError):
        services.path_close(by=anna, case=case, reason=CloseReason.OTHER)


def test_client_moves_away_during_assessment(start_path, staff):
    anna = staff["anna"]
    case = start_path()
    act(case, "intake", anna)
    services.path_close(by=anna, case=case, reason=CloseReason.MOVED_AWAY)
    assert not CaseTask.objects.filter(case=case, status__in=["NEW", "ASSIGNED"]).exists()
    assert CaseTask.objects.get(case=case, step="assess").status == "CANCELED"
    # Nothing out of order: the assessment of a closed case is refused.
    with pytest.raises(ValidationError):
        casework_services.assessment_complete(by=anna, case=case, data=assessment())
