"""Generate realistic load: regions with municipalities, employment and wellbeing areas,
staff, and clients on every step of the path, with viewflow processes and tasks, using bulk
inserts. 100 000 clients give about a million tasks."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import BaseCommand, CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm
from viewflow.workflow.models import Process, Task
from viewflow.workflow.token import Token

from casework.models import (
    Assessment,
    CaseEvent,
    CaseState,
    Client,
    ClientCategory,
    CloseReason,
    IntegrationCase,
    IntegrationPlan,
    Measure,
    Membership,
    Municipality,
    Organisation,
    OrganisationKind,
    ParticipationPhase,
    PlanState,
    ResponsibilityRule,
    Review,
    Role,
    Service,
    Unit,
    WellbeingParticipation,
)
from workflows.flows import IntegrationFlow
from workflows.models import CaseTask

# stage: (share of clients, the flow nodes done, the open nodes)
PATH = ["start", "intake", "assess", "needs_wellbeing", "invite_wellbeing", "split"]
STAGES = {
    "intake": (5, ["start"], ["intake"]),
    "assessment": (10, ["start", "intake"], ["assess"]),
    "multi_professional": (5, PATH, ["wellbeing_contribution", "responsible_contribution"]),
    "planning": (8, ["start", "intake", "assess", "needs_wellbeing", "needs_plan"], ["draft_plan"]),
    "agreement": (
        4,
        ["start", "intake", "assess", "needs_wellbeing", "needs_plan", "draft_plan"],
        ["client_decision"],
    ),
    "approval": (
        3,
        [
            "start",
            "intake",
            "assess",
            "needs_wellbeing",
            "needs_plan",
            "draft_plan",
            "client_decision",
            "agreed",
        ],
        ["approve"],
    ),
    "plan_active": (
        40,
        [
            "start",
            "intake",
            "assess",
            "needs_wellbeing",
            "needs_plan",
            "draft_plan",
            "client_decision",
            "agreed",
            "approve",
        ],
        ["wait_review"],
    ),
    "review_due": (
        5,
        [
            "start",
            "intake",
            "assess",
            "needs_wellbeing",
            "needs_plan",
            "draft_plan",
            "client_decision",
            "agreed",
            "approve",
            "wait_review",
        ],
        ["review"],
    ),
    "closed": (
        20,
        [
            "start",
            "intake",
            "assess",
            "needs_wellbeing",
            "needs_plan",
            "draft_plan",
            "client_decision",
            "agreed",
            "approve",
            "wait_review",
            "review",
            "review_outcome",
            "end",
        ],
        [],
    ),
}
CASE_STATE = {
    "intake": CaseState.INTAKE,
    "assessment": CaseState.ASSESSMENT,
    "multi_professional": CaseState.MULTI_PROFESSIONAL,
    "planning": CaseState.PLANNING,
    "agreement": CaseState.PLANNING,
    "approval": CaseState.PLANNING,
    "plan_active": CaseState.PLAN_ACTIVE,
    "review_due": CaseState.PLAN_ACTIVE,
    "closed": CaseState.CLOSED,
}
NODE_TYPES = {
    "start": "START",
    "needs_wellbeing": "EXCLUSIVE_GATEWAY",
    "needs_plan": "EXCLUSIVE_GATEWAY",
    "agreed": "EXCLUSIVE_GATEWAY",
    "invite_wellbeing": "FUNCTION",
    "split": "PARALLEL_GATEWAY",
    "wait_review": "TIMER",
    "review_outcome": "SWITCH",
    "end": "END",
}
STAGE_NAMES = list(STAGES)
START_TOKEN = Token("start")
# The generated state is that of a system whose sweep (``manage.py run_timers``) ran every
# morning until yesterday: review timers of earlier days have fired (their cases wait at the
# review task) and tasks overdue before yesterday are escalated. Today's sweep has the work
# of one day. As the default rules (fixtures/rules.json): the review task appears this many
# days before the review.
REVIEW_REMINDER_DAYS = 14
STAGE_WEIGHTS = [STAGES[s][0] for s in STAGE_NAMES]
FIRST = [
    "Amina",
    "Ahmad",
    "Olena",
    "Dmytro",
    "Fatima",
    "Mohammed",
    "Grace",
    "Yonas",
    "Elena",
    "Ivan",
    "Hodan",
    "Samir",
    "Leyla",
    "Parisa",
    "Abdi",
    "Tigist",
    "Nguyen",
    "Ana",
    "Joseph",
]
LAST = [
    "Hassan",
    "Rahimi",
    "Kovalenko",
    "Shevchenko",
    "Yusuf",
    "Al-Sayed",
    "Mwangi",
    "Tesfaye",
    "Popescu",
    "Petrov",
    "Abdi",
    "Haddad",
    "Karimi",
    "Hosseini",
    "Warsame",
    "Bekele",
    "Tran",
]
FACTS = {
    ClientCategory.UNEMPLOYED_JOBSEEKER: {"labour_market_status": "unemployed_jobseeker"},
    ClientCategory.INTERNATIONAL_PROTECTION: {"residence_basis": "quota_refugee"},
    ClientCategory.TEMPORARY_PROTECTION: {"residence_basis": "temporary_protection"},
    ClientCategory.SOCIAL_ASSISTANCE: {"social_assistance_non_temporary": True},
    ClientCategory.HOME_PARENT: {
        "child_home_care_allowance": True,
        "labour_market_status": "home_parent",
    },
    ClientCategory.TRAFFICKING_VICTIM: {"trafficking_victim": True},
    ClientCategory.OTHER: {"labour_market_status": "outside_labour_force"},
}
CATEGORY_WEIGHTS = {
    ClientCategory.UNEMPLOYED_JOBSEEKER: 40,
    ClientCategory.INTERNATIONAL_PROTECTION: 20,
    ClientCategory.TEMPORARY_PROTECTION: 15,
    ClientCategory.SOCIAL_ASSISTANCE: 8,
    ClientCategory.HOME_PARENT: 8,
    ClientCategory.TRAFFICKING_VICTIM: 1,
    ClientCategory.OTHER: 8,
}


@dataclass
class Region:
    employment: Organisation
    wellbeing: Organisation
    wellbeing_unit: Unit
    employment_unit: Unit
    municipalities: list = field(default_factory=list)  # (Municipality, Organisation, Unit)


class Command(BaseCommand):
    help = "Generate N realistic clients on every step of the path (bulk inserts) for load tests."

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, required=True)
        parser.add_argument(
            "--regions",
            type=int,
            default=0,
            help="regions of 4 municipalities (default: one per 5 000 clients)",
        )
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument(
            "--force",
            action="store_true",
            help="generate even though the database holds real (non-generated) clients",
        )

    def handle(self, *args, clients, regions, batch, seed, force, **options):
        if clients < 1:
            raise CommandError("--clients must be at least 1.")
        real = Client.objects.filter(is_generated=False).count()
        if real and not force:
            raise CommandError(
                f"This database holds {real} clients that were not generated. Generated load "
                "would mix with them in every queue, report and statistic. Use an empty database, "
                "or pass --force if you really mean to."
            )
        if not Service.objects.exists():
            call_command("load_demo", "--reference-only", verbosity=0)
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.now = timezone.now()
        regions = regions or max(1, clients // 5000)
        started = timezone.now()
        with transaction.atomic():
            self.regions = self._organisations(regions)
        self.services = list(Service.objects.filter(kind="integration_training")) or list(
            Service.objects.all()
        )
        self.ct_base = CaseTask.objects.count()
        made = 0
        with tqdm(total=clients, unit="clients", file=self.stderr._out) as progress:
            while made < clients:
                size = min(batch, clients - made)
                with transaction.atomic():
                    self._batch(size, made)
                made += size
                progress.update(size)
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            f"Generated {clients} clients, {Task.objects.count()} tasks in all "
            f"({CaseTask.objects.count()} human tasks) in {seconds:.1f} s."
        )

    # --- organisations and staff --------------------------------------------------------

    @staticmethod
    def _free_municipality_codes():
        """Three-digit codes no municipality has (the reference data holds the real ones),
        from 999 down: a made-up region never takes a real municipality's code."""
        taken = set(Municipality.objects.values_list("code", flat=True))
        for number in range(999, 0, -1):
            if f"{number:03d}" not in taken:
                yield f"{number:03d}"
        raise CommandError("No free municipality codes are left for generated regions.")

    def _organisations(self, count) -> list[Region]:
        User = get_user_model()
        groups = {g.name: g for g in Group.objects.all()}
        regions = []
        existing = Organisation.objects.filter(code__startswith="gen-").count()
        if existing:
            return self._load_regions()
        free_codes = self._free_municipality_codes()
        for r in range(count):
            employment = Organisation.objects.create(
                code=f"gen-ea-{r}",
                kind=OrganisationKind.EMPLOYMENT_AUTHORITY,
                name_fi=f"Työllisyysalue {r}",
                name_sv=f"Sysselsättningsområde {r}",
                name_en=f"Employment area {r}",
            )
            wellbeing = Organisation.objects.create(
                code=f"gen-wa-{r}",
                kind=OrganisationKind.WELLBEING_AREA,
                name_fi=f"Hyvinvointialue {r}",
                name_sv=f"Välfärdsområde {r}",
                name_en=f"Wellbeing area {r}",
            )
            region = Region(
                employment=employment,
                wellbeing=wellbeing,
                employment_unit=Unit.objects.create(
                    organisation=employment, code="kotoutuminen", name_fi="Kotoutumispalvelut"
                ),
                wellbeing_unit=Unit.objects.create(
                    organisation=wellbeing,
                    code="monialainen",
                    name_fi="Monialainen työ",
                    handles_wellbeing_participation=True,
                ),
            )
            for m in range(4):
                municipality = Municipality.objects.create(
                    code=next(free_codes),
                    name_fi=f"Kunta {r}-{m}",
                    name_sv=f"Kommun {r}-{m}",
                    name_en=f"Town {r}-{m}",
                )
                org = Organisation.objects.create(
                    code=f"gen-m-{r}-{m}",
                    kind=OrganisationKind.MUNICIPALITY,
                    name_fi=f"Kunta {r}-{m}, kotoutumispalvelut",
                )
                org.municipalities.add(municipality)
                employment.municipalities.add(municipality)
                wellbeing.municipalities.add(municipality)
                unit = Unit.objects.create(
                    organisation=org, code="kotoutuminen", name_fi="Kotoutumispalvelut"
                )
                region.municipalities.append((municipality, org, unit))
                ResponsibilityRule.objects.bulk_create(
                    [
                        ResponsibilityRule(
                            municipality=municipality,
                            category=category,
                            organisation=employment
                            if category == ClientCategory.UNEMPLOYED_JOBSEEKER
                            else org,
                            unit=region.employment_unit
                            if category == ClientCategory.UNEMPLOYED_JOBSEEKER
                            else unit,
                        )
                        for category in ClientCategory.values
                    ]
                )
            regions.append(region)
        units = [(reg.employment_unit, 12, Role.CASE_WORKER) for reg in regions]
        units += [(reg.wellbeing_unit, 6, Role.WELLBEING_WORKER) for reg in regions]
        units += [(u, 6, Role.CASE_WORKER) for reg in regions for _m, _o, u in reg.municipalities]
        users, memberships = [], []
        for unit, workers, role in units:
            for i in range(workers + 1):
                this_role = Role.MANAGER if i == 0 else role
                user = User(
                    username=f"gen-{unit.organisation.code}-{unit.code}-{i}",
                    first_name=f"Työntekijä{i}",
                    last_name=unit.organisation.code,
                    email="",
                    is_active=True,
                )
                user.set_unusable_password()
                users.append(user)
                memberships.append((user, unit, this_role))
        User.objects.bulk_create(users, batch_size=1000)
        Membership.objects.bulk_create(
            [Membership(user=u, unit=unit, role=role) for u, unit, role in memberships],
            batch_size=1000,
        )
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=u.pk, group_id=groups[role].pk) for u, _unit, role in memberships],
            batch_size=1000,
            ignore_conflicts=True,
        )
        return self._load_regions()

    def _load_regions(self) -> list[Region]:
        regions = []
        for employment in Organisation.objects.filter(code__startswith="gen-ea-").order_by("pk"):
            r = employment.code.rsplit("-", 1)[1]
            wellbeing = Organisation.objects.get(code=f"gen-wa-{r}")
            region = Region(
                employment=employment,
                wellbeing=wellbeing,
                employment_unit=employment.units.get(),
                wellbeing_unit=wellbeing.units.get(),
            )
            for org in Organisation.objects.filter(code__startswith=f"gen-m-{r}-").order_by("code"):
                region.municipalities.append((org.municipalities.get(), org, org.units.get()))
            regions.append(region)
        self.workers = {}
        for unit_id, user_id in (
            Membership.objects.filter(unit__organisation__code__startswith="gen-")
            .exclude(role=Role.MANAGER)
            .values_list("unit_id", "user_id")
        ):
            self.workers.setdefault(unit_id, []).append(user_id)
        return regions

    # --- clients and their paths --------------------------------------------------------

    def _batch(self, size, offset):
        rng, today = self.rng, self.today
        rows = []
        for _ in range(size):
            region = rng.choice(self.regions)
            municipality, org, unit = rng.choice(region.municipalities)
            category = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[
                0
            ]
            stage = rng.choices(STAGE_NAMES, weights=STAGE_WEIGHTS)[0]
            age_days = (
                rng.randint(1, 900)
                if stage in ("plan_active", "review_due", "closed")
                else rng.randint(1, 120)
            )
            rows.append(
                {
                    "region": region,
                    "municipality": municipality,
                    "org": region.employment
                    if category == ClientCategory.UNEMPLOYED_JOBSEEKER
                    else org,
                    "unit": region.employment_unit
                    if category == ClientCategory.UNEMPLOYED_JOBSEEKER
                    else unit,
                    "category": category,
                    "stage": stage,
                    "start": today - dt.timedelta(days=age_days),
                }
            )
        clients = Client.objects.bulk_create(
            [
                Client(
                    first_names=rng.choice(FIRST),
                    last_name=rng.choice(LAST),
                    date_of_birth=dt.date(
                        rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)
                    ),
                    gender=rng.choice(["female", "male"]),
                    mother_tongue=rng.choice(["ar", "uk", "ru", "so", "fa", "en"]),
                    preferred_language="fi",
                    municipality=row["municipality"],
                    register=row["org"],  # the client register of the case's organisation
                    first_residence_permit_date=row["start"]
                    - dt.timedelta(days=rng.randint(10, 300)),
                    non_disclosure=rng.random() < 0.01,
                    is_generated=True,
                    **FACTS[row["category"]],
                )
                for row in rows
            ],
            batch_size=1000,
        )
        cases = []
        for n, (row, client) in enumerate(zip(rows, clients, strict=True)):
            stage, start = row["stage"], row["start"]
            state = CASE_STATE[stage]
            worker = rng.choice(self.workers[row["unit"].pk])
            row["worker"] = worker
            done_assessment = stage not in ("intake", "assessment", "multi_professional")
            approved = stage in ("plan_active", "review_due", "closed")
            cases.append(
                IntegrationCase(
                    number=f"G{start.year}-{offset + n + 1:07d}",
                    client=client,
                    municipality=row["municipality"],  # the client's, as the services copy it
                    state=state,
                    category=row["category"],
                    responsible_organisation=row["org"],
                    unit=row["unit"],
                    owner_id=worker if stage != "intake" else None,
                    wellbeing_area=row["region"].wellbeing
                    if stage == "multi_professional"
                    else None,
                    contacted_on=start,
                    assessment_started_on=start + dt.timedelta(days=7)
                    if stage != "intake"
                    else None,
                    assessment_completed_on=start + dt.timedelta(days=30)
                    if done_assessment
                    else None,
                    plan_approved_on=start + dt.timedelta(days=45) if approved else None,
                    next_review_due=(
                        # The review task appears REVIEW_REMINDER_DAYS before the review:
                        # the sweep fired the timers of earlier days, today's are due now.
                        today + dt.timedelta(days=rng.randint(REVIEW_REMINDER_DAYS, 194))
                        if stage == "plan_active"
                        else today + dt.timedelta(days=rng.randint(-20, 14))
                        if stage == "review_due"
                        else None
                    ),
                    closed_on=today - dt.timedelta(days=rng.randint(0, 300))
                    if stage == "closed"
                    else None,
                    close_reason=rng.choice(
                        [
                            CloseReason.GOALS_MET,
                            CloseReason.PLAN_ENDED,
                            CloseReason.MOVED_AWAY,
                            CloseReason.DECLINED,
                        ]
                    )
                    if stage == "closed"
                    else "",
                )
            )
        cases = IntegrationCase.objects.bulk_create(cases, batch_size=1000)
        processes = Process.objects.bulk_create(
            [
                Process(
                    flow_class=IntegrationFlow,
                    status="DONE" if row["stage"] == "closed" else "NEW",
                    created=timezone.make_aware(dt.datetime.combine(row["start"], dt.time(9))),
                    finished=self.now if row["stage"] == "closed" else None,
                    data={},
                )
                for row in rows
            ],
            batch_size=1000,
        )
        self._link_processes(processes, cases)
        self._tasks(rows, cases, processes)
        self._records(rows, cases)

    def _link_processes(self, processes, cases):
        values = [(p.pk, c.pk) for p, c in zip(processes, cases, strict=True)]
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO workflows_integrationprocess (process_ptr_id, case_id) VALUES (%s, %s)",
                values,
            )

    def _tasks(self, rows, cases, processes):
        rng, now = self.rng, self.now
        tasks, human = [], []
        for row, case, process in zip(rows, cases, processes, strict=True):
            _share, done, open_nodes = STAGES[row["stage"]]
            at = timezone.make_aware(dt.datetime.combine(row["start"], dt.time(9)))
            for name in done:
                tasks.append(
                    Task(
                        flow_task=getattr(IntegrationFlow, name),
                        flow_task_type=NODE_TYPES.get(name, "HUMAN"),
                        status="DONE",
                        created=at,
                        started=at,
                        finished=at,
                        scheduled=at if name == "wait_review" else None,
                        token=START_TOKEN,
                        owner_id=None if name in NODE_TYPES else row["worker"],
                        process=process,
                        data={},
                    )
                )
                if name not in NODE_TYPES:
                    human.append((len(tasks) - 1, row, case, name, "DONE"))
            for name in open_nodes:
                if name == "wait_review":
                    tasks.append(
                        Task(
                            flow_task=IntegrationFlow.wait_review,
                            flow_task_type="TIMER",
                            status="SCHEDULED",
                            created=at,
                            token=START_TOKEN,
                            scheduled=timezone.make_aware(
                                dt.datetime.combine(
                                    case.next_review_due - dt.timedelta(days=REVIEW_REMINDER_DAYS),
                                    dt.time(7),
                                )
                            ),
                            process=process,
                            data={},
                        )
                    )
                    continue
                in_queue = name == "intake" or (
                    name == "wellbeing_contribution" and rng.random() < 0.5
                )
                owner = None if in_queue else row["worker"]
                if name == "wellbeing_contribution" and owner:
                    owner = rng.choice(self.workers[row["region"].wellbeing_unit.pk])
                tasks.append(
                    Task(
                        flow_task=getattr(IntegrationFlow, name),
                        flow_task_type="HUMAN",
                        status="NEW" if owner is None else "ASSIGNED",
                        created=now,
                        token=START_TOKEN,
                        owner_id=owner,
                        process=process,
                        data={},
                    )
                )
                human.append(
                    (len(tasks) - 1, row, case, name, "NEW" if owner is None else "ASSIGNED")
                )
        tasks = Task.objects.bulk_create(tasks, batch_size=2000)
        today = self.today
        case_tasks = []
        for index, row, case, name, status in human:
            due_on = (
                case.next_review_due
                if name == "review"
                else today + dt.timedelta(days=rng.randint(-30, 30))
            )
            case_tasks.append(
                CaseTask(
                    task_id=tasks[index].pk,
                    case=case,
                    unit=row["region"].wellbeing_unit
                    if name == "wellbeing_contribution"
                    else row["unit"],
                    step=name,
                    status=status,
                    owner_id=tasks[index].owner_id,
                    priority=1 if row["category"] == ClientCategory.TRAFFICKING_VICTIM else 2,
                    due_on=due_on,
                    created_at=tasks[index].created,
                    finished_at=tasks[index].finished,
                    assigned_at=tasks[index].created if tasks[index].owner_id else None,
                    escalated_at=self._escalated_at(status, due_on),
                )
            )
        CaseTask.objects.bulk_create(case_tasks, batch_size=2000)

    def _escalated_at(self, status, due_on):
        """An open task that was overdue before yesterday was escalated by the sweep of the
        morning after its due date; one due yesterday is escalated by today's sweep."""
        if status == "DONE" or due_on is None or due_on >= self.today - dt.timedelta(days=1):
            return None
        return timezone.make_aware(dt.datetime.combine(due_on + dt.timedelta(days=1), dt.time(7)))

    def _records(self, rows, cases):
        rng, now = self.rng, self.now
        assessments, plans, participations, events = [], [], [], []
        for row, case in zip(rows, cases, strict=True):
            stage = row["stage"]
            events.append(CaseEvent(case=case, kind="registered", actor_id=row["worker"], data={}))
            if stage == "intake":
                continue
            complete = stage not in ("assessment", "multi_professional")
            assessments.append(
                Assessment(
                    case=case,
                    interview_date=case.contacted_on + dt.timedelta(days=7),
                    literacy="latin",
                    finnish_level=rng.choice(["none", "A1", "A2", "B1"]),
                    swedish_level="none",
                    learning_skills="generated",
                    working_life_skills="generated",
                    education_history="generated",
                    work_history="generated",
                    education_goals="generated",
                    life_situation="generated",
                    plan_needed=True,
                    wellbeing_participation_needed=stage == "multi_professional",
                    assessed_by_id=row["worker"],
                    completed_at=now if complete else None,
                )
            )
            if stage == "multi_professional":
                participations.append(
                    WellbeingParticipation(
                        case=case,
                        phase=ParticipationPhase.ASSESSMENT,
                        organisation=row["region"].wellbeing,
                        unit=row["region"].wellbeing_unit,
                        reason="generated",
                        invited_by_id=row["worker"],
                    )
                )
            if stage in (
                "planning",
                "agreement",
                "approval",
                "plan_active",
                "review_due",
                "closed",
            ):
                state = {
                    "planning": PlanState.DRAFT,
                    "agreement": PlanState.DRAFT,
                    "approval": PlanState.AGREED,
                    "closed": PlanState.ENDED,
                }.get(stage, PlanState.APPROVED)
                starts = case.contacted_on + dt.timedelta(days=40)
                plans.append(
                    IntegrationPlan(
                        case=case,
                        version=1,
                        state=state,
                        language="fi",
                        long_term_goals="generated",
                        period_goals="generated",
                        follow_up="generated",
                        starts_on=starts,
                        ends_on=starts + dt.timedelta(days=330),
                        drafted_by_id=row["worker"],
                        approved_by_id=row["worker"] if case.plan_approved_on else None,
                        approved_on=case.plan_approved_on,
                        ended_on=case.closed_on,
                    )
                )
        Assessment.objects.bulk_create(assessments, batch_size=1000)
        WellbeingParticipation.objects.bulk_create(participations, batch_size=1000)
        CaseEvent.objects.bulk_create(events, batch_size=2000)
        plans = IntegrationPlan.objects.bulk_create(plans, batch_size=1000)
        measures, reviews = [], []
        for plan in plans:
            for k in range(2):
                measures.append(
                    Measure(
                        plan=plan,
                        service=rng.choice(self.services),
                        language="fi",
                        starts_on=plan.starts_on + dt.timedelta(days=14 * (k + 1)),
                        ends_on=plan.ends_on,
                        state="planned",
                    )
                )
            if plan.state in (PlanState.APPROVED, PlanState.ENDED) and rng.random() < 0.5:
                reviews.append(
                    Review(
                        plan=plan,
                        reviewed_on=plan.starts_on + dt.timedelta(days=170),
                        reviewed_by_id=plan.drafted_by_id,
                        notes="generated",
                        outcome="continue",
                    )
                )
        Measure.objects.bulk_create(measures, batch_size=2000)
        Review.objects.bulk_create(reviews, batch_size=2000)
