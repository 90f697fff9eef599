"""Large exports run as background tasks, with their progress on a page and the file for
the person who asked, and for nobody else."""

import csv
import datetime as dt
import io
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from permissions.models import AuditEntry
from tests.factories import StaffFactory
from workflows import exports
from workflows.models import ExportJob, ExportStatus


@pytest.fixture
def auditor(reference_data):
    return StaffFactory(auditor=True)


@pytest.fixture
def case(start_path):
    return start_path()


def _start(http, **filters):
    return http.post(reverse("exports:start", args=["audit_csv"]), filters)


def _rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_an_auditor_exports_the_trail_in_the_background_and_downloads_it(
    client, auditor, case, django_capture_on_commit_callbacks
):
    client.force_login(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(client, client=str(case.client.uuid), action="case.")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "exports:job", args=[job.uuid]
    )
    assert job.status == ExportStatus.DONE and job.params == {
        "client": str(case.client.uuid),
        "action": "case.",
    }
    expected = list(
        AuditEntry.objects.filter(client_id=case.client_id, action__startswith="case.").order_by(
            "-at", "-pk"
        )
    )
    assert expected and job.total == job.done == len(expected)

    page = client.get(reverse("exports:job", args=[job.uuid]))
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("exports:download", args=[job.uuid]) in text
    assert 'role="status"' in text

    download = client.get(reverse("exports:download", args=[job.uuid]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="kotopolku-audit.csv"'
    rows = _rows(download)
    assert rows[0][:3] == ["time", "user", "action"]
    assert [row[2] for row in rows[1:]] == [entry.action for entry in expected]
    assert all(row[6] == str(case.client_id) for row in rows[1:])
    # asking and downloading are both in the trail
    assert AuditEntry.objects.filter(action="export.requested", actor=auditor).count() == 1
    assert AuditEntry.objects.filter(action="export.downloaded", actor=auditor).count() == 1


def test_a_job_is_nobody_elses(client, auditor, case, django_capture_on_commit_callbacks):
    client.force_login(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        _start(client)
    job = ExportJob.objects.get()
    other_auditor = StaffFactory(auditor=True)
    client.force_login(other_auditor)
    for name in ("exports:job", "exports:download"):
        mine_elsewhere = client.get(reverse(name, args=[job.uuid]))
        missing = client.get(reverse(name, args=[uuid.uuid4()]))
        assert mine_elsewhere.status_code == missing.status_code == 404


def test_only_those_who_may_read_the_trail_may_export_it(client, reference_data, case):
    client.force_login(StaffFactory())  # a case worker
    assert _start(client).status_code == 403
    assert not ExportJob.objects.exists()


def test_malformed_filters_are_refused_before_anything_is_queued(client, auditor):
    client.force_login(auditor)
    response = _start(client, since="yesterday", client="not-a-uuid")
    assert response.status_code == 400
    text = response.content.decode()
    assert "since:" in text and "client:" in text
    assert not ExportJob.objects.exists()


def test_progress_is_shown_while_it_runs(client, auditor):
    job = ExportJob.objects.create(
        kind="audit_csv", requested_by=auditor, status=ExportStatus.RUNNING, total=400, done=100
    )
    client.force_login(auditor)
    part = client.get(reverse("exports:job", args=[job.uuid]), {"part": "progress"})
    assert part.status_code == 200
    text = part.content.decode()
    assert "<html" not in text  # only the part the page's script puts in place
    assert 'value="25"' in text and "100" in text and "400" in text
    assert 'data-finished="false"' in text
    page = client.get(reverse("exports:job", args=[job.uuid])).content.decode()
    assert 'data-poll="2000"' in page and "exports/progress.js" in page
    # not ready: no download
    assert client.get(reverse("exports:download", args=[job.uuid])).status_code == 404


def test_progress_is_written_as_it_goes(auditor, start_path, monkeypatch):
    """What the page polls moves while the file is written: the total first, then the rows
    written every PROGRESS_EVERY rows."""
    for name in ("One", "Two", "Three"):
        start_path(last_name=name)
    seen = []
    job = ExportJob.objects.create(kind="audit_csv", requested_by=auditor)
    audit = exports.EXPORTERS["audit_csv"]

    def row(entry):
        progress = ExportJob.objects.filter(pk=job.pk).values_list("total", "done").get()
        seen.append(progress)
        return audit.row(entry)

    monkeypatch.setitem(
        exports.EXPORTERS, "audit_csv", exports.Exporter(**{**audit.__dict__, "row": row})
    )
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    assert exports.run_job(job.pk) == "done"
    job.refresh_from_db()
    total = job.total
    assert total >= 3 and job.done == total and len(seen) == total
    assert seen == [(total, 2 * (i // 2)) for i in range(total)]
    assert job.size == len(bytes(job.content))


def test_a_job_delivered_twice_is_built_once(auditor, case):
    job = ExportJob.objects.create(kind="audit_csv", requested_by=auditor)
    assert exports.run_job(job.pk) == "done"
    assert exports.run_job(job.pk) == "not waiting"


def test_a_person_who_lost_the_role_gets_no_file(auditor, case):
    job = ExportJob.objects.create(kind="audit_csv", requested_by=auditor)
    auditor.memberships.update(is_active=False)
    assert exports.run_job(job.pk) == "refused"
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED and job.content is None and job.error


def test_old_files_are_deleted(auditor):
    now = timezone.now()
    old = ExportJob.objects.create(
        kind="audit_csv",
        requested_by=auditor,
        status=ExportStatus.DONE,
        finished_at=now - dt.timedelta(hours=25),
    )
    fresh = ExportJob.objects.create(
        kind="audit_csv",
        requested_by=auditor,
        status=ExportStatus.DONE,
        finished_at=now - dt.timedelta(hours=23),
    )
    running = ExportJob.objects.create(
        kind="audit_csv", requested_by=auditor, status=ExportStatus.RUNNING
    )
    assert exports.delete_expired(now=now) == 1
    assert set(ExportJob.objects.values_list("pk", flat=True)) == {fresh.pk, running.pk}
    assert not ExportJob.objects.filter(pk=old.pk).exists()


def test_the_audit_page_asks_for_the_export_in_the_background(client, auditor, case):
    """The audit trail's "Export as CSV" button posts the page's filters to a background
    export (not a download built in the request)."""
    client.force_login(auditor)
    page = client.get(
        reverse("permissions:audit_log"), {"client": str(case.client.uuid), "action": "case."}
    )
    text = page.content.decode()
    form_start = text.index(f'action="{reverse("exports:start", args=["audit_csv"])}"')
    form = text[form_start : text.index("</form>", form_start)]
    assert f'name="client" value="{case.client.uuid}"' in form
    assert 'name="action" value="case."' in form
    assert 'name="csrfmiddlewaretoken"' in form
