"""Who may see a footprint: the one rule, for the node's API, PACT and the portal.

**The rule**: a viewer may see a footprint when the viewer owns it, when it is shared with the viewer
(``footprint_shares``), or when it is published to PACT as public. :func:`may_see` answers it for one
footprint; everything that shows a footprint to someone asks it (or reads the table below, its precomputed form).

For PACT's ListFootprints, answering ``public OR owner OR id IN (shares)`` per call would make the database walk
every published footprint; instead each published footprint has one row in ``pact_visibility`` per organisation
that may see it (and one with viewer ``*`` when public), carrying ``published_at``, so that a viewer's page is
two short index range scans (``*`` and the viewer) merged newest first. :func:`may_see_published` is the rule
read from that table. The table is kept in step by the calls that change what it derives from:

* a footprint is published or its visibility changes: :func:`sync_footprint`, :func:`set_public`;
* a share is added or removed: :func:`add_share`, :func:`remove_share` (the only way the node changes one:
  the sharing endpoint, the portal, PACT publication and request fulfilment all call them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, bindparam, delete, exists, insert, literal, select
from sqlalchemy.orm import Session

from node_service.db.models import Footprint, FootprintShare
from node_service.services.pact.models import PUBLIC_VIEWER, PactFootprint, PactVisibility

__all__ = [
    "PUBLIC_VIEWER",
    "add_share",
    "grant",
    "may_see",
    "may_see_published",
    "remove_share",
    "revoke",
    "set_public",
    "sync_footprint",
    "viewer_keys",
    "visible_to",
]

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


def may_see(session: Session, footprint: Footprint, viewer_id: str) -> bool:
    """The rule for one stored footprint: owned by, shared with, or published as public to ``viewer_id``."""
    if footprint.organisation_id == viewer_id:
        return True
    if session.get(FootprintShare, (footprint.id, viewer_id)) is not None:
        return True
    return (
        session.execute(_SEEN, {"footprint_id": footprint.id, "viewer_id": PUBLIC_VIEWER}).first() is not None
    )


def visible_to(viewer_id: str) -> Any:
    """The rule as a condition on ``Footprint`` rows, for lists."""
    shared = select(FootprintShare.footprint_id).where(FootprintShare.organisation_id == viewer_id)
    public = select(_V.c.footprint_id).where(_V.c.viewer_id == PUBLIC_VIEWER)
    return (Footprint.organisation_id == viewer_id) | Footprint.id.in_(shared) | Footprint.id.in_(public)


def may_see_published(session: Session | Connection, row: Any, viewer_id: str) -> bool:
    """The rule for a published footprint, from ``pact_visibility`` (``row`` has id, public and
    organisation_id; a share of a published footprint is a visibility row): PACT's GetFootprint."""
    if row.public or row.organisation_id == viewer_id:
        return True
    return session.execute(_SEEN, {"footprint_id": row.id, "viewer_id": viewer_id}).first() is not None


_SEEN = select(literal(1)).where(
    and_(_V.c.footprint_id == bindparam("footprint_id"), _V.c.viewer_id == bindparam("viewer_id"))
)


def add_share(session: Session, footprint_id: str, organisation_id: str, now: datetime) -> FootprintShare:
    """Share a footprint with an organisation (the caller checked that it may) and, when the footprint is
    published, let that organisation see it there too."""
    share = FootprintShare(footprint_id=footprint_id, organisation_id=organisation_id, created_at=now)
    session.add(share)
    session.flush()
    grant(session, footprint_id, organisation_id)
    return share


def remove_share(session: Session, footprint_id: str, organisation_id: str) -> None:
    """Stop sharing a footprint with an organisation; its owner keeps seeing it."""
    session.execute(
        delete(FootprintShare).where(
            FootprintShare.footprint_id == footprint_id, FootprintShare.organisation_id == organisation_id
        )
    )
    owner = select(_PF.c.organisation_id).where(_PF.c.id == footprint_id).scalar_subquery()
    session.execute(
        delete(_V).where(
            _V.c.footprint_id == footprint_id, _V.c.viewer_id == organisation_id, _V.c.viewer_id != owner
        )
    )
