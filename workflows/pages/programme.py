"""Pages of the integration programme: the programme and its parts, the yearly follow-up,
the yearly report (page, print, XLSX, CSV) and publishing it.

Who: the integration coordinators and managers of the organisations sharing a programme.
Anyone else gets the same 404 whether the programme exists or not. Every page starts from
``visible_programme_or_404``; writing goes through ``casework.services.programme``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework import indicators as computed
from casework.models import (
    Goal,
    Indicator,
    IndicatorKind,
    IndicatorValue,
    MeasureYearStatus,
    ProgrammeMeasure,
    ProgrammeYear,
    Theme,
)
from casework.programmes import (
    REPORT_LANGUAGES,
    may,
    programmes_visible_to,
    published_reports,
    report_for,
    structure,
    visible_programme_or_404,
)
from casework.services import programme as services
from permissions.policy import organisations_where

from . import programme_forms as forms
from .programme_render import page_view
from .programme_render import report_csv as render_csv
from .programme_render import report_xlsx as render_xlsx

CHANGE = "casework.change_programme"
FOLLOW_UP = "casework.record_programme_follow_up"
PUBLISH = "casework.publish_programme_report"


def _require(user, perm, programme):
    if not may(user, perm, programme):
        raise PermissionDenied(_("You do not have permission to do this in this organisation."))


def _errors_to_form(form, error: ValidationError) -> None:
    """A service's refusal shown on the form, each message at its field when there is one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            form.add_error(target, [m for e in errors for m in e.messages])
    else:
        form.add_error(None, error)


def _form_page(request, form, *, title, programme, back, intro="", submit=None, status=None):
    return render(
        request,
        "programme/form.html",
        {
            "form": form,
            "title": title,
            "programme": programme,
            "back": back,
            "intro": intro,
            "submit": submit or _("Save"),
            "fieldsets": [
                (legend, [form[name] for name in names])
                for legend, names in getattr(form, "FIELDSETS", ())
            ],
        },
        status=status or (400 if request.method == "POST" else 200),
    )


def _year_or_404(programme, year: int) -> int:
    if not programme.first_year <= year <= programme.last_year:
        raise Http404
    return year


# --- the programme ------------------------------------------------------------------------


@login_required
def programme_list(request):
    programmes = list(programmes_visible_to(request.user))
    may_create = bool(organisations_where(request.user, CHANGE))
    if not programmes and not may_create:
        raise Http404
    return render(
        request,
        "programme/list.html",
        {
            "programmes": programmes,
            "may_create": may_create,
            "this_year": timezone.localdate().year,
        },
    )


@login_required
def programme_create(request):
    if not organisations_where(request.user, CHANGE):
        raise PermissionDenied(_("You do not have permission to do this in this organisation."))
    form = forms.ProgrammeForm(request.POST or None)
    if not request.POST:
        own = organisations_where(request.user, CHANGE)
        form.initial = {
            "organisations": own,
            "municipalities": list(
                form.fields["municipalities"]
                .queryset.filter(organisations__in=own, organisations__kind="municipality")
                .values_list("pk", flat=True)
            ),
        }
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(
                by=request.user,
                data=form.service_data(),
                organisations=list(form.cleaned_data["organisations"]),
                municipalities=list(form.cleaned_data["municipalities"]),
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(
                request, _("The programme was created. Add its themes, goals and measures next.")
            )
            return redirect("programme:detail", uuid=programme.uuid)
    return _form_page(
        request,
        form,
        title=_("New integration programme"),
        programme=None,
        back=reverse("programme:list"),
    )


@login_required
def programme_detail(request, uuid):
    programme = visible_programme_or_404(request.user, uuid)
    themes = structure(programme)
    this_year = timezone.localdate().year
    locked = services.items_with_follow_up(programme)
    for theme in themes:
        theme.locked = ("theme", theme.pk) in locked
        for goal in theme.goals.all():
            goal.locked = ("goal", goal.pk) in locked
            for measure in goal.measures.all():
                measure.locked = ("programmemeasure", measure.pk) in locked
            for indicator in goal.indicators.all():
                indicator.locked = ("indicator", indicator.pk) in locked
                indicator.spec = computed.REGISTRY.get(indicator.computation)
    reports = {}
    for report in programme.reports.order_by("year", "version"):
        reports[report.year] = report
    years = [
        {"year": y, "begun": y <= this_year, "published": reports.get(y)} for y in programme.years
    ]
    return render(
        request,
        "programme/detail.html",
        {
            "programme": programme,
            "themes": themes,
            "years": years,
            "may_change": may(request.user, CHANGE, programme),
            "may_follow_up": may(request.user, FOLLOW_UP, programme),
        },
    )


@login_required
def programme_edit(request, uuid):
    programme = visible_programme_or_404(request.user, uuid)
    _require(request.user, CHANGE, programme)
    form = forms.ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(
                by=request.user,
                programme=programme,
                data=form.service_data(),
                organisations=list(form.cleaned_data["organisations"]),
                municipalities=list(form.cleaned_data["municipalities"]),
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The programme was saved."))
            if not programmes_visible_to(request.user).filter(pk=programme.pk).exists():
                return redirect("programme:list")
            return redirect("programme:detail", uuid=programme.uuid)
    return _form_page(
        request,
        form,
        title=_("Change the programme"),
        programme=programme,
        back=reverse("programme:detail", args=[programme.uuid]),
    )


# --- its parts ------------------------------------------------------------------------------

ITEMS = {
    # kind in the URL: (model, form)
    "themes": (Theme, forms.ThemeForm),
    "goals": (Goal, forms.GoalForm),
    "measures": (ProgrammeMeasure, forms.ProgrammeMeasureForm),
    "indicators": (Indicator, forms.IndicatorForm),
}
TITLES = {
    "themes": (gettext_lazy("Add a theme"), gettext_lazy("Change the theme")),
    "goals": (gettext_lazy("Add a goal"), gettext_lazy("Change the goal")),
    "measures": (gettext_lazy("Add a measure"), gettext_lazy("Change the measure")),
    "indicators": (gettext_lazy("Add an indicator"), gettext_lazy("Change the indicator")),
}


def _item_of(programme, kind: str, item_uuid):
    """A theme, goal, measure or indicator of ``programme`` (404 for anything else)."""
    if kind not in ITEMS:
        raise Http404
    model = ITEMS[kind][0]
    if kind == "themes":
        lookup = {"programme": programme}
    elif kind == "goals":
        lookup = {"theme__programme": programme}
    else:
        lookup = {"goal__theme__programme": programme}
    item = model.objects.filter(uuid=item_uuid, **lookup).first()
    if item is None:
        raise Http404
    return item


def _save(kind, *, by, programme, parent, item, data):
    if kind == "themes":
        return services.theme_save(by=by, programme=programme, data=data, theme=item)
    if kind == "goals":
        return services.goal_save(by=by, theme=parent, data=data, goal=item)
    if kind == "measures":
        return services.programme_measure_save(by=by, goal=parent, data=data, measure=item)
    return services.indicator_save(by=by, goal=parent, data=data, indicator=item)


@login_required
def item_edit(request, uuid, kind, item=None, parent=None):
    """Add (``parent`` given: a theme's goal, a goal's measure or indicator; nothing: a theme)
    or change (``item`` given) a part of the programme."""
    programme = visible_programme_or_404(request.user, uuid)
    if kind not in ITEMS:
        raise Http404
    _require(request.user, CHANGE, programme)
    model, form_class = ITEMS[kind]
    if item is not None:
        instance = _item_of(programme, kind, item)
        parent_obj = getattr(
            instance,
            {"goals": "theme", "measures": "goal", "indicators": "goal"}.get(kind, "programme"),
        )
    else:
        parent_kind = {"goals": "themes", "measures": "goals", "indicators": "goals"}.get(kind)
        parent_obj = _item_of(programme, parent_kind, parent) if parent_kind else programme
        if parent_kind is None and parent is not None:
            raise Http404
        field = {"themes": "programme", "goals": "theme"}.get(kind, "goal")
        instance = model(**{field: parent_obj})
    kwargs = {"programme": programme} if kind in ("measures", "indicators") else {}
    form = form_class(request.POST or None, instance=instance, **kwargs)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            _save(
                kind,
                by=request.user,
                programme=programme,
                parent=parent_obj,
                item=instance if item is not None else None,
                data=data,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("programme:detail", args=[programme.uuid]) + "#structure")
    add_title, change_title = TITLES[kind]
    context_line = ""
    if kind in ("goals",):
        context_line = _("Theme: %(name)s") % {"name": parent_obj}
    elif kind in ("measures", "indicators"):
        context_line = _("Goal: %(name)s") % {"name": parent_obj}
    return _form_page(
        request,
        form,
        title=change_title if item is not None else add_title,
        programme=programme,
        back=reverse("programme:detail", args=[programme.uuid]),
        intro=context_line,
    )


@login_required
def item_remove(request, uuid, kind, item):
    programme = visible_programme_or_404(request.user, uuid)
    _require(request.user, CHANGE, programme)
    obj = _item_of(programme, kind, item)
    error = None
    if request.method == "POST":
        try:
            services.programme_item_remove(by=request.user, item=obj)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("Removed."))
            return redirect(reverse("programme:detail", args=[programme.uuid]) + "#structure")
    return render(
        request,
        "programme/remove.html",
        {
            "programme": programme,
            "item": obj,
            "kind": kind,
            "error": error,
            "edit_url": reverse("programme:item_edit", args=[programme.uuid, kind, obj.uuid]),
        },
        status=400 if error else 200,
    )


# --- the yearly follow-up -------------------------------------------------------------------


@login_required
def year_follow_up(request, uuid, year):
    programme = visible_programme_or_404(request.user, uuid)
    _year_or_404(programme, year)
    themes = structure(programme, year)
    values = {
        v.indicator_id: v
        for v in IndicatorValue.objects.filter(
            indicator__goal__theme__programme=programme, year=year
        )
    }
    statuses = {
        s.measure_id: s
        for s in MeasureYearStatus.objects.filter(
            measure__goal__theme__programme=programme, year=year
        )
    }
    to_do = done = 0
    for theme in themes:
        for goal in theme.goals.all():
            for measure in goal.measures.all():
                measure.year_status = statuses.get(measure.pk)
                to_do += 1
                done += measure.year_status is not None
            for indicator in goal.indicators.all():
                indicator.year_value = values.get(indicator.pk)
                if indicator.kind == IndicatorKind.MANUAL:
                    to_do += 1
                    done += indicator.year_value is not None
    notes = ProgrammeYear.objects.filter(programme=programme, year=year).first()
    return render(
        request,
        "programme/year.html",
        {
            "programme": programme,
            "year": year,
            "themes": themes,
            "notes": notes,
            "to_do": to_do,
            "done": done,
            "begun": year <= timezone.localdate().year,
            "may_follow_up": may(request.user, FOLLOW_UP, programme),
            "published": published_reports(programme, year).first(),
        },
    )


def _year_item(programme, kind, item_uuid, year):
    obj = _item_of(programme, kind, item_uuid)
    if not obj.in_year(year):
        raise Http404
    return obj


@login_required
def value_edit(request, uuid, year, item):
    programme = visible_programme_or_404(request.user, uuid)
    _year_or_404(programme, year)
    _require(request.user, FOLLOW_UP, programme)
    indicator = _year_item(programme, "indicators", item, year)
    if indicator.kind != IndicatorKind.MANUAL:
        raise Http404
    current = indicator.values.filter(year=year).first()
    initial = {"value": current.value, "comment": current.comment} if current else {}
    form = forms.IndicatorValueForm(request.POST or None, initial=initial, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_value_record(
                by=request.user,
                indicator=indicator,
                year=year,
                value=form.cleaned_data["value"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("The value of “%(name)s” for %(year)s was saved.")
                % {"name": indicator.name, "year": year},
            )
            return redirect("programme:year", uuid=programme.uuid, year=year)
    return _form_page(
        request,
        form,
        title=_("%(name)s in %(year)s") % {"name": indicator.name, "year": year},
        programme=programme,
        back=reverse("programme:year", args=[programme.uuid, year]),
        intro=_("Goal: %(name)s") % {"name": indicator.goal},
    )


@login_required
def status_edit(request, uuid, year, item):
    programme = visible_programme_or_404(request.user, uuid)
    _year_or_404(programme, year)
    _require(request.user, FOLLOW_UP, programme)
    measure = _year_item(programme, "measures", item, year)
    current = measure.statuses.filter(year=year).first()
    initial = (
        {"status": current.status, "comment": current.comment, "responsible": current.responsible}
        if current
        else {"responsible": measure.responsible}
    )
    form = forms.MeasureStatusForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_status_record(
                by=request.user,
                measure=measure,
                year=year,
                status=form.cleaned_data["status"],
                comment=form.cleaned_data["comment"],
                responsible=form.cleaned_data["responsible"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(
                request, _("The status of the measure for %(year)s was saved.") % {"year": year}
            )
            return redirect("programme:year", uuid=programme.uuid, year=year)
    return _form_page(
        request,
        form,
        title=_("Status of the measure in %(year)s") % {"year": year},
        programme=programme,
        back=reverse("programme:year", args=[programme.uuid, year]),
        intro=measure.text,
    )


@login_required
def summary_edit(request, uuid, year):
    programme = visible_programme_or_404(request.user, uuid)
    _year_or_404(programme, year)
    _require(request.user, FOLLOW_UP, programme)
    notes = ProgrammeYear.objects.filter(programme=programme, year=year).first()
    initial = {"summary_fi": notes.summary_fi, "summary_sv": notes.summary_sv} if notes else {}
    form = forms.SummaryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.year_summary_save(
                by=request.user, programme=programme, year=year, **form.cleaned_data
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The summary for %(year)s was saved.") % {"year": year})
            return redirect("programme:year", uuid=programme.uuid, year=year)
    return _form_page(
        request,
        form,
        title=_("Coordinator's summary of %(year)s") % {"year": year},
        programme=programme,
        back=reverse("programme:year", args=[programme.uuid, year]),
        intro=_(
            "What went well, what did not, and what is proposed for next year. The city board "
            "reads this first."
        ),
    )


# --- the report -----------------------------------------------------------------------------


def _report_language(request) -> str:
    language = request.GET.get("lang", "")
    if language in REPORT_LANGUAGES:
        return language
    current = (translation.get_language() or "fi")[:2]
    return current if current in REPORT_LANGUAGES else "fi"


def _report_request(request, uuid, year):
    programme = visible_programme_or_404(request.user, uuid)
    _year_or_404(programme, year)
    version = request.GET.get("version", "")
    version = int(version) if version.isdigit() else None
    data, published = report_for(
        programme, year, version=version, live=request.GET.get("live") == "1"
    )
    return programme, data, published


@login_required
def report(request, uuid, year):
    programme, data, published = _report_request(request, uuid, year)
    language = _report_language(request)
    with translation.override(language):
        view = page_view(data, language)
    query = {"lang": language}
    if published is not None:
        query["version"] = published.version
    elif request.GET.get("live") == "1":
        query["live"] = "1"
    return render(
        request,
        "programme/report.html",
        {
            "programme": programme,
            "year": year,
            "r": view,
            "report_language": language,
            "report_languages": [("fi", "suomeksi"), ("sv", "på svenska")],
            "published": published,
            "versions": list(published_reports(programme, year)),
            "query": query,
            "query_string": urlencode(query),
            "may_publish": may(request.user, PUBLISH, programme),
            "may_follow_up": may(request.user, FOLLOW_UP, programme),
        },
    )


def _file_name(programme, year, language, extension):
    return f"kotouttamisohjelma-{programme.first_year}-{programme.last_year}-{year}-{language}.{extension}"


@login_required
def report_xlsx(request, uuid, year):
    programme, data, published = _report_request(request, uuid, year)
    language = _report_language(request)
    content = render_xlsx(data, language)
    services.report_exported(
        by=request.user,
        programme=programme,
        year=year,
        fmt="xlsx",
        version=published.version if published else None,
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{_file_name(programme, year, language, "xlsx")}"'
    )
    return response


@login_required
def report_csv_file(request, uuid, year):
    programme, data, published = _report_request(request, uuid, year)
    language = _report_language(request)
    services.report_exported(
        by=request.user,
        programme=programme,
        year=year,
        fmt="csv",
        version=published.version if published else None,
    )
    response = HttpResponse(render_csv(data, language), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{_file_name(programme, year, language, "csv")}"'
    )
    return response


@login_required
def publish(request, uuid, year):
    programme = visible_programme_or_404(request.user, uuid)
    _year_or_404(programme, year)
    _require(request.user, PUBLISH, programme)
    form = forms.PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            published = services.report_publish(
                by=request.user, programme=programme, year=year, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(
                request,
                _(
                    "The report for %(year)s was published as version %(version)s. It stays as "
                    "it is now, whatever changes later."
                )
                % {"year": year, "version": published.version},
            )
            return redirect(
                reverse("programme:report", args=[programme.uuid, year])
                + f"?version={published.version}"
            )
    return _form_page(
        request,
        form,
        title=_("Publish the report for %(year)s") % {"year": year},
        programme=programme,
        back=reverse("programme:report", args=[programme.uuid, year]) + "?live=1",
        intro=_(
            "Publishing freezes the report with every figure as it is today. Later changes to the "
            "programme or to the path data do not alter it; you can publish a corrected version."
        ),
        submit=_("Publish"),
    )
