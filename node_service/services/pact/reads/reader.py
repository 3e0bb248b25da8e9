"""ListFootprints and GetFootprint as the PACT read routes and their fast path (node_service.api.pact) run them:
each is one short read on one connection (the bearer token checked against its client, the page or the footprint,
the documents not rendered yet), answered as rendered JSON fragments from the per-process cache.

The connection comes from the read routes' own PostgreSQL pool (:func:`read_engine_for`), else from the node's
engine. The fixed statements run on its DBAPI cursor (:mod:`node_service.services.pact._prepared`: on SQLite each its own read transaction);
any SQLAlchemy statement opens a transaction that is rolled back when the connection is returned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, create_engine

from node_service.db.engine import Database
from node_service.services.pact.actions import publication
from node_service.services.pact.errors import BadRequest, NotImplementedAction
from node_service.services.pact.management import clients as client_service
from node_service.services.pact.management.tokens import NodeKeys
from node_service.services.pact.mapping import PactMappingError
from node_service.services.pact.reads import listing
from node_service.services.pact.reads._rendered import RenderedCache
from node_service.services.pact.reads.filters import Criteria
from node_service.services.pact.reads.odata_filter import ODataFilter, parse_filter
from node_service.services.pact.settings import PactSettings

__all__ = [
    "FILTER_CHUNK_ROWS",
    "FILTER_SCAN_ROWS",
    "ListedPage",
    "PactReads",
    "pool_capacity",
    "read_engine_for",
]

#: a v2.3 ListFootprints with a ``$filter`` reads the listing in chunks of at least this many footprints …
FILTER_CHUNK_ROWS = 100
#: … and at most this many footprints per request (then answers what it found, with a next link)
FILTER_SCAN_ROWS = 2000


def pool_capacity(db: Database) -> int | None:
    """How many connections the node's pool keeps open (None when it has no fixed size). Beyond them the pool
    opens overflow connections per checkout and closes them on return, which costs a connect each time."""
    size = getattr(db.engine.pool, "size", None)
    return int(size()) if callable(size) else None


def read_engine_for(db: Database, threads: int) -> Engine | None:
    """A PostgreSQL pool for the read routes alone: exactly one kept connection per reader thread (so no
    thread waits and no overflow connection is opened and closed per request), no pre-ping round trip per
    checkout (a connection found dead is invalidated by SQLAlchemy and the next read reconnects), and
    autocommit: under READ COMMITTED every statement has its own snapshot anyway, so BEGIN/ROLLBACK would be two
    more round trips for nothing. SQLite (None) reads through the node's engine."""
    if db.is_sqlite:
        return None
    return create_engine(
        db.engine.url,
        pool_size=max(1, threads),
        max_overflow=0,
        pool_pre_ping=False,
        pool_recycle=1800,
        isolation_level="AUTOCOMMIT",
    )


def _odata_filter(params: dict[str, list[str]], major: int) -> ODataFilter | None:
    """The ``$filter`` of a ListFootprints call, parsed (v2.3), or None when absent or empty. PACT v3 deprecated
    ``$filter`` in favour of its filter parameters: there it answers NotImplemented."""
    given = params.get("$filter", [])
    if major >= 3:
        if any(given):
            raise NotImplementedAction(
                "$filter (OData) is not implemented by this host for PACT v3, which deprecated it",
                fix="use the v3 filter parameters (productId, companyId, geography, classification, validOn, …)",
            )
        return None
    if len(given) > 1:
        raise BadRequest(f"$filter: given {len(given)} times, want once")
    return parse_filter(given[0]) if given and given[0] else None


@dataclass(frozen=True)
class ListedPage:
    """One page of ListFootprints: the rendered ProductFootprints in order, the page size used, and the cursor
    of the next page (None on the last)."""

    fragments: list[bytes]
    limit: int
    next_cursor: str | None


class PactReads:
    """The read actions of one app: its PACT settings and node keys, the rendered-document cache, and the read
    pool (:func:`read_engine_for`, sized for ``threads`` reader threads; :meth:`close` disposes of it)."""

    def __init__(self, db: Database, keys: NodeKeys, settings: PactSettings, threads: int) -> None:
        self._db = db
        self.keys = keys
        self.settings = settings
        self.rendered = RenderedCache(settings.rendered_cache_size)
        self.engine = read_engine_for(db, threads)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()

    def _connect(self) -> Connection:
        engine = self.engine if self.engine is not None else self._db.engine
        return engine.connect()

    def _limit(self, params: dict[str, list[str]]) -> int:
        given = params.get("limit")
        if not given:
            return self.settings.default_limit
        if len(given) > 1 or not given[0].isdigit() or len(given[0]) > 9 or int(given[0]) < 1:
            raise BadRequest(f"limit: got {given[0][:20]!r}, want a positive integer")
        return min(int(given[0]), self.settings.max_limit)

    def list_page(
        self, authorization: str | None, params: dict[str, list[str]], base_url: str, major: int
    ) -> ListedPage:
        """ListFootprints of the PACT ``major`` version for the bearer of ``authorization``: the query
        ``params`` (each name with its values) checked in the spec's order — the token first, then ``$filter``
        (v2.3: :mod:`~node_service.services.pact.reads.odata_filter`), ``limit``, ``cursor`` and (v3) the filter
        parameters."""
        with self._connect() as connection:
            viewer = client_service.authenticate_bearer(connection, self.keys, authorization).organisation_id
            odata = _odata_filter(params, major)
            limit = self._limit(params)
            cursor = params.get("cursor", [None])[0]
            if odata is not None:
                found, next_cursor = self._filtered(connection, viewer, odata, limit, cursor, base_url)
                return ListedPage(found, limit, next_cursor)
            criteria = Criteria.from_lists(params) if major == 3 else Criteria()
            page = publication.list_footprints(connection, viewer, criteria, limit=limit, cursor=cursor)
            fragments = self._rendered(
                connection, [(r.id, r.status) for r in page.rows], base_url, major, strict=False
            )
        return ListedPage(fragments, limit, page.next_cursor)

    def _filtered(
        self,
        connection: Connection,
        viewer: str,
        odata: ODataFilter,
        limit: int,
        cursor: str | None,
        base: str,
    ) -> tuple[list[bytes], str | None]:
        """A v2.3 ListFootprints page with a ``$filter``: the listing (narrowed by the filter's
        :meth:`~ODataFilter.criteria`) read from ``cursor`` in chunks, each rendered footprint kept when the filter
        holds, until ``limit`` are found, the listing ends or :data:`FILTER_SCAN_ROWS` were read. Returns the
        fragments and the cursor right after the last footprint examined (so nothing is skipped or repeated); a
        page may hold fewer than ``limit`` (PACT allows it) and still have a next link."""
        criteria = odata.criteria()
        found: list[bytes] = []
        scanned = 0
        while True:
            count = min(max(limit - len(found), FILTER_CHUNK_ROWS), FILTER_SCAN_ROWS - scanned)
            page = publication.list_footprints(connection, viewer, criteria, limit=count, cursor=cursor)
            rendered = self._rendered(
                connection, [(r.id, r.status) for r in page.rows], base, 2, strict=False
            )
            documents = {}
            for fragment in rendered:
                pf = json.loads(fragment)
                documents[pf["id"]] = (fragment, pf)
            for examined, row in enumerate(page.rows, start=1):
                hit = documents.get(row.id)
                if hit is None or not odata.matches(hit[1]):
                    continue
                found.append(hit[0])
                if len(found) == limit:
                    if examined == len(page.rows):
                        return found, page.next_cursor
                    # the page filled up inside the chunk: the cursor after its row is that of the listing's
                    # page of exactly the rows examined (same criteria, same start)
                    cut = publication.list_footprints(
                        connection, viewer, criteria, limit=examined, cursor=cursor
                    )
                    return found, cut.next_cursor
            scanned += len(page.rows)
            cursor = page.next_cursor
            if cursor is None or scanned >= FILTER_SCAN_ROWS:
                return found, cursor

    def footprint(self, authorization: str | None, footprint_id: str, base_url: str, major: int) -> bytes:
        """GetFootprint of the PACT ``major`` version: the rendered ProductFootprint."""
        access = client_service.bearer_token(self.keys, authorization)
        with self._connect() as connection:
            row = listing.get_footprint_as(connection, access, footprint_id)
            return self._rendered(connection, [(row.id, row.status)], base_url, major, strict=True)[0]

    def _rendered(
        self, connection: Connection, keys: list[tuple[str, str]], base: str, major: int, *, strict: bool
    ) -> list[bytes]:
        """The JSON of each (id, status) in the ``major`` version's shape, from the per-process cache or rendered
        from the stored documents. A footprint without a v2.3 form is refused (``strict``: GetFootprint) or left
        out (ListFootprints)."""
        if major >= 3:
            return self.rendered.fragments(
                keys,
                base,
                lambda ids: publication.v3_documents(connection, ids),
                lambda document: publication.render_document(document, base),
            )

        def render_v2(sources: tuple[dict[str, Any], dict[str, Any]]) -> dict[str, Any] | None:
            document, footprint_document = sources
            try:
                return publication.render_v2(document, footprint_document, base)
            except PactMappingError as exc:
                if not strict:
                    return None
                raise NotImplementedAction(
                    f"footprint {document['id']} has no PACT v2.3 form: {exc.detail}",
                    fix=f"read it as PACT v3 at {base}/3/footprints/{document['id']}",
                ) from exc

        return self.rendered.fragments(
            keys, base, lambda ids: listing.documents_with_results(connection, ids), render_v2, variant="2"
        )
