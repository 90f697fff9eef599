"""Registering and updating clients; their records in the organisations' client registers.

Each organisation keeps its own client register (``Client.register``): the same person may
be a client of several organisations, with one record in each, and the identity code is
unique within a register only. Registering checks the user's own organisation's register
and the clients the user can already see, never another organisation's register, so it
tells nobody that another organisation has the person. A case that goes to another
organisation (routed there at intake, or transferred) takes its client into that
organisation's register (``record_in_register``): into the record it already has of the
person (same identity code), brought up to date and linked, or the record moves or is
copied there; both records' audit trails say so."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from permissions.audit import audit_record
from permissions.policy import ensure_can_in_organisation

from ..models import CaseState, Client, IntegrationCase
from ..selectors import cases_visible_to
from ._common import atomic_service, hold

# Facts that can change the client's category or responsible organisation.
ROUTING_FIELDS = (
    "municipality",
    "labour_market_status",
    "residence_basis",
    "social_assistance_non_temporary",
    "child_home_care_allowance",
    "unaccompanied_minor",
    "arrived_as_unaccompanied_minor",
    "date_of_birth",  # a young adult's age decides the wellbeing area's support
    "trafficking_victim",
)


# What a record says about the person, copied when the client's case takes them into another
# organisation's register (not the record's own bookkeeping: register, links, dates).
FACT_FIELDS = (
    "first_names",
    "last_name",
    "personal_identity_code",
    "date_of_birth",
    "gender",
    "citizenship",
    "country_of_origin",
    "mother_tongue",
    "preferred_language",
    "interpreter_needed",
    "interpreter_language",
    "municipality",
    "first_residence_permit_date",
    "residence_basis",
    "labour_market_status",
    "social_assistance_non_temporary",
    "child_home_care_allowance",
    "unaccompanied_minor",
    "minor_representative",
    "arrived_as_unaccompanied_minor",
    "trafficking_victim",
    "non_disclosure",
    "street_address",
    "postal_code",
    "post_office",
    "phone",
    "email",
)


def _ensure_not_known(*, by, client: Client) -> None:
    """Refuse a second record of the person where the user would see it: in the register of
    the organisation the client is registered in (the user's own), or among the clients the
    user can already see. Another organisation's register is never looked at."""
    code = client.personal_identity_code
    if not code:
        return
    visible = cases_visible_to(by).values("client_id") if by is not None else Client.objects.none()
    known = (
        Client.objects.filter(personal_identity_code=code)
        .filter(Q(register=client.register) | Q(pk__in=visible))
        .select_related("register")
        .first()
    )
    if known is not None:
        raise ValidationError(
            {
                "personal_identity_code": _(
                    "This person is already a client of %(organisation)s. Find them with the "
                    "client search; a new path is started from their case when the earlier "
                    "one has closed."
                )
                % {"organisation": known.register}
            },
            code="client_exists",
        )


def sync_case_municipality(client: Client) -> int:
    """Copy the client's municipality of residence onto each of their cases
    (``IntegrationCase.municipality``), after it changed or after the record took on another
    record's facts. Returns the number of cases changed."""
    return (
        IntegrationCase.objects.filter(client=client)
        .exclude(municipality_id=client.municipality_id)
        .update(municipality_id=client.municipality_id)
    )


@atomic_service
def client_register(*, by, organisation, data: dict) -> Client:
    """Create a client from validated field values in the register of ``organisation``, where
    ``by`` works (the intake); the case then takes it where the responsibility table says."""
    ensure_can_in_organisation(by, "casework.assess_case", organisation.pk)
    client = Client(**data, created_by=by, register=organisation)
    client.full_clean(validate_constraints=False)  # normalises the identity code
    _ensure_not_known(by=by, client=client)
    client.validate_constraints()
    client.save()
    audit_record(actor=by, obj=client, action="client.created")
    return hold(client)  # the step's case_open takes it as it is


def _update_from(target: Client, source: Client) -> list[str]:
    """Bring ``target`` up to date with ``source``'s facts; returns the fields changed. Empty
    values of the source keep the target's, and a non-disclosure marking is never lifted."""
    changed = []
    for name in FACT_FIELDS:
        value = getattr(source, name)
        if name == "non_disclosure":
            value = value or target.non_disclosure
        elif value in (None, "") and getattr(target, name) not in (None, ""):
            continue
        if getattr(target, name) != value:
            setattr(target, name, value)
            changed.append(name)
    return changed


@atomic_service
def record_in_register(*, by, client: Client, register, case=None) -> Client:
    """The record of ``client`` in ``register``'s client register, for a case of that
    organisation (``case``: the one moving there, or None for a case about to open).

    - The record is in that register already: itself.
    - The register has a record of the same person (same identity code): that record,
      brought up to date with this one's facts and linked to it (``linked_from``). If this
      record has no other case, it goes (merged: the person's data now lives there). If that
      record has an open case of its own, nothing is linked and this record is returned: the
      organisation then has two open cases under one identity code and closes one (telling
      the caller would tell them of the other organisation's client).
    - Otherwise this record moves into the register if no other case keeps it where it is,
      or a linked copy is made there.

    Every link, move or merge is written to the audit trail of the records concerned."""
    if client.register_id == register.pk:
        return client
    from_register = client.register.code
    others = client.cases.exclude(pk=case.pk) if case is not None else client.cases.all()
    has_other_cases = others.exists()
    case_id = str(case.uuid) if case is not None else None
    existing = None
    if client.personal_identity_code:
        existing = (
            Client.objects.select_for_update(of=("self",))
            .filter(register=register, personal_identity_code=client.personal_identity_code)
            .first()
        )
    if existing is not None:
        if existing.cases.exclude(state=CaseState.CLOSED).exists():
            audit_record(
                actor=by,
                obj=client,
                action="client.not_linked",
                data={"register": register.code, "reason": "open case in that register"},
            )
            return client
        changed = _update_from(existing, client)
        existing.linked_from = client  # emptied if this record is merged (below)
        existing.full_clean(validate_constraints=False)
        existing.save()
        sync_case_municipality(existing)
        audit_record(
            actor=by,
            obj=existing,
            action="client.linked",
            data={
                "from_register": from_register,
                "from_record": str(client.uuid),
                "fields": sorted(changed),
                "case": case_id,
            },
        )
        audit_record(
            actor=by,
            obj=client,
            action="client.linked",
            data={
                "to_register": register.code,
                "to_record": str(existing.uuid),
                "case": case_id,
                "merged": not has_other_cases,
            },
        )
        if not has_other_cases:
            if case is not None:
                case.client = existing
                case.municipality_id = existing.municipality_id
                case.save(update_fields=["client", "municipality", "updated_at"])
            client.delete()
        return existing
    if not has_other_cases:
        client.register = register
        client.save(update_fields=["register", "updated_at"])
        audit_record(
            actor=by,
            obj=client,
            action="client.register_moved",
            data={"from_register": from_register, "to_register": register.code, "case": case_id},
        )
        return client
    new_record = Client(register=register, linked_from=client, created_by=by)
    _update_from(new_record, client)
    new_record.full_clean(validate_constraints=False)
    new_record.save()
    audit_record(
        actor=by,
        obj=new_record,
        action="client.linked",
        data={"from_register": from_register, "from_record": str(client.uuid), "case": case_id},
    )
    audit_record(
        actor=by,
        obj=client,
        action="client.linked",
        data={"to_register": register.code, "to_record": str(new_record.uuid), "case": case_id},
    )
    return new_record


@atomic_service
def client_update(*, by, client: Client, changes: dict) -> tuple[Client, set[str]]:
    """Apply ``changes`` to the client. Returns the client and the names of changed fields.

    Permission is asked by the caller against the client's open case.
    """
    client = Client.objects.select_for_update().get(pk=client.pk)
    changed = set()
    for name, value in changes.items():
        if getattr(client, name) != value:
            setattr(client, name, value)
            changed.add(name)
    if not changed:
        return client, changed
    client.full_clean()
    client.save()
    if "municipality" in changed:
        sync_case_municipality(client)
    audit_record(actor=by, obj=client, action="client.updated", data={"fields": sorted(changed)})
    return client, changed
