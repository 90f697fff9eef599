"""Logging visits and handling appointments as a guidance worker would, by page and by API:
the defaults, the messages for bad input (with nothing entered lost), an appointment's arrival
and no-show, and a visit linked to a client following the client's access rules."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from casework import services as casework_services
from casework.models import (
    AppointmentState,
    CaseEvent,
    CaseEventKind,
    GuidanceAppointment,
    GuidanceVisit,
    Membership,
    Role,
    Unit,
)
from casework.services.guidance import guidance_appointment_book
from permissions.models import AuditEntry

from .conftest import api_as, log_visit, page_tables

OURS = "kokkola-welcome-office"


def checked(body: str, name: str, value: str) -> bool:
    """Is the radio button or checkbox ``name`` = ``value`` checked in the page?"""
    return any(
        f'value="{value}"' in tag and " checked" in tag
        for tag in re.findall(rf'<input[^>]*name="{name}"[^>]*>', body)
    )


def _visit_url():
    return reverse("guidance:visit_new", args=[OURS])


def _form(**overrides):
    now = timezone.localtime()
    data = {
        "visited_on": now.date().isoformat(),
        "visited_time": now.strftime("%H:%M"),
        "duration_minutes": "20",
        "channel": "walk-in",
        "age_band": "30_49",
        "gender": "woman",
        "own_language_guidance": "true",
        "guidance_language": "ar",
        "country_of_origin": "SY",
        "labour_market_status": "unemployed",
        "topics": ["benefits", "housing"],
        "referrals": ["kela"],
        "feedback": "Kiitos avusta!",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_walk_in_with_the_forms_defaults(client, people, point):
    client.force_login(people["leila"])
    form = client.get(_visit_url())
    assert form.status_code == 200
    initial = form.context["form"].initial | {
        name: field.initial for name, field in form.context["form"].fields.items()
    }
    assert initial["channel"] == "walk-in"
    assert initial["age_band"] == initial["gender"] == initial["labour_market_status"] == "not_told"
    assert initial["duration_minutes"] == 15
    body = form.content.decode()
    assert checked(body, "channel", "walk-in")
    now = timezone.localtime()
    response = client.post(
        _visit_url(),
        {
            "visited_on": now.date().isoformat(),
            "visited_time": now.strftime("%H:%M"),
            "channel": "walk-in",
            "age_band": "not_told",
            "gender": "not_told",
            "own_language_guidance": "false",
            "labour_market_status": "not_told",
            "duration_minutes": "15",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == _visit_url()  # straight on to the next visitor
    visit = GuidanceVisit.objects.get()
    assert visit.channel.code == "walk-in" and visit.age_band == "not_told"
    assert visit.client is None and visit.logged_by == people["leila"]
    assert visit.visited_on == now.date()
    assert (
        AuditEntry.objects.filter(action="guidance.visit_logged", object_id=str(visit.pk)).count()
        == 1
    )


def test_a_full_visit_is_saved_as_entered(client, people, point):
    client.force_login(people["leila"])
    assert client.post(_visit_url(), _form()).status_code == 302
    visit = GuidanceVisit.objects.get()
    assert (visit.age_band, visit.gender, visit.country_of_origin) == ("30_49", "woman", "SY")
    assert visit.own_language_guidance and visit.guidance_language == "ar"
    assert sorted(t.code for t in visit.topics.all()) == ["benefits", "housing"]
    assert [r.code for r in visit.referrals.all()] == ["kela"]
    assert visit.feedback == "Kiitos avusta!" and visit.duration_minutes == 20


BAD_INPUT = [
    (
        "future",
        {"visited_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat()},
        "visited_on",
        "The visit cannot be in the future.",
    ),
    (
        "unknown topic",
        {"topics": ["benefits", "astrology"]},
        "topics_0",
        "Unknown topic: astrology",
    ),
    ("zero minutes", {"duration_minutes": "0"}, "duration_minutes", "from 1 minute to 8 hours"),
    ("nine hours", {"duration_minutes": "540"}, "duration_minutes", "from 1 minute to 8 hours"),
    ("no language", {"guidance_language": ""}, "guidance_language", "Choose the language"),
]


@pytest.mark.parametrize(("case", "change", "anchor", "message"), BAD_INPUT)
def test_bad_input_is_explained_and_nothing_is_lost(
    client, people, point, case, change, anchor, message
):
    client.force_login(people["leila"])
    response = client.post(_visit_url(), _form(**change))
    assert response.status_code == 400, case
    body = response.content.decode()
    assert message in body, case
    # the error summary links to the field
    assert f'href="#id_{anchor}"' in body, case
    assert f'id="id_{anchor}"' in body, case
    # what was entered is still there
    assert "Kiitos avusta!" in body
    assert checked(body, "age_band", "30_49") and checked(body, "gender", "woman")
    assert checked(body, "topics", "benefits")
    assert 'value="SY" selected' in body
    assert not GuidanceVisit.objects.exists()


def test_messages_are_in_the_users_language(client, people, point, pseudo_finnish):
    client.force_login(people["leila"])
    with translation.override("fi"):
        url = _visit_url()
        assert not url.startswith("/en/")
        response = client.post(url, _form(duration_minutes="0"))
    body = response.content.decode()
    with translation.override("fi"):
        duration = translation.gettext(
            "The duration must be from 1 minute to 8 hours (480 minutes)."
        )
        problem = translation.gettext("There is a problem")
    assert duration.startswith(pseudo_finnish) and duration in body
    assert problem.startswith(pseudo_finnish) and problem in body


def test_the_api_refuses_bad_input_by_field(people, point):
    api = api_as(people["leila"])
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()
    answer = api.post(
        "/guidance/visits/",
        {
            "point": OURS,
            "visited_at": future,
            "topics": ["astrology"],
            "duration_minutes": 0,
            "channel": "pigeon",
        },
    )
    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert errors["visited_at"] == ["The visit cannot be in the future."]
    assert errors["topics"] == ["Unknown topic: astrology. Choose from the list."]
    assert errors["channel"] == ["Unknown channel: pigeon. Choose from the list."]
    assert "480" in errors["duration_minutes"][0]
    assert (
        api.post("/guidance/visits/", {"point": OURS, "duration_minutes": 481}).status_code == 400
    )
    answer = api.post("/guidance/visits/", {"point": OURS, "duration_minutes": 10, "mood": "ok"})
    assert answer.status_code == 400 and answer.json()["errors"]["mood"] == ["Unknown field."]
    assert not GuidanceVisit.objects.exists()
    answer = api.post(
        "/guidance/visits/",
        {"point": OURS, "duration_minutes": 25, "topics": ["benefits"], "gender": "man"},
    )
    assert answer.status_code == 201, answer.json()
    data = answer.json()
    assert data["topics"] == ["benefits"] and data["gender"] == "man"
    assert data["age_band"] == "not_told" and data["channel"] is None  # not told


def _book(point, by, hours=2, **overrides):
    arguments = {
        "starts_at": timezone.now() + dt.timedelta(hours=hours),
        "duration_minutes": 30,
        "worker": by,
        "language": "so",
        "interpreter_needed": True,
        "interpreter_language": "so",
        "topic": "health",
        "name": "H. A.",
        "phone": "040 123 4567",
    }
    arguments.update(overrides)
    return guidance_appointment_book(by=by, point=point, **arguments)


def test_an_appointment_in_the_past_is_refused_and_nothing_is_lost(client, people, point):
    client.force_login(people["leila"])
    url = reverse("guidance:appointment_new", args=[OURS])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        url,
        {
            "starts_on": yesterday.isoformat(),
            "starts_time": "10:00",
            "duration_minutes": "30",
            "worker": str(people["leila"].pk),
            "language": "so",
            "topic": "health",
            "name": "H. A.",
            "phone": "040 123 4567",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "The appointment cannot be in the past." in body
    assert 'href="#id_starts_on"' in body
    assert 'value="H. A."' in body and 'value="040 123 4567"' in body
    assert not GuidanceAppointment.objects.exists()


def test_a_worker_cannot_be_booked_twice_at_once(people, point):
    _book(point, people["leila"])
    with pytest.raises(Exception) as error:
        _book(point, people["leila"])
    assert "already has an appointment" in str(error.value)


def test_the_client_arrives_and_the_visit_is_pre_filled(client, people, point):
    appointment = _book(point, people["leila"])
    client.force_login(people["leila"])
    day = timezone.localtime(appointment.starts_at).date()
    listing = client.get(reverse("guidance:point", args=[OURS]), {"day": day.isoformat()})
    arrive = reverse("guidance:visit_new", args=[OURS]) + f"?appointment={appointment.uuid}"
    assert arrive in listing.content.decode()
    assert "H. A." in listing.content.decode()
    with time_machine.travel(appointment.starts_at + dt.timedelta(minutes=5), tick=False):
        form = client.get(arrive)
        assert form.status_code == 200
        body = form.content.decode()
        assert checked(body, "channel", "appointment")
        assert checked(body, "topics", "health") and not checked(body, "topics", "benefits")
        assert form.context["form"].initial["interpreter_used"] is True
        assert form.context["form"].initial["duration_minutes"] == 30
        data = _form(channel="appointment", topics=["health"], appointment=str(appointment.uuid))
        data["visited_on"] = timezone.localdate().isoformat()
        data["visited_time"] = timezone.localtime().strftime("%H:%M")
        response = client.post(reverse("guidance:visit_new", args=[OURS]), data)
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.ARRIVED
    assert appointment.visit.channel.code == "appointment"
    assert appointment.name == appointment.phone == ""  # erased once the time is over
    # the same appointment cannot arrive twice
    again = api_as(people["leila"]).post(
        "/guidance/visits/",
        {"point": OURS, "duration_minutes": 10, "appointment": str(appointment.uuid)},
    )
    assert again.status_code == 400 and "appointment" in again.json()["errors"]


def test_a_no_show_is_marked_and_the_contact_details_erased(client, people, point):
    appointment = _book(point, people["leila"])
    client.force_login(people["leila"])
    url = reverse("guidance:appointment_no_show", args=[OURS, appointment.uuid])
    response = client.post(url)
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.state == AppointmentState.NO_SHOW and appointment.name == ""
    assert AuditEntry.objects.filter(action="guidance.appointment_no_show").count() == 1
    response = client.post(url, follow=True)
    assert "no longer booked" in response.content.decode()


@pytest.fixture
def anna_guides(people):
    """Anna is a case worker who also works at the guidance point."""
    casework_services.membership_grant(
        by=None,
        user=people["anna"],
        unit=Unit.objects.get(organisation__code="kokkola", code="welcome-office"),
        role=Role.GUIDANCE_WORKER,
    )
    return people["anna"]


def test_a_visit_linked_to_a_client_shows_on_the_timeline_and_follows_the_clients_rules(
    client, people, point, start_path, anna_guides
):
    case = start_path()
    client.force_login(anna_guides)
    form = client.get(_visit_url())
    assert "case_number" in form.context["form"].fields
    response = client.post(_visit_url(), _form(case_number=case.number))
    assert response.status_code == 302, response.context and response.context["errors"]
    visit = GuidanceVisit.objects.get()
    assert visit.client == case.client and visit.case == case
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.GUIDANCE_VISIT)
    assert "Welcome Office" in event.note
    entry = AuditEntry.objects.get(action="guidance.visit_logged")
    assert entry.client_id == case.client_id  # the client's access log shows the visit
    case_page = client.get(reverse("workflows:case", args=[case.uuid])).content.decode()
    assert "Welcome Office" in case_page

    # Leila, a guidance worker only, sees that a visit took place, nothing of it
    client.force_login(people["leila"])
    assert "case_number" not in client.get(_visit_url()).context["form"].fields
    day = client.get(reverse("guidance:point", args=[OURS])).content.decode()
    assert "Linked to a client" in day and "Etuusasiat" not in day
    detail = reverse("guidance:visit", args=[OURS, visit.uuid])
    assert client.get(detail).status_code == 404
    assert AuditEntry.objects.filter(action="access.denied", object_id=str(visit.pk)).exists()
    # ... and cannot link a visit by typing a case number or a client's id
    client.post(_visit_url(), _form(case_number=case.number))
    assert GuidanceVisit.objects.filter(client__isnull=False).count() == 1
    answer = api_as(people["leila"]).post(
        "/guidance/visits/",
        {"point": OURS, "duration_minutes": 10, "client": str(case.client.uuid)},
    )
    assert answer.status_code == 404

    client.force_login(anna_guides)
    assert client.get(detail).status_code == 200
    assert AuditEntry.objects.filter(action="client.viewed", client_id=case.client_id).exists()


def test_a_protected_clients_visit_is_for_named_staff_only(
    client, people, point, start_path, anna_guides
):
    case = start_path(non_disclosure=True)
    client.force_login(anna_guides)
    assert client.post(_visit_url(), _form(case_number=case.number)).status_code == 302
    visit = GuidanceVisit.objects.get()
    # where and when a protected client goes is not written on the timeline
    assert CaseEvent.objects.get(kind=CaseEventKind.GUIDANCE_VISIT).note == ""
    detail = reverse("guidance:visit", args=[OURS, visit.uuid])
    assert client.get(detail).status_code == 404
    Membership.objects.filter(user=anna_guides).update(can_see_protected_details=True)
    assert client.get(detail).status_code == 200


def test_an_unknown_case_number_is_the_same_as_one_not_seen(
    client, people, point, start_path, anna_guides
):
    kannus_case = (
        start_path(by="kaisa", organisation="kannus", municipality=None) if False else None
    )
    client.force_login(anna_guides)
    for number in ("KP-NONE-1",):
        response = client.post(_visit_url(), _form(case_number=number))
        assert response.status_code == 400
        assert "No case with this number that you may see." in response.content.decode()
    assert kannus_case is None


def test_the_days_list(client, people, point):
    log_visit(point, people["leila"], topics=["benefits"], duration_minutes=12)
    log_visit(point, people["leila"], topics=["work"], duration_minutes=30)
    client.force_login(people["leila"])
    response = client.get(reverse("guidance:point", args=[OURS]))
    tables = page_tables(response.content.decode())
    rows = next(iter(tables.values()))
    assert len(rows) == 3
    assert "42 min" in response.content.decode()


def test_a_linked_visit_is_in_the_clients_data_and_loses_its_words_on_anonymisation(
    people, point, start_path, anna_guides
):
    from casework.models import CaseState, CloseReason
    from casework.services.privacy import anonymise_closed, client_export
    from workflows.services import path_close

    case = start_path()
    log_visit(point, anna_guides, client=case.client, feedback="Thank you, Leila!")
    exported = client_export(by=anna_guides, client=case.client)
    assert [v["feedback"] for v in exported["guidance_visits"]] == ["Thank you, Leila!"]
    assert exported["guidance_visits"][0]["point"] == "Welcome Office"

    path_close(by=anna_guides, case=case, reason=CloseReason.MOVED_AWAY, note="")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    later = timezone.localdate() + dt.timedelta(days=10)
    report = anonymise_closed(retention_days=1, today=later)
    assert report.clients == 1
    visit = GuidanceVisit.objects.get()
    assert visit.feedback == "" and visit.client_id == case.client_id  # still counted
