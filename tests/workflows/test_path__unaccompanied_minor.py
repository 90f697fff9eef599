"""An unaccompanied minor always goes through the wellbeing-area step and gets a plan."""

import datetime as dt

from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext

from casework.models import CaseState, ParticipationPhase
from permissions.policy import can
from workflows.models import CaseTask

from .conftest import act, assessment, open_steps, open_task, plan


def test_minor_goes_through_wellbeing_area_and_gets_a_plan(
    start_path, staff, django_capture_on_commit_callbacks
):
    anna, sanna = staff["anna"], staff["sanna"]
    case = start_path(
        unaccompanied_minor=True,
        minor_representative="Liisa Mäkelä",
        date_of_birth=timezone.localdate() - dt.timedelta(days=16 * 365),
        residence_basis="international_protection",
    )
    assert case.category == "unaccompanied_minor"
    assert open_task(case, "intake").priority == 1
    act(case, "intake", anna)
    # The worker says neither a plan nor the wellbeing area is needed; the rule overrides.
    with django_capture_on_commit_callbacks(execute=True):
        act(
            case,
            "assess",
            anna,
            assessment(plan_needed=False, wellbeing_participation_needed=False),
        )
    assert case.state == CaseState.MULTI_PROFESSIONAL
    assert open_steps(case) == {"wellbeing_contribution", "responsible_contribution"}

    invitation = open_task(case, "wellbeing_contribution")
    assert invitation.unit.organisation.code == "soite"
    assert invitation.participation.phase == ParticipationPhase.ASSESSMENT
    with translation.override("fi"):
        subject = gettext("Kotopolku: the wellbeing area is invited to case %(case)s") % {
            "case": case.number
        }
    invited = [m for m in mail.outbox if m.subject == subject]
    assert sorted(address for m in invited for address in m.to) == sorted(
        [staff["sanna"].email, staff["sakari"].email, staff["sirpa"].email]
    )
    assert not can(sanna, "casework.contribute_case", case)

    act(case, "wellbeing_contribution", sanna, {"contribution": "needs a support family"})
    assert can(sanna, "casework.contribute_case", case)  # until their part ends
    assert case.state == CaseState.MULTI_PROFESSIONAL  # the join waits for the other branch
    act(
        case,
        "responsible_contribution",
        anna,
        {"multi_professional_summary": "joint assessment", "plan_needed": False},
    )
    assert case.state == CaseState.PLANNING  # a minor always gets a plan
    act(case, "draft_plan", anna, plan(case))
    act(case, "client_decision", anna, {"decision": "agree", "decided_on": timezone.localdate()})
    act(case, "approve", anna, {"confirm": True})
    assert case.state == CaseState.PLAN_ACTIVE
    participation = case.participations.get()
    assert participation.contribution == "needs a support family"
    assert participation.ended_at is not None
    assert not can(sanna, "casework.contribute_case", case)  # grant revoked
    assert CaseTask.objects.filter(
        case=case, step="wellbeing_contribution", owner=sanna, status="DONE"
    ).exists()
