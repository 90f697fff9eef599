"""The benchmark's flows still run against today's models: one path of each (Kotopolku's
through the services, the bare viewflow flow, and the plain-ORM baseline with the same
bookkeeping) on generated data, so that a model change breaks a test here rather than a
measuring run later."""

import pytest
from django.core.management import call_command
from viewflow.workflow.models import Process

from bench import measure
from casework.models import CaseEvent, IntegrationCase

pytestmark = pytest.mark.django_db


def test_each_flow_of_the_engine_benchmark_completes_a_path(reference_data):
    call_command("generate_load", "--clients", "20")
    unit = measure.pick_users()["unit"]
    integration = measure.IntegrationPaths(unit)
    runners = [integration, measure.BarePaths(integration.user), measure.BaselinePaths(unit)]
    for runner in runners:  # each checks its own end (plan in force, process done)
        cases, processes = IntegrationCase.objects.count(), Process.objects.count()
        runner.run_one()
        assert Process.objects.count() == processes + 1
        # the bare flow has no case; the other two open one each
        assert IntegrationCase.objects.count() == cases + (runner is not runners[1])
    assert Process.objects.order_by("-pk").first().status == "DONE"  # the baseline's
    baseline_case = IntegrationCase.objects.order_by("-pk").first()
    # registered, taken, then one per step: the bookkeeping Kotopolku does too
    assert CaseEvent.objects.filter(case=baseline_case).count() == 2 + measure.BaselinePaths.steps
