"""Stored rows that today's claim rules would refuse (``tanlian check claims``): for the node's operator.

The rules of issue 16 apply to what arrives from now on; rows stored before them are never rewritten (they are
hashed into the log and anchored). This check reads them and lists each one the rules would refuse now, so the
operator can settle it with the organisations concerned:

(1) ``footprint-not-owner``: a footprint of a product that belongs to another organisation here (its IDIS prefix,
    or the records declaring its GTIN), stored by an organisation that was neither an owner nor a delegate of
    the owner's prefix when the footprint was stored (node_service.services.organisations.ownership);
(2) ``citation-not-owner``: a footprint whose result records (``upstreamSources``) that it used an upstream
    footprint which is not the owner's (nor a delegate's);
(3) ``citation-unrecorded``: a footprint stored before ``upstreamSources`` whose citation of a product with an
    owner could have been answered by a footprint of someone else (one existed when it was stored; the document
    does not say which one was used), or, for a product nobody owns, by the footprints of several organisations;
(4) ``gec-serial-collision``: GEC claims whose serials are one certificate in canonical form
    (footprint_engine.gec_serial), claimed by more than one stored row — the earliest holds the canonical key
    (migration 0013_gec_serial_key), the others are listed;
(5) ``gec-serial-form``: a stored serial that has no canonical form (characters outside A-Z and 0-9 once
    normalised), which a new submission would be refused for.

Only SELECT statements run; the check reads everything in one transaction, in a fixed order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from footprint_engine.gec_serial import GecSerialError, canonical_gec_serial, legacy_gec_serial_key
from node_service.db import Database
from node_service.db.models import Footprint, Organisation
from node_service.services.evidence_files.models import GecClaimRecord
from node_service.services.organisations.keys import as_utc
from node_service.services.organisations.ownership import ProductOwner, may_report, product_owner
from node_service.services.pact.models import PactCitation

__all__ = ["Finding", "check_claims"]


@dataclass(frozen=True)
class Finding:
    """One stored row today's rules would refuse."""

    kind: str  # footprint-not-owner | citation-not-owner | citation-unrecorded | gec-serial-collision | gec-serial-form
    table: str  # footprints | gec_claims
    row: str  # the row's key: footprint id, GEC serial as stored
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "table": self.table, "row": self.row, "detail": self.detail}


class _Owners:
    """product_owner per identifier, asked once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._cache: dict[str, ProductOwner | None] = {}

    def __call__(self, identifier: str) -> ProductOwner | None:
        if identifier not in self._cache:
            self._cache[identifier] = product_owner(self.session, identifier)
        return self._cache[identifier]


def _footprints_of_others(session: Session, owners: _Owners, dids: dict[str, str]) -> list[Finding]:
    """(1)"""
    found = []
    rows = session.execute(
        select(Footprint.id, Footprint.organisation_id, Footprint.product_id, Footprint.created_at).order_by(
            Footprint.created_at, Footprint.id
        )
    ).all()
    for fp_id, org_id, product, created in rows:
        owner = owners(product)
        if owner is None or may_report(session, owner, org_id, as_utc(created)):
            continue
        found.append(
            Finding(
                "footprint-not-owner",
                "footprints",
                fp_id,
                f"footprint of {product} stored by {dids.get(org_id, org_id)}, which neither owns it "
                f"({owner.basis}, owner {', '.join(dids.get(o, o) for o in owner.owners)}) nor held a delegation "
                "when it was stored",
            )
        )
    return found


def _sources(result: Any) -> dict[str, dict[str, Any]]:
    inner = result.get("result") if isinstance(result, dict) else None
    sources = inner.get("upstreamSources") if isinstance(inner, dict) else None
    return {str(s.get("reference")): s for s in sources or [] if isinstance(s, dict)}


def _citations(session: Session, owners: _Owners, dids: dict[str, str]) -> list[Finding]:
    """(2) and (3)"""
    found = []
    citing = session.execute(
        select(PactCitation.footprint_id, PactCitation.upstream_product_id, PactCitation.upstream_version)
        .join(Footprint, Footprint.id == PactCitation.footprint_id)
        .order_by(Footprint.created_at, PactCitation.footprint_id, PactCitation.upstream_product_id)
    ).all()
    for footprint_id, product, version in citing:
        footprint = session.get(Footprint, footprint_id)
        assert footprint is not None
        stored_at = as_utc(footprint.created_at)
        owner = owners(product)
        reference = f"{product}@{version}"
        source = _sources(footprint.result).get(reference)
        if source is not None:  # (2): the document says which footprint it used
            used = session.get(Footprint, str(source.get("footprintId")))
            if owner is not None and (
                used is None or not may_report(session, owner, used.organisation_id, as_utc(used.created_at))
            ):
                by = (
                    dids.get(used.organisation_id, used.organisation_id)
                    if used is not None
                    else "nobody known"
                )
                found.append(
                    Finding(
                        "citation-not-owner",
                        "footprints",
                        footprint_id,
                        f"cites {reference} using footprint {source.get('footprintId')} by {by}, not by the "
                        f"owner ({owner.basis})",
                    )
                )
            continue
        # (3): which footprint was used is not recorded; who could have answered?
        candidates = [
            (fp_id, org_id, as_utc(created))
            for fp_id, org_id, created in session.execute(
                select(Footprint.id, Footprint.organisation_id, Footprint.created_at)
                .where(Footprint.product_id == product, Footprint.version == version)
                .order_by(Footprint.created_at, Footprint.id)
            ).all()
            if as_utc(created) <= stored_at
        ]
        if owner is not None:
            others = [c for c in candidates if not may_report(session, owner, c[1], c[2])]
            if others:
                found.append(
                    Finding(
                        "citation-unrecorded",
                        "footprints",
                        footprint_id,
                        f"cites {reference}, owned by {', '.join(dids.get(o, o) for o in owner.owners)} "
                        f"({owner.basis}), while footprint(s) {', '.join(c[0] for c in others)} of it by "
                        f"{', '.join(sorted({dids.get(c[1], c[1]) for c in others}))} existed; the document does "
                        "not record which one it used",
                    )
                )
        elif len({c[1] for c in candidates}) > 1:
            found.append(
                Finding(
                    "citation-unrecorded",
                    "footprints",
                    footprint_id,
                    f"cites {reference}, which nobody owns here, while footprints of "
                    f"{len({c[1] for c in candidates})} organisations existed ({', '.join(c[0] for c in candidates)});"
                    " the document does not record which one it used",
                )
            )
    return found


def _gec_claims(session: Session) -> list[Finding]:
    """(4) and (5)"""
    found = []
    by_key: dict[str, list[tuple[str, str | None, str, datetime]]] = defaultdict(list)
    rows = session.execute(
        select(
            GecClaimRecord.serial,
            GecClaimRecord.serial_key,
            GecClaimRecord.submission_id,
            GecClaimRecord.claimed_at,
        ).order_by(GecClaimRecord.claimed_at, GecClaimRecord.serial)
    ).all()
    for serial, key, submission, claimed_at in rows:
        by_key[legacy_gec_serial_key(serial)].append((serial, key, submission, claimed_at))
        try:
            canonical_gec_serial(serial)
        except GecSerialError as exc:
            found.append(
                Finding(
                    "gec-serial-form",
                    "gec_claims",
                    serial,
                    f"claimed by submission {submission}: {exc.detail}",
                )
            )
    for key, claims in sorted(by_key.items()):
        if len(claims) < 2:
            continue
        holder = next((c for c in claims if c[1] is not None), claims[0])
        for serial, _key, submission, _at in claims:
            if serial == holder[0]:
                continue
            found.append(
                Finding(
                    "gec-serial-collision",
                    "gec_claims",
                    serial,
                    f"claimed by submission {submission}, but it is certificate {key} in canonical form, "
                    f"claimed first as {holder[0]!r} by submission {holder[2]}",
                )
            )
    return found


def check_claims(db: Database) -> list[Finding]:
    """Every stored row today's claim rules would refuse (module docstring), footprints first, then GEC claims."""
    with db.transaction() as session:
        dids = {row[0]: row[1] for row in session.execute(select(Organisation.id, Organisation.did))}
        owners = _Owners(session)
        return [
            *_footprints_of_others(session, owners, dids),
            *_citations(session, owners, dids),
            *_gec_claims(session),
        ]
