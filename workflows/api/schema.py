"""Choice sets shared by several fields, named once in the OpenAPI schema (the settings'
``SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]`` point here). Languages and countries are
given by their codes (ISO 639, ISO 3166), without names that would change with the language."""

from django_countries import countries

from casework.languages import language_choices
from workflows.forms import PlanForm, ReviewForm

LANGUAGES = sorted(code for code, _name in language_choices("en"))
COUNTRIES = sorted(code for code, _name in countries)
LANGUAGE_CHOICES = [(code, code) for code in LANGUAGES]
COUNTRY_CHOICES = [(code, code) for code in COUNTRIES]


def plan_languages():
    return [choice for choice in PlanForm.base_fields["language"].choices if choice[0]]


def review_close_reasons():
    return [choice for choice in ReviewForm.base_fields["close_reason"].choices if choice[0]]
