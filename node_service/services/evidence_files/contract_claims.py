"""Green-power contracts (绿电交易): a contract's delivery is claimed once across the whole exchange, as a GEC
serial is (node_service.services.evidence_files.gec_claims). The MWh a contract delivered in a window belongs to
one submission; the same contract may be claimed again only for a window that does not overlap.

A submission's contract claims are checked and recorded in the submission's own transaction, in three steps:

(1) ``contract_claims``: every green-power-contract claim of the activity data with its JSON path, its trimmed
    contract id and its canonical id (footprint_engine.gec_serial: NFKC, format characters, whitespace and
    separators removed, upper case, A-Z and 0-9 only) and its delivery window; 422 for an id without a canonical
    form or too long. (Two claims of one contract with overlapping windows in one document are refused by the
    engine already, footprint_engine.greenpower rule (4).)
(2) ``check_contracts_free``: one query for all canonical ids (``contract_claims.contract_key``, indexed); a
    window overlapping one already held by another submission — of anyone, in any spelling — is refused with 409
    ``green-power-contract-claimed`` naming the contract and the JSON path of its ``contractId``, unless the
    holder is an earlier version of this very submission (same organisation, product and reporting period: the
    new version supersedes it), in which case the claim moves to the new version;
(3) ``write_contract_claims``: one row per claim (moved rows replaced). The claim is part of the submission's
    credential, whose log entry covers it; no log entry of its own.

GECs bundled with a contract (``bundledGecSerials``) are claimed in ``gec_claims`` by step (1) of that module.
Steps (1) and (2) write nothing, so the submission store runs them before the first row of a submission.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from footprint_engine.activity import ActivityData, ContractClaim
from footprint_engine.gec_serial import GecSerialError, canonical_gec_serial
from node_service.credentials.jcs import canonicalize
from node_service.db import statements as dbapi
from node_service.errors import ValidationFailed
from node_service.services.evidence_files.errors import ContractClaimed
from node_service.services.evidence_files.gec_claims import Claimant, green_power_claims_of

__all__ = [
    "ContractClaimRef",
    "check_contracts_free",
    "contract_claims",
    "contract_claims_of",
    "write_contract_claims",
]

MAX_CONTRACT_ID = 200  # contract_claims.contract_id
_CHUNK = 500
_HELD_SQL = (
    "SELECT c.id, c.contract_key, c.delivery_start, c.delivery_end, c.organisation_id, c.submission_id, "
    "s.product_id, s.period_start, s.period_end, c.contract_id "
    "FROM contract_claims c LEFT JOIN submissions s ON s.id = c.submission_id "
)


@dataclass(frozen=True, slots=True)
class ContractClaimRef:
    path: str  # JSON path of the claim, e.g. credentialSubject.inputs.electricity[0].greenPowerClaims[2]
    contract_id: str  # trimmed, as given
    key: str  # canonical contract id
    start: str  # ISO dates of the delivery window
    end: str
    claim: ContractClaim

    @property
    def field(self) -> str:
        return f"{self.path}.contractId"


def contract_claims_of(activity: ActivityData) -> list[tuple[str, ContractClaim]]:
    """Every green-power-contract claim of the activity data with its JSON path, in document order."""
    return green_power_claims_of(activity, ContractClaim)


def contract_claims(activity: ActivityData) -> list[ContractClaimRef]:
    """Step (1): the contract claims with trimmed and canonical ids, refusing (422) what cannot be recorded."""
    out = []
    for path, claim in contract_claims_of(activity):
        field = f"{path}.contractId"
        given = claim.contract_id.strip()
        try:
            key = canonical_gec_serial(given)
        except GecSerialError as exc:
            raise ValidationFailed(
                f"{field}: the contract id {given!r}: {exc.detail.replace('GEC serial', 'id')} (rule {exc.rule})",
                field=field,
                fix="give the contract number as the trading centre prints it, in letters A-Z and digits 0-9 "
                "(separators and spaces are ignored)",
            ) from exc
        if len(given) > MAX_CONTRACT_ID:
            raise ValidationFailed(
                f"{field}: the contract id has {len(given)} characters, want at most {MAX_CONTRACT_ID}",
                field=field,
                fix="give the contract number as printed on the contract",
            )
        out.append(
            ContractClaimRef(
                path, given, key, claim.delivery_start.isoformat(), claim.delivery_end.isoformat(), claim
            )
        )
    return out


def check_contracts_free(
    session: Session, claimant: Claimant, claims: Sequence[ContractClaimRef]
) -> set[int]:
    """Step (2), writing nothing: the row ids held by earlier versions of the claimant (they move to it); raises
    :class:`ContractClaimed` (409) for the first claim whose window overlaps one held by any other submission."""
    if not claims:
        return set()
    keys = sorted({c.key for c in claims})
    held: dict[str, list[tuple[Any, ...]]] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        for row in dbapi.query(session, _HELD_SQL + f"WHERE c.contract_key IN ({marks})", chunk):
            held.setdefault(row[1], []).append(row)
    moving: set[int] = set()
    series = (claimant.product_id, claimant.period_start, claimant.period_end)
    for c in claims:
        for row_id, _key, start, end, org_id, submission_id, *holder_series, held_as in held.get(c.key, []):
            if not (c.start <= end and start <= c.end):
                continue  # ISO dates compare as text; a window that does not overlap is another delivery
            own = org_id == claimant.organisation_id
            if own and submission_id != claimant.submission_id and tuple(holder_series) == series:
                moving.add(row_id)
                continue
            spelt = (
                ""
                if held_as == c.contract_id
                else f" (as {held_as!r}; ids compare in canonical form {c.key})"
            )
            raise ContractClaimed(
                f"{c.field}: green-power contract {c.contract_id!r} delivering {c.start}…{c.end} is already claimed "
                f"on this exchange for {start}…{end}{spelt}"
                + (f" by your submission {submission_id}" if own else ""),
                field=c.field,
                fix="claim only the MWh of your own contract delivered in a window not claimed before"
                + (
                    " (a new version of that submission — same product and period — takes its claims over)"
                    if own
                    else ""
                ),
            )
    return moving


def _claim_document(c: ContractClaimRef, claimant: Claimant) -> dict[str, Any]:
    return {
        "contractId": c.contract_id,
        "canonicalContractId": c.key,
        "deliveryStart": c.start,
        "deliveryEnd": c.end,
        "quantityMWh": c.claim.quantity_mwh,
        "generationType": c.claim.generation_type,
        "delivery": c.claim.delivery,
        "bundledGecSerials": [s.strip() for s in c.claim.bundled_gec_serials],
        "organisation": claimant.organisation_did,
        "submissionId": claimant.submission_id,
    }


def write_contract_claims(
    session: Session,
    claimant: Claimant,
    claims: Sequence[ContractClaimRef],
    moving: set[int],
    now: datetime | None = None,
) -> None:
    """Step (3): record each claim for the claimant; ``moving``: row ids of earlier versions, replaced."""
    moved = sorted(moving)
    for start in range(0, len(moved), _CHUNK):
        chunk = moved[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        dbapi.execute(session, f"DELETE FROM contract_claims WHERE id IN ({marks})", chunk)  # noqa: S608
    if not claims:
        return
    claimed_at = dbapi.db_datetime(session, now or datetime.now(UTC))
    rows = []
    for c in claims:
        text = canonicalize(_claim_document(c, claimant))
        rows.append(
            (
                c.contract_id,
                c.key,
                c.start,
                c.end,
                claimant.organisation_id,
                claimant.submission_id,
                text.decode(),
                hashlib.sha256(text).hexdigest(),
                claimed_at,
            )
        )
    dbapi.executemany(
        session,
        "INSERT INTO contract_claims (contract_id, contract_key, delivery_start, delivery_end, organisation_id, "
        "submission_id, claim, sha256, claimed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
