"""Load the reference data and a realistic demo: two municipalities sharing one employment
area and one wellbeing area, staff in every role and about 30 clients on every step."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command
from django.db import transaction
from django.db.models import F
from django.test.utils import override_settings
from viewflow.workflow.models import Task

from casework import services
from casework.hetu import make_identity_code
from casework.models import (
    CaseEvent,
    Client,
    CloseReason,
    IntegrationPlan,
    Measure,
    Municipality,
    Organisation,
    Review,
    ReviewOutcome,
    Role,
    Service,
    Unit,
)
from casework.rules import add_months
from casework.services._common import today
from workflows import services as flow_services
from workflows.demo_guidance import GUIDANCE_STAFF, load_guidance_demo
from workflows.demo_programme import load_demo_programme
from workflows.models import CaseTask

REFERENCE_FIXTURES = [
    "roles",
    "rules",
    "municipalities",
    "organisations",
    "responsibility",
    "catalogue",
    "guidance",
]
DEMO_PASSWORD = "kotopolku-demo"  # noqa: S105 - printed for the demo logins

# fmt: off
STAFF = [
    # username, first, last, (organisation, unit), role, may see protected details
    ("anna", "Anna", "Lahti", ("kokkola", "kotoutumispalvelut"), Role.CASE_WORKER, True),
    ("bertil", "Bertil", "Storbacka", ("kokkola", "kotoutumispalvelut"), Role.CASE_WORKER, False),
    ("maria", "Maria", "Niemi", ("kokkola", "kotoutumispalvelut"), Role.MANAGER, True),
    ("kaisa", "Kaisa", "Hautala", ("kannus", "kotoutumistyo"), Role.CASE_WORKER, False),
    ("kalle", "Kalle", "Peltola", ("kannus", "kotoutumistyo"), Role.MANAGER, False),
    ("tuomas", "Tuomas", "Kivelä", ("kp-tyollisyysalue", "maahanmuuttajapalvelut"), Role.CASE_WORKER, False),
    ("teija", "Teija", "Rahkola", ("kp-tyollisyysalue", "maahanmuuttajapalvelut"), Role.MANAGER, False),
    ("sanna", "Sanna", "Korpela", ("soite", "monialainen-kotoutuminen"), Role.WELLBEING_WORKER, False),
    ("sakari", "Sakari", "Ojala", ("soite", "monialainen-kotoutuminen"), Role.WELLBEING_WORKER, False),
    ("sirpa", "Sirpa", "Hietala", ("soite", "monialainen-kotoutuminen"), Role.MANAGER, False),
    ("aino", "Aino", "Auditoija", ("kokkola", "kotoutumispalvelut"), Role.AUDITOR, False),
    ("admin", "Aki", "Ylläpitäjä", ("kokkola", "kotoutumispalvelut"), Role.ADMINISTRATOR, False),
]

# first names, last name, gender, born, citizenship/origin, mother tongue, preferred language,
# interpreter language, municipality, months since the first permit, residence basis,
# labour-market status, extra facts, step reached, days ago the path started
CLIENTS = [
    ("Olena", "Kovalenko", "female", "1987-03-14", "UA", "uk", "fi", "uk", "272", 14, "temporary_protection", "outside_labour_force", {}, "intake", 3),
    ("Dmytro", "Shevchenko", "male", "1979-11-02", "UA", "uk", "en", "uk", "272", 20, "temporary_protection", "unemployed_jobseeker", {}, "assessment", 10),
    ("Amina", "Hassan", "female", "1995-06-21", "SO", "so", "fi", "so", "272", 8, "quota_refugee", "outside_labour_force", {}, "assessment", 25),
    ("Ahmad", "Rahimi", "male", "age:16", "AF", "prs", "fi", "prs", "272", 6, "international_protection", "student", {"unaccompanied_minor": True, "minor_representative": "Liisa Mäkelä (edustaja)"}, "multi_invited", 20),
    ("Farida", "Noori", "female", "1990-09-09", "AF", "fa", "fi", "fa", "272", 10, "quota_refugee", "home_parent", {"child_home_care_allowance": True}, "multi_contributed", 40),
    ("Mohammed", "Al-Sayed", "male", "1984-04-17", "SY", "ar", "en", "ar", "272", 30, "international_protection", "unemployed_jobseeker", {}, "planning", 45),
    ("Nguyen", "Thi Lan", "female", "1992-12-01", "VN", "vi", "fi", "vi", "272", 9, "family", "home_parent", {"child_home_care_allowance": True}, "planning", 35),
    ("Elena", "Popescu", "female", "1988-07-07", "RO", "ro", "sv", "", "272", 16, "work", "outside_labour_force", {"social_assistance_non_temporary": True}, "agreed", 50),
    ("Ivan", "Petrov", "male", "1975-05-05", "RU", "ru", "fi", "ru", "272", 26, "family", "unemployed_jobseeker", {}, "active", 120),
    ("Grace", "Mwangi", "female", "1993-02-18", "KE", "sw", "en", "", "272", 18, "study", "outside_labour_force", {"trafficking_victim": True, "non_disclosure": True}, "active", 150),
    ("Yonas", "Tesfaye", "male", "1996-10-10", "ER", "ti", "fi", "ti", "272", 22, "quota_refugee", "outside_labour_force", {}, "active_reviewed", 260),
    ("Somchai", "Wongsa", "male", "1982-08-08", "TH", "th", "fi", "th", "272", 12, "family", "unemployed_jobseeker", {}, "active_reviewed", 240),
    ("Kateryna", "Bondarenko", "female", "1991-01-25", "UA", "uk", "fi", "uk", "272", 19, "temporary_protection", "outside_labour_force", {}, "revising", 230),
    ("Aliya", "Karimova", "female", "1985-03-03", "UZ", "uz", "fi", "ru", "272", 28, "family", "outside_labour_force", {"social_assistance_non_temporary": True}, "refused", 70),
    ("Kristjan", "Tamm", "male", "1980-06-16", "EE", "et", "fi", "", "272", 11, "work", "employed", {}, "no_plan", 60),
    ("Fatima", "Yusuf", "female", "1998-04-04", "NG", "en", "en", "", "272", 32, "family", "outside_labour_force", {}, "moved", 300),
    ("Hamid", "Jafari", "male", "1977-09-19", "IR", "fa", "en", "fa", "272", 34, "international_protection", "outside_labour_force", {}, "ended", 420),
    ("Lucía", "Fernández", "female", "1994-11-11", "VE", "es", "en", "es", "272", 5, "international_protection", "outside_labour_force", {"non_disclosure": True}, "intake", 1),
    ("Tigist", "Bekele", "female", "1989-05-29", "ET", "am", "fi", "am", "272", 13, "quota_refugee", "unemployed_jobseeker", {}, "assessment", 18),
    ("Oleksandr", "Melnyk", "male", "age:19", "UA", "uk", "sv", "uk", "272", 60, "temporary_protection", "student", {"arrived_as_unaccompanied_minor": True}, "multi_contributed", 55),
    ("Samir", "Haddad", "male", "age:15", "SY", "ar", "fi", "ar", "217", 4, "international_protection", "student", {"unaccompanied_minor": True, "minor_representative": "Pekka Ranta (edustaja)"}, "active", 180),
    ("Maryam", "Ahmadi", "female", "1997-07-17", "AF", "fa", "fi", "fa", "217", 15, "family_of_protected", "home_parent", {"child_home_care_allowance": True}, "intake", 5),
    ("Joseph", "Okafor", "male", "1986-12-12", "NG", "en", "en", "", "217", 17, "work", "unemployed_jobseeker", {}, "assessment", 12),
    ("Halyna", "Tkachenko", "female", "1968-10-30", "UA", "uk", "fi", "uk", "217", 23, "temporary_protection", "outside_labour_force", {}, "planning", 40),
    ("Bashir", "Mohamud", "male", "1990-03-23", "SO", "so", "fi", "so", "217", 27, "quota_refugee", "outside_labour_force", {}, "active_reviewed", 250),
    ("Rukhsana", "Begum", "female", "1993-08-15", "BD", "bn", "en", "bn", "217", 7, "family", "outside_labour_force", {"social_assistance_non_temporary": True}, "agreed", 48),
    ("Viktor", "Ivanov", "male", "1983-01-09", "RU", "ru", "fi", "ru", "217", 29, "family", "unemployed_jobseeker", {}, "active", 100),
    ("Ana", "Santos", "female", "1999-06-06", "BR", "pt", "en", "pt", "217", 3, "study", "student", {}, "no_plan", 30),
    ("Abdi", "Warsame", "male", "1981-04-14", "SO", "so", "fi", "so", "272", 33, "quota_refugee", "unemployed_jobseeker", {}, "moved", 200),
    ("Parisa", "Hosseini", "female", "1987-12-24", "IR", "fa", "en", "fa", "272", 24, "international_protection", "outside_labour_force", {}, "refused", 90),
]

# fmt: on

STEP_ORDER = [
    "intake",
    "assessment",
    "multi_invited",
    "multi_contributed",
    "planning",
    "agreed",
    "active",
    "active_reviewed",
    "revising",
    "refused",
    "no_plan",
    "moved",
    "ended",
]

ASSESSMENT = {
    "literacy": "latin",
    "finnish_level": "A1",
    "swedish_level": "none",
    "learning_skills": "Oppii nopeasti, tottunut opiskelemaan ryhmässä.",
    "working_life_skills": "Työkokemusta kotimaasta; suomalainen työelämä vieras.",
    "education_history": "Toisen asteen tutkinto kotimaassa.",
    "work_history": "Myyjä 6 vuotta, siivooja 2 vuotta.",
    "education_goals": "Suomen kieli B1-tasolle, sen jälkeen ammatillinen koulutus.",
    "particular_skills": "Ompelu, englannin kieli.",
    "life_situation": "Asuu puolison ja kahden lapsen kanssa vuokra-asunnossa.",
    "other_service_needs": "Lasten päivähoitopaikka.",
    "interpreter_used": True,
}


class Command(BaseCommand):
    help = (
        "Load roles, rules, organisations, the responsibility table, the service catalogue "
        "and demo data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reference-only",
            action="store_true",
            help="Load only the reference data (roles, rules, organisations, catalogue).",
        )

    def handle(self, *args, reference_only=False, **options):
        for fixture in REFERENCE_FIXTURES:
            call_command("loaddata", f"fixtures/{fixture}.json", verbosity=0)
        self.stdout.write("Reference data loaded: " + ", ".join(REFERENCE_FIXTURES))
        if reference_only:
            return
        User = get_user_model()
        if User.objects.filter(username="anna").exists():
            self.stdout.write("Demo data already present; nothing more to load.")
        else:
            # The demo's own notifications are not worth printing: keep them in memory.
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
                transaction.atomic(),
            ):
                users = self._staff()
                self._clients(users)
            self.stdout.write(self.style.SUCCESS(f"Demo loaded: {Client.objects.count()} clients."))
        if load_guidance_demo(password=DEMO_PASSWORD):
            self.stdout.write(self.style.SUCCESS("Guidance points: a year of visits loaded."))
        load_demo_programme(password=DEMO_PASSWORD, stdout=self.stdout)
        self._print_logins()

    def _staff(self):
        User = get_user_model()
        users = {}
        for username, first, last, (org, unit_code), role, protected in STAFF:
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                email=f"{username}@kotopolku.invalid",
                is_staff=role == Role.ADMINISTRATOR,
            )
            unit = Unit.objects.get(organisation__code=org, code=unit_code)
            services.membership_grant(
                by=None, user=user, unit=unit, role=role, can_see_protected_details=protected
            )
            users[username] = user
        return users

    def _clients(self, users):

        by_org = {
            "kokkola": users["anna"],
            "kannus": users["kaisa"],
            "kp-tyollisyysalue": users["tuomas"],
        }
        municipalities = {m.code: m for m in Municipality.objects.all()}
        for number, spec in enumerate(CLIENTS):
            (
                first,
                last,
                gender,
                born,
                country,
                tongue,
                preferred,
                interpreter,
                muni,
                permit_months,
                basis,
                labour,
                extra,
                step,
                days_ago,
            ) = spec
            # Minors' ages are kept relative to today, so the demo stays valid every year.
            born = (
                add_months(today(), -12 * int(born[4:])) - dt.timedelta(days=40)
                if born.startswith("age:")
                else dt.date.fromisoformat(born)
            )
            start = today() - dt.timedelta(days=days_ago)
            permit = start - dt.timedelta(days=30 * permit_months // 4)
            data = {
                "first_names": first,
                "last_name": last,
                "gender": gender,
                "date_of_birth": born,
                "personal_identity_code": make_identity_code(born, 900 + number)
                if number % 3
                else None,
                "citizenship": country,
                "country_of_origin": country,
                "mother_tongue": tongue,
                "preferred_language": preferred,
                "interpreter_needed": bool(interpreter),
                "interpreter_language": interpreter,
                "municipality": municipalities[muni],
                "first_residence_permit_date": permit,
                "residence_basis": basis,
                "labour_market_status": labour,
                "street_address": f"Esimerkkitie {number + 1} A {number + 2}",
                "postal_code": "67100" if muni == "272" else "69100",
                "post_office": "Kokkola" if muni == "272" else "Kannus",
                "phone": f"+358 40 000 {number:04d}",
                **extra,
            }
            organisation = Organisation.objects.get(code="kokkola" if muni == "272" else "kannus")
            worker = by_org["kokkola" if muni == "272" else "kannus"]
            case = flow_services.client_register_and_start(
                by=worker, organisation=organisation, data=data
            )
            worker = by_org[case.responsible_organisation.code]
            services.case_assign(by=worker, case=case, worker=worker)
            self._advance(case, worker, users, step, interpreter)
            self._backdate(case, days_ago)

    def _task(self, case, step):

        return CaseTask.objects.get(case=case, step=step, status__in=["NEW", "ASSIGNED"])

    def _do(self, case, step, by, data=None, draft=False):
        """Take the step's task if it waits in the queue, then save or complete it."""

        case_task = self._task(case, step)
        if case_task.status == "NEW":
            case_task = flow_services.task_claim(by=by, case_task=case_task)
        if draft:
            flow_services.task_save_draft_with_data(by=by, case_task=case_task, data=data or {})
        else:
            flow_services.task_complete_with_data(by=by, case_task=case_task, data=data or {})

    def _fire_review_timer(self, case):
        """Demo only: let the review timer fire now instead of months from now."""
        for timer in Task.objects.filter(
            process__integrationprocess__case=case, flow_task_type="TIMER", status="SCHEDULED"
        ):
            with timer.activation() as activation:
                activation.start()
                activation.execute()

    def _advance(self, case, worker, users, step, interpreter):

        reached = STEP_ORDER.index(step)
        if reached == 0:
            return
        self._do(case, "intake", worker, {"note": "Ensitapaaminen Welcome Officessa."})
        wellbeing = (
            step in ("multi_invited", "multi_contributed") or case.client.unaccompanied_minor
        )
        data = {
            **ASSESSMENT,
            "interview_date": today(),
            "interpreter_used": bool(interpreter),
            "interpreter_language": interpreter,
            "plan_needed": step != "no_plan",
            "wellbeing_participation_needed": wellbeing,
            "wellbeing_participation_reason": "Perheen arjessa selviytymisen tuki ja terveyspalvelujen tarve."
            if wellbeing
            else "",
        }
        if step == "assessment":
            self._do(
                case,
                "assess",
                worker,
                {
                    k: data[k]
                    for k in ("interview_date", "literacy", "finnish_level", "life_situation")
                },
                draft=True,
            )
            return
        self._do(case, "assess", worker, data)
        case.refresh_from_db()
        if case.state == "multi_professional":
            if step == "multi_invited":
                return
            self._do(
                case,
                "wellbeing_contribution",
                users["sanna"],
                {
                    "contribution": "Sosiaalityön arvio tehty; perheellä tuen tarvetta arjessa.",
                    "services_offered": "Perhetyö, terveystarkastus",
                },
            )
            if step == "multi_contributed":
                return
            self._do(
                case,
                "responsible_contribution",
                worker,
                {
                    "multi_professional_summary": "Yhteinen arvio: suunnitelma laaditaan yhdessä Soiten kanssa.",
                    "plan_needed": True,
                },
            )
        if step == "no_plan":
            return
        civic = Service.objects.filter(
            kind="civic_orientation", language=case.client.mother_tongue
        ).first()
        measures = [
            {
                "service": Service.objects.get(code="integration-training-fi"),
                "provider": Organisation.objects.get(code="kpedu"),
                "language": "fi",
                "starts_on": today() + dt.timedelta(days=30),
                "ends_on": today() + dt.timedelta(days=300),
            }
        ]
        if civic:
            measures.append(
                {
                    "service": civic,
                    "provider": Organisation.objects.get(code="kokkola"),
                    "language": civic.language,
                    "hours": 70,
                    "starts_on": today() + dt.timedelta(days=14),
                    "ends_on": today() + dt.timedelta(days=60),
                }
            )
        plan = {
            "language": "fi",
            "long_term_goals": "Työllistyminen omalle alalle ja suomen kielen B1-taso.",
            "period_goals": "Kotoutumiskoulutus ja yhteiskuntaorientaatio.",
            "job_seeking_obligation": "Hakee vähintään kahta työpaikkaa kuukaudessa."
            if case.category == "unemployed_jobseeker"
            else "",
            "follow_up": "Tapaaminen kuuden kuukauden välein ja tarvittaessa.",
            "starts_on": today(),
            "ends_on": today() + dt.timedelta(days=330),
            "measures": measures,
        }
        self._do(case, "draft_plan", worker, plan, draft=step == "planning")
        if step == "planning":
            return
        if step == "refused":
            self._do(
                case,
                "client_decision",
                worker,
                {
                    "decision": "refuse",
                    "decided_on": today(),
                    "refusal_reason": "Asiakas ei halua sitoutua kotoutumiskoulutukseen perhesyistä.",
                },
            )
            return
        self._do(case, "client_decision", worker, {"decision": "agree", "decided_on": today()})
        if step == "agreed":
            return
        self._do(case, "approve", worker, {"confirm": True})
        if step == "active":
            return
        if step == "moved":
            flow_services.path_close(
                by=worker, case=case, reason=CloseReason.MOVED_AWAY, note="Muutti Tampereelle."
            )
            return
        self._fire_review_timer(case)
        outcome = {
            "active_reviewed": ReviewOutcome.CONTINUE,
            "revising": ReviewOutcome.REVISE,
            "ended": ReviewOutcome.END,
        }[step]
        self._do(
            case,
            "review",
            worker,
            {
                "reviewed_on": today(),
                "notes": "Kotoutumiskoulutus edennyt suunnitellusti.",
                "outcome": outcome,
                "participants": "Asiakas, tulkki, ohjaaja",
                "close_reason": CloseReason.GOALS_MET if outcome == ReviewOutcome.END else "",
            },
        )

    def _backdate(self, case, days):
        """Demo only: move every date of the case ``days`` into the past, as if the path had
        started then. The services themselves always act today."""
        delta = dt.timedelta(days=days)
        date_fields = [
            "contacted_on",
            "assessment_started_on",
            "assessment_completed_on",
            "plan_approved_on",
            "next_review_due",
            "closed_on",
        ]
        type(case).objects.filter(pk=case.pk).update(**{f: F(f) - delta for f in date_fields})
        IntegrationPlan.objects.filter(case=case).update(
            **{
                f: F(f) - delta
                for f in ["starts_on", "ends_on", "client_decision_on", "approved_on", "ended_on"]
            }
        )
        Measure.objects.filter(plan__case=case).update(
            starts_on=F("starts_on") - delta, ends_on=F("ends_on") - delta
        )
        Review.objects.filter(plan__case=case).update(
            reviewed_on=F("reviewed_on") - delta, next_review_due=F("next_review_due") - delta
        )
        CaseEvent.objects.filter(case=case).update(at=F("at") - delta)
        CaseTask.objects.filter(case=case).update(
            due_on=F("due_on") - delta,
            created_at=F("created_at") - delta,
            finished_at=F("finished_at") - delta,
        )
        Task.objects.filter(process__integrationprocess__case=case).update(
            created=F("created") - delta, scheduled=F("scheduled") - delta
        )

    def _print_logins(self):
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for username, first, last, (org, unit), role, _protected in [*STAFF, *GUIDANCE_STAFF]:
            self.stdout.write(
                f"  {username:8} {first} {last:12} {Role(role).label:24} {org}/{unit}"
            )
