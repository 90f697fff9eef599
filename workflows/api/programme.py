"""Endpoints of the integration programme and the national export: the programmes a caller
may see, a year's report as figures (the same data as the report page and its files), and
the national reporting dataset for the manager's role. Every report read and every export is
audited."""

from __future__ import annotations

import copy

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from casework.national_export import load_schema
from casework.programmes import programmes_visible_to, report_for, visible_programme_or_404
from casework.services.national_export import (
    ExportNotConfigured,
    national_export_create,
    organisations_for_export,
)
from casework.services.programme import report_exported

from . import serializers as s
from .access import parse_uuid
from .views import UUID_PATH, ApiMixin, query, responses

# --- schemas --------------------------------------------------------------------------------


def openapi_from_json_schema(node, definitions=None):
    """A JSON Schema (draft 2020-12, the subset ``schema-v1.json`` uses) as an OpenAPI 3.0
    schema object: references inlined, ``["string", "null"]`` as ``nullable``."""
    if definitions is None:
        definitions = node.get("$defs", {})
    if isinstance(node, list):
        return [openapi_from_json_schema(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return openapi_from_json_schema(definitions[node["$ref"].rsplit("/", 1)[1]], definitions)
    out = {}
    for key, value in node.items():
        if key in ("$schema", "$id", "$defs", "$comment", "title"):
            continue
        if key == "type" and isinstance(value, list):
            kinds = [kind for kind in value if kind != "null"]
            out["type"] = kinds[0]
            if "null" in value:
                out["nullable"] = True
        elif key == "properties":
            out[key] = {
                name: openapi_from_json_schema(sub, definitions) for name, sub in value.items()
            }
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = openapi_from_json_schema(value, definitions)
        else:
            out[key] = copy.deepcopy(value)
    return out


NATIONAL_SCHEMA = openapi_from_json_schema(load_schema())

_TEXTS = {
    "type": "object",
    "description": "A text in Finnish (fi) and Swedish (sv); names Kotopolku provides also in English (en).",
    "properties": {"fi": {"type": "string"}, "sv": {"type": "string"}, "en": {"type": "string"}},
    "required": ["fi", "sv"],
}
_NULLABLE_TEXTS = {**_TEXTS, "nullable": True}
_POINT = {
    "type": "object",
    "required": ["year", "value", "comment", "error"],
    "properties": {
        "year": {"type": "integer"},
        "value": {"type": "number", "nullable": True, "description": "null: no value (yet)."},
        "comment": {"type": "string"},
        "error": {
            "type": "string",
            "description": "'failed' when the figure could not be computed.",
        },
    },
}
_MEASURE = {
    "type": "object",
    "required": [
        "uuid",
        "text",
        "schedule",
        "responsible",
        "partners",
        "status",
        "comment",
        "status_responsible",
    ],
    "properties": {
        "uuid": {"type": "string", "format": "uuid"},
        "text": _TEXTS,
        "schedule": {"type": "string"},
        "responsible": _TEXTS,
        "partners": {"type": "string"},
        "status": {
            "type": "string",
            "nullable": True,
            "enum": ["not_started", "ongoing", "done", "dropped", None],
            "description": "The status recorded for the year; null: not reported.",
        },
        "comment": {"type": "string"},
        "status_responsible": {"type": "string"},
    },
}
_INDICATOR = {
    "type": "object",
    "required": [
        "uuid",
        "name",
        "kind",
        "value_type",
        "unit",
        "computation",
        "definition",
        "filters",
        "scale",
        "target",
        "responsible",
        "values",
    ],
    "properties": {
        "uuid": {"type": "string", "format": "uuid"},
        "name": _TEXTS,
        "kind": {"type": "string", "enum": ["manual", "computed"]},
        "value_type": {"type": "string", "enum": ["number", "percentage", "scale"]},
        "unit": {"type": "object", "additionalProperties": {"type": "string"}},
        "computation": {"type": "string", "description": "The computed indicator's code."},
        "definition": _NULLABLE_TEXTS,
        "filters": {
            "type": "object",
            "properties": dict.fromkeys(
                ("municipality", "category", "language", "option"), _NULLABLE_TEXTS
            ),
        },
        "scale": {"type": "array", "items": {"type": "integer"}, "nullable": True},
        "target": {"type": "number", "nullable": True},
        "responsible": _NULLABLE_TEXTS,
        "values": {
            "type": "array",
            "items": _POINT,
            "description": "One per year of the programme up to the report's year.",
        },
    },
}
_NAMED = {
    "type": "object",
    "required": ["code", "name"],
    "properties": {"code": {"type": "string"}, "name": _TEXTS},
}
REPORT_SCHEMA = {
    "type": "object",
    "required": [
        "format",
        "programme",
        "year",
        "years",
        "computed_on",
        "year_complete",
        "summary",
        "measure_counts",
        "themes",
        "published",
    ],
    "properties": {
        "format": {"type": "integer", "enum": [1]},
        "programme": {
            "type": "object",
            "required": [
                "uuid",
                "name",
                "description",
                "first_year",
                "last_year",
                "adopted",
                "organisations",
                "municipalities",
            ],
            "properties": {
                "uuid": {"type": "string", "format": "uuid"},
                "name": _TEXTS,
                "description": _TEXTS,
                "first_year": {"type": "integer"},
                "last_year": {"type": "integer"},
                "adopted": {"type": "string"},
                "organisations": {"type": "array", "items": _NAMED},
                "municipalities": {"type": "array", "items": _NAMED},
            },
        },
        "year": {"type": "integer"},
        "years": {"type": "array", "items": {"type": "integer"}},
        "computed_on": {"type": "string", "format": "date"},
        "year_complete": {"type": "boolean"},
        "summary": _TEXTS,
        "measure_counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        "themes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["uuid", "name", "goals"],
                "properties": {
                    "uuid": {"type": "string", "format": "uuid"},
                    "name": _TEXTS,
                    "goals": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["uuid", "text", "measures", "indicators"],
                            "properties": {
                                "uuid": {"type": "string", "format": "uuid"},
                                "text": _TEXTS,
                                "measures": {"type": "array", "items": _MEASURE},
                                "indicators": {"type": "array", "items": _INDICATOR},
                            },
                        },
                    },
                },
            },
        },
        "published": {
            "type": "object",
            "nullable": True,
            "description": "The published version shown; null: the report as it stands now.",
            "required": ["version", "published_at", "note"],
            "properties": {
                "version": {"type": "integer"},
                "published_at": {"type": "string", "format": "date-time"},
                "note": {"type": "string"},
            },
        },
    },
}


class ProgrammeSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    name_fi = serializers.CharField(read_only=True)
    name_sv = serializers.CharField(read_only=True)
    first_year = serializers.IntegerField(read_only=True)
    last_year = serializers.IntegerField(read_only=True)
    organisations = serializers.SerializerMethodField(
        help_text=_("Codes of the organisations sharing the programme.")
    )
    municipalities = serializers.SerializerMethodField(
        help_text=_("Codes of the municipalities covered.")
    )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_organisations(self, programme):
        return [o.code for o in programme.organisations.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_municipalities(self, programme):
        return [m.code for m in programme.municipalities.all()]


class ReportQuerySerializer(s.StrictSerializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text=_("A published version (default: the latest).")
    )
    live = serializers.BooleanField(
        required=False, help_text=_("true: the report as it stands now, not the published one.")
    )


class NationalExportQuerySerializer(s.StrictSerializer):
    def get_fields(self):
        return {
            "from": serializers.DateField(help_text=_("First day of the period.")),
            "to": serializers.DateField(help_text=_("Last day of the period.")),
            "organisation": serializers.CharField(
                required=False,
                help_text=_("Code of one of your organisations (default: all of them)."),
            ),
        }


YEAR_PATH = OpenApiParameter(
    "year", OpenApiTypes.INT, OpenApiParameter.PATH, description="The report's year."
)

# --- views ----------------------------------------------------------------------------------


class ProgrammeList(ApiMixin, generics.ListAPIView):
    serializer_class = ProgrammeSerializer

    def get_queryset(self):
        return programmes_visible_to(self.request.user)

    @extend_schema(
        summary="Integration programmes",
        responses=responses(ProgrammeSerializer, 404),
        tags=["programme"],
    )
    def get(self, request, *args, **kwargs):
        """The integration programmes of the caller's organisations (coordinators and
        managers); empty for everyone else."""
        return super().get(request, *args, **kwargs)


class ProgrammeReportView(ApiMixin, generics.GenericAPIView):
    @extend_schema(
        summary="A programme's yearly report",
        parameters=[UUID_PATH, YEAR_PATH, ReportQuerySerializer],
        responses=responses(
            OpenApiResponse(REPORT_SCHEMA, description="The report's figures and texts."), 400, 404
        ),
        tags=["programme"],
    )
    def get(self, request, uuid, year):
        """The year's report: the published version (the latest, or ``version``), or with
        ``live=true`` the report as it stands now, computed figures included. The same data
        as the report page, its XLSX and CSV. Audited as an export."""
        filters = query(ReportQuerySerializer, request.query_params)
        programme = visible_programme_or_404(request.user, parse_uuid(uuid))
        if not programme.first_year <= int(year) <= programme.last_year:
            raise Http404
        data, published = report_for(
            programme, int(year), version=filters.get("version"), live=filters.get("live", False)
        )
        report_exported(
            by=request.user,
            programme=programme,
            year=int(year),
            fmt="json",
            version=published.version if published else None,
        )
        return Response(
            {
                **data,
                "published": {
                    "version": published.version,
                    "published_at": published.published_at.isoformat(),
                    "note": published.note,
                }
                if published
                else None,
            }
        )


class NationalExportView(ApiMixin, generics.GenericAPIView):
    @extend_schema(
        summary="National reporting dataset",
        parameters=[NationalExportQuerySerializer],
        responses={
            **responses(
                OpenApiResponse(
                    NATIONAL_SCHEMA,
                    description="The dataset, schema version 1 (casework/national_export/schema-v1.json).",
                ),
                400,
                404,
            ),
            503: OpenApiResponse(s.ErrorSerializer, description="NATIONAL_EXPORT_KEY is not set."),
        },
        tags=["reports"],
    )
    def get(self, request):
        """Managers: the statutory content of assessments and plans of the cases of their
        organisations open during the period, pseudonymised (no names, identity codes or
        free text). Each export is recorded and audited."""
        filters = query(NationalExportQuerySerializer, request.query_params)
        organisations = None
        if "organisation" in filters:
            # one of the caller's own organisations; any other is not found, as anywhere
            allowed = organisations_for_export(request.user)
            organisations = [o for o in allowed if o.code == filters["organisation"]]
            if allowed and not organisations:
                raise Http404
        try:
            _record, dataset = national_export_create(
                by=request.user,
                start=filters["from"],
                end=filters["to"],
                organisations=organisations,
                via="api",
            )
        except ExportNotConfigured as error:
            return Response(
                {"detail": str(error), "code": "not_configured"},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response(dataset)
