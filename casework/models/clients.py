"""The client (kotoutuja-asiakas) and the facts their category is derived from."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from ..hetu import parse_identity_code, validate_identity_code
from ..languages import language_name, validate_language_code
from ..text import validate_no_bidi_controls
from .common import Gender, LabourMarketStatus, PublicIdMixin, ResidenceBasis
from .organisations import Municipality, Organisation


class LanguageField(models.CharField):
    """An ISO 639 language code, validated against the CLDR list (see ``languages``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)
        self.validators.append(validate_language_code)


class Client(PublicIdMixin):
    first_names = models.CharField(
        _("first names"), max_length=200, validators=[validate_no_bidi_controls]
    )
    last_name = models.CharField(
        _("last name"), max_length=200, validators=[validate_no_bidi_controls]
    )
    personal_identity_code = models.CharField(
        _("personal identity code"),
        max_length=11,
        null=True,
        blank=True,
        validators=[validate_identity_code],
        help_text=_("Optional: many newcomers have none at first."),
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN
    )
    citizenship = CountryField(_("citizenship"), blank=True)
    country_of_origin = CountryField(_("country of origin"), blank=True)
    mother_tongue = LanguageField(_("mother tongue"))
    preferred_language = LanguageField(_("preferred language of service"))
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    interpreter_language = LanguageField(_("interpreter's language"))

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="clients",
        verbose_name=_("municipality of residence"),
    )
    first_residence_permit_date = models.DateField(
        _("date of the first residence permit"), null=True, blank=True
    )
    residence_basis = models.CharField(
        _("residence basis"),
        max_length=32,
        choices=ResidenceBasis.choices,
        default=ResidenceBasis.OTHER,
    )
    labour_market_status = models.CharField(
        _("labour-market status"),
        max_length=32,
        choices=LabourMarketStatus.choices,
        default=LabourMarketStatus.UNKNOWN,
    )
    social_assistance_non_temporary = models.BooleanField(
        _("receives social assistance, not temporarily"), default=False
    )
    child_home_care_allowance = models.BooleanField(
        _("receives child home care allowance"), default=False
    )
    unaccompanied_minor = models.BooleanField(_("unaccompanied minor"), default=False)
    minor_representative = models.CharField(
        _("representative of the minor"),
        max_length=200,
        blank=True,
        validators=[validate_no_bidi_controls],
    )
    arrived_as_unaccompanied_minor = models.BooleanField(
        _("arrived in Finland as an unaccompanied minor"),
        default=False,
        help_text=_(
            "A young adult who came without a guardian before turning 18: the wellbeing area "
            "supports becoming adult up to the age the rules set (23; 25 before 2025)."
        ),
    )
    trafficking_victim = models.BooleanField(_("victim of human trafficking"), default=False)

    non_disclosure = models.BooleanField(
        _("non-disclosure marking"),
        default=False,
        help_text=_("Address and contact details are shown only to named staff."),
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    post_office = models.CharField(_("post office"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)

    # Each organisation keeps its own client register: the same person may be a client of
    # several organisations, one record in each (the identity code is unique per register).
    register = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="client_records",
        verbose_name=_("client register of"),
        help_text=_(
            "The organisation whose client register holds this record: the one responsible "
            "for the client's case, or where the client was registered."
        ),
    )
    linked_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="linked_records",
        verbose_name=_("linked from the record"),
        help_text=_(
            "The record in another organisation's register this one was brought up to date "
            "from when the client's case moved here."
        ),
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    is_generated = models.BooleanField(
        _("generated test data"),
        default=False,
        editable=False,
        help_text=_("Created by the load generator, not a real client."),
    )

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["last_name", "first_names"]
        indexes = [
            models.Index(fields=["last_name", "first_names"]),
            models.Index(fields=["municipality"]),
            models.Index(fields=["personal_identity_code"]),
            # the same person registered twice (casework.indicators.duplicate_open_paths)
            models.Index(
                Lower("last_name"), Lower("first_names"), "date_of_birth", name="client_person_key"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["register", "personal_identity_code"],
                name="client_identity_code_unique_per_register",
                violation_error_code="unique",
                violation_error_message=_(
                    "This person is already in the organisation's client register."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    def audit_label(self) -> str:
        return f"client {self.uuid}"

    @property
    def audit_client_id(self) -> int | None:
        """The audit trail files entries about a client under its id."""
        return self.pk

    @property
    def full_name(self) -> str:
        return f"{self.first_names} {self.last_name}".strip()

    @property
    def mother_tongue_name(self) -> str:
        return language_name(self.mother_tongue) if self.mother_tongue else ""

    @property
    def preferred_language_name(self) -> str:
        return language_name(self.preferred_language) if self.preferred_language else ""

    @property
    def interpreter_language_name(self) -> str:
        return language_name(self.interpreter_language) if self.interpreter_language else ""

    def age_on(self, day) -> int | None:
        if not self.date_of_birth:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def clean(self):
        super().clean()
        errors: dict[str, list] = {}
        today = timezone.localdate()
        if self.personal_identity_code == "":
            self.personal_identity_code = None
        if self.personal_identity_code:
            self.personal_identity_code = self.personal_identity_code.strip().upper()
            try:
                parsed = parse_identity_code(self.personal_identity_code)
            except ValidationError:
                parsed = None  # the field validator reports it
            if parsed:
                if self.date_of_birth is None:
                    self.date_of_birth = parsed.date_of_birth
                elif self.date_of_birth != parsed.date_of_birth:
                    errors.setdefault("date_of_birth", []).append(
                        _("The date of birth does not match the personal identity code.")
                    )
        if self.date_of_birth and self.date_of_birth > today:
            errors.setdefault("date_of_birth", []).append(
                _("The date of birth cannot be in the future.")
            )
        if self.first_residence_permit_date:
            if self.first_residence_permit_date > today:
                errors.setdefault("first_residence_permit_date", []).append(
                    _("The date of the first residence permit cannot be in the future.")
                )
            if self.date_of_birth and self.first_residence_permit_date < self.date_of_birth:
                errors.setdefault("first_residence_permit_date", []).append(
                    _("The residence permit cannot predate the client's birth.")
                )
        if self.interpreter_needed and not self.interpreter_language:
            errors.setdefault("interpreter_language", []).append(
                _("Choose the interpreter's language.")
            )
        if self.unaccompanied_minor:
            if not self.date_of_birth:
                errors.setdefault("date_of_birth", []).append(
                    _("The date of birth is required for an unaccompanied minor.")
                )
            elif self._state.adding and (self.age_on(today) or 0) >= 18:
                errors.setdefault("unaccompanied_minor", []).append(
                    _("An unaccompanied minor must be under 18 years old.")
                )
            if not self.minor_representative:
                errors.setdefault("minor_representative", []).append(
                    _("Name the representative of the unaccompanied minor.")
                )
        if self.arrived_as_unaccompanied_minor:
            if not self.date_of_birth:
                errors.setdefault("date_of_birth", []).append(
                    _("The date of birth is required for someone who arrived as a minor.")
                )
            elif (
                self.first_residence_permit_date
                and self.age_on(self.first_residence_permit_date) >= 18
            ):
                errors.setdefault("arrived_as_unaccompanied_minor", []).append(
                    _(
                        "The client was 18 or older when the first residence permit was "
                        "granted: they did not arrive as a minor."
                    )
                )
        if errors:
            raise ValidationError(errors)
