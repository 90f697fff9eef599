"""The programme's API: the programmes a caller may see, a year's report as the same figures
as the page, audited; the same 404 for everyone else."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from casework.models import Indicator
from casework.programmes import build_report
from casework.services import programme as s
from permissions.models import AuditEntry
from tests.api.conftest import Api

from .conftest import THIS_YEAR, D, item, make_case

pytestmark = pytest.mark.django_db
LAST_YEAR = THIS_YEAR - 1


def test_programmes_and_their_reports(programme, people):
    kirsi, maria, anna, kalle = (Api(people[n]) for n in ("kirsi", "maria", "anna", "kalle"))
    listed = kirsi.get("/programmes/").json()
    assert listed["count"] == 1
    assert listed["results"][0] == {
        "uuid": str(programme.uuid),
        "name_fi": "Kotouttamisohjelma",
        "name_sv": "Integrationsprogram",
        "first_year": THIS_YEAR - 2,
        "last_year": THIS_YEAR + 1,
        "organisations": ["kokkola"],
        "municipalities": ["272"],
    }
    assert anna.get("/programmes/").json()["count"] == 0
    assert kalle.get("/programmes/").json()["count"] == 0

    count = item(programme, Indicator, name_fi="Neuvontakäynnit")
    s.indicator_value_record(
        by=people["kirsi"], indicator=count, year=LAST_YEAR, value=Decimal("7.5")
    )
    make_case(contacted=D(LAST_YEAR, 3, 3))
    url = f"/programmes/{programme.uuid}/reports/{LAST_YEAR}/"
    before = AuditEntry.objects.filter(action="programme.report_exported").count()
    response = maria.get(url)
    assert response.status_code == 200
    report = response.json()
    assert report["published"] is None
    expected = build_report(programme, LAST_YEAR)
    assert report["themes"] == expected["themes"]
    values = report["themes"][0]["goals"][0]["indicators"][0]["values"]
    assert [p["value"] for p in values] == [None, 7.5]
    computed = report["themes"][1]["goals"][0]["indicators"][1]
    assert computed["computation"] == "new_clients" and computed["values"][-1]["value"] == 1
    assert AuditEntry.objects.filter(action="programme.report_exported").count() == before + 1

    s.year_summary_save(
        by=people["kirsi"], programme=programme, year=LAST_YEAR, summary_fi="Yhteenveto"
    )
    s.report_publish(by=people["kirsi"], programme=programme, year=LAST_YEAR)
    s.indicator_value_record(by=people["kirsi"], indicator=count, year=LAST_YEAR, value=Decimal(9))
    published = maria.get(url).json()
    assert published["published"]["version"] == 1
    assert published["themes"][0]["goals"][0]["indicators"][0]["values"][-1]["value"] == 7.5
    live = maria.get(url + "?live=true").json()
    assert live["published"] is None
    assert live["themes"][0]["goals"][0]["indicators"][0]["values"][-1]["value"] == 9

    for caller in (anna, kalle):
        assert caller.get(url).status_code == 404
    assert kirsi.get(f"/programmes/{uuid.uuid4()}/reports/{LAST_YEAR}/").status_code == 404
    assert kirsi.get(f"/programmes/not-a-uuid/reports/{LAST_YEAR}/").status_code == 404
    assert kirsi.get(f"/programmes/{programme.uuid}/reports/1999/").status_code == 404
    assert kirsi.get(url + "?version=5").status_code == 404
    assert kirsi.get(url + "?version=zero").status_code == 400
