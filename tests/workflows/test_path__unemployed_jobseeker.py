"""An unemployed jobseeker: the employment authority all the way, even when the municipality's
Welcome Office registers them."""

import pytest
from django.core.exceptions import PermissionDenied

from casework.models import CaseState
from workflows import services

from .conftest import act, assessment, open_task, plan


def test_jobseeker_is_served_by_the_employment_authority(start_path, staff):
    case = start_path(by="anna", labour_market_status="unemployed_jobseeker")
    assert case.responsible_organisation.code == "kp-tyollisyysalue"
    intake = open_task(case, "intake")
    assert intake.unit.organisation.code == "kp-tyollisyysalue"

    # The municipality's worker registered the client but cannot take the employment
    # authority's task.
    with pytest.raises(PermissionDenied):
        services.task_claim(by=staff["anna"], case_task=intake)
    intake.refresh_from_db()
    assert intake.status == "NEW" and intake.owner is None

    tuomas = staff["tuomas"]
    act(case, "intake", tuomas)
    act(case, "assess", tuomas, assessment())
    with pytest.raises(Exception) as error:
        act(case, "draft_plan", tuomas, plan(case, job_seeking_obligation=""))
    assert "job_seeking_obligation" in error.value.message_dict
    assert open_task(case, "draft_plan").status == "ASSIGNED"
    act(case, "draft_plan", tuomas, plan(case))
    act(case, "client_decision", tuomas, {"decision": "agree", "decided_on": case.contacted_on})
    act(case, "approve", tuomas, {"confirm": True})
    assert case.state == CaseState.PLAN_ACTIVE
    assert case.plans.get().approved_by == tuomas
