"""The demo loader: reference data only, or a realistic demo of about 30 clients on every
step, loaded once however often it is run."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from casework.models import (
    CaseEvent,
    CaseState,
    Client,
    ClientCategory,
    CloseReason,
    IntegrationCase,
    IntegrationPlan,
    Measure,
    Membership,
    Municipality,
    Organisation,
    PlanState,
    ResponsibilityRule,
    Review,
    Role,
    RuleSet,
    Service,
    StepTarget,
    Unit,
    WellbeingParticipation,
)
from casework.rules import category_on
from permissions.models import AuditEntry
from workflows.management.commands import load_demo
from workflows.models import CaseTask, IntegrationProcess

HELSINKI = ZoneInfo("Europe/Helsinki")
# Years after the demo was written: every date in the demo must follow today (the
# unaccompanied minors once had fixed birth dates and turned 18 in 2027).
DEMO_DAY = dt.datetime(2029, 6, 15, 10, 0, tzinfo=HELSINKI)

COUNTED = [
    Municipality,
    Organisation,
    Unit,
    ResponsibilityRule,
    RuleSet,
    StepTarget,
    Service,
    Group,
    get_user_model(),
    Membership,
    Client,
    IntegrationCase,
    CaseEvent,
    IntegrationPlan,
    Measure,
    Review,
    WellbeingParticipation,
    AuditEntry,
    IntegrationProcess,
    CaseTask,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def load_the_demo():
    with time_machine.travel(DEMO_DAY, tick=False):
        call_command("load_demo", verbosity=0)


@pytest.fixture(scope="class")
def shared_demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the tests of a class (loading it takes seconds) inside a
    transaction that is rolled back after the class. Each test's own transaction is a
    savepoint inside it, so what a test does is undone before the next one."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_the_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(shared_demo, db):
    """The shared demo, on the day it was loaded."""
    assert Client.objects.count() == 30
    with time_machine.travel(DEMO_DAY + dt.timedelta(hours=2), tick=False):
        yield


def test_reference_only_loads_no_people(db):
    call_command("load_demo", "--reference-only", verbosity=0)
    assert Municipality.objects.filter(code__in=["272", "217"]).count() == 2
    assert {o.code for o in Organisation.objects.exclude(kind="service_provider")} == {
        "kokkola",
        "kannus",
        "kp-tyollisyysalue",
        "soite",
    }
    assert ResponsibilityRule.objects.count() == 2 * len(ClientCategory)
    assert RuleSet.objects.count() == 2
    assert set(Group.objects.values_list("name", flat=True)) == set(Role.values)
    assert not Client.objects.exists()
    assert not get_user_model().objects.exists()


def check_about_30_clients():
    assert Client.objects.count() == len(load_demo.CLIENTS) == 30
    assert IntegrationCase.objects.count() == 30
    assert set(Client.objects.values_list("municipality__code", flat=True)) == {"272", "217"}
    assert Client.objects.filter(personal_identity_code__isnull=True).exists()
    assert Client.objects.filter(personal_identity_code__isnull=False).exists()


def check_every_category():
    assert set(IntegrationCase.objects.values_list("category", flat=True)) == set(ClientCategory)
    for case in IntegrationCase.objects.select_related("client"):
        assert case.category == category_on(case.client, case.contacted_on), case
        expected = (
            "kp-tyollisyysalue"
            if case.category == ClientCategory.UNEMPLOYED_JOBSEEKER
            else {"272": "kokkola", "217": "kannus"}[case.client.municipality.code]
        )
        assert case.responsible_organisation.code == expected, case


def check_every_case_and_plan_state():
    assert set(IntegrationCase.objects.values_list("state", flat=True)) == set(CaseState)
    assert set(IntegrationPlan.objects.values_list("state", flat=True)) >= {
        PlanState.DRAFT,
        PlanState.AGREED,
        PlanState.REFUSED,
        PlanState.APPROVED,
        PlanState.ENDED,
    }


def check_the_ways_a_case_ends():
    reasons = set(
        IntegrationCase.objects.filter(state=CaseState.CLOSED).values_list(
            "close_reason", flat=True
        )
    )
    assert reasons >= {
        CloseReason.DECLINED,
        CloseReason.NO_PLAN_NEEDED,
        CloseReason.MOVED_AWAY,
        CloseReason.GOALS_MET,
    }


def check_unaccompanied_minors():
    minors = Client.objects.filter(unaccompanied_minor=True)
    assert minors.exists()
    for minor in minors:
        assert minor.minor_representative
        assert minor.age_on(DEMO_DAY.date()) < 18
        case = minor.cases.get()
        assert case.category == ClientCategory.UNACCOMPANIED_MINOR
        assert case.wellbeing_area.code == "soite"
        assert case.participations.exists()
    assert IntegrationCase.objects.filter(
        category=ClientCategory.UNACCOMPANIED_MINOR, state=CaseState.PLAN_ACTIVE
    ).exists()


def check_non_disclosure():
    assert Client.objects.filter(non_disclosure=True).exists()
    # ... and named staff who may see their details.
    assert Membership.objects.filter(can_see_protected_details=True).exists()


def check_refused_plans():
    refused = IntegrationPlan.objects.filter(state=PlanState.REFUSED)
    assert refused.exists()
    for plan in refused:
        assert plan.refusal_reason and plan.client_decision_on
        assert plan.case.state == CaseState.CLOSED
        assert plan.case.close_reason == CloseReason.DECLINED


def check_revision_and_review():
    assert IntegrationPlan.objects.filter(version=2, state=PlanState.DRAFT).exists()
    assert Review.objects.exists()


def check_staff_in_every_role():
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role)
    for membership in Membership.objects.select_related("user"):
        assert membership.user.groups.filter(name=membership.role).exists()


def check_dates_in_order():
    """Backdating keeps each case's dates in order, and nothing in the future."""
    today = DEMO_DAY.date()
    for case in IntegrationCase.objects.all():
        assert case.contacted_on <= today
        if case.assessment_started_on:
            assert case.contacted_on <= case.assessment_started_on, case
        if case.assessment_completed_on:
            assert case.assessment_started_on <= case.assessment_completed_on, case
        if case.plan_approved_on:
            assert case.assessment_completed_on <= case.plan_approved_on, case
        if case.closed_on:
            assert case.contacted_on <= case.closed_on <= today, case
        if case.state == CaseState.PLAN_ACTIVE:
            assert case.next_review_due, case
    for client in Client.objects.all():
        client.full_clean()


class TestTheDemo:
    """The loaded demo, checked from every side."""

    def test_the_demo_covers_the_whole_path(self, demo):
        """One load, checked from every side (loading takes a while)."""
        check_about_30_clients()
        check_every_category()
        check_every_case_and_plan_state()
        check_the_ways_a_case_ends()
        check_unaccompanied_minors()
        check_non_disclosure()
        check_refused_plans()
        check_revision_and_review()
        check_staff_in_every_role()
        check_dates_in_order()

    def test_loading_twice_changes_nothing(self, demo):
        before = counts()
        assert before["Client"] == 30
        with time_machine.travel(DEMO_DAY + dt.timedelta(days=1), tick=False):
            call_command("load_demo", verbosity=0)
        assert counts() == before
        call_command("load_demo", "--reference-only", verbosity=0)
        assert counts() == before

    def test_reviews_fit_the_case_timeline(self, demo):
        """A review lies between the plan's approval and today; the case's next review is the one
        its latest review set; a case closed by a review closed on the day of that review."""
        today = DEMO_DAY.date()
        reviews = Review.objects.select_related("plan__case").order_by("reviewed_on")
        assert reviews.exists()
        for review in reviews:
            case, plan = review.plan.case, review.plan
            assert plan.approved_on <= review.reviewed_on <= today, (case, review.reviewed_on)
            latest = Review.objects.filter(plan__case=case).order_by("-reviewed_on").first()
            if review != latest:
                continue
            if case.state == CaseState.PLAN_ACTIVE:
                assert case.next_review_due == review.next_review_due, case
            if review.outcome == "end":
                assert case.closed_on == review.reviewed_on, case
                assert plan.ended_on == review.reviewed_on, case
        for event in CaseEvent.objects.filter(kind="reviewed").select_related("case"):
            review = Review.objects.filter(plan__case=event.case).latest("reviewed_on")
            assert timezone.localdate(event.at) == review.reviewed_on, event.case
