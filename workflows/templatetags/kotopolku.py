"""Template helpers of the pages: required-field marks and the error summary (GOV.UK
patterns), sortable column headers, and how organisations, units, addresses and languages
are shown."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from casework.languages import language_name
from workflows.models import Priority

register = template.Library()


@register.filter
def is_required(bound_field) -> bool:
    """Required to submit, or required to complete the step (a draft may leave it empty):
    the form names those in ``required_to_complete``."""
    if bound_field.field.required:
        return True
    return bound_field.name in getattr(bound_field.form, "required_to_complete", ())


def _widget_id(bound_field) -> str:
    widget = bound_field.field.widget
    if getattr(widget, "input_type", None) in ("radio",) or widget.__class__.__name__ in (
        "RadioSelect",
        "CheckboxSelectMultiple",
    ):
        return f"{bound_field.auto_id}_0"
    return bound_field.id_for_label or bound_field.auto_id


def _form_errors(form, label_prefix=""):
    entries = []
    for message in form.non_field_errors():
        entries.append({"message": f"{label_prefix}{message}", "href": ""})
    for bound in form:
        for message in bound.errors:
            entries.append(
                {
                    "message": f"{label_prefix}{bound.label}: {message}",
                    "href": "#" + _widget_id(bound),
                }
            )
    return entries


@register.inclusion_tag("workflows/_error_summary.html")
def error_summary(*forms):
    """The GOV.UK error summary for forms and formsets: one link per field error, in the order
    the fields are on the page; non-field errors as plain lines."""
    entries = []
    for form in forms:
        if form is None or not getattr(form, "is_bound", False):
            continue
        if hasattr(form, "forms"):  # a formset
            for message in form.non_form_errors():
                entries.append({"message": str(message), "href": ""})
            for index, sub in enumerate(form.forms, start=1):
                entries += _form_errors(sub, label_prefix=_("Row %(n)s, ") % {"n": index})
        else:
            entries += _form_errors(form)
    return {"entries": entries}


@register.filter
def unit_label(obj) -> str:
    """``Organisation / unit``, or the organisation alone when its name already ends with the
    unit's ("Kokkolan kaupunki, Kotoutumispalvelut" / "Kotoutumispalvelut")."""
    organisation = getattr(obj, "responsible_organisation", None) or obj.unit.organisation
    unit = obj.unit
    org_name, unit_name = str(organisation.name), str(unit.name)
    if not unit_name or org_name.casefold().endswith(unit_name.casefold()):
        return org_name
    return f"{org_name} / {unit_name}"


@register.filter
def address_lines(client) -> list[str]:
    """The client's address and contact details as lines; empty parts left out."""
    street = client.street_address.strip()
    town = " ".join(p for p in (client.postal_code.strip(), client.post_office.strip()) if p)
    lines = [", ".join(p for p in (street, town) if p)]
    lines += [client.phone.strip(), client.email.strip()]
    return [line for line in lines if line]


@register.filter
def language(code) -> str:
    return language_name(code) if code else ""


@register.simple_tag(takes_context=True)
def sort_header(context, key, label, default=""):
    """A sortable column header's link and ``aria-sort``: the first click sorts ascending,
    the next descending. The other query parameters are kept; the page goes back to 1."""
    request = context["request"]
    current = request.GET.get("sort") or default
    params = request.GET.copy()
    params.pop("page", None)
    if current == key:
        params["sort"], state = f"-{key}", "ascending"
    elif current == f"-{key}":
        params["sort"], state = key, "descending"
    else:
        params["sort"], state = key, None
    return {"url": "?" + params.urlencode(), "state": state, "label": label}


# The UUID a list reverses its row links with once; ``with_uuid`` puts each row's own in.
ROW_UUID = "00000000-0000-0000-0000-000000000000"


@register.simple_tag
def row_url(name: str) -> str:
    """The address ``name`` of a list's rows, reversed once with ``ROW_UUID`` in place of the
    row's UUID (``{% row_url 'workflows:task' as task_href %}``)."""
    return reverse(name, args=[ROW_UUID])


@register.filter
def with_uuid(url: str, uuid) -> str:
    """``url`` (reversed once for the list with ``ROW_UUID``) for the row whose UUID is
    ``uuid``: a 25-row list reverses its links once instead of 75 times."""
    return url.replace(ROW_UUID, str(uuid))


@register.simple_tag(takes_context=True)
def due(context, task, dates=None):
    """A task's due date with "overdue", "due today" and "high priority" badges (every task
    list and the task page show it alike). ``dates``: the dates a list has already formatted,
    by day."""
    today = context.get("today") or timezone.localdate()
    parts = []
    if task.due_on:
        if dates is None:
            shown = date_format(task.due_on, "SHORT_DATE_FORMAT")
        else:
            shown = dates.get(task.due_on)
            if shown is None:
                shown = dates[task.due_on] = date_format(task.due_on, "SHORT_DATE_FORMAT")
        if task.is_overdue(today):
            parts.append(
                format_html(
                    '<span class="overdue">{} <span class="badge high">{}</span></span>',
                    shown,
                    _("overdue"),
                )
            )
        elif task.is_open and task.due_on == today:
            parts.append(
                format_html('{} <span class="badge protected">{}</span>', shown, _("due today"))
            )
        else:
            parts.append(format_html("{}", shown))
    else:
        parts.append("–")
    if task.priority == Priority.HIGH:
        parts.append(format_html(' <span class="badge high">{}</span>', _("high priority")))
    return mark_safe("".join(str(part) for part in parts))


@register.simple_tag(takes_context=True)
def task_rows(context, tasks, mode="inbox", show_owner=False):
    """The rows of a task list (``_task_rows.html``), written in Python: a list of 25–100 rows
    took a third of its page's time through the template engine. Each row: due badges, the
    step (a link to the task), the case (a link to the case), the client with a non-disclosure
    badge, the queue, whom it is assigned to (``show_owner``), and the action: "Open", or in
    the queue (``mode="queue"``) "Take" when the user's roles may (``task.claimable``). Every
    value is escaped (``esc``); the labels once for all rows."""
    esc = conditional_escape
    due_l, task_l, case_l = esc(_("Due")), esc(_("Task")), esc(_("Case"))
    client_l, queue_l, owner_l = esc(_("Client")), esc(_("Queue")), esc(_("Assigned to"))
    protected = f' <span class="badge protected">{esc(_("non-disclosure"))}</span>'
    open_text, take_text = esc(_("Open")), esc(_("Take"))
    other_role = f'<span class="muted">{esc(_("Needs another role"))}</span>'
    task_href, case_href = row_url("workflows:task"), row_url("workflows:case")
    claim_href = row_url("workflows:claim")
    csrf = (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(context.get("csrf_token"))}">'
    )
    dates = {}  # due_on → its short date, formatted once per list
    rows = []
    for task in tasks:
        case = task.case
        client = case.client
        own, title, number = str(task.uuid), esc(task.title), esc(case.number)
        hidden = f'<span class="visually-hidden"> {title}, {number}</span>'
        task_link = esc(with_uuid(task_href, own))
        if mode != "queue":
            action = f'<a class="button" href="{task_link}">{open_text}{hidden}</a>'
        elif task.claimable:
            action = (
                f'<form method="post" action="{esc(with_uuid(claim_href, own))}">{csrf}'
                f'<button type="submit">{take_text}{hidden}</button></form>'
            )
        else:
            action = other_role
        owner = ""
        if show_owner:
            name = (task.owner.get_full_name() if task.owner_id else "") or "–"
            owner = f'<td data-label="{owner_l}">{esc(name)}</td>'
        rows.append(
            f'<tr><td data-label="{due_l}">{due(context, task, dates)}</td>'
            f'<td data-label="{task_l}"><a href="{task_link}">{title}</a></td>'
            f'<td data-label="{case_l}" class="nowrap">'
            f'<a href="{esc(with_uuid(case_href, str(case.uuid)))}">{number}</a></td>'
            f'<td data-label="{client_l}">{esc(client.full_name)}'
            f"{protected if client.non_disclosure else ''}</td>"
            f'<td data-label="{queue_l}">{esc(task.unit.name)}</td>{owner}'
            f'<td class="row-action">{action}</td></tr>\n'
        )
    return mark_safe("".join(rows))
