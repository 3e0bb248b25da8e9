"""GEC (绿证) serials: each is claimed once across the whole exchange (DESIGN.md, calculation rules).

A submission's claims are checked and recorded in the submission's own transaction, in three steps:

(1) ``serial_claims``: every GEC claim of the activity data — and every GEC bundled with a green-power contract
    (``bundledGecSerials``: green-power trading comes with its certificates, which are then claimed with the
    contract and can never be claimed again on their own) — with its JSON path, its trimmed serial and its
    canonical serial (footprint_engine.gec_serial: NFKC, format characters, whitespace and separators removed,
    upper case, A-Z and 0-9 only); 422 for a serial without a canonical form, one given twice (compared
    canonically), or one too long for its log entry id;
(2) ``check_serials_free``: one query for all canonical serials (``gec_claims.serial_key``, unique); a serial
    already held by another submission — of anyone, in any spelling — is refused with 409 naming the serial and
    its JSON path, unless the holder is an earlier version of this very submission (same organisation, product
    and reporting period: the new version supersedes it), in which case the claim moves to the new version;
(3) ``write_gec_claims``: one row per serial in ``gec_claims`` (the serial as given, trimmed, and its canonical
    form; moved rows replaced) and one "gec-claim" log entry per claim, which the caller appends in the same
    transaction.

Claims stored before the canonical form existed got theirs from migration 0013_gec_serial_key; where two of
them collide, the first keeps the key and the others are listed by ``tanlian check claims``.

Steps (1) and (2) write nothing, so the submission store runs them before the first row of a submission.
``record_gec_claims`` is the three in one call. Rows are read and written with plain statements
(node_service.db.statements): one query and at most two statements per submission, whatever the number of
serials.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from footprint_engine.activity import ActivityData, ContractClaim, GecClaim
from footprint_engine.gec_serial import GecSerialError, canonical_gec_serial
from node_service.credentials.jcs import canonicalize
from node_service.db import statements as dbapi
from node_service.errors import ValidationFailed
from node_service.log.append import make_entry
from node_service.services.evidence_files.errors import GecSerialClaimed
from node_service.services.evidence_files.files import OrganisationRef

__all__ = [
    "Claimant",
    "SerialClaim",
    "bundled_serials_of",
    "canonical_gec_serial",
    "check_serials_free",
    "gec_claims_of",
    "green_power_claims_of",
    "record_gec_claims",
    "serial_claims",
    "write_gec_claims",
]

MAX_SERIAL = 200  # gec_claims.serial
MAX_ENTRY_ID = 250  # gec_claims.entry_id: "urn:tanlian:gec-claim:<submission id>:<serial>"
_CHUNK = 500  # serials per IN (...) list, far below SQLite's and PostgreSQL's parameter limits
_HELD_SQL = (
    "SELECT g.serial_key, g.organisation_id, g.submission_id, s.product_id, s.period_start, s.period_end, "
    "g.serial "
    "FROM gec_claims g LEFT JOIN submissions s ON s.id = g.submission_id "
)


@dataclass(frozen=True, slots=True)
class Claimant:
    """The submission claiming serials; its organisation, product and period name its earlier versions."""

    organisation_id: str
    organisation_did: str
    submission_id: str
    product_id: str
    period_start: str  # ISO dates, as stored in submissions.period_start / period_end
    period_end: str

    @classmethod
    def of(
        cls, organisation_id: str, organisation_did: str, submission_id: str, activity: ActivityData
    ) -> Claimant:
        period = activity.reporting_period
        return cls(
            organisation_id,
            organisation_did,
            submission_id,
            activity.product_identifier,
            period.start.isoformat(),
            period.end.isoformat(),
        )


_Claim = TypeVar("_Claim", GecClaim, ContractClaim)


@dataclass(frozen=True, slots=True)
class SerialClaim:
    path: str  # JSON path of the claim, e.g. credentialSubject.inputs.electricity[0].greenPowerClaims[1]
    serial: str  # trimmed, as given: gec_claims.serial and the log entry id
    claim: GecClaim | ContractClaim  # a contract: the serial is one of its bundledGecSerials
    key: str = ""  # the canonical serial (footprint_engine.gec_serial): gec_claims.serial_key, unique
    field: str = ""  # JSON path of the serial itself: ….serial, or ….bundledGecSerials[k]

    def __post_init__(self) -> None:
        if not self.field:
            object.__setattr__(self, "field", f"{self.path}.serial")


def green_power_claims_of(activity: ActivityData, kind: type[_Claim]) -> list[tuple[str, _Claim]]:
    """Every green-power claim of ``kind`` in the activity data with its JSON path, in document order."""
    out: list[tuple[str, _Claim]] = []
    for i, elec in enumerate(activity.inputs.electricity):
        for j, claim in enumerate(elec.green_power_claims):
            if isinstance(claim, kind):
                out.append((f"credentialSubject.inputs.electricity[{i}].greenPowerClaims[{j}]", claim))
    return out


def gec_claims_of(activity: ActivityData) -> list[tuple[str, GecClaim]]:
    """Every GEC claim of the activity data with its JSON path, in document order."""
    return green_power_claims_of(activity, GecClaim)


def _entry_id(submission_id: str, serial: str) -> str:
    return f"urn:tanlian:gec-claim:{submission_id}:{serial}"


def bundled_serials_of(activity: ActivityData) -> list[tuple[str, str, str, ContractClaim]]:
    """Every GEC serial bundled with a green-power contract: (claim path, serial path, serial, contract)."""
    return [
        (path, f"{path}.bundledGecSerials[{k}]", serial, claim)
        for path, claim in green_power_claims_of(activity, ContractClaim)
        for k, serial in enumerate(claim.bundled_gec_serials)
    ]


def serial_claims(activity: ActivityData, submission_id: str) -> list[SerialClaim]:
    """Step (1): the claims with trimmed and canonical serials, refusing (422) what cannot be recorded."""
    out: list[SerialClaim] = []
    seen: dict[str, str] = {}
    given: list[tuple[str, str, str, GecClaim | ContractClaim]] = [
        (path, f"{path}.serial", claim.serial, claim) for path, claim in gec_claims_of(activity)
    ]
    given.extend(bundled_serials_of(activity))
    for path, field, raw, claim in given:
        serial = raw.strip()
        if not serial:
            raise ValidationFailed(
                f"{field}: the GEC serial is blank", field=field, fix="give the certificate serial"
            )
        try:
            key = canonical_gec_serial(serial)
        except GecSerialError as exc:
            raise ValidationFailed(
                f"{field}: {exc.detail} (rule {exc.rule})",
                field=field,
                fix="give the serial as the GEC platform prints it, in letters A-Z and digits 0-9",
            ) from exc
        if key in seen:
            raise ValidationFailed(
                f"{field}: GEC serial {serial!r} is also claimed at {seen[key]}",
                field=field,
                fix="claim each certificate serial once — a GEC bundled with a green-power contract is claimed by "
                "the contract only (serials are compared in their canonical form: case, spaces, separators and "
                "invisible characters do not count)",
            )
        if len(serial) > MAX_SERIAL:
            raise ValidationFailed(
                f"{field}: the GEC serial has {len(serial)} characters, want at most {MAX_SERIAL}",
                field=field,
                fix="give the serial as printed on the certificate",
            )
        if len(_entry_id(submission_id, serial)) > MAX_ENTRY_ID:
            raise ValidationFailed(
                f"{field}: the claim's log entry id (credential id + serial) would have "
                f"{len(_entry_id(submission_id, serial))} characters, want at most {MAX_ENTRY_ID}",
                field="id",
                fix="give the credential a shorter id, such as urn:uuid:…",
            )
        seen[key] = field
        out.append(SerialClaim(path, serial, claim, key, field))
    return out


def check_serials_free(session: Session, claimant: Claimant, claims: Sequence[SerialClaim]) -> set[str]:
    """Step (2), writing nothing: the canonical serials held by earlier versions of the claimant (they move to it);
    raises :class:`GecSerialClaimed` (409) for the first serial held by any other submission."""
    if not claims:
        return set()
    keys = [c.key for c in claims]
    held: dict[str, tuple[Any, ...]] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        sql = _HELD_SQL + f"WHERE g.serial_key IN ({marks})"
        rows = dbapi.query(session, sql, chunk)
        held.update((row[0], row[1:]) for row in rows)
    moving: set[str] = set()
    series = (claimant.product_id, claimant.period_start, claimant.period_end)
    for c in claims:
        holder = held.get(c.key)
        if holder is None:
            continue
        org_id, submission_id, *holder_series, held_as = holder
        own = org_id == claimant.organisation_id
        if own and submission_id != claimant.submission_id and tuple(holder_series) == series:
            moving.add(c.key)
            continue
        spelt = "" if held_as == c.serial else f" (as {held_as!r}; serials compare in canonical form {c.key})"
        raise GecSerialClaimed(
            f"{c.field}: GEC serial {c.serial!r} is already claimed on this exchange{spelt}"
            + (f" by your submission {submission_id}" if own else ""),
            field=c.field,
            fix="claim only certificates cancelled for you and not claimed before"
            + (
                " (a new version of that submission — same product and period — takes its claims over)"
                if own
                else ""
            ),
        )
    return moving


def _claim_document(
    serial: str, key: str, claim: GecClaim | ContractClaim, claimant: Claimant
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "serial": serial,
        "canonicalSerial": key,
        "organisation": claimant.organisation_did,
        "submissionId": claimant.submission_id,
        "generationType": claim.generation_type,
    }
    if isinstance(claim, GecClaim):
        document["quantityMWh"] = claim.quantity_mwh
        document["productionDate"] = claim.production_date.isoformat()
    else:  # bundled with a contract, whose MWh it carries (counted once, under the contract)
        document["bundledWithContract"] = claim.contract_id.strip()
        document["deliveryStart"] = claim.delivery_start.isoformat()
        document["deliveryEnd"] = claim.delivery_end.isoformat()
    return document


def write_gec_claims(
    session: Session,
    claimant: Claimant,
    claims: Sequence[SerialClaim],
    moving: set[str],
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Step (3): record each claim for the claimant (``moving``: rows of earlier versions, replaced); returns
    the "gec-claim" log entries, one per claim, whose ``sha256`` is that of the RFC 8785 claim document
    (``moving`` holds canonical serials)."""
    if not claims:
        return []
    claimed_at = dbapi.db_datetime(session, now or datetime.now(UTC))
    rows: list[tuple[Any, ...]] = []
    entries: list[dict[str, Any]] = []
    for c in claims:
        text = canonicalize(_claim_document(c.serial, c.key, c.claim, claimant))
        digest = hashlib.sha256(text).hexdigest()
        entry_id = _entry_id(claimant.submission_id, c.serial)
        rows.append(
            (
                c.serial,
                c.key,
                claimant.organisation_id,
                claimant.submission_id,
                text.decode(),
                digest,
                entry_id,
                claimed_at,
            )
        )
        entries.append(make_entry("gec-claim", entry_id, digest, claimant.organisation_did, serial=c.serial))
    moved = sorted(moving)
    for start in range(0, len(moved), _CHUNK):
        chunk = moved[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        dbapi.execute(session, f"DELETE FROM gec_claims WHERE serial_key IN ({marks})", chunk)  # noqa: S608
    dbapi.executemany(
        session,
        "INSERT INTO gec_claims (serial, serial_key, organisation_id, submission_id, claim, sha256, entry_id, "
        "claimed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return entries


def record_gec_claims(
    session: Session, org: OrganisationRef, activity: ActivityData, submission_id: str
) -> list[dict[str, Any]]:
    """Steps (1)-(3) for ``submission_id``, a submission of ``org`` reporting ``activity``: claim every GEC
    serial of the activity data; return the log entries to append in the same transaction."""
    claimant = Claimant.of(org.id, org.did, submission_id, activity)
    claims = serial_claims(activity, submission_id)
    return write_gec_claims(session, claimant, claims, check_serials_free(session, claimant, claims))
