"""The printable plan in the client's language, client search, and the wellbeing area's
invitations page."""

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from permissions.models import AuditEntry

from .conftest import act, assessment, drive_to_plan_active, open_task


def test_plan_prints_in_the_plans_language_with_signatures(client, start_path, staff):
    case = start_path(preferred_language="sv")
    drive_to_plan_active(case, staff["anna"])
    client.force_login(staff["anna"])
    url = reverse("workflows:plan_print", args=[case.uuid, 1])
    body = client.get(url, {"lang": "sv"}).content.decode()
    with translation.override("sv"):
        assert gettext("Integration plan") in body
        assert gettext("Client's signature, place and date") in body
    assert '<html lang="sv">' in body
    assert "work as a nurse" in body
    assert client.get(url, {"lang": "xx"}).status_code == 200  # falls back, never an error
    assert client.get(reverse("workflows:plan_print", args=[case.uuid, 9])).status_code == 404
    client.force_login(staff["kaisa"])
    assert client.get(url).status_code == 404


def test_search_by_name_identity_code_and_case_number(client, start_path, staff):
    case = start_path(
        first_names="Zainab",
        last_name="Osman",
        personal_identity_code="131052-308T",
        date_of_birth=None,
    )
    start_path(first_names="Other", last_name="Person")
    client.force_login(staff["anna"])
    url = reverse("workflows:client_search")
    for query in ("Osman", "zain", "131052-308t", case.number):
        results = client.get(url, {"q": query}).context["results"]
        assert [c.pk for c in results] == [case.pk], query
    assert client.get(url, {"q": "x"}).context["results"] == []
    assert AuditEntry.objects.filter(action="client.searched", actor=staff["anna"]).count() == 4
    client.force_login(staff["kaisa"])  # another municipality's worker finds nothing
    assert client.get(url, {"q": "Osman"}).context["results"] == []


def test_wellbeing_worker_sees_invitations_and_takes_one(client, start_path, staff):
    anna, sakari = staff["anna"], staff["sakari"]
    case = start_path()
    act(case, "intake", anna)
    act(
        case,
        "assess",
        anna,
        assessment(
            wellbeing_participation_needed=True, wellbeing_participation_reason="needs family work"
        ),
    )
    client.force_login(sakari)
    page = client.get(reverse("workflows:invitations")).content.decode()
    assert case.number in page and "needs family work" in page
    task = open_task(case, "wellbeing_contribution")
    task_page = client.get(reverse("workflows:task", args=[task.uuid]))
    assert task_page.status_code == 200 and task_page.context["claimable"]
    assert reverse("workflows:claim", args=[task.uuid]) in task_page.content.decode()
    assert client.post(reverse("workflows:claim", args=[task.uuid])).status_code == 302
    response = client.post(
        reverse("workflows:task", args=[task.uuid]),
        {"contribution": "family work twice a week", "services_offered": ""},
    )
    assert response.status_code == 302
    case.participations.get().refresh_from_db()
    assert case.participations.get().contribution == "family work twice a week"
    assert case.participations.get().contributed_at.date() == timezone.localdate()
    client.get(reverse("workflows:inbox"))  # sanna reads the message saying what comes next
    # other units' workers see no invitations
    client.force_login(staff["anna"])
    assert case.number not in client.get(reverse("workflows:invitations")).content.decode()


def test_change_of_facts_in_the_page_transfers_the_case(client, start_path, staff):
    from casework.models import CaseEvent

    case = start_path(
        residence_basis="family", labour_market_status="home_parent", child_home_care_allowance=True
    )
    act(case, "intake", staff["anna"])
    client.force_login(staff["anna"])
    url = reverse("workflows:client_change", args=[case.uuid])
    form = client.get(url).context["form"]
    data = {
        name: ("" if value is None else getattr(value, "pk", value))
        for name, value in form.initial.items()
        if name in form.fields
    }
    data = {k: v for k, v in data.items() if v not in (False,)}
    data.update({"labour_market_status": "unemployed_jobseeker", "reason": ""})
    data.pop("child_home_care_allowance", None)
    response = client.post(url, data)
    assert response.status_code == 400  # the reason is required; nothing changed
    case.refresh_from_db()
    assert case.responsible_organisation.code == "kokkola"
    data["reason"] = "registered as a jobseeker"
    response = client.post(url, data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.responsible_organisation.code == "kp-tyollisyysalue"
    assert open_task(case, "assess").unit.organisation.code == "kp-tyollisyysalue"
    assert CaseEvent.objects.get(case=case, kind="transferred").note == "registered as a jobseeker"


def test_close_the_case_from_its_page(client, start_path, staff):
    case = start_path()
    client.force_login(staff["anna"])
    url = reverse("workflows:case_close", args=[case.uuid])
    assert client.post(url, {"reason": "nonsense"}).status_code == 400
    assert client.post(url, {"reason": "moved_away", "note": "Oulu"}).status_code == 302
    case.refresh_from_db()
    assert case.state == "closed" and case.close_reason == "moved_away"
    assert client.post(url, {"reason": "moved_away"}).status_code == 400  # already closed


def test_protected_details_and_the_marking_change_only_by_named_staff(start_path, staff):
    import pytest
    from django.core.exceptions import PermissionDenied

    from casework.models import Membership
    from workflows import services

    case = start_path(non_disclosure=True, street_address="Piilotie 1")
    Membership.objects.filter(user=staff["anna"]).update(can_see_protected_details=True)
    for changes in ({"non_disclosure": False}, {"street_address": "Uusi 2"}):
        with pytest.raises(PermissionDenied):
            services.client_change(
                by=staff["bertil"], client=case.client, changes=changes, reason="x"
            )
    case.client.refresh_from_db()
    assert case.client.non_disclosure and case.client.street_address == "Piilotie 1"
    services.client_change(
        by=staff["anna"],
        client=case.client,
        changes={"street_address": "Uusi 2"},
        reason="moved within town",
    )
    case.client.refresh_from_db()
    assert case.client.street_address == "Uusi 2"


def test_a_closed_clients_data_changes_only_with_rights(start_path, staff):
    import pytest
    from django.core.exceptions import PermissionDenied

    from workflows import services

    case = start_path()
    services.path_close(by=staff["anna"], case=case, reason="moved_away")
    with pytest.raises(PermissionDenied):
        services.client_change(
            by=staff["kaisa"], client=case.client, changes={"phone": "+358 1"}, reason="x"
        )
    services.client_change(
        by=staff["anna"], client=case.client, changes={"phone": "+358 1"}, reason="new number"
    )


def test_saving_a_plan_draft_twice_keeps_one_set_of_measures(start_path, staff):
    from .conftest import plan

    anna = staff["anna"]
    case = start_path()
    act(case, "intake", anna)
    act(case, "assess", anna, assessment())
    task = open_task(case, "draft_plan")
    from workflows import services

    services.task_save_draft_with_data(by=anna, case_task=task, data=plan(case))
    services.task_save_draft_with_data(by=anna, case_task=task, data=plan(case))
    assert case.plans.get().measures.count() == 1
    services.task_complete_with_data(by=anna, case_task=task, data=plan(case))
    assert case.plans.get().measures.count() == 1


def test_the_intake_note_is_kept_in_the_history(start_path, staff):
    from casework.models import CaseEvent

    case = start_path()
    act(case, "intake", staff["anna"], {"note": "Met at the Welcome Office with an interpreter"})
    assert CaseEvent.objects.get(case=case, kind="assessment_started").note == (
        "Met at the Welcome Office with an interpreter"
    )
