"""Recompute notices: a new published version of a cited upstream product reaches the buyers that cite it, and
a recompute on request stores a draft computed with the new version (nothing published, logged or anchored)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from node_service.app import create_app
from node_service.db.models import Footprint, LogEntry
from node_service.services.pact.models import PactCitation
from node_service.services.pact.settings import PactSettings
from tests.node_service.helpers import Org, activity, register, signed_activity

INGOT = "88.118.8/AL-INGOT-A00"


def _as(org_did: str, name: str) -> dict[str, Any]:
    return activity(org_did, example=name)


def _submit(client: TestClient, org: Org, subject: dict[str, Any]) -> str:
    resp = client.post("/submissions", json=signed_activity(org, subject))
    assert resp.status_code == 201, resp.text
    footprint_id: str = resp.json()["footprintId"]
    return footprint_id


def _ingot_v2(smelter: Org) -> dict[str, Any]:
    """The smelter's next ingot footprint: more alumina, and no GEC claim (a serial is claimed once)."""
    subject = _as(smelter.did, "aluminium-ingot-yunnan")
    subject["inputs"]["materials"][0]["amount"] *= 1.25
    for line in subject["inputs"].get("electricity", []):
        line.pop("greenPowerClaims", None)
    return subject


def _notices(client: TestClient, org: Org, **params: str) -> list[dict[str, Any]]:
    resp = client.get("/pact/recompute-notices", params=params, headers=org.auth)
    assert resp.status_code == 200, resp.text
    data: list[dict[str, Any]] = resp.json()["data"]
    return data


def test_new_upstream_version_notifies_citing_buyer_and_recomputes_a_draft(
    make_node: Any, tmp_path: Any
) -> None:
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    app = create_app(node=node)
    app.state.pact_settings = PactSettings(allow_http=True)
    with TestClient(app) as client:
        smelter = register(client, "Smelter", ["supplier"])
        die_caster = register(client, "Die caster", ["supplier", "buyer"])
        bystander = register(client, "Bystander", ["buyer"])
        v1 = _submit(client, smelter, _as(smelter.did, "aluminium-ingot-yunnan"))
        shared = client.post(
            f"/footprints/{v1}/shares", json={"organisation": die_caster.did}, headers=smelter.auth
        )
        assert shared.status_code in (200, 201), shared.text
        housing = _submit(client, die_caster, _as(die_caster.did, "motor-housing-jiangsu"))
        with node.db.transaction() as session:
            cited = session.execute(
                select(PactCitation).where(PactCitation.footprint_id == housing)
            ).scalars()
            assert [(c.upstream_product_id, c.upstream_version) for c in cited] == [(INGOT, 1)]

        # a new version that is not published yet notifies nobody
        v2 = _submit(client, smelter, _ingot_v2(smelter))
        assert _notices(client, die_caster) == []

        # published to someone else only: the die caster cannot see it, so no notice either
        publish = client.post(
            f"/pact/footprints/{v2}/publish", json={"shareWith": [bystander.did]}, headers=smelter.auth
        )
        assert publish.status_code == 201, publish.text
        assert _notices(client, die_caster) == []

        # shared with the die caster: one notice, not repeated by publishing again
        for _ in range(2):
            again = client.post(
                f"/pact/footprints/{v2}/publish", json={"shareWith": [die_caster.did]}, headers=smelter.auth
            )
            assert again.status_code == 200, again.text
        notices = _notices(client, die_caster)
        assert len(notices) == 1
        notice = notices[0]
        assert notice["footprintId"] == housing
        assert (notice["upstreamProductId"], notice["citedVersion"], notice["newVersion"]) == (INGOT, 1, 2)
        assert (notice["newFootprintId"], notice["status"]) == (v2, "pending")
        assert _notices(client, bystander) == [] and _notices(client, smelter) == []
        assert _notices(client, die_caster, status="drafted") == []
        assert (
            client.get("/pact/recompute-notices", params={"status": "x"}, headers=die_caster.auth).status_code
            == 422
        )

        # nobody else may read or recompute it
        other = client.post(f"/pact/recompute-notices/{notice['id']}/recompute", headers=bystander.auth)
        assert other.status_code == 404, other.text

        with node.db.transaction() as session:
            footprints_before = session.execute(select(func.count()).select_from(Footprint)).scalar_one()
            log_before = session.execute(select(func.count()).select_from(LogEntry)).scalar_one()
        drafted = client.post(f"/pact/recompute-notices/{notice['id']}/recompute", headers=die_caster.auth)
        assert drafted.status_code == 201, drafted.text
        body = drafted.json()
        assert body["status"] == "drafted"
        draft = body["draft"]
        assert draft["type"] == "RecomputedFootprintDraft" and draft["status"] == "draft"
        assert draft["basedOn"] == housing and draft["upstream"] == {"footprintId": v2, "version": 2}
        assert draft["result"]["upstreamFootprints"] == [f"{INGOT}@2"]

        original = client.get(f"/footprints/{housing}", headers=die_caster.auth).json()["document"]["result"]
        assert original["upstreamFootprints"] == [f"{INGOT}@1"]
        # more alumina per tonne of ingot upstream: the housing's footprint grows
        assert draft["result"]["emissions"]["total"] > original["emissions"]["total"]
        with node.db.transaction() as session:
            assert (
                session.execute(select(func.count()).select_from(Footprint)).scalar_one() == footprints_before
            )
            assert session.execute(select(func.count()).select_from(LogEntry)).scalar_one() == log_before
        fetched = client.get(f"/pact/recompute-notices/{notice['id']}", headers=die_caster.auth).json()
        assert fetched["draft"] == draft
        assert [n["id"] for n in _notices(client, die_caster, status="drafted")] == [notice["id"]]
