"""One visibility rule: a viewer may see a footprint it owns, one shared with it, or one published as public.

Its three forms — per footprint (``may_see``: the node's API, receipts, primary data), as a list condition
(``visible_to``: GET /footprints) and as the precomputed table PACT reads (``may_see_published``) — must give
the same answer as a slow reference for every viewer and footprint, also after shares and public toggles change.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from node_service.app import create_app
from node_service.db.models import Footprint, FootprintShare
from node_service.services.footprints.visibility import may_see, may_see_published, visible_to
from node_service.services.pact.models import PactFootprint
from tests.node_service.helpers import register
from tests.node_service.services.pact.test_listing import _seed


def _reference(session: Any, footprint: Footprint, viewer: str) -> bool:
    shares = {
        s.organisation_id
        for s in session.execute(select(FootprintShare)).scalars()
        if s.footprint_id == footprint.id
    }
    published = session.get(PactFootprint, footprint.id)
    return footprint.organisation_id == viewer or viewer in shares or bool(published and published.public)


def test_every_form_of_the_rule_agrees_with_the_reference(make_node: Any, database_url: str) -> None:
    node = make_node(database_url)
    with TestClient(create_app(node=node)) as client:
        orgs = [register(client, name, ["supplier", "buyer"]).id for name in ("A", "B", "X", "Y")]
    _seed(node, orgs[:2], orgs[2:])  # 90 published footprints, some public, some shared, then changed
    with node.db.transaction() as session:
        footprints = list(session.execute(select(Footprint)).scalars())
        seen_any = seen_not = 0
        for viewer in orgs:
            listed = {f.id for f in session.execute(select(Footprint).where(visible_to(viewer))).scalars()}
            for footprint in footprints:
                want = _reference(session, footprint, viewer)
                assert may_see(session, footprint, viewer) is want, (viewer, footprint.id)
                assert (footprint.id in listed) is want, (viewer, footprint.id)
                published = session.get(PactFootprint, footprint.id)
                assert published is not None
                assert may_see_published(session, published, viewer) is want, (viewer, footprint.id)
                seen_any += want
                seen_not += not want
        assert seen_any and seen_not  # the data has both answers, so the test can fail either way
