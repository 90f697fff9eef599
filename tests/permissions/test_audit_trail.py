"""The audit trail: one entry per service action, none for a refused one, and no way to
change or remove an entry."""

import pytest
from django.db import DatabaseError, connection, transaction

from casework import services
from casework.models import CloseReason, ReviewOutcome
from permissions.audit import audit_record
from permissions.models import AuditEntry
from tests.factories import (
    CaseFactory,
    ClientFactory,
    StaffFactory,
    assessment_data,
    kannus_unit,
    municipality,
    organisation,
    plan_data,
    training_measure,
)

pytestmark = pytest.mark.usefixtures("reference_data")


class AuditWatch:
    """The entries written since the last call."""

    def __init__(self):
        self.last = self._max()

    @staticmethod
    def _max():
        entry = AuditEntry.objects.order_by("-pk").first()
        return entry.pk if entry else 0

    def new(self) -> list[AuditEntry]:
        entries = list(AuditEntry.objects.filter(pk__gt=self.last).order_by("pk"))
        self.last = self._max()
        return entries

    def actions(self) -> list[str]:
        return [entry.action for entry in self.new()]


def test_each_action_on_the_path_writes_exactly_one_entry():
    worker = StaffFactory()
    watch = AuditWatch()

    client = services.client_register(
        by=worker,
        organisation=organisation("kokkola"),
        data={
            "first_names": "Amina",
            "last_name": "Hassan",
            "municipality": municipality(),
            "mother_tongue": "so",
        },
    )
    [entry] = watch.new()
    assert entry.action == "client.created"
    assert (entry.actor, entry.actor_name) == (worker, worker.get_username())
    assert (entry.object_type, entry.object_id) == ("casework.client", str(client.pk))
    assert entry.client_id == client.pk

    case = services.case_open(by=worker, client=client)
    [entry] = watch.new()
    assert entry.action == "case.opened"
    assert (entry.object_type, entry.object_id) == ("casework.integrationcase", str(case.pk))
    assert entry.client_id == client.pk
    assert entry.data == {"category": "other", "organisation": "kokkola"}

    steps = [
        (lambda: services.case_assign(by=worker, case=case, worker=worker), "case.assigned"),
        (lambda: services.case_start_assessment(by=worker, case=case), "case.assessment_started"),
        (
            lambda: services.assessment_save_draft(
                by=worker, case=case, data={"literacy": "latin"}
            ),
            "assessment.draft_saved",
        ),
        (
            lambda: services.assessment_complete(by=worker, case=case, data=assessment_data()),
            "assessment.completed",
        ),
        (
            lambda: services.plan_save_draft(by=worker, case=case, data=plan_data(case)),
            "plan.drafted",
        ),
        (
            lambda: services.plan_save_draft(
                by=worker, case=case, data={"follow_up": "Kuukausittain."}
            ),
            "plan.draft_saved",
        ),
        (
            lambda: services.measure_save(
                by=worker, plan=case.plans.get(), data=training_measure(case.plans.get())
            ),
            "measure.saved",
        ),
        (lambda: services.plan_record_agreement(by=worker, plan=case.plans.get()), "plan.agreed"),
        (lambda: services.plan_approve(by=worker, plan=case.plans.get()), "plan.approved"),
        (
            lambda: services.measure_set_state(
                by=worker, measure=case.plans.get().measures.get(), action="start"
            ),
            "measure.start",
        ),
        (
            lambda: services.review_record(
                by=worker, case=case, notes="Etenee.", outcome=ReviewOutcome.CONTINUE
            ),
            "plan.reviewed",
        ),
        (
            lambda: services.case_close(by=worker, case=case, reason=CloseReason.MOVED_AWAY),
            "case.closed",
        ),
    ]
    for act, action in steps:
        act()
        entries = watch.new()
        assert [e.action for e in entries] == [action]
        assert entries[0].actor == worker
        assert entries[0].client_id == client.pk


def test_the_wellbeing_step_writes_one_entry_per_action():
    case = CaseFactory(wellbeing_step=True)
    sanna = StaffFactory(wellbeing=True)
    watch = AuditWatch()
    participation = services.wellbeing_invite(by=case.owner, case=case, reason="Tarve.")
    assert watch.actions() == ["wellbeing.invited"]
    services.wellbeing_assign(by=sanna, participation=participation, worker=sanna)
    assert watch.actions() == ["wellbeing.assigned"]
    services.wellbeing_contribute(by=sanna, participation=participation, contribution="Arvio.")
    assert watch.actions() == ["wellbeing.contributed"]
    services.multi_professional_complete(by=case.owner, case=case, plan_needed=True)
    assert watch.actions() == ["case.multi_professional_completed"]


def test_an_action_that_also_closes_the_case_says_so_in_a_second_entry():
    case = CaseFactory(plan_drafted=True)
    watch = AuditWatch()
    services.plan_record_refusal(by=case.owner, plan=case.plans.get(), reason="Ei halua.")
    assert watch.actions() == ["plan.refused", "case.closed"]


def test_granting_a_role_is_audited():
    watch = AuditWatch()
    StaffFactory()
    assert watch.actions() == ["membership.granted"]


def test_a_refused_action_writes_nothing():
    case = CaseFactory()
    outsider = StaffFactory(unit=kannus_unit())
    watch = AuditWatch()
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied, checked elsewhere
        services.case_start_assessment(by=outsider, case=case)
    with pytest.raises(services.IllegalStep):
        services.assessment_complete(by=case.owner, case=case, data=assessment_data())
    assert watch.new() == []


def test_the_system_itself_is_recorded_as_system():
    client = ClientFactory()
    entry = audit_record(actor=None, obj=client, action="client.imported")
    assert (entry.actor, entry.actor_name, entry.client_id) == (None, "system", client.pk)


# --- append-only ---------------------------------------------------------------------------


@pytest.fixture
def entry():
    return audit_record(actor=StaffFactory(), obj=ClientFactory(), action="client.viewed")


def as_stored(entry) -> dict:
    return AuditEntry.objects.filter(pk=entry.pk).values().get()


def test_an_entry_cannot_be_saved_again(entry):
    before = as_stored(entry)
    entry.action = "client.nothing_to_see"
    with pytest.raises(PermissionError):
        entry.save()
    assert as_stored(entry) == before


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "attempt",
    [
        pytest.param(lambda qs, e: qs.update(action="x"), id="queryset-update"),
        pytest.param(lambda qs, e: qs.filter(pk=e.pk).update(action="x"), id="filtered-update"),
        pytest.param(lambda qs, e: qs.delete(), id="queryset-delete"),
        pytest.param(lambda qs, e: qs.filter(pk=e.pk).delete(), id="filtered-delete"),
        pytest.param(lambda qs, e: qs.bulk_update([_changed(e)], ["action"]), id="bulk-update"),
        pytest.param(
            lambda qs, e: qs.update_or_create(pk=e.pk, defaults={"action": "x"}),
            id="update-or-create",
        ),
    ],
)
def test_the_orm_refuses_to_change_or_remove_entries(entry, attempt):
    before = as_stored(entry)
    with pytest.raises(PermissionError), transaction.atomic():
        attempt(AuditEntry.objects, entry)
    assert as_stored(entry) == before


def _changed(entry):
    entry.action = "x"
    return entry


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE permissions_auditentry SET action = 'x' WHERE id = %s",
        "DELETE FROM permissions_auditentry WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_raw_sql_changes(entry, sql):
    before = as_stored(entry)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    assert as_stored(entry) == before


@pytest.mark.postgres
def test_the_database_still_takes_new_entries(entry):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO permissions_auditentry (at, actor_name, action, object_type, object_id,"
            " object_repr, data) VALUES (now(), 'system', 'raw.insert', 'x', '1', '', '{}')"
        )
    assert AuditEntry.objects.filter(action="raw.insert").count() == 1


def test_a_clients_trail_can_be_found_by_the_client():
    case = CaseFactory(closed=True)
    CaseFactory()  # another client's case
    entries = AuditEntry.objects.filter(client_id=case.client_id).order_by("pk")
    assert list(entries.values_list("action", flat=True)) == [
        "case.opened",
        "case.assigned",
        "case.closed",
    ]
    assert {e.object_id for e in entries} == {str(case.pk)}
