"""/api/v1/guidance/: the guidance point for a tablet at the desk and for reporting.

The same services, selectors and rights as the pages (``workflows.pages.guidance``):
logging needs ``log_guidance_visit`` in the point's organisation, the statistics
``view_guidance_statistics``; with neither anywhere the answer is 403, and a point of another
organisation is a 404, the same as one that does not exist."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from casework import guidance_stats as gs
from casework.models import (
    AgeBand,
    GuidanceAppointment,
    GuidanceOption,
    GuidanceOptionKind,
    GuidancePoint,
    GuidanceVisit,
    VisitGender,
    VisitLabourStatus,
)
from casework.services import guidance as services

from . import access
from .schema import COUNTRY_CHOICES, LANGUAGE_CHOICES
from .serializers import StrictCharField, StrictSerializer
from .views import ApiMixin, responses

UNIT = "unit"
OUTSIDE = "outside"

# --- serializers ------------------------------------------------------------------------


class VisitCreateSerializer(StrictSerializer):
    """A visit, as the visit form takes it. Lists are named by their codes (see
    ``GET /api/v1/guidance/points/``); every answer about the visitor may be left out, and
    is then "not told"."""

    point = StrictCharField(help_text=_("The guidance point's code."))
    visited_at = serializers.DateTimeField(
        required=False, help_text=_("When the visit began; now if left out.")
    )
    channel = StrictCharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text=_("A channel code of the point's organisation; null for not told."),
    )
    age_band = serializers.ChoiceField(
        choices=AgeBand.choices, required=False, default=AgeBand.NOT_TOLD
    )
    gender = serializers.ChoiceField(
        choices=VisitGender.choices, required=False, default=VisitGender.NOT_TOLD
    )
    own_language_guidance = serializers.BooleanField(required=False, default=False)
    guidance_language = serializers.ChoiceField(
        LANGUAGE_CHOICES, required=False, allow_blank=True, default=""
    )
    interpreter_used = serializers.BooleanField(required=False, default=False)
    country_of_origin = serializers.ChoiceField(
        COUNTRY_CHOICES,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("ISO 3166 code; empty for not told."),
    )
    labour_market_status = serializers.ChoiceField(
        choices=VisitLabourStatus.choices, required=False, default=VisitLabourStatus.NOT_TOLD
    )
    topics = serializers.ListField(
        child=StrictCharField(), required=False, default=list, help_text=_("Topic codes.")
    )
    referrals = serializers.ListField(
        child=StrictCharField(), required=False, default=list, help_text=_("Referral codes.")
    )
    duration_minutes = serializers.IntegerField(help_text=_("From 1 to 480."))
    feedback = StrictCharField(required=False, allow_blank=True, default="")
    appointment = serializers.UUIDField(
        required=False, help_text=_("The appointment the client arrived for.")
    )
    client = serializers.UUIDField(
        required=False,
        help_text=_(
            "Link the visit to a client (only one whose data the caller may see); the visit "
            "then shows on the client's case timeline."
        ),
    )


class VisitSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    point = serializers.CharField(source="point.code", read_only=True)
    visited_at = serializers.DateTimeField(read_only=True)
    visited_on = serializers.DateField(read_only=True)
    channel = serializers.CharField(source="channel.code", read_only=True, allow_null=True)
    age_band = serializers.ChoiceField(choices=AgeBand.choices, read_only=True)
    gender = serializers.ChoiceField(choices=VisitGender.choices, read_only=True)
    own_language_guidance = serializers.BooleanField(read_only=True)
    guidance_language = serializers.CharField(read_only=True)
    interpreter_used = serializers.BooleanField(read_only=True)
    country_of_origin = serializers.CharField(read_only=True)
    labour_market_status = serializers.ChoiceField(
        choices=VisitLabourStatus.choices, read_only=True
    )
    topics = serializers.SerializerMethodField()
    referrals = serializers.SerializerMethodField()
    duration_minutes = serializers.IntegerField(read_only=True)
    feedback = serializers.CharField(read_only=True)
    appointment = serializers.SerializerMethodField()
    client = serializers.UUIDField(source="client.uuid", read_only=True, allow_null=True)
    logged_by = serializers.CharField(source="logged_by.get_username", read_only=True)

    def get_topics(self, visit) -> list[str]:
        return sorted(o.code for o in visit.topics.all())

    def get_referrals(self, visit) -> list[str]:
        return sorted(o.code for o in visit.referrals.all())

    def get_appointment(self, visit) -> str | None:
        appointment = getattr(visit, "appointment", None)
        return str(appointment.uuid) if appointment else None


class OptionSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class PointSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    organisation = serializers.CharField(source="unit.organisation.code", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)
    municipalities = serializers.SerializerMethodField()
    operating_year_starts = serializers.SerializerMethodField(help_text=_("Month and day, MM-DD."))
    topics = serializers.SerializerMethodField()
    channels = serializers.SerializerMethodField()
    referrals = serializers.SerializerMethodField()
    may_log = serializers.SerializerMethodField()
    may_report = serializers.SerializerMethodField()

    def get_municipalities(self, point) -> list[str]:
        return sorted(m.code for m in point.municipalities.all())

    def get_operating_year_starts(self, point) -> str:
        return f"{point.year_starts_month:02d}-{point.year_starts_day:02d}"

    def _options(self, point, kind):
        options = self.context["options"].get((point.unit.organisation_id, kind), [])
        return [{"code": o.code, "name": o.name} for o in options]

    @extend_schema(responses=OptionSerializer(many=True))
    def get_topics(self, point) -> list[dict]:
        return self._options(point, GuidanceOptionKind.TOPIC)

    @extend_schema(responses=OptionSerializer(many=True))
    def get_channels(self, point) -> list[dict]:
        return self._options(point, GuidanceOptionKind.CHANNEL)

    @extend_schema(responses=OptionSerializer(many=True))
    def get_referrals(self, point) -> list[dict]:
        return self._options(point, GuidanceOptionKind.REFERRAL)

    def get_may_log(self, point) -> bool:
        return point.pk in self.context["log"]

    def get_may_report(self, point) -> bool:
        return point.pk in self.context["report"]


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField()


class FigureRowSerializer(serializers.Serializer):
    """Visits, by gender and with guidance in the client's own language; ``null`` where a
    figure is hidden (``audience=outside``)."""

    code = serializers.CharField()
    label = serializers.CharField()
    visits = serializers.IntegerField(allow_null=True)
    woman = serializers.IntegerField(allow_null=True)
    man = serializers.IntegerField(allow_null=True)
    other = serializers.IntegerField(allow_null=True)
    not_told = serializers.IntegerField(allow_null=True)
    own_language = serializers.IntegerField(allow_null=True)


class ItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(allow_null=True)


class PointRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class StatisticsSerializer(serializers.Serializer):
    period = PeriodSerializer()
    previous_period = PeriodSerializer()
    points = PointRefSerializer(many=True)
    audience = serializers.ChoiceField(choices=[UNIT, OUTSIDE])
    threshold = serializers.IntegerField(
        help_text=_("Figures under this are hidden (null) when audience is outside.")
    )
    total = FigureRowSerializer()
    age_bands = FigureRowSerializer(many=True)
    topics = ItemSerializer(many=True)
    referrals = ItemSerializer(many=True)
    countries = ItemSerializer(many=True)
    labour_market = ItemSerializer(many=True)
    channels = ItemSerializer(many=True)
    months = ItemSerializer(many=True)
    previous_visits = serializers.IntegerField(allow_null=True)
    change_percent = serializers.FloatField(allow_null=True)
    interpreter_used = serializers.IntegerField(allow_null=True)
    average_minutes = serializers.IntegerField()


class StatisticsQuerySerializer(serializers.Serializer):
    """``from`` is a Python keyword, so the fields are named in ``get_fields``."""

    def get_fields(self):
        return {
            "from": serializers.DateField(required=False),
            "to": serializers.DateField(required=False),
            "point": serializers.ListField(child=serializers.CharField(), required=False),
            "audience": serializers.ChoiceField(
                choices=[UNIT, OUTSIDE], required=False, default=UNIT
            ),
        }


# --- helpers ----------------------------------------------------------------------------


def _points(user, perm):
    points = list(gs.points_visible_to(user, perm))
    if not points:
        raise PermissionDenied(
            _("You do not have permission to log guidance visits.")
            if perm == gs.LOG
            else _("You do not have permission to see guidance statistics.")
        )
    return points


def _point_or_404(user, code, perm):
    point = next((p for p in _points(user, perm) if p.code == code), None)
    if point is None:
        raise Http404
    return point


def statistics_payload(stats, *, audience: str) -> dict:
    """The statistics as the API gives them; outside the unit, hidden figures are null."""
    hidden = gs.hidden_cells(stats) if audience == OUTSIDE else set()

    def cell(key, value):
        return None if key in hidden else value

    def row(code, source, key):
        return {
            "code": code,
            "label": source.label,
            **{
                column: cell((*key, column), getattr(source, column))
                for column in ("visits", *gs.GENDER_COLUMNS, "own_language")
            },
        }

    def items(name):
        return [
            {"code": item.code, "label": item.label, "count": cell((name, index), item.count)}
            for index, item in enumerate(getattr(stats, name))
        ]

    def period(p):
        return {"start": p.start, "end": p.end, "days": p.days}

    small = audience == OUTSIDE
    previous_hidden = small and 0 < stats.previous_visits < stats.threshold
    return {
        "period": period(stats.period),
        "previous_period": period(stats.previous_period),
        "points": [{"code": p.code, "name": p.name} for p in stats.points],
        "audience": audience,
        "threshold": stats.threshold,
        "total": row("all", stats.total, ("total",)),
        "age_bands": [
            row(code, source, ("age", index))
            for index, (source, code) in enumerate(
                zip(stats.age_bands, AgeBand.values, strict=True)
            )
        ],
        "topics": items("topics"),
        "referrals": items("referrals"),
        "countries": items("countries"),
        "labour_market": items("labour_market"),
        "channels": items("channels"),
        "months": items("months"),
        "previous_visits": None if previous_hidden else stats.previous_visits,
        "change_percent": None
        if previous_hidden or ("total", "visits") in hidden
        else stats.change_percent,
        "interpreter_used": None
        if small and 0 < stats.interpreter_used < stats.threshold
        else stats.interpreter_used,
        "average_minutes": stats.average_minutes,
    }


# --- views ------------------------------------------------------------------------------


class PointList(ApiMixin, generics.ListAPIView):
    serializer_class = PointSerializer

    def get_queryset(self):
        if self.fake():
            return GuidancePoint.objects.none()
        user = self.request.user
        self.log = set(gs.points_visible_to(user, gs.LOG).values_list("pk", flat=True))
        self.report = set(gs.points_visible_to(user, gs.STATISTICS).values_list("pk", flat=True))
        if not self.log and not self.report:
            raise PermissionDenied(_("You do not work at a guidance point."))
        return (
            GuidancePoint.objects.filter(pk__in=self.log | self.report)
            .select_related("unit__organisation")
            .prefetch_related("municipalities")
            .order_by("code")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.fake():
            return context
        options: dict = {}
        organisations = {p.unit.organisation_id for p in self._page_points}
        for option in GuidanceOption.objects.filter(
            organisation_id__in=organisations, is_active=True
        ).order_by("position", "code"):
            options.setdefault((option.organisation_id, option.kind), []).append(option)
        return {**context, "options": options, "log": self.log, "report": self.report}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._page_points = page if page is not None else list(queryset)
        return page

    @extend_schema(
        summary="Guidance points",
        responses=responses(PointSerializer, 404),
        tags=["guidance"],
    )
    def get(self, request, *args, **kwargs):
        """The points where the caller may log visits or see statistics, with their lists of
        topics, channels and referral targets (visits name them by code)."""
        return super().get(request, *args, **kwargs)


class VisitCreate(ApiMixin, generics.GenericAPIView):
    serializer_class = VisitCreateSerializer

    @extend_schema(
        summary="Log a guidance visit",
        request=VisitCreateSerializer,
        responses=responses(VisitSerializer, 400, 404, ok_status=201),
        tags=["guidance"],
    )
    def post(self, request):
        """Log one visit, as the visit form does: anonymous unless linked to a client the
        caller may see; with ``appointment``, the appointment is marked arrived."""
        user = request.user
        _points(user, gs.LOG)
        parser = VisitCreateSerializer(data=request.data)
        parser.is_valid(raise_exception=True)
        data = dict(parser.validated_data)
        point = _point_or_404(user, data.pop("point"), gs.LOG)
        appointment = None
        if "appointment" in data:
            appointment = GuidanceAppointment.objects.filter(
                point=point, uuid=data.pop("appointment")
            ).first()
            if appointment is None:
                raise Http404
        client = access.visible_client(user, data.pop("client")) if "client" in data else None
        visit = services.guidance_visit_log(
            by=user,
            point=point,
            appointment=appointment,
            client=client,
            channel=data.pop("channel", None) or None,
            **data,
        )
        visit = (
            GuidanceVisit.objects.select_related("point", "channel", "client", "logged_by")
            .prefetch_related("topics", "referrals")
            .get(pk=visit.pk)
        )
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class Statistics(ApiMixin, generics.GenericAPIView):
    @extend_schema(
        summary="Guidance statistics",
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                description="First day of the period; the operating year's first day if left out.",
            ),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, description="Last day of the period; today if left out."
            ),
            OpenApiParameter(
                "point",
                OpenApiTypes.STR,
                many=True,
                explode=True,
                description="A point's code; repeat for several. Every point the caller "
                "reports on if left out.",
            ),
            OpenApiParameter(
                "audience",
                OpenApiTypes.STR,
                enum=[UNIT, OUTSIDE],
                description="unit: every figure (default); outside: figures under the "
                "points' threshold are null, as in an export for outside the unit.",
            ),
        ],
        responses=responses(StatisticsSerializer, 400, 404),
        tags=["guidance"],
    )
    def get(self, request):
        """The figures of the statistics page: the seed's table (visits, men, women, own-
        language guidance, by age band), topics, countries of origin, labour-market status,
        channels, referrals, months, and the change from the previous period of the same
        length. "Not told" is counted, so every distribution adds up to the visits."""
        user = request.user
        points = _points(user, gs.STATISTICS)
        params = request.query_params
        parser = StatisticsQuerySerializer(
            data={
                **{k: params[k] for k in ("from", "to", "audience") if k in params},
                **({"point": params.getlist("point")} if "point" in params else {}),
            }
        )
        parser.is_valid(raise_exception=True)
        query = parser.validated_data
        chosen = points
        if query.get("point"):
            by_code = {p.code: p for p in points}
            if any(code not in by_code for code in query["point"]):
                raise Http404
            chosen = [by_code[code] for code in dict.fromkeys(query["point"])]
        period = gs.default_period(chosen, timezone.localdate())
        period = gs.Period(query.get("from") or period.start, query.get("to") or period.end)
        errors = gs.period_errors(period.start, period.end)
        if errors:
            names = {"start": "from", "end": "to"}
            raise serializers.ValidationError(
                {names[name]: [message] for name, message in errors.items()}
            )
        stats = gs.guidance_statistics(points=chosen, period=period)
        payload = statistics_payload(stats, audience=query["audience"])
        return Response(StatisticsSerializer(payload).data)


urlpatterns = [
    path("points/", PointList.as_view(), name="guidance_points"),
    path("visits/", VisitCreate.as_view(), name="guidance_visits"),
    path("statistics/", Statistics.as_view(), name="guidance_statistics"),
]
