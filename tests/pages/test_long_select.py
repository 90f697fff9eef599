"""The long selects (languages, countries) write the same HTML as Django's own select."""

import re

import pytest
from django import forms
from django.utils import translation

from workflows.forms import CountryChoiceField, LanguageChoiceField, LongSelect

CHOICES = [
    ("", "---------"),
    ("fi", "suomi"),
    ("ar", 'arabia <&> "x"'),
    ("Ryhmä", [("sv", "ruotsi"), ("so", "somali")]),
]


def _same(html: str) -> str:
    """Django's templates put line breaks and indentation between the options."""
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", [None, "", "fi", "so", "zz"])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"id": "id_language", "required": True},
        {"aria-invalid": "true", "aria-describedby": "id_language_error", "disabled": False},
    ],
)
def test_the_same_html_as_djangos_select(value, attrs):
    ours = LongSelect(choices=CHOICES).render("language", value, attrs)
    djangos = forms.Select(choices=CHOICES).render("language", value, attrs)
    assert _same(str(ours)) == _same(str(djangos))


def test_the_language_and_country_fields_use_it_in_the_users_language():
    class Form(forms.Form):
        language = LanguageChoiceField(label="language")
        country = CountryChoiceField(label="country")

    with translation.override("fi"):
        html = str(Form(data={"language": "so", "country": "SO"}))
    assert '<option value="so" selected>somali</option>' in html
    assert '<option value="SO" selected>Somalia</option>' in html
    assert isinstance(Form().fields["language"].widget, LongSelect)
