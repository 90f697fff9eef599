"""Young adults who arrived as unaccompanied minors (issue 14, point 7): the municipality is
responsible (the employment authority if they are jobseekers), and the wellbeing area
supports becoming adult up to an age the rules set: 23 from 1.1.2025 (HE 21/2024), 25
before. Registering an 18-22-year-old who arrived as a minor has a place."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from casework.models import ClientCategory, Organisation, RuleSet
from casework.rules import add_months, rules_on
from tests.api.conftest import Api, client_json
from tests.workflows.conftest import act, assessment, client_data, open_steps
from workflows import services

HELSINKI = ZoneInfo("Europe/Helsinki")


def born_years_before(day: dt.date, years: int) -> dt.date:
    return add_months(day, -12 * years) - dt.timedelta(days=30)


def register(staff, *, born, by="anna", organisation="kokkola", **facts):
    values = {
        "date_of_birth": born,
        "arrived_as_unaccompanied_minor": True,
        "residence_basis": "international_protection",
        "labour_market_status": "student",
        "first_residence_permit_date": born + dt.timedelta(days=16 * 365),
        **facts,
    }
    data = client_data(**values)
    return services.client_register_and_start(
        by=staff[by], organisation=Organisation.objects.get(code=organisation), data=data
    )


def test_the_age_limit_is_a_dated_rule(reference_data):
    assert rules_on(dt.date(2024, 12, 31)).aftercare_until_age == 25
    assert rules_on(dt.date(2025, 1, 1)).aftercare_until_age == 23
    assert RuleSet._meta.get_field("aftercare_until_age")


def test_a_twenty_year_old_who_arrived_as_a_minor_is_the_municipalitys_with_the_wellbeing_area(
    staff,
):
    today = dt.date.today()
    case = register(staff, born=born_years_before(today, 20))
    assert case.category == ClientCategory.YOUNG_ADULT_AFTERCARE
    assert case.responsible_organisation.code == "kokkola"
    assert case.unit.code == "kotoutumispalvelut"
    act(case, "intake", staff["anna"])
    # the worker did not tick the wellbeing area: the support for becoming adult brings it in
    act(case, "assess", staff["anna"], assessment(wellbeing_participation_needed=False))
    assert "wellbeing_contribution" in open_steps(case)
    participation = case.participations.get()
    assert "23" in participation.reason


def test_a_young_adult_jobseeker_is_the_employment_authoritys_still_with_the_wellbeing_area(
    staff,
):
    case = register(
        staff,
        born=born_years_before(dt.date.today(), 21),
        labour_market_status="unemployed_jobseeker",
    )
    assert case.category == ClientCategory.UNEMPLOYED_JOBSEEKER
    assert case.responsible_organisation.code == "kp-tyollisyysalue"
    act(case, "intake", staff["tuomas"])
    act(case, "assess", staff["tuomas"], assessment(wellbeing_participation_needed=False))
    assert "wellbeing_contribution" in open_steps(case)


@pytest.mark.parametrize(
    ("day", "age", "in_aftercare"),
    [
        (dt.date(2024, 6, 3), 23, True),  # under 25, the limit before 2025
        (dt.date(2024, 6, 3), 25, False),
        (dt.date(2026, 6, 3), 22, True),
        (dt.date(2026, 6, 3), 23, False),  # 23 from 1.1.2025
    ],
)
def test_the_limit_of_the_day_decides(staff, day, age, in_aftercare):
    with time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=HELSINKI), tick=False):
        case = register(staff, born=born_years_before(day, age))
    expected = (
        ClientCategory.YOUNG_ADULT_AFTERCARE
        if in_aftercare
        else ClientCategory.INTERNATIONAL_PROTECTION
    )
    assert case.category == expected


def test_someone_who_was_an_adult_at_the_first_permit_did_not_arrive_as_a_minor(staff):
    born = born_years_before(dt.date.today(), 21)
    with pytest.raises(ValidationError) as caught:
        register(staff, born=born, first_residence_permit_date=born + dt.timedelta(days=19 * 365))
    assert "arrived_as_unaccompanied_minor" in caught.value.message_dict


def test_the_page_and_the_api_register_a_young_adult(client, staff):
    born = born_years_before(dt.date.today(), 19)
    response = Api(staff["anna"]).post(
        "/clients/",
        client_json(
            date_of_birth=born.isoformat(),
            first_residence_permit_date=(born + dt.timedelta(days=16 * 365)).isoformat(),
            arrived_as_unaccompanied_minor=True,
        ),
    )
    assert response.status_code == 201, response.json()
    assert response.json()["category"] == ClientCategory.YOUNG_ADULT_AFTERCARE, response.json()
    client.force_login(staff["anna"])
    page = client.get(reverse("workflows:client_register")).content.decode()
    assert 'name="arrived_as_unaccompanied_minor"' in page
