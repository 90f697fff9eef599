"""The guidance point in a real browser (Playwright + Debian's Chromium, axe-core): a guidance
worker on a phone (390 x 844) logs a walk-in visit with the keyboard and an appointment's
arrival; a manager opens the statistics, changes the period and exports them to Excel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from casework.models import AppointmentState, GuidanceAppointment, GuidanceVisit
from casework.services.guidance import guidance_appointment_book
from tests.browser.conftest import PASSWORD, axe_violations, login, with_axe

from .conftest import at, log_visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OURS = "kokkola-welcome-office"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def users(people):
    for user in people.values():
        user.set_password(PASSWORD)
        user.save()
    return people


@pytest.fixture
def phone(browser, live_server):  # noqa: F811 - the shared browser
    context = with_axe(browser.new_context(viewport=PHONE, locale="fi-FI", has_touch=True))
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def desk(browser, live_server):  # noqa: F811
    context = with_axe(
        browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="fi-FI", accept_downloads=True
        )
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    context.close()


def _fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_guidance_worker_logs_a_walk_in_and_an_arrival_on_a_phone(phone, users, point):
    login(phone, "leila")
    phone.click("nav a[href='/guidance/']")
    phone.wait_for_url(f"**/guidance/points/{OURS}/")
    assert _fits_the_screen(phone)
    assert not axe_violations(phone)

    # a walk-in, with the keyboard: every answer has a default, a few keys change them
    phone.click(f"a[href='/guidance/points/{OURS}/visits/new/']")
    phone.wait_for_selector("#id_age_band_0")
    assert _fits_the_screen(phone)
    assert not axe_violations(phone)
    phone.focus("#id_age_band_2")
    phone.keyboard.press("Space")  # 30–49
    phone.focus("#id_gender_0")
    phone.keyboard.press("Space")  # woman
    phone.focus("#id_topics_0")
    phone.keyboard.press("Space")  # benefits
    phone.keyboard.press("Tab")
    phone.keyboard.press("Space")  # the immigration process
    phone.focus("#id_country_of_origin")
    phone.select_option("#id_country_of_origin", "SY")
    phone.focus("#id_duration_minutes")
    phone.keyboard.press("Control+A")
    phone.keyboard.type("0")  # a mistake: the error is explained, nothing is lost
    phone.keyboard.press("Enter")
    phone.wait_for_selector(".error-summary")
    assert phone.evaluate("document.activeElement.className") == "error-summary"
    assert phone.is_checked("#id_age_band_2") and phone.is_checked("#id_topics_1")
    assert not axe_violations(phone)
    phone.click(".error-summary a[href='#id_duration_minutes']")
    assert phone.evaluate("document.activeElement.id") == "id_duration_minutes"
    phone.keyboard.press("Control+A")
    phone.keyboard.type("20")
    phone.keyboard.press("Enter")
    phone.wait_for_selector(".message.success")
    visit = GuidanceVisit.objects.get()
    assert (visit.age_band, visit.gender, visit.country_of_origin) == ("30_49", "woman", "SY")
    assert sorted(t.code for t in visit.topics.all()) == ["benefits", "immigration"]
    assert visit.channel.code == "walk-in" and visit.duration_minutes == 20

    # an appointment: the client arrives, the visit is filled in from the booking
    appointment = guidance_appointment_book(
        by=users["leila"],
        point=point,
        starts_at=timezone.now() + dt.timedelta(minutes=30),
        worker=users["leila"],
        language="so",
        interpreter_needed=True,
        interpreter_language="so",
        topic="health",
        name="H. A.",
    )
    day = timezone.localtime(appointment.starts_at).date()
    phone.goto(phone.base_url + f"/guidance/points/{OURS}/?day={day.isoformat()}")
    assert _fits_the_screen(phone)
    assert not axe_violations(phone)
    phone.click(f"a[href$='?appointment={appointment.uuid}']")
    phone.wait_for_selector("#id_channel_1")
    assert phone.is_checked("input[name=channel][value=appointment]")
    assert phone.is_checked("input[name=topics][value=health]")
    assert phone.is_checked("#id_interpreter_used")
    phone.click("form.visit-form button[type=submit]")
    phone.wait_for_selector(".message.success")
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.ARRIVED and appointment.name == ""
    assert appointment.visit.channel.code == "appointment"
    assert phone.locator(".card.state-arrived").count() == 1
    assert GuidanceAppointment.objects.count() == 1


def test_a_manager_changes_the_period_and_exports_the_statistics(desk, users, point, tmp_path):
    today = timezone.localdate()
    for index in range(6):
        log_visit(
            point,
            users["leila"],
            gender="man",
            age_band="30_49",
            visited_at=at(today - dt.timedelta(days=index)),
        )
    for index in range(4):
        log_visit(
            point,
            users["leila"],
            gender="woman",
            visited_at=at(today - dt.timedelta(days=40 + index)),
        )
    login(desk, "maria")
    desk.goto(desk.base_url + "/guidance/statistics/")
    assert not axe_violations(desk)
    desk.fill("#id_start", (today - dt.timedelta(days=10)).isoformat())
    desk.fill("#id_end", today.isoformat())
    desk.uncheck("#point-kokkola-kannus")
    desk.click("form.filters button[type=submit]")
    desk.wait_for_url("**start=*")
    total = desk.locator("#visits-table tr[data-row=total] td")
    assert total.all_inner_texts()[:3] == ["6", "0", "6"]
    assert not axe_violations(desk)
    with desk.expect_download() as download:
        desk.click("#export-xlsx-unit")
    path = tmp_path / "guidance.xlsx"
    download.value.save_as(path)
    book = load_workbook(path)
    sheet = book[book.sheetnames[1]]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][1:4] == (6, 0, 6)
    page_rows = desk.locator("#visits-table tbody tr")
    for index in range(page_rows.count()):
        cells = page_rows.nth(index).locator("td").all_inner_texts()
        assert [str(v) for v in rows[2 + index][1:]] == cells
