"""Integration plans (KotoL 16 §) with versions, their measures and reviews."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from .cases import IntegrationCase
from .catalogue import Service
from .clients import LanguageField
from .common import PublicIdMixin, StateMachineMixin
from .organisations import Organisation


class PlanState(models.TextChoices):
    DRAFT = "draft", _("draft")
    AGREED = "agreed", _("agreed by the client")
    REFUSED = "refused", _("refused by the client")
    APPROVED = "approved", _("approved, in force")
    SUPERSEDED = "superseded", _("replaced by a revision")
    ENDED = "ended", _("ended")


class IntegrationPlan(StateMachineMixin, PublicIdMixin):
    case = models.ForeignKey(
        IntegrationCase, on_delete=models.CASCADE, related_name="plans", verbose_name=_("case")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revision",
        verbose_name=_("previous version"),
    )
    state = FSMField(_("state"), default=PlanState.DRAFT, choices=PlanState.choices, protected=True)
    language = LanguageField(_("language of the plan"), default="fi")
    long_term_goals = models.TextField(
        _("long-term integration and employment or entrepreneurship goals"), blank=True
    )
    period_goals = models.TextField(_("goals for the plan period"), blank=True)
    job_seeking_obligation = models.TextField(
        _("job-seeking obligation"),
        blank=True,
        help_text=_("For an unemployed jobseeker: the agreed job-seeking."),
    )
    follow_up = models.TextField(_("how follow-up is done"), blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    client_decision_on = models.DateField(_("date of the client's decision"), null=True, blank=True)
    refusal_reason = models.TextField(_("reason for refusing"), blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("drawn up by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_on = models.DateField(_("approved"), null=True, blank=True)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    constraints_checked_in_clean = ("plan_ends_after_start",)

    class Meta:
        verbose_name = _("integration plan")
        verbose_name_plural = _("integration plans")
        ordering = ["case", "version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="plan_version_unique"),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(state="approved"),
                name="one_plan_in_force_per_case",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(starts_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="plan_ends_after_start",
                violation_error_message=_("The plan cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Plan %(version)s of %(case)s") % {"version": self.version, "case": self.case})

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The plan cannot end before it starts.")})

    @transition(field=state, source=PlanState.DRAFT, target=PlanState.AGREED)
    def record_agreement(self, *, on):
        self.client_decision_on = on
        self.refusal_reason = ""

    @transition(field=state, source=PlanState.DRAFT, target=PlanState.REFUSED)
    def record_refusal(self, *, on, reason):
        self.client_decision_on = on
        self.refusal_reason = reason

    @transition(field=state, source=PlanState.AGREED, target=PlanState.APPROVED)
    def approve(self, *, by, on):
        self.approved_by = by
        self.approved_on = on

    @transition(field=state, source=PlanState.APPROVED, target=PlanState.SUPERSEDED)
    def supersede(self, *, on):
        self.ended_on = on

    @transition(
        field=state,
        source=[PlanState.APPROVED, PlanState.AGREED, PlanState.DRAFT],
        target=PlanState.ENDED,
    )
    def end(self, *, on):
        self.ended_on = on


class MeasureState(models.TextChoices):
    PLANNED = "planned", _("planned")
    STARTED = "started", _("started")
    COMPLETED = "completed", _("completed")
    INTERRUPTED = "interrupted", _("interrupted")


class Measure(StateMachineMixin, PublicIdMixin):
    plan = models.ForeignKey(
        IntegrationPlan, on_delete=models.CASCADE, related_name="measures", verbose_name=_("plan")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="measures", verbose_name=_("service")
    )
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("provider"),
    )
    language = LanguageField(_("language"))
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    state = FSMField(
        _("status"), default=MeasureState.PLANNED, choices=MeasureState.choices, protected=True
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["starts_on", "pk"]

    def __str__(self) -> str:
        return str(self.service)

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The measure cannot end before it starts.")})

    @transition(field=state, source=MeasureState.PLANNED, target=MeasureState.STARTED)
    def start(self):
        pass

    @transition(field=state, source=MeasureState.STARTED, target=MeasureState.COMPLETED)
    def complete(self):
        pass

    @transition(
        field=state,
        source=[MeasureState.PLANNED, MeasureState.STARTED],
        target=MeasureState.INTERRUPTED,
    )
    def interrupt(self):
        pass


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", _("continue the plan")
    REVISE = "revise", _("revise the plan")
    END = "end", _("end the plan")


class Review(PublicIdMixin):
    plan = models.ForeignKey(
        IntegrationPlan, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("plan")
    )
    reviewed_on = models.DateField(_("date of the review"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    participants = models.TextField(_("participants"), blank=True)
    wellbeing_area_took_part = models.BooleanField(_("the wellbeing area took part"), default=False)
    notes = models.TextField(_("notes"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReviewOutcome.choices)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["reviewed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.plan} – {self.reviewed_on:%d.%m.%Y}"
