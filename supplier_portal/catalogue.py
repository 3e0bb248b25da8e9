"""Products with their identifier records, footprints seen from the portal, sharing, buyer search, requests.

Database logic for the portal's pages; the node's own rules (who may see or share a footprint, how a
submission is verified) stay in node_service.services and are called from here.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select

from identifier_resolver import (
    Handle,
    HandleRecord,
    HandleValue,
    IdentifierError,
    parse_identifier,
    to_pact_urn,
)
from identifier_resolver.records import TYPE_CN_CODE, TYPE_NAME
from node_service.db.models import Footprint, FootprintShare, Organisation, Submission
from node_service.errors import NotReady
from node_service.runtime import Node
from node_service.services.footprints.documents import footprint_for, share_footprint
from node_service.services.organisations.handles import SessionHandleStore, prefix_owner
from node_service.services.receipts import build_receipt
from node_service.services.submissions import Accepted, submit_credential
from node_service.services.submissions.dry_run import dry_run
from supplier_portal.accounts import Actor, audit
from supplier_portal.errors import FormInvalid, IdentifierInvalid, PortalError
from supplier_portal.models import PortalProduct, PortalRequest

__all__ = [
    "FootprintRow",
    "activity_credential",
    "add_product",
    "answer_requests",
    "buyers",
    "check_draft",
    "get_footprint",
    "list_footprints",
    "list_products",
    "list_requests",
    "organisation_identifier",
    "publish",
    "receipt",
    "request_footprint",
    "search_shared",
    "submit_signed",
]

_CN_CODE = re.compile(r"\d{4}(\d{2}(\d{2})?)?")
DECLARED_UNITS = ("kg", "t", "piece", "kWh", "MWh", "m3", "m2", "m", "l")


@dataclass(frozen=True)
class FootprintRow:
    id: str
    product_id: str
    product_name: str | None
    supplier: str
    supplier_did: str
    period: str
    total: float | None
    declared_unit: str
    created: datetime
    shared_with: tuple[str, ...] = ()
    cn_code: str | None = None


def _org_name(org: Organisation) -> str:
    return org.name_zh or org.name_en or org.did


def add_product(
    node: Node,
    actor: Actor,
    identifier: str,
    name_zh: str,
    name_en: str,
    declared_unit: str,
    cn_code: str,
) -> str:
    actor.require("admin", "data_entry")
    try:
        parsed = parse_identifier(identifier.strip())
    except IdentifierError as exc:
        raise IdentifierInvalid(identifier.strip(), exc, field="identifier") from exc
    if not (name_zh.strip() or name_en.strip()):
        raise FormInvalid("Give the product a Chinese or an English name.", field="name_zh")
    if declared_unit not in DECLARED_UNITS:
        raise FormInvalid("Choose one of the declared units offered.", field="declared_unit")
    cn = cn_code.replace(" ", "").replace(".", "")
    if cn and not _CN_CODE.fullmatch(cn):
        raise FormInvalid("A CN code has 4, 6 or 8 digits.", field="cn_code")
    record = {
        "identifier": identifier.strip(),
        "kind": type(parsed).__name__,
        "canonical": str(parsed),
        "pactUrn": to_pact_urn(parsed),
        "cnCode": cn or None,
    }
    with node.db.transaction() as session:
        exists = session.execute(
            select(PortalProduct).where(
                PortalProduct.organisation_id == actor.organisation_id,
                PortalProduct.identifier == identifier.strip(),
            )
        ).first()
        if exists:
            raise FormInvalid("You have registered this product already.", field="identifier")
        product_id = str(uuid.uuid4())
        session.add(
            PortalProduct(
                id=product_id,
                organisation_id=actor.organisation_id,
                identifier=identifier.strip(),
                name_zh=name_zh.strip() or None,
                name_en=name_en.strip() or None,
                declared_unit=declared_unit,
                cn_code=cn or None,
                record=record,
                created_at=datetime.now(UTC),
            )
        )
        if isinstance(parsed, Handle) and prefix_owner(session, parsed.prefix) == actor.organisation_id:
            _publish_handle_record(session, parsed, name_zh.strip(), name_en.strip(), cn)
        audit(session, "product.add", actor=actor, object_id=identifier.strip())
    return product_id


def _publish_handle_record(session: Any, handle: Handle, name_zh: str, name_en: str, cn: str) -> None:
    """A product under one of the organisation's own IDIS prefixes: its record on this node's resolver (names,
    CN code), unless the organisation has published one already (then its own record stands)."""
    store = SessionHandleStore(session)
    if store.get(handle) is not None:
        return
    values = [
        HandleValue.string(i + 1, TYPE_NAME, name)
        for i, name in enumerate(n for n in (name_zh, name_en) if n)
    ]
    if len(cn) == 8:
        values.append(HandleValue.string(len(values) + 1, TYPE_CN_CODE, cn))
    store.put(HandleRecord.build(handle, values))


def list_products(node: Node, actor: Actor) -> list[dict[str, Any]]:
    with node.db.transaction() as session:
        rows = session.execute(
            select(PortalProduct)
            .where(PortalProduct.organisation_id == actor.organisation_id)
            .order_by(PortalProduct.created_at)
        ).scalars()
        return [
            {
                "id": p.id,
                "identifier": p.identifier,
                "name_zh": p.name_zh,
                "name_en": p.name_en,
                "declared_unit": p.declared_unit,
                "cn_code": p.cn_code,
                "record": p.record,
            }
            for p in rows
        ]


def product(node: Node, actor: Actor, product_id: str) -> dict[str, Any]:
    for item in list_products(node, actor):
        if item["id"] == product_id:
            return item
    raise FormInvalid("Choose one of your products.", field="product")


def organisation_identifier(node: Node, actor: Actor) -> str:
    """How activity data names the actor's organisation: its USCC, else its did."""
    with node.db.transaction() as session:
        org = session.get(Organisation, actor.organisation_id)
        assert org is not None
        return org.uscc or org.did


def activity_credential(node: Node, submission_id: str) -> dict[str, Any]:
    """The signed activity-data credential of a submission (the caller checked the actor may have it)."""
    with node.db.transaction() as session:
        sub = session.get(Submission, submission_id)
        assert sub is not None
        return sub.credential


def receipt(node: Node, actor: Actor, entry_id: str) -> dict[str, Any] | None:
    """The receipt of a log entry as the actor's organisation may see it; None until its tree head is
    anchored."""
    with node.db.transaction() as session:
        viewer = session.get(Organisation, actor.organisation_id)
        assert viewer is not None
        session.expunge(viewer)
    try:
        return build_receipt(node, entry_id, viewer)
    except NotReady:
        return None


def check_draft(node: Node, actor: Actor, document: dict[str, Any]) -> dict[str, Any]:
    """The node's dry run of unsigned activity data (or an unsigned credential) of the actor's organisation:
    ``{ok, problems, warnings, engineChecked, preview}``; stores nothing."""
    actor.require("admin", "data_entry")
    with node.db.transaction() as session:
        org = session.get(Organisation, actor.organisation_id)
        assert org is not None
        session.expunge(org)
    return dry_run(node, org, document).as_json()


def submit_signed(node: Node, actor: Actor, credential: dict[str, Any]) -> Accepted:
    """Submit a credential the browser signed; only the signed-in organisation's own credentials."""
    actor.require("admin", "data_entry")
    if credential.get("issuer") != actor.organisation_did:
        raise PortalError(
            "The credential's issuer is not your organisation; sign with your organisation's key.",
            field="issuer",
        )
    accepted = submit_credential(node, credential)
    node.anchorer.wake()
    with node.db.transaction() as session:
        audit(
            session,
            "submission.submit",
            actor=actor,
            object_id=accepted.submission.id,
            footprint=accepted.footprint.id,
            sha256=accepted.submission.sha256,
        )
    return accepted


def _row(session: Any, fp: Footprint, shared: tuple[str, ...] = ()) -> FootprintRow:
    org = session.get(Organisation, fp.organisation_id)
    doc = fp.result
    total = (doc.get("result") or {}).get("emissions", {}).get("total")
    period = doc.get("reportingPeriod") or {}
    cn = session.execute(
        select(PortalProduct.cn_code).where(
            PortalProduct.organisation_id == fp.organisation_id, PortalProduct.identifier == fp.product_id
        )
    ).scalar_one_or_none()
    return FootprintRow(
        id=fp.id,
        product_id=fp.product_id,
        product_name=doc.get("productName"),
        supplier=_org_name(org),
        supplier_did=org.did,
        period=f"{period.get('start', '')} – {period.get('end', '')}",
        total=total,
        declared_unit=str(doc.get("declaredUnit", "")),
        created=fp.created_at,
        shared_with=shared,
        cn_code=cn,
    )


def list_footprints(node: Node, actor: Actor) -> list[FootprintRow]:
    """The organisation's own footprints (newest first) with whom each is shared."""
    with node.db.transaction() as session:
        rows = session.execute(
            select(Footprint)
            .join(Submission, Submission.id == Footprint.submission_id)
            .where(Footprint.organisation_id == actor.organisation_id)
            .order_by(Footprint.created_at.desc())
            .limit(200)
        ).scalars()
        out = []
        for fp in rows:
            shared = session.execute(
                select(Organisation)
                .join(FootprintShare, FootprintShare.organisation_id == Organisation.id)
                .where(FootprintShare.footprint_id == fp.id)
            ).scalars()
            out.append(_row(session, fp, tuple(_org_name(o) for o in shared)))
        return out


def get_footprint(node: Node, actor: Actor, footprint_id: str) -> tuple[FootprintRow, dict[str, Any], str]:
    """(summary, stored document, sha256) of a footprint the actor's organisation may see."""
    with node.db.transaction() as session:
        viewer = session.get(Organisation, actor.organisation_id)
        assert viewer is not None
        fp = footprint_for(session, footprint_id, viewer)
        return _row(session, fp), fp.result, fp.sha256


def buyers(node: Node, actor: Actor) -> list[dict[str, str]]:
    """Organisations a footprint can be published to (everyone else on the exchange, buyers first)."""
    with node.db.transaction() as session:
        rows = session.execute(
            select(Organisation)
            .where(Organisation.id != actor.organisation_id)
            .order_by(Organisation.created_at)
        ).scalars()
        found = [{"did": o.did, "name": _org_name(o), "roles": ",".join(o.roles)} for o in rows]
    return sorted(found, key=lambda o: "buyer" not in o["roles"])


def publish(node: Node, actor: Actor, footprint_id: str, buyer_dids: list[str]) -> int:
    actor.require("admin", "data_entry")
    if not buyer_dids:
        raise FormInvalid("Choose at least one buyer.", field="buyers")
    with node.db.transaction() as session:
        owner = session.get(Organisation, actor.organisation_id)
        assert owner is not None
        session.expunge(owner)
    for did in buyer_dids:
        share_footprint(node, footprint_id, owner, did)
    with node.db.transaction() as session:
        audit(session, "footprint.publish", actor=actor, object_id=footprint_id, buyers=buyer_dids)
    answer_requests(node, actor, footprint_id, buyer_dids)
    return len(buyer_dids)


def search_shared(
    node: Node, actor: Actor, *, product: str = "", supplier: str = "", cn_code: str = ""
) -> list[FootprintRow]:
    """Footprints shared with the actor's organisation, filtered by product identifier, supplier, CN code."""
    with node.db.transaction() as session:
        query = (
            select(Footprint)
            .join(FootprintShare, FootprintShare.footprint_id == Footprint.id)
            .join(Organisation, Organisation.id == Footprint.organisation_id)
            .where(FootprintShare.organisation_id == actor.organisation_id)
        )
        if product.strip():
            query = query.where(Footprint.product_id.contains(product.strip(), autoescape=True))
        if supplier.strip():
            text = supplier.strip()
            query = query.where(
                or_(
                    Organisation.name_zh.contains(text, autoescape=True),
                    Organisation.name_en.contains(text, autoescape=True),
                    Organisation.did == text,
                    Organisation.uscc == text,
                )
            )
        if cn_code.strip():
            cn = cn_code.replace(" ", "").replace(".", "")
            query = query.join(
                PortalProduct,
                (PortalProduct.organisation_id == Footprint.organisation_id)
                & (PortalProduct.identifier == Footprint.product_id),
            ).where(PortalProduct.cn_code.startswith(cn, autoescape=True))
        rows = session.execute(query.order_by(Footprint.created_at.desc()).limit(200)).scalars()
        return [_row(session, fp) for fp in rows]


def request_footprint(
    node: Node, actor: Actor, supplier_did: str, product_identifier: str, message: str
) -> str:
    actor.require("admin", "data_entry")
    if not product_identifier.strip():
        raise FormInvalid("Give the product identifier.", field="product_identifier")
    with node.db.transaction() as session:
        supplier = session.execute(
            select(Organisation).where(Organisation.did == supplier_did.strip())
        ).scalar_one_or_none()
        if supplier is None:
            raise FormInvalid("No organisation with this did on the exchange.", field="supplier")
        request_id = str(uuid.uuid4())
        session.add(
            PortalRequest(
                id=request_id,
                buyer_id=actor.organisation_id,
                supplier_id=supplier.id,
                product_identifier=product_identifier.strip(),
                message=message.strip()[:2000] or None,
                status="open",
                created_at=datetime.now(UTC),
            )
        )
        audit(
            session,
            "request.create",
            actor=actor,
            object_id=product_identifier.strip(),
            supplier=supplier.did,
        )
    return request_id


def list_requests(node: Node, actor: Actor, *, incoming: bool) -> list[dict[str, Any]]:
    with node.db.transaction() as session:
        mine = PortalRequest.supplier_id if incoming else PortalRequest.buyer_id
        rows = session.execute(
            select(PortalRequest)
            .where(mine == actor.organisation_id)
            .order_by(PortalRequest.created_at.desc())
        ).scalars()
        out = []
        for r in rows:
            other = session.get(Organisation, r.buyer_id if incoming else r.supplier_id)
            assert other is not None
            out.append(
                {
                    "id": r.id,
                    "other": _org_name(other),
                    "other_did": other.did,
                    "product": r.product_identifier,
                    "message": r.message,
                    "status": r.status,
                    "footprint_id": r.footprint_id,
                    "created": r.created_at,
                }
            )
        return out


def answer_requests(node: Node, actor: Actor, footprint_id: str, buyer_dids: list[str]) -> None:
    """Mark open requests for this footprint's product from these buyers as answered."""
    with node.db.transaction() as session:
        fp = session.get(Footprint, footprint_id)
        if fp is None:
            return
        buyer_ids = select(Organisation.id).where(Organisation.did.in_(buyer_dids))
        for r in session.execute(
            select(PortalRequest).where(
                PortalRequest.supplier_id == actor.organisation_id,
                PortalRequest.product_identifier == fp.product_id,
                PortalRequest.status == "open",
                PortalRequest.buyer_id.in_(buyer_ids),
            )
        ).scalars():
            r.status = "answered"
            r.footprint_id = footprint_id
