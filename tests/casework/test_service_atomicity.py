"""A service that fails part-way leaves nothing behind: no client, case, timeline event or
audit entry from the failed call. The failure is forced at the very end of each service, when
writing the audit trail, after everything else has been written."""

import contextlib

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from casework import services
from casework.models import (
    Assessment,
    CaseEvent,
    CaseState,
    Client,
    IntegrationCase,
    IntegrationPlan,
    PlanState,
    Review,
    ReviewOutcome,
)
from permissions.models import AuditEntry
from tests.factories import CaseFactory, ClientFactory, StaffFactory, municipality, organisation

pytestmark = pytest.mark.usefixtures("reference_data")


class Boom(Exception):
    pass


def fail_audit(monkeypatch, module: str, *, after: int = 0) -> list[str]:
    """Make ``audit_record`` in ``module`` fail once ``after`` entries have been written.
    Returns the actions it was asked to record."""
    calls: list[str] = []

    def audit_record(*, actor, obj, action, data=None):
        calls.append(action)
        if len(calls) > after:
            raise Boom(action)
        return AuditEntry.objects.create(
            actor=actor, action=action, object_type="x", object_id=str(obj.pk)
        )

    monkeypatch.setattr(f"{module}.audit_record", audit_record)
    return calls


def rows() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Client, IntegrationCase, CaseEvent, AuditEntry, IntegrationPlan, Review)
    }


def test_register_client(monkeypatch):
    worker = StaffFactory()
    before = rows()
    calls = fail_audit(monkeypatch, "casework.services.clients")
    with pytest.raises(Boom):
        services.client_register(
            by=worker,
            organisation=organisation("kokkola"),
            data={"first_names": "Amina", "last_name": "Hassan", "municipality": municipality()},
        )
    assert calls == ["client.created"]
    assert rows() == before


def test_open_case(monkeypatch):
    worker, client = StaffFactory(), ClientFactory()
    before = rows()
    calls = fail_audit(monkeypatch, "casework.services._common")
    with pytest.raises(Boom):
        services.case_open(by=worker, client=client)
    assert calls == ["case.opened"]
    assert rows() == before  # the case and its 'registered' event were rolled back


def test_approve_plan(monkeypatch):
    case = CaseFactory(plan_agreed=True)
    before = rows()
    calls = fail_audit(monkeypatch, "casework.services._common")
    with pytest.raises(Boom):
        services.plan_approve(by=case.owner, plan=case.plans.get())
    assert calls == ["plan.approved"]
    assert rows() == before
    assert IntegrationCase.objects.get(pk=case.pk).state == CaseState.PLANNING
    assert case.plans.get().state == PlanState.AGREED


def test_review_that_ends_the_plan(monkeypatch):
    case = CaseFactory(plan_active=True)
    before = rows()
    calls = fail_audit(monkeypatch, "casework.services._common", after=1)
    with pytest.raises(Boom):
        services.review_record(by=case.owner, case=case, notes="Valmis.", outcome=ReviewOutcome.END)
    assert calls == ["plan.reviewed", "case.closed"]
    assert rows() == before  # including the first audit entry and the review itself
    assert IntegrationCase.objects.get(pk=case.pk).state == CaseState.PLAN_ACTIVE
    assert case.plans.get().state == PlanState.APPROVED


def test_refusal_that_closes_the_case(monkeypatch):
    case = CaseFactory(plan_drafted=True)
    before = rows()
    calls = fail_audit(monkeypatch, "casework.services._common", after=1)
    with pytest.raises(Boom):
        services.plan_record_refusal(by=case.owner, plan=case.plans.get(), reason="Ei halua.")
    assert calls == ["plan.refused", "case.closed"]
    assert rows() == before
    assert IntegrationCase.objects.get(pk=case.pk).state == CaseState.PLANNING
    assert case.plans.get().state == PlanState.DRAFT


def test_a_validation_error_keeps_the_saved_draft_as_it_was():
    """Completing an assessment with answers missing: the values sent along are not kept."""
    case = CaseFactory(assessment=True)
    services.assessment_save_draft(by=case.owner, case=case, data={"literacy": "weak"})
    before = rows()
    with pytest.raises(ValidationError):
        services.assessment_complete(by=case.owner, case=case, data={"literacy": "latin"})
    assert rows() == before
    assessment = Assessment.objects.get(case=case)
    assert assessment.literacy == "weak"
    assert assessment.completed_at is None


# --- nested services join the outermost one (casework.services.atomic_service) ------------


@services.atomic_service
def _inner_service(*, fail):
    ClientFactory()
    if fail:
        raise Boom("inner")


@services.atomic_service
def _outer_service(*, fail=False):
    ClientFactory()
    _inner_service(fail=fail)


@services.atomic_service
def _swallowing_service():
    ClientFactory()
    with contextlib.suppress(Boom):
        _inner_service(fail=True)
    return Client.objects.count()


def _savepoints(queries):
    return sum(1 for q in queries if q["sql"].startswith("SAVEPOINT"))


def test_nested_services_take_no_savepoint_of_their_own():
    with CaptureQueriesContext(connection) as captured:
        _outer_service()
    # the outermost call's own savepoint (this test runs inside a transaction); none nested
    assert _savepoints(captured.captured_queries) == 1


def test_a_failing_nested_service_rolls_back_the_whole_outer_one():
    before = rows()
    with pytest.raises(Boom):
        _outer_service(fail=True)
    assert rows() == before  # and the connection is usable again


def test_a_nested_failure_cannot_be_swallowed_half_way():
    before = rows()
    with pytest.raises(TransactionManagementError):
        _swallowing_service()
    assert rows() == before
