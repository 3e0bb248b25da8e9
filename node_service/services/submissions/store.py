"""Storing a checked submission: its rows (submission, footprint, flags, GEC claims, citations, factor uses) and
log entries in one transaction, through the node's group commit (:func:`store_submission`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from node_service.credentials.jcs import canonical_members, canonicalize, join_members
from node_service.db import statements as dbapi
from node_service.db.models import Footprint, Submission
from node_service.errors import Conflict
from node_service.log.append import make_entry
from node_service.services.context import NodeResources
from node_service.services.evidence_files.contract_claims import check_contracts_free, write_contract_claims
from node_service.services.evidence_files.gec_claims import check_serials_free, write_gec_claims
from node_service.services.factors.uses import record_factor_uses
from node_service.services.pact.actions.citations import record_citations
from node_service.services.submissions.checks import Accepted, Checked

__all__ = ["store_submission"]


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

    @property
    def label(self) -> str:
        return self.checked.credential_id


def _store_group(node: NodeResources, group: list[_Write]) -> None:
    """Write ``group`` in one transaction (the caller holds the log lock); sets each member's outcome.

    Each submission stays atomic: a member refused inside the group (a concurrent duplicate, or a GEC serial
    another submission claimed meanwhile — an earlier member of the same group included) is refused by checks
    that run before it writes anything, and when the group's transaction fails, every member is retried alone
    so that one submission's failure is never another's."""
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
    claimant = checked.claimant if checked.gec or checked.contracts else None
    moving = check_serials_free(session, claimant, checked.gec) if claimant is not None else set()
    moving_contracts = (
        check_contracts_free(session, claimant, checked.contracts) if claimant is not None else set()
    )
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
    dbapi.execute(
        session,
        "INSERT INTO submissions (id, organisation_id, product_id, period_start, period_end, status, "
        "credential, sha256, signed_by, superseded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            submission.id,
            submission.organisation_id,
            submission.product_id,
            submission.period_start,
            submission.period_end,
            submission.status,
            item.canonical.decode("utf-8")
            if submission.credential is checked.credential
            else json.dumps(submission.credential),
            submission.sha256,
            submission.signed_by,
            submission.superseded_by,
            created_at,
        ),
    )
    dbapi.execute(
        session,
        "INSERT INTO footprints (id, submission_id, organisation_id, product_id, result, sha256, "
        "created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            footprint.id,
            footprint.submission_id,
            footprint.organisation_id,
            footprint.product_id,
            item.fp_canonical.decode("utf-8")
            if footprint.result is document
            else json.dumps(footprint.result),
            footprint.sha256,
            created_at,
            footprint.version,
        ),
    )
    record_citations(session, footprint.id, document)
    record_factor_uses(session, footprint.id, document)
    dbapi.executemany(
        session,
        "INSERT INTO submission_flags (submission_id, kind, field, detail, created_at) VALUES (?, ?, ?, ?, ?)",
        [(checked.credential_id, f["kind"], f["field"], f["detail"], created_at) for f in item.flags],
    )
    if claimant is not None:
        item.gec_entries = write_gec_claims(session, claimant, checked.gec, moving, item.now)
        write_contract_claims(session, claimant, checked.contracts, moving_contracts, item.now)


def store_submission(
    node: NodeResources, checked: Checked, footprint_id: str, document: dict[str, Any]
) -> Accepted:
    """Store a checked submission, its footprint document and its GEC claims, with their log entries, in one
    transaction; an earlier accepted submission for the same product and period is marked superseded (and
    the GEC claims it held move to this one). A serial claimed meanwhile by another submission is a 409 and
    nothing is stored.

    The footprint's ``version`` (1, 2, … per organisation and product) is set in ``document`` by the
    transaction that stores it, where writers are serialised, and only then is the document hashed.
    The JSON columns hold the RFC 8785 text that was hashed, so each document is serialised once; rows are
    written with plain statements (node_service.db.statements); concurrent submissions share one
    transaction and one log append (node_service.services.submissions.group_commit), each still all or nothing.
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
    node.submission_group.write(node.tlog.lock, item, lambda group: _store_group(node, group))
    return Accepted(submission, footprint, created=True, flags=flags)
