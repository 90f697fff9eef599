"""The task pages: an invalid form keeps the task open and every value entered; a task
completed by someone else shows a clear message; other organisations see nothing."""

import re

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from workflows.models import CaseTask

from .conftest import act, open_task


def test_invalid_assessment_keeps_the_task_open_and_every_value(client, start_path, staff):
    anna = staff["anna"]
    case = start_path()
    act(case, "intake", anna)
    task = open_task(case, "assess")
    client.force_login(anna)
    response = client.post(
        reverse("workflows:task", args=[task.uuid]),
        {
            "action": "complete",
            "work_history": "cleaner for 7 years",
            "literacy": "latin",
            "interview_date": (timezone.localdate() + timezone.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "cleaner for 7 years" in body
    assert '<option value="latin" selected>' in body
    assert "errorlist" in body
    task.refresh_from_db()
    assert task.status == "ASSIGNED"
    case.refresh_from_db()
    assert case.state == "assessment"


def test_draft_is_saved_and_resumed(client, start_path, staff):
    anna = staff["anna"]
    case = start_path()
    act(case, "intake", anna)
    task = open_task(case, "assess")
    client.force_login(anna)
    url = reverse("workflows:task", args=[task.uuid])
    response = client.post(url, {"action": "draft", "work_history": "welder", "literacy": "latin"})
    assert response.status_code == 302
    assert "welder" in client.get(url).content.decode()
    task.refresh_from_db()
    assert task.status == "ASSIGNED"


def test_task_completed_by_someone_else_shows_a_message(client, start_path, staff):
    anna = staff["anna"]
    case = start_path()
    task = open_task(case, "intake")
    client.force_login(anna)
    url = reverse("workflows:task", args=[task.uuid])
    client.post(reverse("workflows:claim", args=[task.uuid]))
    assert client.post(url, {"action": "complete"}).status_code == 302
    # The same form sent again (a second tab): a clear message, no error page.
    response = client.post(url, {"action": "complete"})
    assert response.status_code in (200, 409)
    with translation.override("fi"):
        expected = gettext("This task has already been completed.")
    assert expected in response.content.decode()
    assert CaseTask.objects.filter(case=case, step="assess").count() == 1


def test_other_organisation_gets_404_for_case_and_task(client, start_path, staff):
    case = start_path()
    task = open_task(case, "intake")
    client.force_login(staff["kaisa"])
    assert client.get(reverse("workflows:case", args=[case.uuid])).status_code == 404
    assert client.get(reverse("workflows:task", args=[task.uuid])).status_code == 404
    assert client.post(reverse("workflows:claim", args=[task.uuid])).status_code == 404
    task.refresh_from_db()
    assert task.status == "NEW"


def test_case_page_shows_the_position_on_the_flow_chart(client, start_path, staff):
    anna = staff["anna"]
    case = start_path()
    act(case, "intake", anna)
    client.force_login(anna)
    page = client.get(reverse("workflows:case", args=[case.uuid]))
    assert page.status_code == 200
    chart = client.get(reverse("workflows:case_chart", args=[case.uuid]))
    assert chart["Content-Type"] == "image/svg+xml"
    svg = chart.content.decode()
    # the step being done is drawn in the "in progress" colour
    assert re.search(r'<g id="node-assess">.*?fill="#fde49a"', svg, re.S)
    bpmn = client.get(reverse("workflows:flow_bpmn"))
    assert b"bpmn" in bpmn.content.lower()


def test_register_client_with_wrong_input_keeps_everything_and_saves_nothing(client, staff):
    from casework.models import Client, Municipality

    client.force_login(staff["anna"])
    url = reverse("workflows:client_register")
    form = {
        "first_names": "Olga",
        "last_name": "Ivanova",
        "personal_identity_code": "131052-308U",
        "date_of_birth": "1952-10-13",
        "gender": "female",
        "mother_tongue": "ru",
        "preferred_language": "fi",
        "municipality": Municipality.objects.get(code="272").pk,
        "contacted_on": timezone.localdate().isoformat(),
        "first_residence_permit_date": (
            timezone.localdate() + timezone.timedelta(days=1)
        ).isoformat(),
        "residence_basis": "family",
        "labour_market_status": "outside_labour_force",
        "street_address": "Rantakatu 1",
    }
    response = client.post(url, form)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Rantakatu 1" in body and "Olga" in body
    assert body.count('class="errorlist"') >= 2  # the identity code and the permit date
    assert not Client.objects.exists()

    form["personal_identity_code"] = "131052-308T"
    form["first_residence_permit_date"] = "2025-06-01"
    response = client.post(url, form)
    assert response.status_code == 302
    created = Client.objects.get()
    case = created.cases.get()
    assert case.responsible_organisation.code == "kokkola"
    assert open_task(case, "intake").status == "NEW"


def test_take_the_next_task_from_the_queue_page(client, start_path, staff):
    case = start_path()
    client.force_login(staff["bertil"])
    with translation.override("en"):
        page = client.get(reverse("workflows:queue"), HTTP_ACCEPT_LANGUAGE="en")
        assert reverse("workflows:claim_next") in page.content.decode()
    response = client.post(reverse("workflows:claim_next"))
    task = open_task(case, "intake")
    assert task.owner == staff["bertil"]
    assert response.status_code == 302 and response.url == reverse(
        "workflows:task", args=[task.uuid]
    )
    response = client.post(reverse("workflows:claim_next"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("workflows:queue")
    assert gettext("No task in your queues is free to take right now.") in response.content.decode()
