"""The municipal integration programme (kotouttamisohjelma, Act 681/2023) and its yearly
follow-up.

A programme belongs to one organisation or to several that share it (a region's
municipalities), covers one or more municipalities and runs for whole years
(``first_year``–``last_year``). It is organised as seed 002 is: themes, each with goals; a
goal has measures (what is done, on what schedule, who answers for it, with which partners)
and indicators (how progress is seen). The follow-up is yearly: a value per manual
indicator, a status per measure, and the coordinator's summary; computed indicators are
taken from the path data (``casework.indicators``).

Versions. Two mechanisms keep last year's report as it was when the programme changes in the
middle of its period:

1. Every theme, goal, measure and indicator may be limited to part of the period
   (``first_year``/``last_year``; empty = the programme's whole period). A change of the
   programme from next year on is made by ending the old item and adding a new one, so the
   reports of earlier years still show the old item with its recorded follow-up. An item
   with recorded follow-up cannot be deleted, only ended (``casework.services.programme``).
2. Publishing a year's report (``ProgrammeReport``) freezes the whole report, with every
   text, status and figure, computed ones included, as JSON. The report page, its XLSX and
   CSV of a published year are rendered from that snapshot, so neither a later edit of a
   text nor late changes to the path data alter what the board was given. Publishing again
   (a correction) adds a new version; earlier versions stay readable.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..languages import validate_language_code
from .common import ClientCategory, PublicIdMixin
from .organisations import Municipality, Organisation, Unit

# The longest programme accepted: the act does not fix it, programmes run 3–5 years.
MAX_PROGRAMME_YEARS = 10


def text_in(obj, field: str, language: str | None = None) -> str:
    """``obj.<field>_<language>``, Swedish falling back to Finnish (the programme is written
    in the municipality's official languages; English readers get the Finnish text)."""
    language = (language or get_language() or "fi")[:2]
    if language == "sv":
        return getattr(obj, f"{field}_sv", "") or getattr(obj, f"{field}_fi", "")
    return getattr(obj, f"{field}_fi", "")


class YearRangeMixin(models.Model):
    """Part of the programme's period an item belongs to; empty = the whole period."""

    first_year = models.PositiveSmallIntegerField(
        _("in the programme from year"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the programme's first year."),
    )
    last_year = models.PositiveSmallIntegerField(
        _("in the programme until year"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the programme's last year. End an item this way."),
    )

    class Meta:
        abstract = True

    def in_year(self, year: int) -> bool:
        return (self.first_year is None or self.first_year <= year) and (
            self.last_year is None or year <= self.last_year
        )

    def year_range_errors(self, programme) -> dict:
        errors = {}
        if programme is None:
            return errors
        for name in ("first_year", "last_year"):
            value = getattr(self, name)
            if value is not None and not programme.first_year <= value <= programme.last_year:
                errors[name] = _(
                    "The year must be within the programme's period (%(first)s–%(last)s)."
                ) % {"first": programme.first_year, "last": programme.last_year}
        if (
            not errors
            and self.first_year is not None
            and self.last_year is not None
            and self.last_year < self.first_year
        ):
            errors["last_year"] = _("The last year cannot be before the first year.")
        return errors


class Programme(PublicIdMixin):
    """An integration programme of one organisation or several that share it."""

    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    organisations = models.ManyToManyField(
        Organisation,
        related_name="programmes",
        verbose_name=_("organisations sharing the programme"),
    )
    municipalities = models.ManyToManyField(
        Municipality,
        related_name="programmes",
        verbose_name=_("municipalities covered"),
        help_text=_("The computed indicators count the clients living in these municipalities."),
    )
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    adopted = models.CharField(
        _("adopted by"),
        max_length=200,
        blank=True,
        help_text=_("For example: City council 12.6.2023 § 45."),
    )
    description_fi = models.TextField(_("purpose in Finnish"), blank=True)
    description_sv = models.TextField(_("purpose in Swedish"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    constraints_checked_in_clean = ("programme_years_in_order",)

    class Meta:
        verbose_name = _("integration programme")
        verbose_name_plural = _("integration programmes")
        ordering = ["-first_year", "name_fi"]
        default_permissions = ()
        permissions = [
            ("view_programme", _("Can see integration programmes and their reports")),
            ("change_programme", _("Can edit integration programmes")),
            ("record_programme_follow_up", _("Can record the yearly follow-up of a programme")),
            ("publish_programme_report", _("Can publish a programme's yearly report")),
            ("export_national", _("Can export the national reporting dataset")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")),
                name="programme_years_in_order",
                violation_error_message=_("The last year cannot be before the first year."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.first_year}–{self.last_year}"

    @property
    def name(self) -> str:
        return text_in(self, "name")

    @property
    def description(self) -> str:
        return text_in(self, "description")

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    def audit_label(self) -> str:
        return f"programme {self.uuid}"

    def clean(self):
        super().clean()
        errors = {}
        if self.first_year is not None and not 2000 <= self.first_year <= 2100:
            errors["first_year"] = _("Enter a year between 2000 and 2100.")
        if self.last_year is not None and not 2000 <= self.last_year <= 2100:
            errors["last_year"] = _("Enter a year between 2000 and 2100.")
        if not errors and self.first_year is not None and self.last_year is not None:
            if self.last_year < self.first_year:
                errors["last_year"] = _("The last year cannot be before the first year.")
            elif self.last_year - self.first_year + 1 > MAX_PROGRAMME_YEARS:
                errors["last_year"] = _("A programme lasts at most %(years)s years.") % {
                    "years": MAX_PROGRAMME_YEARS
                }
        if errors:
            raise ValidationError(errors)


class Theme(YearRangeMixin, PublicIdMixin):
    """A theme of the programme (housing, language, work, ...)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="themes", verbose_name=_("programme")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["programme", "position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return text_in(self, "name")

    def audit_label(self) -> str:
        return f"theme {self.uuid}"

    def clean(self):
        super().clean()
        errors = self.year_range_errors(self.programme if self.programme_id else None)
        if errors:
            raise ValidationError(errors)


class Goal(YearRangeMixin, PublicIdMixin):
    """A goal under a theme (seed 002: "Tavoite")."""

    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, related_name="goals", verbose_name=_("theme")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text_fi = models.CharField(_("goal in Finnish"), max_length=300)
    text_sv = models.CharField(_("goal in Swedish"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["theme", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return text_in(self, "text")

    def audit_label(self) -> str:
        return f"goal {self.uuid}"

    def clean(self):
        super().clean()
        errors = self.year_range_errors(self.theme.programme if self.theme_id else None)
        if errors:
            raise ValidationError(errors)


class ProgrammeMeasure(YearRangeMixin, PublicIdMixin):
    """A measure of the programme (seed 002: "Toimenpide"): what is done, when, who answers
    for it and with whom. Not to be confused with a client's plan measure (``Measure``)."""

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="measures", verbose_name=_("goal")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    text_fi = models.TextField(_("measure in Finnish"))
    text_sv = models.TextField(_("measure in Swedish"), blank=True)
    schedule = models.CharField(
        _("schedule"),
        max_length=100,
        help_text=_("For example: continuous, 2023–2026, yearly with the budget."),
    )
    responsible_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible unit"),
    )
    responsible_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible partner organisation"),
    )
    responsible_other = models.CharField(
        _("other responsible party"),
        max_length=200,
        blank=True,
        help_text=_("A party that does not use Kotopolku, e.g. the city's urban environment."),
    )
    partners = models.TextField(
        _("partners"), blank=True, help_text=_("Who else takes part, in free text.")
    )

    class Meta:
        verbose_name = _("programme measure")
        verbose_name_plural = _("programme measures")
        ordering = ["goal", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return text_in(self, "text")

    @property
    def responsible(self) -> str:
        """Who answers for the measure, as a reader sees it."""
        if self.responsible_unit_id:
            return str(self.responsible_unit)
        if self.responsible_organisation_id:
            return self.responsible_organisation.name
        return self.responsible_other

    def audit_label(self) -> str:
        return f"programme measure {self.uuid}"

    def clean(self):
        super().clean()
        programme = self.goal.theme.programme if self.goal_id else None
        errors = self.year_range_errors(programme)
        chosen = [
            bool(self.responsible_unit_id),
            bool(self.responsible_organisation_id),
            bool(self.responsible_other.strip()),
        ]
        if not any(chosen):
            errors["responsible_unit"] = _(
                "Name who is responsible for the measure: a unit, a partner organisation or "
                "another party."
            )
        elif sum(chosen) > 1:
            errors["responsible_unit"] = _(
                "Name one responsible party only; put the others among the partners."
            )
        if (
            programme is not None
            and programme.pk
            and self.responsible_unit_id
            and not programme.organisations.filter(
                pk=self.responsible_unit.organisation_id
            ).exists()
        ):
            errors["responsible_unit"] = _(
                "The unit must belong to an organisation sharing the programme; choose other "
                "organisations as partners."
            )
        if errors:
            raise ValidationError(errors)


class IndicatorKind(models.TextChoices):
    MANUAL = "manual", _("entered yearly")
    COMPUTED = "computed", _("computed from Kotopolku's data")


class ValueType(models.TextChoices):
    NUMBER = "number", _("number")
    PERCENTAGE = "percentage", _("percentage")
    SCALE = "scale", _("assessment on a scale")


class Indicator(YearRangeMixin, PublicIdMixin):
    """How progress towards a goal is seen (seed 002: "Mittari").

    A manual indicator gets a value per year from the people responsible (a number, a
    percentage or an assessment on a scale such as 1–5). A computed one names a function of
    ``casework.indicators`` and optional filters; its value for a year is computed from the
    path data of the programme's municipalities."""

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("goal")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name_fi = models.CharField(_("name in Finnish"), max_length=300)
    name_sv = models.CharField(_("name in Swedish"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=IndicatorKind.choices)
    # manual
    value_type = models.CharField(
        _("type of value"), max_length=12, choices=ValueType.choices, blank=True
    )
    unit_label = models.CharField(
        _("unit"), max_length=40, blank=True, help_text=_("For example: events, participants.")
    )
    scale_min = models.SmallIntegerField(_("scale from"), null=True, blank=True)
    scale_max = models.SmallIntegerField(_("scale to"), null=True, blank=True)
    responsible_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit that reports the value"),
    )
    # computed
    computation = models.CharField(
        _("computation"),
        max_length=60,
        blank=True,
        help_text=_("One of the indicators Kotopolku computes from the path data."),
    )
    computation_option = models.CharField(
        _("computation option"),
        max_length=60,
        blank=True,
        help_text=_("A further choice some computations offer."),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only clients of the municipality"),
        help_text=_("Leave empty for all the programme's municipalities."),
    )
    category = models.CharField(
        _("only clients of the category"),
        max_length=40,
        choices=ClientCategory.choices,
        blank=True,
    )
    language = models.CharField(_("only clients whose mother tongue is"), max_length=3, blank=True)
    target = models.DecimalField(
        _("target value"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["goal", "position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return text_in(self, "name")

    @property
    def is_manual(self) -> bool:
        return self.kind == IndicatorKind.MANUAL

    def audit_label(self) -> str:
        return f"indicator {self.uuid}"

    def clean(self):
        super().clean()
        programme = self.goal.theme.programme if self.goal_id else None
        errors = self.year_range_errors(programme)
        if self.kind == IndicatorKind.MANUAL:
            if not self.value_type:
                errors["value_type"] = _("Choose the type of value.")
            elif self.value_type == ValueType.SCALE:
                if self.scale_min is None:
                    errors["scale_min"] = _("Enter where the scale starts.")
                if self.scale_max is None:
                    errors["scale_max"] = _("Enter where the scale ends.")
                if (
                    self.scale_min is not None
                    and self.scale_max is not None
                    and self.scale_max <= self.scale_min
                ):
                    errors["scale_max"] = _("The scale must end above where it starts.")
            self.computation = ""
            self.computation_option = ""
        elif self.kind == IndicatorKind.COMPUTED:
            # what is computed (and its options) is checked against the registry of computed
            # indicators by the service that saves it (casework.services.programme)
            if (
                self.municipality_id
                and programme is not None
                and programme.pk
                and not programme.municipalities.filter(pk=self.municipality_id).exists()
            ):
                errors["municipality"] = _("Choose one of the programme's municipalities.")
            if self.language:
                try:
                    validate_language_code(self.language)
                except ValidationError as error:
                    errors["language"] = error.messages
        else:
            errors["kind"] = _("Choose the kind of indicator.")
        if self.value_type != ValueType.SCALE:
            self.scale_min = self.scale_max = None
        if errors:
            raise ValidationError(errors)

    def value_errors(self, value) -> list[str]:
        """Why ``value`` cannot be this manual indicator's value (empty: it can)."""
        if value is None:
            return [str(_("Enter the value."))]
        if self.value_type == ValueType.PERCENTAGE and not Decimal(0) <= value <= Decimal(100):
            return [str(_("A percentage is between 0 and 100."))]
        if self.value_type == ValueType.SCALE:
            if value != value.to_integral_value():
                return [str(_("An assessment on the scale is a whole number."))]
            if not self.scale_min <= value <= self.scale_max:
                return [
                    str(
                        _("The value must be on the scale from %(min)s to %(max)s.")
                        % {"min": self.scale_min, "max": self.scale_max}
                    )
                ]
        return []


class IndicatorValue(PublicIdMixin):
    """A manual indicator's value for one year, with a comment."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="indicator_value_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.year} = {self.value}"

    def audit_label(self) -> str:
        return f"indicator value {self.uuid}"


class MeasureStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    ONGOING = "ongoing", _("ongoing")
    DONE = "done", _("done")
    DROPPED = "dropped", _("dropped")


class MeasureYearStatus(PublicIdMixin):
    """A programme measure's status at the end of one year, with a comment and the party
    that answered for it that year."""

    measure = models.ForeignKey(
        ProgrammeMeasure,
        on_delete=models.CASCADE,
        related_name="statuses",
        verbose_name=_("measure"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=12, choices=MeasureStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    responsible = models.CharField(_("responsible party"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now=True)

    class Meta:
        verbose_name = _("measure status")
        verbose_name_plural = _("measure statuses")
        ordering = ["measure", "year"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "year"], name="measure_status_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.measure}: {self.year} {self.get_status_display()}"

    def audit_label(self) -> str:
        return f"measure status {self.uuid}"


class ProgrammeYear(models.Model):
    """The coordinator's summary of one year of the programme (draft until published)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="year_notes", verbose_name=_("programme")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    summary_fi = models.TextField(_("summary in Finnish"), blank=True)
    summary_sv = models.TextField(_("summary in Swedish"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("programme year")
        verbose_name_plural = _("programme years")
        ordering = ["programme", "year"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year"], name="programme_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.year}"

    def audit_label(self) -> str:
        return f"programme {self.programme.uuid} year {self.year}"


class ProgrammeReport(PublicIdMixin):
    """A published yearly report, frozen: ``data`` is the report as it was published
    (``casework.programme_report.build_report``). Never changed; publishing again adds a
    version."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="reports", verbose_name=_("programme")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"))
    data = models.JSONField(_("report"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("published programme report")
        verbose_name_plural = _("published programme reports")
        ordering = ["programme", "year", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "version"], name="programme_report_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.year} v{self.version}"

    def audit_label(self) -> str:
        return f"programme report {self.uuid}"


class NationalExport(PublicIdMixin):
    """One national-reporting export: who made it, of what period and organisations, how
    many records, and a hash of what was handed over."""

    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    schema_version = models.CharField(_("schema version"), max_length=10)
    organisations = models.JSONField(_("organisations"), default=list)
    records = models.PositiveIntegerField(_("records"))
    sha256 = models.CharField(_("SHA-256 of the dataset"), max_length=64)
    key_id = models.CharField(_("pseudonymisation key id"), max_length=16)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    via = models.CharField(_("made with"), max_length=20)
    created_at = models.DateTimeField(_("made"), auto_now_add=True)

    class Meta:
        verbose_name = _("national export")
        verbose_name_plural = _("national exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end} ({self.records})"

    def audit_label(self) -> str:
        return f"national export {self.uuid}"
