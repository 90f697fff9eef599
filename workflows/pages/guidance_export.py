"""The guidance statistics as CSV and XLSX, with headers in the user's language.

Two audiences: the unit's own use (every figure, as on the page) and outside the unit
(small figures hidden, see ``casework.guidance_stats.hidden_cells``); the file says which
it is, and what ".." means."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casework.guidance_stats import GENDER_COLUMNS, GuidanceStatistics, hidden_cells

HIDDEN = ".."
UNIT = "unit"
OUTSIDE = "outside"


@dataclass
class Section:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)


def _period(period) -> str:
    return f"{date_format(period.start, 'SHORT_DATE_FORMAT')}–{date_format(period.end, 'SHORT_DATE_FORMAT')}"


def sections(stats: GuidanceStatistics, *, audience: str = UNIT) -> tuple[list[str], list[Section]]:
    """The lines that describe the file, and its tables. Outside the unit, hidden figures
    are ``..``."""
    hidden = hidden_cells(stats) if audience == OUTSIDE else set()

    def cell(key, value):
        return HIDDEN if key in hidden else value

    about = [
        _("Guidance point visits"),
        _("Guidance points: %(points)s") % {"points": ", ".join(p.name for p in stats.points)},
        _("Period: %(period)s") % {"period": _period(stats.period)},
        _("Made: %(when)s") % {"when": date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")},
    ]
    if audience == OUTSIDE:
        about.append(
            _(
                "For use outside the unit: figures under %(threshold)s are hidden (..), and so "
                "is another figure of the same sum where a hidden one could otherwise be worked "
                "out from the totals."
            )
            % {"threshold": stats.threshold}
        )
    else:
        about.append(_("For the unit's own use: every figure is shown. Do not publish as such."))

    columns = ("visits", *GENDER_COLUMNS, "own_language")
    table = Section(
        "visits",
        _("Visits by age and gender"),
        [
            _("Age"),
            _("Visits"),
            _("Women"),
            _("Men"),
            _("Other gender"),
            _("Gender not told"),
            _("Guidance in own language"),
        ],
    )
    table.rows.append(
        [stats.total.label, *(cell(("total", c), getattr(stats.total, c)) for c in columns)]
    )
    for index, row in enumerate(stats.age_bands):
        table.rows.append([row.label, *(cell(("age", index, c), getattr(row, c)) for c in columns)])

    def distribution(key, title, header):
        section = Section(key, title, [header, _("Visits")])
        for index, item in enumerate(getattr(stats, key)):
            section.rows.append([item.label, cell((key, index), item.count)])
        return section

    months = distribution("months", _("Visits by month"), _("Month"))
    comparison = Section(
        "comparison", _("Change from the previous period"), [_("Period"), _("Visits")]
    )
    hide_change = ("total", "visits") in hidden or 0 < stats.previous_visits < stats.threshold
    comparison.rows = [
        [_period(stats.period), cell(("total", "visits"), stats.visits)],
        [
            _period(stats.previous_period),
            HIDDEN
            if audience == OUTSIDE and 0 < stats.previous_visits < stats.threshold
            else stats.previous_visits,
        ],
        [
            _("Change, %"),
            HIDDEN
            if audience == OUTSIDE and hide_change
            else ("" if stats.change_percent is None else stats.change_percent),
        ],
    ]
    return about, [
        table,
        distribution("topics", _("Most common topics"), _("Topic")),
        distribution("countries", _("Visits by country of origin"), _("Country of origin")),
        distribution(
            "labour_market", _("Visits by labour-market status"), _("Labour-market status")
        ),
        distribution("channels", _("Visits by channel"), _("Channel")),
        distribution("referrals", _("Referred to"), _("Referred to")),
        months,
        comparison,
    ]


def _filename(stats, audience, extension) -> str:
    suffix = "" if audience == UNIT else "-public"
    return f"guidance-{stats.period.start:%Y%m%d}-{stats.period.end:%Y%m%d}{suffix}.{extension}"


def csv_response(stats: GuidanceStatistics, *, audience: str) -> HttpResponse:
    about, tables = sections(stats, audience=audience)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in about:
        writer.writerow([line])
    for table in tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.headers)
        writer.writerows(table.rows)
    # a byte-order mark so that spreadsheet programs read the letters ä and ö right
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(stats, audience, "csv")}"'
    return response


def _sheet_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31]


def xlsx_response(stats: GuidanceStatistics, *, audience: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    about, tables = sections(stats, audience=audience)
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(_("About"))
    for line in about:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 100
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True)
        sheet.append(table.headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(row)
        sheet.column_dimensions["A"].width = 40
        sheet.freeze_panes = "B3"
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(stats, audience, "xlsx")}"'
    return response
