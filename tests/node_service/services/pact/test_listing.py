"""ListFootprints and GetFootprint over the precomputed visibility table agree with a slow, obviously-correct
reference (public OR owner OR shared, then filters, newest first) for every viewer, filter and page size, on
SQLite and PostgreSQL, under both query plans; shares added or removed later and public toggles keep it right."""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from node_service.app import create_app
from node_service.db.models import Footprint, FootprintShare, Submission
from node_service.errors import AccessDenied
from node_service.services.footprints.visibility import add_share, remove_share, set_public, sync_footprint
from node_service.services.pact.errors import BadRequest, NoSuchFootprint
from node_service.services.pact.management.tokens import AccessToken, secret_version
from node_service.services.pact.models import PactClient, PactFootprint, PactFootprintKey
from node_service.services.pact.reads import listing
from node_service.services.pact.reads.filters import Criteria
from tests.node_service.helpers import register

N = 90
NOW = datetime(2026, 6, 1, tzinfo=UTC)


@dataclass
class Row:
    id: str
    owner: str
    product: str
    public: bool
    status: str
    published_at: datetime
    validity_end: datetime


def _seed(node: Any, owners: list[str], buyers: list[str]) -> list[Row]:
    rng = random.Random(7)
    rows: list[Row] = []
    with node.db.transaction() as session:
        for i in range(N):
            fid, sub = str(uuid.uuid4()), f"urn:uuid:{uuid.uuid4()}"
            owner = owners[i % len(owners)]
            product = f"urn:pact:example:p{i % 11}"
            row = Row(
                id=fid,
                owner=owner,
                product=product,
                public=rng.random() < 0.3,
                status="Active" if rng.random() < 0.8 else "Deprecated",
                published_at=NOW - timedelta(seconds=i // 3),  # groups of three tie: the id breaks them
                validity_end=NOW + timedelta(days=rng.choice([-30, 400])),
            )
            rows.append(row)
            session.add(
                Submission(
                    id=sub,
                    organisation_id=owner,
                    product_id=product,
                    period_start="2025-01-01",
                    period_end="2025-12-31",
                    status="accepted",
                    credential={},
                    sha256="0" * 64,
                    signed_by="test",
                    created_at=NOW,
                )
            )
            session.flush()  # the tables have no ORM relationships: insert parents first
            session.add(
                Footprint(
                    id=fid,
                    submission_id=sub,
                    organisation_id=owner,
                    product_id=product,
                    result={},
                    sha256="0" * 64,
                    created_at=NOW,
                )
            )
            session.flush()
            if rng.random() < 0.3:  # shared before publication: picked up by sync_footprint
                session.add(
                    FootprintShare(footprint_id=fid, organisation_id=rng.choice(buyers), created_at=NOW)
                )
            session.flush()
            pf = PactFootprint(
                id=fid,
                organisation_id=owner,
                product_id=product,
                period_start="2025-01-01",
                period_end="2025-12-31",
                status=row.status,
                public=row.public,
                validity_start=NOW - timedelta(days=365),
                validity_end=row.validity_end,
                document={"id": fid},
                published_at=row.published_at,
            )
            session.add(pf)
            session.add(PactFootprintKey(footprint_id=fid, kind="productId", value=product))
            session.flush()
            sync_footprint(session, pf)
    with node.db.transaction() as session:  # shared after publication: add_share adds the rows
        for row in rng.sample(rows, 25):
            buyer = rng.choice(buyers)
            if session.get(FootprintShare, (row.id, buyer)) is None:
                add_share(session, row.id, buyer, NOW)
    with node.db.transaction() as session:  # unshared again, and public toggled both ways
        shares = list(session.execute(select(FootprintShare)).scalars())
        for share in rng.sample(shares, 8):
            remove_share(session, share.footprint_id, share.organisation_id)
        for row in rng.sample(rows, 10):
            row.public = not row.public
            pf = session.get(PactFootprint, row.id)
            assert pf is not None
            set_public(session, pf, row.public)
    return rows


def _reference(node: Any, rows: list[Row], viewer: str, criteria: Criteria) -> list[str]:
    with node.db.transaction() as session:
        shares = {
            (s.footprint_id, s.organisation_id) for s in session.execute(select(FootprintShare)).scalars()
        }
    products = set(criteria.values.get("productId", []))
    found = [
        r
        for r in rows
        if (r.public or r.owner == viewer or (r.id, viewer) in shares)
        and (not products or r.product in products)
        and (criteria.status is None or r.status == criteria.status)
        and (criteria.valid_on is None or criteria.valid_on < r.validity_end)
    ]
    return [r.id for r in sorted(found, key=lambda r: (r.published_at, r.id), reverse=True)]


def _paged(node: Any, viewer: str, criteria: Criteria, limit: int) -> list[str]:
    got: list[str] = []
    cursor = None
    for _ in range(N + 2):
        with node.db.transaction() as session:
            page = listing.list_footprints(session, viewer, criteria, limit=limit, cursor=cursor)
        assert len(page.rows) <= limit
        got += [r.id for r in page.rows]
        if page.next_cursor is None:
            return got
        cursor = page.next_cursor
    raise AssertionError("pagination did not end")


@pytest.mark.parametrize("candidate_limit", [3, 2000])
def test_list_matches_reference(
    make_node: Any, database_url: str, monkeypatch: pytest.MonkeyPatch, candidate_limit: int
) -> None:
    monkeypatch.setattr(listing, "CANDIDATE_LIMIT", candidate_limit)
    node = make_node(database_url)
    with TestClient(create_app(node=node)) as client:
        orgs = [register(client, name, ["supplier", "buyer"]).id for name in ("A", "B", "X", "Y")]
    rows = _seed(node, orgs[:2], orgs[2:])
    cases = [
        Criteria(),
        Criteria(values={"productId": ["urn:pact:example:p3"]}),
        Criteria(
            values={"productId": ["urn:pact:example:p1", "urn:pact:example:p4", "urn:pact:example:none"]}
        ),
        Criteria(values={"productId": ["urn:pact:example:p2"]}, status="Active"),
        Criteria(status="Deprecated"),
        Criteria(valid_on=NOW),
    ]
    for viewer in orgs:
        for criteria in cases:
            want = _reference(node, rows, viewer, criteria)
            for limit in (4, 1000):
                assert _paged(node, viewer, criteria, limit) == want, (viewer, criteria, limit)


def test_get_follows_visibility(make_node: Any, tmp_path: Any) -> None:
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with TestClient(create_app(node=node)) as client:
        orgs = [register(client, name, ["supplier", "buyer"]).id for name in ("A", "B", "X", "Y")]
    rows = _seed(node, orgs[:2], orgs[2:])
    now = int(time.time())
    tokens = {org: AccessToken(f"c-{org}", org, now, now + 60, secret_version("-")) for org in orgs}
    with node.db.transaction() as session:
        for org in orgs:
            session.add(
                PactClient(client_id=f"c-{org}", organisation_id=org, secret_hash="-", created_at=NOW)
            )
    for viewer in orgs:
        visible = set(_reference(node, rows, viewer, Criteria()))
        for row in rows:
            with node.db.transaction() as session:
                if row.id in visible:
                    assert listing.get_footprint(session, viewer, row.id).id == row.id
                    assert listing.get_footprint_as(session, tokens[viewer], row.id).id == row.id
                else:
                    with pytest.raises(AccessDenied):
                        listing.get_footprint(session, viewer, row.id)
                    with pytest.raises(AccessDenied):
                        listing.get_footprint_as(session, tokens[viewer], row.id)
    with node.db.transaction() as session:
        for missing in (str(uuid.uuid4()), "x" * 300):
            with pytest.raises(NoSuchFootprint):
                listing.get_footprint_as(session, tokens[orgs[0]], missing)
        stranger = AccessToken("c-unknown", orgs[0], now, now + 60)
        with pytest.raises(BadRequest, match="revoked or unknown"):
            listing.get_footprint_as(session, stranger, rows[0].id)
        client = session.get(PactClient, f"c-{orgs[0]}")
        assert client is not None
        client.secret_hash = "a rotated secret"
        session.flush()
        with pytest.raises(BadRequest, match="rotated"):
            listing.get_footprint_as(session, tokens[orgs[0]], rows[0].id)
    # removing every share leaves public and own footprints only
    with node.db.transaction() as session:
        for share in list(session.execute(select(FootprintShare)).scalars()):
            remove_share(session, share.footprint_id, share.organisation_id)
    with node.db.transaction() as session:
        assert session.execute(select(FootprintShare)).first() is None
        session.execute(delete(FootprintShare))
    viewer = orgs[2]
    assert _paged(node, viewer, Criteria(), 50) == [
        r.id
        for r in sorted((r for r in rows if r.public), key=lambda r: (r.published_at, r.id), reverse=True)
    ]
