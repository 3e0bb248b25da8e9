"""Publishing footprints as PACT ProductFootprints, who may see them, and ListFootprints / GetFootprint.

Lifecycle (PACT v3 "immutability"): a published ProductFootprint never changes except its ``status``. When
a newer footprint of the same product and reporting period is published, the older one becomes
``Deprecated`` and the new one lists every predecessor in ``precedingPfIds``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, exists, select
from sqlalchemy.orm import Session

from node_service.db.models import Footprint, FootprintShare, Organisation
from node_service.errors import AccessDenied as NodeAccessDenied
from node_service.errors import ValidationFailed
from node_service.services.footprints.visibility import add_share, set_public, sync_footprint
from node_service.services.pact.mapping import (
    PactMappingError,
    Receipt,
    company_urns,
    engine_result,
    is_draft_document,
    product_urn,
    released_document,
    to_v2_product_footprint,
    to_v3_product_footprint,
    validity_period,
)
from node_service.services.pact.models import PactFootprint, PactFootprintKey
from node_service.services.pact.reads.filters import Criteria
from node_service.services.pact.reads.listing import (
    Page,
    decode_cursor,
    documents,
    documents_with_results,
    encode_cursor,
    get_footprint,
    list_footprints,
    visible_clause,
)

__all__ = [
    "Page",
    "Published",
    "decode_cursor",
    "encode_cursor",
    "get_footprint",
    "list_footprints",
    "matching_owned",
    "publish_footprint",
    "render",
    "render_document",
    "render_v2",
    "v3_documents",
    "visible_clause",
]

URN_PREFIX = "urn:"


@dataclass(frozen=True)
class Published:
    footprint: PactFootprint
    created: bool
    deprecated: list[str]


def _check_urns(name: str, values: list[str]) -> list[str]:
    for value in values:
        if not value.lower().startswith(URN_PREFIX) or len(value) > 300:
            raise ValidationFailed(
                f"{name}: {value[:60]!r} is not a URN", field=name, fix="use urn:… identifiers"
            )
    return sorted(set(values))


def publish_footprint(
    session: Session,
    owner: Organisation,
    footprint_id: str,
    *,
    public: bool | None,
    share_with: list[str],
    classifications: list[str],
    chain_id: int,
    contract: str,
    product_mass_kg: float | None = None,
) -> Published:
    """Publish (or change who sees) one of the owner's footprints. Steps:

    (1) the footprint exists and belongs to the owner;
    (2) the buyers to share with are registered organisations (shares use the node's footprint_shares);
    (3) an already published footprint only changes visibility (its document is immutable);
    (4) otherwise the ProductFootprint is built (the engine's PACT ``pcf``; a result PACT cannot express, such
        as a count unit without ``product_mass_kg``, is refused naming the field); Active predecessors of the
        same product and reporting period become Deprecated and are listed in precedingPfIds;
    (5) the filter keys are stored (productId, companyId, classification, geography); who may see it is
        recorded in pact_visibility (owner, ``*`` when public, every buyer it is shared with).
    """
    # (1)
    footprint = session.get(Footprint, footprint_id)
    if footprint is None or footprint.organisation_id != owner.id:
        raise NodeAccessDenied(
            f"footprint {footprint_id} is not yours to publish", fix="publish your own footprints"
        )
    # (2)
    buyers: list[Organisation] = []
    for did in share_with:
        buyer = session.execute(select(Organisation).where(Organisation.did == did)).scalar_one_or_none()
        if buyer is None:
            raise ValidationFailed(
                f"no organisation {did} on this exchange", field="shareWith", fix="check the did"
            )
        buyers.append(buyer)
    now = datetime.now(UTC)
    for buyer in buyers:
        if session.get(FootprintShare, (footprint_id, buyer.id)) is None:
            add_share(session, footprint_id, buyer.id, now)
    # (3)
    existing = session.get(PactFootprint, footprint_id)
    if existing is not None:
        if public is not None and public != existing.public:
            set_public(session, existing, public)
        return Published(existing, created=False, deprecated=[])
    # (4)
    classes = _check_urns("productClassifications", classifications)
    document = footprint.result
    result = document.get("result", {})
    period_start = str(result.get("reportingPeriodStart") or document["reportingPeriod"]["start"])
    period_end = str(result.get("reportingPeriodEnd") or document["reportingPeriod"]["end"])
    predecessors = list(
        session.execute(
            select(PactFootprint).where(
                PactFootprint.organisation_id == owner.id,
                PactFootprint.product_id == footprint.product_id,
                PactFootprint.period_start == period_start,
                PactFootprint.period_end == period_end,
            )
        ).scalars()
    )
    preceding: list[str] = []
    for old in sorted(predecessors, key=lambda p: _utc(p.published_at)):
        preceding.extend(i for i in old.document.get("precedingPfIds", []) if i not in preceding)
        if old.id not in preceding:
            preceding.append(old.id)
    company_ids = company_urns(owner.did, owner.uscc)
    try:
        pf = to_v3_product_footprint(
            document,
            footprint_id=footprint_id,
            created=_utc(footprint.created_at),
            status="Active",
            company_name=owner.name_en or owner.name_zh or owner.did,
            company_ids=company_ids,
            preceding_pf_ids=preceding,
            classifications=classes,
            receipt=Receipt(
                url="", entry_id=footprint_id, sha256=footprint.sha256, chain_id=chain_id, contract=contract
            ),
            product_mass_per_declared_unit_kg=product_mass_kg,
        )
    except PactMappingError as exc:
        raise ValidationFailed(
            f"footprint {footprint_id} as PACT: {exc.what}: {exc.detail}",
            field=exc.field or "footprint",
            fix="give productMassPerDeclaredUnit (kg of product per declared unit) in the publish body"
            if exc.field == "productMassPerDeclaredUnit"
            else exc.fix,
        ) from exc
    deprecated = []
    for old in predecessors:
        if old.status == "Active":
            old.status = "Deprecated"
            old.deprecated_by = footprint_id
            doc = copy.deepcopy(old.document)
            doc["status"] = "Deprecated"
            old.document = doc
            deprecated.append(old.id)
    start, end = validity_period(period_end)
    row = PactFootprint(
        id=footprint_id,
        organisation_id=owner.id,
        product_id=footprint.product_id,
        period_start=period_start,
        period_end=period_end,
        status="Active",
        public=bool(public),
        validity_start=start,
        validity_end=end,
        document=pf,
        published_at=now,
    )
    session.add(row)
    session.flush()
    sync_footprint(session, row)
    # (5)
    for kind, value in index_keys(pf):
        session.add(PactFootprintKey(footprint_id=footprint_id, kind=kind, value=value))
    return Published(row, created=True, deprecated=deprecated)


def index_keys(pf: dict[str, Any]) -> set[tuple[str, str]]:
    """The (kind, value) pairs a ProductFootprint is found by."""
    keys = {("productId", v) for v in pf["productIds"]}
    keys |= {("companyId", v) for v in pf["companyIds"]}
    keys |= {("classification", v) for v in pf.get("productClassifications", [])}
    pcf = pf["pcf"]
    for name in ("geographyCountrySubdivision", "geographyCountry", "geographyRegionOrSubregion"):
        if name in pcf:
            keys.add(("geography", pcf[name]))
    if "geographyCountrySubdivision" in pcf:  # a subdivision lies within its country
        keys.add(("geography", pcf["geographyCountrySubdivision"][:2]))
    return keys


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _apply(query: Select[Any], criteria: Criteria) -> Select[Any]:
    for name, values in criteria.values.items():
        query = query.where(
            exists().where(
                PactFootprintKey.footprint_id == PactFootprint.id,
                PactFootprintKey.kind == name,
                PactFootprintKey.value.in_(values),
            )
        )
    if criteria.valid_on is not None:
        query = query.where(
            PactFootprint.validity_start <= criteria.valid_on, criteria.valid_on < PactFootprint.validity_end
        )
    if criteria.valid_after is not None:
        query = query.where(PactFootprint.validity_start > criteria.valid_after)
    if criteria.valid_before is not None:
        query = query.where(PactFootprint.validity_end < criteria.valid_before)
    if criteria.status is not None:
        query = query.where(PactFootprint.status == criteria.status)
    return query


def matching_owned(
    session: Session, owner_id: str, criteria: Criteria, *, limit: int = 100
) -> list[PactFootprint]:
    """The owner's published footprints matching a request's criteria (Active unless the request says)."""
    query = _apply(select(PactFootprint).where(PactFootprint.organisation_id == owner_id), criteria)
    if criteria.status is None:
        query = query.where(PactFootprint.status == "Active")
    return list(session.execute(query.order_by(PactFootprint.published_at.desc()).limit(limit)).scalars())


def render(session: Session, row: PactFootprint, base_url: str) -> dict[str, Any]:
    """The ProductFootprint of ``row`` in the released v3.0 shape with the receipt URLs of this host filled in
    (the stored document as loaded with ``row``; only a draft-shaped one needs its engine result read)."""
    document = row.document
    if is_draft_document(document):
        document = v3_documents(session, [row.id])[row.id]
    return render_document(document, base_url)


def v3_documents(session: Session | Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The published ProductFootprints of ``ids`` in the released v3.0 shape (absent ids left out): as stored, or,
    for a footprint published with the pre-release draft's names, re-rendered from its stored engine result
    (:func:`~node_service.services.pact.mapping.released_document`)."""
    found = documents(session, ids)
    drafts = [footprint_id for footprint_id, document in found.items() if is_draft_document(document)]
    for footprint_id, (document, footprint) in documents_with_results(session, drafts).items():
        found[footprint_id] = released_document(document, engine_result(footprint, footprint_id))
    return found


def render_document(document: dict[str, Any], base_url: str) -> dict[str, Any]:
    """A stored ProductFootprint with the receipt URLs of this host filled in; the id is the document's."""
    doc = dict(document)
    footprint_id = doc["id"]
    extensions = []
    for ext in doc.get("extensions", []):
        ext = dict(ext)
        data = dict(ext.get("data", {}))
        if "logEntryId" in data:
            data["receiptUrl"] = f"{base_url}/receipts/{footprint_id}"
            data["pactReceiptUrl"] = f"{base_url}/pact/receipts/{footprint_id}"
        ext["data"] = data
        extensions.append(ext)
    if extensions:
        doc["extensions"] = extensions
    return doc


def render_v2(document: dict[str, Any], footprint_document: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The v2.3 ProductFootprint of a stored v3 ``document`` and its footprint document (``footprints.result``):
    node fields from the v3 document, the ``pcf`` from the engine result. Raises
    :class:`~footprint_engine.pact.PactMappingError` when the footprint has no v2.3 form."""
    v3 = render_document(document, base_url)
    return to_v2_product_footprint(v3, engine_result(footprint_document, v3["id"]))


def product_key(identifier: str) -> str:
    return product_urn(identifier)
