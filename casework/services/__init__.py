"""The only places that write case-work data. Each runs in one transaction, asks
``permissions.policy`` and writes the timeline and the audit trail."""

from ._common import IllegalStep, case_lock_scope, held_case, hold_case, lock_case_pk
from .cases import (
    assessment_complete,
    assessment_save_draft,
    case_assign,
    case_close,
    case_open,
    case_start_assessment,
    case_transfer,
    multi_professional_complete,
    multi_professional_notes_save,
    wellbeing_assign,
    wellbeing_contribute,
    wellbeing_end,
    wellbeing_invite,
)
from .clients import client_register, client_update
from .plans import (
    measure_remove,
    measure_save,
    measure_set_state,
    plan_approve,
    plan_record_agreement,
    plan_record_refusal,
    plan_rule_errors,
    plan_save_draft,
    review_record,
)
from .staff import membership_grant

__all__ = [
    "IllegalStep",
    "case_lock_scope",
    "held_case",
    "hold_case",
    "lock_case_pk",
    "assessment_complete",
    "assessment_save_draft",
    "case_assign",
    "case_close",
    "case_open",
    "case_start_assessment",
    "case_transfer",
    "client_register",
    "client_update",
    "measure_remove",
    "measure_save",
    "measure_set_state",
    "membership_grant",
    "multi_professional_complete",
    "multi_professional_notes_save",
    "plan_approve",
    "plan_record_agreement",
    "plan_record_refusal",
    "plan_rule_errors",
    "plan_save_draft",
    "review_record",
    "wellbeing_assign",
    "wellbeing_contribute",
    "wellbeing_end",
    "wellbeing_invite",
]
