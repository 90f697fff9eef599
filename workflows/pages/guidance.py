"""Pages of the guidance point: the day's list (appointments and visits), logging a visit,
booking an appointment, the statistics with their exports, and the configuration lists.

Who may do what: logging and booking need ``log_guidance_visit`` in the point's
organisation, the statistics ``view_guidance_statistics``, the lists ``configure_guidance``.
Someone with the permission in no organisation gets 403; a point of another organisation is
a 404, the same as a point that does not exist."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from casework import guidance_stats as gs
from casework.models import (
    CHANNEL_APPOINTMENT,
    GuidanceAppointment,
    GuidanceOption,
    GuidanceOptionKind,
    GuidanceVisit,
    Organisation,
)
from casework.selectors import cases_visible_to, organisations_where
from casework.services import guidance as services
from permissions.audit import audit_record

from . import guidance_charts as charts
from . import guidance_export as export
from .guidance_forms import (
    AppointmentForm,
    OptionForm,
    PointSettingsForm,
    StatisticsForm,
    VisitForm,
    apply_service_errors,
    error_summary,
    language_label,
)

# --- access -----------------------------------------------------------------------------


def _points(user, perm):
    """The points where ``user`` has ``perm``; 403 if there is none."""
    points = list(gs.points_visible_to(user, perm))
    if not points:
        raise PermissionDenied
    return points


def _point_or_404(user, code, perm=gs.LOG):
    points = _points(user, perm)
    point = next((p for p in points if p.code == code), None)
    if point is None:
        raise Http404
    return point


def _may_link(user, point) -> bool:
    """Linking a visit to a client is offered only to those who may see clients' data."""
    return bool(organisations_where(user, "casework.view_client_data"))


def _shown_clients(user, visits) -> set[int]:
    """The linked visits whose client ``user`` may see: the client's data for staff of the
    case's organisation; under a non-disclosure marking only for named staff (where and when
    a protected client goes is for them only)."""
    linked = [v for v in visits if v.client_id and v.case_id]
    if not linked:
        return set()
    visible = set(
        cases_visible_to(user)
        .filter(
            pk__in=[v.case_id for v in linked],
            responsible_organisation_id__in=organisations_where(user, "casework.view_client_data"),
        )
        .values_list("pk", flat=True)
    )
    named = set(
        user.memberships.filter(is_active=True, can_see_protected_details=True).values_list(
            "unit__organisation_id", flat=True
        )
    )
    shown = set()
    for visit in linked:
        if visit.case_id not in visible:
            continue
        if visit.client.non_disclosure and visit.case.responsible_organisation_id not in named:
            continue
        shown.add(visit.pk)
    return shown


def _day(request) -> dt.date:
    return parse_date(request.GET.get("day") or "") or timezone.localdate()


# --- the point's day --------------------------------------------------------------------


@login_required
def home(request):
    """Guidance workers go to their point's day; managers who only report, to the
    statistics."""
    user = request.user
    points = list(gs.points_visible_to(user, gs.LOG))
    if points:
        point = gs.home_point(user, points)
        return redirect("guidance:point", code=point.code)
    if gs.points_visible_to(user, gs.STATISTICS).exists():
        return redirect("guidance:statistics")
    if organisations_where(user, gs.LOG) or organisations_where(user, gs.STATISTICS):
        # the role allows it, but the organisation runs no point (the navigation shows the
        # link to every role that may have one)
        return render(request, "guidance/no_points.html")
    raise PermissionDenied


@login_required
def point_day(request, code):
    point = _point_or_404(request.user, code)
    day = _day(request)
    appointments = list(gs.appointments_on(point, day))
    for appointment in appointments:
        appointment.language_label = language_label(appointment.language)
        appointment.interpreter_label = language_label(appointment.interpreter_language)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    visits = list(
        gs.visits_at(point)
        .select_related("case")
        .filter(visited_at__gte=start, visited_at__lt=start + dt.timedelta(days=1))
    )
    shown = _shown_clients(request.user, visits)
    for visit in visits:
        visit.details_shown = not visit.client_id or visit.pk in shown
    return render(
        request,
        "guidance/point.html",
        {
            "point": point,
            "points": gs.points_visible_to(request.user, gs.LOG),
            "day": day,
            "is_today": day == timezone.localdate(),
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "appointments": appointments,
            "booked": sum(1 for a in appointments if a.is_booked),
            "visits": visits,
            "minutes": sum(v.duration_minutes for v in visits),
        },
    )


@login_required
def visit_new(request, code):
    """Log a visit; from an appointment (``?appointment=``) the form is pre-filled and the
    appointment is marked arrived when the visit is saved."""
    point = _point_or_404(request.user, code)
    may_link = _may_link(request.user, point)
    appointment = None
    appointment_id = request.POST.get("appointment") or request.GET.get("appointment")
    if appointment_id:
        appointment = (
            GuidanceAppointment.objects.filter(point=point, uuid=_uuid_or_404(appointment_id))
            .select_related("topic", "worker")
            .first()
        )
        if appointment is None:
            raise Http404
    since = timezone.localdate() - dt.timedelta(days=180)
    frequent = gs.frequent_countries(point, since=since)
    initial = {}
    if appointment is not None:
        initial = {
            "channel": CHANNEL_APPOINTMENT,
            "topics": [appointment.topic.code] if appointment.topic else [],
            "guidance_language": appointment.language,
            "own_language_guidance": "true"
            if appointment.language and appointment.language not in ("fi", "sv")
            else "false",
            "interpreter_used": appointment.interpreter_needed,
            "duration_minutes": appointment.duration_minutes,
            "appointment": appointment.uuid,
        }
    form = VisitForm(
        request.POST or None,
        point=point,
        may_link=may_link,
        frequent_countries=frequent,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        client = None
        number = form.cleaned_data.get("case_number", "").strip()
        if number:
            case = cases_visible_to(request.user).filter(number__iexact=number).first()
            if case is None or not may_link:
                form.add_error(
                    "case_number",
                    _(
                        "No case with this number that you may see. Leave it empty to log the "
                        "visit anonymously."
                    ),
                )
            else:
                client = case.client
        if not form.errors:
            try:
                visit = services.guidance_visit_log(
                    by=request.user,
                    point=point,
                    appointment=appointment,
                    client=client,
                    **form.service_arguments(),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                when = timezone.localtime(visit.visited_at)
                messages.success(
                    request,
                    _("Visit logged (%(time)s, %(minutes)s min).")
                    % {"time": when.strftime("%H:%M"), "minutes": visit.duration_minutes},
                )
                if appointment is not None:
                    day = timezone.localtime(appointment.starts_at).date()
                    return redirect(
                        reverse("guidance:point", args=[point.code]) + f"?day={day:%Y-%m-%d}"
                    )
                return redirect("guidance:visit_new", code=point.code)
    if appointment is not None and not appointment.is_booked and request.method == "GET":
        messages.info(
            request,
            _("This appointment is already marked: %(state)s.")
            % {"state": appointment.get_state_display()},
        )
        return redirect("guidance:point", code=point.code)
    return render(
        request,
        "guidance/visit_form.html",
        {
            "point": point,
            "form": form,
            "errors": error_summary(form),
            "appointment": appointment,
        },
        status=400 if request.method == "POST" else 200,
    )


def _uuid_or_404(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


@login_required
def visit_detail(request, code, uuid):
    point = _point_or_404(request.user, code)
    visit = (
        GuidanceVisit.objects.filter(point=point, uuid=uuid)
        .select_related("channel", "logged_by", "client", "case", "appointment")
        .prefetch_related("topics", "referrals")
        .first()
    )
    if visit is None:
        raise Http404
    if visit.client_id:
        if visit.pk not in _shown_clients(request.user, [visit]):
            audit_record(actor=request.user, obj=visit, action="access.denied")
            raise Http404
        audit_record(
            actor=request.user,
            obj=visit.client,
            action="client.viewed",
            data={"via": "guidance_visit", "visit": str(visit.uuid)},
        )
    return render(
        request,
        "guidance/visit_detail.html",
        {
            "point": point,
            "visit": visit,
            "language": language_label(visit.guidance_language),
        },
    )


# --- appointments -----------------------------------------------------------------------


@login_required
def appointment_new(request, code):
    point = _point_or_404(request.user, code)
    workers = list(services._workers_of(point))
    form = AppointmentForm(request.POST or None, point=point, workers=workers, me=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            appointment = services.guidance_appointment_book(
                by=request.user, point=point, **form.service_arguments()
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            when = timezone.localtime(appointment.starts_at)
            messages.success(
                request,
                _("Appointment booked for %(day)s at %(time)s.")
                % {"day": when.strftime("%d.%m.%Y"), "time": when.strftime("%H:%M")},
            )
            return redirect(
                reverse("guidance:point", args=[point.code]) + f"?day={when.date():%Y-%m-%d}"
            )
    return render(
        request,
        "guidance/appointment_form.html",
        {"point": point, "form": form, "errors": error_summary(form)},
        status=400 if request.method == "POST" else 200,
    )


def _appointment_action(request, code, uuid, service, done_message):
    point = _point_or_404(request.user, code)
    appointment = GuidanceAppointment.objects.filter(point=point, uuid=uuid).first()
    if appointment is None:
        raise Http404
    day = timezone.localtime(appointment.starts_at).date()
    try:
        service(by=request.user, appointment=appointment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done_message)
    return redirect(reverse("guidance:point", args=[point.code]) + f"?day={day:%Y-%m-%d}")


@login_required
@require_POST
def appointment_no_show(request, code, uuid):
    return _appointment_action(
        request,
        code,
        uuid,
        services.guidance_appointment_no_show,
        _("Marked as not come. The name and phone number were erased."),
    )


@login_required
@require_POST
def appointment_cancel(request, code, uuid):
    return _appointment_action(
        request,
        code,
        uuid,
        services.guidance_appointment_cancel,
        _("The appointment was cancelled. The name and phone number were erased."),
    )


# --- statistics -------------------------------------------------------------------------


PERIOD_SHORTCUTS = ("year", "previous_year", "six_months", "month")


def _shortcuts(points, today):
    start, end = points[0].operating_year(today)
    previous_start, previous_end = points[0].operating_year(start - dt.timedelta(days=1))
    six = today - dt.timedelta(days=182)
    month_start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return [
        (_("This operating year"), start, min(end, today)),
        (_("Previous operating year"), previous_start, previous_end),
        (_("Last 6 months"), six + dt.timedelta(days=1), today),
        (_("Last month"), month_start, today.replace(day=1) - dt.timedelta(days=1)),
    ]


@login_required
def statistics(request):
    """The figures of a period over a set of points; ``format=csv|xlsx`` exports them, for
    the unit (``audience=unit``, everything) or for outside it (small figures hidden)."""
    points = _points(request.user, gs.STATISTICS)
    chosen = points
    codes = request.GET.getlist("point")
    if codes:
        by_code = {p.code: p for p in points}
        if any(code not in by_code for code in codes):
            raise Http404
        chosen = [by_code[code] for code in dict.fromkeys(codes)]
    today = timezone.localdate()
    period = gs.default_period(chosen, today)
    # an empty date takes its default, and the form shows the period it stands for
    data = request.GET.copy()
    for name, default in (("start", period.start), ("end", period.end)):
        if not data.get(name):
            data[name] = default.isoformat()
    form = StatisticsForm(data, points=points)
    if form.is_valid():
        period = gs.Period(form.cleaned_data["start"], form.cleaned_data["end"])
    stats = gs.guidance_statistics(points=chosen, period=period)
    audience = request.GET.get("audience")
    audience = audience if audience in (export.UNIT, export.OUTSIDE) else export.UNIT
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx") and not form.errors:
        audit_record(
            actor=request.user,
            obj=chosen[0],
            action="guidance.statistics_exported",
            data={
                "points": [p.code for p in chosen],
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
                "audience": audience,
                "format": fmt,
            },
        )
        if fmt == "csv":
            return export.csv_response(stats, audience=audience)
        return export.xlsx_response(stats, audience=audience)
    query = request.GET.copy()
    for name in ("format", "audience", "print"):
        query.pop(name, None)
    query["start"] = period.start.isoformat()
    query["end"] = period.end.isoformat()
    if not codes:
        query.setlist("point", [p.code for p in chosen])
    base_query = query.urlencode()
    point_query = "&".join(f"point={p.code}" for p in chosen)
    context = {
        "form": form,
        "errors": error_summary(form),
        "stats": stats,
        "points": points,
        "chosen": {p.code for p in chosen},
        "period": period,
        "query": base_query,
        "shortcuts": [
            {
                "label": label,
                "start": start,
                "end": end,
                "query": f"start={start}&end={end}&{point_query}",
            }
            for label, start, end in _shortcuts(chosen, today)
        ],
        "charts": {
            "months": charts.trend_chart(stats.months, label=_("Visits by month")),
            "topics": charts.bar_chart(stats.topics, label=_("Most common topics")),
            "countries": charts.bar_chart(
                stats.countries, label=_("Visits by country of origin"), limit=10
            ),
            "labour_market": charts.bar_chart(
                stats.labour_market, label=_("Visits by labour-market status")
            ),
            "channels": charts.bar_chart(stats.channels, label=_("Visits by channel")),
            "referrals": charts.bar_chart(stats.referrals, label=_("Referred to")),
            "age": charts.bar_chart(
                [gs.Item(str(i), row.label, row.visits) for i, row in enumerate(stats.age_bands)],
                label=_("Visits by age"),
            ),
        },
        "print_view": request.GET.get("print") == "1",
        "may_configure": gs.points_visible_to(request.user, gs.CONFIGURE).exists(),
    }
    return render(
        request,
        "guidance/statistics.html",
        context,
        status=400 if form.errors else 200,
    )


# --- configuration ----------------------------------------------------------------------


def _configurable_organisations(user):
    orgs = organisations_where(user, gs.CONFIGURE)
    organisations = list(
        Organisation.objects.filter(pk__in=orgs, units__guidance_point__isnull=False)
        .distinct()
        .order_by("name_fi")
    )
    if not organisations:
        raise PermissionDenied
    return organisations


@login_required
def configuration(request):
    organisations = _configurable_organisations(request.user)
    options = GuidanceOption.objects.filter(organisation__in=organisations).order_by(
        "kind", "position", "code"
    )
    points = gs.points_visible_to(request.user, gs.CONFIGURE).prefetch_related("municipalities")
    lists = []
    for organisation in organisations:
        for kind, label in GuidanceOptionKind.choices:
            lists.append(
                {
                    "organisation": organisation,
                    "kind": kind,
                    "label": label,
                    "options": [
                        o
                        for o in options
                        if o.organisation_id == organisation.pk and o.kind == kind
                    ],
                }
            )
    return render(
        request,
        "guidance/configuration.html",
        {"lists": lists, "points": points, "many": len(organisations) > 1},
    )


def _organisation_or_404(user, code):
    organisation = next((o for o in _configurable_organisations(user) if o.code == code), None)
    if organisation is None:
        raise Http404
    return organisation


@login_required
def option_edit(request, organisation, kind, code=None):
    organisation = _organisation_or_404(request.user, organisation)
    if kind not in GuidanceOptionKind.values:
        raise Http404
    option = None
    if code is not None:
        option = GuidanceOption.objects.filter(
            organisation=organisation, kind=kind, code=code
        ).first()
        if option is None:
            raise Http404
    initial = (
        {
            "code": option.code,
            "name_fi": option.name_fi,
            "name_sv": option.name_sv,
            "name_en": option.name_en,
            "position": option.position,
            "is_active": option.is_active,
        }
        if option
        else {
            "position": (
                GuidanceOption.objects.filter(organisation=organisation, kind=kind)
                .order_by("-position")
                .values_list("position", flat=True)
                .first()
                or 0
            )
            + 10
        }
    )
    form = OptionForm(request.POST or None, initial=initial, editing=option is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.guidance_option_save(
                by=request.user,
                organisation_id=organisation.pk,
                kind=kind,
                code=option.code if option else data["code"],
                name_fi=data["name_fi"],
                name_sv=data["name_sv"],
                name_en=data["name_en"],
                position=data["position"],
                is_active=data["is_active"],
                create=option is None,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The list was saved."))
            return redirect("guidance:configuration")
    return render(
        request,
        "guidance/option_form.html",
        {
            "organisation": organisation,
            "kind_label": GuidanceOptionKind(kind).label,
            "option": option,
            "form": form,
            "errors": error_summary(form),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def point_settings(request, code):
    point = _point_or_404(request.user, code, gs.CONFIGURE)
    form = PointSettingsForm(
        request.POST or None,
        initial={
            "year_starts_day": point.year_starts_day,
            "year_starts_month": point.year_starts_month,
            "small_number_threshold": point.small_number_threshold,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.guidance_point_configure(by=request.user, point=point, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The point's settings were saved."))
            return redirect("guidance:configuration")
    return render(
        request,
        "guidance/point_settings.html",
        {"point": point, "form": form, "errors": error_summary(form)},
        status=400 if request.method == "POST" else 200,
    )
