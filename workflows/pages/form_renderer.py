"""The form renderer of every page (``FORM_RENDERER``): Django's own, except that the widgets
the pages use most, and the lists of errors, are written in Python instead of through a template per widget, per option
and per attribute.

The output is byte for byte what Django's templates write (``tests/pages/test_form_renderer.py``
renders every case both ways); a widget template this module does not know, or one a project
template overrides, still goes through the template engine. A task page has some twenty
widgets, the draft plan six hundred options, and a task list's filters four selects: rendering
them through templates was a sixth of those pages' time.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"


def _text(value) -> str:
    """``{{ value }}`` in a template: local time and format, then escaped."""
    return conditional_escape(localize(template_localtime(value)))


def _as_s(value) -> str:
    """``{{ value|stringformat:'s' }}``: ``str`` of it, escaped unless it is safe."""
    return conditional_escape(value if isinstance(value, SafeString) else str(value))


def _attrs(attrs: dict) -> str:
    """``attrs.html``: in their order, a True value bare, a False one left out."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_as_s(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    kind, name, value = _text(widget["type"]), _text(widget["name"]), widget["value"]
    shown = "" if value is None else f' value="{_as_s(value)}"'
    return f'<input type="{kind}" name="{name}"{shown}{_attrs(widget["attrs"])}>\n'


def _input_family(widget: dict) -> str:
    """``text.html``, ``checkbox.html`` and the rest: ``input.html`` included, and a line
    break of their own."""
    return _input(widget) + "\n"


def _option(option: dict) -> str:
    value, attrs, label = _as_s(option["value"]), _attrs(option["attrs"]), _text(option["label"])
    return f'<option value="{value}"{attrs}>{label}</option>\n'


def _select(widget: dict) -> str:
    name, attrs = _text(widget["name"]), _attrs(widget["attrs"])
    parts = [f'<select name="{name}"{attrs}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f'\n  <optgroup label="{_text(group)}">')
        for option in options:
            parts.append("\n  ")
            parts.append(_option(option))
        if group:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


def _textarea(widget: dict) -> str:
    name, attrs, value = _text(widget["name"]), _attrs(widget["attrs"]), widget["value"]
    content = _text(value) if value else ""
    return f'<textarea name="{name}"{attrs}>\n{content}</textarea>\n'


def _input_option(option: dict) -> str:
    """``input_option.html`` (the ``radio_option.html`` and ``checkbox_option.html`` it is
    included by add their own line break)."""
    if not option["wrap_label"]:
        return _input(option) + "\n\n"
    target = option["attrs"].get("id")
    label_for = f' for="{_text(target)}"' if target else ""
    label = _text(option["label"])
    return f"<label{label_for}>{_input(option)} {label}</label>\n\n"


def _multiple_input(widget: dict) -> str:
    """``radio.html`` and ``checkbox_select.html`` (``multiple_input.html``)."""
    attrs = widget["attrs"]
    own_id = f' id="{_text(attrs.get("id"))}"' if attrs.get("id") else ""
    css = f' class="{_text(attrs.get("class"))}"' if attrs.get("class") else ""
    parts = [f"<div{own_id}{css}>"]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{_text(group)}</label>")
        for option in options:
            parts.append("<div>\n    ")
            parts.append(_input_option(option))
            parts.append("</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>\n\n")
    return "".join(parts)


WRITERS = {
    **{
        f"{WIDGETS}{kind}.html": _input_family
        for kind in (
            "text",
            "number",
            "email",
            "url",
            "password",
            "hidden",
            "date",
            "datetime",
            "time",
            "search",
            "tel",
            "color",
            "checkbox",
        )
    },
    f"{WIDGETS}select.html": _select,
    f"{WIDGETS}textarea.html": _textarea,
    f"{WIDGETS}radio.html": _multiple_input,
    f"{WIDGETS}checkbox_select.html": _multiple_input,
}


def _error_list(context: dict) -> str:
    """``errors/list/ul.html``, the list of a field's or a form's errors."""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    own_id = f' id="{_text(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{_text(error)}</li>" for error in errors)
    return f'<ul class="{_text(context["error_class"])}"{own_id}>{items}</ul>'


ERROR_LISTS = {"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"}


class PythonWidgetsRenderer(DjangoTemplates):
    """Django's default renderer with the common widgets and error lists written in Python."""

    def render(self, template_name, context, request=None):
        writer = WRITERS.get(template_name)
        if writer is not None:
            html = writer(context["widget"])
        elif template_name in ERROR_LISTS:
            html = _error_list(context)
        else:
            return super().render(template_name, context, request=request)
        # Django's renderer strips what the template wrote, as here.
        return mark_safe(html.strip())
