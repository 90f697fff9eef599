"""Changing the configurable rules (rule sets and their step targets).

Every change goes through here: it is checked, written to the audit trail, and the per-process
cache of ``casework.rules.rules_on`` is emptied at once and again when the change commits."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from permissions.audit import audit_record

from ..models import RuleSet, StepTarget
from ..rules import forget_rules
from ._common import atomic_service


def _ensure_may_configure(by, perm: str) -> None:
    if by is not None and not by.has_perm(perm):
        raise PermissionDenied(_("You do not have permission to change the rules."))


@atomic_service
def rule_set_save(*, by, rule_set: RuleSet, changed: list[str] | tuple = ()) -> RuleSet:
    """Create or change a rule set; ``changed`` names the fields that changed (for the trail)."""
    creating = rule_set.pk is None
    _ensure_may_configure(by, "casework.add_ruleset" if creating else "casework.change_ruleset")
    rule_set.full_clean()
    rule_set.save()
    audit_record(
        actor=by,
        obj=rule_set,
        action="rules.created" if creating else "rules.changed",
        data={"fields": sorted(changed)},
    )
    forget_rules()
    return rule_set


@atomic_service
def rule_set_delete(*, by, rule_set: RuleSet) -> None:
    _ensure_may_configure(by, "casework.delete_ruleset")
    audit_record(actor=by, obj=rule_set, action="rules.deleted", data={"name": rule_set.name})
    rule_set.delete()
    forget_rules()


@atomic_service
def step_target_save(*, by, target: StepTarget, changed: list[str] | tuple = ()) -> StepTarget:
    _ensure_may_configure(by, "casework.change_ruleset")
    creating = target.pk is None
    target.full_clean()
    target.save()
    audit_record(
        actor=by,
        obj=target.rule_set,
        action="rules.target_set",
        data={"step": target.step, "days": target.days, "new": creating, "fields": sorted(changed)},
    )
    forget_rules()
    return target


@atomic_service
def step_target_delete(*, by, target: StepTarget) -> None:
    _ensure_may_configure(by, "casework.change_ruleset")
    audit_record(
        actor=by, obj=target.rule_set, action="rules.target_removed", data={"step": target.step}
    )
    target.delete()
    forget_rules()
