"""Presenting a programme's yearly report (``casework.programmes.build_report`` data) in one
language: the page's view of it, its charts (SVG drawn here, no script), XLSX and CSV.

Every format formats a figure with ``display`` in the report's language, so the page and the
files show the same figures the same way."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from django.utils import formats, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from casework.models import IndicatorKind, MeasureStatus, ValueType
from casework.programmes import flat_rows, pick


def display(value, value_type: str = "") -> str:
    """A figure as the reader sees it, in the active language ("–" when there is none)."""
    if value is None:
        return "–"
    decimals = 0 if float(value).is_integer() else 1
    text = formats.number_format(Decimal(str(value)), decimal_pos=decimals, use_l10n=True)
    return f"{text} %" if value_type == ValueType.PERCENTAGE else text


def status_label(code) -> str:
    """A measure's status in words ("not reported" when none was recorded)."""
    if code and code in MeasureStatus.values:
        return str(MeasureStatus(code).label)
    return _("not reported")


# --- the chart ----------------------------------------------------------------------------

WIDTH, HEIGHT = 520, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 22, 30


def chart_svg(indicator: dict, language: str, element_id: str) -> str:
    """A bar chart of the indicator's values per year, as inline SVG. The table beside it
    holds the same figures for screen readers; the chart itself is one labelled image."""
    points = indicator["values"]
    values = [p["value"] for p in points if p["value"] is not None]
    target = indicator.get("target")
    scale = indicator.get("scale")
    top = max([*values, target or 0, scale[1] if scale else 0, 1])
    bottom = min([*values, 0])
    span = (top - bottom) or 1
    plot_h = HEIGHT - TOP - BOTTOM
    plot_w = WIDTH - LEFT - RIGHT

    def y(v):
        return TOP + plot_h * (top - v) / span

    slot = plot_w / max(len(points), 1)
    bar = min(56, slot * 0.6)
    title = f"{pick(indicator['name'], language)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{element_id}-t" '
        f'class="trend" focusable="false">',
        f'<title id="{element_id}-t">{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{y(0):.1f}" x2="{WIDTH - RIGHT}" y2="{y(0):.1f}" '
        'stroke="#4a4a52" stroke-width="1"/>',
        f'<text x="{LEFT - 6}" y="{y(top) + 4:.1f}" text-anchor="end" font-size="11" '
        f'fill="#1b1b1f">{escape(display(top, indicator["value_type"]))}</text>',
        f'<line x1="{LEFT}" y1="{y(top):.1f}" x2="{WIDTH - RIGHT}" y2="{y(top):.1f}" '
        'stroke="#c8ccd2" stroke-width="1"/>',
        f'<text x="{LEFT - 6}" y="{y(0) + 4:.1f}" text-anchor="end" font-size="11" '
        f'fill="#1b1b1f">{escape(display(0))}</text>',
    ]
    for index, point in enumerate(points):
        centre = LEFT + slot * (index + 0.5)
        value = point["value"]
        if value is not None:
            y_value, y_zero = y(value), y(0)
            parts.append(
                f'<rect x="{centre - bar / 2:.1f}" y="{min(y_value, y_zero):.1f}" '
                f'width="{bar:.1f}" height="{max(abs(y_zero - y_value), 1):.1f}" fill="#0b4f8a"/>'
            )
            label_y = min(y_value, y_zero) - 5
        else:
            label_y = y(0) - 5
        parts.append(
            f'<text x="{centre:.1f}" y="{label_y:.1f}" text-anchor="middle" font-size="12" '
            f'font-weight="600" fill="#1b1b1f">'
            f"{escape(display(value, indicator['value_type']))}</text>"
        )
        parts.append(
            f'<text x="{centre:.1f}" y="{HEIGHT - 10}" text-anchor="middle" font-size="12" '
            f'fill="#1b1b1f">{point["year"]}</text>'
        )
    if target is not None:
        parts.append(
            f'<line x1="{LEFT}" y1="{y(target):.1f}" x2="{WIDTH - RIGHT}" y2="{y(target):.1f}" '
            'stroke="#a4161a" stroke-width="2" stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{y(target) - 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#a4161a">{escape(_("target"))} {escape(display(target, indicator["value_type"]))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


# --- the page's view of the report --------------------------------------------------------


def page_view(report: dict, language: str) -> dict:
    """The report with its texts in ``language``, figures formatted and charts drawn. Call it
    with ``language`` active."""
    themes = []
    for t_index, theme in enumerate(report["themes"]):
        goals = []
        for g_index, goal in enumerate(theme["goals"]):
            measures = [
                {
                    "text": pick(m["text"], language),
                    "schedule": m["schedule"],
                    "responsible": m["status_responsible"] or pick(m["responsible"], language),
                    "partners": m["partners"],
                    "status": m["status"],
                    "status_label": status_label(m["status"]),
                    "comment": m["comment"],
                }
                for m in goal["measures"]
            ]
            indicator_rows = []
            for i_index, indicator in enumerate(goal["indicators"]):
                element_id = f"i-{t_index}-{g_index}-{i_index}"
                filters = [pick(f, language) for f in indicator["filters"].values() if f]
                indicator_rows.append(
                    {
                        "id": element_id,
                        "uuid": indicator["uuid"],
                        "name": pick(indicator["name"], language),
                        "computed": indicator["kind"] == IndicatorKind.COMPUTED,
                        "unit": pick(indicator["unit"], language),
                        "definition": pick(indicator["definition"], language)
                        if indicator["definition"]
                        else "",
                        "filters": filters,
                        "scale": indicator["scale"],
                        "target": display(indicator["target"], indicator["value_type"])
                        if indicator["target"] is not None
                        else "",
                        "responsible": pick(indicator["responsible"], language)
                        if indicator["responsible"]
                        else "",
                        "rows": [
                            {
                                "year": p["year"],
                                "value": display(p["value"], indicator["value_type"]),
                                "comment": p["comment"],
                                "failed": bool(p["error"]),
                            }
                            for p in indicator["values"]
                        ],
                        "chart": chart_svg(indicator, language, element_id),
                    }
                )
            goals.append(
                {
                    "text": pick(goal["text"], language),
                    "measures": measures,
                    "indicators": indicator_rows,
                }
            )
        themes.append({"name": pick(theme["name"], language), "goals": goals})
    programme = report["programme"]
    counts = report["measure_counts"]
    return {
        "name": pick(programme["name"], language),
        "description": pick(programme["description"], language),
        "period": f"{programme['first_year']}–{programme['last_year']}",
        "adopted": programme["adopted"],
        "organisations": [pick(o["name"], language) for o in programme["organisations"]],
        "municipalities": [pick(m["name"], language) for m in programme["municipalities"]],
        "year": report["year"],
        "years": report["years"],
        "computed_on": report["computed_on"],
        "year_complete": report["year_complete"],
        "summary": pick(report["summary"], language),
        "counts": [
            {"status": code, "label": status_label(code), "count": counts.get(code, 0)}
            for code in [*MeasureStatus.values, "unreported"]
        ],
        "measures_total": sum(counts.values()),
        "themes": themes,
    }


# --- XLSX and CSV ---------------------------------------------------------------------------


def _sheet_title(name: str, taken: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "-"
    candidate, n = title, 2
    while candidate.casefold() in taken:
        suffix = f" ({n})"
        candidate, n = title[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.casefold())
    return candidate


def _xlsx_number(value):
    return value if value is not None else None


def report_xlsx(report: dict, language: str) -> bytes:
    """A workbook: a cover sheet, then one sheet per theme with its goals, the measures'
    status and every indicator's values per year. Figures are numbers, not text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    heading = Font(bold=True, size=14)
    wrap = Alignment(wrap_text=True, vertical="top")
    with translation.override(language):
        view = page_view(report, language)
        workbook = Workbook()
        cover = workbook.active
        taken: set[str] = set()
        cover.title = _sheet_title(_("Report"), taken)
        cover.append([view["name"]])
        cover["A1"].font = heading
        cover.append([_("Yearly report %(year)s") % {"year": report["year"]}])
        cover.append([_("Programme period"), view["period"]])
        cover.append([_("Organisations"), ", ".join(view["organisations"])])
        cover.append([_("Municipalities"), ", ".join(view["municipalities"])])
        cover.append([_("Figures computed on"), report["computed_on"]])
        cover.append([])
        cover.append([_("Measures by status in %(year)s") % {"year": report["year"]}])
        cover.cell(cover.max_row, 1).font = bold
        for row in view["counts"]:
            cover.append([row["label"], row["count"]])
        cover.append([])
        cover.append([_("Coordinator's summary")])
        cover.cell(cover.max_row, 1).font = bold
        cover.append([view["summary"]])
        cover.cell(cover.max_row, 1).alignment = wrap
        cover.column_dimensions["A"].width = 40
        cover.column_dimensions["B"].width = 60

        for theme in report["themes"]:
            sheet = workbook.create_sheet(_sheet_title(pick(theme["name"], language), taken))
            sheet.append([pick(theme["name"], language)])
            sheet["A1"].font = heading
            for goal in theme["goals"]:
                sheet.append([])
                sheet.append([_("Goal"), pick(goal["text"], language)])
                sheet.cell(sheet.max_row, 1).font = bold
                sheet.cell(sheet.max_row, 2).font = bold
                if goal["measures"]:
                    sheet.append(
                        [
                            _("Measure"),
                            _("Schedule"),
                            _("Responsible"),
                            _("Partners"),
                            _("Status %(year)s") % {"year": report["year"]},
                            _("Comment"),
                        ]
                    )
                    for cell in sheet[sheet.max_row]:
                        cell.font = bold
                    for measure in goal["measures"]:
                        sheet.append(
                            [
                                pick(measure["text"], language),
                                measure["schedule"],
                                measure["status_responsible"]
                                or pick(measure["responsible"], language),
                                measure["partners"],
                                status_label(measure["status"]),
                                measure["comment"],
                            ]
                        )
                if goal["indicators"]:
                    years = report["years"]
                    sheet.append(
                        [
                            _("Indicator"),
                            _("Unit"),
                            *years,
                            _("Comment %(year)s") % {"year": report["year"]},
                            _("Target"),
                        ]
                    )
                    for cell in sheet[sheet.max_row]:
                        cell.font = bold
                    for indicator in goal["indicators"]:
                        by_year = {p["year"]: p for p in indicator["values"]}
                        this_year = by_year.get(report["year"], {})
                        sheet.append(
                            [
                                pick(indicator["name"], language),
                                pick(indicator["unit"], language),
                                *(
                                    _xlsx_number(by_year[y]["value"]) if y in by_year else None
                                    for y in years
                                ),
                                this_year.get("comment", ""),
                                indicator["target"],
                            ]
                        )
                        row = sheet.max_row
                        if indicator["value_type"] == ValueType.PERCENTAGE:
                            for column in range(3, 3 + len(years)):
                                sheet.cell(row, column).number_format = "0.0"
            for column, width in zip(range(1, 7), (48, 18, 30, 30, 16, 40), strict=True):
                sheet.column_dimensions[get_column_letter(column)].width = width
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        cell.alignment = wrap
        out = io.BytesIO()
        workbook.save(out)
    return out.getvalue()


def report_csv(report: dict, language: str) -> str:
    """The report as one table: a row per measure (its status this year) and per indicator
    and year (its value). UTF-8 with a byte-order mark, so spreadsheet programs read the
    Finnish and Swedish letters right."""
    with translation.override(language):
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(
            [
                _("Theme"),
                _("Goal"),
                _("Type"),
                _("Name"),
                _("Year"),
                _("Value or status"),
                _("Unit"),
                _("Comment"),
                _("Responsible"),
            ]
        )
        types = {"measure": _("measure"), "indicator": _("indicator")}
        for row in flat_rows(report, language):
            value = (
                status_label(row["value"] or None)
                if row["type"] == "measure"
                else ("" if row["value"] is None else row["value"])
            )
            writer.writerow(
                [
                    row["theme"],
                    row["goal"],
                    types[row["type"]],
                    row["name"],
                    row["year"],
                    value,
                    row["unit"],
                    row["comment"],
                    row["responsible"],
                ]
            )
    return out.getvalue()
