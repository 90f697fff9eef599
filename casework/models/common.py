"""Shared choices and small model helpers for the case-work domain."""

import uuid

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMModelMixin

from ..text import validate_no_bidi_controls


class TranslatedNameMixin(models.Model):
    """Names in Finnish, Swedish and English; ``name`` follows the active language.

    Three explicit columns are simpler to query, index and fill from fixtures than a
    translation library's extra tables, and the set of languages is fixed by law.
    """

    name_fi = models.CharField(
        _("name in Finnish"), max_length=200, validators=[validate_no_bidi_controls]
    )
    name_sv = models.CharField(
        _("name in Swedish"), max_length=200, blank=True, validators=[validate_no_bidi_controls]
    )
    name_en = models.CharField(
        _("name in English"), max_length=200, blank=True, validators=[validate_no_bidi_controls]
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "fi")[:2]
        return getattr(self, f"name_{language}", "") or self.name_fi


class PublicIdMixin(models.Model):
    """Integer primary key for joins, a public UUID for URLs and the API.

    ``full_clean`` skips the checks only the database can answer and that cannot fail
    here (each is a query, some a savepoint too); the database still enforces all of them
    when the row is written:

    - a foreign key set from an instance read from the database refers to a row that
      exists (Django would look it up again);
    - the public id is generated, never entered (its uniqueness is the unique index's);
    - check constraints named in ``constraints_checked_in_clean`` are checked by ``clean()``
      in Python, with the same message."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    constraints_checked_in_clean: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        for field in self._meta.concrete_fields:
            if (
                isinstance(field, models.ForeignKey)
                and field.name not in exclude
                and field.is_cached(self)
            ):
                related = field.get_cached_value(self)
                if (
                    related is not None
                    and not related._state.adding
                    and getattr(related, field.target_field.attname) == getattr(self, field.attname)
                ):
                    exclude.add(field.name)
        super().clean_fields(exclude=exclude)

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude={*(exclude or ()), "uuid"})

    def get_constraints(self):
        return [
            (model, [c for c in constraints if c.name not in self.constraints_checked_in_clean])
            for model, constraints in super().get_constraints()
        ]


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("municipality")
    EMPLOYMENT_AUTHORITY = "employment_authority", _("employment authority")
    WELLBEING_AREA = "wellbeing_area", _("wellbeing area")
    SERVICE_PROVIDER = "service_provider", _("service provider")


class Role(models.TextChoices):
    CASE_WORKER = "case_worker", _("case worker")
    WELLBEING_WORKER = "wellbeing_worker", _("wellbeing-area worker")
    MANAGER = "manager", _("manager")
    ADMINISTRATOR = "administrator", _("administrator")
    AUDITOR = "auditor", _("read-only auditor")
    GUIDANCE_WORKER = "guidance_worker", _("guidance worker")
    COORDINATOR = "coordinator", _("integration coordinator")


# The roles that work a unit's queue: they see the tasks waiting in it and take them (the
# manager hands them out). The auditor and the administrator have no queue: a membership in
# a unit in those roles shows them no client.
QUEUE_ROLES = (Role.CASE_WORKER, Role.WELLBEING_WORKER, Role.MANAGER)


class ClientCategory(models.TextChoices):
    """Client categories of the integration act, in order of precedence (see ``categories``)."""

    UNACCOMPANIED_MINOR = "unaccompanied_minor", _("unaccompanied minor")
    UNEMPLOYED_JOBSEEKER = "unemployed_jobseeker", _("registered unemployed jobseeker")
    YOUNG_ADULT_AFTERCARE = (
        "young_adult_aftercare",
        _("young adult who arrived as an unaccompanied minor"),
    )
    TRAFFICKING_VICTIM = "trafficking_victim", _("victim of human trafficking")
    INTERNATIONAL_PROTECTION = (
        "international_protection",
        _("beneficiary of international protection, quota refugee or family member"),
    )
    TEMPORARY_PROTECTION = "temporary_protection", _("temporary protection with a municipality")
    SOCIAL_ASSISTANCE = "social_assistance", _("on social assistance, not temporarily")
    HOME_PARENT = "home_parent", _("receiving child home care allowance")
    OTHER = "other", _("other client outside the labour force in need of assessment")


class Gender(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    OTHER = "other", _("other")
    UNKNOWN = "unknown", _("not known")


class ResidenceBasis(models.TextChoices):
    WORK = "work", _("work")
    STUDY = "study", _("study")
    FAMILY = "family", _("family ties")
    INTERNATIONAL_PROTECTION = "international_protection", _("international protection")
    QUOTA_REFUGEE = "quota_refugee", _("quota refugee")
    FAMILY_OF_PROTECTED = "family_of_protected", _("family member of a protected person")
    TEMPORARY_PROTECTION = "temporary_protection", _("temporary protection")
    OTHER = "other", _("other")


class LabourMarketStatus(models.TextChoices):
    UNEMPLOYED_JOBSEEKER = "unemployed_jobseeker", _("registered unemployed jobseeker")
    EMPLOYED = "employed", _("employed")
    ENTREPRENEUR = "entrepreneur", _("entrepreneur")
    STUDENT = "student", _("student")
    HOME_PARENT = "home_parent", _("home parent")
    OUTSIDE_LABOUR_FORCE = "outside_labour_force", _("outside the labour force")
    UNKNOWN = "unknown", _("not known")


class LanguageLevel(models.TextChoices):
    """The CEFR scale, with 'none' for no skills at all."""

    NONE = "none", _("no skills")
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"
    NATIVE = "native", _("mother tongue")


class Literacy(models.TextChoices):
    NONE = "none", _("cannot read or write")
    WEAK = "weak", _("weak, needs literacy training")
    NON_LATIN = "non_latin", _("literate in a non-Latin script only")
    LATIN = "latin", _("literate in the Latin script")


class StateMachineMixin(FSMModelMixin):
    """A model with protected FSM fields. ``full_clean`` would assign every field back
    (which a protected field refuses), so the state fields are left out of it: they only
    change through transitions."""

    class Meta:
        abstract = True

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        exclude = set(exclude or ()) | self._get_protected_fsm_fields()
        super().full_clean(
            exclude=exclude,
            validate_unique=validate_unique,
            validate_constraints=validate_constraints,
        )
