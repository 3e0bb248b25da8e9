"""ListFootprints and GetFootprint as the PACT read routes and their fast path (node_service.api.pact) run them:
each is one short read on one connection (the bearer token checked against its client, the page or the footprint,
the documents not rendered yet), answered as rendered JSON fragments from the per-process cache.

The connection comes from the read routes' own PostgreSQL pool (:func:`read_engine_for`), else from the node's
engine. The fixed statements run on its DBAPI cursor (:mod:`node_service.services.pact._prepared`: on SQLite each its own read transaction);
any SQLAlchemy statement opens a transaction that is rolled back when the connection is returned.
"""

from __future__ import annotations

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
from node_service.services.pact.settings import PactSettings

__all__ = ["ListedPage", "PactReads", "pool_capacity", "read_engine_for"]


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
        ``params`` (each name with its values) checked in the spec's order — the token first, then ``$filter``,
        ``limit``, ``cursor`` and (v3) the filter parameters."""
        with self._connect() as connection:
            viewer = client_service.authenticate_bearer(connection, self.keys, authorization).organisation_id
            if "$filter" in params and any(params["$filter"]):
                raise NotImplementedAction(
                    "$filter (OData) is not implemented by this host", fix="use the v3 filter parameters"
                )
            limit = self._limit(params)
            cursor = params.get("cursor", [None])[0]
            criteria = Criteria.from_lists(params) if major == 3 else Criteria()
            page = publication.list_footprints(connection, viewer, criteria, limit=limit, cursor=cursor)
            fragments = self._rendered(
                connection, [(r.id, r.status) for r in page.rows], base_url, major, strict=False
            )
        return ListedPage(fragments, limit, page.next_cursor)

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
                lambda ids: listing.documents(connection, ids),
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
