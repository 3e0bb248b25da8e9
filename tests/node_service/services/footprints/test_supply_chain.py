"""A material citing an upstream footprint shared with the submitter is computed from it as primary data."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from node_service.app import create_app
from tests.node_service.helpers import activity, register, signed_activity


def _as(org_did: str, name: str) -> dict[str, Any]:
    return activity(org_did, example=name)


def test_upstream_footprint_is_primary_data(make_node, tmp_path):
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with TestClient(create_app(node=node)) as client:
        smelter = register(client, "Smelter", ["supplier"])
        die_caster = register(client, "Die caster", ["supplier", "buyer"])
        housing = signed_activity(die_caster, _as(die_caster.did, "motor-housing-jiangsu"))

        # the ingot footprint does not exist yet: refused, naming the input
        refused = client.post("/submissions", json=housing)
        assert refused.status_code == 422, refused.text
        assert refused.json()["field"] == "credentialSubject.inputs.materials[0].upstreamFootprint"

        ingot = client.post(
            "/submissions", json=signed_activity(smelter, _as(smelter.did, "aluminium-ingot-yunnan"))
        )
        ingot_id = ingot.json()["footprintId"]
        ingot_doc = client.get(f"/footprints/{ingot_id}", headers=smelter.auth).json()["document"]
        assert ingot_doc["version"] == 1

        # published but not shared with the die caster: still refused
        housing = signed_activity(die_caster, _as(die_caster.did, "motor-housing-jiangsu"))
        assert client.post("/submissions", json=housing).status_code == 422

        client.post(
            f"/footprints/{ingot_id}/shares", json={"organisation": die_caster.did}, headers=smelter.auth
        )
        housing = signed_activity(die_caster, _as(die_caster.did, "motor-housing-jiangsu"))
        accepted = client.post("/submissions", json=housing)
        assert accepted.status_code == 201, accepted.text
        result = client.get(f"/footprints/{accepted.json()['footprintId']}", headers=die_caster.auth).json()
        result = result["document"]["result"]
        assert result["upstreamFootprints"] == ["88.118.8/AL-INGOT-A00@1"]
        assert result["primaryDataShare"] > 0
        ingot_line = next(line for line in result["perInput"] if "AL-INGOT" in json.dumps(line))
        assert "upstream" in json.dumps(ingot_line).lower()
