"""factory_boy factories and path helpers for the case-work domain.

Everything here except ``UserFactory`` needs the reference data (organisations, the
responsibility table, roles, rules, the catalogue): request the ``reference_data`` fixture.

Cases are never built row by row: ``CaseFactory`` opens them through ``casework.services``
and drives them to the step asked for, as a case worker of the responsible organisation
(the case's ``owner``)::

    case = CaseFactory(planning=True)
    case = CaseFactory(client__jobseeker=True, plan_active=True)
    case = CaseFactory(client=ClientFactory(unaccompanied=True), step="planning")
"""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from casework import services
from casework.hetu import make_identity_code
from casework.models import (
    CaseState,
    Client,
    ClientCategory,
    CloseReason,
    Gender,
    IntegrationCase,
    IntegrationPlan,
    LabourMarketStatus,
    Municipality,
    Organisation,
    ResidenceBasis,
    Role,
    Service,
    Unit,
)
from casework.responsibility import intake_unit, responsibility_for
from casework.rules import add_months, category_on

KOKKOLA = "272"
KANNUS = "217"


def today() -> dt.date:
    return timezone.localdate()


def years_ago(years: int, *, days: int = 0) -> dt.date:
    day = today()
    return add_months(day, -12 * years) - dt.timedelta(days=days)


def municipality(code: str = KOKKOLA) -> Municipality:
    return Municipality.objects.get(code=code)


def organisation(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def unit(organisation_code: str, code: str) -> Unit:
    return Unit.objects.get(organisation__code=organisation_code, code=code)


def kokkola_unit() -> Unit:
    return unit("kokkola", "kotoutumispalvelut")


def kannus_unit() -> Unit:
    return unit("kannus", "kotoutumistyo")


def employment_unit() -> Unit:
    return unit("kp-tyollisyysalue", "maahanmuuttajapalvelut")


def wellbeing_unit() -> Unit:
    return unit("soite", "monialainen-kotoutuminen")


# --- people --------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    """A login with no role anywhere."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Etu{n}")
    last_name = "Testaaja"
    email = factory.LazyAttribute(lambda u: f"{u.username}@kotopolku.invalid")
    password = factory.django.Password("kotopolku-test-password")

    class Params:
        superuser = factory.Trait(is_superuser=True, is_staff=True)


class StaffFactory(UserFactory):
    """A staff member with one role in one unit, granted through
    ``casework.services.membership_grant`` (which also puts them in the role's group).

    ``StaffFactory()`` is a case worker of Kokkola's integration services;
    ``StaffFactory(unit=kannus_unit())``, ``StaffFactory(manager=True)``,
    ``StaffFactory(wellbeing=True)`` (a Soite wellbeing-area worker), ``StaffFactory(auditor=True)``.
    """

    unit = factory.LazyFunction(kokkola_unit)
    role = Role.CASE_WORKER
    can_see_protected_details = False

    class Params:
        manager = factory.Trait(role=Role.MANAGER)
        auditor = factory.Trait(role=Role.AUDITOR)
        administrator = factory.Trait(role=Role.ADMINISTRATOR)
        wellbeing = factory.Trait(
            role=Role.WELLBEING_WORKER, unit=factory.LazyFunction(wellbeing_unit)
        )

    @classmethod
    def _create(cls, model_class, *args, unit, role, can_see_protected_details, **kwargs):
        user = super()._create(model_class, *args, **kwargs)
        services.membership_grant(
            by=None,
            user=user,
            unit=unit,
            role=role,
            can_see_protected_details=can_see_protected_details,
        )
        return user


def worker_for(client: Client):
    """A new case worker in the unit whose queue receives ``client``'s case."""
    rule = responsibility_for(municipality=client.municipality, category=category_on(client))
    return StaffFactory(unit=intake_unit(rule))


# --- clients -------------------------------------------------------------------------------


class ClientFactory(factory.django.DjangoModelFactory):
    """A client of Kokkola in the category 'other', validated with ``full_clean`` before saving.

    Traits give each category: ``jobseeker``, ``unaccompanied``, ``young_adult``, ``trafficking``,
    ``protected`` (international protection), ``quota_refugee``, ``temporary_protection``,
    ``social_assistance``, ``home_parent``; and ``non_disclosure_marking``, ``with_identity_code``,
    ``in_kannus``.
    """

    class Meta:
        model = Client

    first_names = factory.Sequence(lambda n: f"Asiakas{n}")
    last_name = "Esimerkki"
    gender = Gender.FEMALE
    date_of_birth = factory.LazyFunction(lambda: years_ago(30, days=40))
    mother_tongue = "ar"
    preferred_language = "fi"
    municipality = factory.LazyFunction(lambda: municipality(KOKKOLA))
    # registered by the municipality's own services (a case elsewhere takes it along)
    register = factory.LazyAttribute(
        lambda c: c.municipality.organisations.filter(kind="municipality").order_by("pk").first()
    )
    first_residence_permit_date = factory.LazyFunction(lambda: today() - dt.timedelta(days=90))
    residence_basis = ResidenceBasis.FAMILY
    labour_market_status = LabourMarketStatus.OUTSIDE_LABOUR_FORCE

    class Params:
        jobseeker = factory.Trait(labour_market_status=LabourMarketStatus.UNEMPLOYED_JOBSEEKER)
        unaccompanied = factory.Trait(
            unaccompanied_minor=True,
            date_of_birth=factory.LazyFunction(lambda: years_ago(15, days=10)),
            minor_representative="Liisa Edustaja",
            residence_basis=ResidenceBasis.INTERNATIONAL_PROTECTION,
            labour_market_status=LabourMarketStatus.STUDENT,
            first_residence_permit_date=factory.LazyFunction(
                lambda: today() - dt.timedelta(days=30)
            ),
        )
        young_adult = factory.Trait(
            arrived_as_unaccompanied_minor=True,
            date_of_birth=factory.LazyFunction(lambda: years_ago(20, days=10)),
            residence_basis=ResidenceBasis.INTERNATIONAL_PROTECTION,
            labour_market_status=LabourMarketStatus.STUDENT,
            first_residence_permit_date=factory.LazyFunction(lambda: years_ago(4)),
        )
        trafficking = factory.Trait(trafficking_victim=True)
        protected = factory.Trait(residence_basis=ResidenceBasis.INTERNATIONAL_PROTECTION)
        quota_refugee = factory.Trait(residence_basis=ResidenceBasis.QUOTA_REFUGEE)
        temporary_protection = factory.Trait(
            residence_basis=ResidenceBasis.TEMPORARY_PROTECTION, mother_tongue="uk"
        )
        social_assistance = factory.Trait(social_assistance_non_temporary=True)
        home_parent = factory.Trait(
            child_home_care_allowance=True, labour_market_status=LabourMarketStatus.HOME_PARENT
        )
        non_disclosure_marking = factory.Trait(
            non_disclosure=True, street_address="Salainen katu 1", phone="+358 40 000 0000"
        )
        with_identity_code = factory.Trait(
            personal_identity_code=factory.LazyAttributeSequence(
                lambda c, n: make_identity_code(c.date_of_birth, 900 + n % 100)
            )
        )
        in_kannus = factory.Trait(municipality=factory.LazyFunction(lambda: municipality(KANNUS)))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        client = model_class(*args, **kwargs)
        client.full_clean()
        client.save()
        return client


CATEGORY_TRAITS = {
    ClientCategory.UNACCOMPANIED_MINOR: {"unaccompanied": True},
    ClientCategory.UNEMPLOYED_JOBSEEKER: {"jobseeker": True},
    ClientCategory.YOUNG_ADULT_AFTERCARE: {"young_adult": True},
    ClientCategory.TRAFFICKING_VICTIM: {"trafficking": True},
    ClientCategory.INTERNATIONAL_PROTECTION: {"protected": True},
    ClientCategory.TEMPORARY_PROTECTION: {"temporary_protection": True},
    ClientCategory.SOCIAL_ASSISTANCE: {"social_assistance": True},
    ClientCategory.HOME_PARENT: {"home_parent": True},
    ClientCategory.OTHER: {},
}


# --- the path ------------------------------------------------------------------------------

ASSESSMENT_DATA = {
    "interview_date": None,  # filled in with the day of completion
    "literacy": "latin",
    "finnish_level": "A1",
    "swedish_level": "none",
    "learning_skills": "Oppii nopeasti.",
    "working_life_skills": "Työkokemusta kotimaasta.",
    "education_history": "Toisen asteen tutkinto.",
    "work_history": "Myyjä 6 vuotta.",
    "education_goals": "Suomen kieli B1-tasolle.",
    "life_situation": "Asuu perheensä kanssa.",
    "plan_needed": True,
    "wellbeing_participation_needed": False,
}


def assessment_data(**overrides) -> dict:
    """A complete assessment; with the wellbeing area's participation, the reason for it."""
    data = {**ASSESSMENT_DATA, "interview_date": today()}
    data.update(overrides)
    if data.get("wellbeing_participation_needed"):
        data.setdefault("wellbeing_participation_reason", "Perheen tuen tarve.")
    return data


def plan_data(case: IntegrationCase, *, starts_on: dt.date | None = None, months: int = 6) -> dict:
    """Everything a plan needs to be agreed and approved (measures are added separately)."""
    starts_on = starts_on or today()
    return {
        "long_term_goals": "Työllistyminen omalle alalle.",
        "period_goals": "Kotoutumiskoulutus.",
        "job_seeking_obligation": "Hakee kahta työpaikkaa kuukaudessa."
        if case.category == ClientCategory.UNEMPLOYED_JOBSEEKER
        else "",
        "follow_up": "Tapaaminen kuuden kuukauden välein.",
        "starts_on": starts_on,
        "ends_on": add_months(starts_on, months),
    }


def training_measure(plan: IntegrationPlan) -> dict:
    start = plan.starts_on or today()
    return {
        "service": Service.objects.get(code="integration-training-fi"),
        "provider": organisation("kpedu"),
        "language": "fi",
        "starts_on": start + dt.timedelta(days=14),
        "ends_on": start + dt.timedelta(days=120),
    }


def draft_plan(
    case: IntegrationCase, by, *, with_measure: bool = True, **overrides
) -> IntegrationPlan:
    """Draft a complete plan (one integration-training measure) for a case at 'planning'."""
    data = plan_data(case)
    data.update(overrides)
    plan = services.plan_save_draft(by=by, case=case, data=data)
    if with_measure:
        services.measure_save(by=by, plan=plan, data=training_measure(plan))
    return plan


def wellbeing_contribution(case: IntegrationCase, by):
    """Invite the wellbeing area and let a Soite worker contribute."""
    participation = services.wellbeing_invite(by=by, case=case, reason="Sosiaalityön tarve.")
    soite_worker = StaffFactory(wellbeing=True)
    services.wellbeing_assign(by=soite_worker, participation=participation, worker=soite_worker)
    services.wellbeing_contribute(
        by=soite_worker, participation=participation, contribution="Perhetyön arvio tehty."
    )
    return participation


def wellbeing_step(case: IntegrationCase, by, *, plan_needed: bool = True) -> IntegrationCase:
    """Invite the wellbeing area, let a Soite worker contribute, complete the step."""
    if not case.participations.filter(ended_at__isnull=True).exists():
        wellbeing_contribution(case, by)
    return services.multi_professional_complete(by=by, case=case, plan_needed=plan_needed)


STEPS = (
    "intake",
    "assessment",
    "multi_professional",
    "planning",
    "plan_drafted",
    "plan_agreed",
    "plan_active",
    "closed",
)


def advance(case: IntegrationCase, by, step: str) -> IntegrationCase:
    """Drive ``case`` from intake to ``step`` through the services, as ``by``."""
    if step not in STEPS:
        raise ValueError(f"Unknown step {step!r}; choose one of {STEPS}")
    if step == "closed":
        return services.case_close(by=by, case=case, reason=CloseReason.OTHER)
    target = STEPS.index(step)
    if target >= STEPS.index("assessment"):
        case = services.case_start_assessment(by=by, case=case)
    if target >= STEPS.index("multi_professional"):
        wellbeing = step == "multi_professional"
        case = services.assessment_complete(
            by=by, case=case, data=assessment_data(wellbeing_participation_needed=wellbeing)
        )
    if target >= STEPS.index("planning") and case.state == CaseState.MULTI_PROFESSIONAL:
        case = wellbeing_step(case, by)
    if target >= STEPS.index("plan_drafted"):
        plan = draft_plan(case, by)
    if target >= STEPS.index("plan_agreed"):
        services.plan_record_agreement(by=by, plan=plan)
    if target >= STEPS.index("plan_active"):
        services.plan_approve(by=by, plan=plan)
    return IntegrationCase.objects.get(pk=case.pk)


class CaseFactory(factory.Factory):
    """An integration case opened with ``casework.services.case_open`` and assigned to a new
    case worker of the responsible organisation (``case.owner``), then driven to ``step``.

    Traits: ``assessment``, ``wellbeing_step`` (multi-professional), ``planning``,
    ``plan_drafted``, ``plan_agreed``, ``plan_active``, ``closed``.
    """

    class Meta:
        model = IntegrationCase

    client = factory.SubFactory(ClientFactory)
    worker = None
    contacted_on = None
    step = "intake"

    class Params:
        assessment = factory.Trait(step="assessment")
        wellbeing_step = factory.Trait(step="multi_professional")
        planning = factory.Trait(step="planning")
        plan_drafted = factory.Trait(step="plan_drafted")
        plan_agreed = factory.Trait(step="plan_agreed")
        plan_active = factory.Trait(step="plan_active")
        closed = factory.Trait(step="closed")

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        raise NotImplementedError("Cases are only made through casework.services: use create().")

    @classmethod
    def _create(cls, model_class, *, client, worker, contacted_on, step):
        worker = worker or worker_for(client)
        case = services.case_open(by=worker, client=client, contacted_on=contacted_on)
        case = services.case_assign(by=worker, case=case, worker=worker)
        if step != "intake":
            case = advance(case, worker, step)
        return IntegrationCase.objects.select_related("owner", "client").get(pk=case.pk)
