"""The path as a BPMN-style chart (SVG) and as a plain step-by-step progress list.

The chart takes viewflow's layout (where each node and edge goes) and draws it itself: labels
in sentence case at a readable size, each gateway's question written beside it, the review's
outcomes named on their branches, a legend of the colours, and a view box that holds every
shape and label. Only presentation attributes are used (the Content-Security-Policy allows
no inline style)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from textwrap import wrap

from django.template.loader import render_to_string
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from viewflow.workflow import chart, flow

from casework.models import CaseState
from workflows.flows import IntegrationFlow

FONT = 13
LINE = 16
MARGIN = 24

FILL = {
    "done": "#cfe8d4",
    "current": "#fde49a",
    "waiting": "#cde3f7",
    "cancelled": "#dcdfe3",
    None: "#ffffff",
}
STATUS_OF_TASK = {
    "DONE": "done",
    "STARTED": "current",
    "ASSIGNED": "current",
    "NEW": "waiting",
    "SCHEDULED": "waiting",
    "CANCELED": "cancelled",
    "ERROR": "cancelled",
}
# Each branch says the answer to its gateway's question, instead of a bare "yes" or "no".
BRANCH_LABELS = {
    ("needs_wellbeing", "invite_wellbeing"): gettext_lazy("wellbeing area needed"),
    ("needs_wellbeing", "needs_plan"): gettext_lazy("wellbeing area not needed"),
    ("needs_plan", "draft_plan"): gettext_lazy("plan needed"),
    ("needs_plan", "end"): gettext_lazy("no plan needed"),
    ("agreed", "approve"): gettext_lazy("client agreed"),
    ("agreed", "after_refusal"): gettext_lazy("client refused"),
    ("after_refusal", "wait_review"): gettext_lazy("earlier plan still in force"),
    ("after_refusal", "end"): gettext_lazy("no plan in force"),
    ("review_outcome", "draft_plan"): gettext_lazy("plan revised"),
    ("review_outcome", "wait_review"): gettext_lazy("plan goes on"),
    ("review_outcome", "end"): gettext_lazy("plan ends"),
    ("split", "wellbeing_contribution"): gettext_lazy("wellbeing area"),
    ("split", "responsible_contribution"): gettext_lazy("responsible worker"),
}


def _kind(node) -> str:
    if isinstance(node, flow.End):
        return "end"
    if isinstance(node, flow.StartHandle | flow.Start):
        return "start"
    if isinstance(node, flow.Timer):
        return "timer"
    if isinstance(node, flow.If | flow.Switch | flow.Split | flow.Join):
        return "gateway"
    return "task"


@dataclass
class Shape:
    name: str
    kind: str
    x: float
    y: float
    w: float
    h: float
    fill: str
    lines: list
    label_x: float = 0
    label_y: float = 0
    title: str = ""
    marker: str = ""
    anchor: str = "middle"
    small: bool = False

    @property
    def cx(self):
        return self.x + self.w / 2

    @property
    def cy(self):
        return self.y + self.h / 2

    @property
    def r(self):
        return self.w / 2 - 2

    @property
    def diamond(self):
        return (
            f"M{self.x},{self.cy} L{self.cx},{self.y} L{self.x + self.w},{self.cy} "
            f"L{self.cx},{self.y + self.h} Z"
        )

    @property
    def clock(self):
        return f"M{self.cx},{self.cy} v-10 M{self.cx},{self.cy} h8"


# Room between the columns and rows for the gateways' questions and the branch names
# (viewflow leaves 25 px). viewflow reads its module constant while it lays the chart out, so
# the layout is made once per process under a lock, and shared: it does not depend on the
# case or the language.
GAP = 64
_layout_lock = threading.Lock()


@cache
def _shared_layout():
    with _layout_lock:
        saved = chart.GAP_SIZE
        chart.GAP_SIZE = GAP
        try:
            return chart.calc_layout_data(IntegrationFlow)
        finally:
            chart.GAP_SIZE = saved


def _statuses(process_pk=None, *, case_id=None) -> dict:
    """``{node name: status}`` of the tasks of a path (``process_pk``) or of a case's path
    (``case_id``), as viewflow's chart colours them: the latest task of each node, a new one
    not hiding an earlier one's status."""
    statuses = {}
    tasks = IntegrationFlow.task_class._default_manager.filter(
        **{"process_id": process_pk}
        if case_id is None
        else {"process__integrationprocess__case_id": case_id}
    ).order_by("created")
    for task in tasks:
        name = task.flow_task.name
        if name in statuses and task.status == "NEW":
            continue
        statuses[name] = task.status
    return statuses


def _layout(process_pk=None):
    grid = _shared_layout()
    return grid, _statuses(process_pk) if process_pk is not None else {}


def _free_spot(pos, width, placed, height=14):
    """``pos`` moved down, a line at a time, until the label there overlaps no label placed
    before (two branches that leave a gateway at the same point)."""
    x, y = pos
    while any(abs(y - py) < height and x < px + pw and px < x + width for px, py, pw in placed):
        y += height
    placed.append((x, y, width))
    return (x, y)


def flow_svg(process_pk=None) -> str:
    """The chart of the path; with ``process_pk``, coloured by where that case's path is."""
    return render_to_string("workflows/flow_chart.svg", _drawing(process_pk))


def chart_focus(case_id) -> tuple[float, float] | None:
    """Where in the chart (as fractions of its width and height) the case is now: the page
    scrolls the full-size chart there. The chart's geometry is the same for every case (in
    one language), so only the statuses of the case's tasks are read (one query)."""
    statuses = _statuses(case_id=case_id)
    (x0, y0, width, height), centres = _geometry(get_language())
    fills = [
        (FILL[STATUS_OF_TASK.get(str(statuses.get(name, "")).upper())], cx, cy)
        for name, cx, cy in centres
    ]
    for wanted in (FILL["current"], FILL["waiting"], FILL["done"]):
        found = [(cx, cy) for fill, cx, cy in fills if fill == wanted]
        if found:
            cx, cy = found[-1] if wanted == FILL["done"] else found[0]
            return (round((cx - x0) / width, 3), round((cy - y0) / height, 3))
    return None


@cache
def _geometry(language) -> tuple:
    """The chart's view box and its shapes' centres in drawing order, in ``language`` (the
    labels' lengths move the view box)."""
    drawing = _drawing()
    return drawing["view"], [(s.name, s.cx, s.cy) for s in drawing["shapes"]]


def _drawing(process_pk=None) -> dict:
    grid, statuses = _layout(process_pk)
    shapes = []
    min_x, min_y, max_x, max_y = 0.0, 0.0, float(grid.width), float(grid.height)
    for cell in grid.cells:
        node = cell.node
        kind = _kind(node)
        status = STATUS_OF_TASK.get(str(statuses.get(node.name, "")).upper())
        x, y, w, h = cell.shape.x, cell.shape.y, cell.shape.width, cell.shape.height
        title = str(node.task_title or node.name.replace("_", " ").capitalize())
        shape = Shape(node.name, kind, x, y, w, h, FILL[status], [], title=title)
        if kind == "task":
            lines = wrap(title, 20, break_long_words=False)[:5]
            shape.small = any(len(line) > 19 for line in lines)
            top = y + h / 2 - (len(lines) - 1) * LINE / 2
            shape.lines = [(x + w / 2, top + n * LINE + 4, text) for n, text in enumerate(lines)]
        elif kind != "gateway":
            # events: the label above the circle (a gateway's question is said by the
            # labels of its branches, and is its tooltip)
            lines = wrap(title, 24, break_long_words=False)[:3]
            base = y - 8 - (len(lines) - 1) * LINE
            shape.lines = [(x + w / 2, base + n * LINE, text) for n, text in enumerate(lines)]
            min_y = min(min_y, base - LINE)
        # BPMN: an exclusive gateway is marked ×, a parallel one +
        if isinstance(node, flow.If | flow.Switch):
            shape.marker = "×"
        elif isinstance(node, flow.Split | flow.Join):
            shape.marker = "+"
        for lx, _ly, text in shape.lines:
            width = len(text) * FONT * 0.62
            if shape.anchor == "end":
                min_x = min(min_x, lx - width)
            else:
                min_x, max_x = min(min_x, lx - width / 2), max(max_x, lx + width / 2)
        shapes.append(shape)
    edges = []
    placed = []
    for edge in grid.edges:
        label = BRANCH_LABELS.get((edge.src.name, edge.dst.name)) or edge.label or ""
        points = " ".join(f"{px},{py}" for px, py in edge.segments)
        label_pos = edge.label_pos
        if label and not label_pos and edge.segments:
            (x1, y1), (x2, y2) = edge.segments[0], edge.segments[min(1, len(edge.segments) - 1)]
            label_pos = ((x1 + x2) / 2 + 6, (y1 + y2) / 2 - 6)
        if label and label_pos:
            label_pos = _free_spot(label_pos, len(str(label)) * 7, placed)
        edges.append({"points": points, "label": str(label), "pos": label_pos})
        for px, py in edge.segments:
            min_x, max_x = min(min_x, px), max(max_x, px)
            min_y, max_y = min(min_y, py), max(max_y, py)
        if label_pos:
            max_x = max(max_x, label_pos[0] + len(str(label)) * 7)
    legend_y = max_y + 30
    legend = [
        (FILL["done"], _("done")),
        (FILL["current"], _("in progress")),
        (FILL["waiting"], _("waiting in a queue")),
        (FILL["cancelled"], _("cancelled")),
        (FILL[None], _("not reached")),
    ]
    legend_items = []
    lx = min_x
    for colour, text in legend:
        legend_items.append(
            {
                "x": lx,
                "y": legend_y,
                "fill": colour,
                "text": text,
                "tx": lx + 24,
                "ty": legend_y + 12,
            }
        )
        lx += 36 + len(text) * 7.5
    max_x = max(max_x, lx)
    height = legend_y + 24
    return {
        "view": (
            round(min_x - MARGIN),
            round(min_y - MARGIN),
            round(max_x - min_x + 2 * MARGIN),
            round(height - min_y + MARGIN),
        ),
        "shapes": shapes,
        "edges": edges,
        "legend": legend_items,
        "legend_title": _("Colours:"),
        "legend_title_y": legend_y - 8,
        "title": _("The integration path"),
        "font": FONT,
    }


@dataclass
class Stage:
    key: str
    title: str
    status: str  # done, current, ahead, skipped
    note: str = ""


def progress(case, open_tasks, *, invited: bool, had_plan=None) -> list[Stage]:
    """The statutory chain as plain steps, each done, current, ahead or not taken
    (``invited``: whether the case has participations; ``had_plan``: whether it has plans,
    when the caller has already read them)."""
    state = case.state
    order = [
        CaseState.INTAKE,
        CaseState.ASSESSMENT,
        CaseState.MULTI_PROFESSIONAL,
        CaseState.PLANNING,
        CaseState.PLAN_ACTIVE,
    ]
    titles = {
        "intake": _("Contact"),
        "assessment": _("Assessment of service needs"),
        "multi": _("Wellbeing area's participation"),
        "plan": _("Integration plan"),
        "follow_up": _("Follow-up and review"),
        "end": _("End"),
    }
    closed = state == CaseState.CLOSED
    had_plan = bool(case.plan_approved_on) or (
        case.plans.exists() if had_plan is None else had_plan
    )
    position = order.index(state) if state in order else len(order)
    tasks = ", ".join(sorted({str(t.title) for t in open_tasks}))

    def status_of(index, taken=True):
        if not taken:
            return "skipped"
        if closed or position > index:
            return "done"
        return "current" if position == index else "ahead"

    stages = [
        Stage("intake", titles["intake"], status_of(0)),
        Stage("assessment", titles["assessment"], status_of(1)),
    ]
    multi_taken = invited or position <= 2 and not case.assessment_completed_on
    multi = Stage("multi", titles["multi"], status_of(2, multi_taken))
    if multi.status == "skipped":
        multi.note = _("not needed")
    elif multi.status == "ahead":
        multi.note = _("if needed")
    stages.append(multi)
    plan_taken = had_plan or not closed
    plan = Stage("plan", titles["plan"], status_of(3, plan_taken))
    if plan.status == "skipped":
        plan.note = _("no plan")
    stages.append(plan)
    follow = Stage(
        "follow_up", titles["follow_up"], status_of(4, bool(case.plan_approved_on) or not closed)
    )
    if follow.status == "skipped":
        follow.note = _("not reached")
    stages.append(follow)
    end = Stage("end", titles["end"], "done" if closed else "ahead")
    if closed:
        end.note = case.get_close_reason_display()
    stages.append(end)
    for stage in stages:
        if stage.status == "current" and tasks:
            stage.note = tasks
    return stages
