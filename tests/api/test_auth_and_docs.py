"""Tokens for systems (``manage.py api_token``), sessions for the browser (with CSRF), the
schema and the documentation page served without any outside address; two people completing
the same task at once through the API (PostgreSQL)."""

import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from permissions.models import AuditEntry
from tests.workflows.conftest import act, open_task
from workflows.models import CaseTask

from .conftest import Api, assessment_json


def _token(*args) -> str:
    out = io.StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip()


def test_api_token_command_issues_rotates_and_refuses(staff):
    key = _token("anna")
    assert key == Token.objects.get(user=staff["anna"]).key
    assert _token("anna") == key  # printed again, not replaced
    rotated = _token("anna", "--rotate")
    assert rotated != key
    assert AuditEntry.objects.filter(action="api.token_issued").count() == 2
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 401  # the old token stopped working
    client.credentials(HTTP_AUTHORIZATION=f"Token {rotated}")
    me = client.get("/api/v1/me/").json()
    assert me["username"] == "anna"
    assert [(m["unit"]["code"], m["role"]) for m in me["memberships"]] == [
        ("kotoutumispalvelut", "case_worker")
    ]
    with pytest.raises(CommandError):
        _token("nobody")
    staff["bertil"].is_active = False
    staff["bertil"].save()
    with pytest.raises(CommandError):
        _token("bertil")


def test_an_inactive_users_token_stops_working(staff):
    anna = Api(staff["anna"])
    assert anna.get("/me/").status_code == 200
    staff["anna"].is_active = False
    staff["anna"].save()
    assert anna.get("/me/").status_code == 401


def test_browser_session_works_and_writes_need_the_csrf_token(start_path, staff):
    case = start_path()
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(staff["anna"])
    assert browser.get(f"/api/v1/cases/{case.uuid}/").status_code == 200
    task = open_task(case, "intake")
    response = browser.post(f"/api/v1/tasks/{task.uuid}/claim/")
    assert response.status_code == 403  # no CSRF token
    assert CaseTask.objects.get(pk=task.pk).status == "NEW"
    browser.get("/")  # the page sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    response = browser.post(f"/api/v1/tasks/{task.uuid}/claim/", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200


def test_schema_and_documentation_are_for_signed_in_users_only(client, staff):
    """Anonymous callers get neither the schema (401, as any endpoint) nor the documentation
    page (sent to sign in first); a token or a session gets both."""
    assert client.get("/api/schema/").status_code == 401
    assert client.get("/api/schema/?format=json").status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302
    assert docs["Location"].startswith("/accounts/login/?next=/api/docs/")
    assert Api(staff["anna"]).get("/api/schema/?format=json").status_code == 200
    client.force_login(staff["anna"])
    assert client.get("/api/docs/").status_code == 200


def test_schema_and_documentation_pages_are_served_locally(client, staff):
    client.force_login(staff["anna"])
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/tasks/{uuid}/complete/" in paths
    assert "/api/v1/reports/queues/" in paths
    response = client.get("/api/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    assert "https://" not in body and "http://" not in body  # no CDN: no network needed


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_completions_of_one_task_at_once_one_200_one_409(reference_data, start_path, staff):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    anna = staff["anna"]
    case = start_path()
    act(case, "intake", anna)
    task = open_task(case, "assess")
    barrier = threading.Barrier(2)
    statuses = []
    tabs = [Api(anna), Api(anna)]  # two browser tabs, one token

    def complete(client):
        try:
            barrier.wait()
            response = client.post(f"/tasks/{task.uuid}/complete/", assessment_json())
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=complete, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200, 409]
    assert CaseTask.objects.filter(case=case, step="draft_plan").count() == 1
