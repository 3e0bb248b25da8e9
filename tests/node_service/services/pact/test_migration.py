"""The PACT migrations (branch "pact": 0002 off 0001, then 0008) apply on SQLite and PostgreSQL, match the
models, and 0008 fills the visibility and citation tables from data published before it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from alembic import command
from sqlalchemy import inspect, select

from node_service.db.migrate import alembic_config
from node_service.db.models import Footprint, FootprintShare, Organisation, Submission
from node_service.services.pact.models import (
    PUBLIC_VIEWER,
    PactCitation,
    PactClient,
    PactFootprint,
    PactFootprintKey,
    PactOutbox,
    PactRecomputeNotice,
    PactRequest,
    PactVisibility,
)

MODELS = (
    PactClient,
    PactFootprint,
    PactFootprintKey,
    PactOutbox,
    PactRequest,
    PactVisibility,
    PactCitation,
    PactRecomputeNotice,
)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_pact_tables_exist_after_start(make_node: Any, database_url: str) -> None:
    node = make_node(database_url)
    tables = set(inspect(node.db.engine).get_table_names())
    for model in MODELS:
        assert model.__tablename__ in tables
        columns = {c["name"] for c in inspect(node.db.engine).get_columns(model.__tablename__)}
        assert columns == {c.name for c in model.__table__.columns}


def _org(session: Any, name: str) -> str:
    org_id = str(uuid.uuid4())
    session.add(
        Organisation(
            id=org_id,
            did=f"did:example:{name}",
            roles=["buyer"],
            api_token_hash=uuid.uuid4().hex * 2,
            created_at=NOW,
        )
    )
    session.flush()
    return org_id


def _footprint(session: Any, owner: str, result: dict[str, Any]) -> str:
    fid, sub = str(uuid.uuid4()), f"urn:uuid:{uuid.uuid4()}"
    session.add(
        Submission(
            id=sub,
            organisation_id=owner,
            product_id="p",
            period_start="2025-01-01",
            period_end="2025-12-31",
            status="accepted",
            credential={},
            sha256="0" * 64,
            signed_by="t",
            created_at=NOW,
        )
    )
    session.flush()
    session.add(
        Footprint(
            id=fid,
            submission_id=sub,
            organisation_id=owner,
            product_id="p",
            result=result,
            sha256="0" * 64,
            created_at=NOW,
        )
    )
    session.flush()
    return fid


def _publish(session: Any, fid: str, owner: str, public: bool) -> None:
    session.add(
        PactFootprint(
            id=fid,
            organisation_id=owner,
            product_id="p",
            period_start="2025-01-01",
            period_end="2025-12-31",
            status="Active",
            public=public,
            validity_start=NOW,
            validity_end=NOW,
            document={"id": fid},
            published_at=NOW,
        )
    )
    session.flush()


def test_0008_fills_visibility_and_citations_from_existing_rows(make_node: Any, database_url: str) -> None:
    node = make_node(database_url)
    cfg = alembic_config(node.db.engine.url.render_as_string(hide_password=False))
    with node.db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0002")
    # rows as a node before 0008 wrote them (the ORM events would write citations: use plain inserts)
    with node.db.transaction() as session:
        owner, buyer = _org(session, "owner"), _org(session, "buyer")
        public = _footprint(session, owner, {})
        shared = _footprint(session, owner, {})
        citing = _footprint(session, buyer, {})
        _publish(session, public, owner, True)
        _publish(session, shared, owner, False)
        session.execute(
            FootprintShare.__table__.insert(),
            [{"footprint_id": shared, "organisation_id": buyer, "created_at": NOW}],
        )
        session.execute(
            Footprint.__table__.update()
            .where(Footprint.__table__.c.id == citing)
            .values(result={"result": {"upstreamFootprints": ["88.1/X@1", "88.1/X@2", "bad", "urn:a@b@3"]}})
        )
    with node.db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")
    with node.db.transaction() as session:
        seen = {(v.footprint_id, v.viewer_id) for v in session.execute(select(PactVisibility)).scalars()}
        assert seen == {(public, owner), (public, PUBLIC_VIEWER), (shared, owner), (shared, buyer)}
        cited = {
            (c.footprint_id, c.upstream_product_id, c.upstream_version)
            for c in session.execute(select(PactCitation)).scalars()
        }
        assert cited == {(citing, "88.1/X", 1), (citing, "88.1/X", 2), (citing, "urn:a@b", 3)}
