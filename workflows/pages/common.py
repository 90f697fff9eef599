"""Helpers the pages share: one page of a list, a service's errors shown on a form."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Prefetch

from casework.models import Measure

# A plan as the pages show it: its measures with their services and providers (one query),
# and its reviews.
PLAN_CONTENTS = (
    Prefetch("measures", Measure.objects.select_related("service", "provider")),
    "reviews",
)


def page_of(request, queryset, per_page: int):
    """One page of a list (a fixed cost whatever its length); the page number from ``?page=``."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return page


def errors_to_form(form, error) -> None:
    """Put a service's ``ValidationError`` on the form: by field where the form has the field,
    otherwise at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(
                field if field in form.fields else None, [m for e in errors for m in e.messages]
            )
    else:
        form.add_error(None, error)
