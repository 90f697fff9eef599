"""Organisations, their units (work queues), staff memberships and responsibility tables."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .common import ClientCategory, OrganisationKind, Role, TranslatedNameMixin


class CodeManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Municipality(TranslatedNameMixin):
    """A municipality as a place of residence (Statistics Finland's municipality code)."""

    code = models.CharField(_("municipality code"), max_length=3, unique=True)
    bilingual = models.BooleanField(
        _("bilingual"), default=False, help_text=_("Services are offered in Finnish and Swedish.")
    )
    majority_language = models.CharField(
        _("majority language"),
        max_length=2,
        choices=[("fi", "suomi"), ("sv", "svenska")],
        default="fi",
    )

    objects = CodeManager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name_fi"]

    def natural_key(self):
        return (self.code,)


class Organisation(TranslatedNameMixin):
    """A municipality's services, an employment authority, a wellbeing area or a provider."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganisationKind.choices)
    municipalities = models.ManyToManyField(
        Municipality,
        verbose_name=_("municipalities served"),
        related_name="organisations",
        blank=True,
    )
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CodeManager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_fi"]
        indexes = [models.Index(fields=["kind"])]

    def natural_key(self):
        return (self.code,)

    @property
    def is_wellbeing_area(self) -> bool:
        return self.kind == OrganisationKind.WELLBEING_AREA


class UnitManager(models.Manager):
    def get_by_natural_key(self, organisation_code, code):
        return self.get(organisation__code=organisation_code, code=code)


class Unit(TranslatedNameMixin):
    """A team inside an organisation, with its own work queue."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="units", verbose_name=_("organisation")
    )
    code = models.SlugField(_("code"), max_length=50)
    handles_wellbeing_participation = models.BooleanField(
        _("handles wellbeing-area participation"),
        default=False,
        help_text=_("Invitations to multi-professional steps land in this unit's queue."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnitManager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["organisation__name_fi", "name_fi"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="unit_code_unique")
        ]

    def natural_key(self):
        return (self.organisation.code, self.code)

    natural_key.dependencies = ["casework.organisation"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.name})"


class Membership(models.Model):
    """A staff member's role in a unit. A person can belong to several units."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    can_see_protected_details = models.BooleanField(
        _("may see details under a non-disclosure marking"),
        default=False,
        help_text=_(
            "Named staff who may see the address and contact details of protected clients."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"

    def clean(self):
        super().clean()
        if (
            self.role == Role.WELLBEING_WORKER
            and self.unit_id
            and not self.unit.organisation.is_wellbeing_area
        ):
            raise ValidationError(
                {"role": _("A wellbeing-area worker must belong to a wellbeing area's unit.")}
            )


class ResponsibilityRuleManager(models.Manager):
    def get_by_natural_key(self, municipality_code, category):
        return self.get(municipality__code=municipality_code, category=category)


class ResponsibilityRule(models.Model):
    """One row of a municipality's responsibility table (seed 003, 'Vastuutaulukko')."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="responsibility_rules",
        verbose_name=_("municipality"),
    )
    category = models.CharField(_("client category"), max_length=40, choices=ClientCategory.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="responsibilities",
        verbose_name=_("responsible organisation"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsibilities",
        verbose_name=_("unit whose queue receives the work"),
        help_text=_("Leave empty to use the organisation's first active unit."),
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = ResponsibilityRuleManager()

    class Meta:
        verbose_name = _("responsibility table row")
        verbose_name_plural = _("responsibility table")
        ordering = ["municipality__name_fi", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "category"], name="responsibility_unique_per_category"
            )
        ]

    def natural_key(self):
        return (self.municipality.code, self.category)

    natural_key.dependencies = ["casework.municipality", "casework.organisation"]

    def __str__(self) -> str:
        return f"{self.municipality}: {self.get_category_display()} → {self.organisation}"

    def clean(self):
        super().clean()
        errors = {}
        if self.organisation_id:
            if self.organisation.kind not in (
                OrganisationKind.MUNICIPALITY,
                OrganisationKind.EMPLOYMENT_AUTHORITY,
            ):
                errors["organisation"] = _(
                    "Only a municipality or an employment authority can be responsible for a client."
                )
            elif (
                self.municipality_id
                and not self.organisation.municipalities.filter(pk=self.municipality_id).exists()
            ):
                errors["organisation"] = _(
                    "This organisation does not serve the municipality. Add the municipality to "
                    "the organisation first."
                )
            if (
                self.category == ClientCategory.UNEMPLOYED_JOBSEEKER
                and self.organisation.kind != OrganisationKind.EMPLOYMENT_AUTHORITY
            ):
                errors["organisation"] = _(
                    "The employment authority is responsible for unemployed jobseekers and cannot "
                    "hand this to the municipality."
                )
        if (
            self.unit_id
            and self.organisation_id
            and self.unit.organisation_id != self.organisation_id
        ):
            errors["unit"] = _("The unit must belong to the responsible organisation.")
        if errors:
            raise ValidationError(errors)
