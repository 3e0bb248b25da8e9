"""Who may see a published footprint, kept as a precomputed table (``pact_visibility``).

A viewer sees a published footprint when it is public, when the viewer owns it, or when it is shared with the
viewer (``footprint_shares``). Answering that with ``public OR owner OR id IN (shares)`` for every ListFootprints
call makes the database walk every published footprint; instead each published footprint has one row per
organisation that may see it (and one with viewer ``*`` when public), carrying ``published_at``, so that a
viewer's page is two short index range scans (``*`` and the viewer) merged newest first.

The table is maintained:

* when a footprint is published or its visibility changes (:func:`sync_footprint`, :func:`set_public`);
* when a share is added or removed anywhere in the node (ORM events on ``FootprintShare``), so that the node's
  own sharing endpoint, the portal and request fulfilment all keep it right without knowing about it.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, Table, and_, bindparam, delete, event, exists, insert, literal, select
from sqlalchemy.orm import Mapper, Session

from node_service.db.models import FootprintShare
from node_service.pact.models import PUBLIC_VIEWER, PactFootprint, PactVisibility

__all__ = ["PUBLIC_VIEWER", "grant", "may_see", "revoke", "set_public", "sync_footprint", "viewer_keys"]

_V = cast(Table, PactVisibility.__table__)
_PF = cast(Table, PactFootprint.__table__)


def _grant_statement(footprint_id: str, viewer_id: str) -> Any:
    """INSERT … SELECT that adds (footprint, viewer) when the footprint is published and the row is absent."""
    already = exists().where(_V.c.footprint_id == footprint_id, _V.c.viewer_id == viewer_id)
    source = select(_PF.c.id, literal(viewer_id), _PF.c.published_at).where(
        _PF.c.id == footprint_id, ~already
    )
    return insert(_V).from_select(["footprint_id", "viewer_id", "published_at"], source)


def grant(connection: Connection | Session, footprint_id: str, viewer_id: str) -> None:
    """``viewer_id`` (an organisation id, or ``*``) may see the footprint; a no-op when it is not published."""
    connection.execute(_grant_statement(footprint_id, viewer_id))


def revoke(connection: Connection | Session, footprint_id: str, viewer_id: str) -> None:
    connection.execute(delete(_V).where(_V.c.footprint_id == footprint_id, _V.c.viewer_id == viewer_id))


def sync_footprint(session: Session, row: PactFootprint) -> None:
    """Rows for a just-published footprint: its owner, ``*`` when public, every organisation it is shared with.
    The footprint row must be flushed."""
    viewers = {row.organisation_id}
    if row.public:
        viewers.add(PUBLIC_VIEWER)
    viewers.update(
        session.execute(
            select(FootprintShare.organisation_id).where(FootprintShare.footprint_id == row.id)
        ).scalars()
    )
    for viewer in sorted(viewers):
        grant(session, row.id, viewer)


def set_public(session: Session, row: PactFootprint, public: bool) -> None:
    row.public = public
    session.flush()
    (grant if public else revoke)(session, row.id, PUBLIC_VIEWER)


def viewer_keys(viewer_id: str) -> tuple[str, str]:
    """The visibility rows a viewer reads: the public ones and its own."""
    return PUBLIC_VIEWER, viewer_id


def may_see(session: Session | Connection, row: Any, viewer_id: str) -> bool:
    """GetFootprint's check for one footprint (``row`` has id, public and organisation_id)."""
    if row.public or row.organisation_id == viewer_id:
        return True
    return session.execute(_SEEN, {"footprint_id": row.id, "viewer_id": viewer_id}).first() is not None


_SEEN = select(literal(1)).where(
    and_(_V.c.footprint_id == bindparam("footprint_id"), _V.c.viewer_id == bindparam("viewer_id"))
)


@event.listens_for(FootprintShare, "after_insert")
def _share_added(_mapper: Mapper[Any], connection: Connection, target: FootprintShare) -> None:
    connection.execute(_grant_statement(target.footprint_id, target.organisation_id))


@event.listens_for(FootprintShare, "after_delete")
def _share_removed(_mapper: Mapper[Any], connection: Connection, target: FootprintShare) -> None:
    owner = select(_PF.c.organisation_id).where(_PF.c.id == target.footprint_id).scalar_subquery()
    connection.execute(
        delete(_V).where(
            _V.c.footprint_id == target.footprint_id,
            _V.c.viewer_id == target.organisation_id,
            _V.c.viewer_id != owner,
        )
    )
