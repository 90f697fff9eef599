"""What the API reads and writes. Inputs only check types and names; every rule is checked by
the services (and, for task steps, by the same forms as the pages)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.models import (
    CaseEventKind,
    CaseState,
    Client,
    ClientCategory,
    CloseReason,
    IntegrationPlan,
    MeasureState,
    Municipality,
    ParticipationPhase,
    PlanState,
    ReviewOutcome,
    Role,
    ServiceKind,
)
from casework.rules import category_on
from casework.selectors import can_see_full_case
from casework.services.privacy import PROTECTED_FIELDS
from workflows.forms import ClientForm
from workflows.models import Priority, TaskStatus

from .schema import COUNTRY_CHOICES, LANGUAGE_CHOICES

# The fields a client is registered and changed with: the same as the registration page.
CLIENT_FIELDS = list(ClientForm.Meta.fields)


class StrictCharField(serializers.CharField):
    """Text, and only text: a number or a list is a wrong type, not a string to convert."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Refuses names it does not know (a typo must not be silently dropped) and read-only
    ones, instead of ignoring them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {}
            for name in data:
                if name in writable:
                    continue
                if name in self.fields:
                    errors[name] = [_("This field cannot be changed.")]
                else:
                    errors[name] = [_("Unknown field.")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }


# --- references -------------------------------------------------------------------------


class OrganisationRefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class UnitRefSerializer(serializers.Serializer):
    """A unit (a work queue), named by its organisation's code and its own."""

    organisation = serializers.CharField(source="organisation.code", read_only=True)
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class UserRefSerializer(serializers.Serializer):
    username = serializers.CharField(source="get_username", read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


class ClientRefSerializer(serializers.Serializer):
    """What every list shows of a client: the name and the non-disclosure marking."""

    uuid = serializers.UUIDField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    non_disclosure = serializers.BooleanField(read_only=True)


class CaseRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    number = serializers.CharField(read_only=True, allow_null=True)
    state = serializers.ChoiceField(choices=CaseState.choices, read_only=True)
    responsible_organisation = serializers.CharField(
        source="responsible_organisation.code", read_only=True
    )


# --- clients ----------------------------------------------------------------------------


class ClientWriteSerializer(StrictModelSerializer):
    """A client's facts, as on the registration page; the municipality by its code."""

    municipality = serializers.SlugRelatedField(
        slug_field="code", queryset=Municipality.objects.all()
    )
    citizenship = serializers.ChoiceField(COUNTRY_CHOICES, required=False, allow_blank=True)
    country_of_origin = serializers.ChoiceField(COUNTRY_CHOICES, required=False, allow_blank=True)
    mother_tongue = serializers.ChoiceField(LANGUAGE_CHOICES, required=False, allow_blank=True)
    preferred_language = serializers.ChoiceField(LANGUAGE_CHOICES, required=False, allow_blank=True)
    interpreter_language = serializers.ChoiceField(
        LANGUAGE_CHOICES, required=False, allow_blank=True
    )

    class Meta:
        model = Client
        fields = CLIENT_FIELDS

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if municipalities is not None:
            self.fields["municipality"].queryset = municipalities


class ClientCreateSerializer(ClientWriteSerializer):
    contacted_on = serializers.DateField(
        required=False, help_text=_("Date of first contact; today if left out.")
    )

    class Meta(ClientWriteSerializer.Meta):
        fields = [*CLIENT_FIELDS, "contacted_on"]


class ClientUpdateSerializer(ClientWriteSerializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Why, if the change moves the case to another organisation."),
    )

    class Meta(ClientWriteSerializer.Meta):
        fields = [*CLIENT_FIELDS, "reason"]


class ClientCategoryField(serializers.ChoiceField):
    """The client's category today, under today's rules (``casework.rules.category_on``:
    a young adult's support for becoming adult ends at the age the rules set)."""

    def __init__(self, **kwargs):
        super().__init__(choices=ClientCategory.choices, source="*", read_only=True, **kwargs)

    def to_representation(self, client):
        return super().to_representation(category_on(client))


class ClientListSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.code", read_only=True)
    category = ClientCategoryField()
    open_case = serializers.SerializerMethodField()

    class Meta:
        model = Client
        fields = [
            "uuid",
            "first_names",
            "last_name",
            "date_of_birth",
            "municipality",
            "category",
            "non_disclosure",
            "open_case",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_open_case(self, client):
        cases = getattr(client, "api_open_cases", [])
        return str(cases[0].uuid) if cases else None


class ClientDetailSerializer(serializers.ModelSerializer):
    """All the client's data. Address and contact details are null unless the caller may see
    them (non-disclosure marking)."""

    municipality = serializers.CharField(source="municipality.code", read_only=True)
    citizenship = serializers.CharField(read_only=True)
    country_of_origin = serializers.CharField(read_only=True)
    category = ClientCategoryField()
    street_address = serializers.CharField(read_only=True, allow_null=True)
    postal_code = serializers.CharField(read_only=True, allow_null=True)
    post_office = serializers.CharField(read_only=True, allow_null=True)
    phone = serializers.CharField(read_only=True, allow_null=True)
    email = serializers.CharField(read_only=True, allow_null=True)
    protected_details_visible = serializers.SerializerMethodField()
    anonymised = serializers.SerializerMethodField()
    register = serializers.CharField(
        source="register.code",
        read_only=True,
        help_text=_("The organisation whose client register holds this record."),
    )
    cases = CaseRefSerializer(many=True, read_only=True, source="api_cases")

    class Meta:
        model = Client
        fields = [
            "uuid",
            *CLIENT_FIELDS,
            "register",
            "category",
            "protected_details_visible",
            "anonymised",
            "created_at",
            "updated_at",
            "cases",
        ]
        read_only_fields = fields

    def get_protected_details_visible(self, client) -> bool:
        return bool(self.context.get("protected_visible"))

    def get_anonymised(self, client) -> bool:
        return client.anonymised_at is not None

    def to_representation(self, client):
        data = super().to_representation(client)
        if not self.context.get("protected_visible"):
            for name in PROTECTED_FIELDS:
                data[name] = None
        return data


class IntakeSerializer(StrictSerializer):
    """Start a new path for a client already known (their earlier case is closed)."""

    client = serializers.UUIDField(help_text=_("The client's public identifier."))
    contacted_on = serializers.DateField(
        required=False, help_text=_("Date of first contact; today if left out.")
    )


class IntakeResultSerializer(serializers.Serializer):
    """The case opened, and where it went (the caller may not be the one to see it)."""

    client = serializers.UUIDField(source="client.uuid", read_only=True)
    case = serializers.UUIDField(source="uuid", read_only=True)
    number = serializers.CharField(read_only=True)
    category = serializers.ChoiceField(choices=ClientCategory.choices, read_only=True)
    responsible_organisation = OrganisationRefSerializer(read_only=True)
    unit = UnitRefSerializer(read_only=True)
    visible = serializers.SerializerMethodField()

    def get_visible(self, case) -> bool:
        return bool(self.context.get("visible"))


# --- cases ------------------------------------------------------------------------------

FULL_ONLY_CASE_FIELDS = ("contacted_on", "next_review_due", "closed_on", "close_reason")


class CaseSummarySerializer(serializers.Serializer):
    """A case as lists show it. Staff of the responsible organisation see its dates; a
    wellbeing-area worker taking part sees the summary only (``full_case`` false)."""

    uuid = serializers.UUIDField(read_only=True)
    number = serializers.CharField(read_only=True, allow_null=True)
    state = serializers.ChoiceField(choices=CaseState.choices, read_only=True)
    category = serializers.ChoiceField(choices=ClientCategory.choices, read_only=True)
    client = ClientRefSerializer(read_only=True)
    responsible_organisation = OrganisationRefSerializer(read_only=True)
    unit = UnitRefSerializer(read_only=True)
    owner = UserRefSerializer(read_only=True, allow_null=True)
    full_case = serializers.SerializerMethodField()
    contacted_on = serializers.DateField(read_only=True, allow_null=True)
    next_review_due = serializers.DateField(read_only=True, allow_null=True)
    closed_on = serializers.DateField(read_only=True, allow_null=True)
    close_reason = serializers.ChoiceField(
        choices=CloseReason.choices, read_only=True, allow_null=True, allow_blank=True
    )

    def _full(self, case) -> bool:
        return can_see_full_case(self.context["request"].user, case)

    def get_full_case(self, case) -> bool:
        return self._full(case)

    def to_representation(self, case):
        data = super().to_representation(case)
        if not data["full_case"]:
            for name in FULL_ONLY_CASE_FIELDS:
                data[name] = None
        return data


class CaseClientSerializer(serializers.Serializer):
    """The client's details on the case page (staff of the responsible organisation only)."""

    date_of_birth = serializers.DateField(read_only=True, allow_null=True)
    municipality = serializers.CharField(source="municipality.code", read_only=True)
    first_residence_permit_date = serializers.DateField(read_only=True, allow_null=True)
    preferred_language = serializers.CharField(read_only=True)
    interpreter_needed = serializers.BooleanField(read_only=True)
    interpreter_language = serializers.CharField(read_only=True)
    street_address = serializers.CharField(read_only=True, allow_null=True)
    postal_code = serializers.CharField(read_only=True, allow_null=True)
    post_office = serializers.CharField(read_only=True, allow_null=True)
    phone = serializers.CharField(read_only=True, allow_null=True)
    email = serializers.CharField(read_only=True, allow_null=True)

    def to_representation(self, client):
        data = super().to_representation(client)
        if not self.context.get("protected_visible"):
            for name in PROTECTED_FIELDS:
                data[name] = None
        return data


class ParticipationSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    phase = serializers.ChoiceField(choices=ParticipationPhase.choices, read_only=True)
    worker = UserRefSerializer(read_only=True, allow_null=True)
    invited_at = serializers.DateTimeField(read_only=True)
    contributed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    ended_at = serializers.DateTimeField(read_only=True, allow_null=True)
    contribution = serializers.CharField(read_only=True, allow_null=True)

    def to_representation(self, participation):
        data = super().to_representation(participation)
        if not self.context.get("full_case"):
            data["contribution"] = None
        return data


class CaseDetailSerializer(CaseSummarySerializer):
    """The case page: the summary for everyone who may see the case; the client's details and
    the key dates only for staff of the responsible organisation."""

    protected_details_visible = serializers.SerializerMethodField()
    client_details = serializers.SerializerMethodField()
    wellbeing_area = OrganisationRefSerializer(read_only=True, allow_null=True)
    assessment_started_on = serializers.DateField(read_only=True, allow_null=True)
    assessment_completed_on = serializers.DateField(read_only=True, allow_null=True)
    plan_approved_on = serializers.DateField(read_only=True, allow_null=True)
    integration_period_ends_on = serializers.DateField(read_only=True, allow_null=True)
    participations = ParticipationSerializer(many=True, read_only=True, source="api_participations")

    FULL_ONLY = (
        "assessment_started_on",
        "assessment_completed_on",
        "plan_approved_on",
        "integration_period_ends_on",
    )

    def get_protected_details_visible(self, case) -> bool:
        return bool(self.context.get("protected_visible"))

    @extend_schema_field(CaseClientSerializer(allow_null=True))
    def get_client_details(self, case):
        if not self.context.get("full_case"):
            return None
        return CaseClientSerializer(case.client, context=self.context).data

    def to_representation(self, case):
        data = super().to_representation(case)
        if not data["full_case"]:
            for name in self.FULL_ONLY:
                data[name] = None
        return data


class CaseEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField(read_only=True)
    kind = serializers.ChoiceField(choices=CaseEventKind.choices, read_only=True)
    title = serializers.CharField(source="get_kind_display", read_only=True)
    actor = UserRefSerializer(read_only=True, allow_null=True)
    note = serializers.CharField(read_only=True)
    data = serializers.DictField(read_only=True)


class ServiceRefSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=ServiceKind.choices, read_only=True)


class MeasureSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    service = ServiceRefSerializer(read_only=True)
    provider = OrganisationRefSerializer(read_only=True, allow_null=True)
    language = serializers.CharField(read_only=True)
    hours = serializers.IntegerField(read_only=True, allow_null=True)
    starts_on = serializers.DateField(read_only=True, allow_null=True)
    ends_on = serializers.DateField(read_only=True, allow_null=True)
    state = serializers.ChoiceField(choices=MeasureState.choices, read_only=True)
    notes = serializers.CharField(read_only=True)


class ReviewSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    reviewed_on = serializers.DateField(read_only=True)
    reviewed_by = UserRefSerializer(read_only=True, allow_null=True)
    participants = serializers.CharField(read_only=True)
    wellbeing_area_took_part = serializers.BooleanField(read_only=True)
    notes = serializers.CharField(read_only=True)
    outcome = serializers.ChoiceField(choices=ReviewOutcome.choices, read_only=True)
    next_review_due = serializers.DateField(read_only=True, allow_null=True)


class PlanSerializer(serializers.ModelSerializer):
    """One version of the integration plan, with its measures and reviews."""

    state = serializers.ChoiceField(choices=PlanState.choices, read_only=True)
    previous = serializers.UUIDField(source="previous.uuid", read_only=True, allow_null=True)
    drafted_by = UserRefSerializer(read_only=True, allow_null=True)
    approved_by = UserRefSerializer(read_only=True, allow_null=True)
    measures = MeasureSerializer(many=True, read_only=True)
    reviews = ReviewSerializer(many=True, read_only=True)

    class Meta:
        model = IntegrationPlan
        fields = [
            "uuid",
            "version",
            "state",
            "previous",
            "language",
            "long_term_goals",
            "period_goals",
            "job_seeking_obligation",
            "follow_up",
            "starts_on",
            "ends_on",
            "client_decision_on",
            "refusal_reason",
            "drafted_by",
            "approved_by",
            "approved_on",
            "ended_on",
            "created_at",
            "measures",
            "reviews",
        ]
        read_only_fields = fields


# --- tasks ------------------------------------------------------------------------------


class TaskCaseSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    number = serializers.CharField(read_only=True, allow_null=True)
    state = serializers.ChoiceField(choices=CaseState.choices, read_only=True)
    category = serializers.ChoiceField(choices=ClientCategory.choices, read_only=True)
    client = ClientRefSerializer(read_only=True)


class TaskSerializer(serializers.Serializer):
    """A human task of the path, in a unit's queue or assigned to a worker."""

    uuid = serializers.UUIDField(read_only=True)
    step = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=TaskStatus.choices, read_only=True)
    priority = serializers.ChoiceField(choices=Priority.choices, read_only=True)
    due_on = serializers.DateField(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()
    follow_up_on = serializers.DateField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    assigned_at = serializers.DateTimeField(read_only=True, allow_null=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True)
    unit = UnitRefSerializer(read_only=True)
    owner = UserRefSerializer(read_only=True, allow_null=True)
    case = TaskCaseSerializer(read_only=True)

    def get_overdue(self, case_task) -> bool:
        return case_task.is_overdue()


class QueueTaskSerializer(TaskSerializer):
    """A task waiting in a queue, and whether the caller may take it (as the queue page)."""

    claimable = serializers.SerializerMethodField()

    def get_claimable(self, case_task) -> bool:
        return self.context["can_claim"](case_task)


class CompleteResultSerializer(serializers.Serializer):
    """The completed task, the case as it is now, and its open tasks (what comes next)."""

    task = TaskSerializer(read_only=True)
    case = CaseSummarySerializer(read_only=True, allow_null=True)
    open_tasks = TaskSerializer(many=True, read_only=True)


# --- reports, reference data, the caller --------------------------------------------------


class QueueFigureSerializer(serializers.Serializer):
    unit = UnitRefSerializer(read_only=True)
    step = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    open = serializers.IntegerField(read_only=True)
    unassigned = serializers.IntegerField(read_only=True)
    overdue = serializers.IntegerField(read_only=True)


class QueueTotalsSerializer(serializers.Serializer):
    open = serializers.IntegerField(read_only=True)
    unassigned = serializers.IntegerField(read_only=True)
    overdue = serializers.IntegerField(read_only=True)


class QueueReportSerializer(serializers.Serializer):
    """Open tasks per unit and step in the units the caller manages."""

    date = serializers.DateField(read_only=True)
    units = UnitRefSerializer(many=True, read_only=True)
    rows = QueueFigureSerializer(many=True, read_only=True)
    totals = QueueTotalsSerializer(read_only=True)


class ServiceSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=ServiceKind.choices, read_only=True)
    language = serializers.CharField(read_only=True)
    hours = serializers.IntegerField(read_only=True, allow_null=True)
    ends_with_final_test = serializers.BooleanField(read_only=True)
    providers = OrganisationRefSerializer(many=True, read_only=True)


class MunicipalitySerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    bilingual = serializers.BooleanField(read_only=True)


class MembershipSerializer(serializers.Serializer):
    unit = UnitRefSerializer(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    can_see_protected_details = serializers.BooleanField(read_only=True)


class MeSerializer(serializers.Serializer):
    username = serializers.CharField(source="get_username", read_only=True)
    name = serializers.SerializerMethodField()
    memberships = MembershipSerializer(many=True, read_only=True, source="api_memberships")

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


# --- query parameters (filters) -----------------------------------------------------------


class TaskFilterSerializer(serializers.Serializer):
    step = serializers.CharField(required=False, help_text=_("Only tasks of this step."))
    overdue = serializers.BooleanField(required=False, help_text=_("Only overdue tasks."))
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    case = serializers.UUIDField(required=False, help_text=_("Only tasks of this case."))


class QueueFilterSerializer(TaskFilterSerializer):
    organisation = serializers.CharField(required=False, help_text=_("Organisation code."))
    unit = serializers.CharField(required=False, help_text=_("Unit code."))


class CaseFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=CaseState.choices, required=False)
    category = serializers.ChoiceField(choices=ClientCategory.choices, required=False)
    unit = serializers.CharField(required=False, help_text=_("Unit code."))
    mine = serializers.BooleanField(
        required=False, help_text=_("Only cases whose responsible worker is the caller.")
    )
    number = serializers.CharField(required=False, help_text=_("Case number."))


class ClientFilterSerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False, help_text=_("Words of the name (every word must match).")
    )
    personal_identity_code = serializers.CharField(required=False, max_length=11)
    municipality = serializers.CharField(required=False, help_text=_("Municipality code."))
    open_case = serializers.BooleanField(
        required=False, help_text=_("Only clients with (true) or without (false) an open case.")
    )


class CaseTaskFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[("open", _("open")), ("all", _("all")), *TaskStatus.choices],
        required=False,
        help_text=_("Open tasks unless asked otherwise."),
    )


class TimelineFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CaseEventKind.choices, required=False)
    since = serializers.DateField(required=False)


class PlanFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=PlanState.choices, required=False)


class ServiceFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ServiceKind.choices, required=False)
    language = serializers.CharField(required=False)


class QueueReportFilterSerializer(serializers.Serializer):
    organisation = serializers.CharField(required=False, help_text=_("Organisation code."))
    unit = serializers.CharField(required=False, help_text=_("Unit code."))


# --- errors (documentation of the error bodies) -------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class ValidationErrorSerializer(ErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_("Messages by field; a plan's measures as measures[0].service."),
    )
