"""The process of one integration case, and what viewflow's Task lacks: the queue (unit),
due date, priority, follow-up date, reminders and escalation."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task

from casework.models import IntegrationCase, Unit
from casework.models.common import PublicIdMixin


class IntegrationProcess(Process):
    """viewflow's process for one case. The legal state lives on the case (its FSM)."""

    case = models.OneToOneField(
        IntegrationCase, on_delete=models.PROTECT, related_name="process", verbose_name=_("case")
    )

    class Meta:
        verbose_name = _("integration path")
        verbose_name_plural = _("integration paths")


class TaskStatus(models.TextChoices):
    NEW = "NEW", _("in the queue")
    ASSIGNED = "ASSIGNED", _("assigned")
    STARTED = "STARTED", _("in progress")
    DONE = "DONE", _("done")
    CANCELED = "CANCELED", _("cancelled")
    ERROR = "ERROR", _("error")


class Priority(models.IntegerChoices):
    HIGH = 1, _("high")
    NORMAL = 2, _("normal")
    LOW = 3, _("low")


class CaseTask(PublicIdMixin):
    """One human task of the path, beside viewflow's Task, indexed for inbox, queue and
    dashboard queries. ``status`` and ``owner`` mirror the Task's and are written in the same
    transaction by ``workflows.services``."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="case_task")
    case = models.ForeignKey(
        IntegrationCase, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("case")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("queue")
    )
    step = models.CharField(_("step"), max_length=40)
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_tasks",
        verbose_name=_("assigned to"),
    )
    participation = models.ForeignKey(
        "casework.WellbeingParticipation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            # in the order the inbox and queue show them: the most urgent first
            models.Index(
                fields=["owner", "status", "due_on", "priority", "created_at"],
                name="casetask_inbox",
            ),
            models.Index(
                fields=["unit", "status", "due_on", "priority", "created_at"],
                name="casetask_queue",
            ),
            models.Index(fields=["status", "due_on"], name="casetask_due"),
            models.Index(fields=["unit", "status", "finished_at"], name="casetask_done"),
            # the escalation sweep: overdue candidates not yet escalated, oldest first
            models.Index(
                fields=["due_on", "id"],
                name="casetask_to_escalate",
                condition=models.Q(
                    escalated_at__isnull=True, status__in=["NEW", "ASSIGNED", "STARTED"]
                ),
            ),
            models.Index(fields=["case", "status"], name="casetask_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case} – {self.step}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today=None) -> bool:
        """Still open after its due date (``today``: the local date, when the caller has it)."""
        if not (self.is_open and self.due_on):
            return False
        return self.due_on < (today or timezone.localdate())

    @property
    def title(self):
        """The step's title in the active language (no query: the flow's human steps take
        their titles from ``TASK_TITLES``)."""
        return TASK_TITLES.get(self.step, self.step)


OPEN_STATUSES = ("NEW", "ASSIGNED", "STARTED")

# The titles of the flow's human steps, by node name: the flow (``workflows.flows``) annotates
# its nodes with these, and a task list shows them without reading viewflow's task row.
TASK_TITLES = {
    "intake": _("Contact the client and start the assessment"),
    "assess": _("Assess skills and service needs"),
    "wellbeing_contribution": _("Wellbeing area's contribution"),
    "responsible_contribution": _("Multi-professional assessment: responsible worker's part"),
    "draft_plan": _("Draw up the integration plan"),
    "client_decision": _("Record the client's agreement or refusal"),
    "approve": _("Approve the integration plan"),
    "review": _("Review the integration plan"),
}


class Substitution(models.Model):
    """``substitute`` covers ``absent``'s tasks from ``starts_on`` to ``ends_on`` inclusive."""

    absent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="substituted_by",
        verbose_name=_("absent worker"),
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="substitutions",
        verbose_name=_("substitute"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("arranged by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("substitution")
        verbose_name_plural = _("substitutions")
        indexes = [models.Index(fields=["substitute", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.substitute} → {self.absent} ({self.starts_on}–{self.ends_on})"

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The substitution cannot end before it starts.")})
        if self.absent_id and self.absent_id == self.substitute_id:
            raise ValidationError({"substitute": _("A worker cannot substitute for themselves.")})


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("waiting to start")
    RUNNING = "running", _("being prepared")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")


class ExportJob(PublicIdMixin):
    """A large export (``workflows.exports``) built by a background worker: what was asked,
    by whom, how far it has got, and the file when it is ready.

    The file is kept in the database, gzip-compressed, so that any web process on any machine
    can hand it out whichever worker made it (the web tier keeps no local files), and it is
    deleted ``EXPORT_KEEP_HOURS`` after it was made."""

    kind = models.CharField(_("export"), max_length=40)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    done = models.PositiveIntegerField(_("rows written"), default=0)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    content = models.BinaryField(_("file (gzip)"), null=True, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size (compressed)"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["requested_by", "created_at"], name="exportjob_mine"),
            models.Index(fields=["finished_at"], name="exportjob_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}" if self.created_at else self.kind

    @property
    def percent(self) -> int | None:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.total:
            return None
        return min(99, int(100 * self.done / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)
