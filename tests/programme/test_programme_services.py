"""Writing the programme and its follow-up: bad input gets a clear message at its field and
changes nothing; permissions; one audit entry per write; versions keep last year's report."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from casework.models import (
    Indicator,
    IndicatorValue,
    MeasureYearStatus,
    Organisation,
    ProgrammeMeasure,
    Theme,
    Unit,
)
from casework.programmes import build_report, report_for
from casework.services import programme as s
from permissions.models import AuditEntry

from .conftest import THIS_YEAR, item

pytestmark = pytest.mark.django_db
LAST_YEAR = THIS_YEAR - 1


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_a_manual_value_outside_its_scale_is_refused(programme, people, in_english):
    scale = item(programme, Indicator, name_fi="Arvio kielitaidosta")
    for bad in ("0", "6", "3.5"):
        errors = errors_of(
            lambda bad=bad: s.indicator_value_record(
                by=people["kirsi"], indicator=scale, year=LAST_YEAR, value=Decimal(bad)
            )
        )
        assert list(errors) == ["value"], errors
    assert (
        "from 1 to 5"
        in errors_of(
            lambda: s.indicator_value_record(
                by=people["kirsi"], indicator=scale, year=LAST_YEAR, value=Decimal(9)
            )
        )["value"][0]
    )
    assert not IndicatorValue.objects.exists()
    s.indicator_value_record(by=people["kirsi"], indicator=scale, year=LAST_YEAR, value=Decimal(4))
    assert IndicatorValue.objects.get().value == 4


def test_a_percentage_is_between_0_and_100(programme, people):
    goal = item(programme, Indicator, name_fi="Neuvontakäynnit").goal
    share = s.indicator_save(
        by=people["kirsi"],
        goal=goal,
        data={"name_fi": "Osuus", "kind": "manual", "value_type": "percentage"},
    )
    assert "value" in errors_of(
        lambda: s.indicator_value_record(
            by=people["kirsi"], indicator=share, year=LAST_YEAR, value=Decimal("100.5")
        )
    )
    s.indicator_value_record(
        by=people["kirsi"], indicator=share, year=LAST_YEAR, value=Decimal(100)
    )


def test_a_year_outside_the_period_or_not_begun_is_refused(programme, people, in_english):
    count = item(programme, Indicator, name_fi="Neuvontakäynnit")
    measure = item(programme, ProgrammeMeasure, text_fi="Asumisneuvonta")
    for year in (THIS_YEAR - 3, THIS_YEAR + 2):
        assert (
            "programme's period"
            in errors_of(
                lambda year=year: s.indicator_value_record(
                    by=people["kirsi"], indicator=count, year=year, value=Decimal(1)
                )
            )["year"][0]
        )
        assert "year" in errors_of(
            lambda year=year: s.measure_status_record(
                by=people["kirsi"], measure=measure, year=year, status="done"
            )
        )
    # next year is in the period but has not begun
    assert (
        "begun"
        in errors_of(
            lambda: s.year_summary_save(
                by=people["kirsi"], programme=programme, year=THIS_YEAR + 1, summary_fi="x"
            )
        )["year"][0]
    )
    # an item limited to later years takes no follow-up for earlier ones
    s.indicator_save(
        by=people["kirsi"], goal=count.goal, indicator=count, data={"first_year": THIS_YEAR}
    )
    assert (
        "not part of the programme"
        in errors_of(
            lambda: s.indicator_value_record(
                by=people["kirsi"], indicator=count, year=LAST_YEAR, value=Decimal(1)
            )
        )["year"][0]
    )


def test_a_measure_names_exactly_one_responsible_party(programme, people, in_english):
    goal = item(programme, ProgrammeMeasure, text_fi="Asumisneuvonta").goal
    errors = errors_of(
        lambda: s.programme_measure_save(
            by=people["kirsi"], goal=goal, data={"text_fi": "Uusi", "schedule": "Jatkuva"}
        )
    )
    assert "responsible" in errors["responsible_unit"][0]
    unit = Unit.objects.get(organisation__code="kokkola", code="welcome-office")
    errors = errors_of(
        lambda: s.programme_measure_save(
            by=people["kirsi"],
            goal=goal,
            data={
                "text_fi": "Uusi",
                "schedule": "Jatkuva",
                "responsible_unit": unit,
                "responsible_other": "Kulttuuripalvelut",
            },
        )
    )
    assert "one responsible party" in errors["responsible_unit"][0]
    # a unit of an organisation that does not share the programme is a partner, not a unit
    errors = errors_of(
        lambda: s.programme_measure_save(
            by=people["kirsi"],
            goal=goal,
            data={
                "text_fi": "Uusi",
                "schedule": "Jatkuva",
                "responsible_unit": Unit.objects.get(
                    organisation__code="soite", code="aikuissosiaalityo"
                ),
            },
        )
    )
    assert "responsible_unit" in errors
    assert "schedule" in errors_of(
        lambda: s.programme_measure_save(
            by=people["kirsi"], goal=goal, data={"text_fi": "Uusi", "responsible_unit": unit}
        )
    )
    assert ProgrammeMeasure.objects.filter(text_fi="Uusi").count() == 0


def test_indicator_definitions_are_checked(programme, people):
    goal = item(programme, Indicator, name_fi="Neuvontakäynnit").goal
    assert "computation" in errors_of(
        lambda: s.indicator_save(
            by=people["kirsi"], goal=goal, data={"name_fi": "x", "kind": "computed"}
        )
    )
    assert "computation" in errors_of(
        lambda: s.indicator_save(
            by=people["kirsi"],
            goal=goal,
            data={"name_fi": "x", "kind": "computed", "computation": "no_such_thing"},
        )
    )
    assert "computation_option" in errors_of(
        lambda: s.indicator_save(
            by=people["kirsi"],
            goal=goal,
            data={"name_fi": "x", "kind": "computed", "computation": "cases_closed"},
        )
    )
    assert "scale_max" in errors_of(
        lambda: s.indicator_save(
            by=people["kirsi"],
            goal=goal,
            data={
                "name_fi": "x",
                "kind": "manual",
                "value_type": "scale",
                "scale_min": 5,
                "scale_max": 5,
            },
        )
    )
    assert "value_type" in errors_of(
        lambda: s.indicator_save(
            by=people["kirsi"], goal=goal, data={"name_fi": "x", "kind": "manual"}
        )
    )
    assert "municipality" in errors_of(
        lambda: s.indicator_save(
            by=people["kirsi"],
            goal=goal,
            data={
                "name_fi": "x",
                "kind": "computed",
                "computation": "new_clients",
                "municipality": Organisation.objects.get(code="kannus").municipalities.get(),
            },
        )
    )
    closed = s.indicator_save(
        by=people["kirsi"],
        goal=goal,
        data={
            "name_fi": "Muuttaneet",
            "kind": "computed",
            "computation": "cases_closed",
            "computation_option": "moved_away",
        },
    )
    assert closed.value_type == "number"


def test_a_dropped_measure_says_why_and_the_responsible_party_defaults(programme, people):
    measure = item(programme, ProgrammeMeasure, text_fi="Kielikurssit")
    assert "comment" in errors_of(
        lambda: s.measure_status_record(
            by=people["kirsi"], measure=measure, year=LAST_YEAR, status="dropped"
        )
    )
    assert "status" in errors_of(
        lambda: s.measure_status_record(
            by=people["kirsi"], measure=measure, year=LAST_YEAR, status="finished"
        )
    )
    row = s.measure_status_record(
        by=people["kirsi"], measure=measure, year=LAST_YEAR, status="done"
    )
    assert row.responsible == measure.responsible == "Keski-Pohjanmaan koulutusyhtymä Kpedu"
    row = s.measure_status_record(
        by=people["kirsi"],
        measure=measure,
        year=LAST_YEAR,
        status="dropped",
        comment="rahoitus loppui",
        responsible="Kvarnen",
    )
    assert MeasureYearStatus.objects.get().status == "dropped" and row.responsible == "Kvarnen"


def test_only_the_programmes_organisations_coordinators_and_managers_write(programme, people):
    measure = item(programme, ProgrammeMeasure, text_fi="Kielikurssit")
    for name in ("kimmo", "kalle", "anna", "sanna", "aino", "teija"):
        with pytest.raises(PermissionDenied):
            s.measure_status_record(by=people[name], measure=measure, year=LAST_YEAR, status="done")
        with pytest.raises(PermissionDenied):
            s.theme_save(by=people[name], programme=programme, data={"name_fi": "x"})
    s.measure_status_record(by=people["maria"], measure=measure, year=LAST_YEAR, status="ongoing")
    with pytest.raises(PermissionDenied):  # a programme of an organisation one has no role in
        s.programme_create(
            by=people["kirsi"],
            data={"name_fi": "x", "first_year": 2025, "last_year": 2026},
            organisations=[Organisation.objects.get(code="kannus")],
            municipalities=[],
        )


def test_owners_and_municipalities_are_checked(people, reference_data):
    kokkola = Organisation.objects.get(code="kokkola")
    errors = errors_of(
        lambda: s.programme_create(
            by=people["kirsi"],
            data={"name_fi": "x", "first_year": 2025, "last_year": 2024},
            organisations=[kokkola, Organisation.objects.get(code="kpedu")],
            municipalities=[Organisation.objects.get(code="kannus").municipalities.get()],
        )
    )
    assert set(errors) == {"last_year", "organisations", "municipalities"}
    errors = errors_of(
        lambda: s.programme_create(
            by=people["kirsi"],
            data={"name_fi": "x", "first_year": 2020, "last_year": 2035},
            organisations=[kokkola],
            municipalities=[Organisation.objects.get(code="kannus").municipalities.get()],
        )
    )
    assert set(errors) == {"last_year", "municipalities"}


def test_the_period_cannot_drop_a_year_with_follow_up(programme, people):
    count = item(programme, Indicator, name_fi="Neuvontakäynnit")
    s.indicator_value_record(
        by=people["kirsi"], indicator=count, year=THIS_YEAR - 2, value=Decimal(5)
    )
    assert "first_year" in errors_of(
        lambda: s.programme_update(
            by=people["kirsi"], programme=programme, data={"first_year": THIS_YEAR - 1}
        )
    )
    s.programme_update(by=people["kirsi"], programme=programme, data={"last_year": THIS_YEAR})
    programme.refresh_from_db()
    assert programme.last_year == THIS_YEAR


def test_items_with_follow_up_are_ended_not_deleted(programme, people):
    measure = item(programme, ProgrammeMeasure, text_fi="Asumisneuvonta")
    s.measure_status_record(by=people["kirsi"], measure=measure, year=LAST_YEAR, status="done")
    theme = measure.goal.theme
    for obj in (measure, measure.goal, theme):
        with pytest.raises(ValidationError) as refused:
            s.programme_item_remove(by=people["kirsi"], item=obj)
        assert refused.value.code == "has_follow_up"
    # the other theme has none: it goes, with everything under it
    language = item(programme, Theme, name_fi="Kieli")
    s.programme_item_remove(by=people["kirsi"], item=language)
    assert not Theme.objects.filter(pk=language.pk).exists()
    assert not Indicator.objects.filter(name_fi="Arvio kielitaidosta").exists()
    # ending the measure: this year's report leaves it out, last year's keeps it
    s.programme_measure_save(
        by=people["kirsi"], goal=measure.goal, measure=measure, data={"last_year": LAST_YEAR}
    )

    def measures(year):
        return [
            m["text"]["fi"]
            for t in build_report(programme, year)["themes"]
            for g in t["goals"]
            for m in g["measures"]
        ]

    assert measures(LAST_YEAR) == ["Asumisneuvonta"]
    assert measures(THIS_YEAR) == []


def test_a_published_report_stays_as_it_was(programme, people):
    kirsi = people["kirsi"]
    count = item(programme, Indicator, name_fi="Neuvontakäynnit")
    s.indicator_value_record(by=kirsi, indicator=count, year=LAST_YEAR, value=Decimal(120))
    assert "summary_fi" in errors_of(
        lambda: s.report_publish(by=kirsi, programme=programme, year=LAST_YEAR)
    )
    s.year_summary_save(by=kirsi, programme=programme, year=LAST_YEAR, summary_fi="Hyvä vuosi")
    with pytest.raises(PermissionDenied):
        s.report_publish(by=people["anna"], programme=programme, year=LAST_YEAR)
    published = s.report_publish(by=kirsi, programme=programme, year=LAST_YEAR, note="KH 1.3.")
    assert published.version == 1
    # mid-period changes: a text, a value, the summary, a new theme
    s.indicator_save(
        by=kirsi, goal=count.goal, indicator=count, data={"name_fi": "Asumisneuvonnan käynnit"}
    )
    s.indicator_value_record(
        by=kirsi, indicator=count, year=LAST_YEAR, value=Decimal(130), comment="korjattu"
    )
    s.year_summary_save(by=kirsi, programme=programme, year=LAST_YEAR, summary_fi="Muutettu")
    s.theme_save(by=kirsi, programme=programme, data={"name_fi": "Työ"})

    shown, version = report_for(programme, LAST_YEAR)
    assert version == published
    assert shown["summary"]["fi"] == "Hyvä vuosi"
    assert [t["name"]["fi"] for t in shown["themes"]] == ["Asuminen", "Kieli"]
    indicator = shown["themes"][0]["goals"][0]["indicators"][0]
    assert indicator["name"]["fi"] == "Neuvontakäynnit"
    assert [p["value"] for p in indicator["values"]] == [None, 120]
    live, none = report_for(programme, LAST_YEAR, live=True)
    assert none is None and live["summary"]["fi"] == "Muutettu"
    assert live["themes"][0]["goals"][0]["indicators"][0]["values"][-1]["value"] == 130
    # publishing again adds a version; the first stays readable
    second = s.report_publish(by=kirsi, programme=programme, year=LAST_YEAR)
    assert second.version == 2
    assert report_for(programme, LAST_YEAR)[1] == second
    assert report_for(programme, LAST_YEAR, version=1)[0]["summary"]["fi"] == "Hyvä vuosi"


def test_each_write_leaves_one_audit_entry(programme, people):
    count = item(programme, Indicator, name_fi="Neuvontakäynnit")
    before = AuditEntry.objects.count()
    s.indicator_value_record(by=people["kirsi"], indicator=count, year=LAST_YEAR, value=Decimal(7))
    entry = AuditEntry.objects.latest("pk")
    assert AuditEntry.objects.count() == before + 1
    assert entry.action == "programme.value_recorded" and entry.actor == people["kirsi"]
    assert entry.data["year"] == LAST_YEAR and entry.client_id is None
    s.report_exported(by=people["maria"], programme=programme, year=LAST_YEAR, fmt="xlsx")
    entry = AuditEntry.objects.latest("pk")
    assert entry.action == "programme.report_exported" and entry.data["format"] == "xlsx"
    with pytest.raises(PermissionDenied):
        s.report_exported(by=people["kalle"], programme=programme, year=LAST_YEAR, fmt="csv")
