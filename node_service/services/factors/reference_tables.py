"""Reference tables on the node: every version of every table the engine ships (``footprint_engine.reference``:
GB/T 2589 coefficients, default fuel parameters, GWP100, energy-limit levels, park indicators), recorded at node
start beside the built-in factors, with the same version rule (docs/factors.md, Reference tables).

:func:`sync_reference_tables` is idempotent and cheap when nothing changed (one read of the current versions'
hashes). Otherwise one write transaction: a table seen for the first time is recorded; a table whose content
differs from its current version gets a new version (labelled as the package labels it, or by
:func:`~node_service.services.factors.versions.next_label` when that label is recorded already) and the old one
stops being current (``valid_to`` set, rows kept: ``?version=`` reads it); a table no longer shipped is withdrawn.

The review rule: a row whose provenance says ``review`` is shown as "待复核 / needs review" and is never used to
call a plant compliant (or not) until someone checked it against the source.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from footprint_engine.reference import ReferenceTable, reference_tables
from node_service.credentials.jcs import canonicalize
from node_service.db import Database
from node_service.errors import NotFound
from node_service.services.factors.models import ReferenceTableVersion
from node_service.services.factors.versions import next_label

__all__ = [
    "REVIEW_LABEL",
    "ReferenceSyncReport",
    "content_digest",
    "list_tables",
    "show_table",
    "summary_json",
    "sync_reference_tables",
    "table_json",
]

REVIEW_LABEL = "待复核 / needs review"


class _HasDb(Protocol):
    db: Database


# -- the table as JSON (what is stored, what the API and the CLI show) -----------------------------------------


def table_json(table: ReferenceTable) -> dict[str, Any]:
    """The table with every row and its provenance, and its companion documents' text (camelCase)."""
    return {
        "name": table.name,
        "titleZh": table.title_zh,
        "titleEn": table.title_en,
        "version": table.version,
        "sha256": table.sha256,
        "origin": table.origin,
        "note": table.note,
        "columns": [
            {"name": c.name, "type": c.type, "titleZh": c.title_zh, "titleEn": c.title_en, "unit": c.unit}
            for c in table.columns
        ],
        "rows": [
            {
                "values": dict(row.values),
                "provenance": {
                    "source": row.provenance.source,
                    "publisher": row.provenance.publisher,
                    "year": row.provenance.year,
                    "url": row.provenance.url,
                    "verifiedIn": row.provenance.verified_in,
                    "review": row.provenance.review,
                    "reviewNote": row.provenance.review_note,
                },
                "validFrom": row.valid_from.isoformat() if row.valid_from else None,
                "validTo": row.valid_to.isoformat() if row.valid_to else None,
            }
            for row in table.rows
        ],
        "documents": {name: table.document(name) for name in table.documents},
    }


def content_digest(data: dict[str, Any]) -> str:
    """SHA-256 of the RFC 8785 JSON of a table's JSON without its version label (the same rows shipped again
    under another label are the same version, as with factors)."""
    return hashlib.sha256(canonicalize({k: v for k, v in data.items() if k != "version"})).hexdigest()


def _review_count(data: dict[str, Any]) -> int:
    return sum(1 for row in data["rows"] if row["provenance"]["review"])


def _sources(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows per publisher (most first) with the number of distinct source documents each names."""
    rows: Counter[str] = Counter()
    documents: dict[str, set[str]] = {}
    for row in data["rows"]:
        publisher = row["provenance"]["publisher"] or "not stated"
        rows[publisher] += 1
        documents.setdefault(publisher, set()).add(row["provenance"]["source"])
    return [{"publisher": p, "rows": n, "documents": len(documents[p])} for p, n in rows.most_common()]


def summary_json(data: dict[str, Any], record: dict[str, Any] | None = None) -> dict[str, Any]:
    """What ``GET /reference-tables`` lists of one table (``record``: the node's version fields, if any)."""
    return {
        "name": data["name"],
        "titleZh": data["titleZh"],
        "titleEn": data["titleEn"],
        "version": data["version"],
        "sha256": data["sha256"],
        "rows": len(data["rows"]),
        "review": _review_count(data),
        "sources": _sources(data),
        **(record or {}),
    }


def _record_json(row: ReferenceTableVersion) -> dict[str, Any]:
    return {
        "validFrom": row.valid_from.isoformat(),
        "validTo": row.valid_to.isoformat() if row.valid_to else None,
        "current": row.current,
        "recordedAt": row.recorded_at.isoformat(),
    }


# -- recording at node start -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceSyncReport:
    added: int
    new_versions: int
    withdrawn: int


def sync_reference_tables(
    db: Database, tables: Iterable[ReferenceTable] | None = None, *, now: datetime | None = None
) -> ReferenceSyncReport:
    """Record ``tables`` (default: every table the engine ships) as the node's reference tables."""
    shipped = {t.name: table_json(t) for t in (reference_tables() if tables is None else tables)}
    digests = {name: content_digest(data) for name, data in shipped.items()}
    with db.transaction() as session:
        stored = dict(
            session.execute(
                select(ReferenceTableVersion.name, ReferenceTableVersion.content_sha256).where(
                    ReferenceTableVersion.current.is_(True)
                )
            ).all()
        )
    changed = [name for name in shipped if stored.get(name) != digests[name]]
    gone = sorted(set(stored) - set(shipped))
    if not changed and not gone:
        return ReferenceSyncReport(0, 0, 0)
    now = now or datetime.now(UTC)
    today = now.date()
    added = new_versions = 0
    with db.write_transaction() as session:
        for name in changed:
            current = _current(session, name)
            if current is not None and current.content_sha256 == digests[name]:
                continue  # another process recorded it meanwhile
            data = shipped[name]
            taken = set(
                session.execute(
                    select(ReferenceTableVersion.version).where(ReferenceTableVersion.name == name)
                ).scalars()
            )
            data = {**data, "version": next_label(taken, data["version"])}
            if current is None:
                added += 1
            else:
                new_versions += 1
                current.current = False
                current.valid_to = _day_before(today, current.valid_from)
                session.flush()  # the old row stops being current before the new one is
            session.add(
                ReferenceTableVersion(
                    name=name,
                    version=data["version"],
                    sha256=data["sha256"],
                    content_sha256=digests[name],
                    row_count=len(data["rows"]),
                    review_count=_review_count(data),
                    data=data,
                    valid_from=today,
                    valid_to=None,
                    current=True,
                    recorded_at=now,
                )
            )
            session.flush()
        for name in gone:
            current = _current(session, name)
            if current is not None:
                current.current = False
                current.valid_to = _day_before(today, current.valid_from)
    return ReferenceSyncReport(added, new_versions, len(gone))


def _current(session: Session, name: str) -> ReferenceTableVersion | None:
    return session.execute(
        select(ReferenceTableVersion).where(
            ReferenceTableVersion.name == name, ReferenceTableVersion.current.is_(True)
        )
    ).scalar_one_or_none()


def _day_before(day: date, not_before: date) -> date:
    return max(day - timedelta(days=1), not_before)


# -- reading (what the api calls) ------------------------------------------------------------------------------


def list_tables(node: _HasDb) -> list[dict[str, Any]]:
    """The current version of every recorded table, by name."""
    with node.db.transaction() as session:
        rows = session.execute(
            select(ReferenceTableVersion)
            .where(ReferenceTableVersion.current.is_(True))
            .order_by(ReferenceTableVersion.name)
        ).scalars()
        return [summary_json(row.data, _record_json(row)) for row in rows]


def show_table(node: _HasDb, name: str, version: str | None = None) -> dict[str, Any]:
    """One recorded version of a table (default: the current one) with its rows, and every version recorded."""
    with node.db.transaction() as session:
        rows = list(
            session.execute(
                select(ReferenceTableVersion)
                .where(ReferenceTableVersion.name == name)
                .order_by(ReferenceTableVersion.seq)
            ).scalars()
        )
        if not rows:
            names = session.execute(
                select(ReferenceTableVersion.name).distinct().order_by(ReferenceTableVersion.name)
            ).scalars()
            raise NotFound(
                f"reference table {name[:100]!r} is not recorded on this node (tables: {', '.join(names)})",
                field="name",
                fix="list the tables with GET /reference-tables",
            )
        chosen = next((r for r in rows if r.current), None) if version is None else None
        if version is not None:
            chosen = next((r for r in rows if r.version == version), None)
        if chosen is None:
            wanted = "no current version (withdrawn)" if version is None else f"no version {version[:64]!r}"
            raise NotFound(
                f"reference table {name} has {wanted} (recorded: {', '.join(r.version for r in rows)})",
                field="version",
                fix="give one of the recorded versions, or leave version out for the current one",
            )
        versions = [
            {"version": r.version, "sha256": r.sha256, "rows": r.row_count, **_record_json(r)} for r in rows
        ]
        return {**chosen.data, **_record_json(chosen), "review": chosen.review_count, "versions": versions}
