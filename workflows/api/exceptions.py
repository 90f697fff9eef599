"""Every error of the API as JSON: ``{"detail": ..., "code": ..., "errors": {field: [...]}}``.

Django's ``ValidationError`` (raised by the services and by the step forms) becomes 400 with
the field errors; ``PermissionDenied`` 403; ``Http404`` 404; a task or case changed by someone
else (``TaskConflict``, viewflow's ``FlowLockFailed``, a step the case's state no longer
allows) 409. Anything else is a bug and stays a 500.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback
from viewflow.workflow.exceptions import FlowLockFailed

from casework.services import IllegalStep
from workflows.services import TaskConflict

NON_FIELD = "non_field_errors"
CHECK_FIELDS = _("Check the fields.")


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as flat keys: ``measures[0].service``, as the step forms
    report a plan's measures."""
    out: dict[str, list[str]] = {}

    def walk(value, key):
        if isinstance(value, dict):
            for name, sub in value.items():
                if isinstance(name, int):  # a row of a list (DRF keys list errors by index)
                    walk(sub, f"{key}[{name}]")
                    continue
                name = NON_FIELD if name in ("__all__", NON_FIELD) and not key else name
                walk(sub, f"{key}.{name}" if key else str(name))
        elif isinstance(value, list | tuple):
            if all(not isinstance(item, dict | list | tuple) for item in value):
                out.setdefault(key or NON_FIELD, []).extend(str(item) for item in value)
            else:
                for index, item in enumerate(value):
                    if item:
                        walk(item, f"{key}[{index}]" if key else f"[{index}]")
        else:
            out.setdefault(key or NON_FIELD, []).append(str(value))

    walk(detail, prefix)
    return out


def django_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in error.message_dict.items()
        }
    return {NON_FIELD: [str(m) for m in error.messages]}


def _body(detail, code: str, errors: dict | None = None) -> dict:
    body = {"detail": str(detail), "code": code}
    if errors is not None:
        body["errors"] = errors
    return body


def exception_handler(exc, context):
    """DRF's exception handler, extended with the domain's exceptions."""
    if isinstance(exc, TaskConflict | FlowLockFailed | IllegalStep):
        set_rollback()
        if isinstance(exc, TaskConflict):
            message = exc.message
        elif isinstance(exc, IllegalStep):
            message = " ".join(str(m) for m in exc.messages)
        else:
            message = _("Someone else is working on this task right now. Try again.")
        return Response(_body(message, "conflict"), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(
            _body(CHECK_FIELDS, "invalid", django_errors(exc)), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, exceptions.ValidationError):
        set_rollback()
        return Response(
            _body(CHECK_FIELDS, "invalid", flatten_errors(exc.detail)),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, Http404):
        # The same answer whether the object exists or not (``get_object_or_404`` would
        # name the model).
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
    errors = {NON_FIELD: [str(detail)]} if response.status_code == 400 else None  # bad JSON
    response.data = _body(detail, getattr(detail, "code", None) or "error", errors)
    return response


def not_found(request, *args, **kwargs):
    """Anything under /api/ that names no endpoint: a JSON 404, never an HTML page."""
    return JsonResponse(_body(_("Not found."), "not_found"), status=404)
