"""The assessment of skills and integration service needs (KotoL 14 §) and the
wellbeing area's participation in the multi-professional step."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .cases import IntegrationCase
from .clients import LanguageField
from .common import LanguageLevel, Literacy, PublicIdMixin
from .organisations import Organisation, Unit


class Assessment(PublicIdMixin):
    """Saved as a draft any number of times; completed once, with every statutory field."""

    REQUIRED_TO_COMPLETE = (
        "interview_date",
        "literacy",
        "finnish_level",
        "swedish_level",
        "learning_skills",
        "working_life_skills",
        "education_history",
        "work_history",
        "education_goals",
        "life_situation",
    )

    case = models.OneToOneField(
        IntegrationCase, on_delete=models.CASCADE, related_name="assessment", verbose_name=_("case")
    )
    interview_date = models.DateField(_("date of the initial interview"), null=True, blank=True)
    literacy = models.CharField(_("literacy"), max_length=16, choices=Literacy.choices, blank=True)
    finnish_level = models.CharField(
        _("Finnish skills (CEFR)"), max_length=8, choices=LanguageLevel.choices, blank=True
    )
    swedish_level = models.CharField(
        _("Swedish skills (CEFR)"), max_length=8, choices=LanguageLevel.choices, blank=True
    )
    learning_skills = models.TextField(_("learning and study skills"), blank=True)
    working_life_skills = models.TextField(_("working-life skills"), blank=True)
    education_history = models.TextField(_("previous education"), blank=True)
    work_history = models.TextField(_("work experience"), blank=True)
    education_goals = models.TextField(_("education and training needs and goals"), blank=True)
    particular_skills = models.TextField(_("particular skills"), blank=True)
    life_situation = models.TextField(_("life situation"), blank=True)
    other_service_needs = models.TextField(_("other service needs"), blank=True)
    plan_needed = models.BooleanField(_("an integration plan is needed"), null=True, blank=True)
    wellbeing_participation_needed = models.BooleanField(
        _("social and health services need coordinating with the wellbeing area"),
        null=True,
        blank=True,
    )
    wellbeing_participation_reason = models.TextField(
        _("why the wellbeing area is invited"), blank=True
    )
    multi_professional_summary = models.TextField(
        _("summary of the multi-professional assessment"), blank=True
    )
    interpreter_used = models.BooleanField(_("an interpreter was used"), default=False)
    interpreter_language = LanguageField(_("interpreter's language"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return str(_("Assessment of %(case)s") % {"case": self.case})

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None

    def completion_errors(self) -> dict[str, list[str]]:
        """Field errors that stop the assessment from being completed (drafts may be partial)."""
        errors: dict[str, list[str]] = {}
        for name in self.REQUIRED_TO_COMPLETE:
            if getattr(self, name) in (None, ""):
                errors.setdefault(name, []).append(_("Required to complete the assessment."))
        for name in ("plan_needed", "wellbeing_participation_needed"):
            if getattr(self, name) is None:
                errors.setdefault(name, []).append(_("Answer yes or no."))
        if self.wellbeing_participation_needed and not self.wellbeing_participation_reason.strip():
            errors.setdefault("wellbeing_participation_reason", []).append(
                _("Say why the wellbeing area is invited.")
            )
        if self.interpreter_used and not self.interpreter_language:
            errors.setdefault("interpreter_language", []).append(
                _("Choose the interpreter's language.")
            )
        return errors

    def clean(self):
        super().clean()
        if self.interview_date and self.case_id and self.interview_date < self.case.contacted_on:
            raise ValidationError(
                {"interview_date": _("The interview cannot be before the first contact.")}
            )


class ParticipationPhase(models.TextChoices):
    ASSESSMENT = "assessment", _("assessment")
    PLANNING = "planning", _("drawing up the plan")
    REVIEW = "review", _("plan review")


class WellbeingParticipation(PublicIdMixin):
    """The wellbeing area's part in a case: from the invitation until it ends."""

    case = models.ForeignKey(
        IntegrationCase,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("case"),
    )
    phase = models.CharField(
        _("phase"),
        max_length=16,
        choices=ParticipationPhase.choices,
        default=ParticipationPhase.ASSESSMENT,
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("wellbeing area")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="participations", verbose_name=_("unit")
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name=_("wellbeing-area worker"),
    )
    reason = models.TextField(_("reason for the invitation"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    contribution = models.TextField(_("contribution"), blank=True)
    services_offered = models.TextField(_("wellbeing-area services offered"), blank=True)
    contributed_at = models.DateTimeField(_("contributed"), null=True, blank=True)
    ended_at = models.DateTimeField(_("part ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    class Meta:
        verbose_name = _("wellbeing-area participation")
        verbose_name_plural = _("wellbeing-area participations")
        ordering = ["invited_at"]
        indexes = [models.Index(fields=["worker", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.case} – {self.organisation}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None
