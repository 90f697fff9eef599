"""Changing the configurable rules (rule sets and their step targets).

Every change goes through here: it needs a legal basis (the act, the government proposal or
the decision it rests on), it is checked, written to the audit trail with each changed
value before and after, and the per-process cache of ``casework.rules.rules_on`` is emptied
at once and again when the change commits. The rule set's page in the admin shows that
history (``casework.selectors.rule_set_history``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from permissions.audit import audit_record

from ..models import RuleSet, StepTarget
from ..rules import forget_rules
from ._common import atomic_service


def _ensure_may_configure(by, perm: str) -> None:
    if by is not None and not by.has_perm(perm):
        raise PermissionDenied(_("You do not have permission to change the rules."))


def ensure_legal_basis(legal_basis: str) -> str:
    """The legal basis of a change, required: a rule of the act changes only on one."""
    legal_basis = (legal_basis or "").strip()
    if not legal_basis:
        raise ValidationError(
            {
                "legal_basis": _(
                    "Give the legal basis of the change: the act, government proposal or "
                    "decision it rests on."
                )
            },
            code="legal_basis",
        )
    return legal_basis


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _changes(model, obj, changed) -> dict[str, list]:
    """``{field: [stored value, new value]}`` for the named fields that really changed."""
    names = [
        name
        for name in changed
        if name in {f.name for f in model._meta.concrete_fields} and name != "rule_set"
    ]
    stored = model.objects.filter(pk=obj.pk).values(*names).first() if obj.pk else None
    result = {}
    for name in sorted(names):
        before = _plain(stored[name]) if stored else None
        after = _plain(getattr(obj, name))
        if before != after:
            result[name] = [before, after]
    return result


@atomic_service
def rule_set_save(
    *, by, rule_set: RuleSet, changed: list[str] | tuple = (), legal_basis: str
) -> RuleSet:
    """Create or change a rule set; ``changed`` names the fields that changed."""
    creating = rule_set.pk is None
    _ensure_may_configure(by, "casework.add_ruleset" if creating else "casework.change_ruleset")
    legal_basis = ensure_legal_basis(legal_basis)
    if creating:
        changed = [f.name for f in RuleSet._meta.concrete_fields if f.name != "id"]
    changes = _changes(RuleSet, rule_set, changed)
    rule_set.full_clean()
    rule_set.save()
    audit_record(
        actor=by,
        obj=rule_set,
        action="rules.created" if creating else "rules.changed",
        data={"fields": sorted(changes), "changes": changes, "legal_basis": legal_basis},
    )
    forget_rules()
    return rule_set


@atomic_service
def rule_set_delete(*, by, rule_set: RuleSet, legal_basis: str) -> None:
    """Delete a rule set (one entered by mistake, say). A rule set that applied to cases
    is ended (``valid_until``) instead: the admin offers no deletion."""
    _ensure_may_configure(by, "casework.delete_ruleset")
    legal_basis = ensure_legal_basis(legal_basis)
    audit_record(
        actor=by,
        obj=rule_set,
        action="rules.deleted",
        data={"name": rule_set.name, "legal_basis": legal_basis},
    )
    rule_set.delete()
    forget_rules()


@atomic_service
def step_target_save(
    *, by, target: StepTarget, changed: list[str] | tuple = (), legal_basis: str
) -> StepTarget:
    _ensure_may_configure(by, "casework.change_ruleset")
    legal_basis = ensure_legal_basis(legal_basis)
    creating = target.pk is None
    changes = _changes(StepTarget, target, ["step", "days"] if creating else changed)
    target.full_clean()
    target.save()
    audit_record(
        actor=by,
        obj=target.rule_set,
        action="rules.target_set",
        data={
            "step": target.step,
            "days": target.days,
            "new": creating,
            "fields": sorted(changes),
            "changes": changes,
            "legal_basis": legal_basis,
        },
    )
    forget_rules()
    return target


@atomic_service
def step_target_delete(*, by, target: StepTarget, legal_basis: str) -> None:
    _ensure_may_configure(by, "casework.change_ruleset")
    legal_basis = ensure_legal_basis(legal_basis)
    audit_record(
        actor=by,
        obj=target.rule_set,
        action="rules.target_removed",
        data={"step": target.step, "days": target.days, "legal_basis": legal_basis},
    )
    target.delete()
    forget_rules()
