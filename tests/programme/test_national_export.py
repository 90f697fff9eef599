"""The national reporting export: every export validates against its JSON Schema; the
statutory content of real paths; pseudonyms, never names or identity codes; the command,
the API for managers only, and every export recorded and audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import jsonschema
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from casework.hetu import make_identity_code
from casework.models import NationalExport
from casework.national_export import SCHEMA_PATH, canonical_bytes, key_id, load_schema, pseudonym
from permissions.models import AuditEntry
from tests.api.conftest import Api
from tests.workflows.conftest import act, assessment, drive_to_plan_active, plan
from workflows import services

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
FROM, TO = TODAY - dt.timedelta(days=365), TODAY
KEY = "test-national-export-key"
HETU = make_identity_code(dt.date(1990, 5, 5), 901)


def validate(dataset):
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
        dataset
    )


@pytest.fixture(autouse=True)
def _key(settings):
    settings.NATIONAL_EXPORT_KEY = KEY


@pytest.fixture
def paths(start_path, staff):
    """An approved plan, a refused plan, a transfer to the employment authority, a case of
    Kannus, and a client with an identity code and a non-disclosure marking."""
    anna = staff["anna"]
    approved = drive_to_plan_active(
        start_path(first_names="Hyväksytty", personal_identity_code=HETU), anna
    )
    refused = start_path(
        first_names="Kieltäytyjä", non_disclosure=True, street_address="Piilotie 7"
    )
    act(refused, "intake", anna)
    act(refused, "assess", anna, assessment(interpreter_used=True, interpreter_language="ar"))
    act(refused, "draft_plan", anna, plan(refused))
    act(
        refused,
        "client_decision",
        anna,
        {"decision": "refuse", "decided_on": TODAY, "refusal_reason": "ei halua osallistua"},
    )
    moved = start_path(
        first_names="Siirtyvä", residence_basis="family", labour_market_status="home_parent",
        child_home_care_allowance=True,
    )  # fmt: skip
    services.client_change(
        by=anna,
        client=moved.client,
        changes={
            "labour_market_status": "unemployed_jobseeker",
            "child_home_care_allowance": False,
        },
        reason="työnhakijaksi",
    )
    from casework.models import Municipality

    kannus = start_path(
        by="kaisa", organisation="kannus", municipality=Municipality.objects.get(code="217")
    )
    for case in (approved, refused, moved, kannus):
        case.refresh_from_db()
    return {"approved": approved, "refused": refused, "moved": moved, "kannus": kannus}


def by_case(dataset, case):
    wanted = pseudonym(KEY.encode(), "case", case.uuid)
    return next(r for r in dataset["records"] if r["case"] == wanted)


def test_the_command_writes_a_valid_dataset_with_the_paths_statutory_content(paths, tmp_path):
    out = tmp_path / "national.json"
    call_command(
        "export_national", "--from", FROM.isoformat(), "--to", TO.isoformat(), "--out", str(out)
    )
    text = out.read_text(encoding="utf-8")
    dataset = json.loads(text)
    validate(dataset)
    assert dataset["record_count"] == 4 and dataset["organisations"] is None
    assert dataset["pseudonymisation"] == {"method": "HMAC-SHA256", "key_id": key_id(KEY.encode())}

    approved = by_case(dataset, paths["approved"])
    assert approved["client"] == pseudonym(KEY.encode(), "client", paths["approved"].client.uuid)
    assert approved["category"] == "international_protection" and approved["state"] == "plan_active"
    assert approved["municipality"] == "272" and approved["responsible_organisation"] == "kokkola"
    assert approved["assessment"]["completed_on"] == TODAY.isoformat()
    assert approved["assessment"]["finnish_level"] == "A1"
    [first] = approved["plans"]
    assert first["client_decision"] == "agreed" and first["approved_on"] == TODAY.isoformat()
    assert first["measures"][0]["type"] == "integration_training"
    assert first["measures"][0]["service"] == "integration-training-fi"
    assert approved["plan_refused"] is False and approved["close_reason"] is None

    refused = by_case(dataset, paths["refused"])
    assert refused["plan_refused"] is True and refused["plans"][0]["client_decision"] == "refused"
    assert refused["state"] == "closed" and refused["close_reason"] == "declined"
    assert refused["assessment"]["interpreter_language"] == "ar"

    moved = by_case(dataset, paths["moved"])
    assert moved["transfers"] == [
        {"on": TODAY.isoformat(), "from": "kokkola", "to": "kp-tyollisyysalue"}
    ]
    assert moved["category"] == "unemployed_jobseeker"

    # nothing that names the person leaves: names, identity code, address, free text
    for secret in (
        "Hyväksytty",
        "Hassan",
        "131052-308T",
        "Piilotie",
        "ei halua",
        "work as a nurse",
        "työnhakijaksi",
    ):
        assert secret not in text, secret

    record = NationalExport.objects.get()
    assert record.via == "command" and record.created_by is None and record.records == 4
    assert record.sha256 == hashlib.sha256(canonical_bytes(dataset)).hexdigest()
    entry = AuditEntry.objects.filter(action="national_export.created").get()
    assert entry.actor_name == "system" and entry.data["records"] == 4


def test_the_command_narrows_to_organisations_and_refuses_bad_input(
    paths, tmp_path, settings, in_english
):
    out = tmp_path / "kannus.json"
    call_command(
        "export_national", "--from", FROM.isoformat(), "--to", TO.isoformat(), "--out", str(out),
        "--organisation", "kannus",
    )  # fmt: skip
    dataset = json.loads(out.read_text())
    validate(dataset)
    assert dataset["organisations"] == ["kannus"] and dataset["record_count"] == 1
    # a period before any path: a valid, empty dataset
    call_command("export_national", "--from", "2020-01-01", "--to", "2020-12-31", "--out", str(out))
    empty = json.loads(out.read_text())
    validate(empty)
    assert empty["records"] == [] and empty["record_count"] == 0
    for args, message in (
        (["--from", "2025-13-01"], "Not a date"),
        (["--to", "2019-01-01"], "cannot be before"),
        (["--organisation", "nowhere"], "Unknown organisation"),
    ):
        base = {"--from": "2020-01-01", "--to": "2020-12-31", "--out": str(out)}
        base.update(dict(zip(args[::2], args[1::2], strict=True)))
        with pytest.raises(CommandError, match=message):
            call_command("export_national", *[x for pair in base.items() for x in pair])
    settings.NATIONAL_EXPORT_KEY = ""
    with pytest.raises(CommandError, match="NATIONAL_EXPORT_KEY"):
        call_command(
            "export_national", "--from", "2020-01-01", "--to", "2020-12-31", "--out", str(out)
        )


def test_pseudonyms_follow_the_key(paths):
    case = paths["approved"]
    assert pseudonym(b"a", "client", case.client.uuid) != pseudonym(
        b"b", "client", case.client.uuid
    )
    assert pseudonym(b"a", "client", case.client.uuid) == pseudonym(
        b"a", "client", case.client.uuid
    )
    assert pseudonym(b"a", "client", case.client.uuid) != pseudonym(b"a", "case", case.client.uuid)


def test_the_api_export_is_for_managers_and_audited(paths, staff, settings):
    url = f"/api/v1/reports/national/?from={FROM}&to={TO}"
    maria = Api(staff["maria"])
    response = maria.get(url)
    assert response.status_code == 200, response.json()
    dataset = response.json()
    validate(dataset)
    # Kokkola's manager exports Kokkola's cases only: the moved case is the employment area's
    assert dataset["organisations"] == ["kokkola"]
    assert {r["responsible_organisation"] for r in dataset["records"]} == {"kokkola"}
    assert dataset["record_count"] == 2
    entry = AuditEntry.objects.filter(action="national_export.created").latest("pk")
    assert entry.actor == staff["maria"] and entry.data["via"] == "api"

    teija = Api(staff["teija"]).get(url).json()
    validate(teija)
    assert [r["responsible_organisation"] for r in teija["records"]] == ["kp-tyollisyysalue"]

    for name in ("anna", "kaisa", "sanna"):
        assert Api(staff[name]).get(url).status_code == 403, name
    assert maria.get(url + "&organisation=kannus").status_code == 404
    assert maria.get(url + "&organisation=kokkola").status_code == 200
    assert maria.get(f"/api/v1/reports/national/?from={TO}&to={FROM}").status_code == 400
    assert maria.get("/api/v1/reports/national/?from=2025-01-01").status_code == 400
    assert maria.get(url + "&client=x").status_code == 400  # an unknown filter
    settings.NATIONAL_EXPORT_KEY = ""
    response = maria.get(url)
    assert response.status_code == 503 and response.json()["code"] == "not_configured"


def test_the_schema_file_is_a_valid_json_schema():
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema_version"]["enum"] == ["1.0"]
