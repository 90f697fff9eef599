"""Bidirectional control characters (U+202A–U+202E, U+2066–U+2069) can make text read
backwards on screen (a name or a reason that says something other than what is stored).
Names refuse them; free text keeps them as written but no page renders them (issue 14)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.api.conftest import Api, client_json
from tests.workflows.conftest import act, assessment, client_data

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE


@pytest.mark.parametrize("field", ["first_names", "last_name", "minor_representative"])
def test_a_name_with_a_direction_override_is_refused_by_the_service(staff, field):
    from casework.models import Organisation
    from workflows import services

    data = client_data(**{field: f"Amina{RLO}nassaH"})
    with pytest.raises(ValidationError) as caught:
        services.client_register_and_start(
            by=staff["anna"], organisation=Organisation.objects.get(code="kokkola"), data=data
        )
    assert [e.code for e in caught.value.error_dict[field]] == ["bidi_control"]


def test_the_registration_page_and_the_api_refuse_it_on_the_field(client, staff):
    client.force_login(staff["anna"])
    response = client.post(
        reverse("workflows:client_register"),
        {
            "first_names": f"{RLO}Amina",
            "last_name": "Hassan",
            "municipality": "",
            "contacted_on": "",
        },
    )
    assert response.status_code == 400
    assert "first_names" in response.context["form"].errors
    api = Api(staff["anna"]).post("/clients/", client_json(last_name=f"Has{RLO}san"))
    assert api.status_code == 400 and "last_name" in api.json()["errors"]


def test_free_text_is_shown_with_the_control_made_visible(client, staff, start_path):
    case = start_path()
    act(case, "intake", staff["anna"])
    reason = f"Tukea perheelle {RLO}ätsiniisalO"
    act(
        case,
        "assess",
        staff["anna"],
        assessment(wellbeing_participation_needed=True, wellbeing_participation_reason=reason),
    )
    client.force_login(staff["sanna"])
    body = client.get(reverse("workflows:invitations")).content.decode()
    assert RLO not in body
    assert "Tukea perheelle [U+202E]ätsiniisalO" in body
    # stored as written: only the display is neutralised
    assert case.participations.get().reason == reason
