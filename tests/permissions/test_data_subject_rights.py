"""Export everything held about a client; anonymise closed cases after the retention period,
leaving no personal data and keeping the statistics."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from casework.hetu import make_identity_code
from casework.models import CaseEvent, Client, CloseReason, IntegrationCase
from casework.services.privacy import anonymise_closed
from permissions.models import AuditEntry
from tests.workflows.conftest import act, assessment, drive_to_plan_active
from workflows import services


def test_export_contains_everything_and_is_audited(client, start_path, staff):
    anna = staff["anna"]
    case = start_path(first_names="Mariam", street_address="Kirkkokatu 3")
    drive_to_plan_active(case, anna)
    client.force_login(anna)
    response = client.get(
        reverse("permissions:client_export", args=[case.client.uuid]), {"format": "json"}
    )
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["client"]["first_names"] == "Mariam"
    assert data["client"]["street_address"] == "Kirkkokatu 3"
    [exported] = data["cases"]
    assert exported["case"]["number"] == case.number
    assert exported["assessment"]["work_history"] == "shop assistant"
    assert exported["plans"][0]["measures"][0]["service"]
    assert len(exported["timeline"]) == CaseEvent.objects.filter(case=case).count() >= 7
    assert any(e["action"] == "case.opened" for e in data["access_log"])
    assert (
        AuditEntry.objects.filter(
            action="client.exported", client_id=case.client_id, actor=anna
        ).count()
        == 1
    )
    page = client.get(reverse("permissions:client_export", args=[case.client.uuid]))
    assert page.status_code == 200 and "Mariam" in page.content.decode()


def _closed_case(start_path, staff, **facts):
    anna = staff["anna"]
    case = start_path(**facts)
    act(case, "intake", anna)
    act(case, "assess", anna, assessment(life_situation="lives with her sister"))
    services.path_close(by=anna, case=case, reason=CloseReason.MOVED_AWAY, note="moved to Oulu")
    return case


def test_anonymisation_leaves_no_personal_data_and_keeps_statistics(start_path, staff):
    old = _closed_case(
        start_path,
        staff,
        first_names="Leyla",
        last_name="Karimi",
        personal_identity_code=make_identity_code(dt.date(1990, 1, 1), 904),
        date_of_birth=dt.date(1990, 1, 1),
        street_address="Satamakatu 9",
        phone="+358 40 123 4567",
    )
    recent = _closed_case(start_path, staff, first_names="Recent", last_name="Closed")
    still_open = start_path(first_names="Open", last_name="Case")
    stats_before = list(
        IntegrationCase.objects.values("category", "state", "close_reason")
        .annotate(n=Count("id"))
        .order_by("category", "state")
    )
    IntegrationCase.objects.filter(pk=old.pk).update(
        closed_on=timezone.localdate() - dt.timedelta(days=400)
    )

    dry = anonymise_closed(retention_days=365, dry_run=True)
    assert dry.clients == 1 and Client.objects.get(pk=old.client_id).last_name == "Karimi"
    report = anonymise_closed(retention_days=365)
    assert (report.clients, report.cases, report.client_ids) == (1, 1, [old.client_id])
    assert report.skipped_open == 1

    person = Client.objects.get(pk=old.client_id)
    assert "Leyla" not in person.first_names and "Karimi" not in person.last_name
    assert person.personal_identity_code is None
    assert (person.street_address, person.phone) == ("", "")
    assert person.date_of_birth == dt.date(1990, 1, 1).replace(month=1, day=1)
    assert person.anonymised_at is not None
    assert person.municipality.code == "272" and person.mother_tongue == "ar"
    assert old.assessment.__class__.objects.get(case=old).life_situation == ""
    assert not CaseEvent.objects.filter(case=old).exclude(note="").exists()
    # nothing in the audit trail names the client
    for entry in AuditEntry.objects.filter(client_id=old.client_id):
        assert "Leyla" not in entry.object_repr and "Karimi" not in json.dumps(entry.data)
    # the others are untouched, and the statistics are the same
    assert Client.objects.get(pk=recent.client_id).first_names == "Recent"
    assert Client.objects.get(pk=still_open.client_id).first_names == "Open"
    stats_after = list(
        IntegrationCase.objects.values("category", "state", "close_reason")
        .annotate(n=Count("id"))
        .order_by("category", "state")
    )
    assert stats_after == stats_before
    # running again does nothing more
    assert anonymise_closed(retention_days=365).clients == 0


def test_anonymise_command_reports_what_it_did(start_path, staff, capsys):
    case = _closed_case(start_path, staff)
    IntegrationCase.objects.filter(pk=case.pk).update(
        closed_on=timezone.localdate() - dt.timedelta(days=40)
    )
    call_command("anonymise_closed", "--days", "30")
    out = capsys.readouterr().out
    assert "anonymised 1 clients (1 cases)" in out


@pytest.mark.parametrize("who", ["kaisa", "sanna", "tuomas"])
def test_export_refused_to_others(client, start_path, staff, who):
    case = start_path()
    client.force_login(staff[who])
    response = client.get(
        reverse("permissions:client_export", args=[case.client.uuid]), {"format": "json"}
    )
    assert response.status_code == 404
    assert "Amina" not in response.content.decode()
