"""Every role of the demo against every page and endpoint of the guidance point: who may log,
who may report, who may configure; everyone else 403. A point of another organisation is a
404, the same answer as a point that does not exist."""

import pytest
from django.urls import reverse

from tests.page_compare import comparable

from .conftest import api_as

OURS = "kokkola-welcome-office"
THEIRS = "kannus-ohjaus"
NOWHERE = "no-such-point"


def _pages():
    point = lambda name, code=OURS: reverse(f"guidance:{name}", args=[code])  # noqa: E731
    stats = reverse("guidance:statistics")
    return {
        "home": reverse("guidance:home"),
        "point": point("point"),
        "visit_new": point("visit_new"),
        "appointment_new": point("appointment_new"),
        "statistics": stats,
        "configuration": reverse("guidance:configuration"),
        "point_settings": point("point_settings"),
        "option_new": reverse("guidance:option_new", args=["kokkola", "topic"]),
        "their_point": point("point", THEIRS),
        "their_visit_new": point("visit_new", THEIRS),
        "no_point": point("point", NOWHERE),
        "their_statistics": f"{stats}?point={THEIRS}",
        "no_statistics": f"{stats}?point={NOWHERE}",
        "their_settings": point("point_settings", THEIRS),
    }


DENIED = {
    "home": 403,
    "point": 403,
    "visit_new": 403,
    "appointment_new": 403,
    "statistics": 403,
    "configuration": 403,
    "point_settings": 403,
    "option_new": 403,
    "their_point": 403,
    "their_visit_new": 403,
    "no_point": 403,
    "their_statistics": 403,
    "no_statistics": 403,
    "their_settings": 403,
}
MANAGER = {
    "home": 302,
    "point": 200,
    "visit_new": 200,
    "appointment_new": 200,
    "statistics": 200,
    "configuration": 200,
    "point_settings": 200,
    "option_new": 200,
    "their_point": 404,
    "their_visit_new": 404,
    "no_point": 404,
    "their_statistics": 404,
    "no_statistics": 404,
    "their_settings": 404,
}
GUIDANCE_WORKER = {
    **MANAGER,
    "statistics": 403,
    "configuration": 403,
    "point_settings": 403,
    "option_new": 403,
    "their_statistics": 403,
    "no_statistics": 403,
    "their_settings": 403,
}
# Kannus's manager: the Kannus point is hers; Kokkola's is another organisation's
KANNUS_MANAGER = {
    "home": 302,
    "point": 404,
    "visit_new": 404,
    "appointment_new": 404,
    "statistics": 200,
    "configuration": 200,
    "point_settings": 404,
    "option_new": 404,
    "their_point": 200,
    "their_visit_new": 200,
    "no_point": 404,
    "their_statistics": 200,
    "no_statistics": 404,
    "their_settings": 200,
}
# a manager whose organisation runs no guidance point: the navigation offers the link (the
# role may have points), the page says there is none, and every point is out of reach
MANAGER_WITHOUT_POINTS = {**DENIED, "home": 200}

EXPECTED = {
    "anna": DENIED,  # case worker
    "maria": MANAGER,
    "sanna": DENIED,  # wellbeing-area worker
    "tuomas": DENIED,  # employment-area case worker
    "teija": MANAGER_WITHOUT_POINTS,  # employment-area manager
    "aino": DENIED,  # auditor
    "admin": DENIED,  # administrator
    "leila": GUIDANCE_WORKER,
    "kalle": KANNUS_MANAGER,
}


def test_every_role_against_every_page(client, people, point, other_point):
    pages = _pages()
    for name, expected in EXPECTED.items():
        assert set(expected) == set(pages)
        client.force_login(people[name])
        for page, status in expected.items():
            response = client.get(pages[page])
            assert response.status_code == status, (name, page, response.status_code)
        client.logout()


def test_the_navigation_offers_the_guidance_point_to_whom_it_concerns(client, people, point):
    link = f'href="{reverse("guidance:home")}"'
    for name, shown in {"leila": True, "maria": True, "anna": False, "sanna": False}.items():
        client.force_login(people[name])
        body = client.get(reverse("workflows:inbox")).content.decode()
        assert (link in body) == shown, name


def test_a_point_of_another_organisation_looks_like_no_point_at_all(client, people, other_point):
    client.force_login(people["maria"])
    their_url = reverse("guidance:point", args=[THEIRS])
    nowhere_url = reverse("guidance:point", args=[NOWHERE])
    theirs = client.get(their_url)
    nowhere = client.get(nowhere_url)
    assert theirs.status_code == nowhere.status_code == 404
    assert comparable(theirs, their_url) == comparable(nowhere, nowhere_url)


VISIT = {"point": OURS, "duration_minutes": 10}
API_DENIED = {
    "points": 403,
    "visit": 403,
    "statistics": 403,
    "their_visit": 403,
    "their_stats": 403,
}
API = {
    "anna": API_DENIED,
    "maria": {
        "points": 200,
        "visit": 201,
        "statistics": 200,
        "their_visit": 404,
        "their_stats": 404,
    },
    "sanna": API_DENIED,
    "tuomas": API_DENIED,
    "teija": API_DENIED,
    "aino": API_DENIED,
    "admin": API_DENIED,
    "leila": {
        "points": 200,
        "visit": 201,
        "statistics": 403,
        "their_visit": 404,
        "their_stats": 403,
    },
    "kalle": {
        "points": 200,
        "visit": 404,
        "statistics": 200,
        "their_visit": 201,
        "their_stats": 200,
    },
}


def test_every_role_against_every_endpoint(people, point, other_point):
    for name, expected in API.items():
        api = api_as(people[name])
        got = {
            "points": api.get("/guidance/points/").status_code,
            "visit": api.post("/guidance/visits/", VISIT).status_code,
            "statistics": api.get("/guidance/statistics/").status_code,
            "their_visit": api.post("/guidance/visits/", {**VISIT, "point": THEIRS}).status_code,
            "their_stats": api.get("/guidance/statistics/", {"point": THEIRS}).status_code,
        }
        assert got == expected, name
    nowhere = api_as(people["maria"]).post("/guidance/visits/", {**VISIT, "point": NOWHERE})
    theirs = api_as(people["maria"]).post("/guidance/visits/", {**VISIT, "point": THEIRS})
    assert nowhere.status_code == theirs.status_code == 404
    assert nowhere.json() == theirs.json()


def test_a_guidance_worker_sees_no_clients_case_data(client, people, start_path):
    case = start_path()
    client.force_login(people["leila"])
    assert client.get(reverse("workflows:case", args=[case.uuid])).status_code == 404
    assert api_as(people["leila"]).get(f"/cases/{case.uuid}/").status_code == 404
    assert api_as(people["leila"]).get("/cases/").json()["count"] == 0


@pytest.mark.parametrize("method", ["no_show", "cancel"])
def test_appointment_actions_need_post(client, people, point, method):
    client.force_login(people["leila"])
    import uuid

    url = reverse(f"guidance:appointment_{method}", args=[OURS, uuid.uuid4()])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 404
