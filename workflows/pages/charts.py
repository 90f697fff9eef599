"""Geometry of the dashboard's charts, drawn as inline SVG with presentation attributes only
(the Content-Security-Policy allows no inline style). Each chart also has its figures as a
table beside it, for screen readers and for anyone who wants the numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

PALETTE = [
    "#0b4f8a",
    "#d4351c",
    "#00703c",
    "#f47738",
    "#4c2c92",
    "#85994b",
    "#b58840",
    "#28a197",
    "#6f72af",
]


def _nice_max(value: int) -> int:
    """A round upper end for an axis: 1, 2, 5, 10, 20, 50, ..."""
    value = max(int(value), 1)
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _ticks(top: int) -> list[int]:
    """Evenly spaced whole-number ticks up to ``top`` (a value of ``_nice_max``)."""
    if top <= 5:
        return list(range(0, top + 1))
    return [top * n // 5 for n in range(6)]


@dataclass
class Bar:
    label: str
    value: int
    href: str
    x: float
    y: float
    width: float
    height: float
    label_x: float = 0
    label_y: float = 0
    value_x: float = 0
    value_y: float = 0


@dataclass
class Chart:
    width: int
    height: int
    bars: list = field(default_factory=list)
    ticks: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    plot: dict = field(default_factory=dict)


def horizontal_bars(rows, *, label_width=150, width=640, bar=26, gap=10) -> Chart:
    """``rows``: dicts with label, value, href. Bars grow to the right from the labels."""
    top = _nice_max(max([r["value"] for r in rows] + [1]))
    plot_x, plot_w = label_width + 10, width - label_width - 60
    chart = Chart(width=width, height=len(rows) * (bar + gap) + gap + 20)
    for n, row in enumerate(rows):
        y = gap + n * (bar + gap)
        length = plot_w * row["value"] / top
        chart.bars.append(
            Bar(
                label=row["label"],
                value=row["value"],
                href=row.get("href", ""),
                x=plot_x,
                y=y,
                width=max(length, 0),
                height=bar,
                label_x=label_width,
                label_y=y + bar * 0.68,
                value_x=plot_x + length + 6,
                value_y=y + bar * 0.68,
            )
        )
    chart.plot = {"x": plot_x, "y": gap, "w": plot_w, "bottom": chart.height - 20}
    chart.ticks = [
        {"value": t, "x": plot_x + plot_w * t / top, "y": chart.height - 5} for t in _ticks(top)
    ]
    return chart


def columns(rows, *, width=640, height=240) -> Chart:
    """``rows``: dicts with label, value, href; one column each, zero columns drawn as a
    baseline mark so an empty week is visibly there."""
    left, right, top_pad, bottom = 40, 10, 16, 40
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = _nice_max(max([r["value"] for r in rows] + [1]))
    slot = plot_w / max(len(rows), 1)
    chart = Chart(width=width, height=height)
    chart.plot = {"x": left, "y": top_pad, "w": plot_w, "h": plot_h, "bottom": top_pad + plot_h}
    for n, row in enumerate(rows):
        h = plot_h * row["value"] / top
        x = left + n * slot + slot * 0.15
        chart.bars.append(
            Bar(
                label=row["label"],
                value=row["value"],
                href=row.get("href", ""),
                x=x,
                y=top_pad + plot_h - h,
                width=slot * 0.7,
                height=max(h, 0),
                label_x=left + n * slot + slot / 2,
                label_y=height - bottom + 18,
                value_x=left + n * slot + slot / 2,
                value_y=top_pad + plot_h - h - 4,
            )
        )
    chart.ticks = [
        {"value": t, "x": left - 6, "y": top_pad + plot_h - plot_h * t / top + 4}
        for t in _ticks(top)
    ]
    return chart


def lines(labels, series, *, width=640, height=260) -> Chart:
    """``series``: ``[(name, [values...]), ...]`` over the same ``labels``."""
    left, right, top_pad, bottom = 40, 44, 16, 40
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = _nice_max(max([v for _name, values in series for v in values] + [1]))
    step = plot_w / max(len(labels) - 1, 1)
    chart = Chart(width=width, height=height)
    chart.plot = {"x": left, "y": top_pad, "w": plot_w, "h": plot_h, "bottom": top_pad + plot_h}
    chart.bars = [
        Bar(
            label=label,
            value=0,
            href="",
            x=left + n * step,
            y=0,
            width=0,
            height=0,
            label_x=left + n * step,
            label_y=height - bottom + 18,
        )
        for n, label in enumerate(labels)
    ]
    for index, (name, values) in enumerate(series):
        points = [
            (round(left + n * step, 1), round(top_pad + plot_h - plot_h * v / top, 1))
            for n, v in enumerate(values)
        ]
        chart.lines.append(
            {
                "name": name,
                "colour": PALETTE[index % len(PALETTE)],
                "swatch": f"s{index % len(PALETTE)}",
                "points": " ".join(f"{x},{y}" for x, y in points),
                "dots": points,
                "values": values,
                "dash": "" if index < len(PALETTE) else "6 3",
            }
        )
    chart.ticks = [
        {"value": t, "x": left - 6, "y": top_pad + plot_h - plot_h * t / top + 4}
        for t in _ticks(top)
    ]
    return chart
