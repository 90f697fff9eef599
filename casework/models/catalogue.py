"""The service catalogue of the municipal integration programme (seed 003, items 1–7)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .clients import LanguageField
from .common import TranslatedNameMixin
from .organisations import CodeManager, Organisation
from .rules import RuleSet


class ServiceKind(models.TextChoices):
    CIVIC_ORIENTATION = "civic_orientation", _("multilingual civic orientation")
    INTEGRATION_TRAINING = "integration_training", _("integration training")
    LITERACY_TRAINING = "literacy_training", _("literacy training")
    LANGUAGE_COURSE = "language_course", _("Finnish or Swedish course")
    GUIDANCE = "guidance", _("guidance and advice")
    OTHER = "other", _("other service")


class Service(TranslatedNameMixin):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=ServiceKind.choices)
    description = models.TextField(_("description"), blank=True)
    language = LanguageField(
        _("language of instruction"),
        help_text=_("For civic orientation: one catalogue entry per language."),
    )
    hours = models.PositiveIntegerField(_("length (hours)"), null=True, blank=True)
    ends_with_final_test = models.BooleanField(
        _("ends with the national final language test"), default=False
    )
    providers = models.ManyToManyField(
        Organisation, verbose_name=_("providers"), related_name="services", blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = CodeManager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("service catalogue")
        ordering = ["kind", "name_fi"]

    def natural_key(self):
        return (self.code,)

    def clean(self):
        super().clean()

        errors = {}
        if self.kind == ServiceKind.CIVIC_ORIENTATION:
            if not self.language:
                errors["language"] = _("Civic orientation is given in a language: choose it.")
            rules = RuleSet.objects.in_force_on(timezone.localdate())
            minimum = rules.civic_orientation_min_hours if rules else 70
            if self.hours is None or self.hours < minimum:
                errors["hours"] = _("Civic orientation lasts at least %(hours)s hours.") % {
                    "hours": minimum
                }
        if self.kind == ServiceKind.INTEGRATION_TRAINING and not self.ends_with_final_test:
            rules = RuleSet.objects.in_force_on(timezone.localdate())
            if rules is None or rules.integration_training_final_test:
                errors["ends_with_final_test"] = _(
                    "Integration training ends with the national final language test."
                )
        if errors:
            raise ValidationError(errors)
