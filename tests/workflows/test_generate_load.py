"""The load generator: realistic data on every step, and it refuses a real database."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from casework.models import CaseState, Client, IntegrationCase
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
