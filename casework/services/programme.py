"""Writing integration programmes and their yearly follow-up.

Coordinators and managers of an organisation sharing the programme edit it
(``casework.change_programme``), record the follow-up (``casework.record_programme_follow_up``)
and publish a year's report (``casework.publish_programme_report``). ``by=None`` is the system
(the demo loader). Every write leaves one audit entry; every export of a report is audited
through ``report_exported``.

An item (theme, goal, measure, indicator) with recorded follow-up cannot be deleted: it is
ended with its last year, so that earlier years' reports keep it (see
``casework.models.programme``).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from permissions.audit import audit_record
from permissions.policy import can_in_organisation, ensure_can_in_organisation

from .. import indicators as computed
from ..models import (
    Goal,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    MeasureStatus,
    MeasureYearStatus,
    Municipality,
    Organisation,
    OrganisationKind,
    Programme,
    ProgrammeMeasure,
    ProgrammeReport,
    ProgrammeYear,
    Theme,
)
from ..programmes import build_report
from ._common import atomic_service, today

PROGRAMME_FIELDS = (
    "name_fi",
    "name_sv",
    "first_year",
    "last_year",
    "adopted",
    "description_fi",
    "description_sv",
)
YEAR_FIELDS = ("first_year", "last_year")
THEME_FIELDS = ("name_fi", "name_sv", *YEAR_FIELDS)
GOAL_FIELDS = ("text_fi", "text_sv", *YEAR_FIELDS)
MEASURE_FIELDS = (
    "text_fi",
    "text_sv",
    "schedule",
    "responsible_unit",
    "responsible_organisation",
    "responsible_other",
    "partners",
    *YEAR_FIELDS,
)
INDICATOR_FIELDS = (
    "name_fi",
    "name_sv",
    "kind",
    "value_type",
    "unit_label",
    "scale_min",
    "scale_max",
    "responsible_unit",
    "computation",
    "computation_option",
    "municipality",
    "category",
    "language",
    "target",
    *YEAR_FIELDS,
)
# Organisations that may share a programme: the authorities, not service providers.
OWNER_KINDS = (
    OrganisationKind.MUNICIPALITY,
    OrganisationKind.EMPLOYMENT_AUTHORITY,
    OrganisationKind.WELLBEING_AREA,
)


def _owner_ids(programme: Programme) -> list[int]:
    return list(programme.organisations.values_list("pk", flat=True))


def _ensure(by, perm: str, programme: Programme) -> None:
    if by is not None:
        ensure_can_in_organisation(by, perm, _owner_ids(programme))


def _apply(obj, data: dict, allowed) -> None:
    for name, value in data.items():
        if name not in allowed:
            raise ValueError(f"Unknown field {name!r}")
        setattr(obj, name, "" if value is None and name in _TEXT_FIELDS else value)


_TEXT_FIELDS = {
    "name_sv",
    "text_sv",
    "adopted",
    "description_fi",
    "description_sv",
    "responsible_other",
    "partners",
    "unit_label",
    "computation",
    "computation_option",
    "category",
    "language",
    "value_type",
}


def _next_position(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


def _programme_of(obj) -> Programme:
    if isinstance(obj, Theme):
        return obj.programme
    if isinstance(obj, Goal):
        return obj.theme.programme
    return obj.goal.theme.programme


def _lock(programme: Programme) -> Programme:
    """The programme under a row lock: writes to one programme happen one at a time."""
    return Programme.objects.select_for_update().get(pk=programme.pk)


# --- the programme ------------------------------------------------------------------------


def _check_owners(by, organisations, municipalities) -> dict:
    errors = {}
    if not organisations:
        errors["organisations"] = _("Choose at least one organisation.")
    elif any(org.kind not in OWNER_KINDS for org in organisations):
        errors["organisations"] = _(
            "A programme belongs to municipalities, employment authorities or wellbeing areas; "
            "service providers are partners."
        )
    elif by is not None and not any(
        can_in_organisation(by, "casework.change_programme", org.pk) for org in organisations
    ):
        errors["organisations"] = _(
            "Include your own organisation: otherwise you could not edit the programme."
        )
    if not municipalities:
        errors["municipalities"] = _("Choose at least one municipality.")
    elif organisations:
        served = set(
            Municipality.objects.filter(organisations__in=organisations).values_list(
                "pk", flat=True
            )
        )
        outside = [m.name for m in municipalities if m.pk not in served]
        if outside:
            errors["municipalities"] = _(
                "No organisation sharing the programme serves %(names)s."
            ) % {"names": ", ".join(outside)}
    return errors


@atomic_service
def programme_create(
    *,
    by,
    data: dict,
    organisations: list[Organisation],
    municipalities: list[Municipality],
) -> Programme:
    """A new programme shared by ``organisations``, covering ``municipalities``."""
    if by is not None:
        ensure_can_in_organisation(
            by, "casework.change_programme", [org.pk for org in organisations] or [0]
        )
    programme = Programme()
    _apply(programme, data, PROGRAMME_FIELDS)
    errors = {}
    try:
        programme.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    errors.update(_check_owners(by, organisations, municipalities))
    if errors:
        raise ValidationError(errors)
    programme.save()
    programme.organisations.set(organisations)
    programme.municipalities.set(municipalities)
    audit_record(
        actor=by,
        obj=programme,
        action="programme.created",
        data={"organisations": sorted(o.code for o in organisations)},
    )
    return programme


def _recorded_years(programme: Programme) -> set[int]:
    values = IndicatorValue.objects.filter(indicator__goal__theme__programme=programme)
    statuses = MeasureYearStatus.objects.filter(measure__goal__theme__programme=programme)
    return (
        set(values.values_list("year", flat=True))
        | set(statuses.values_list("year", flat=True))
        | set(programme.reports.values_list("year", flat=True))
    )


@atomic_service
def programme_update(
    *,
    by,
    programme: Programme,
    data: dict,
    organisations: list[Organisation] | None = None,
    municipalities: list[Municipality] | None = None,
) -> Programme:
    """Change the programme's names, period, owners or municipalities. The period cannot
    shrink past a year with recorded follow-up or a published report."""
    programme = _lock(programme)
    _ensure(by, "casework.change_programme", programme)
    _apply(programme, data, PROGRAMME_FIELDS)
    errors = {}
    try:
        programme.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if not errors:
        outside = sorted(
            y
            for y in _recorded_years(programme)
            if not programme.first_year <= y <= programme.last_year
        )
        if outside:
            errors["first_year" if outside[0] < programme.first_year else "last_year"] = [
                _(
                    "Follow-up has been recorded or a report published for %(years)s: the "
                    "period must include it."
                )
                % {"years": ", ".join(str(y) for y in outside)}
            ]
        items = [
            *Theme.objects.filter(programme=programme),
            *Goal.objects.filter(theme__programme=programme),
            *ProgrammeMeasure.objects.filter(goal__theme__programme=programme),
            *Indicator.objects.filter(goal__theme__programme=programme),
        ]
        if any(item.year_range_errors(programme) for item in items) and not errors:
            errors["first_year"] = [
                _(
                    "Some themes, goals, measures or indicators are limited to years outside "
                    "the new period: change them first."
                )
            ]
    organisations = list(programme.organisations.all()) if organisations is None else organisations
    municipalities = (
        list(programme.municipalities.all()) if municipalities is None else municipalities
    )
    for field, messages in _check_owners(by, organisations, municipalities).items():
        errors.setdefault(field, []).append(messages)
    if errors:
        raise ValidationError(errors)
    programme.save()
    programme.organisations.set(organisations)
    programme.municipalities.set(municipalities)
    audit_record(
        actor=by,
        obj=programme,
        action="programme.changed",
        data={"fields": sorted(data), "organisations": sorted(o.code for o in organisations)},
    )
    return programme


# --- themes, goals, measures and indicators -------------------------------------------------


def _save_item(*, by, obj, data, allowed, action):
    _apply(obj, data, allowed)
    obj.full_clean()
    obj.save()
    audit_record(actor=by, obj=obj, action=action, data={"fields": sorted(data)})
    return obj


@atomic_service
def theme_save(*, by, programme: Programme, data: dict, theme: Theme | None = None) -> Theme:
    """Add a theme to the programme, or change one."""
    programme = _lock(programme)
    _ensure(by, "casework.change_programme", programme)
    if theme is None:
        theme = Theme(programme=programme, position=_next_position(programme.themes.all()))
    elif theme.programme_id != programme.pk:
        raise ValidationError(_("The theme belongs to another programme."))
    theme.programme = programme
    return _save_item(
        by=by, obj=theme, data=data, allowed=THEME_FIELDS, action="programme.theme_saved"
    )


@atomic_service
def goal_save(*, by, theme: Theme, data: dict, goal: Goal | None = None) -> Goal:
    """Add a goal under a theme, or change one."""
    programme = _lock(theme.programme)
    _ensure(by, "casework.change_programme", programme)
    if goal is None:
        goal = Goal(theme=theme, position=_next_position(theme.goals.all()))
    elif goal.theme_id != theme.pk:
        raise ValidationError(_("The goal belongs to another theme."))
    return _save_item(
        by=by, obj=goal, data=data, allowed=GOAL_FIELDS, action="programme.goal_saved"
    )


@atomic_service
def programme_measure_save(
    *, by, goal: Goal, data: dict, measure: ProgrammeMeasure | None = None
) -> ProgrammeMeasure:
    """Add a measure to a goal, or change one. It must name one responsible party."""
    programme = _lock(goal.theme.programme)
    _ensure(by, "casework.change_programme", programme)
    if measure is None:
        measure = ProgrammeMeasure(goal=goal, position=_next_position(goal.measures.all()))
    elif measure.goal_id != goal.pk:
        raise ValidationError(_("The measure belongs to another goal."))
    return _save_item(
        by=by, obj=measure, data=data, allowed=MEASURE_FIELDS, action="programme.measure_saved"
    )


def _computation_errors(indicator: Indicator) -> dict:
    """A computed indicator names one of the registered computations and its option."""
    if indicator.kind != IndicatorKind.COMPUTED:
        return {}
    spec = computed.REGISTRY.get(indicator.computation)
    if spec is None:
        return {"computation": [_("Choose what is computed.")]}
    indicator.value_type = spec.value_type
    options = spec.option_values()
    if not options:
        indicator.computation_option = ""
    elif indicator.computation_option not in options:
        return {"computation_option": [_("Choose one of the options.")]}
    return {}


def _clean_indicator(indicator: Indicator) -> None:
    """The model's checks and the registry's, reported together."""
    errors = _computation_errors(indicator)
    try:
        indicator.full_clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@atomic_service
def indicator_save(*, by, goal: Goal, data: dict, indicator: Indicator | None = None) -> Indicator:
    """Add an indicator to a goal, or change one. Once values are recorded, its kind and the
    meaning of its values stay as they are (a new indicator measures something new)."""
    programme = _lock(goal.theme.programme)
    _ensure(by, "casework.change_programme", programme)
    if indicator is None:
        indicator = Indicator(goal=goal, position=_next_position(goal.indicators.all()))
        before = None
    elif indicator.goal_id != goal.pk:
        raise ValidationError(_("The indicator belongs to another goal."))
    else:
        before = Indicator.objects.get(pk=indicator.pk)
    _apply(indicator, data, INDICATOR_FIELDS)
    _clean_indicator(indicator)
    if before is not None:
        recorded = list(indicator.values.all())
        if recorded and (
            indicator.kind != before.kind or indicator.value_type != before.value_type
        ):
            raise ValidationError(
                {
                    "kind": _(
                        "Values have been recorded for this indicator: its kind and type of "
                        "value cannot change. End it and add a new indicator instead."
                    )
                }
            )
        outside = [v.year for v in recorded if indicator.value_errors(v.value)]
        if outside:
            raise ValidationError(
                {
                    "scale_min": _(
                        "The values recorded for %(years)s would fall outside the new scale."
                    )
                    % {"years": ", ".join(str(y) for y in sorted(outside))}
                }
            )
    indicator.save()
    audit_record(
        actor=by, obj=indicator, action="programme.indicator_saved", data={"fields": sorted(data)}
    )
    return indicator


def _has_follow_up(obj) -> bool:
    if isinstance(obj, Indicator):
        return obj.values.exists()
    if isinstance(obj, ProgrammeMeasure):
        return obj.statuses.exists()
    if isinstance(obj, Goal):
        return (
            IndicatorValue.objects.filter(indicator__goal=obj).exists()
            or MeasureYearStatus.objects.filter(measure__goal=obj).exists()
        )
    return (
        IndicatorValue.objects.filter(indicator__goal__theme=obj).exists()
        or MeasureYearStatus.objects.filter(measure__goal__theme=obj).exists()
    )


@atomic_service
def programme_item_remove(*, by, item) -> None:
    """Delete a theme, goal, measure or indicator that has no recorded follow-up (with what
    is under it). One with follow-up is refused: end it with its last year instead."""
    programme = _lock(_programme_of(item))
    _ensure(by, "casework.change_programme", programme)
    if _has_follow_up(item):
        raise ValidationError(
            _(
                "Follow-up has been recorded for it, so it stays in the reports of those years. "
                "To take it out of the programme from now on, set its last year instead."
            ),
            code="has_follow_up",
        )
    audit_record(
        actor=by,
        obj=item,
        action="programme.item_removed",
        data={"type": item._meta.model_name, "programme": str(programme.uuid)},
    )
    item.delete()


# --- the yearly follow-up -------------------------------------------------------------------


def _year_errors(programme: Programme, item, year, field="year") -> dict:
    if not isinstance(year, int) or not programme.first_year <= year <= programme.last_year:
        return {
            field: _("The year must be within the programme's period (%(first)s–%(last)s).")
            % {"first": programme.first_year, "last": programme.last_year}
        }
    if year > today().year:
        return {field: _("Follow-up is recorded for years that have begun.")}
    if item is not None and not item.in_year(year):
        return {field: _("It is not part of the programme in %(year)s.") % {"year": year}}
    return {}


@atomic_service
def indicator_value_record(
    *, by, indicator: Indicator, year: int, value: Decimal | None, comment: str = ""
) -> IndicatorValue:
    """Record (or correct) a manual indicator's value for a year, with a comment."""
    programme = _lock(indicator.goal.theme.programme)
    _ensure(by, "casework.record_programme_follow_up", programme)
    if indicator.kind != IndicatorKind.MANUAL:
        raise ValidationError(
            {"value": _("This indicator is computed from Kotopolku's data; it takes no values.")}
        )
    errors = _year_errors(programme, indicator, year)
    value_errors = indicator.value_errors(value)
    if value_errors:
        errors["value"] = value_errors
    if errors:
        raise ValidationError(errors)
    row, created = IndicatorValue.objects.get_or_create(
        indicator=indicator,
        year=year,
        defaults={"value": value, "comment": comment, "recorded_by": by},
    )
    before = None if created else str(row.value)
    if not created:
        row.value, row.comment, row.recorded_by = value, comment, by
        row.save()
    audit_record(
        actor=by,
        obj=row,
        action="programme.value_recorded",
        data={"year": year, "value": str(value), "before": before},
    )
    return row


@atomic_service
def measure_status_record(
    *,
    by,
    measure: ProgrammeMeasure,
    year: int,
    status: str,
    comment: str = "",
    responsible: str = "",
) -> MeasureYearStatus:
    """Record (or correct) a programme measure's status for a year. A dropped measure says
    why; the responsible party defaults to the one the measure names."""
    programme = _lock(measure.goal.theme.programme)
    _ensure(by, "casework.record_programme_follow_up", programme)
    errors = _year_errors(programme, measure, year)
    if status not in MeasureStatus.values:
        errors["status"] = _("Choose the status.")
    elif status == MeasureStatus.DROPPED and not comment.strip():
        errors["comment"] = _("Say why the measure was dropped.")
    responsible = (responsible or "").strip() or measure.responsible
    if not responsible:
        errors["responsible"] = _("Name the responsible party.")
    if errors:
        raise ValidationError(errors)
    row, created = MeasureYearStatus.objects.get_or_create(
        measure=measure,
        year=year,
        defaults={
            "status": status,
            "comment": comment,
            "responsible": responsible,
            "recorded_by": by,
        },
    )
    if not created:
        row.status, row.comment, row.responsible, row.recorded_by = (
            status,
            comment,
            responsible,
            by,
        )
        row.save()
    audit_record(
        actor=by,
        obj=row,
        action="programme.measure_status_recorded",
        data={"year": year, "status": status},
    )
    return row


@atomic_service
def year_summary_save(
    *, by, programme: Programme, year: int, summary_fi: str, summary_sv: str = ""
) -> ProgrammeYear:
    """The coordinator's summary of the year, in Finnish and (optionally) Swedish."""
    programme = _lock(programme)
    _ensure(by, "casework.record_programme_follow_up", programme)
    errors = _year_errors(programme, None, year)
    if errors:
        raise ValidationError(errors)
    notes, _created = ProgrammeYear.objects.get_or_create(programme=programme, year=year)
    notes.summary_fi, notes.summary_sv, notes.updated_by = summary_fi, summary_sv, by
    notes.save()
    audit_record(actor=by, obj=notes, action="programme.summary_saved", data={"year": year})
    return notes


@atomic_service
def report_publish(*, by, programme: Programme, year: int, note: str = "") -> ProgrammeReport:
    """Freeze the year's report as it stands now: a new published version. Refused when a
    computed figure could not be computed (fix that first) or no summary is written."""

    programme = _lock(programme)
    _ensure(by, "casework.publish_programme_report", programme)
    errors = _year_errors(programme, None, year)
    if errors:
        raise ValidationError(errors)
    data = build_report(programme, year)
    if not (data["summary"]["fi"] or "").strip():
        raise ValidationError(
            {"summary_fi": _("Write the coordinator's summary before publishing.")}
        )
    failed = [
        indicator["name"]["fi"]
        for theme in data["themes"]
        for goal in theme["goals"]
        for indicator in goal["indicators"]
        if any(point["error"] for point in indicator["values"])
    ]
    if failed:
        raise ValidationError(
            _("These figures could not be computed: %(names)s. Nothing was published.")
            % {"names": ", ".join(failed)},
            code="indicator_failed",
        )
    version = (programme.reports.filter(year=year).aggregate(top=Max("version"))["top"] or 0) + 1
    report = ProgrammeReport.objects.create(
        programme=programme,
        year=year,
        version=version,
        data=data,
        published_by=by,
        note=note[:300],
    )
    audit_record(
        actor=by,
        obj=report,
        action="programme.report_published",
        data={"year": year, "version": version},
    )
    return report


@atomic_service
def report_exported(
    *, by, programme: Programme, year: int, fmt: str, version: int | None = None
) -> None:
    """Audit an export (XLSX, CSV, JSON) of a year's report; the caller has checked that the
    user may see the programme."""
    if by is not None and not any(
        can_in_organisation(by, "casework.view_programme", pk) for pk in _owner_ids(programme)
    ):
        raise PermissionDenied(_("You do not have permission to do this in this organisation."))
    audit_record(
        actor=by,
        obj=programme,
        action="programme.report_exported",
        data={"year": year, "format": fmt, "version": version},
    )


def items_with_follow_up(programme: Programme) -> set[tuple[str, int]]:
    """``(model name, pk)`` of the items that cannot be deleted (they have follow-up)."""
    out = set()
    for goal_id, theme_id, indicator_id in IndicatorValue.objects.filter(
        indicator__goal__theme__programme=programme
    ).values_list("indicator__goal_id", "indicator__goal__theme_id", "indicator_id"):
        out |= {("goal", goal_id), ("theme", theme_id), ("indicator", indicator_id)}
    for goal_id, theme_id, measure_id in MeasureYearStatus.objects.filter(
        measure__goal__theme__programme=programme
    ).values_list("measure__goal_id", "measure__goal__theme_id", "measure_id"):
        out |= {("goal", goal_id), ("theme", theme_id), ("programmemeasure", measure_id)}
    return out


__all__ = [
    "GOAL_FIELDS",
    "INDICATOR_FIELDS",
    "MEASURE_FIELDS",
    "PROGRAMME_FIELDS",
    "THEME_FIELDS",
    "goal_save",
    "indicator_save",
    "indicator_value_record",
    "items_with_follow_up",
    "measure_status_record",
    "programme_create",
    "programme_item_remove",
    "programme_measure_save",
    "programme_update",
    "report_exported",
    "report_publish",
    "theme_save",
    "year_summary_save",
]
