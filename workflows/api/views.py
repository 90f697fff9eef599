"""Endpoints of /api/v1/. Each one finds what the caller may see with the pages' selectors and
helpers, calls the same service as the page, and reads client data with one audit entry."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from casework.models import (
    OPEN_STATES,
    CaseEvent,
    Client,
    IntegrationCase,
    IntegrationPlan,
    Measure,
    Municipality,
    Review,
    Service,
)
from casework.selectors import (
    cases_visible_to,
    intake_organisation,
    intake_places,
    organisations_where,
)
from casework.services import IllegalStep
from casework.services.privacy import PROTECTED_FIELDS, ensure_can_view_client
from permissions.audit import audit_record
from workflows import selectors
from workflows import services as flow_services
from workflows.dashboard import dashboard_for, managed_units
from workflows.models import OPEN_STATUSES, TASK_TITLES, CaseTask

from . import access
from . import serializers as s
from .step_data import parse_step_data, step_data_schema

# --- schema helpers ---------------------------------------------------------------------

UUID_PATH = OpenApiParameter(
    "uuid",
    OpenApiTypes.UUID,
    OpenApiParameter.PATH,
    description="The object's public identifier.",
)

_ERRORS = {
    400: OpenApiResponse(s.ValidationErrorSerializer, description="Invalid input: field errors."),
    401: OpenApiResponse(s.ErrorSerializer, description="Not authenticated."),
    403: OpenApiResponse(s.ErrorSerializer, description="Not permitted."),
    404: OpenApiResponse(
        s.ErrorSerializer,
        description="Not found, or not visible to the caller (the same answer either way); "
        "for lists, a page past the last.",
    ),
    409: OpenApiResponse(
        s.ErrorSerializer, description="The task or case was changed by someone else."
    ),
}


def responses(ok, *codes, ok_status=200):
    return {ok_status: ok, **{code: _ERRORS[code] for code in (401, 403, *codes)}}


def query(serializer_class, params) -> dict:
    """The validated filters of a list (400 with field errors when they do not parse)."""
    parser = serializer_class(data=params.dict())
    parser.is_valid(raise_exception=True)
    return parser.validated_data


class ApiMixin:
    """Nothing here is a DRF 'model view': every view reads through the domain's selectors."""

    def initial(self, request, *args, **kwargs):
        # LocaleMiddleware gives every path without a language prefix the default language
        # (``prefix_default_language=False``); the API has no prefixes, so it honours the
        # language cookie and Accept-Language itself, Finnish by default.
        translation.activate(translation.get_language_from_request(request._request))
        request._request.LANGUAGE_CODE = translation.get_language()
        super().initial(request, *args, **kwargs)

    def fake(self) -> bool:
        """True while drf-spectacular inspects the view to build the schema."""
        return getattr(self, "swagger_fake_view", False)


# --- the caller and reference data -------------------------------------------------------


class MeView(ApiMixin, generics.GenericAPIView):
    @extend_schema(summary="The caller", responses=responses(s.MeSerializer), tags=["reference"])
    def get(self, request):
        """The caller's name and their roles in units."""
        user = request.user
        user.api_memberships = list(
            user.memberships.filter(is_active=True).select_related("unit__organisation")
        )
        return Response(s.MeSerializer(user).data)


class MunicipalityList(ApiMixin, generics.ListAPIView):
    serializer_class = s.MunicipalitySerializer

    def get_queryset(self):
        return Municipality.objects.order_by("code")

    @extend_schema(
        summary="Municipalities",
        responses=responses(s.MunicipalitySerializer, 404),
        tags=["reference"],
    )
    def get(self, request, *args, **kwargs):
        """Municipalities and their codes (a client's municipality is given by its code)."""
        return super().get(request, *args, **kwargs)


class ServiceList(ApiMixin, generics.ListAPIView):
    serializer_class = s.ServiceSerializer

    def get_queryset(self):
        filters = query(s.ServiceFilterSerializer, self.request.query_params)
        services = Service.objects.filter(is_active=True).prefetch_related("providers")
        if "kind" in filters:
            services = services.filter(kind=filters["kind"])
        if "language" in filters:
            services = services.filter(language=filters["language"])
        return services.order_by("kind", "code")

    @extend_schema(
        summary="Service catalogue",
        parameters=[s.ServiceFilterSerializer],
        responses=responses(s.ServiceSerializer, 400, 404),
        tags=["reference"],
    )
    def get(self, request, *args, **kwargs):
        """Active services of the catalogue; a plan's measures name them by code."""
        return super().get(request, *args, **kwargs)


# --- clients ----------------------------------------------------------------------------


def _registration_places(user):
    """Where the user may register clients (as the registration page offers)."""
    organisations, municipalities = intake_places(user)
    if not organisations:
        raise PermissionDenied(_("You do not have permission to register clients."))
    return organisations, municipalities


def _intake_result(request, case):
    visible = cases_visible_to(request.user).filter(pk=case.pk).exists()
    case = IntegrationCase.objects.select_related(
        "client", "responsible_organisation", "unit__organisation"
    ).get(pk=case.pk)
    return s.IntakeResultSerializer(case, context={"visible": visible}).data


class ClientListCreate(ApiMixin, generics.ListAPIView):
    serializer_class = s.ClientListSerializer

    def get_queryset(self):
        if self.fake():
            return Client.objects.none()
        user = self.request.user
        self.filters = query(s.ClientFilterSerializer, self.request.query_params)
        visible = cases_visible_to(user).filter(
            responsible_organisation_id__in=organisations_where(user, "casework.view_client_data")
        )
        clients = Client.objects.filter(pk__in=visible.values("client_id"))
        for word in self.filters.get("search", "").split():
            clients = clients.filter(Q(first_names__icontains=word) | Q(last_name__icontains=word))
        if self.filters.get("personal_identity_code"):
            code = self.filters["personal_identity_code"].strip().upper()
            clients = clients.filter(personal_identity_code=code)
        if "municipality" in self.filters:
            clients = clients.filter(municipality__code=self.filters["municipality"])
        if "open_case" in self.filters:
            has_open = Exists(
                IntegrationCase.objects.filter(client=OuterRef("pk"), state__in=OPEN_STATES)
            )
            clients = clients.filter(has_open if self.filters["open_case"] else ~has_open)
        open_cases = cases_visible_to(user).filter(state__in=OPEN_STATES).select_related(None)
        return (
            clients.select_related("municipality")
            .prefetch_related(Prefetch("cases", queryset=open_cases, to_attr="api_open_cases"))
            .order_by("last_name", "first_names", "pk")
        )

    @extend_schema(
        summary="Search clients",
        parameters=[s.ClientFilterSerializer],
        responses=responses(s.ClientListSerializer, 400, 404),
        tags=["clients"],
    )
    def get(self, request, *args, **kwargs):
        """Clients of the caller's organisations' cases. The search is audited (one entry,
        naming the clients shown, never the search words)."""
        response = super().get(request, *args, **kwargs)
        audit_record(
            actor=request.user,
            obj=request.user,
            action="client.searched",
            data={
                "via": "api",
                "filters": sorted(self.filters),
                "clients": [row["uuid"] for row in response.data["results"]],
            },
        )
        return response

    @extend_schema(
        summary="Register a client and start the path",
        request=s.ClientCreateSerializer,
        responses=responses(s.IntakeResultSerializer, 400, ok_status=201),
        tags=["clients"],
    )
    def post(self, request, *args, **kwargs):
        """Register a new client and open their case in the queue of the organisation the
        municipality's responsibility table names (as the registration page does)."""
        user = request.user
        organisations, municipalities = _registration_places(user)
        parser = s.ClientCreateSerializer(data=request.data, municipalities=municipalities)
        parser.is_valid(raise_exception=True)
        values = dict(parser.validated_data)
        contacted_on = values.pop("contacted_on", None)
        organisation = intake_organisation(organisations, values["municipality"])
        case = flow_services.client_register_and_start(
            by=user, organisation=organisation, data=values, contacted_on=contacted_on
        )
        return Response(_intake_result(request, case), status=status.HTTP_201_CREATED)


class ClientDetail(ApiMixin, generics.GenericAPIView):
    def _render(self, request, client, **audit):
        cases = access.client_cases(request.user, client)
        client.api_cases = cases
        context = {"protected_visible": access.protected_visible(request.user, cases)}
        access.audit_client_viewed(request.user, client, **audit)
        return Response(s.ClientDetailSerializer(client, context=context).data)

    @extend_schema(
        summary="Read a client",
        parameters=[UUID_PATH],
        responses=responses(s.ClientDetailSerializer, 404),
        tags=["clients"],
    )
    def get(self, request, uuid):
        """All the client's data (address and contact details only for named staff when the
        client has a non-disclosure marking). Audited."""
        return self._render(request, access.visible_client(request.user, uuid))

    @extend_schema(
        summary="Change a client's facts",
        parameters=[UUID_PATH],
        request=s.ClientUpdateSerializer,
        responses={
            **responses(s.ClientDetailSerializer, 400, 404, 409),
            204: OpenApiResponse(
                description="Changed; the case moved to an organisation whose data the "
                "caller may not see."
            ),
        },
        tags=["clients"],
    )
    def patch(self, request, uuid):
        """Change the client's facts on their open case (as the case's page does). If they
        change the category or the municipality, the case and its open tasks move to the
        organisation now responsible. Details under a non-disclosure marking can be changed
        only by named staff."""
        user = request.user
        client = access.visible_client(user, uuid)
        open_case = next((c for c in access.client_cases(user, client) if c.is_open), None)
        if open_case is None or not access.full_case(user, open_case):
            raise IllegalStep(
                _("A client's facts can be changed only on their open case, by its organisation."),
                code="no_open_case",
            )
        parser = s.ClientUpdateSerializer(instance=client, data=request.data, partial=True)
        parser.is_valid(raise_exception=True)
        changes = dict(parser.validated_data)
        reason = changes.pop("reason", "")
        hidden = {*PROTECTED_FIELDS, "non_disclosure"} & set(changes)
        if hidden and not access.can_see_protected_details(user, open_case):
            raise PermissionDenied(
                _("Only named staff may change details under a non-disclosure marking.")
            )
        client = flow_services.client_change(by=user, client=client, changes=changes, reason=reason)
        try:
            ensure_can_view_client(user, client)
        except PermissionDenied:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return self._render(request, client, changed=sorted(changes))


class IntakeView(ApiMixin, generics.GenericAPIView):
    @extend_schema(
        summary="Start the path for a known client",
        request=s.IntakeSerializer,
        responses=responses(s.IntakeResultSerializer, 400, 404, 409, ok_status=201),
        tags=["clients"],
    )
    def post(self, request):
        """Open a new case for a client whose earlier case is closed."""
        parser = s.IntakeSerializer(data=request.data)
        parser.is_valid(raise_exception=True)
        client = access.visible_client(request.user, parser.validated_data["client"])
        case = flow_services.path_start(
            by=request.user, client=client, contacted_on=parser.validated_data.get("contacted_on")
        )
        return Response(_intake_result(request, case), status=status.HTTP_201_CREATED)


# --- cases ------------------------------------------------------------------------------


class CaseList(ApiMixin, generics.ListAPIView):
    serializer_class = s.CaseSummarySerializer

    def get_queryset(self):
        if self.fake():
            return IntegrationCase.objects.none()
        filters = query(s.CaseFilterSerializer, self.request.query_params)
        cases = cases_visible_to(self.request.user).select_related("unit__organisation")
        if "state" in filters:
            cases = cases.filter(state=filters["state"])
        if "category" in filters:
            cases = cases.filter(category=filters["category"])
        if "unit" in filters:
            cases = cases.filter(unit__code=filters["unit"])
        if filters.get("mine") is not None:
            mine = Q(owner=self.request.user)
            cases = cases.filter(mine if filters["mine"] else ~mine)
        if "number" in filters:
            cases = cases.filter(number=filters["number"])
        return cases.order_by("-created_at", "-pk")

    @extend_schema(
        summary="Cases",
        parameters=[s.CaseFilterSerializer],
        responses=responses(s.CaseSummarySerializer, 400, 404),
        tags=["cases"],
    )
    def get(self, request, *args, **kwargs):
        """Cases the caller may see: their organisations' cases, and those they take part in
        for the wellbeing area (as a summary)."""
        return super().get(request, *args, **kwargs)


class CaseDetail(ApiMixin, generics.GenericAPIView):
    @extend_schema(
        summary="Read a case",
        parameters=[UUID_PATH],
        responses=responses(s.CaseDetailSerializer, 404),
        tags=["cases"],
    )
    def get(self, request, uuid):
        """The case page: the summary, and for staff of the responsible organisation the
        client's details and key dates. Audited."""
        user = request.user
        case = access.visible_case(user, uuid)
        case.api_participations = list(case.participations.select_related("organisation", "worker"))
        context = {
            "request": request,
            "full_case": access.full_case(user, case),
            "protected_visible": access.can_see_protected_details(user, case),
        }
        access.audit_client_viewed(user, case.client, case=str(case.uuid))
        return Response(s.CaseDetailSerializer(case, context=context).data)


class CaseSubList(ApiMixin, generics.ListAPIView):
    """A list under one case; ``full_only`` lists are for staff of the responsible
    organisation (a wellbeing-area worker sees the summary only, as on the case page)."""

    full_only = True
    resource = ""
    empty_model = IntegrationCase
    filter_class = None

    def get_case(self):
        user = self.request.user
        case = access.visible_case(user, self.kwargs["uuid"])
        if self.full_only and not access.full_case(user, case):
            raise PermissionDenied(_("You may see only the summary of this case."))
        access.audit_client_viewed(user, case.client, case=str(case.uuid), part=self.resource)
        return case

    def get_queryset(self):
        if self.fake():
            return self.empty_model.objects.none()
        filters = query(self.filter_class, self.request.query_params)
        return self.rows(self.get_case(), filters)


class CaseTimeline(CaseSubList):
    serializer_class = s.CaseEventSerializer
    resource = "timeline"
    empty_model = CaseEvent
    filter_class = s.TimelineFilterSerializer

    def rows(self, case, filters):
        events = case.events.select_related("actor")
        if "kind" in filters:
            events = events.filter(kind=filters["kind"])
        if "since" in filters:
            events = events.filter(at__date__gte=filters["since"])
        return events.order_by("at", "pk")

    @extend_schema(
        summary="A case's timeline",
        parameters=[UUID_PATH, s.TimelineFilterSerializer],
        responses=responses(s.CaseEventSerializer, 400, 404),
        tags=["cases"],
    )
    def get(self, request, *args, **kwargs):
        """What happened on the case, who did it and when, oldest first. Audited."""
        return super().get(request, *args, **kwargs)


class CaseTasks(CaseSubList):
    serializer_class = s.TaskSerializer
    resource = "tasks"
    full_only = False
    empty_model = CaseTask
    filter_class = s.CaseTaskFilterSerializer

    def rows(self, case, filters):
        tasks = selectors.case_tasks(case).select_related("case__client", "unit__organisation")
        wanted = filters.get("status", "open")
        if wanted == "open":
            tasks = tasks.filter(status__in=OPEN_STATUSES)
        elif wanted != "all":
            tasks = tasks.filter(status=wanted)
        return tasks.order_by("created_at", "pk")

    @extend_schema(
        summary="A case's tasks",
        parameters=[UUID_PATH, s.CaseTaskFilterSerializer],
        responses=responses(s.TaskSerializer, 400, 404),
        tags=["cases"],
    )
    def get(self, request, *args, **kwargs):
        """The case's current (open) tasks, or all with ``status=all``. Audited."""
        return super().get(request, *args, **kwargs)


class CasePlans(CaseSubList):
    serializer_class = s.PlanSerializer
    resource = "plans"
    empty_model = IntegrationPlan
    filter_class = s.PlanFilterSerializer

    def rows(self, case, filters):
        plans = case.plans.select_related("drafted_by", "approved_by", "previous").prefetch_related(
            Prefetch("measures", queryset=Measure.objects.select_related("service", "provider")),
            Prefetch("reviews", queryset=Review.objects.select_related("reviewed_by")),
        )
        if "state" in filters:
            plans = plans.filter(state=filters["state"])
        return plans.order_by("version")

    @extend_schema(
        summary="A case's integration plans",
        parameters=[UUID_PATH, s.PlanFilterSerializer],
        responses=responses(s.PlanSerializer, 400, 404),
        tags=["cases"],
    )
    def get(self, request, *args, **kwargs):
        """Every version of the plan, oldest first, with its measures and reviews. Audited."""
        return super().get(request, *args, **kwargs)


# --- tasks ------------------------------------------------------------------------------


def _task_filters(tasks, filters):
    if "step" in filters:
        tasks = tasks.filter(step=filters["step"])
    if filters.get("overdue") is not None:
        overdue = Q(due_on__lt=timezone.localdate())
        tasks = tasks.filter(overdue if filters["overdue"] else ~overdue)
    if "priority" in filters:
        tasks = tasks.filter(priority=filters["priority"])
    if "case" in filters:
        tasks = tasks.filter(case__uuid=filters["case"])
    return tasks


class InboxList(ApiMixin, generics.ListAPIView):
    serializer_class = s.TaskSerializer

    def get_queryset(self):
        if self.fake():
            return CaseTask.objects.none()
        filters = query(s.TaskFilterSerializer, self.request.query_params)
        return _task_filters(selectors.inbox_for(self.request.user), filters)

    @extend_schema(
        summary="My tasks",
        parameters=[s.TaskFilterSerializer],
        responses=responses(s.TaskSerializer, 400, 404),
        tags=["tasks"],
    )
    def get(self, request, *args, **kwargs):
        """Open tasks assigned to the caller (and to those they substitute for today), the
        most urgent first."""
        return super().get(request, *args, **kwargs)


class QueueList(ApiMixin, generics.ListAPIView):
    serializer_class = s.QueueTaskSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not self.fake():
            context["can_claim"] = flow_services.claim_checker(self.request.user)
        return context

    def get_queryset(self):
        if self.fake():
            return CaseTask.objects.none()
        filters = query(s.QueueFilterSerializer, self.request.query_params)
        tasks = _task_filters(selectors.queue_for(self.request.user), filters)
        if "organisation" in filters:
            tasks = tasks.filter(unit__organisation__code=filters["organisation"])
        if "unit" in filters:
            tasks = tasks.filter(unit__code=filters["unit"])
        return tasks

    @extend_schema(
        summary="My units' queues",
        parameters=[s.QueueFilterSerializer],
        responses=responses(s.QueueTaskSerializer, 400, 404),
        tags=["tasks"],
    )
    def get(self, request, *args, **kwargs):
        """Unassigned tasks waiting in the queues of the caller's units."""
        return super().get(request, *args, **kwargs)


def _task_out(case_task) -> dict:
    fresh = CaseTask.objects.select_related(*selectors.LIST_RELATED).get(pk=case_task.pk)
    return s.TaskSerializer(fresh).data


class TaskDetail(ApiMixin, generics.GenericAPIView):
    @extend_schema(
        summary="Read a task",
        parameters=[UUID_PATH],
        responses=responses(s.TaskSerializer, 404),
        tags=["tasks"],
    )
    def get(self, request, uuid):
        """One task of a case the caller may see (or an invitation in their queue). Audited."""
        case_task = access.visible_task(request.user, uuid)
        access.audit_client_viewed(request.user, case_task.case.client, task=str(case_task.uuid))
        return Response(_task_out(case_task))


class TaskClaim(ApiMixin, generics.GenericAPIView):
    @extend_schema(
        summary="Take a task from the queue",
        parameters=[UUID_PATH],
        request=None,
        responses=responses(s.TaskSerializer, 404, 409),
        tags=["tasks"],
    )
    def post(self, request, uuid):
        """Take an unassigned task of one's unit; it moves to one's inbox."""
        case_task = access.visible_task(request.user, uuid)
        flow_services.task_claim(by=request.user, case_task=case_task)
        return Response(_task_out(case_task))


class TaskClaimNext(ApiMixin, generics.GenericAPIView):
    @extend_schema(
        summary="Take the next task from the queues",
        request=None,
        responses=responses(s.TaskSerializer, 409),
        tags=["tasks"],
    )
    def post(self, request):
        """Take the most urgent task of the caller's queues that nobody else is taking at
        this moment (tasks being taken are passed over, not waited for). 409 when there is
        none."""
        case_task = flow_services.task_claim_next(by=request.user)
        if case_task is None:
            raise flow_services.TaskConflict(flow_services.NOTHING_TO_TAKE)
        return Response(_task_out(case_task))


class TaskRelease(ApiMixin, generics.GenericAPIView):
    @extend_schema(
        summary="Put a task back in the queue",
        parameters=[UUID_PATH],
        request=None,
        responses=responses(s.TaskSerializer, 404, 409),
        tags=["tasks"],
    )
    def post(self, request, uuid):
        """Release one's task (or, as the unit's manager, anyone's) back to the queue."""
        case_task = access.visible_task(request.user, uuid)
        flow_services.task_release(by=request.user, case_task=case_task)
        return Response(_task_out(case_task))


class TaskComplete(ApiMixin, generics.GenericAPIView):
    @extend_schema(
        summary="Complete a task with the step's data",
        parameters=[UUID_PATH],
        request=step_data_schema("StepData"),
        responses=responses(s.CompleteResultSerializer, 400, 404, 409),
        tags=["tasks"],
    )
    def post(self, request, uuid):
        """Complete the step with its data, validated by the same forms and rules as the
        task page; the path moves on. ``step`` must name the task's step."""
        user = request.user
        case_task = access.visible_task(user, uuid)
        data = parse_step_data(case_task, request.data)
        flow_services.task_complete_with_data(by=user, case_task=case_task, data=data)
        case = (
            cases_visible_to(user)
            .select_related("unit__organisation")
            .filter(pk=case_task.case_id)
            .first()
        )
        open_tasks = []
        if case is not None:
            open_tasks = (
                selectors.case_tasks(case)
                .select_related("case__client", "unit__organisation")
                .filter(status__in=OPEN_STATUSES)
            )
        result = {
            "task": CaseTask.objects.select_related(*selectors.LIST_RELATED).get(pk=case_task.pk),
            "case": case,
            "open_tasks": open_tasks,
        }
        return Response(s.CompleteResultSerializer(result, context={"request": request}).data)


class TaskDraft(ApiMixin, generics.GenericAPIView):
    @extend_schema(
        summary="Save a draft of a task's data",
        parameters=[UUID_PATH],
        request=step_data_schema("StepDraftData", drafts_only=True),
        responses=responses(s.TaskSerializer, 400, 404, 409),
        tags=["tasks"],
    )
    def post(self, request, uuid):
        """Save the step's data without completing it (assessment and plan only; a plan's
        ``measures``, when given, replace the draft's measures)."""
        case_task = access.visible_task(request.user, uuid)
        data = parse_step_data(case_task, request.data)
        flow_services.task_save_draft_with_data(by=request.user, case_task=case_task, data=data)
        return Response(_task_out(case_task))


# --- reports ----------------------------------------------------------------------------


class QueueReport(ApiMixin, generics.GenericAPIView):
    @extend_schema(
        summary="Queue figures per unit and step",
        parameters=[s.QueueReportFilterSerializer],
        responses=responses(s.QueueReportSerializer, 400),
        tags=["reports"],
    )
    def get(self, request):
        """Open, unassigned and overdue tasks per unit and step, in the units of the
        organisations the caller manages (as the manager's dashboard counts them)."""
        filters = query(s.QueueReportFilterSerializer, request.query_params)
        units = list(managed_units(request.user))
        if not units:
            raise PermissionDenied(_("Only managers see the queue figures."))
        if "organisation" in filters:
            units = [u for u in units if u.organisation.code == filters["organisation"]]
        if "unit" in filters:
            units = [u for u in units if u.code == filters["unit"]]
        rows, totals = [], {"open": 0, "unassigned": 0, "overdue": 0}
        if units:
            figures = dashboard_for(request.user, unit_ids=[u.pk for u in units])
            rows = [
                {**row, "title": TASK_TITLES.get(row["step"], row["step"])}
                for row in figures.per_queue_step
            ]
            totals = {key: figures.totals[key] or 0 for key in totals}
        report = {"date": timezone.localdate(), "units": units, "rows": rows, "totals": totals}
        return Response(s.QueueReportSerializer(report).data)
