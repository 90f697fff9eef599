"""Errors of the API: 400 with field errors, 401, 403, 404 that reveal nothing about another
organisation's objects, 409 when a task or case changed meanwhile; never a 500 for bad input.
Reads of client data are audited once per request, and non-disclosure is respected."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from permissions.models import AuditEntry
from tests.workflows.conftest import act, assessment, open_task
from workflows import services
from workflows.models import CaseTask

from .conftest import assessment_json, client_json, iso, plan_json


@pytest.fixture
def case(start_path):
    """A Kokkola case whose intake task waits in the queue."""
    return start_path(
        first_names="Salainen",
        last_name="Asiakas",
        non_disclosure=True,
        street_address="Piilotie 7",
        phone="+358 40 123 4567",
    )


def _claimed(case, user):
    return services.task_claim(by=user, case_task=open_task(case, "intake"))


# --- 401 and malformed addresses -------------------------------------------------------


def test_no_token_is_401_and_a_wrong_token_too(case):
    anonymous = APIClient()
    response = anonymous.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    anonymous.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert anonymous.get("/api/v1/cases/").status_code == 401
    assert anonymous.post(f"/api/v1/tasks/{uuid.uuid4()}/claim/").status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/cases/not-a-uuid/",
        "/cases/123/timeline/",
        "/clients/%20/",
        "/tasks/00000000-0000-0000-0000-00000000000g/",
        "/tasks/x/claim/",
    ],
)
def test_malformed_identifiers_are_simply_not_found(api, case, path):
    anna = api("anna")
    response = anna.post(path, {}) if path.endswith("claim/") else anna.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unknown_paths_under_api_are_json_404_never_a_redirect_or_an_html_page(api):
    anna = api("anna")
    for response in (
        anna.get("/api/v1/nothing-here/"),
        anna.post("/api/v1/clients", {"first_names": "x"}),  # no trailing slash
        anna.get("/api/v2/cases/"),
    ):
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"


# --- 404: another organisation's objects -------------------------------------------------


def test_another_organisation_gets_the_same_404_as_for_nothing_and_the_attempt_is_audited(
    api, case, staff
):
    kaisa = api("kaisa")  # Kannus: another municipality
    task = open_task(case, "intake")
    missing = uuid.uuid4()
    pairs = [
        (f"/cases/{case.uuid}/", f"/cases/{missing}/"),
        (f"/cases/{case.uuid}/timeline/", f"/cases/{missing}/timeline/"),
        (f"/cases/{case.uuid}/tasks/", f"/cases/{missing}/tasks/"),
        (f"/cases/{case.uuid}/plans/", f"/cases/{missing}/plans/"),
        (f"/clients/{case.client.uuid}/", f"/clients/{missing}/"),
        (f"/tasks/{task.uuid}/", f"/tasks/{missing}/"),
    ]
    for existing, nothing in pairs:
        seen, unseen = kaisa.get(existing), kaisa.get(nothing)
        assert seen.status_code == unseen.status_code == 404, existing
        assert seen.content == unseen.content
        assert b"Salainen" not in seen.content and b"Piilotie" not in seen.content
    for action in ("claim", "release", "complete", "draft"):
        seen = kaisa.post(f"/tasks/{task.uuid}/{action}/", {"step": "intake"})
        unseen = kaisa.post(f"/tasks/{missing}/{action}/", {"step": "intake"})
        assert seen.status_code == unseen.status_code == 404, action
        assert seen.content == unseen.content
    seen = kaisa.patch(f"/clients/{case.client.uuid}/", {"phone": "1"})
    assert seen.status_code == 404
    assert kaisa.post("/intake/", {"client": str(case.client.uuid)}).status_code == 404
    task.refresh_from_db()
    assert task.status == "NEW"
    denied = AuditEntry.objects.filter(actor=staff["kaisa"], action="access.denied")
    assert denied.count() >= len(pairs) + 4
    # ... and nothing of the case shows in her lists
    assert kaisa.get("/cases/").json()["count"] == 0
    assert kaisa.get("/clients/", {"search": "Salainen"}).json()["count"] == 0
    assert kaisa.get("/tasks/queue/").json()["count"] == 0


# --- 400: field errors ---------------------------------------------------------------------


def test_registering_with_wrong_input_gives_field_errors_and_saves_nothing(api):
    from casework.models import Client

    anna = api("anna")
    tomorrow = iso(timezone.localdate() + dt.timedelta(days=1))
    cases = [
        ({"personal_identity_code": "131052-308U"}, "personal_identity_code"),
        ({"date_of_birth": tomorrow}, "date_of_birth"),
        ({"first_residence_permit_date": tomorrow}, "first_residence_permit_date"),
        ({"contacted_on": tomorrow}, "contacted_on"),
        ({"date_of_birth": "5.5.1990"}, "date_of_birth"),
        ({"date_of_birth": 19900505}, "date_of_birth"),
        ({"interpreter_needed": "maybe"}, "interpreter_needed"),
        ({"interpreter_needed": True}, "interpreter_language"),
        ({"municipality": "999"}, "municipality"),
        ({"municipality": "217"}, "municipality"),  # Kannus: not where Anna works
        ({"mother_tongue": "xx"}, "mother_tongue"),
        ({"first_names": ["A", "B"]}, "first_names"),
        ({"last_name": 42}, "last_name"),
        ({"gender": "f"}, "gender"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"uuid": str(uuid.uuid4())}, "uuid"),
        ({"unaccompanied_minor": True}, "minor_representative"),
    ]
    for change, field in cases:
        response = anna.post("/clients/", client_json(**change))
        assert response.status_code == 400, (change, response.content)
        body = response.json()
        assert body["code"] == "invalid"
        assert field in body["errors"], (change, body)
    for body in ([], "text", 5, None):
        response = anna.post("/clients/", body)
        assert response.status_code == 400, body
    response = anna.client.post("/api/v1/clients/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"]
    assert not Client.objects.exists()


def test_step_data_is_checked_by_name_type_and_the_forms_rules(api, case, staff):
    anna = api("anna")
    _claimed(case, staff["anna"])
    act(case, "intake", staff["anna"])
    task = open_task(case, "assess")
    url = f"/tasks/{task.uuid}/complete/"
    tomorrow = iso(timezone.localdate() + dt.timedelta(days=1))
    cases = [
        (assessment_json(favourite="x"), "favourite"),
        (assessment_json(step="intake"), "step"),
        ({k: v for k, v in assessment_json().items() if k != "step"}, "step"),
        (assessment_json(interview_date=tomorrow), "interview_date"),  # the form's rule
        (assessment_json(interview_date="yesterday"), "interview_date"),
        (assessment_json(literacy="fluent"), "literacy"),
        (assessment_json(plan_needed="perhaps"), "plan_needed"),
        (assessment_json(interpreter_used="no way"), "interpreter_used"),
        (assessment_json(life_situation={"a": 1}), "life_situation"),
        (assessment_json(life_situation=""), "life_situation"),  # the service's rule
        (
            assessment_json(wellbeing_participation_needed=True),
            "wellbeing_participation_reason",
        ),
    ]
    for data, field in cases:
        response = anna.post(url, data)
        assert response.status_code == 400, (data, response.content)
        assert field in response.json()["errors"], (field, response.json())
    for body in ([assessment_json()], "assess", None):
        assert anna.post(url, body).status_code == 400
    task.refresh_from_db()
    assert task.status == "ASSIGNED"


def test_plan_measures_are_checked_one_by_one(api, case, staff):
    anna = api("anna")
    _claimed(case, staff["anna"])
    act(case, "intake", staff["anna"])
    act(case, "assess", staff["anna"], assessment())
    task = open_task(case, "draft_plan")
    url = f"/tasks/{task.uuid}/complete/"
    good = plan_json()["measures"][0]
    cases = [
        ({**good, "service": "no-such-service"}, "measures[0].service"),
        ({**good, "provider": "eezy", "service": "literacy-training"}, "measures"),
        ({**good, "hours": -1}, "measures[0].hours"),
        ({**good, "hours": 10**20}, "measures[0].hours"),  # beyond any integer column
        ({**good, "colour": "red"}, "measures[0].colour"),
        ({**good, "ends_on": "2020-01-01"}, "measures[0].ends_on"),
    ]
    for measure, field in cases:
        response = anna.post(url, plan_json(measures=[measure]))
        assert response.status_code == 400, (measure, response.content)
        assert field in response.json()["errors"], (field, response.json())
    response = anna.post(url, plan_json(measures="all of them"))
    assert response.status_code == 400
    response = anna.post(url, plan_json(ends_on="2000-01-01"))
    assert "ends_on" in response.json()["errors"]
    assert not CaseTask.objects.filter(case=case, step="client_decision").exists()


def test_filters_and_pages_that_do_not_parse(api, case):
    anna = api("anna")
    for path, params in (
        ("/cases/", {"state": "sleeping"}),
        ("/cases/", {"mine": "perhaps"}),
        ("/tasks/inbox/", {"case": "nope"}),
        ("/tasks/queue/", {"priority": "urgent"}),
        ("/services/", {"kind": "magic"}),
        (f"/cases/{case.uuid}/timeline/", {"since": "last week"}),
        (f"/cases/{case.uuid}/tasks/", {"status": "sleeping"}),
    ):
        response = anna.get(path, params)
        assert response.status_code == 400, (path, params)
        assert set(response.json()["errors"]) == set(params)
    for page in ("2", "0", "-1", "abc", "99999999999999999999"):
        response = anna.get("/cases/", {"page": page})
        assert response.status_code == 404, page
    assert anna.get("/cases/", {"page_size": "abc"}).status_code == 200
    assert anna.get("/cases/", {"page_size": "100000"}).json()["count"] == 1


# --- 403 --------------------------------------------------------------------------------


def test_permission_errors_are_403_with_a_message(api, case, staff):
    from casework import services as casework_services
    from casework.models import Role, Unit

    anna, bertil = api("anna"), api("bertil")
    auditor = staff["anna"].__class__.objects.create_user(username="aino", password="x")
    casework_services.membership_grant(
        by=None,
        user=auditor,
        unit=Unit.objects.get(organisation__code="kokkola", code="kotoutumispalvelut"),
        role=Role.AUDITOR,
    )
    aino = type(anna)(auditor)
    assert aino.post("/clients/", client_json()).status_code == 403
    assert aino.get(f"/cases/{case.uuid}/").status_code == 404  # auditors read no client data
    # A case worker is not a manager: no queue figures, no releasing someone else's task.
    assert anna.get("/reports/queues/").status_code == 403
    task = _claimed(case, staff["anna"])
    response = bertil.post(f"/tasks/{task.uuid}/release/")
    assert response.status_code == 403
    assert response.json()["detail"]
    assert api("maria").post(f"/tasks/{task.uuid}/release/").status_code == 200


def test_the_wellbeing_area_sees_only_the_summary(api, case, staff):
    anna, sanna = staff["anna"], staff["sanna"]
    _claimed(case, anna)
    act(case, "intake", anna)
    act(
        case,
        "assess",
        anna,
        assessment(wellbeing_participation_needed=True, wellbeing_participation_reason="x"),
    )
    invitation = open_task(case, "wellbeing_contribution")
    # Before taking the invitation: the task in the queue, not the case.
    assert api("sanna").get(f"/tasks/{invitation.uuid}/").status_code == 200
    assert api("sanna").get(f"/cases/{case.uuid}/").status_code == 404
    services.task_claim(by=sanna, case_task=invitation)
    response = api("sanna").get(f"/cases/{case.uuid}/")
    body = response.json()
    assert body["full_case"] is False and body["client_details"] is None
    assert b"Piilotie" not in response.content
    assert api("sanna").get(f"/cases/{case.uuid}/timeline/").status_code == 403
    listed = api("sanna").get("/cases/").json()["results"]
    assert [c["uuid"] for c in listed] == [str(case.uuid)]
    assert listed[0]["contacted_on"] is None


# --- 409 --------------------------------------------------------------------------------


def test_a_task_changed_meanwhile_is_409(api, case, staff):
    anna, bertil = api("anna"), api("bertil")
    task = open_task(case, "intake")
    # Completing before taking the task
    response = anna.post(f"/tasks/{task.uuid}/complete/", {"step": "intake"})
    assert response.status_code == 409
    assert anna.post(f"/tasks/{task.uuid}/claim/").status_code == 200
    response = bertil.post(f"/tasks/{task.uuid}/claim/")  # already taken
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert bertil.post(f"/tasks/{task.uuid}/complete/", {"step": "intake"}).status_code == 409
    assert anna.post(f"/tasks/{task.uuid}/complete/", {"step": "intake"}).status_code == 200
    response = anna.post(f"/tasks/{task.uuid}/complete/", {"step": "intake"})  # second tab
    assert response.status_code == 409
    with translation.override("en"):
        assert response.json()["detail"]
    assert CaseTask.objects.filter(case=case, step="assess").count() == 1
    assert anna.post(f"/tasks/{task.uuid}/release/").status_code == 409


def test_a_client_with_an_open_case_cannot_start_another(api, case, staff):
    _claimed(case, staff["anna"])
    response = api("anna").post("/intake/", {"client": str(case.client.uuid)})
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"]


# --- non-disclosure, audit, language ------------------------------------------------------


def test_non_disclosure_hides_the_address_from_all_but_named_staff(api, case, staff):
    from casework.models import Membership

    Membership.objects.filter(user=staff["anna"]).update(can_see_protected_details=True)
    _claimed(case, staff["anna"])
    named = api("anna").get(f"/clients/{case.client.uuid}/").json()
    other = api("bertil").get(f"/clients/{case.client.uuid}/").json()
    assert named["street_address"] == "Piilotie 7" and named["protected_details_visible"]
    assert other["street_address"] is None and other["phone"] is None
    assert other["first_names"] == "Salainen" and not other["protected_details_visible"]
    case_view = api("bertil").get(f"/cases/{case.uuid}/").json()
    assert case_view["client_details"]["street_address"] is None
    # Only named staff may change (or lift) what the marking hides.
    for change in ({"phone": "+358 1"}, {"non_disclosure": False}):
        response = api("bertil").patch(f"/clients/{case.client.uuid}/", change)
        assert response.status_code == 403, change
    response = api("anna").patch(f"/clients/{case.client.uuid}/", {"phone": "+358 1"})
    assert response.status_code == 200 and response.json()["phone"] == "+358 1"


def test_each_read_of_client_data_is_audited_once(api, case, staff):
    anna = api("anna")
    _claimed(case, staff["anna"])
    task = open_task(case, "intake")
    for path in (
        f"/clients/{case.client.uuid}/",
        f"/cases/{case.uuid}/",
        f"/cases/{case.uuid}/timeline/",
        f"/cases/{case.uuid}/tasks/",
        f"/cases/{case.uuid}/plans/",
        f"/tasks/{task.uuid}/",
    ):
        before = AuditEntry.objects.count()
        assert anna.get(path).status_code == 200
        entries = list(AuditEntry.objects.order_by("-pk")[: AuditEntry.objects.count() - before])
        assert [(e.action, e.client_id, e.data["via"]) for e in entries] == [
            ("client.viewed", case.client.pk, "api")
        ], path
    before = AuditEntry.objects.count()
    anna.get("/clients/", {"search": "Salainen"})
    search = AuditEntry.objects.order_by("-pk").first()
    assert AuditEntry.objects.count() == before + 1
    assert search.action == "client.searched"
    assert search.data["clients"] == [str(case.client.uuid)]
    assert "Salainen" not in str(search.data)  # never the search words


def test_changing_the_municipality_moves_the_case_out_of_sight(api, case, staff):
    _claimed(case, staff["anna"])
    response = api("anna").patch(
        f"/clients/{case.client.uuid}/",
        {"municipality": "217", "reason": "moved to Kannus"},
    )
    assert response.status_code == 204
    case.refresh_from_db()
    assert case.responsible_organisation.code == "kannus"
    assert api("anna").get(f"/cases/{case.uuid}/").status_code == 404
    assert api("kaisa").get(f"/cases/{case.uuid}/").status_code == 200


def test_messages_follow_the_language_asked_for(api, case, pseudo_finnish):
    anna = api("anna")
    body = client_json(favourite_colour="blue")
    finnish = anna.post("/clients/", body).json()
    assert finnish["errors"]["favourite_colour"][0].startswith(pseudo_finnish)
    english = anna.post("/clients/", body, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["errors"]["favourite_colour"] == ["Unknown field."]
    assert english["detail"] == "Check the fields."


def test_take_the_next_task_through_the_api(api, case, staff):
    anna, kaisa = api("anna"), api("kaisa")
    assert kaisa.post("/tasks/queue/next/").status_code == 409  # nothing she may take
    response = anna.post("/tasks/queue/next/")
    assert response.status_code == 200
    assert response.json()["uuid"] == str(open_task(case, "intake").uuid)
    assert response.json()["status"] == "ASSIGNED"
    response = api("bertil").post("/tasks/queue/next/")
    assert response.status_code == 409 and response.json()["code"] == "conflict"
