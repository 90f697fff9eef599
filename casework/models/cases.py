"""The integration case: one client's integration period and its legal state."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from .clients import Client
from .common import ClientCategory, PublicIdMixin, StateMachineMixin
from .organisations import Municipality, Organisation, Unit


class CaseState(models.TextChoices):
    INTAKE = "intake", _("intake")
    ASSESSMENT = "assessment", _("assessment")
    MULTI_PROFESSIONAL = "multi_professional", _("multi-professional step")
    PLANNING = "planning", _("drawing up the plan")
    PLAN_ACTIVE = "plan_active", _("plan in force, follow-up")
    CLOSED = "closed", _("closed")


OPEN_STATES = [s for s in CaseState.values if s != CaseState.CLOSED]


class CloseReason(models.TextChoices):
    NO_PLAN_NEEDED = "no_plan_needed", _("assessment done, no plan needed")
    DECLINED = "declined", _("client declined")
    PLAN_ENDED = "plan_ended", _("the plan reached its end date")
    GOALS_MET = "goals_met", _("goals met")
    PERIOD_ENDED = "period_ended", _("integration period ran out")
    MOVED_AWAY = "moved_away", _("client moved away")
    OTHER = "other", _("other reason")


class IntegrationCase(StateMachineMixin, PublicIdMixin):
    """One client's integration period. Its state moves only through ``casework.services``."""

    number = models.CharField(_("case number"), max_length=20, unique=True, null=True, blank=True)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="cases", verbose_name=_("client")
    )
    state = FSMField(
        _("state"), default=CaseState.INTAKE, choices=CaseState.choices, protected=True
    )
    category = models.CharField(_("client category"), max_length=40, choices=ClientCategory.choices)
    # The client's municipality of residence as recorded now (``Client.municipality``),
    # copied onto each of the client's cases so that the figures of a municipality (the
    # programme's indicators) find its cases without reading the client table. It is the
    # client's, not the responsible organisation's: the services that change a client's
    # municipality or move a case to another client record keep it equal
    # (``casework.services.clients.sync_case_municipality``); a case without one is refused by
    # the database.
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("municipality of residence"),
    )
    responsible_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("responsible organisation"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="cases", verbose_name=_("unit")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_cases",
        verbose_name=_("responsible worker"),
    )
    wellbeing_area = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wellbeing_cases",
        verbose_name=_("wellbeing area"),
    )

    contacted_on = models.DateField(_("first contact"))
    assessment_started_on = models.DateField(_("assessment started"), null=True, blank=True)
    assessment_completed_on = models.DateField(_("assessment completed"), null=True, blank=True)
    plan_approved_on = models.DateField(_("plan approved"), null=True, blank=True)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)
    integration_period_ends_on = models.DateField(
        _("integration period ends"), null=True, blank=True
    )
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    close_reason = models.CharField(
        _("reason for closing"), max_length=20, choices=CloseReason.choices, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("integration case")
        verbose_name_plural = _("integration cases")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["responsible_organisation", "state"]),
            models.Index(fields=["unit", "state"]),
            models.Index(fields=["state", "next_review_due"]),
            # a municipality's cases, by first contact (casework.indicators)
            models.Index(fields=["municipality", "contacted_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=~models.Q(state="closed"),
                name="one_open_case_per_client",
                violation_error_message=_("The client already has an open integration case."),
            )
        ]
        permissions = [
            ("assess_case", _("Can assess service needs")),
            ("plan_case", _("Can draw up integration plans")),
            ("approve_plan", _("Can approve integration plans")),
            ("review_plan", _("Can review integration plans")),
            ("contribute_case", _("Can contribute as the wellbeing area")),
            ("transfer_case", _("Can transfer a case")),
            ("close_case", _("Can close a case")),
            ("manage_queue", _("Can reassign tasks in the unit's queue")),
            ("view_client_data", _("Can view client data")),
        ]

    def __str__(self) -> str:
        return self.number or str(self.uuid)

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED

    # --- transitions: in memory only; services save, audit and check permissions ---

    @transition(field=state, source=CaseState.INTAKE, target=CaseState.ASSESSMENT)
    def start_assessment(self, *, on):
        self.assessment_started_on = on

    @transition(
        field=state,
        source=CaseState.ASSESSMENT,
        target=RETURN_VALUE(CaseState.MULTI_PROFESSIONAL, CaseState.PLANNING, CaseState.CLOSED),
    )
    def complete_assessment(self, *, on, wellbeing_needed: bool, plan_needed: bool):
        if wellbeing_needed:
            return CaseState.MULTI_PROFESSIONAL
        self.assessment_completed_on = on
        if plan_needed:
            return CaseState.PLANNING
        self.closed_on = on
        self.close_reason = CloseReason.NO_PLAN_NEEDED
        return CaseState.CLOSED

    @transition(
        field=state,
        source=CaseState.MULTI_PROFESSIONAL,
        target=RETURN_VALUE(CaseState.PLANNING, CaseState.CLOSED),
    )
    def complete_multi_professional(self, *, on, plan_needed: bool):
        self.assessment_completed_on = on
        if plan_needed:
            return CaseState.PLANNING
        self.closed_on = on
        self.close_reason = CloseReason.NO_PLAN_NEEDED
        return CaseState.CLOSED

    @transition(field=state, source=CaseState.PLANNING, target=CaseState.PLAN_ACTIVE)
    def activate_plan(self, *, on, next_review_due):
        self.plan_approved_on = on
        self.next_review_due = next_review_due

    @transition(field=state, source=CaseState.PLAN_ACTIVE, target=CaseState.PLAN_ACTIVE)
    def record_review(self, *, next_review_due):
        self.next_review_due = next_review_due

    @transition(field=state, source=CaseState.PLAN_ACTIVE, target=CaseState.PLAN_ACTIVE)
    def approve_revision(self, *, on, next_review_due):
        self.plan_approved_on = on
        self.next_review_due = next_review_due

    @transition(field=state, source=OPEN_STATES, target=CaseState.CLOSED)
    def close(self, *, on, reason):
        self.closed_on = on
        self.close_reason = reason
        self.next_review_due = None


class CaseEventKind(models.TextChoices):
    REGISTERED = "registered", _("case opened")
    ASSESSMENT_STARTED = "assessment_started", _("assessment started")
    ASSESSMENT_COMPLETED = "assessment_completed", _("assessment completed")
    WELLBEING_INVITED = "wellbeing_invited", _("wellbeing area invited")
    WELLBEING_CONTRIBUTED = "wellbeing_contributed", _("wellbeing area contributed")
    WELLBEING_ENDED = "wellbeing_ended", _("wellbeing area's part ended")
    MULTI_PROFESSIONAL_COMPLETED = (
        "multi_professional_completed",
        _("multi-professional step completed"),
    )
    PLAN_DRAFTED = "plan_drafted", _("plan drafted")
    PLAN_AGREED = "plan_agreed", _("client agreed to the plan")
    PLAN_REFUSED = "plan_refused", _("client refused the plan")
    PLAN_APPROVED = "plan_approved", _("plan approved")
    REVIEWED = "reviewed", _("plan reviewed")
    TRANSFERRED = "transferred", _("responsibility transferred")
    CATEGORY_CHANGED = "category_changed", _("client category changed")
    ASSIGNED = "assigned", _("worker assigned")
    CLOSED = "closed", _("case closed")
    GUIDANCE_VISIT = "guidance_visit", _("visit to a guidance point")


class CaseEvent(models.Model):
    """The case's timeline: what happened, who did it, when and why. Append-only."""

    case = models.ForeignKey(
        IntegrationCase, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    kind = models.CharField(_("event"), max_length=40, choices=CaseEventKind.choices)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case}: {self.get_kind_display()}"
