"""The guidance point's writers: log a visit, book an appointment and mark it arrived (which
logs the visit), no-show or cancelled, and configure a point and its organisation's lists.

Every service checks the permission in the point's organisation, validates with translated
messages by field (the form and the API show them beside the field, keeping what was
entered), and writes one audit entry. A visit linked to a client also shows on the case
timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from permissions.audit import audit_record
from permissions.policy import can, ensure_can_in_organisation

from ..guidance_stats import CONFIGURE, COUNT_FIGURES, LOG, day_counts_sql
from ..languages import validate_language_code
from ..models import (
    MAX_DURATION_MINUTES,
    AgeBand,
    AppointmentState,
    CaseEventKind,
    Client,
    DayCountDimension,
    GuidanceAppointment,
    GuidanceDayCount,
    GuidanceOption,
    GuidanceOptionKind,
    GuidancePoint,
    GuidanceVisit,
    IntegrationCase,
    Role,
    VisitGender,
    VisitLabourStatus,
)
from ._common import atomic_service, ensure_transition, log

# A clock a minute or two ahead (a tablet at the desk) must not make "now" the future.
CLOCK_SKEW = dt.timedelta(minutes=5)


def _ensure_point(by, point: GuidancePoint, perm: str = LOG) -> None:
    ensure_can_in_organisation(by, perm, point.unit.organisation_id)
    if not point.is_active:
        raise ValidationError(_("This guidance point is closed."), code="point_closed")


def _options(point: GuidancePoint, wanted: dict[str, tuple[str, Sequence[str]]], errors: dict):
    """The active entries of the organisation's lists named by codes, in one query:
    ``wanted`` maps a field to its list and codes; unknown codes are reported by field."""
    wanted = {
        name: (kind, [c for c in dict.fromkeys(codes) if c])
        for name, (kind, codes) in wanted.items()
    }
    every = {code for _kind, codes in wanted.values() for code in codes}
    found = (
        {
            (o.kind, o.code): o
            for o in GuidanceOption.objects.filter(
                organisation_id=point.unit.organisation_id, code__in=every, is_active=True
            )
        }
        if every
        else {}
    )
    result = {}
    for name, (kind, codes) in wanted.items():
        unknown = [c for c in codes if (kind, c) not in found]
        if unknown:
            message = {
                GuidanceOptionKind.TOPIC: _("Unknown topic: %(codes)s. Choose from the list."),
                GuidanceOptionKind.CHANNEL: _("Unknown channel: %(codes)s. Choose from the list."),
                GuidanceOptionKind.REFERRAL: _(
                    "Unknown referral target: %(codes)s. Choose from the list."
                ),
            }[kind]
            errors.setdefault(name, []).append(
                ValidationError(message, params={"codes": ", ".join(unknown)}, code="unknown")
            )
        result[name] = [found[kind, c] for c in codes if (kind, c) in found]
    return result


def _check_choice(value, choices, field, errors):
    if value not in choices.values:
        errors.setdefault(field, []).append(
            ValidationError(_("Choose one of the answers."), code="invalid_choice")
        )


def _check_duration(minutes, field, errors):
    if minutes is None or minutes < 1 or minutes > MAX_DURATION_MINUTES:
        errors.setdefault(field, []).append(
            ValidationError(
                _("The duration must be from 1 minute to 8 hours (480 minutes)."),
                code="duration",
            )
        )


def _check_language(code, field, errors, *, required_message=None):
    if not code:
        if required_message:
            errors.setdefault(field, []).append(ValidationError(required_message, code="required"))
        return
    try:
        validate_language_code(code)
    except ValidationError as error:
        errors.setdefault(field, []).extend(error.error_list)


def _visible_case_of(by, client: Client) -> IntegrationCase | None:
    """The client's case on whose timeline the visit shows: the open one, or else the newest,
    among those the user may see the client's data on."""
    cases = sorted(client.cases.all(), key=lambda c: (c.is_open, c.created_at), reverse=True)
    return next((c for c in cases if can(by, "casework.view_client_data", c)), None)


@atomic_service
def guidance_visit_log(
    *,
    by,
    point: GuidancePoint,
    duration_minutes: int | None,
    visited_at: dt.datetime | None = None,
    channel: str | None = None,
    age_band: str = AgeBand.NOT_TOLD,
    gender: str = VisitGender.NOT_TOLD,
    own_language_guidance: bool = False,
    guidance_language: str = "",
    interpreter_used: bool = False,
    country_of_origin: str = "",
    labour_market_status: str = VisitLabourStatus.NOT_TOLD,
    topics: Sequence[str] = (),
    referrals: Sequence[str] = (),
    feedback: str = "",
    appointment: GuidanceAppointment | None = None,
    client: Client | None = None,
) -> GuidanceVisit:
    """Log one visit at ``point``. Lists are named by their codes; ``channel=None`` means
    "not told". With ``appointment``, the appointment is marked arrived. With ``client``
    (only by someone who may see that client's data), the visit shows on the client's case
    timeline and follows the client's access rules."""
    _ensure_point(by, point)
    errors: dict[str, list] = {}
    now = timezone.now()
    visited_at = visited_at or now
    if timezone.is_naive(visited_at):
        visited_at = timezone.make_aware(visited_at)
    if visited_at > now + CLOCK_SKEW:
        errors.setdefault("visited_at", []).append(
            ValidationError(_("The visit cannot be in the future."), code="future")
        )
    _check_duration(duration_minutes, "duration_minutes", errors)
    _check_choice(age_band, AgeBand, "age_band", errors)
    _check_choice(gender, VisitGender, "gender", errors)
    _check_choice(labour_market_status, VisitLabourStatus, "labour_market_status", errors)
    if country_of_origin and country_of_origin not in countries:
        errors.setdefault("country_of_origin", []).append(
            ValidationError(_("Unknown country code."), code="invalid_choice")
        )
    if own_language_guidance:
        _check_language(
            guidance_language,
            "guidance_language",
            errors,
            required_message=_("Choose the language the guidance was given in."),
        )
    else:
        _check_language(guidance_language, "guidance_language", errors)
    options = _options(
        point,
        {
            "channel": (GuidanceOptionKind.CHANNEL, [channel] if channel else []),
            "topics": (GuidanceOptionKind.TOPIC, topics),
            "referrals": (GuidanceOptionKind.REFERRAL, referrals),
        },
        errors,
    )
    if appointment is not None:
        appointment = GuidanceAppointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.point_id != point.pk:
            errors.setdefault("appointment", []).append(
                ValidationError(_("The appointment is at another point."), code="other_point")
            )
        elif appointment.state != AppointmentState.BOOKED:
            errors.setdefault("appointment", []).append(
                ValidationError(
                    _("The appointment is already marked: %(state)s."),
                    params={"state": AppointmentState(appointment.state).label},
                    code="appointment_done",
                )
            )
    case = None
    if client is not None:
        case = _visible_case_of(by, client)
        if case is None:
            # the same answer whether the client exists or the user may not see them
            errors.setdefault("client", []).append(
                ValidationError(
                    _(
                        "No client you may see was found. Leave it empty to log the visit "
                        "anonymously."
                    ),
                    code="client_not_visible",
                )
            )
    if errors:
        raise ValidationError(errors)

    visit = GuidanceVisit(
        point=point,
        visited_at=visited_at,
        visited_on=timezone.localtime(visited_at).date(),
        channel=options["channel"][0] if options["channel"] else None,
        age_band=age_band,
        gender=gender,
        own_language_guidance=own_language_guidance,
        guidance_language=guidance_language if own_language_guidance else "",
        interpreter_used=interpreter_used,
        country_of_origin=country_of_origin,
        labour_market_status=labour_market_status,
        duration_minutes=duration_minutes,
        topic_count=len(options["topics"]),
        referral_count=len(options["referrals"]),
        feedback=feedback.strip(),
        client=client if case is not None else None,
        case=case,
        logged_by=by if getattr(by, "pk", None) else None,
    )
    visit.full_clean(exclude=["point", "channel", "client", "case", "logged_by"])
    visit.save()
    for relation in ("topics", "referrals"):
        through = getattr(GuidanceVisit, relation).through
        through.objects.bulk_create(
            [
                through(visit=visit, option=o, point=point, visited_on=visit.visited_on)
                for o in options[relation]
            ]
        )
    _count_visit(visit, topics=options["topics"], referrals=options["referrals"])
    data = {"point": point.code}
    if appointment is not None:
        ensure_transition(appointment.arrive, _("The appointment is no longer booked."))
        appointment.arrive(visit=visit)
        appointment.save()
        data["appointment"] = str(appointment.uuid)
    if case is not None:
        # the timeline says where and when, except under a non-disclosure marking: where a
        # protected client goes is not for everyone who sees the case
        note = (
            ""
            if client.non_disclosure
            else str(
                _("Visit to %(point)s, %(minutes)s min.")
                % {"point": point.name, "minutes": duration_minutes}
            )
        )
        log(
            case=case,
            by=by,
            kind=CaseEventKind.GUIDANCE_VISIT,
            obj=visit,
            action="guidance.visit_logged",
            note=note,
            data={**data, "visit": str(visit.uuid)},
        )
    else:
        audit_record(actor=by, obj=visit, action="guidance.visit_logged", data=data)
    return visit


def _count_visit(visit: GuidanceVisit, *, topics, referrals) -> None:
    """Add a visit just logged to its day's counts (``GuidanceDayCount``), in its transaction.

    One statement: a row per answer is inserted, or added to when the day already has it
    (two visits logged at once at one point add up; the rows go in one fixed order, so two
    such statements never wait for each other crosswise)."""
    one = dict.fromkeys(COUNT_FIGURES, 0)
    one["visits"] = 1
    own = int(visit.own_language_guidance)
    rows = {
        (DayCountDimension.DAY, ""): {
            **one,
            "own_language": own,
            "interpreter_used": int(visit.interpreter_used),
            "minutes": visit.duration_minutes,
            "without_topics": int(not topics),
            "without_referrals": int(not referrals),
        },
        (DayCountDimension.AGE, f"{visit.age_band}/{visit.gender}"): {**one, "own_language": own},
        (DayCountDimension.COUNTRY, visit.country_of_origin.code or ""): one,
        (DayCountDimension.LABOUR, visit.labour_market_status): one,
        (DayCountDimension.CHANNEL, str(visit.channel_id or "")): one,
    }
    for dimension, chosen in (
        (DayCountDimension.TOPIC, topics),
        (DayCountDimension.REFERRAL, referrals),
    ):
        for option in chosen:
            rows[(dimension, str(option.pk))] = one
    quote = connection.ops.quote_name
    table = quote(GuidanceDayCount._meta.db_table)
    columns = ["point_id", "day", "dimension", quote("key"), *COUNT_FIGURES]
    values = []
    for (dimension, key), figures in sorted(rows.items()):
        values += [visit.point_id, visit.visited_on, dimension, key]
        values += [figures[name] for name in COUNT_FIGURES]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    added = ", ".join(f"{name} = {table}.{name} + EXCLUDED.{name}" for name in COUNT_FIGURES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES {', '.join([placeholders] * len(rows))} "
            f"ON CONFLICT (point_id, day, dimension, {quote('key')}) DO UPDATE SET {added}",
            values,
        )


@atomic_service
def guidance_day_counts_rebuild(*, points=None) -> int:
    """Count the day counts of ``points`` (every point when None) afresh from their visits:
    after visits written in bulk (the demo, the benchmark), and to check the counts kept
    visit by visit. Returns the number of rows written."""
    point_ids = None if points is None else [p.pk for p in points]
    counts = GuidanceDayCount.objects.all()
    if point_ids is not None:
        counts = counts.filter(point_id__in=point_ids)
    counts.delete()
    select, params = day_counts_sql(point_ids)
    columns = ["point_id", "day", "dimension", connection.ops.quote_name("key"), *COUNT_FIGURES]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(GuidanceDayCount._meta.db_table)} "
            f"({', '.join(columns)}) {select}",
            params,
        )
        return cursor.rowcount


def _workers_of(point: GuidancePoint):
    """People who may take appointments at the point: guidance workers and managers of its
    organisation."""
    return (
        get_user_model()
        .objects.filter(
            memberships__is_active=True,
            memberships__unit__is_active=True,
            memberships__unit__organisation_id=point.unit.organisation_id,
            memberships__role__in=[Role.GUIDANCE_WORKER, Role.MANAGER],
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@atomic_service
def guidance_appointment_book(
    *,
    by,
    point: GuidancePoint,
    starts_at: dt.datetime | None,
    duration_minutes: int | None = 30,
    worker=None,
    language: str = "",
    interpreter_needed: bool = False,
    interpreter_language: str = "",
    topic: str | None = None,
    name: str = "",
    phone: str = "",
) -> GuidanceAppointment:
    """Book a time at ``point``, with ``worker`` if named (they must not have another
    appointment at the same time)."""
    _ensure_point(by, point)
    errors: dict[str, list] = {}
    if starts_at is None:
        errors.setdefault("starts_at", []).append(
            ValidationError(_("Enter the date and time."), code="required")
        )
    else:
        if timezone.is_naive(starts_at):
            starts_at = timezone.make_aware(starts_at)
        if starts_at < timezone.now():
            errors.setdefault("starts_at", []).append(
                ValidationError(_("The appointment cannot be in the past."), code="past")
            )
    _check_duration(duration_minutes, "duration_minutes", errors)
    _check_language(language, "language", errors)
    _check_language(
        interpreter_language,
        "interpreter_language",
        errors,
        required_message=_("Choose the interpreter's language.") if interpreter_needed else None,
    )
    topic_options = _options(
        point, {"topic": (GuidanceOptionKind.TOPIC, [topic] if topic else [])}, errors
    )["topic"]
    if worker is not None:
        if not _workers_of(point).filter(pk=worker.pk).exists():
            errors.setdefault("worker", []).append(
                ValidationError(_("Choose a guidance worker of this point."), code="worker")
            )
        elif starts_at is not None and not errors.get("duration_minutes"):
            ends_at = starts_at + dt.timedelta(minutes=duration_minutes)
            clash = (
                GuidanceAppointment.objects.select_for_update()
                .filter(
                    worker=worker,
                    state=AppointmentState.BOOKED,
                    starts_at__lt=ends_at,
                    starts_at__gt=starts_at - dt.timedelta(minutes=MAX_DURATION_MINUTES),
                )
                .order_by("starts_at")
            )
            taken = next((a for a in clash if a.ends_at > starts_at), None)
            if taken is not None:
                errors.setdefault("starts_at", []).append(
                    ValidationError(
                        _("%(worker)s already has an appointment at %(time)s."),
                        params={
                            "worker": worker.get_full_name() or worker.get_username(),
                            "time": timezone.localtime(taken.starts_at).strftime("%H:%M"),
                        },
                        code="clash",
                    )
                )
    if errors:
        raise ValidationError(errors)
    appointment = GuidanceAppointment(
        point=point,
        worker=worker,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        language=language,
        interpreter_needed=interpreter_needed,
        interpreter_language=interpreter_language if interpreter_needed else "",
        topic=topic_options[0] if topic_options else None,
        name=name.strip(),
        phone=phone.strip(),
        booked_by=by if getattr(by, "pk", None) else None,
    )
    appointment.full_clean(exclude=["point", "worker", "topic", "booked_by"])
    appointment.save()
    audit_record(
        actor=by, obj=appointment, action="guidance.appointment_booked", data={"point": point.code}
    )
    return appointment


def _lock_appointment(by, appointment: GuidanceAppointment) -> GuidanceAppointment:
    appointment = (
        GuidanceAppointment.objects.select_for_update(of=("self",))
        .select_related("point__unit")
        .get(pk=appointment.pk)
    )
    _ensure_point(by, appointment.point)
    return appointment


@atomic_service
def guidance_appointment_no_show(*, by, appointment: GuidanceAppointment) -> GuidanceAppointment:
    """The client did not come; the booking's name and phone number are erased."""
    appointment = _lock_appointment(by, appointment)
    ensure_transition(appointment.mark_no_show, _("The appointment is no longer booked."))
    appointment.mark_no_show()
    appointment.save()
    audit_record(actor=by, obj=appointment, action="guidance.appointment_no_show")
    return appointment


@atomic_service
def guidance_appointment_cancel(*, by, appointment: GuidanceAppointment) -> GuidanceAppointment:
    """The time is cancelled; the booking's name and phone number are erased."""
    appointment = _lock_appointment(by, appointment)
    ensure_transition(appointment.cancel, _("The appointment is no longer booked."))
    appointment.cancel()
    appointment.save()
    audit_record(actor=by, obj=appointment, action="guidance.appointment_cancelled")
    return appointment


# --- configuration ----------------------------------------------------------------------


@atomic_service
def guidance_option_save(
    *,
    by,
    organisation_id: int,
    kind: str,
    code: str,
    name_fi: str,
    name_sv: str = "",
    name_en: str = "",
    position: int | None = None,
    is_active: bool = True,
    create: bool = False,
) -> GuidanceOption:
    """Add an entry to one of the organisation's lists (``create=True``), or rename,
    reorder, retire or restore one. The code never changes once created."""
    ensure_can_in_organisation(by, CONFIGURE, organisation_id)
    if kind not in GuidanceOptionKind.values:
        raise ValidationError({"kind": _("Unknown list.")})
    existing = (
        GuidanceOption.objects.select_for_update()
        .filter(organisation_id=organisation_id, kind=kind, code=code)
        .first()
    )
    if create and existing is not None:
        raise ValidationError({"code": _("The list already has an entry with this code.")})
    if not create and existing is None:
        raise ValidationError({"code": _("No such entry in the list.")})
    option = existing or GuidanceOption(organisation_id=organisation_id, kind=kind, code=code)
    if position is None and create:
        last = (
            GuidanceOption.objects.filter(organisation_id=organisation_id, kind=kind)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        position = (last or 0) + 10
    option.name_fi = name_fi.strip()
    option.name_sv = name_sv.strip()
    option.name_en = name_en.strip()
    if position is not None:
        option.position = position
    option.is_active = is_active
    option.full_clean(exclude=["organisation"])
    option.save()
    audit_record(
        actor=by,
        obj=option,
        action="guidance.option_added" if create else "guidance.option_changed",
        data={"kind": kind, "code": code, "active": is_active},
    )
    return option


@atomic_service
def guidance_point_configure(
    *,
    by,
    point: GuidancePoint,
    year_starts_month: int,
    year_starts_day: int,
    small_number_threshold: int,
) -> GuidancePoint:
    """The point's operating year (the statistics' default period) and the smallest figure
    an export for outside the unit shows."""
    ensure_can_in_organisation(by, CONFIGURE, point.unit.organisation_id)
    point = GuidancePoint.objects.select_for_update().get(pk=point.pk)
    point.year_starts_month = year_starts_month
    point.year_starts_day = year_starts_day
    point.small_number_threshold = small_number_threshold
    point.full_clean(exclude=["unit"])
    point.save()
    audit_record(
        actor=by,
        obj=point,
        action="guidance.point_configured",
        data={
            "year_starts": f"{year_starts_day}.{year_starts_month}.",
            "threshold": small_number_threshold,
        },
    )
    return point
