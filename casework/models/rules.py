"""Configurable rules of the integration act, each set in force from a date."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    """Steps of the path that have a target duration."""

    INTAKE = "intake", _("intake to start of assessment")
    ASSESSMENT = "assessment", _("assessment")
    MULTI_PROFESSIONAL = "multi_professional", _("wellbeing-area participation")
    PLANNING = "planning", _("drawing up the plan")
    AGREEMENT = "agreement", _("client's agreement")
    APPROVAL = "approval", _("approval of the plan")
    REVIEW = "review", _("plan review")
    TRANSFER = "transfer", _("taking over a transferred case")


class RuleSetManager(models.Manager):
    def get_by_natural_key(self, valid_from):
        return self.get(valid_from=valid_from)

    def in_force_on(self, day):
        """The rule set in force on ``day`` (with its step targets), or None. Read straight
        from the database; ``casework.rules.rules_on`` keeps a per-process cache of it."""
        return (
            self.filter(valid_from__lte=day)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=day))
            .prefetch_related("targets")
            .order_by("-valid_from")
            .first()
        )


class RuleSet(models.Model):
    """The rules in force from ``valid_from`` up to (not including) ``valid_until``."""

    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(_("in force from"), unique=True)
    valid_until = models.DateField(
        _("in force until"),
        null=True,
        blank=True,
        help_text=_("The first day the rules no longer apply. Empty: until further notice."),
    )
    source = models.TextField(_("legal source"), blank=True)

    assessment_window_years = models.PositiveSmallIntegerField(
        _("assessment and first plan within (years of the first residence permit)"),
        default=3,
        validators=[MinValueValidator(1)],
    )
    first_plan_max_months = models.PositiveSmallIntegerField(
        _("maximum length of the first plan (months)"),
        default=12,
        validators=[MinValueValidator(1)],
    )
    plan_total_max_months = models.PositiveSmallIntegerField(
        _("maximum total length of plans (months)"), default=24, validators=[MinValueValidator(1)]
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("municipality reviews an active plan at least every (months)"),
        default=6,
        validators=[MinValueValidator(1)],
    )
    services_within_months = models.PositiveSmallIntegerField(
        _("client directed to the plan's services within (months)"),
        default=6,
        validators=[MinValueValidator(1)],
    )
    civic_orientation_min_hours = models.PositiveSmallIntegerField(
        _("minimum length of civic orientation (hours)"),
        default=70,
        validators=[MinValueValidator(1)],
    )
    unaccompanied_minor_always_plan = models.BooleanField(
        _("an unaccompanied minor always gets a plan, with the wellbeing area"), default=True
    )
    integration_training_final_test = models.BooleanField(
        _("integration training ends with the national final language test"), default=True
    )
    review_reminder_days = models.PositiveSmallIntegerField(
        _("remind of a review (days before it falls due)"), default=14
    )
    aftercare_until_age = models.PositiveSmallIntegerField(
        _(
            "the wellbeing area supports young adults who arrived as unaccompanied minors "
            "until the age of"
        ),
        default=23,
        validators=[MinValueValidator(18)],
        help_text=_("23 from 1.1.2025 (HE 21/2024), 25 before."),
    )

    objects = RuleSetManager()

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="ruleset_valid_range",
                violation_error_message=_("The end date must be after the start date."),
            )
        ]

    def natural_key(self):
        return (self.valid_from.isoformat(),)

    def __str__(self) -> str:
        if self.valid_until:
            return f"{self.name} ({self.valid_from:%d.%m.%Y}–{self.valid_until:%d.%m.%Y})"
        return f"{self.name} ({self.valid_from:%d.%m.%Y}–)"

    def overlapping(self):
        """Other rule sets whose period overlaps this one's."""
        others = RuleSet.objects.exclude(pk=self.pk)
        if self.valid_until:
            others = others.filter(valid_from__lt=self.valid_until)
        return others.filter(Q(valid_until__isnull=True) | Q(valid_until__gt=self.valid_from))

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("The end date must be after the start date.")})
        if self.valid_from:
            clash = self.overlapping().first()
            if clash:
                raise ValidationError(
                    _("The period overlaps the rule set “%(other)s”. End that one first."),
                    params={"other": clash},
                    code="ruleset_overlap",
                )

    def target_days(self, step: str) -> int | None:
        for target in self.targets.all():
            if target.step == step:
                return target.days
        return None


class StepTargetManager(models.Manager):
    def get_by_natural_key(self, valid_from, step):
        return self.get(rule_set__valid_from=valid_from, step=step)


class StepTarget(models.Model):
    """A target duration for one step under a rule set, so managers can see what is late."""

    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.CASCADE, related_name="targets", verbose_name=_("rule set")
    )
    step = models.CharField(_("step"), max_length=32, choices=Step.choices)
    days = models.PositiveSmallIntegerField(_("target (days)"), validators=[MinValueValidator(1)])

    objects = StepTargetManager()

    class Meta:
        verbose_name = _("step target")
        verbose_name_plural = _("step targets")
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "step"], name="steptarget_unique")
        ]

    def natural_key(self):
        return (self.rule_set.valid_from.isoformat(), self.step)

    natural_key.dependencies = ["casework.ruleset"]

    def __str__(self) -> str:
        return f"{self.get_step_display()}: {self.days}"
