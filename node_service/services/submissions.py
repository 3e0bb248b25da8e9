"""Signed activity-data submissions: verify, attribute, validate, resolve, compute, store and log — all or
nothing. :func:`check_submission` does every check that can refuse a credential; :func:`store_submission`
writes the checked credential with its footprint and GEC claims; :func:`submit_credential` is both with the
engine between.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from footprint_engine.activity import ActivityData, parse_activity
from footprint_engine.errors import ActivityDataError
from node_service.credentials.eddsa_jcs_2022 import VerifiedProof, verify
from node_service.credentials.errors import CredentialError
from node_service.credentials.jcs_fast import canonical_members, canonicalize, join_members
from node_service.credentials.vc import check_credential
from node_service.db.models import Base, Footprint, Submission
from node_service.errors import Conflict, ValidationFailed
from node_service.evidence_api.gec import (
    Claimant,
    SerialClaim,
    check_serials_free,
    serial_claims,
    write_gec_claims,
)
from node_service.evidence_api.service import check_cited_evidence, cited_cids
from node_service.identity.errors import KeyNotRegistered
from node_service.identity.keys import check_key_validity, key_not_registered
from node_service.identity.models import SubmissionFlag
from node_service.identity.resolution import Resolved, cited_identifiers, resolve_cited, resolver_for
from node_service.runtime import Node
from node_service.services import dbapi
from node_service.services.footprints import compute_footprint_document
from node_service.services.log import make_entry

__all__ = [
    "ACTIVITY_TYPE",
    "Accepted",
    "Checked",
    "activity_problem",
    "check_submission",
    "store_submission",
    "submission_flags",
    "submit_credential",
]

ACTIVITY_TYPE = "ActivityDataCredential"


SUBJECT = "credentialSubject"


@dataclass(frozen=True)
class Accepted:
    submission: Submission
    footprint: Footprint
    created: bool  # False when the same credential was submitted before (idempotent replay)
    flags: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Checked:
    """A credential that passed every check, ready to be stored."""

    credential: dict[str, Any]
    credential_id: str
    sha256: str
    activity: ActivityData
    proof: VerifiedProof
    organisation_id: str
    organisation_did: str
    identifiers: list[Resolved]
    flags: list[tuple[str, str, str]]  # (kind, field, detail)
    # RFC 8785 bytes of the credential: hashed for ``sha256`` and stored as the JSON column's text
    canonical: bytes = field(default=b"", repr=False)
    gec: list[SerialClaim] = field(default_factory=list)  # the GEC serials it claims (free when checked)

    @property
    def claimant(self) -> Claimant:
        return Claimant.of(self.organisation_id, self.organisation_did, self.credential_id, self.activity)


def _loc_path(loc: tuple[Any, ...]) -> str:
    path = SUBJECT
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def activity_problem(exc: ValidationError, subject: Any) -> ValidationFailed:
    """A 422 naming the real field path.

    Model-level validators of the engine raise errors whose pydantic ``loc`` is empty (or stops at the
    parent) while the engine's own error names the path; ``parse_activity`` turns the first error into that
    :class:`ActivityDataError`, whose ``field`` we report. The ``errors`` list keeps every pydantic error.
    """
    errors = exc.errors(include_url=False)
    try:
        parse_activity(subject)
        engine_error: ActivityDataError | None = None
    except ActivityDataError as found:
        engine_error = found
    first_loc = _loc_path(tuple(errors[0]["loc"]))
    where = (
        f"{SUBJECT}.{engine_error.field}" if engine_error is not None and engine_error.field else first_loc
    )
    message = engine_error.detail if engine_error is not None else str(errors[0]["msg"])
    failed = ValidationFailed(
        f"{where}: {message}",
        fix=(engine_error.fix if engine_error is not None else f"correct {where}")
        + f" ({len(errors)} problem(s) in total)",
        field=where,
    )
    failed.errors = [  # type: ignore[attr-defined]
        {
            "field": where if i == 0 else _loc_path(tuple(e["loc"])),
            "rule": e["type"],
            "message": str(e["msg"]).removeprefix("Value error, "),
        }
        for i, e in enumerate(errors)
    ]
    return failed


def submission_flags(session: Session, submission_id: str) -> list[dict[str, Any]]:
    """Flags raised on a stored submission (e.g. signed by a key revoked later), oldest first."""
    rows = session.execute(
        select(SubmissionFlag)
        .where(SubmissionFlag.submission_id == submission_id)
        .order_by(SubmissionFlag.id)
    ).scalars()
    return [{"kind": r.kind, "field": r.field, "detail": r.detail} for r in rows]


def _existing(session: Session, credential_id: str, sha256: str, org_id: str) -> Accepted | None:
    existing = session.get(Submission, credential_id)
    if existing is None:
        return None
    if existing.sha256 != sha256 or existing.organisation_id != org_id:
        raise Conflict(
            f"credential {credential_id} was submitted before with other content",
            fix="give a new credential id to a new version",
            field="id",
        )
    footprint = session.execute(select(Footprint).where(Footprint.submission_id == existing.id)).scalar_one()
    return Accepted(existing, footprint, created=False, flags=submission_flags(session, existing.id))


def check_submission(node: Node, credential: dict[str, Any]) -> Checked | Accepted:
    """Every check that can refuse a credential, in order (nothing is written):

    (1) the credential is a VerifiableCredential of type ActivityDataCredential with an id;
    (2) its eddsa-jcs-2022 proof verifies;
    (3) the credentialSubject is valid activity data (a 422 names the field);
    (4) the signing key is registered; its organisation is the issuer; proof.created is not in the future,
        not after the key's revocation or retirement (before a revocation: accepted and flagged);
    (5) the subject's organisation is the issuer (its did or USCC);
    (6) idempotency: the same id with the same content returns the stored record (an Accepted); the same
        id with other content is 409;
    (7) every cited identifier resolves (see node_service.identity.resolution): an unresolvable one is a 422
        naming it (with ``TANLIAN_STRICT_IDENTIFIERS=false``, handles under prefixes no resolver serves are
        accepted and flagged instead);
    (8) every cited evidence CID is stored on this node by the organisation (422 naming the JSON path);
    (9) every GEC serial claimed is free: not held by another submission of anyone (409 naming the JSON path),
        except by an earlier version of this submission, whose claims move to it. The store checks (9) again
        in its own transaction.
    """
    # (1)
    try:
        check_credential(credential, expected_type=ACTIVITY_TYPE)
    except CredentialError as exc:
        raise ValidationFailed(str(exc), field="credential") from exc
    credential_id = credential.get("id")
    if not isinstance(credential_id, str) or not credential_id:
        raise ValidationFailed("the credential has no id", field="id", fix="give it an id such as urn:uuid:…")
    if len(credential_id) > 200:
        raise ValidationFailed(
            f"the credential id has {len(credential_id)} characters, want at most 200", field="id"
        )
    # (2)
    try:
        proof = verify(credential)
    except CredentialError as exc:
        raise ValidationFailed(f"proof: {exc}", field="proof") from exc
    # the credential's canonical form, from the members the verifier canonicalised: hashed and stored
    canonical = proof.canonical_document or canonicalize(credential)
    digest = hashlib.sha256(canonical).hexdigest()
    # (3)
    subject = credential.get(SUBJECT)
    try:
        activity = ActivityData.model_validate(subject)
    except ValidationError as exc:
        raise activity_problem(exc, subject) from exc

    with node.db.transaction() as session:
        # (4) one plain query for the key and its organisation (the ORM cost 10x the database here)
        signer = proof.controller
        rows = dbapi.query(
            session,
            "SELECT k.organisation_id, k.revoked_at, k.retired_at, o.did, o.uscc FROM organisation_keys k "
            "JOIN organisations o ON o.id = k.organisation_id WHERE k.did = ?",
            (signer,),
        )
        if not rows:
            raise key_not_registered(signer)
        org_id, revoked_at, retired_at, org_did, org_uscc = rows[0]
        _created, key_flags = check_key_validity(
            signer, org_id, dbapi.read_datetime(revoked_at), dbapi.read_datetime(retired_at), proof, None
        )
        if credential.get("issuer") != org_did:
            raise KeyNotRegistered(
                f"signing key {signer} is not registered to the issuer {credential.get('issuer')!r} "
                f"(it belongs to {org_did})",
                field="issuer",
                fix="set issuer to your organisation's did and sign with one of its keys",
            )
        # (5)
        if activity.organisation.id not in (org_did, org_uscc):
            raise ValidationFailed(
                f"credentialSubject.organisation.id {activity.organisation.id!r} is not the issuer ({org_did})",
                field="credentialSubject.organisation.id",
                fix="report your own organisation's did or USCC",
            )
        # (6)
        if dbapi.query(session, "SELECT 1 FROM submissions WHERE id = ?", (credential_id,)):
            existing = _existing(session, credential_id, digest, org_id)
            if existing is not None:
                return existing
        # (7)
        resolved, unresolved = resolve_cited(
            session, resolver_for(node), cited_identifiers(activity), strict=node.settings.strict_identifiers
        )
        # (8)
        org = _OrganisationRef(org_id, org_did)
        check_cited_evidence(session, org, cited_cids(subject, SUBJECT))
        # (9)
        claims = serial_claims(activity, credential_id)
        check_serials_free(session, Claimant.of(org_id, org_did, credential_id, activity), claims)
        flags = [(kind, "proof.verificationMethod", detail) for kind, detail in key_flags] + unresolved
        return Checked(
            credential=credential,
            credential_id=credential_id,
            sha256=digest,
            activity=activity,
            proof=proof,
            organisation_id=org_id,
            organisation_did=org_did,
            identifiers=resolved,
            flags=flags,
            canonical=canonical,
            gec=claims,
        )


@dataclass(frozen=True, slots=True)
class _OrganisationRef:
    id: str
    did: str


def _insert(session: Session, row: Base, sql: str, params: Any) -> None:
    """INSERT ``row`` with plain SQL, firing the mapper's before/after_insert listeners as a flush would
    (e.g. node_service.pact.citations records a footprint's citations on after_insert)."""
    mapper = inspect(type(row))
    state = inspect(row)
    connection = session.connection()
    mapper.dispatch.before_insert(mapper, connection, state)
    dbapi.execute(session, sql, params(row))
    mapper.dispatch.after_insert(mapper, connection, state)


MAX_GROUP = 64  # submissions written in one transaction at most


@dataclass
class _Write:
    """One checked submission's rows, ready for whichever thread holds the log lock to write them."""

    checked: Checked
    submission: Submission
    footprint: Footprint
    canonical: bytes  # the credential's RFC 8785 text (stored, and hashed in checked.sha256)
    flags: list[dict[str, Any]]
    now: datetime
    fp_members: dict[str, bytes]  # the RFC 8785 text of each member of the footprint document but its version
    fp_canonical: bytes = b""  # the whole document's, once its version is set (when its rows are written)
    gec_entries: list[dict[str, Any]] = field(default_factory=list)  # set when its rows are written
    done: bool = False  # the group it was in has finished (stored, refused or failed)
    stored: bool = False
    error: Exception | None = None


class _GroupCommit:
    """Group commit: submissions that wait for the log lock while another one is written are written
    together by the next holder, in one transaction with one log append. Each submission stays atomic: a
    submission refused inside the group (a concurrent duplicate, or a GEC serial another submission claimed
    meanwhile — an earlier member of the same group included) is refused by checks that run before it writes
    anything, and when the group's transaction fails, every member is retried alone so that one submission's
    failure is never another's.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._pending: list[_Write] = []

    def write(self, node: Node, item: _Write) -> None:
        with self._mutex:
            self._pending.append(item)
        with node.tlog.lock:
            while not item.done:
                with self._mutex:
                    group, self._pending = self._pending[:MAX_GROUP], self._pending[MAX_GROUP:]
                _store_group(node, group)
        if item.error is not None:
            raise item.error
        if not item.stored:  # the thread writing its group was interrupted
            raise RuntimeError(f"storing {item.checked.credential_id} was interrupted; submit it again")


def _group_commit(node: Node) -> _GroupCommit:
    group: _GroupCommit | None = node.__dict__.get("_submission_group_commit")
    if group is None:
        with _GROUP_INIT:
            group = node.__dict__.setdefault("_submission_group_commit", _GroupCommit())
    return group


_GROUP_INIT = threading.Lock()


def _store_group(node: Node, group: list[_Write]) -> None:
    """Write ``group`` in one transaction (the caller holds the log lock); sets each member's outcome."""
    written: list[_Write] = []
    try:
        with node.db.transaction() as session:
            ids: set[str] = set()
            for item in group:
                try:
                    _write_rows(session, item, ids)
                except Conflict as exc:  # raised by the checks before the item wrote anything
                    item.error = exc
                else:
                    written.append(item)
            if written:
                node.tlog.append(session, [entry for item in written for entry in _entries(item)])
        for item in written:
            item.stored = True
    except Exception as exc:
        if len(group) == 1:
            group[0].error = exc
        else:
            for item in group:
                if item.error is None:
                    _store_group(node, [item])
    finally:
        for item in group:
            item.done = True


def _entries(item: _Write) -> list[dict[str, Any]]:
    checked = item.checked
    return [
        make_entry("submission", checked.credential_id, checked.sha256, checked.organisation_did),
        make_entry("footprint", item.footprint.id, item.footprint.sha256, checked.organisation_did),
        *item.gec_entries,
    ]


def _write_rows(session: Session, item: _Write, ids: set[str]) -> None:
    """The rows of one submission: supersede the previous one, insert the submission, footprint, flags and
    GEC claims. The checks come first and raise :class:`Conflict` before anything is written."""
    checked, submission, footprint = item.checked, item.submission, item.footprint
    # checks: the id is new, the GEC serials are still free (earlier members of the group included)
    if checked.credential_id in ids or dbapi.query(
        session, "SELECT 1 FROM submissions WHERE id = ?", (checked.credential_id,)
    ):
        raise Conflict(
            f"credential {checked.credential_id} was submitted concurrently", fix="retry the request"
        )
    claimant = checked.claimant if checked.gec else None
    moving = check_serials_free(session, claimant, checked.gec) if claimant is not None else set()
    # the footprint's version: the next of this organisation's product, read here, where writers are
    # serialised, so that concurrent submissions (other processes, earlier members of the group) never share
    # one; the document is then final and is hashed
    document = footprint.result
    latest = dbapi.query(
        session,
        "SELECT MAX(version) FROM footprints WHERE organisation_id = ? AND product_id = ?",
        (footprint.organisation_id, footprint.product_id),
    )[0][0]
    footprint.version = document["version"] = int(latest or 0) + 1
    item.fp_canonical = join_members({**item.fp_members, "version": canonicalize(footprint.version)})
    footprint.sha256 = hashlib.sha256(item.fp_canonical).hexdigest()
    # writes
    ids.add(checked.credential_id)
    created_at = dbapi.db_datetime(session, item.now)
    dbapi.execute(
        session,
        "UPDATE submissions SET status = 'superseded', superseded_by = ? WHERE organisation_id = ? "
        "AND product_id = ? AND period_start = ? AND period_end = ? AND status = 'accepted'",
        (
            checked.credential_id,
            submission.organisation_id,
            submission.product_id,
            submission.period_start,
            submission.period_end,
        ),
    )
    _insert(
        session,
        submission,
        "INSERT INTO submissions (id, organisation_id, product_id, period_start, period_end, status, "
        "credential, sha256, signed_by, superseded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        lambda s: (
            s.id,
            s.organisation_id,
            s.product_id,
            s.period_start,
            s.period_end,
            s.status,
            item.canonical.decode("utf-8")
            if s.credential is checked.credential
            else json.dumps(s.credential),
            s.sha256,
            s.signed_by,
            s.superseded_by,
            created_at,
        ),
    )
    _insert(
        session,
        footprint,
        "INSERT INTO footprints (id, submission_id, organisation_id, product_id, result, sha256, "
        "created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        lambda f: (
            f.id,
            f.submission_id,
            f.organisation_id,
            f.product_id,
            item.fp_canonical.decode("utf-8") if f.result is document else json.dumps(f.result),
            f.sha256,
            created_at,
            f.version,
        ),
    )
    dbapi.executemany(
        session,
        "INSERT INTO submission_flags (submission_id, kind, field, detail, created_at) VALUES (?, ?, ?, ?, ?)",
        [(checked.credential_id, f["kind"], f["field"], f["detail"], created_at) for f in item.flags],
    )
    if claimant is not None:
        item.gec_entries = write_gec_claims(session, claimant, checked.gec, moving, item.now)


def store_submission(node: Node, checked: Checked, footprint_id: str, document: dict[str, Any]) -> Accepted:
    """Store a checked submission, its footprint document and its GEC claims, with their log entries, in one
    transaction; an earlier accepted submission for the same product and period is marked superseded (and
    the GEC claims it held move to this one). A serial claimed meanwhile by another submission is a 409 and
    nothing is stored.

    The footprint's ``version`` (1, 2, … per organisation and product) is set in ``document`` by the
    transaction that stores it, where writers are serialised, and only then is the document hashed.
    The JSON columns hold the RFC 8785 text that was hashed, so each document is serialised once; rows are
    written with plain statements (node_service.services.dbapi); concurrent submissions share one
    transaction and one log append (:class:`_GroupCommit`), each still all or nothing.
    """
    now = datetime.now(UTC)
    activity = checked.activity
    period = activity.reporting_period
    submission = Submission(
        id=checked.credential_id,
        organisation_id=checked.organisation_id,
        product_id=activity.product_identifier,
        period_start=period.start.isoformat(),
        period_end=period.end.isoformat(),
        status="accepted",
        credential=checked.credential,
        sha256=checked.sha256,
        signed_by=checked.proof.verification_method,
        created_at=now,
    )
    footprint = Footprint(
        id=footprint_id,
        submission_id=checked.credential_id,
        organisation_id=checked.organisation_id,
        product_id=activity.product_identifier,
        result=document,
        sha256="",  # with the version, when its rows are written
        created_at=now,
    )
    flags = [{"kind": k, "field": f, "detail": d[:1000]} for k, f, d in checked.flags]
    item = _Write(
        checked,
        submission,
        footprint,
        checked.canonical or canonicalize(checked.credential),
        flags,
        now,
        # serialised here, outside the writers' lock: only the version is added there (~10 us, not ~750)
        canonical_members({k: v for k, v in document.items() if k != "version"}),
    )
    _group_commit(node).write(node, item)
    return Accepted(submission, footprint, created=True, flags=flags)


def submit_credential(node: Node, credential: dict[str, Any]) -> Accepted:
    """Accept a signed activity-data credential: :func:`check_submission`, then the footprint engine
    (outside any transaction: it is pure and may take a while), then :func:`store_submission`."""
    checked = check_submission(node, credential)
    if isinstance(checked, Accepted):
        return checked
    footprint_id = str(uuid.uuid4())
    document = compute_footprint_document(
        node,
        checked.activity,
        footprint_id=footprint_id,
        submission_id=checked.credential_id,
        organisation=checked.organisation_did,
    )
    return store_submission(node, checked, footprint_id, document)
