"""Drafts of activity data: the grid's header and rows kept on the server, so nothing typed or uploaded is lost
on Back, a reload or a failed signature, and a large upload is checked from the stored rows instead of a giant
form post.

Rules (docs/portal.md, "Drafts"):
  - a draft belongs to the organisation: any of its data-entry users (roles admin, data_entry) lists, resumes,
    saves and discards it; viewers may not; another organisation is told nothing (404, as for a missing draft);
  - one draft per product and reporting period: saving the grid of a product and period updates that draft;
  - at most MAX_DRAFTS per organisation and MAX_ROWS rows a draft (the upload's limit), refused with a message
    naming the limit and what to do;
  - a draft is no submission: it is never signed, logged or anchored, and is deleted once its product and period
    is submitted;
  - each save is its own transaction, with nothing else in it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select

from node_service.errors import NotFound
from node_service.runtime import Node
from supplier_portal.accounts import Actor, audit
from supplier_portal.activity_sheet import COLUMNS, MAX_ROWS
from supplier_portal.errors import FormInvalid
from supplier_portal.models import PortalDraft, PortalProduct

__all__ = [
    "HEADER_FIELDS",
    "MAX_DRAFTS",
    "MAX_ROWS",
    "PAGE_ROWS",
    "Draft",
    "DraftSummary",
    "delete_draft",
    "delete_submitted",
    "latest_draft",
    "list_drafts",
    "load_draft",
    "merge_page",
    "save_draft",
]

MAX_DRAFTS = 50
"""Drafts an organisation may keep at once (one per product and period)."""
PAGE_ROWS = 200
"""Rows of a draft shown as inputs on one page of the grid; larger drafts are paged."""
HEADER_FIELDS = ("product", "period_start", "period_end")
"""The header fields a draft is found by (the grid's other header fields are kept as they were sent)."""
EDITORS = ("admin", "data_entry")


@dataclass(frozen=True)
class DraftSummary:
    """A draft as the list of drafts shows it."""

    id: str
    product_id: str
    period_start: str
    period_end: str
    row_count: int
    updated_by: str
    updated_at: datetime


@dataclass(frozen=True)
class Draft:
    """A draft with its header (the grid's header fields as sent) and its rows (dicts keyed by the grid's
    columns)."""

    summary: DraftSummary
    header: dict[str, str]
    rows: list[dict[str, str]]

    @property
    def id(self) -> str:
        return self.summary.id


def _summary(row: PortalDraft) -> DraftSummary:
    updated = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=UTC)
    return DraftSummary(
        id=row.id,
        product_id=row.product_id,
        period_start=row.period_start,
        period_end=row.period_end,
        row_count=row.row_count,
        updated_by=row.updated_by,
        updated_at=updated,
    )


def _draft(row: PortalDraft) -> Draft:
    columns = list(row.columns)
    rows = []
    for values in row.rows:
        stored = dict(zip(columns, values, strict=False))
        rows.append({c: str(stored.get(c, "")) for c in COLUMNS})
    header = {str(k): str(v) for k, v in row.header.items()}
    return Draft(_summary(row), header, rows)


def _own(session: Any, actor: Actor, draft_id: str) -> PortalDraft:
    row = session.get(PortalDraft, draft_id) if draft_id else None
    if row is None or row.organisation_id != actor.organisation_id:
        # another organisation's draft is answered like a missing one: nothing is said about it
        raise NotFound(
            f"no draft {draft_id}", fix="open the activity data page and resume one of your drafts"
        )
    return row


def save_draft(
    node: Node,
    actor: Actor,
    header: dict[str, str],
    rows: Sequence[dict[str, str]],
    draft_id: str | None = None,
) -> DraftSummary:
    """Store the grid as the organisation's draft for its product and period: the draft ``draft_id`` when the
    page was showing one (it takes the header's product and period), else the draft of that product and period,
    else a new one. Refused past MAX_ROWS rows, past MAX_DRAFTS drafts, or when another draft already holds the
    product and period the header was changed to."""
    actor.require(*EDITORS)
    if len(rows) > MAX_ROWS:
        raise FormInvalid(
            "The draft has {n} rows; at most {max} rows can be kept. Split the data into several periods or files.",
            field="file",
            n=f"{len(rows):,}",
            max=f"{MAX_ROWS:,}",
        )
    clean = {k: str(v).strip() for k, v in header.items()}
    clean.update({k: clean.get(k, "") for k in HEADER_FIELDS})
    key = (clean["product"][:36], clean["period_start"][:10], clean["period_end"][:10])
    now = datetime.now(UTC)
    with node.db.transaction() as session:
        holder = session.execute(
            select(PortalDraft).where(
                PortalDraft.organisation_id == actor.organisation_id,
                PortalDraft.product_id == key[0],
                PortalDraft.period_start == key[1],
                PortalDraft.period_end == key[2],
            )
        ).scalar_one_or_none()
        row = _own(session, actor, draft_id) if draft_id else holder
        if row is not None and holder is not None and holder.id != row.id:
            raise FormInvalid(
                "Another draft (saved {time}) holds this product and period; resume or discard it first.",
                field="period_start",
                time=_summary(holder).updated_at.strftime("%Y-%m-%d %H:%M UTC"),
            )
        if row is None:
            count = session.execute(
                select(func.count())
                .select_from(PortalDraft)
                .where(PortalDraft.organisation_id == actor.organisation_id)
            ).scalar_one()
            if count >= MAX_DRAFTS:
                raise FormInvalid(
                    "Your organisation keeps {max} drafts, the most allowed; submit or discard one first.",
                    field="file",
                    max=MAX_DRAFTS,
                )
            row = PortalDraft(id=str(uuid.uuid4()), organisation_id=actor.organisation_id, created_at=now)
            session.add(row)
        row.product_id, row.period_start, row.period_end = key
        row.header = clean
        row.columns = list(COLUMNS)
        row.rows = [[r.get(c, "") for c in COLUMNS] for r in rows]
        row.row_count = len(rows)
        row.updated_by = actor.username
        row.updated_at = now
        session.flush()
        return _summary(row)


def load_draft(node: Node, actor: Actor, draft_id: str) -> Draft:
    """One of the organisation's drafts (404 for a missing draft and for another organisation's)."""
    actor.require(*EDITORS)
    with node.db.transaction() as session:
        return _draft(_own(session, actor, draft_id))


def latest_draft(node: Node, actor: Actor, product_id: str | None = None) -> Draft | None:
    """The organisation's most recently saved draft (of ``product_id`` when given), or None."""
    actor.require(*EDITORS)
    query = select(PortalDraft).where(PortalDraft.organisation_id == actor.organisation_id)
    if product_id:
        query = query.where(PortalDraft.product_id == product_id)
    with node.db.transaction() as session:
        row = session.execute(query.order_by(PortalDraft.updated_at.desc()).limit(1)).scalar_one_or_none()
        return _draft(row) if row is not None else None


def list_drafts(node: Node, actor: Actor) -> list[DraftSummary]:
    """The organisation's drafts, the most recently saved first (without their rows)."""
    actor.require(*EDITORS)
    with node.db.transaction() as session:
        rows = session.execute(
            select(PortalDraft)
            .where(PortalDraft.organisation_id == actor.organisation_id)
            .order_by(PortalDraft.updated_at.desc())
        ).scalars()
        return [_summary(row) for row in rows]


def delete_draft(node: Node, actor: Actor, draft_id: str) -> None:
    """Discard one of the organisation's drafts (recorded in the portal's audit trail)."""
    actor.require(*EDITORS)
    with node.db.transaction() as session:
        row = _own(session, actor, draft_id)
        audit(session, "draft.discard", actor=actor, object_id=row.id, rows=row.row_count)
        session.delete(row)


def delete_submitted(node: Node, actor: Actor, subject: dict[str, Any]) -> int:
    """After a successful submission: delete the organisation's drafts of the submitted product and period
    (``subject``: the activity data that was signed). Returns how many were deleted."""
    period = subject.get("reportingPeriod") or {}
    identifier = subject.get("productIdentifier")
    if not isinstance(period, dict) or not isinstance(identifier, str):
        return 0
    with node.db.transaction() as session:
        products = select(PortalProduct.id).where(
            PortalProduct.organisation_id == actor.organisation_id, PortalProduct.identifier == identifier
        )
        result = session.execute(
            delete(PortalDraft).where(
                PortalDraft.organisation_id == actor.organisation_id,
                PortalDraft.product_id.in_(products),
                PortalDraft.period_start == str(period.get("start", "")),
                PortalDraft.period_end == str(period.get("end", "")),
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)


def merge_page(
    stored: Sequence[dict[str, str]], offset: int, shown: int, posted: Sequence[dict[str, str]]
) -> list[dict[str, str]]:
    """The draft's rows with the page the grid showed (``shown`` rows from ``offset``) replaced by the rows the
    page sent back (``posted``: its non-empty rows, new ones included). Pure."""
    offset = max(0, min(offset, len(stored)))
    end = max(offset, min(offset + max(shown, 0), len(stored)))
    return [*stored[:offset], *posted, *stored[end:]]
