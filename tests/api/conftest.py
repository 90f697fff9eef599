"""Fixtures for driving the API: a client with a token per person, and the step data as JSON
(services by code, dates as ISO strings)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.workflows.conftest import staff, start_path  # noqa: F401 - fixtures used here

API = "/api/v1"


class Api:
    """A JSON client acting as one person, with their token."""

    def __init__(self, user):
        self.user = user
        self.client = APIClient()
        token, _created = Token.objects.get_or_create(user=user)
        self.client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    def _url(self, path):
        return path if path.startswith("/api/") else f"{API}{path}"

    def get(self, path, params=None, **extra):
        return self.client.get(self._url(path), params or {}, **extra)

    def post(self, path, data=None, **extra):
        return self.client.post(self._url(path), data, format="json", **extra)

    def patch(self, path, data=None, **extra):
        return self.client.patch(self._url(path), data, format="json", **extra)


@pytest.fixture
def api(staff):  # noqa: F811
    """``api("anna")``: the API as that person."""
    clients = {}

    def as_user(name):
        if name not in clients:
            clients[name] = Api(staff[name])
        return clients[name]

    return as_user


def iso(day: dt.date) -> str:
    return day.isoformat()


def client_json(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "first_names": "Amina",
        "last_name": "Hassan",
        "date_of_birth": "1990-05-05",
        "municipality": "272",
        "first_residence_permit_date": iso(today - dt.timedelta(days=200)),
        "residence_basis": "quota_refugee",
        "labour_market_status": "outside_labour_force",
        "mother_tongue": "ar",
        "preferred_language": "fi",
    }
    data.update(overrides)
    return data


def assessment_json(**overrides) -> dict:
    """The web tests' assessment, as JSON."""
    from tests.workflows.conftest import assessment

    data = assessment(**overrides)
    return {
        "step": "assess",
        **{k: iso(v) if isinstance(v, dt.date) else v for k, v in data.items()},
    }


def plan_json(*, jobseeker=False, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "step": "draft_plan",
        "language": "fi",
        "starts_on": iso(today),
        "ends_on": iso(today + dt.timedelta(days=300)),
        "long_term_goals": "work as a nurse",
        "period_goals": "Finnish to A2",
        "follow_up": "meetings every six months",
        "job_seeking_obligation": "two applications a month" if jobseeker else "",
        "measures": [
            {
                "service": "integration-training-fi",
                "provider": "kpedu",
                "language": "fi",
                "starts_on": iso(today + dt.timedelta(days=20)),
                "ends_on": iso(today + dt.timedelta(days=200)),
            }
        ],
    }
    data.update(overrides)
    return data


def task_of(api_client, case_uuid, step) -> dict:
    """The open task of ``step`` on the case, as the API lists it."""
    response = api_client.get(f"/cases/{case_uuid}/tasks/")
    assert response.status_code == 200, response.json()
    matches = [t for t in response.json()["results"] if t["step"] == step]
    assert matches, (step, [t["step"] for t in response.json()["results"]])
    return matches[0]
