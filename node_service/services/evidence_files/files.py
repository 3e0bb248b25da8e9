"""Evidence in the node: store once per CID, own and log per organisation, read by whom it is shared with.

Who may read evidence CID c of owner O (``readable_copy``):
  (1) O itself;
  (2) an organisation O granted access to c (``POST /evidence/{cid}/grants``), e.g. its auditor;
  (3) a buyer of a footprint of O whose submission cites c in an ``evidence`` list of its activity data.
Everyone else gets the same 404 as for a CID that does not exist, so CIDs cannot be probed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from node_service.db import statements as dbapi
from node_service.db.models import Footprint, FootprintShare, Organisation, Submission
from node_service.errors import NotFound, ValidationFailed
from node_service.evidence import EvidenceError, EvidenceTooLargeError, InvalidCidError, parse_cid
from node_service.log.append import make_entry
from node_service.services.context import NodeResources
from node_service.services.evidence_files.models import EvidenceFile, EvidenceGrant
from node_service.services.evidence_files.upload import Upload

__all__ = [
    "OrganisationRef",
    "Stored",
    "check_cited_evidence",
    "cited_cids",
    "evidence_entry_id",
    "evidence_of",
    "grant_access",
    "iter_stream",
    "list_evidence",
    "open_evidence",
    "readable_copy",
    "store_upload",
]


@dataclass(frozen=True)
class Stored:
    record: EvidenceFile
    created: bool  # False when this organisation had stored the same bytes before


def evidence_entry_id(organisation_id: str, cid: str) -> str:
    """The log entry id of an organisation's copy of a file (one entry per owner and CID)."""
    return f"urn:tanlian:evidence:{organisation_id}:{cid}"


def _not_found(cid: str) -> NotFound:
    return NotFound(f"no evidence {cid} visible to you", fix="ask its owner to grant you access")


def _canonical_cid(cid: str, field: str = "cid") -> str:
    try:
        return str(parse_cid(cid))
    except InvalidCidError as exc:
        raise ValidationFailed(
            f"{field}: {exc}", field=field, fix="give the CIDv1 printed by `tanlian evidence cid FILE`"
        ) from None


def store_upload(node: NodeResources, org: Organisation, upload: Upload) -> Stored:
    """Put the uploaded file in the evidence store (once per CID), then record and log this owner's copy."""
    # (1) the store computes the CID while it copies; equal bytes are stored once
    try:
        with upload.path.open("rb") as stream:
            stored = node.evidence.put(stream)
    except EvidenceTooLargeError as exc:
        exc.field = "file"
        raise
    except EvidenceError as exc:
        raise ValidationFailed(f"the evidence store refused the file: {exc}", field="file") from None
    # (2) one row and one log entry per owner and CID
    with node.tlog.lock, node.db.transaction() as session:
        existing = session.get(EvidenceFile, (org.id, stored.cid))
        if existing is not None:
            return Stored(existing, created=False)
        record = EvidenceFile(
            organisation_id=org.id,
            cid=stored.cid,
            filename=upload.filename,
            media_type=upload.media_type,
            size=stored.size,
            sha256=stored.sha256,
            entry_id=evidence_entry_id(org.id, stored.cid),
            created_at=datetime.now(UTC),
        )
        session.add(record)
        session.flush()
        node.tlog.append(
            session,
            [
                make_entry(
                    "evidence", record.entry_id, stored.sha256, org.did, cid=stored.cid, size=stored.size
                )
            ],
        )
    return Stored(record, created=True)


def cited_cids(document: Any, path: str = "") -> dict[str, str]:
    """Every CID listed under an ``evidence`` key anywhere in ``document``, with the JSON path citing it first.

    Paths are formatted only for containers (scalars cannot hold an ``evidence`` key): a submission's subject
    is walked in ~0.1 ms."""
    found: dict[str, str] = {}

    containers = (dict, list)  # JSON as parsed; exact type checks (the Mapping ABC check cost 0.2 ms here)

    def walk(node: Any, here: str) -> None:
        if type(node) is dict:
            for key, value in node.items():
                if key == "evidence" and type(value) is list:
                    where = f"{here}.{key}" if here else str(key)
                    for i, item in enumerate(value):
                        if type(item) is str:
                            found.setdefault(item, f"{where}[{i}]")
                elif type(value) in containers:
                    walk(value, f"{here}.{key}" if here else str(key))
        elif type(node) is list:
            for i, item in enumerate(node):
                if type(item) in containers:
                    walk(item, f"{here}[{i}]")

    walk(document, path)
    return found


class OrganisationRef(Protocol):
    """What the checks need of an organisation (an ORM ``Organisation`` is one)."""

    @property
    def id(self) -> str: ...

    @property
    def did(self) -> str: ...


_CHUNK = 500  # CIDs per IN (...) list


def check_cited_evidence(
    session: Session, org: OrganisationRef, cids: Iterable[str] | Mapping[str, str]
) -> None:
    """Every cited CID must be stored on this node by ``org`` itself (422 naming the first that is not).

    ``cids`` is a list of CIDs or, better, ``cited_cids(credentialSubject, "credentialSubject")`` so the error
    names the JSON path. Call it inside the submission's transaction, before anything is written. A file
    shared with ``org`` by someone else does not count: buyers of ``org``'s footprint read the cited files
    from ``org``'s own copies (``readable_copy`` (3)), so ``org`` uploads the file too (stored once per CID).
    One plain query per 500 CIDs.
    """
    where = dict(cids) if isinstance(cids, Mapping) else {c: "evidence" for c in cids}
    if not where:
        return
    cited = list(where)
    owned: set[str] = set()
    for start in range(0, len(cited), _CHUNK):
        chunk = cited[start : start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT cid FROM evidence_files WHERE organisation_id = ? AND cid IN ({marks})"  # noqa: S608
        rows = dbapi.query(session, sql, (org.id, *chunk))
        owned.update(row[0] for row in rows)
    for cid, path in where.items():
        if cid not in owned:
            raise ValidationFailed(
                f"{path}: evidence {cid} is not stored on this node by {org.did}",
                field=path,
                fix="upload the file first (`tanlian submit SIGNED --evidence FILE`, or POST /evidence) and "
                "cite the CIDv1 it returns (`tanlian evidence cid FILE` prints it)",
            )


def _cited_by_shared_footprint(session: Session, viewer: Organisation, cid: str) -> str | None:
    """The owner of ``cid`` whose footprint, shared with ``viewer``, comes from a submission citing it."""
    rows = session.execute(
        select(Submission.organisation_id, Submission.credential)
        .join(Footprint, Footprint.submission_id == Submission.id)
        .join(FootprintShare, FootprintShare.footprint_id == Footprint.id)
        .where(FootprintShare.organisation_id == viewer.id)
    )
    for owner_id, credential in rows:
        if cid in cited_cids(credential.get("credentialSubject")):
            return str(owner_id)
    return None


def readable_copy(session: Session, viewer: Organisation, cid: str) -> EvidenceFile | None:
    """The copy of ``cid`` that ``viewer`` may read (its own first), or None."""
    # (1)
    own = session.get(EvidenceFile, (viewer.id, cid))
    if own is not None:
        return own
    # (2)
    granted = session.execute(
        select(EvidenceFile)
        .join(
            EvidenceGrant,
            (EvidenceGrant.organisation_id == EvidenceFile.organisation_id)
            & (EvidenceGrant.cid == EvidenceFile.cid),
        )
        .where(EvidenceGrant.grantee_id == viewer.id, EvidenceGrant.cid == cid)
        .limit(1)
    ).scalar_one_or_none()
    if granted is not None:
        return granted
    # (3)
    owner_id = _cited_by_shared_footprint(session, viewer, cid)
    return session.get(EvidenceFile, (owner_id, cid)) if owner_id else None


def open_evidence(node: NodeResources, viewer: Organisation, cid: str) -> tuple[EvidenceFile, BinaryIO]:
    """The copy ``viewer`` may read and a stream of its bytes (checked against the CID at end of file)."""
    cid = _canonical_cid(cid)
    with node.db.transaction() as session:
        record = readable_copy(session, viewer, cid)
        if record is None:
            raise _not_found(cid)
        session.expunge(record)
    try:
        return record, node.evidence.open(cid)
    except EvidenceError as exc:
        raise NotFound(f"evidence {cid} is recorded but the store cannot return it: {exc}") from None


def iter_stream(stream: BinaryIO, chunk_size: int = 256 * 1024) -> Iterator[bytes]:
    """Chunks of ``stream``, closing it at the end (for a streaming response)."""
    try:
        while chunk := stream.read(chunk_size):
            yield chunk
    finally:
        stream.close()


def grant_access(node: NodeResources, owner: Organisation, cid: str, grantee_did: str) -> EvidenceGrant:
    """Let ``grantee_did`` read ``owner``'s copy of ``cid`` (idempotent)."""
    cid = _canonical_cid(cid)
    with node.db.transaction() as session:
        if session.get(EvidenceFile, (owner.id, cid)) is None:
            raise _not_found(cid)
        grantee = session.execute(
            select(Organisation).where(Organisation.did == grantee_did)
        ).scalar_one_or_none()
        if grantee is None:
            raise ValidationFailed(
                f"no organisation {grantee_did} on this exchange",
                field="organisation",
                fix="check the auditor's did (it registers with POST /organisations)",
            )
        grant = session.get(EvidenceGrant, (owner.id, cid, grantee.id))
        if grant is None:
            grant = EvidenceGrant(
                organisation_id=owner.id, cid=cid, grantee_id=grantee.id, created_at=datetime.now(UTC)
            )
            session.add(grant)
        return grant


def list_evidence(session: Session, org: Organisation, *, limit: int = 100) -> list[EvidenceFile]:
    return list(
        session.execute(
            select(EvidenceFile)
            .where(EvidenceFile.organisation_id == org.id)
            .order_by(EvidenceFile.created_at.desc())
            .limit(limit)
        ).scalars()
    )


def evidence_of(node: NodeResources, org: Organisation, *, limit: int = 100) -> list[EvidenceFile]:
    """:func:`list_evidence` in a transaction of its own."""
    with node.db.transaction() as session:
        return list_evidence(session, org, limit=limit)
