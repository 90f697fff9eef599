"""The form renderer writes the common widgets in Python, byte for byte as Django's templates
write them: every widget it knows, with and without values, attributes, groups and text that
must be escaped, is rendered both ways and compared."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from workflows.forms import CountryChoiceField, LanguageChoiceField
from workflows.pages.form_renderer import WRITERS, PythonWidgetsRenderer
from workflows.pages.listing import TaskFilterForm

CHOICES = [
    ("", "---------"),
    ("fi", "suomi"),
    ("ar", 'arabia <&> "x"'),
    (3, 1500),
    ("Ryhmä <b>", [("sv", "ruotsi"), ("so", gettext_lazy("Somali"))]),
]
FLAT = [("a", "A & a"), ("b", mark_safe("<em>B</em>")), (7, "seven")]
ATTRS = [
    None,
    {"id": "id_x", "required": True},
    {"id": "id_x", "aria-invalid": "true", "disabled": False, "class": 'wide "x"', "data-n": 5},
]
WIDGETS = [
    (forms.TextInput(), ["", 'a <b> & "c"', None, 12, mark_safe("<i>safe</i>")]),
    (forms.TextInput(attrs={"type": "search", "autocomplete": "off"}), ["q"]),
    (forms.NumberInput(), [None, 0, 7, "1.5"]),
    (forms.EmailInput(), ["a@example.org"]),
    (forms.URLInput(), ["https://example.org/?a=1&b=2"]),
    (forms.PasswordInput(render_value=True), ["secret"]),
    (forms.PasswordInput(), ["not shown"]),
    (forms.HiddenInput(), ["h", None]),
    (forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}), [dt.date(2026, 12, 2), None]),
    (forms.DateTimeInput(), [dt.datetime(2026, 12, 2, 9, 30)]),
    (forms.TimeInput(), [dt.time(9, 30)]),
    (forms.TelInput(), ["+358 40 123"]),
    (forms.ColorInput(), ["#ffffff"]),
    (forms.CheckboxInput(), [True, False, None, "on"]),
    (forms.Textarea(attrs={"rows": 3}), [None, "", "line 1\nline <2> & 3", 5]),
    (forms.Select(choices=CHOICES), [None, "", "fi", "so", 3, "zz"]),
    (forms.Select(choices=FLAT), ["b", None]),
    (forms.SelectMultiple(choices=CHOICES), [["fi", "so"], None]),
    (forms.NullBooleanSelect(), [None, True, False]),
    (forms.RadioSelect(choices=CHOICES), [None, "fi", "so"]),
    (forms.RadioSelect(choices=FLAT), ["a"]),
    (forms.CheckboxSelectMultiple(choices=CHOICES), [["fi", "sv"], None]),
    (forms.CheckboxSelectMultiple(choices=FLAT), [["b"]]),
]
CASES = [
    pytest.param(widget, value, attrs, id=f"{type(widget).__name__}-{i}-{j}-{k}")
    for i, (widget, values) in enumerate(WIDGETS)
    for j, value in enumerate(values)
    for k, attrs in enumerate(ATTRS)
]


@pytest.mark.parametrize("language", ["fi", "en"])
@pytest.mark.parametrize(("widget", "value", "attrs"), CASES)
def test_the_same_bytes_as_djangos_templates(widget, value, attrs, language):
    with translation.override(language):
        ours = widget.render("field", value, attrs, renderer=PythonWidgetsRenderer())
        djangos = widget.render("field", value, attrs, renderer=DjangoTemplates())
    assert str(ours) == str(djangos)


def test_every_widget_written_in_python_is_compared_above():
    compared = {w.template_name for w, _values in WIDGETS}
    assert set(WRITERS) - compared <= {
        f"django/forms/widgets/{kind}.html" for kind in ("search", "datetime")
    }


def test_other_templates_still_go_through_the_template_engine():
    widget = forms.SplitDateTimeWidget()
    value = dt.datetime(2026, 12, 2, 9, 30)
    ours = widget.render("when", value, {"id": "id_when"}, renderer=PythonWidgetsRenderer())
    assert str(ours) == str(widget.render("when", value, {"id": "id_when"}))
    assert "id_when_0" in str(ours)


def test_the_pages_use_it_and_a_whole_form_with_errors_is_the_same(settings):
    form = TaskFilterForm({"due": "bogus", "q": '<script>"'}, owners=[])
    ours = form.render()
    form.renderer = DjangoTemplates()
    assert form.render() == ours
    assert settings.FORM_RENDERER.endswith("PythonWidgetsRenderer")


def test_the_language_and_country_fields_name_their_options_in_the_users_language():
    class Form(forms.Form):
        language = LanguageChoiceField(label="language")
        country = CountryChoiceField(label="country")

    with translation.override("fi"):
        html = str(Form(data={"language": "so", "country": "SO"}))
    assert '<option value="so" selected>somali</option>' in html
    assert '<option value="SO" selected>Somalia</option>' in html


@pytest.mark.parametrize(
    "errors",
    [
        [],
        ["Fill in the date."],
        ["a <b> & c", mark_safe("<em>safe</em>")],
    ],
)
@pytest.mark.parametrize("field_id", [None, "id_when"])
def test_error_lists_the_same_as_djangos(errors, field_id):
    ours = forms.utils.ErrorList(errors, field_id=field_id, renderer=PythonWidgetsRenderer())
    djangos = forms.utils.ErrorList(errors, field_id=field_id, renderer=DjangoTemplates())
    assert str(ours) == str(djangos)
    nonfield = forms.utils.ErrorList(errors, error_class="nonfield")
    assert str(nonfield) == str(
        forms.utils.ErrorList(errors, error_class="nonfield", renderer=DjangoTemplates())
    )
