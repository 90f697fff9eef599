"""Kotopolku through HTTP, as its users meet it (Locust, headless; run by bench/web.py).

People are already signed in: ``bench/web.py`` makes a session for each of them in the
database and passes the list in ``BENCH_PEOPLE`` (a JSON file), so the measurement is the
work, not the password hashing of a login. Nobody waits between requests: each simulated
person is one browser tab clicking as fast as the server answers, so the number of people
is the number of requests in flight.

- ``Worker``: a case worker's day: the inbox, the unit's queue, a case page, a client
  search, taking a task from the queue, "take the next task", saving a draft of an
  assessment, completing an intake step.
- ``Manager``: the dashboard, the queue, the inbox, a case page.
- ``LoginForm``: the sign-in form, the floor: the cheapest page Django serves here.

Every write's outcome (which task was taken or completed, by whom) goes to
``BENCH_OUTCOMES`` when the run ends, and ``bench/web.py`` checks it against the database:
nothing lost, nothing done twice.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import uuid
from collections import defaultdict
from http.cookiejar import Cookie
from urllib.parse import urlsplit

from locust import FastHttpUser, events, task

PEOPLE = json.loads(open(os.environ["BENCH_PEOPLE"], encoding="utf-8").read())  # noqa: SIM115
OUTCOMES_FILE = os.environ.get("BENCH_OUTCOMES")
OUTCOMES: dict[str, list] = defaultdict(list)

TASK_LINK = re.compile(r'href="/tasks/([0-9a-f-]{36})/"')
CASE_LINK = re.compile(r'href="/cases/([0-9a-f-]{36})/"')
CLAIM_FORM = re.compile(r'action="/tasks/([0-9a-f-]{36})/claim/"')
TASK_REDIRECT = re.compile(r"/tasks/([0-9a-f-]{36})/$")

_next_person = defaultdict(int)


def _person(role):
    """People of ``role`` in turn, so that N users are N different people."""
    people = PEOPLE[role]
    index = _next_person[role] % len(people)
    _next_person[role] += 1
    return people[index]


def _cookie(name, value, host):
    return Cookie(
        0,
        name,
        value,
        None,
        False,
        host,
        False,
        False,
        "/",
        True,
        False,
        None,
        False,
        None,
        None,
        {},
    )


def _assessment(marker):
    today = dt.date.today().isoformat()
    return {
        "interview_date": today,
        "literacy": "latin",
        "finnish_level": "A1",
        "swedish_level": "none",
        "learning_skills": "good",
        "working_life_skills": "some",
        "education_history": "secondary school",
        "work_history": "shop assistant",
        "education_goals": "B1 Finnish",
        "life_situation": marker,
        "plan_needed": "true",
        "wellbeing_participation_needed": "false",
        "action": "draft",
    }


class SignedIn(FastHttpUser):
    abstract = True
    role = ""

    def on_start(self):
        self.me = _person(self.role)
        host = urlsplit(self.host).hostname
        self.client.cookiejar.set_cookie(_cookie("sessionid", self.me["session"], host))
        self.tasks_seen: list[str] = []
        self.cases_seen: list[str] = []
        self.queue_seen: list[str] = []
        self.inbox()  # sets the CSRF cookie, as a browser's first page does

    # --- requests ---------------------------------------------------------------------

    def _csrf(self):
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value
        return ""

    def get(self, path, *, name):
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for GET {path}")
                return None
            response.success()
            return response.text or ""

    def post(self, path, data, *, name, expect):
        """POST without following the redirect; ``expect(status, location)`` says whether
        the answer is a success, a conflict someone else caused (not an error), or wrong."""
        with self.client.post(
            path,
            data=data,
            name=name,
            headers={"X-CSRFToken": self._csrf(), "Referer": self.host + path},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            outcome = expect(response.status_code, response.headers.get("Location", ""))
            if outcome == "error":
                response.failure(f"{response.status_code} for POST {path}")
            else:
                response.success()
            return outcome, response

    def _learn(self, page):
        if page is None:
            return
        tasks = TASK_LINK.findall(page)
        cases = CASE_LINK.findall(page)
        if tasks:
            self.tasks_seen = tasks
        if cases:
            self.cases_seen = cases

    # --- what people do ---------------------------------------------------------------

    def inbox(self):
        self._learn(self.get("/", name="inbox"))

    def queue(self):
        page = self.get("/queue/", name="queue")
        if page is not None:
            self.queue_seen = CLAIM_FORM.findall(page)
            cases = CASE_LINK.findall(page)
            if cases and not self.cases_seen:
                self.cases_seen = cases

    def case_page(self):
        if not self.cases_seen:
            return self.inbox()
        self.get(f"/cases/{random.choice(self.cases_seen)}/", name="case page")


class Worker(SignedIn):
    role = "workers"
    weight = 3

    @task(10)
    def my_tasks(self):
        self.inbox()

    @task(6)
    def unit_queue(self):
        self.queue()

    @task(8)
    def a_case(self):
        self.case_page()

    @task(3)
    def client_search(self):
        term = random.choice(PEOPLE["search_terms"])
        self.get(f"/clients/?q={term}", name="client search")

    @task(2)
    def claim(self):
        """Take a task one saw in the queue (someone may have been quicker)."""
        if not self.queue_seen:
            return self.queue()
        task_uuid = self.queue_seen.pop(random.randrange(len(self.queue_seen)))

        def expect(status, location):
            if status == 302 and location.endswith(f"/tasks/{task_uuid}/"):
                return "ok"
            if status == 302 and location.endswith("/queue/"):
                return "conflict"  # already taken: the message says so
            return "error"

        outcome, _response = self.post(
            f"/tasks/{task_uuid}/claim/", {}, name="claim (take from the queue)", expect=expect
        )
        if outcome == "ok":
            OUTCOMES["claimed"].append([self.me["id"], task_uuid])
            self.work_on(task_uuid)

    @task(2)
    def take_next(self):
        def expect(status, location):
            if status == 302 and TASK_REDIRECT.search(location):
                return "ok"
            if status == 302 and location.endswith("/queue/"):
                return "conflict"  # nothing free to take
            return "error"

        outcome, response = self.post("/queue/next/", {}, name="take the next task", expect=expect)
        if outcome == "ok":
            task_uuid = TASK_REDIRECT.search(response.headers["Location"]).group(1)
            OUTCOMES["claimed"].append([self.me["id"], task_uuid])
            self.work_on(task_uuid)

    @task(2)
    def save_draft(self):
        """Open one of one's tasks; an assessment gets a draft saved."""
        if not self.tasks_seen:
            return self.inbox()
        self.work_on(random.choice(self.tasks_seen), draft_only=True)

    def work_on(self, task_uuid, draft_only=False):
        page = self.get(f"/tasks/{task_uuid}/", name="task page")
        if page is None or 'name="action"' not in page:
            return
        if 'name="interview_date"' in page:
            marker = f"bench {uuid.uuid4()}"

            def expect(status, location):
                if status == 302 and location.endswith(f"/tasks/{task_uuid}/"):
                    return "ok"
                return "conflict" if status == 409 else "error"

            outcome, _r = self.post(
                f"/tasks/{task_uuid}/", _assessment(marker), name="save a draft", expect=expect
            )
            if outcome == "ok":
                OUTCOMES["drafts"].append([self.me["id"], task_uuid, marker])
        elif 'name="note"' in page and not draft_only:

            def expect(status, location):
                if status == 302 and "/cases/" in location:
                    return "ok"
                return "conflict" if status == 409 else "error"

            outcome, _r = self.post(
                f"/tasks/{task_uuid}/",
                {"note": "first contact by phone", "action": "complete"},
                name="complete a step",
                expect=expect,
            )
            if outcome == "ok":
                OUTCOMES["completed"].append([self.me["id"], task_uuid])


class Manager(SignedIn):
    role = "managers"
    weight = 1

    @task(5)
    def dashboard(self):
        self.get("/manager/", name="dashboard")

    @task(3)
    def unit_queue(self):
        self.queue()

    @task(2)
    def my_tasks(self):
        self.inbox()

    @task(2)
    def a_case(self):
        self.case_page()


class LoginForm(FastHttpUser):
    """The floor: the sign-in form, as served to anybody."""

    @task
    def login_form(self):
        self.client.get("/accounts/login/", name="login form (floor)")


@events.test_stop.add_listener
def _save_outcomes(environment, **kwargs):
    if OUTCOMES_FILE:
        with open(OUTCOMES_FILE, "w", encoding="utf-8") as out:
            json.dump(OUTCOMES, out)
