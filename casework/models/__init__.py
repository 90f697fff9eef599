from .assessments import Assessment, ParticipationPhase, WellbeingParticipation
from .cases import (
    OPEN_STATES,
    CaseEvent,
    CaseEventKind,
    CaseState,
    CloseReason,
    IntegrationCase,
)
from .catalogue import Service, ServiceKind
from .clients import Client, LanguageField
from .common import (
    QUEUE_ROLES,
    ClientCategory,
    Gender,
    LabourMarketStatus,
    LanguageLevel,
    Literacy,
    OrganisationKind,
    ResidenceBasis,
    Role,
)
from .organisations import Membership, Municipality, Organisation, ResponsibilityRule, Unit
from .plans import (
    IntegrationPlan,
    Measure,
    MeasureState,
    PlanState,
    Review,
    ReviewOutcome,
)
from .rules import RuleSet, Step, StepTarget

__all__ = [
    "OPEN_STATES",
    "QUEUE_ROLES",
    "Assessment",
    "CaseEvent",
    "CaseEventKind",
    "CaseState",
    "ClientCategory",
    "Client",
    "CloseReason",
    "Gender",
    "IntegrationCase",
    "IntegrationPlan",
    "LabourMarketStatus",
    "LanguageField",
    "LanguageLevel",
    "Literacy",
    "Measure",
    "MeasureState",
    "Membership",
    "Municipality",
    "Organisation",
    "OrganisationKind",
    "ParticipationPhase",
    "PlanState",
    "ResidenceBasis",
    "ResponsibilityRule",
    "Review",
    "ReviewOutcome",
    "Role",
    "RuleSet",
    "Service",
    "ServiceKind",
    "Step",
    "StepTarget",
    "Unit",
    "WellbeingParticipation",
]
