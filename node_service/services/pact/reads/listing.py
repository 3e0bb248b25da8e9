"""ListFootprints and GetFootprint over the precomputed visibility table.

ListFootprints returns the viewer's visible footprints matching the criteria, newest first (``published_at``,
then id, both descending), at most ``limit``, with a keyset cursor for the next page. Two plans:

* **by order** (no list filter, or only unselective ones): read the viewer's rows and the public rows from
  ``pact_visibility``'s (viewer, published_at, id) index, newest first, ``limit + 1`` of each; every item of
  the merged first ``limit + 1`` is among the first ``limit + 1`` of its own stream, so the merge is exact.
* **by candidates** (a productId, companyId, geography or classification filter matching at most
  ``CANDIDATE_LIMIT`` footprints): take that filter's footprints from the key index, keep those matching the
  other criteria and visible to the viewer, and sort them.

Either way the documents of the page are read in one query afterwards.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    Table,
    bindparam,
    exists,
    select,
    tuple_,
    type_coerce,
    union,
)
from sqlalchemy.orm import Session

from node_service.db.models import Footprint
from node_service.errors import AccessDenied
from node_service.services.footprints.visibility import may_see_published, viewer_keys
from node_service.services.pact._prepared import Prepared
from node_service.services.pact.errors import BadRequest, NoSuchFootprint
from node_service.services.pact.management.clients import check_client
from node_service.services.pact.management.tokens import AccessToken
from node_service.services.pact.models import PactClient, PactFootprint, PactFootprintKey, PactVisibility
from node_service.services.pact.reads.filters import Criteria

__all__ = [
    "CANDIDATE_LIMIT",
    "Page",
    "decode_cursor",
    "documents",
    "documents_with_results",
    "encode_cursor",
    "get_footprint",
    "get_footprint_as",
    "list_footprints",
    "visible_clause",
]

#: A list filter matching at most this many footprints is planned "by candidates".
CANDIDATE_LIMIT = 2000
MAX_CURSOR_LENGTH = 200
MAX_ID_LENGTH = 36

_PF = cast(Table, PactFootprint.__table__)
_V = cast(Table, PactVisibility.__table__)
_K = cast(Table, PactFootprintKey.__table__)
# statements of every request, built once
_FOOTPRINT_STATE = select(_PF.c.id, _PF.c.status, _PF.c.public, _PF.c.organisation_id).where(
    _PF.c.id == bindparam("id")
)
_C = cast(Table, PactClient.__table__)
_GET_AS = (
    select(
        _C.c.organisation_id.label("client_org"),
        _C.c.revoked_at,
        _C.c.secret_hash,
        _PF.c.id,
        _PF.c.status,
        _PF.c.public,
        _PF.c.organisation_id,
        exists()
        .where(_V.c.footprint_id == bindparam("id"), _V.c.viewer_id == bindparam("viewer_id"))
        .label("shared"),
    )
    .select_from(_C.outerjoin(_PF, _PF.c.id == bindparam("id")))
    .where(_C.c.client_id == bindparam("client_id"))
)
_GET_AS_PREPARED = Prepared(_GET_AS)
_DOCUMENTS = select(_PF.c.id, _PF.c.document).where(_PF.c.id.in_(bindparam("ids", expanding=True)))
_FP = cast(Table, Footprint.__table__)
_V2_SOURCES = (
    select(_PF.c.id, _PF.c.document, _FP.c.result)
    .join(_FP, _FP.c.id == _PF.c.id)
    .where(_PF.c.id.in_(bindparam("ids", expanding=True)))
)


class _ClientState(NamedTuple):
    organisation_id: str
    revoked_at: datetime | None
    secret_hash: str


@dataclass(frozen=True)
class Page:
    rows: list[Any]  # each has .id and .status (the documents: :func:`documents`)
    next_cursor: str | None


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def encode_cursor(published_at: datetime | str, footprint_id: str) -> str:
    moment = datetime.fromisoformat(published_at) if isinstance(published_at, str) else published_at
    raw = f"{_utc(moment).isoformat()}|{footprint_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[datetime, str]:
    try:
        if len(text) > MAX_CURSOR_LENGTH:
            raise ValueError("too long")
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        moment, _, footprint_id = raw.partition("|")
        parsed = datetime.fromisoformat(moment)
        if not footprint_id or parsed.tzinfo is None:
            raise ValueError("incomplete")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(
            "cursor: not a pagination cursor of this host", fix="follow the Link header as given"
        ) from exc
    return parsed, footprint_id


def visible_clause(viewer_id: str) -> ColumnElement[bool]:
    """SQL condition on ``pact_footprints``: the viewer may see the row."""
    return exists().where(_V.c.footprint_id == _PF.c.id, _V.c.viewer_id.in_(viewer_keys(viewer_id)))


def _key_clause(name: str, values: list[str]) -> ColumnElement[bool]:
    return exists().where(_K.c.footprint_id == _PF.c.id, _K.c.kind == name, _K.c.value.in_(values))


def _raw(column: Any) -> Any:
    """A timestamp column as the driver returns it: SQLite's stored text (which sorts as the time does) is not
    parsed for every row of a page, only the cursor's; PostgreSQL's driver gives datetimes either way."""
    return type_coerce(column, String)


def _row_conditions(criteria: Criteria, skip: str | None = None) -> list[ColumnElement[bool]]:
    """Conditions on ``pact_footprints`` for every criterion (but the list filter ``skip``)."""
    conditions = [_key_clause(n, v) for n, v in criteria.values.items() if n != skip]
    if criteria.valid_on is not None:
        conditions += [_PF.c.validity_start <= criteria.valid_on, criteria.valid_on < _PF.c.validity_end]
    if criteria.valid_after is not None:
        conditions.append(_PF.c.validity_start > criteria.valid_after)
    if criteria.valid_before is not None:
        conditions.append(_PF.c.validity_end < criteria.valid_before)
    if criteria.status is not None:
        conditions.append(_PF.c.status == criteria.status)
    return conditions


_CANDIDATE_IDS = (
    select(_K.c.footprint_id)
    .where(_K.c.kind == bindparam("kind"), _K.c.value.in_(bindparam("values", expanding=True)))
    .distinct()
    .limit(bindparam("cap"))
)


def _candidates(session: Session | Connection, criteria: Criteria) -> tuple[str, list[str]] | None:
    """The most selective list filter and its footprint ids, when one matches at most CANDIDATE_LIMIT."""
    best: tuple[str, list[str]] | None = None
    for name, values in criteria.values.items():
        params = {"kind": name, "values": values, "cap": CANDIDATE_LIMIT + 1}
        ids = list(session.execute(_CANDIDATE_IDS, params).scalars())
        if len(ids) <= CANDIDATE_LIMIT and (best is None or len(ids) < len(best[1])):
            best = (name, ids)
    return best


def _candidate_statement(conditions: list[ColumnElement[bool]], keyset: bool) -> Any:
    """The visible ones among ``:ids`` matching ``conditions`` (after the cursor when ``keyset``), newest first."""
    visible = exists().where(
        _V.c.footprint_id == _PF.c.id, _V.c.viewer_id.in_(bindparam("viewers", expanding=True))
    )
    query = select(_raw(_PF.c.published_at), _PF.c.id, _PF.c.status).where(
        _PF.c.id.in_(bindparam("ids", expanding=True)), visible, *conditions
    )
    if keyset:
        after = tuple_(bindparam("after_at", type_=_PF.c.published_at.type), bindparam("after_id"))
        query = query.where(tuple_(_PF.c.published_at, _PF.c.id) < after)
    return query.order_by(_PF.c.published_at.desc(), _PF.c.id.desc()).limit(bindparam("count"))


_CANDIDATE_PAGES = {keyset: _candidate_statement([], keyset) for keyset in (False, True)}


def _by_candidates(
    session: Session | Connection,
    viewer_id: str,
    criteria: Criteria,
    candidates: tuple[str, list[str]],
    after: tuple[datetime, str] | None,
    count: int,
) -> list[tuple[Any, str, str]]:
    name, ids = candidates
    if not ids:
        return []
    conditions = _row_conditions(criteria, skip=name)
    keyset = after is not None
    statement = _candidate_statement(conditions, keyset) if conditions else _CANDIDATE_PAGES[keyset]
    params: dict[str, Any] = {"ids": ids, "viewers": list(viewer_keys(viewer_id)), "count": count}
    if after is not None:
        params.update(after_at=after[0], after_id=after[1])
    return [(r[0], r[1], r[2]) for r in session.execute(statement, params)]


def _page_statement(conditions: list[ColumnElement[bool]], keyset: bool) -> Any:
    """One statement: the newest ``:count`` rows of the ``*`` and ``:viewer`` index ranges (after the cursor
    ``:after_at``/``:after_id`` when ``keyset``), their union (a footprint both public and shared appears once:
    same id and time), joined to the statuses, sorted and cut to ``:count``."""
    streams = []
    keys: tuple[Any, Any] = (bindparam("public_key"), bindparam("viewer"))
    for key in keys:
        stream = select(_V.c.published_at, _V.c.footprint_id).where(_V.c.viewer_id == key)
        if conditions:
            stream = stream.join(_PF, _PF.c.id == _V.c.footprint_id).where(*conditions)
        if keyset:
            after = tuple_(bindparam("after_at", type_=_V.c.published_at.type), bindparam("after_id"))
            stream = stream.where(tuple_(_V.c.published_at, _V.c.footprint_id) < after)
        ordered = stream.order_by(_V.c.published_at.desc(), _V.c.footprint_id.desc()).limit(
            bindparam("count")
        )
        streams.append(select(ordered.subquery()))
    merged = union(*streams).subquery()
    return (
        select(_raw(merged.c.published_at), merged.c.footprint_id, _PF.c.status)
        .join_from(merged, _PF, _PF.c.id == merged.c.footprint_id)
        .order_by(merged.c.published_at.desc(), merged.c.footprint_id.desc())
        .limit(bindparam("count"))
    )


#: the unfiltered page statements, built once and compiled once per dialect (building, keying and executing a
#: statement through SQLAlchemy costs more than running it)
_PAGES = {keyset: Prepared(_page_statement([], keyset)) for keyset in (False, True)}


def _by_order(
    session: Session | Connection,
    viewer_id: str,
    criteria: Criteria,
    after: tuple[datetime, str] | None,
    count: int,
) -> list[tuple[Any, str, str]]:
    conditions = _row_conditions(criteria)
    public_key, viewer = viewer_keys(viewer_id)
    params: dict[str, Any] = {"public_key": public_key, "viewer": viewer, "count": count}
    if after is not None:
        params.update(after_at=after[0], after_id=after[1])
    if not conditions:
        return [(r[0], r[1], r[2]) for r in _PAGES[after is not None].all(session, params)]
    statement = _page_statement(conditions, after is not None)
    return [(r[0], r[1], r[2]) for r in session.execute(statement, params)]


class Listed(NamedTuple):
    id: str
    status: str


def list_footprints(
    session: Session | Connection, viewer_id: str, criteria: Criteria, *, limit: int, cursor: str | None
) -> Page:
    """Visible footprints matching ``criteria``, newest first, at most ``limit``; keyset pagination."""
    after = decode_cursor(cursor) if cursor is not None else None
    candidates = _candidates(session, criteria) if criteria.values else None
    if candidates is not None:
        keys = _by_candidates(session, viewer_id, criteria, candidates, after, limit + 1)
    else:
        keys = _by_order(session, viewer_id, criteria, after, limit + 1)
    more = len(keys) > limit
    keys = keys[:limit]
    rows = [Listed(fid, status) for _, fid, status in keys]
    return Page(rows, encode_cursor(keys[-1][0], keys[-1][1]) if more and keys else None)


def documents(session: Session | Connection, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The stored ProductFootprints of ``ids`` (absent ids are left out)."""
    if not ids:
        return {}
    return {row.id: row.document for row in session.execute(_DOCUMENTS, {"ids": ids})}


def documents_with_results(
    session: Session | Connection, ids: list[str]
) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """The stored ProductFootprints of ``ids`` with their footprint documents (``footprints.result``, which
    holds the engine result): what a v2.3 ProductFootprint is made of."""
    if not ids:
        return {}
    return {row.id: (row.document, row.result) for row in session.execute(_V2_SOURCES, {"ids": ids})}


def get_footprint_as(session: Session | Connection, access: AccessToken, footprint_id: str) -> Any:
    """GetFootprint for a verified token in one round trip: the token's client, the footprint and whether the
    token's organisation may see it are read by one statement; the same answers as :func:`get_footprint`
    after :func:`~node_service.services.pact.management.clients.check_client`."""
    usable_id = len(footprint_id) <= MAX_ID_LENGTH
    params = {
        "client_id": access.client_id,
        "id": footprint_id if usable_id else "",
        "viewer_id": access.organisation_id,
    }
    found = _GET_AS_PREPARED.first(session, params)
    client = None if found is None else _ClientState(found.client_org, found.revoked_at, found.secret_hash)
    check_client(access, client)
    assert found is not None  # check_client refused otherwise
    if found.id is None or not usable_id:
        raise NoSuchFootprint(f"no footprint {footprint_id[:60]!r} on this host", fix="check the id")
    if found.public or found.organisation_id == access.organisation_id or found.shared:
        return found
    raise AccessDenied(
        f"footprint {footprint_id} is not shared with you",
        fix="ask the data owner to share it or send a request event",
    )


def get_footprint(session: Session | Connection, viewer_id: str, footprint_id: str) -> Any:
    """GetFootprint: NoSuchFootprint when absent, AccessDenied when it exists but is not shared with the viewer.
    The row has id, status, public and organisation_id (the document: :func:`documents`)."""
    row = None
    if len(footprint_id) <= MAX_ID_LENGTH:
        row = session.execute(
            select(_PF.c.id, _PF.c.status, _PF.c.public, _PF.c.organisation_id).where(
                _PF.c.id == footprint_id
            )
        ).first()
    if row is None:
        raise NoSuchFootprint(f"no footprint {footprint_id[:60]!r} on this host", fix="check the id")
    if may_see_published(session, row, viewer_id):
        return row
    raise AccessDenied(
        f"footprint {footprint_id} is not shared with you",
        fix="ask the data owner to share it or send a request event",
    )
