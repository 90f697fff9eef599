"""The whole path driven only through the API, each step by the person whose work it is:
registration, intake, assessment, the wellbeing area's part, the plan, the client's
agreement, approval and one review. Only the review timer is the system's own sweep."""

import datetime as dt

import time_machine
from django.utils import timezone

from permissions.models import AuditEntry
from workflows.timers import sweep

from .conftest import assessment_json, client_json, iso, plan_json, task_of


def _at(day):
    return time_machine.travel(
        timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0))), tick=False
    )


def complete(api_client, task_uuid, data):
    response = api_client.post(f"/tasks/{task_uuid}/complete/", data)
    assert response.status_code == 200, response.json()
    return response.json()


def claim_from_queue(api_client, case_uuid, step):
    queue = api_client.get("/tasks/queue/", {"step": step}).json()["results"]
    task = next(t for t in queue if t["case"]["uuid"] == case_uuid)
    assert task["claimable"] is True
    response = api_client.post(f"/tasks/{task['uuid']}/claim/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ASSIGNED"
    return response.json()


def open_steps(result) -> dict:
    return {t["step"]: t for t in result["open_tasks"]}


def test_quota_refugee_with_the_wellbeing_area_to_an_approved_plan_and_a_review(api):
    anna, bertil, kaisa, sanna = api("anna"), api("bertil"), api("kaisa"), api("sanna")
    start = dt.date(2026, 1, 5)
    with _at(start):
        # Registration at Kokkola's integration services: the case is in their queue.
        response = anna.post("/clients/", client_json(contacted_on=iso(start)))
        assert response.status_code == 201, response.json()
        registered = response.json()
        case_uuid = registered["case"]
        assert registered["visible"] is True
        assert registered["category"] == "international_protection"
        assert registered["unit"] == {
            "organisation": "kokkola",
            "code": "kotoutumispalvelut",
            "name": registered["unit"]["name"],
        }
        assert kaisa.get(f"/cases/{case_uuid}/").status_code == 404  # another municipality

        # Intake: Anna takes the task from the queue and becomes the responsible worker.
        intake = claim_from_queue(anna, case_uuid, "intake")
        assert intake["owner"]["username"] == "anna"
        result = complete(anna, intake["uuid"], {"step": "intake", "note": "first visit"})
        assert result["case"]["state"] == "assessment"
        assess = open_steps(result)["assess"]
        assert assess["owner"]["username"] == "anna" and assess["status"] == "ASSIGNED"

        # Someone else in the unit cannot complete Anna's task.
        response = bertil.post(f"/tasks/{assess['uuid']}/complete/", assessment_json())
        assert response.status_code == 409

        # The assessment invites the wellbeing area.
        result = complete(
            anna,
            assess["uuid"],
            assessment_json(
                wellbeing_participation_needed=True,
                wellbeing_participation_reason="family needs social work",
            ),
        )
        assert result["case"]["state"] == "multi_professional"
        steps = open_steps(result)
        assert set(steps) == {"wellbeing_contribution", "responsible_contribution"}
        assert steps["wellbeing_contribution"]["unit"]["organisation"] == "soite"

        # Sanna of the wellbeing area sees the invitation in her queue, not yet the case.
        # Her manager sees it too, but only a wellbeing-area worker may take it.
        queued = api("sirpa").get("/tasks/queue/", {"step": "wellbeing_contribution"}).json()
        assert [t["claimable"] for t in queued["results"]] == [False]
        assert sanna.get(f"/cases/{case_uuid}/").status_code == 404
        invitation = claim_from_queue(sanna, case_uuid, "wellbeing_contribution")
        summary = sanna.get(f"/cases/{case_uuid}/").json()
        assert summary["full_case"] is False
        assert summary["client_details"] is None and summary["contacted_on"] is None
        assert summary["client"]["full_name"] == "Amina Hassan"
        assert sanna.get(f"/cases/{case_uuid}/timeline/").status_code == 403
        assert sanna.get(f"/cases/{case_uuid}/plans/").status_code == 403
        assert sanna.get(f"/clients/{registered['client']}/").status_code == 404
        complete(
            sanna,
            invitation["uuid"],
            {"step": "wellbeing_contribution", "contribution": "needs a support family"},
        )

        # Anna's part joins the wellbeing area's; a plan is needed.
        result = complete(
            anna,
            steps["responsible_contribution"]["uuid"],
            {
                "step": "responsible_contribution",
                "multi_professional_summary": "joint assessment done",
                "plan_needed": True,
            },
        )
        assert result["case"]["state"] == "planning"
        draft = open_steps(result)["draft_plan"]

        # The plan, the client's agreement and the approval.
        result = complete(anna, draft["uuid"], plan_json())
        decision = open_steps(result)["client_decision"]
        result = complete(
            anna,
            decision["uuid"],
            {"step": "client_decision", "decision": "agree", "decided_on": iso(start)},
        )
        approve = open_steps(result)["approve"]
        result = complete(anna, approve["uuid"], {"step": "approve", "confirm": True})
        assert result["case"]["state"] == "plan_active"
        assert result["open_tasks"] == []
        case = anna.get(f"/cases/{case_uuid}/").json()
        assert case["plan_approved_on"] == iso(start)
        assert case["next_review_due"] == "2026-07-05"
        assert [p["ended_at"] is not None for p in case["participations"]] == [True]
        assert sanna.get(f"/cases/{case_uuid}/").status_code == 404  # her part has ended

    # Two weeks before the review falls due the review task appears in Anna's inbox.
    with _at(dt.date(2026, 6, 21)):
        assert sweep().timers_fired == 1
        inbox = anna.get("/tasks/inbox/", {"step": "review"}).json()
        assert [t["case"]["uuid"] for t in inbox["results"]] == [case_uuid]
        review = inbox["results"][0]
        assert review["due_on"] == "2026-07-05"
        complete(
            anna,
            review["uuid"],
            {
                "step": "review",
                "reviewed_on": "2026-06-21",
                "notes": "training going well",
                "outcome": "continue",
                "wellbeing_area_took_part": False,
            },
        )
        plans = anna.get(f"/cases/{case_uuid}/plans/").json()
        assert plans["count"] == 1
        plan = plans["results"][0]
        assert plan["state"] == "approved" and plan["approved_by"]["username"] == "anna"
        assert [m["service"]["code"] for m in plan["measures"]] == ["integration-training-fi"]
        assert plan["measures"][0]["provider"]["code"] == "kpedu"
        assert [(r["outcome"], r["reviewed_on"]) for r in plan["reviews"]] == [
            ("continue", "2026-06-21")
        ]
        case = anna.get(f"/cases/{case_uuid}/").json()
        assert case["state"] == "plan_active" and case["next_review_due"] == "2026-12-21"
        kinds = [e["kind"] for e in anna.get(f"/cases/{case_uuid}/timeline/").json()["results"]]
        for kind in ("registered", "wellbeing_contributed", "plan_approved", "reviewed"):
            assert kind in kinds
    # Every step was done by a named person; none by the system account.
    actors = set(AuditEntry.objects.filter(action__startswith="plan.").values_list("actor_name"))
    assert actors == {("anna",)}


def test_jobseeker_registered_at_the_welcome_office_is_served_by_the_employment_authority(api):
    anna, tuomas, teija = api("anna"), api("tuomas"), api("teija")
    start = dt.date(2026, 2, 2)
    with _at(start):
        response = anna.post(
            "/clients/",
            client_json(
                first_names="Ivan",
                last_name="Petrov",
                residence_basis="family",
                labour_market_status="unemployed_jobseeker",
                mother_tongue="ru",
            ),
        )
        assert response.status_code == 201, response.json()
        registered = response.json()
        case_uuid = registered["case"]
        # The employment authority is responsible; Kokkola does not see the case.
        assert registered["responsible_organisation"]["code"] == "kp-tyollisyysalue"
        assert registered["visible"] is False
        assert anna.get(f"/cases/{case_uuid}/").status_code == 404
        assert anna.get(f"/clients/{registered['client']}/").status_code == 404

        # The manager sees the queue figures of the employment area.
        report = teija.get("/reports/queues/").json()
        assert {"unit": "maahanmuuttajapalvelut", "step": "intake", "open": 1} in [
            {"unit": r["unit"]["code"], "step": r["step"], "open": r["open"]}
            for r in report["rows"]
        ]

        intake = claim_from_queue(tuomas, case_uuid, "intake")
        result = complete(tuomas, intake["uuid"], {"step": "intake"})
        result = complete(tuomas, open_steps(result)["assess"]["uuid"], assessment_json())
        assert result["case"]["state"] == "planning"
        draft = open_steps(result)["draft_plan"]
        # A jobseeker's plan states the job-seeking obligation: the services' rule.
        response = tuomas.post(f"/tasks/{draft['uuid']}/complete/", plan_json())
        assert response.status_code == 400
        assert "job_seeking_obligation" in response.json()["errors"]
        result = complete(tuomas, draft["uuid"], plan_json(jobseeker=True))
        decision = open_steps(result)["client_decision"]
        result = complete(
            tuomas,
            decision["uuid"],
            {"step": "client_decision", "decision": "agree", "decided_on": iso(start)},
        )
        result = complete(
            tuomas, open_steps(result)["approve"]["uuid"], {"step": "approve", "confirm": True}
        )
        assert result["case"]["state"] == "plan_active"

    with _at(dt.date(2026, 7, 20)):
        sweep()
        review = task_of(tuomas, case_uuid, "review")
        result = complete(
            tuomas,
            review["uuid"],
            {
                "step": "review",
                "reviewed_on": "2026-07-20",
                "notes": "found work",
                "outcome": "end",
                "close_reason": "goals_met",
            },
        )
        assert result["case"]["state"] == "closed"
        assert result["case"]["close_reason"] == "goals_met"
        plan = tuomas.get(f"/cases/{case_uuid}/plans/").json()["results"][0]
        assert plan["state"] == "ended" and len(plan["reviews"]) == 1
