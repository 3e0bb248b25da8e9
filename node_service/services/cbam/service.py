"""CBAM installations of an exporter on the exchange, and their emissions communications.

Every stored version of an installation is logged (entry type ``installation``, id ``<record id>@<version>``)
so it gets a receipt; a communication lists that receipt and the receipts of the suppliers' footprints its
precursors cite.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from footprint_engine.cbam import (
    MEDIA_TYPES,
    CbamError,
    Communication,
    build_communication,
    render_communication,
)
from node_service.db.models import Organisation
from node_service.errors import Conflict, NotFound, ValidationFailed
from node_service.log.append import canonical_sha256, make_entry
from node_service.services.cbam.document import (
    FootprintCitation,
    cbam_problem,
    check_calculable,
    check_document,
    extract_citations,
    resolve_document,
    supplier_data_from_footprint,
)
from node_service.services.cbam.models import CbamInstallation, CbamInstallationVersion
from node_service.services.context import NodeResources
from node_service.services.footprints.documents import footprint_for, list_visible
from node_service.services.receipts import build_receipt

__all__ = [
    "ENTRY_TYPE",
    "CommunicationFile",
    "PrecursorFootprint",
    "StoredInstallation",
    "communication_file",
    "create_installation",
    "get_installation",
    "installations_of",
    "precursor_footprints",
    "preview_communication",
    "replace_installation",
]

ENTRY_TYPE = "installation"
Format = Literal["xlsx", "json", "xml"]


@dataclass(frozen=True)
class StoredInstallation:
    id: str
    installation_id: str
    version: int
    entry_id: str
    sha256: str
    document: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class CommunicationFile:
    content: bytes
    media_type: str
    filename: str
    receipts: int


@dataclass(frozen=True)
class PrecursorFootprint:
    """A supplier's footprint the exporter may cite as a precursor's actual data (declared per mass)."""

    footprint_id: str
    product_id: str
    supplier: str
    see_direct: float
    see_indirect: float


def _entry_id(record_id: str, version: int) -> str:
    return f"{record_id}@{version}"


def _utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _stored(record: CbamInstallation, version: CbamInstallationVersion) -> StoredInstallation:
    return StoredInstallation(
        id=record.id,
        installation_id=record.installation_id,
        version=record.version,
        entry_id=version.entry_id,
        sha256=version.sha256,
        document=version.document,
        created_at=_utc(record.created_at),
        updated_at=_utc(record.updated_at),
    )


def _cited_supplier_data(
    session: Session, citations: list[FootprintCitation], viewer: Organisation
) -> dict[str, dict[str, Any]]:
    """Supplier data of every cited footprint visible to ``viewer`` (its own or shared with it)."""
    found: dict[str, dict[str, Any]] = {}
    for citation in citations:
        if citation.footprint_id in found:
            continue
        try:
            footprint = footprint_for(session, citation.footprint_id, viewer)
        except NotFound as exc:
            raise ValidationFailed(
                f"{citation.field}: no footprint {citation.footprint_id} shared with you on this node",
                field=citation.field,
                fix="ask the supplier to share the footprint with your organisation, or give supplier_data",
            ) from exc
        try:
            found[citation.footprint_id] = supplier_data_from_footprint(footprint.id, footprint.result)
        except ValidationFailed as exc:
            exc.field = citation.field
            raise
    return found


def _validated(session: Session, document: Any, viewer: Organisation) -> tuple[str, list[FootprintCitation]]:
    """(1) node extension split off; (2) engine model, scope and routes; (3) citations resolvable;
    (4) all engine rules on the resolved installation, calculation included. Returns the operator's
    installation_id."""
    stripped, citations = extract_citations(document)  # (1)
    check_document(stripped)  # (2)
    supplied = _cited_supplier_data(session, citations, viewer)  # (3)
    installation = resolve_document(stripped, citations, supplied)  # (4)
    check_calculable(installation)
    return installation.installation_id, citations


def _digest(document: dict[str, Any]) -> str:
    try:
        return canonical_sha256(document)
    except Exception as exc:  # rfc8785 refuses non-finite floats and integers beyond 2**53
        raise ValidationFailed(
            f"the installation cannot be canonicalised (RFC 8785): {exc}",
            field="installation",
            fix="use finite numbers within ±2**53",
        ) from exc


def _owned(session: Session, record_id: str, owner: Organisation) -> CbamInstallation:
    record = session.get(CbamInstallation, record_id)
    # the same answer for "absent" and "not yours", so ids cannot be probed
    if record is None or record.organisation_id != owner.id:
        raise NotFound(
            f"no installation {record_id} of yours", fix="check the id returned when you created it"
        )
    return record


def _unique_installation_id(
    session: Session, owner: Organisation, installation_id: str, record_id: str
) -> None:
    other = session.execute(
        select(CbamInstallation.id).where(
            CbamInstallation.organisation_id == owner.id,
            CbamInstallation.installation_id == installation_id,
            CbamInstallation.id != record_id,
        )
    ).scalar_one_or_none()
    if other is not None:
        raise Conflict(
            f"installation_id {installation_id!r} is already stored as installation {other}",
            fix=f"replace it with PUT /cbam/installations/{other}",
        )


def _store_version(
    node: NodeResources,
    session: Session,
    record: CbamInstallation,
    document: dict[str, Any],
    owner: Organisation,
) -> CbamInstallationVersion:
    digest = _digest(document)
    version = CbamInstallationVersion(
        entry_id=_entry_id(record.id, record.version),
        record_id=record.id,
        version=record.version,
        document=document,
        sha256=digest,
        created_at=record.updated_at,
    )
    session.add(version)
    session.flush()
    node.tlog.append(
        session,
        [make_entry(ENTRY_TYPE, version.entry_id, digest, owner.did, installationId=record.installation_id)],
    )
    return version


def create_installation(node: NodeResources, owner: Organisation, document: Any) -> StoredInstallation:
    """Validate, store and log a new installation of ``owner`` (version 1) — all or nothing."""
    with node.db.transaction() as session:
        installation_id, _ = _validated(session, document, owner)
    now = datetime.now(UTC)
    with node.tlog.lock, node.db.transaction() as session:
        record = CbamInstallation(
            id=str(uuid.uuid4()),
            organisation_id=owner.id,
            installation_id=installation_id,
            version=1,
            created_at=now,
            updated_at=now,
        )
        _unique_installation_id(session, owner, installation_id, record.id)
        session.add(record)
        session.flush()
        version = _store_version(node, session, record, document, owner)
        stored = _stored(record, version)
    node.anchorer.wake()
    return stored


def replace_installation(
    node: NodeResources, owner: Organisation, record_id: str, document: Any
) -> StoredInstallation:
    """Store ``document`` as the next version of the owner's installation and log it."""
    with node.db.transaction() as session:
        _owned(session, record_id, owner)
        installation_id, _ = _validated(session, document, owner)
    with node.tlog.lock, node.db.transaction() as session:
        record = _owned(session, record_id, owner)
        _unique_installation_id(session, owner, installation_id, record.id)
        record.installation_id = installation_id
        record.version += 1
        record.updated_at = datetime.now(UTC)
        version = _store_version(node, session, record, document, owner)
        stored = _stored(record, version)
    node.anchorer.wake()
    return stored


def _current(session: Session, record: CbamInstallation) -> CbamInstallationVersion:
    version = session.get(CbamInstallationVersion, _entry_id(record.id, record.version))
    assert version is not None, f"installation {record.id} lost version {record.version}"
    return version


def get_installation(node: NodeResources, owner: Organisation, record_id: str) -> StoredInstallation:
    with node.db.transaction() as session:
        record = _owned(session, record_id, owner)
        return _stored(record, _current(session, record))


def installations_of(node: NodeResources, organisation_id: str) -> list[CbamInstallation]:
    """The organisation's installations, the most recently updated first."""
    with node.db.transaction() as session:
        return list(
            session.execute(
                select(CbamInstallation)
                .where(CbamInstallation.organisation_id == organisation_id)
                .order_by(CbamInstallation.updated_at.desc())
            ).scalars()
        )


def _filename(installation_id: str, period: int, fmt: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", installation_id).strip("._") or "installation"
    return f"cbam-communication-{safe[:80]}-{period}.{fmt}"


def communication_file(
    node: NodeResources,
    owner: Organisation,
    record_id: str,
    *,
    period: int,
    fmt: Format,
    certificate_price_eur: float | None = None,
) -> CommunicationFile:
    """The emissions communication of the owner's installation (current version). Steps:

    (1) the installation record and its current version, the owner's only;
    (2) the receipt of that version's log entry (409 until its tree head is anchored);
    (3) each cited footprint, still shared with the owner, as supplier data with its own receipt;
    (4) the engine's communication for ``period`` with those receipts, rendered as ``fmt``.
    """
    # (1)
    with node.db.transaction() as session:
        record = _owned(session, record_id, owner)
        version = _current(session, record)
        document, entry_id, installation_id = version.document, version.entry_id, record.installation_id
        stripped, citations = extract_citations(document)
        supplied = _cited_supplier_data(session, citations, owner)
    # (2)
    receipts = [build_receipt(node, entry_id, owner)]
    # (3)
    for footprint_id, data in supplied.items():
        data["receipt"] = build_receipt(node, footprint_id, owner)
    installation = resolve_document(stripped, citations, supplied)
    # (4)
    try:
        communication = build_communication(
            installation, period=period, certificate_price_eur=certificate_price_eur, receipts=receipts
        )
        content = render_communication(communication, fmt)
    except CbamError as exc:
        raise cbam_problem(exc) from exc
    return CommunicationFile(
        content=content,
        media_type=MEDIA_TYPES[fmt],
        filename=_filename(installation_id, period, fmt),
        receipts=len(communication.receipts),
    )


def preview_communication(
    node: NodeResources,
    owner: Organisation,
    document: Any,
    *,
    period: int,
    certificate_price_eur: float | None = None,
) -> Communication:
    """The figures a document would give, before it is stored: the same checks as storing it, cited
    footprints resolved, nothing written."""
    with node.db.transaction() as session:
        _validated(session, document, owner)
        stripped, citations = extract_citations(document)
        supplied = _cited_supplier_data(session, citations, owner)
    installation = resolve_document(stripped, citations, supplied)
    try:
        return build_communication(installation, period=period, certificate_price_eur=certificate_price_eur)
    except CbamError as exc:
        raise cbam_problem(exc) from exc


def precursor_footprints(
    node: NodeResources, owner: Organisation, *, limit: int = 200
) -> list[PrecursorFootprint]:
    """Suppliers' footprints shared with ``owner`` (not its own) that can stand for a precursor's actual
    data: declared per unit of mass, with their SEE split as the communication will use it."""
    found: list[PrecursorFootprint] = []
    with node.db.transaction() as session:
        for footprint in list_visible(session, owner, limit=limit):
            if footprint.organisation_id == owner.id:
                continue
            try:
                data = supplier_data_from_footprint(footprint.id, footprint.result)
            except ValidationFailed:
                continue  # not per unit of mass
            supplier = session.get(Organisation, footprint.organisation_id)
            found.append(
                PrecursorFootprint(
                    footprint_id=footprint.id,
                    product_id=footprint.product_id,
                    supplier=(supplier.name_zh or supplier.name_en or supplier.did)
                    if supplier
                    else footprint.organisation_id,
                    see_direct=float(data["see_direct"]),
                    see_indirect=float(data.get("see_indirect", 0.0)),
                )
            )
    return found
