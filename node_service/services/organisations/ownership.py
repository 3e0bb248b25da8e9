"""Who may report a product's footprint: the owner of the identifier's prefix, and the organisations it delegates.

**The rule.** A product handle under an IDIS prefix registered on this node belongs to the organisation that
registered the prefix (``organisation_prefixes``). Only that organisation, and the organisations it delegated the
prefix to (``prefix_delegations``, while the delegation runs), may submit activity data — and so publish a
footprint — for a product under it. A GTIN belongs to the organisations whose records on this node declare it
(a ``GTIN`` value, ``handle_gtins``): this node does not know GS1 company prefixes (GS1's registry is not
consulted), so a GTIN's ownership is as good as the records that declare it — no record, no owner; two owners'
records, both owners. Identifiers nobody owns here (prefixes served upstream or by nobody, undeclared GTINs) may be
reported by anyone, and a citation of them must then match one organisation's footprint only.

:func:`product_owner` finds the owner(s); :func:`may_report` answers the rule for an organisation at a time;
:func:`check_reporter` refuses a submission that breaks it (403 ``product-not-yours``, naming the field and how to
get a delegation). :func:`grant_delegation` and :func:`revoke_delegation` are the prefix owner's; each is logged
(an ``organisation`` entry, ``event`` ``prefix-delegation-granted`` / ``-revoked``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from identifier_resolver import DigitalLink, Gtin, Handle, IdentifierError, parse_identifier
from identifier_resolver.syntax import ascii_upper
from node_service.db.models import Organisation
from node_service.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from node_service.log.append import canonical_sha256, make_entry
from node_service.services.context import NodeResources
from node_service.services.organisations.keys import as_utc
from node_service.services.organisations.models import (
    HandleGtin,
    HandleRecordRow,
    OrganisationPrefix,
    PrefixDelegation,
)

__all__ = [
    "ProductNotYours",
    "ProductOwner",
    "check_reporter",
    "delegation_view",
    "delegations_granted_by",
    "grant_delegation",
    "may_report",
    "product_owner",
    "revoke_delegation",
]


class ProductNotYours(AccessDenied):
    problem = "product-not-yours"
    title = "The product belongs to another organisation"


@dataclass(frozen=True)
class ProductOwner:
    """The owner(s) of a product identifier on this node, and why."""

    identifier: str
    owners: tuple[str, ...]  # organisation ids, sorted
    prefix_keys: tuple[str, ...]  # the prefixes whose delegates may report it too
    basis: str  # e.g. "IDIS prefix 88.412.7" or "GTIN 06901234567892, declared by record 88.118.8/X"


def _parsed(identifier: str) -> Handle | Gtin | None:
    try:
        parsed = parse_identifier(identifier)
    except IdentifierError:
        return None
    if isinstance(parsed, DigitalLink):
        return parsed.gtin
    return parsed if isinstance(parsed, Handle | Gtin) else None


def product_owner(session: Session, identifier: str) -> ProductOwner | None:
    """The organisation(s) owning ``identifier`` here (module docstring), or None when nobody does."""
    parsed = _parsed(identifier)
    if isinstance(parsed, Handle):
        row = session.get(OrganisationPrefix, parsed.prefix_key)
        if row is None:
            return None
        return ProductOwner(
            identifier, (row.organisation_id,), (row.prefix_key,), f"IDIS prefix {row.prefix}"
        )
    if isinstance(parsed, Gtin):
        rows = session.execute(
            select(HandleRecordRow.handle, OrganisationPrefix.prefix_key, OrganisationPrefix.organisation_id)
            .join(HandleGtin, HandleGtin.handle_key == HandleRecordRow.handle_key)
            .join(OrganisationPrefix, OrganisationPrefix.prefix_key == HandleRecordRow.prefix_key)
            .where(HandleGtin.gtin14 == parsed.gtin14)
            .order_by(HandleRecordRow.handle_key)
        ).all()
        if not rows:
            return None
        records = ", ".join(r[0] for r in rows)
        return ProductOwner(
            identifier,
            tuple(sorted({r[2] for r in rows})),
            tuple(sorted({r[1] for r in rows})),
            f"GTIN {parsed.gtin14}, declared by record(s) {records}",
        )
    return None


def _delegations(session: Session, prefix_keys: Iterable[str], delegate_id: str) -> list[PrefixDelegation]:
    keys = sorted(set(prefix_keys))
    if not keys:
        return []
    return list(
        session.execute(
            select(PrefixDelegation)
            .where(PrefixDelegation.prefix_key.in_(keys), PrefixDelegation.delegate_id == delegate_id)
            .order_by(PrefixDelegation.id)
        ).scalars()
    )


def may_report(
    session: Session, owner: ProductOwner, organisation_id: str, at: datetime | None = None
) -> bool:
    """May ``organisation_id`` report the product: an owner, or a delegate of one of its prefixes at ``at``
    (default now)?"""
    if organisation_id in owner.owners:
        return True
    moment = at or datetime.now(UTC)
    for row in _delegations(session, owner.prefix_keys, organisation_id):
        if as_utc(row.granted_at) <= moment and (row.revoked_at is None or moment < as_utc(row.revoked_at)):
            return True
    return False


def _dids(session: Session, organisation_ids: Iterable[str]) -> list[str]:
    ids = sorted(set(organisation_ids))
    rows = session.execute(
        select(Organisation.did).where(Organisation.id.in_(ids)).order_by(Organisation.did)
    )
    return [r[0] for r in rows]


def check_reporter(
    session: Session, identifier: str, organisation_id: str, field: str
) -> ProductOwner | None:
    """Refuse (403) a submission for a product owned by someone else; returns the owner found (or None)."""
    owner = product_owner(session, identifier)
    if owner is None or may_report(session, owner, organisation_id):
        return owner
    owners = " or ".join(_dids(session, owner.owners))
    prefixes = ", ".join(owner.prefix_keys)
    raise ProductNotYours(
        f"{field} {identifier[:200]!r} belongs to {owners} ({owner.basis}); only its owner and the organisations "
        "it delegated the prefix to may report footprints of it",
        fix=f"ask the owner to delegate prefix {prefixes} to you (PUT /organisations/me/prefixes/<prefix>/"
        "delegates/<your did>, with the owner's API token), or report the product under an identifier of your own",
        field=field,
    )


# --- delegations ----------------------------------------------------------------------------------------------


def delegation_view(prefix: str, delegate_did: str, row: PrefixDelegation) -> dict[str, Any]:
    return {
        "prefix": prefix,
        "delegate": delegate_did,
        "grantedAt": as_utc(row.granted_at).isoformat().replace("+00:00", "Z"),
        "revokedAt": as_utc(row.revoked_at).isoformat().replace("+00:00", "Z") if row.revoked_at else None,
    }


def delegations_granted_by(session: Session, organisation_id: str) -> list[dict[str, Any]]:
    """The running delegations of ``organisation_id``'s prefixes, by prefix and delegate."""
    rows = session.execute(
        select(OrganisationPrefix.prefix, Organisation.did, PrefixDelegation)
        .join(PrefixDelegation, PrefixDelegation.prefix_key == OrganisationPrefix.prefix_key)
        .join(Organisation, Organisation.id == PrefixDelegation.delegate_id)
        .where(OrganisationPrefix.organisation_id == organisation_id, PrefixDelegation.revoked_at.is_(None))
        .order_by(OrganisationPrefix.prefix_key, Organisation.did)
    ).all()
    return [delegation_view(prefix, did, row) for prefix, did, row in rows]


def _own_prefix(session: Session, owner: Organisation, prefix: str) -> OrganisationPrefix:
    row = session.get(OrganisationPrefix, ascii_upper(prefix.strip()))
    if row is None or row.organisation_id != owner.id:
        raise AccessDenied(
            f"IDIS prefix {prefix[:200]!r} is not registered to you",
            fix="delegate only the prefixes you registered (GET /organisations/<your did> lists them)",
            field="prefix",
        )
    return row


def _delegate(session: Session, owner: Organisation, did: str) -> Organisation:
    delegate = session.execute(select(Organisation).where(Organisation.did == did)).scalar_one_or_none()
    if delegate is None:
        raise NotFound(
            f"no organisation {did[:200]} on this exchange", fix="give the delegate's first did:key"
        )
    if delegate.id == owner.id:
        raise ValidationFailed(
            "an organisation cannot delegate a prefix to itself", field="did", fix="name another organisation"
        )
    return delegate


def _log(
    node: NodeResources, session: Session, owner: Organisation, row: PrefixDelegation, event: str
) -> None:
    body = {"prefix": row.prefix_key, "delegate": row.delegate_id, "event": event}
    entry_id = f"urn:tanlian:prefix-delegation:{row.id}#{event.rsplit('-', 1)[-1]}"
    node.tlog.append(
        session, [make_entry("organisation", entry_id, canonical_sha256(body), owner.did, event=event)]
    )


def grant_delegation(
    node: NodeResources, owner: Organisation, prefix: str, delegate_did: str
) -> tuple[dict[str, Any], bool]:
    """``owner`` lets ``delegate_did`` report products under its ``prefix``; returns (delegation, created).
    Granting a running delegation again changes nothing."""
    now = datetime.now(UTC)
    with node.tlog.lock, node.db.transaction() as session:
        own = _own_prefix(session, owner, prefix)
        delegate = _delegate(session, owner, delegate_did)
        running = [r for r in _delegations(session, [own.prefix_key], delegate.id) if r.revoked_at is None]
        if running:
            return delegation_view(own.prefix, delegate.did, running[0]), False
        row = PrefixDelegation(prefix_key=own.prefix_key, delegate_id=delegate.id, granted_at=now)
        session.add(row)
        session.flush()
        _log(node, session, owner, row, "prefix-delegation-granted")
        return delegation_view(own.prefix, delegate.did, row), True


def revoke_delegation(
    node: NodeResources, owner: Organisation, prefix: str, delegate_did: str
) -> dict[str, Any]:
    """End ``delegate_did``'s delegation of ``prefix`` now; its footprints stored meanwhile stay valid."""
    now = datetime.now(UTC)
    with node.tlog.lock, node.db.transaction() as session:
        own = _own_prefix(session, owner, prefix)
        delegate = _delegate(session, owner, delegate_did)
        running = [r for r in _delegations(session, [own.prefix_key], delegate.id) if r.revoked_at is None]
        if not running:
            raise Conflict(
                f"prefix {own.prefix} is not delegated to {delegate.did}",
                fix="nothing to revoke",
                field="did",
            )
        for row in running:
            row.revoked_at = now
        session.flush()
        _log(node, session, owner, running[0], "prefix-delegation-revoked")
        return delegation_view(own.prefix, delegate.did, running[0])
