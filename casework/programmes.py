"""Reads of integration programmes: what a user may see, and the yearly report.

The report is built as plain data (``build_report``): texts in Finnish and Swedish (English
for the names Kotopolku itself provides), codes for statuses and kinds, numbers as numbers.
The report page, its XLSX and CSV, the API and a published (frozen) report all use the same
data, so they cannot disagree. A report costs a fixed number of queries: a handful for the
programme, its values and statuses, plus the computed indicators' own queries for all the
years at once (``casework.indicators.compute_years``; the indicators of one report share what
they read through one ``indicators.Shared``), whatever the number of clients.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone, translation

from permissions.policy import organisations_where, role_permissions

from . import indicators as computed
from .languages import language_name
from .models import (
    ClientCategory,
    Goal,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    MeasureStatus,
    MeasureYearStatus,
    Programme,
    ProgrammeMeasure,
    ProgrammeReport,
    ProgrammeYear,
    Theme,
)

REPORT_FORMAT = 1
LANGUAGES = ("fi", "sv", "en")
REPORT_LANGUAGES = ("fi", "sv")


# --- who sees what ------------------------------------------------------------------------


def programmes_visible_to(user):
    """Programmes shared by an organisation where the user may see programmes."""
    orgs = organisations_where(user, "casework.view_programme")
    return (
        Programme.objects.filter(
            pk__in=Programme.organisations.through.objects.filter(organisation_id__in=orgs).values(
                "programme_id"
            )
        )
        .prefetch_related("organisations", "municipalities")
        .order_by("-first_year", "name_fi")
    )


def visible_programme_or_404(user, uuid) -> Programme:
    """The programme, if the user may see it; otherwise 404, the same whether it exists."""
    programme = programmes_visible_to(user).filter(uuid=uuid).first()
    if programme is None:
        raise Http404
    return programme


def may(user, perm: str, programme: Programme) -> bool:
    """Does ``user`` have ``perm`` in one of the organisations sharing ``programme``?"""
    owners = {org.pk for org in programme.organisations.all()}
    return any(perm in perms for org, perms in role_permissions(user).items() if org in owners)


def in_year(year: int, prefix: str = "") -> Q:
    """Items of the programme in force in ``year`` (``first_year``/``last_year``)."""
    return (
        Q(**{f"{prefix}first_year__isnull": True}) | Q(**{f"{prefix}first_year__lte": year})
    ) & (Q(**{f"{prefix}last_year__isnull": True}) | Q(**{f"{prefix}last_year__gte": year}))


def structure(programme: Programme, year: int | None = None) -> list[Theme]:
    """The themes with their goals, measures and indicators (those in force in ``year``, or
    all of them), in four queries."""
    themes = programme.themes.all()
    goals = Goal.objects.all()
    measures = ProgrammeMeasure.objects.select_related(
        "responsible_unit__organisation", "responsible_organisation"
    )
    indicator_rows = Indicator.objects.select_related(
        "municipality", "responsible_unit__organisation"
    )
    if year is not None:
        themes, goals = themes.filter(in_year(year)), goals.filter(in_year(year))
        measures, indicator_rows = (
            measures.filter(in_year(year)),
            indicator_rows.filter(in_year(year)),
        )
    return list(
        themes.prefetch_related(
            Prefetch("goals", queryset=goals),
            Prefetch("goals__measures", queryset=measures),
            Prefetch("goals__indicators", queryset=indicator_rows),
        )
    )


def published_reports(programme: Programme, year: int):
    return programme.reports.filter(year=year).select_related("published_by").order_by("-version")


# --- the report ---------------------------------------------------------------------------


def _texts(obj, field: str) -> dict:
    return {
        "fi": getattr(obj, f"{field}_fi", ""),
        "sv": getattr(obj, f"{field}_sv", "") or getattr(obj, f"{field}_fi", ""),
    }


def _translated(make) -> dict:
    """``make()`` (a label Kotopolku provides) in each language."""
    out = {}
    for language in LANGUAGES:
        with translation.override(language):
            out[language] = str(make())
    return out


def _number(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return round(value, 2) if isinstance(value, float) else value


def pick(texts, language: str) -> str:
    """The text of a report in ``language`` (Finnish when there is none)."""
    if not isinstance(texts, dict):
        return texts or ""
    return texts.get(language) or texts.get("fi") or ""


def _computed_values(indicator, years, municipality_ids, shared) -> list[dict]:
    municipalities = [indicator.municipality_id] if indicator.municipality_id else municipality_ids
    values = computed.compute_years(
        indicator.computation,
        years,
        municipalities=municipalities,
        category=indicator.category,
        language=indicator.language,
        option=indicator.computation_option,
        shared=shared,
    )
    out = []
    for year in years:
        value = values.get(year)
        failed = (
            isinstance(value, computed.IndicatorFailed)
            or indicator.computation not in computed.REGISTRY
        )
        out.append(
            {
                "year": year,
                "value": None if failed else _number(value),
                "comment": "",
                "error": "failed" if failed else "",
            }
        )
    return out


def build_report(programme: Programme, year: int, *, today: dt.date | None = None) -> dict:
    """The yearly report of ``programme`` for ``year``, as plain data (see the module)."""
    today = today or timezone.localdate()
    if not programme.first_year <= year <= programme.last_year:
        raise ValueError("The year is outside the programme's period.")
    years = list(range(programme.first_year, year + 1))
    themes = structure(programme, year)
    organisations = list(programme.organisations.all())
    municipalities = list(programme.municipalities.all())
    municipality_ids = [m.pk for m in municipalities]
    indicator_ids = [i.pk for t in themes for g in t.goals.all() for i in g.indicators.all()]
    measure_ids = [m.pk for t in themes for g in t.goals.all() for m in g.measures.all()]
    values: dict[int, dict[int, IndicatorValue]] = {}
    for value in IndicatorValue.objects.filter(indicator_id__in=indicator_ids, year__lte=year):
        values.setdefault(value.indicator_id, {})[value.year] = value
    statuses = {
        s.measure_id: s
        for s in MeasureYearStatus.objects.filter(measure_id__in=measure_ids, year=year)
    }
    notes = ProgrammeYear.objects.filter(programme=programme, year=year).first()
    counts = dict.fromkeys(MeasureStatus.values, 0)
    counts["unreported"] = 0
    shared = computed.Shared()  # what the computed indicators share, read once

    theme_rows = []
    for theme in themes:
        goal_rows = []
        for goal in theme.goals.all():
            measure_rows = []
            for measure in goal.measures.all():
                status = statuses.get(measure.pk)
                counts[status.status if status else "unreported"] += 1
                measure_rows.append(
                    {
                        "uuid": str(measure.uuid),
                        "text": _texts(measure, "text"),
                        "schedule": measure.schedule,
                        "responsible": _translated(lambda m=measure: m.responsible),
                        "partners": measure.partners,
                        "status": status.status if status else None,
                        "comment": status.comment if status else "",
                        "status_responsible": status.responsible if status else "",
                    }
                )
            indicator_rows = []
            for indicator in goal.indicators.all():
                own_years = [y for y in years if indicator.in_year(y)]
                spec = computed.REGISTRY.get(indicator.computation)
                if indicator.kind == IndicatorKind.COMPUTED:
                    series = _computed_values(indicator, own_years, municipality_ids, shared)
                    unit = _translated(lambda s=spec: s.unit) if spec else {}
                    definition = _translated(lambda s=spec: s.description) if spec else None
                else:
                    recorded = values.get(indicator.pk, {})
                    series = [
                        {
                            "year": y,
                            "value": _number(recorded[y].value) if y in recorded else None,
                            "comment": recorded[y].comment if y in recorded else "",
                            "error": "",
                        }
                        for y in own_years
                    ]
                    unit = dict.fromkeys(LANGUAGES, indicator.unit_label)
                    definition = None
                indicator_rows.append(
                    {
                        "uuid": str(indicator.uuid),
                        "name": _texts(indicator, "name"),
                        "kind": indicator.kind,
                        "value_type": indicator.value_type,
                        "unit": unit,
                        "computation": indicator.computation,
                        "definition": definition,
                        "filters": _filters(indicator, spec),
                        "scale": [indicator.scale_min, indicator.scale_max]
                        if indicator.scale_min is not None
                        else None,
                        "target": _number(indicator.target),
                        "responsible": _translated(lambda i=indicator: str(i.responsible_unit))
                        if indicator.responsible_unit_id
                        else None,
                        "values": series,
                    }
                )
            goal_rows.append(
                {
                    "uuid": str(goal.uuid),
                    "text": _texts(goal, "text"),
                    "measures": measure_rows,
                    "indicators": indicator_rows,
                }
            )
        theme_rows.append(
            {"uuid": str(theme.uuid), "name": _texts(theme, "name"), "goals": goal_rows}
        )

    return {
        "format": REPORT_FORMAT,
        "programme": {
            "uuid": str(programme.uuid),
            "name": _texts(programme, "name"),
            "description": _texts(programme, "description"),
            "first_year": programme.first_year,
            "last_year": programme.last_year,
            "adopted": programme.adopted,
            "organisations": [
                {"code": o.code, "name": _translated(lambda o=o: o.name)} for o in organisations
            ],
            "municipalities": [
                {"code": m.code, "name": _translated(lambda m=m: m.name)} for m in municipalities
            ],
        },
        "year": year,
        "years": years,
        "computed_on": today.isoformat(),
        "year_complete": year < today.year,
        "summary": _texts(notes, "summary") if notes else {"fi": "", "sv": ""},
        "measure_counts": counts,
        "themes": theme_rows,
    }


def _filters(indicator: Indicator, spec) -> dict:
    return {
        "municipality": _translated(lambda: indicator.municipality.name)
        if indicator.municipality_id
        else None,
        "category": _translated(lambda: ClientCategory(indicator.category).label)
        if indicator.category
        else None,
        "language": _translated(lambda: language_name(indicator.language))
        if indicator.language
        else None,
        "option": _translated(lambda: spec.option_name(indicator.computation_option))
        if spec and indicator.computation_option
        else None,
    }


def report_for(
    programme: Programme, year: int, *, version: int | None = None, live: bool = False
) -> tuple[dict, ProgrammeReport | None]:
    """The report to show: the published version asked for, else the latest published one,
    else (or with ``live``) the report as it stands now. Returns ``(data, published)``."""
    if not live:
        reports = published_reports(programme, year)
        published = (
            reports.filter(version=version).first() if version is not None else reports.first()
        )
        if version is not None and published is None:
            raise Http404
        if published is not None:
            return published.data, published
    return build_report(programme, year), None


def flat_rows(report: dict, language: str) -> list[dict]:
    """The report as rows (theme, goal, item, year, value or status, comment), for CSV and for
    comparing what each format holds."""
    rows = []
    for theme in report["themes"]:
        for goal in theme["goals"]:
            for measure in goal["measures"]:
                rows.append(
                    {
                        "theme": pick(theme["name"], language),
                        "goal": pick(goal["text"], language),
                        "type": "measure",
                        "name": pick(measure["text"], language),
                        "year": report["year"],
                        "value": measure["status"] or "",
                        "unit": "",
                        "comment": measure["comment"],
                        "responsible": measure["status_responsible"]
                        or pick(measure["responsible"], language),
                    }
                )
            for indicator in goal["indicators"]:
                for point in indicator["values"]:
                    rows.append(
                        {
                            "theme": pick(theme["name"], language),
                            "goal": pick(goal["text"], language),
                            "type": "indicator",
                            "name": pick(indicator["name"], language),
                            "year": point["year"],
                            "value": point["value"],
                            "unit": pick(indicator["unit"], language),
                            "comment": point["comment"],
                            "responsible": pick(indicator["responsible"], language)
                            if indicator["responsible"]
                            else "",
                        }
                    )
    return rows
