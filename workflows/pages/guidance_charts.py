"""Charts of the guidance statistics as server-rendered SVG: no script and no library in
the browser, crisp in print. Each chart is an image with a short text alternative; the
figures themselves are in the table printed beside it, which screen readers use."""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

ROW = 26
LABEL_WIDTH = 210
BAR_WIDTH = 300
VALUE_WIDTH = 60


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(items, *, label: str, limit: int = 12) -> SafeString:
    """Horizontal bars, largest first as given; ``label`` is the text alternative."""
    items = list(items)[:limit]
    peak = max([item.count for item in items] + [1])
    height = ROW * max(len(items), 1) + 8
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    rows = []
    for index, item in enumerate(items):
        y = 4 + index * ROW
        bar = round(BAR_WIDTH * item.count / peak)
        rows.append(
            (
                LABEL_WIDTH - 8,
                y + 17,
                _short(item.label),
                LABEL_WIDTH,
                y + 4,
                max(bar, 1 if item.count else 0),
                LABEL_WIDTH + bar + 6,
                y + 17,
                item.count,
            )
        )
    body = format_html_join(
        "",
        '<text x="{}" y="{}" text-anchor="end" class="chart-label">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="16" class="chart-bar"></rect>'
        '<text x="{}" y="{}" class="chart-value">{}</text>',
        rows,
    )
    return format_html(
        '<svg class="chart-svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="{}" focusable="false" xmlns="http://www.w3.org/2000/svg">{}</svg>',
        width,
        height,
        width,
        height,
        label,
        body,
    )


def trend_chart(items, *, label: str) -> SafeString:
    """Columns by month, with the month under each column."""
    items = list(items)
    peak = max([item.count for item in items] + [1])
    chart_height = 160
    column = 44
    width = max(column * len(items), column) + 20
    height = chart_height + 46
    cols = []
    for index, item in enumerate(items):
        x = 10 + index * column
        h = round(chart_height * item.count / peak)
        cols.append(
            (
                x + 4,
                chart_height - h + 18,
                column - 8,
                max(h, 1 if item.count else 0),
                x + column // 2,
                chart_height - h + 13,
                item.count,
                x + column // 2,
                chart_height + 34,
                item.label[5:7] + "/" + item.label[2:4],
            )
        )
    body = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" class="chart-bar"></rect>'
        '<text x="{}" y="{}" text-anchor="middle" class="chart-value">{}</text>'
        '<text x="{}" y="{}" text-anchor="middle" class="chart-label">{}</text>',
        cols,
    )
    return format_html(
        '<svg class="chart-svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-label="{}" focusable="false" xmlns="http://www.w3.org/2000/svg">'
        '<line x1="8" x2="{}" y1="{}" y2="{}" class="chart-axis"></line>{}</svg>',
        width,
        height,
        width,
        height,
        label,
        width - 8,
        chart_height + 18,
        chart_height + 18,
        body,
    )
