"""Claim, release, reassign (one or many, by a manager) and substitutes."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext

from workflows import services
from workflows.models import CaseTask
from workflows.selectors import inbox_for, queue_for

from .conftest import act, assessment, open_task


def test_claim_by_someone_outside_the_unit_is_refused(start_path, staff):
    case = start_path()
    intake = open_task(case, "intake")
    for outsider in ("kaisa", "tuomas", "sanna"):
        with pytest.raises(PermissionDenied):
            services.task_claim(by=staff[outsider], case_task=intake)
    intake.refresh_from_db()
    assert intake.status == "NEW" and intake.owner is None
    assert intake in queue_for(staff["anna"])
    assert intake not in queue_for(staff["kaisa"])


def test_second_claim_gets_a_clear_conflict(start_path, staff):
    case = start_path()
    intake = open_task(case, "intake")
    services.task_claim(by=staff["anna"], case_task=intake)
    with pytest.raises(services.TaskConflict) as error:
        services.task_claim(by=staff["bertil"], case_task=intake)
    with translation.override("fi"):
        assert str(error.value.message) == gettext("This task has already been taken or completed.")
    intake.refresh_from_db()
    assert intake.owner == staff["anna"]


def test_completing_a_task_someone_else_holds_is_refused(start_path, staff):
    case = start_path()
    act(case, "intake", staff["anna"])
    assess = open_task(case, "assess")
    with pytest.raises(services.TaskConflict):
        services.task_complete_with_data(by=staff["bertil"], case_task=assess, data=assessment())
    assess.refresh_from_db()
    assert assess.status == "ASSIGNED" and assess.owner == staff["anna"]
    case.refresh_from_db()
    assert case.state == "assessment"


def test_completed_task_cannot_be_completed_again(start_path, staff):
    case = start_path()
    act(case, "intake", staff["anna"])
    intake = CaseTask.objects.get(case=case, step="intake")
    with pytest.raises(services.TaskConflict):
        services.task_complete_with_data(by=staff["anna"], case_task=intake, data={})
    assert CaseTask.objects.filter(case=case, step="assess").count() == 1


def test_release_puts_the_task_back(start_path, staff):
    case = start_path()
    intake = services.task_claim(by=staff["anna"], case_task=open_task(case, "intake"))
    with pytest.raises(PermissionDenied):
        services.task_release(by=staff["bertil"], case_task=intake)
    services.task_release(by=staff["anna"], case_task=intake)
    intake.refresh_from_db()
    assert intake.status == "NEW" and intake.owner is None


def test_manager_reassigns_many_tasks_and_the_worker_is_told(
    start_path, staff, django_capture_on_commit_callbacks
):
    cases = [start_path(last_name=f"Client{i}") for i in range(3)]
    tasks = [open_task(case, "intake") for case in cases]
    with pytest.raises(PermissionDenied):
        services.tasks_reassign(by=staff["anna"], case_tasks=tasks, to=staff["bertil"])
    with pytest.raises(ValidationError):  # not a member of the unit
        services.tasks_reassign(by=staff["maria"], case_tasks=tasks, to=staff["kaisa"])
    assert not CaseTask.objects.filter(pk__in=[t.pk for t in tasks], owner__isnull=False).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.tasks_reassign(by=staff["maria"], case_tasks=tasks, to=staff["bertil"])
    assert set(inbox_for(staff["bertil"])) == set(
        CaseTask.objects.filter(pk__in=[t.pk for t in tasks])
    )
    assert len(mail.outbox) == 3 and all(m.to == [staff["bertil"].email] for m in mail.outbox)
    # the reassigned worker becomes the cases' responsible worker
    for case in cases:
        case.refresh_from_db()
        assert case.owner == staff["bertil"]


def test_substitute_covers_an_absent_workers_tasks(start_path, staff):
    anna, bertil, maria = staff["anna"], staff["bertil"], staff["maria"]
    case = start_path()
    act(case, "intake", anna)
    assess = open_task(case, "assess")
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):
        services.substitution_arrange(
            by=bertil, absent=anna, substitute=bertil, starts_on=today, ends_on=today
        )
    with pytest.raises(ValidationError):
        services.substitution_arrange(
            by=maria,
            absent=anna,
            substitute=bertil,
            starts_on=today,
            ends_on=today - dt.timedelta(days=1),
        )
    services.substitution_arrange(
        by=maria,
        absent=anna,
        substitute=bertil,
        starts_on=today,
        ends_on=today + dt.timedelta(days=7),
    )
    assert assess in inbox_for(bertil)
    services.task_complete_with_data(by=bertil, case_task=assess, data=assessment())
    assess.refresh_from_db()
    assert assess.status == "DONE" and assess.owner == bertil


def test_take_the_next_task_takes_the_most_urgent_one_you_may_take(start_path, staff):
    later, sooner = start_path(), start_path(first_names="Omar")
    CaseTask.objects.filter(case=sooner).update(due_on=timezone.localdate())
    CaseTask.objects.filter(case=later).update(due_on=timezone.localdate() + dt.timedelta(days=9))
    taken = services.task_claim_next(by=staff["anna"])
    assert taken.case_id == sooner.pk and taken.owner == staff["anna"]
    assert taken.task.owner == staff["anna"]
    sooner.refresh_from_db()
    assert sooner.owner == staff["anna"]  # the first task's taker becomes the case's worker
    assert services.task_claim_next(by=staff["bertil"]).case_id == later.pk
    assert services.task_claim_next(by=staff["anna"]) is None  # nothing left


def test_take_the_next_task_never_gives_a_task_you_may_not_take(start_path, staff):
    start_path()
    for outsider in ("kaisa", "tuomas", "sanna"):
        assert services.task_claim_next(by=staff[outsider]) is None
    assert CaseTask.objects.filter(status="NEW").count() == 1
