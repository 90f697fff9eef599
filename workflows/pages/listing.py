"""Search, filters, sorting and pagination of the task lists (my tasks, the unit queue, the
manager's tasks), all kept in the query string so a filtered view can be bookmarked and
shared. The lists start from a selector that already narrows to what the user may see; this
only narrows further."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models import ClientCategory
from workflows.models import TASK_TITLES, Priority
from workflows.steps import STEPS

DUE_CHOICES = [
    ("", _("any time")),
    ("overdue", _("overdue")),
    ("today", _("due today")),
    ("week", _("due within 7 days")),
    ("later", _("due later")),
    ("none", _("no due date")),
]

# sort key → the ordering it stands for (ascending); "-key" sorts descending
SORTS = {
    "due": ("due_on", "priority", "created_at"),
    "task": ("step", "due_on"),
    "case": ("case__number",),
    "client": ("case__client__last_name", "case__client__first_names"),
    "queue": ("unit__name_fi", "due_on"),
    "owner": ("owner__last_name", "owner__first_name", "due_on"),
    "priority": ("priority", "due_on"),
    "created": ("created_at",),
    "finished": ("finished_at",),
}
DEFAULT_SORT = "due"
PER_PAGE_CHOICES = (25, 50, 100)


def _ordering(sort: str):
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in SORTS:
        key, descending = DEFAULT_SORT, False
    fields = []
    for name in SORTS[key]:
        expression = F(name)
        fields.append(
            expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        )
    fields.append(F("pk").desc() if descending else F("pk").asc())
    return fields


class TaskFilterForm(forms.Form):
    """The filters of a task list. Every field is optional; unknown values are ignored and
    reported, never an error page."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Case number or the client's name"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    step = forms.ChoiceField(label=_("Step"), required=False)
    unit = forms.TypedChoiceField(label=_("Queue"), required=False, coerce=int, empty_value=None)
    due = forms.ChoiceField(label=_("Due"), required=False, choices=DUE_CHOICES)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("any priority")), *Priority.choices],
    )
    category = forms.ChoiceField(
        label=_("Client category"),
        required=False,
        choices=[("", _("any category")), *ClientCategory.choices],
    )
    owner = forms.ChoiceField(label=_("Assigned to"), required=False)

    def __init__(self, data, *, units=(), owners=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["step"].choices = [("", _("any step"))] + [
            (name, TASK_TITLES.get(name, name)) for name in STEPS
        ]
        self.fields["unit"].choices = [("", _("any queue"))] + [
            (u.pk, f"{u.name} ({u.organisation.name})") for u in units
        ]
        if len(units) <= 1:
            del self.fields["unit"]
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = [
                ("", _("anyone")),
                ("none", _("nobody (in the queue)")),
                *[(str(u.pk), u.get_full_name() or u.get_username()) for u in owners],
            ]


@dataclass
class TaskList:
    """A filtered, sorted task list and what the page shows about it."""

    queryset: object
    form: TaskFilterForm
    sort: str
    per_page: int
    ignored: list = field(default_factory=list)
    chips: list = field(default_factory=list)


def filter_tasks(params, queryset, *, units=(), owners=None, extra=None) -> TaskList:
    """Narrow ``queryset`` (CaseTask rows the user may see) by the query string."""
    form = TaskFilterForm(params, units=units, owners=owners)
    form.is_valid()
    data = {name: form.cleaned_data.get(name) for name in form.fields if name in form.cleaned_data}
    ignored = [str(form.fields[name].label) for name in form.errors]
    today = timezone.localdate()
    qs = queryset
    chips = []

    def chip(name, text):
        chips.append({"name": name, "label": str(form.fields[name].label), "value": text})

    query = (data.get("q") or "").strip()
    if query:
        qs = qs.filter(search_condition(query))
        chip("q", query)
    if data.get("step"):
        qs = qs.filter(step=data["step"])
        chip("step", dict(form.fields["step"].choices)[data["step"]])
    if data.get("unit"):
        qs = qs.filter(unit_id=data["unit"])
        chip("unit", dict(form.fields["unit"].choices).get(data["unit"], ""))
    due = data.get("due")
    if due:
        qs = {
            "overdue": lambda q: q.filter(due_on__lt=today),
            "today": lambda q: q.filter(due_on=today),
            "week": lambda q: q.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(7)),
            "later": lambda q: q.filter(due_on__gt=today + dt.timedelta(7)),
            "none": lambda q: q.filter(due_on__isnull=True),
        }[due](qs)
        chip("due", dict(DUE_CHOICES)[due])
    if data.get("priority"):
        qs = qs.filter(priority=data["priority"])
        chip("priority", Priority(data["priority"]).label)
    if data.get("category"):
        qs = qs.filter(case__category=data["category"])
        chip("category", ClientCategory(data["category"]).label)
    owner = data.get("owner")
    if owner == "none":
        qs = qs.filter(owner__isnull=True)
        chip("owner", dict(form.fields["owner"].choices)["none"])
    elif owner:
        qs = qs.filter(owner_id=int(owner))
        chip("owner", dict(form.fields["owner"].choices)[owner])
    for name, (condition, text) in (extra or {}).items():
        qs = qs.filter(condition)
        chips.append({"name": name, "label": text[0], "value": text[1]})
    sort = params.get("sort") or DEFAULT_SORT
    if sort.lstrip("-") not in SORTS:
        ignored.append(str(_("Sort")))
        sort = DEFAULT_SORT
    try:
        per_page = int(params.get("per_page") or PER_PAGE_CHOICES[0])
    except ValueError:
        per_page = PER_PAGE_CHOICES[0]
    if per_page not in PER_PAGE_CHOICES:
        per_page = PER_PAGE_CHOICES[0]
    return TaskList(
        queryset=qs.order_by(*_ordering(sort)),
        form=form,
        sort=sort,
        per_page=per_page,
        ignored=ignored,
        chips=chips,
    )


CASE_NUMBER = re.compile(r"^(?:(\d{4})-)?0*(\d{1,6})$")


def search_condition(query: str, prefix: str = "case__") -> Q:
    """Words of a task list's search box: a case number ("000003", "3", "2026-000003") or
    parts of the client's name, each word matching the start of a first or last name."""
    query = query.strip()
    match = CASE_NUMBER.match(query)
    if match:
        year, serial = match.groups()
        suffix = f"-{int(serial):06d}"
        if year:
            return Q(**{f"{prefix}number": f"{year}{suffix}"})
        return Q(**{f"{prefix}number__endswith": suffix})
    condition = Q()
    for word in query.split()[:4]:
        condition &= Q(**{f"{prefix}client__last_name__icontains": word}) | Q(
            **{f"{prefix}client__first_names__icontains": word}
        )
    return condition
