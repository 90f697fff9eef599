"""Who may act on a case: only staff with a role in the responsible organisation (and a
wellbeing-area worker on the one case they take part in). A refused action changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from casework import services
from casework.models import (
    Assessment,
    CaseEvent,
    Client,
    CloseReason,
    IntegrationCase,
    IntegrationPlan,
    Review,
    ReviewOutcome,
    WellbeingParticipation,
)
from permissions.models import AuditEntry
from permissions.policy import can, role_permissions
from tests.factories import (
    CaseFactory,
    ClientFactory,
    StaffFactory,
    UserFactory,
    assessment_data,
    employment_unit,
    kannus_unit,
    kokkola_unit,
    plan_data,
    training_measure,
    unit,
    wellbeing_step,
)

pytestmark = pytest.mark.usefixtures("reference_data")


def snapshot(case: IntegrationCase) -> dict:
    row = IntegrationCase.objects.get(pk=case.pk)
    return {
        "case": {f.attname: getattr(row, f.attname) for f in IntegrationCase._meta.concrete_fields},
        "events": CaseEvent.objects.filter(case=case).count(),
        "audit": AuditEntry.objects.count(),
        "assessment": list(Assessment.objects.filter(case=case).values()),
        "plans": list(IntegrationPlan.objects.filter(case=case).values()),
        "reviews": Review.objects.filter(plan__case=case).count(),
        "participations": list(WellbeingParticipation.objects.filter(case=case).values()),
        "clients": list(Client.objects.values()),
    }


# Each action on a Kokkola case, with the step the case must be at for it to be allowed.
ACTIONS = {
    "start_assessment": (
        "intake",
        lambda by, case: services.case_start_assessment(by=by, case=case),
    ),
    "save_assessment_draft": (
        "assessment",
        lambda by, case: services.assessment_save_draft(
            by=by, case=case, data={"literacy": "latin"}
        ),
    ),
    "complete_assessment": (
        "assessment",
        lambda by, case: services.assessment_complete(by=by, case=case, data=assessment_data()),
    ),
    "invite_wellbeing_area": (
        "multi_professional",
        lambda by, case: services.wellbeing_invite(by=by, case=case, reason="Sosiaalityön tarve."),
    ),
    "complete_wellbeing_step": (
        "multi_professional",
        # the wellbeing area is invited and contributes, then the step is completed
        lambda by, case: wellbeing_step(case, by),
    ),
    "draft_plan": (
        "planning",
        lambda by, case: services.plan_save_draft(by=by, case=case, data=plan_data(case)),
    ),
    "add_measure": (
        "plan_drafted",
        lambda by, case: services.measure_save(
            by=by, plan=case.plans.get(), data=training_measure(case.plans.get())
        ),
    ),
    "record_agreement": (
        "plan_drafted",
        lambda by, case: services.plan_record_agreement(by=by, plan=case.plans.get()),
    ),
    "record_refusal": (
        "plan_drafted",
        lambda by, case: services.plan_record_refusal(
            by=by, plan=case.plans.get(), reason="Ei halua."
        ),
    ),
    "approve_plan": (
        "plan_agreed",
        lambda by, case: services.plan_approve(by=by, plan=case.plans.get()),
    ),
    "review": (
        "plan_active",
        lambda by, case: services.review_record(
            by=by, case=case, notes="Etenee.", outcome=ReviewOutcome.CONTINUE
        ),
    ),
    "start_measure": (
        "plan_active",
        lambda by, case: services.measure_set_state(
            by=by, measure=case.plans.get().measures.get(), action="start"
        ),
    ),
    "close": (
        "intake",
        lambda by, case: services.case_close(by=by, case=case, reason=CloseReason.MOVED_AWAY),
    ),
    "transfer": (
        "intake",
        lambda by, case: services.case_transfer(by=by, case=case, reason="Muutto."),
    ),
    "assign_worker": (
        "intake",
        lambda by, case: services.case_assign(by=by, case=case, worker=case.owner),
    ),
}

OUTSIDERS = {
    "kannus-case-worker": lambda: StaffFactory(unit=kannus_unit()),
    "kannus-manager": lambda: StaffFactory(unit=kannus_unit(), manager=True),
    "employment-authority-case-worker": lambda: StaffFactory(unit=employment_unit()),
    "superuser-without-membership": lambda: UserFactory(superuser=True),
    "user-without-role": lambda: UserFactory(),
    "kokkola-auditor": lambda: StaffFactory(auditor=True),
    "wellbeing-worker-not-invited": lambda: StaffFactory(wellbeing=True),
    "inactive-kokkola-case-worker": lambda: _inactive(StaffFactory()),
}


def _inactive(user):
    user.is_active = False
    user.save()
    return user


@pytest.mark.parametrize("action", list(ACTIONS))
def test_the_owner_may_act(action):
    """The control for the refusals below: the same action succeeds for the case worker."""
    step, act = ACTIONS[action]
    case = CaseFactory(step=step)
    act(case.owner, case)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_others_are_refused_and_nothing_changes(action):
    step, act = ACTIONS[action]
    case = CaseFactory(step=step)
    outsiders = {name: make() for name, make in OUTSIDERS.items()}
    before = snapshot(case)
    for name, user in outsiders.items():
        try:
            act(user, case)
        except PermissionDenied:
            pass
        else:
            pytest.fail(f"{name} was allowed to {action}")
        assert snapshot(case) == before, name


def test_a_colleague_in_another_unit_of_the_same_organisation_may_act():
    case = CaseFactory()
    welcome_office = StaffFactory(unit=unit("kokkola", "welcome-office"))
    services.case_start_assessment(by=welcome_office, case=case)


def test_the_employment_authority_acts_on_the_jobseekers_case_and_the_municipality_does_not():
    case = CaseFactory(client=ClientFactory(jobseeker=True))
    assert case.responsible_organisation.code == "kp-tyollisyysalue"
    with pytest.raises(PermissionDenied):
        services.case_start_assessment(by=StaffFactory(unit=kokkola_unit()), case=case)
    services.case_start_assessment(by=StaffFactory(unit=employment_unit()), case=case)


def test_a_revoked_membership_takes_the_right_away():
    case = CaseFactory()
    worker = case.owner
    membership = worker.memberships.get()
    membership.is_active = False
    membership.save()
    worker = type(worker).objects.get(pk=worker.pk)  # a new request: nothing cached
    with pytest.raises(PermissionDenied):
        services.case_start_assessment(by=worker, case=case)


def test_superuser_status_grants_nothing():
    superuser = UserFactory(superuser=True)
    assert role_permissions(superuser) == {}
    assert superuser.has_perm("casework.assess_case")  # Django's own answer...
    case = CaseFactory()
    assert not can(superuser, "casework.assess_case", case)  # ...is not the policy's


# --- opening cases -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "user",
    [
        pytest.param(lambda: StaffFactory(unit=kannus_unit()), id="kannus-case-worker"),
        pytest.param(lambda: UserFactory(superuser=True), id="superuser-without-membership"),
        pytest.param(lambda: StaffFactory(auditor=True), id="kokkola-auditor"),
    ],
)
def test_opening_a_case_for_another_municipalitys_client_is_refused(user):
    client, user = ClientFactory(), user()
    audit_before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        services.case_open(by=user, client=client)
    assert not IntegrationCase.objects.exists()
    assert not CaseEvent.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_the_employment_authority_may_open_a_case_for_a_client_of_any_municipality_it_serves():
    for traits in ({}, {"in_kannus": True}):
        case = services.case_open(
            by=StaffFactory(unit=employment_unit()), client=ClientFactory(**traits)
        )
        # The case goes to the municipality that is responsible, not to the one who opened it.
        assert case.responsible_organisation.code in {"kokkola", "kannus"}


# --- the wellbeing area ----------------------------------------------------------------------


def test_a_wellbeing_worker_acts_only_while_taking_part():
    case = CaseFactory(wellbeing_step=True)
    participation = services.wellbeing_invite(by=case.owner, case=case, reason="Tarve.")
    sanna, sakari = StaffFactory(wellbeing=True), StaffFactory(wellbeing=True)

    with pytest.raises(PermissionDenied):
        services.wellbeing_contribute(by=sanna, participation=participation, contribution="x")

    services.wellbeing_assign(by=sanna, participation=participation, worker=sanna)
    assert can(sanna, "casework.contribute_case", case)
    assert not can(sanna, "casework.assess_case", case)
    assert not can(sakari, "casework.contribute_case", case)
    with pytest.raises(PermissionDenied):
        services.wellbeing_contribute(by=sakari, participation=participation, contribution="x")
    services.wellbeing_contribute(by=sanna, participation=participation, contribution="Arvio.")

    services.wellbeing_end(by=case.owner, participation=participation)
    assert not can(sanna, "casework.contribute_case", case)
    with pytest.raises(PermissionDenied):
        services.case_start_assessment(by=sanna, case=case)


def test_only_the_units_manager_assigns_someone_else():
    case = CaseFactory(wellbeing_step=True)
    participation = services.wellbeing_invite(by=case.owner, case=case, reason="Tarve.")
    sanna, sakari = StaffFactory(wellbeing=True), StaffFactory(wellbeing=True)
    with pytest.raises(ValidationError) as caught:
        services.wellbeing_assign(by=sakari, participation=participation, worker=sanna)
    assert caught.value.code == "forbidden"
    manager = StaffFactory(unit=unit("soite", "monialainen-kotoutuminen"), manager=True)
    services.wellbeing_assign(by=manager, participation=participation, worker=sanna)
    assert can(sanna, "casework.contribute_case", case)


def test_a_case_worker_cannot_be_made_the_wellbeing_worker():
    case = CaseFactory(wellbeing_step=True)
    participation = services.wellbeing_invite(by=case.owner, case=case, reason="Tarve.")
    with pytest.raises(ValidationError) as caught:
        services.wellbeing_assign(by=case.owner, participation=participation, worker=case.owner)
    assert caught.value.code == "not_member"


# --- the case's worker -----------------------------------------------------------------------


def test_assigning_needs_the_queue_managers_right():
    case = CaseFactory()
    colleague = StaffFactory()
    with pytest.raises(PermissionDenied):
        services.case_assign(by=colleague, case=case, worker=StaffFactory())
    manager = StaffFactory(manager=True)
    services.case_assign(by=manager, case=case, worker=colleague)
    assert IntegrationCase.objects.get(pk=case.pk).owner == colleague


def test_the_worker_must_belong_to_the_responsible_organisation():
    case = CaseFactory()
    with pytest.raises(ValidationError) as caught:
        services.case_assign(
            by=StaffFactory(manager=True), case=case, worker=StaffFactory(unit=kannus_unit())
        )
    assert caught.value.code == "not_member"


@pytest.mark.parametrize("role", ["auditor", "administrator"])
def test_a_member_without_case_rights_cannot_take_a_case(role):
    case = CaseFactory()
    member = StaffFactory(**{role: True})
    before = snapshot(case)
    with pytest.raises((PermissionDenied, ValidationError)):
        services.case_assign(by=member, case=case, worker=member)
    assert snapshot(case) == before


@pytest.mark.parametrize("role", ["auditor", "administrator"])
def test_a_member_without_case_rights_cannot_be_given_a_case(role):
    case = CaseFactory()
    member, manager = StaffFactory(**{role: True}), StaffFactory(manager=True)
    before = snapshot(case)
    with pytest.raises(ValidationError) as caught:
        services.case_assign(by=manager, case=case, worker=member)
    assert caught.value.code == "not_member"
    assert snapshot(case) == before


def test_staff_of_the_organisation_may_take_a_case_themselves():
    case = CaseFactory()
    colleague = StaffFactory()
    services.case_assign(by=colleague, case=case, worker=colleague)
    assert IntegrationCase.objects.get(pk=case.pk).owner == colleague
