"""Property-based run against the OpenAPI schema (schemathesis on Hypothesis).

Every operation of /api/v1/ is called with data generated from the schema, as a case worker
of a demo-like world (cases on every step, another organisation's case, a client with a
non-disclosure marking), through the WSGI application. No response may be a server error;
every response must match the schema (status code, content type and body). Then the same with
data that breaks the schema (negative mode): still never a server error.

Path identifiers are drawn from the real objects half of the time, so the checks reach the
code behind the 404s. The number of examples is bounded to keep the run under a minute.
"""

from __future__ import annotations

import uuid

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.workflows.conftest import act, assessment, drive_to_plan_active, open_task, plan
from workflows import services
from workflows.models import CaseTask

POSITIVE_EXAMPLES = 25
NEGATIVE_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler closes "old" connections at each request's start and end, which in a
    test's transaction means the test's own connection on PostgreSQL; Django's test client
    turns that off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(start_path, staff):
    """Anna's cases on every step, one of Kannus, a client with a non-disclosure marking, and
    tokens for Anna (a case worker) and Maria (the manager, for the reports)."""
    anna = staff["anna"]
    start_path(non_disclosure=True, street_address="Piilotie 7")  # waits in the queue
    assessing = start_path(first_names="Arvioitava")
    act(assessing, "intake", anna)
    planning = start_path(first_names="Suunniteltava")
    act(planning, "intake", anna)
    act(planning, "assess", anna, assessment())
    wellbeing = start_path(first_names="Monialainen")
    act(wellbeing, "intake", anna)
    act(
        wellbeing,
        "assess",
        anna,
        assessment(wellbeing_participation_needed=True, wellbeing_participation_reason="x"),
    )
    active = start_path(first_names="Voimassa")
    drive_to_plan_active(active, anna)
    closed = start_path(first_names="Suljettu")
    services.path_close(by=anna, case=closed, reason="moved_away")
    start_path(by="kaisa", organisation="kannus", municipality=_kannus())
    drafted = start_path(first_names="Luonnos")
    act(drafted, "intake", anna)
    act(drafted, "assess", anna, assessment())
    services.task_save_draft_with_data(
        by=anna, case_task=open_task(drafted, "draft_plan"), data=plan(drafted)
    )
    from casework.models import Client, IntegrationCase

    def token(user):
        return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}

    from workflows.demo_programme import load_demo_programme

    programme = load_demo_programme(
        password="kotopolku-demo"
    )  # the demo's programme of Kokkola, reports published
    return {
        "programmes": [str(programme.uuid)],
        "headers": token(anna),
        "manager": token(staff["maria"]),
        "cases": [str(u) for u in IntegrationCase.objects.values_list("uuid", flat=True)],
        "clients": [str(u) for u in Client.objects.values_list("uuid", flat=True)],
        "tasks": {str(u): step for u, step in CaseTask.objects.values_list("uuid", "step")},
    }


def _kannus():
    from casework.models import Municipality

    return Municipality.objects.get(code="217")


def _use_real_objects(case, world):
    """Most generated identifiers become real ones (chosen by the generated value), and a
    body for a real task names that task's step, so the checks reach the code behind the
    404s and the step-name check. A client's municipality is often a real one, too, and the
    intake names a real client."""
    value = (case.path_parameters or {}).get("uuid")
    try:
        number = uuid.UUID(str(value)).int if value is not None else None
    except ValueError:
        number = None
    if number is not None and number % 4:
        kind = case.operation.path.split("/")[3]  # /api/v1/<kind>/{uuid}/...
        pool = list(world[kind])
        case.path_parameters["uuid"] = pool[number % len(pool)]
        if kind == "tasks" and isinstance(case.body, dict) and "step" in case.body:
            case.body["step"] = world["tasks"][case.path_parameters["uuid"]]
    if isinstance(case.body, dict) and "client" in case.body and number is not None:
        case.body["client"] = world["clients"][number % len(world["clients"])]
    registering = isinstance(case.body, dict) and "municipality" in case.body
    if registering and len(str(case.body.get("first_names", ""))) % 2 == 0:
        case.body["municipality"] = "272"
        case.body.pop("personal_identity_code", None)


def _run(operation, world, mode, examples, checks):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        _use_real_objects(case, world)
        manager = case.operation.path.startswith(("/api/v1/reports/", "/api/v1/programmes/"))
        response = case.call(headers=world["manager" if manager else "headers"])
        case.validate_response(response, checks=checks)

    run()


def _operations(world):
    # the schema is for signed-in callers only
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, headers=world["headers"]
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    return operations


@pytest.mark.django_db
def test_no_server_error_and_every_response_matches_the_schema(world):
    for operation in _operations(world):
        _run(operation, world, schemathesis.GenerationMode.POSITIVE, POSITIVE_EXAMPLES, CHECKS)


@pytest.mark.django_db
def test_data_that_breaks_the_schema_never_causes_a_server_error(world):
    nothing_to_break = []
    for operation in _operations(world):
        try:
            _run(
                operation,
                world,
                schemathesis.GenerationMode.NEGATIVE,
                NEGATIVE_EXAMPLES,
                [not_a_server_error],
            )
        except Unsatisfiable:
            nothing_to_break.append(operation.label)
    # Only operations without parameters or a body have no invalid data to send.
    assert nothing_to_break == ["GET /api/v1/me/", "POST /api/v1/tasks/queue/next/"], (
        nothing_to_break
    )
