"""The load generator: realistic data on every step, and it refuses a real database."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from casework.models import CaseState, Client, IntegrationCase, Municipality
from workflows import services
from workflows.models import CaseTask

from .conftest import open_task


def test_refuses_a_database_with_real_clients(start_path, capsys):
    start_path()
    with pytest.raises(CommandError) as error:
        call_command("generate_load", "--clients", "10")
    assert "not generated" in str(error.value) and "--force" in str(error.value)
    assert Client.objects.filter(is_generated=True).count() == 0
    call_command("generate_load", "--clients", "10", "--force")
    assert Client.objects.filter(is_generated=True).count() == 10


def test_generates_every_step_with_tasks_that_can_be_worked_on(reference_data):
    call_command("generate_load", "--clients", "400", "--batch", "150")
    assert Client.objects.filter(is_generated=True).count() == 400
    states = set(IntegrationCase.objects.values_list("state", flat=True))
    assert states == set(CaseState.values)
    per_case = IntegrationCase.objects.annotate(n=Count("process__task")).values_list(
        "n", flat=True
    )
    assert min(per_case) >= 2 and sum(per_case) / len(per_case) >= 7
    assert CaseTask.objects.filter(status="NEW").exists()
    # a generated task is a real one: its worker completes it through the services
    task = CaseTask.objects.filter(step="assess", status="ASSIGNED").select_related("owner").first()
    services.task_complete_with_data(
        by=task.owner,
        case_task=task,
        data={
            "interview_date": task.case.contacted_on,
            "literacy": "latin",
            "finnish_level": "A1",
            "swedish_level": "none",
            "learning_skills": "x",
            "working_life_skills": "x",
            "education_history": "x",
            "work_history": "x",
            "education_goals": "x",
            "life_situation": "x",
            "plan_needed": True,
            "wellbeing_participation_needed": False,
        },
    )
    task.case.refresh_from_db()
    assert task.case.state == CaseState.PLANNING
    assert open_task(task.case, "draft_plan").owner == task.owner


def test_the_generated_state_is_that_of_a_daily_swept_system(reference_data):
    """The sweep ran every morning until yesterday: earlier review timers have fired and
    earlier overdue tasks are escalated, so today's sweep has one day's work."""
    import datetime as dt

    from django.utils import timezone
    from viewflow.workflow.models import Task

    from workflows.models import OPEN_STATUSES
    from workflows.timers import sweep

    call_command("generate_load", "--clients", "600", "--batch", "300")
    today = timezone.localdate()
    this_morning = timezone.make_aware(dt.datetime.combine(today, dt.time(7)))
    timers = Task.objects.filter(flow_task_type="TIMER")
    assert timers.filter(status="SCHEDULED").exists()
    assert not timers.filter(status="SCHEDULED", scheduled__lt=this_morning).exists()
    assert not timers.filter(status="DONE", scheduled__isnull=True).exists()
    yesterday = today - dt.timedelta(days=1)
    open_tasks = CaseTask.objects.filter(status__in=OPEN_STATUSES)
    assert open_tasks.filter(due_on__lt=yesterday, escalated_at__isnull=False).exists()
    assert not open_tasks.filter(due_on__lt=yesterday, escalated_at__isnull=True).exists()
    due_yesterday = set(open_tasks.filter(due_on=yesterday).values_list("pk", flat=True))
    started = timezone.now()
    result = sweep()
    escalated = CaseTask.objects.filter(escalated_at__gte=started)
    assert result.escalated == escalated.count()
    # the tasks due yesterday, and review tasks this sweep created that are already late
    # (a generated plan may have ended before its review)
    assert set(escalated.exclude(created_at__gte=started).values_list("pk", flat=True)) == (
        due_yesterday
    )
    assert not escalated.filter(created_at__gte=started).exclude(step="review").exists()
    assert result.timers_fired == timers.filter(scheduled__date=today, status="DONE").count()


def test_made_up_municipalities_never_take_a_real_municipality_code(reference_data):
    """The reference data holds the real municipalities (codes up to 992); a generated
    region's municipalities get codes nobody has."""
    for code in ("999", "997"):
        Municipality.objects.get_or_create(code=code, defaults={"name_fi": f"Kunta {code}"})
    before = set(Municipality.objects.values_list("code", flat=True))
    call_command("generate_load", "--clients", "10")
    made = set(Municipality.objects.values_list("code", flat=True)) - before
    assert made == {"998", "996", "995", "994"}
