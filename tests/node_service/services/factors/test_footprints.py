"""Factor versions and footprints on a running node: a corrected built-in factor sends recompute notices while
stored results and receipts stay byte-identical; an imported company factor is used in a submitted footprint and
only its identity leaves the supplier."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from footprint_engine.calculate import FootprintResult
from footprint_engine.factors import FactorLibrary
from node_service.app import create_app
from node_service.db.models import Footprint, LogEntry
from node_service.services.factors.builtin_sync import sync_builtin
from node_service.services.factors.models import FactorUseRecord
from node_service.services.factors.table_import import namespace
from node_service.services.footprints.engine import PRIVATE_SOURCE
from tests.node_service.helpers import Org, activity, register, signed_activity, wait_receipt
from tests.node_service.services.factors.helpers import own_alumina, table

ALUMINA = "material/alumina/CN/2021"


def _submit(client: TestClient, org: Org, subject: dict[str, Any]) -> str:
    resp = client.post("/submissions", json=signed_activity(org, subject))
    assert resp.status_code == 201, resp.text
    footprint_id: str = resp.json()["footprintId"]
    return footprint_id


def _no_gec(subject: dict[str, Any]) -> dict[str, Any]:
    for line in subject["inputs"].get("electricity", []):
        line.pop("greenPowerClaims", None)
    return subject


def _corrected(factor_id: str, factor: float) -> FactorLibrary:
    """The built-in library with one factor's figures multiplied by ``factor`` (a shipped correction)."""
    builtin = FactorLibrary.builtin()
    fixed = []
    for f in builtin.factors():
        if f.id == factor_id:
            f = f.model_copy(update={"emissions": {k: v * factor for k, v in f.emissions.items()}})
        fixed.append(f)
    return FactorLibrary(fixed, name="corrected")


def _alumina_line(result: dict[str, Any]) -> float:
    return sum(i["kgCo2E"] for i in result["perInput"] if i.get("factorId") == ALUMINA)


def test_a_corrected_factor_notifies_and_changes_nothing_stored(make_node: Any, tmp_path: Any) -> None:
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with TestClient(create_app(node=node)) as client:
        smelter = register(client, "Smelter", ["supplier"])
        footprint_id = _submit(client, smelter, _no_gec(activity(smelter.did)))
        old_version = FactorLibrary.builtin().get(ALUMINA).version
        with node.db.transaction() as session:
            uses = dict(
                session.execute(
                    select(FactorUseRecord.factor_id, FactorUseRecord.factor_version).where(
                        FactorUseRecord.footprint_id == footprint_id
                    )
                ).all()
            )
        assert uses[ALUMINA] == old_version
        receipt = wait_receipt(client, footprint_id, smelter)
        with node.db.transaction() as session:
            stored = session.get(Footprint, footprint_id)
            assert stored is not None
            before = (stored.result, stored.sha256, stored.version)
            entries = session.execute(
                select(LogEntry.entry, LogEntry.leaf_hash).order_by(LogEntry.leaf_index)
            ).all()
        document = client.get(f"/footprints/{footprint_id}", headers=smelter.auth).json()
        assert _notices(client, smelter) == []

        # the shipped library corrects the alumina factor: a new version, one notice
        report = sync_builtin(node.db, _corrected(ALUMINA, 1.5))
        assert (report.new_versions, report.notices) == (1, 1)
        assert sync_builtin(node.db, _corrected(ALUMINA, 1.5)).notices == 0  # idempotent
        (notice,) = _notices(client, smelter)
        assert (notice["footprintId"], notice["factorId"], notice["oldVersion"]) == (
            footprint_id,
            ALUMINA,
            old_version,
        )
        assert notice["newVersion"] != old_version and notice["status"] == "pending"
        shown = client.get(f"/factors/{ALUMINA}").json()
        assert [v["current"] for v in shown["versions"]] == [False, True]
        assert shown["versions"][0]["validTo"] is not None and shown["version"] == notice["newVersion"]

        # nothing stored changed: the footprint row, its document, every log entry and the receipt
        with node.db.transaction() as session:
            stored = session.get(Footprint, footprint_id)
            assert stored is not None and (stored.result, stored.sha256, stored.version) == before
            assert (
                session.execute(
                    select(LogEntry.entry, LogEntry.leaf_hash).order_by(LogEntry.leaf_index)
                ).all()
                == entries
            )
        assert client.get(f"/footprints/{footprint_id}", headers=smelter.auth).json() == document
        assert wait_receipt(client, footprint_id, smelter)["entry"] == receipt["entry"]

        # the recompute draft uses the new version and figure; nothing is logged
        stranger = register(client, "Stranger", ["buyer"])
        assert (
            client.post(
                f"/factors/recompute-notices/{notice['id']}/recompute", headers=stranger.auth
            ).status_code
            == 404
        )
        with node.db.transaction() as session:
            log_before = session.execute(select(func.count()).select_from(LogEntry)).scalar_one()
        drafted = client.post(f"/factors/recompute-notices/{notice['id']}/recompute", headers=smelter.auth)
        assert drafted.status_code == 201, drafted.text
        draft = drafted.json()["draft"]
        assert draft["status"] == "draft" and draft["basedOn"] == footprint_id
        assert draft["factor"]["usedVersion"] == notice["newVersion"]
        old, new = document["document"]["result"], draft["result"]
        assert _alumina_line(new) == pytest.approx(_alumina_line(old) * 1.5, rel=1e-12)
        assert new["emissions"]["total"] > old["emissions"]["total"]
        with node.db.transaction() as session:
            assert session.execute(select(func.count()).select_from(LogEntry)).scalar_one() == log_before
        assert [n["status"] for n in _notices(client, smelter)] == ["drafted"]


def _notices(client: TestClient, org: Org) -> list[dict[str, Any]]:
    resp = client.get("/factors/recompute-notices", headers=org.auth)
    assert resp.status_code == 200, resp.text
    data: list[dict[str, Any]] = resp.json()["data"]
    return data


def test_an_imported_company_factor_is_used_in_a_footprint(make_node: Any, tmp_path: Any) -> None:
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with TestClient(create_app(node=node)) as client:
        smelter = register(client, "Smelter", ["supplier"])
        buyer = register(client, "Buyer", ["buyer"])
        imported = client.post(
            "/factors/import",
            files={"file": ("own.csv", table(own_alumina("700")), "text/csv")},
            headers=smelter.auth,
        )
        assert imported.status_code == 201, imported.text
        factor_id = f"{namespace(smelter.id)}/alumina-own/CN-YN/2024"
        assert imported.json()["created"] == [factor_id]

        subject = _no_gec(activity(smelter.did))
        subject["inputs"]["materials"][0]["factorId"] = factor_id
        footprint_id = _submit(client, smelter, subject)
        result = client.get(f"/footprints/{footprint_id}", headers=smelter.auth).json()["document"]["result"]
        line = next(i for i in result["perInput"] if i.get("factorId") == factor_id)
        assert line["kgCo2E"] > 0
        entry = next(f for f in result["factors"] if f["id"] == factor_id)
        # only what identifies the factor is in the stored (logged, shareable) document
        assert (
            entry["source"] == PRIVATE_SOURCE
            and entry["redistributable"] is False
            and entry["version"] == "1"
        )
        assert "EPD" not in json.dumps(result) and "Yunnan Example Alumina" not in json.dumps(result)
        FootprintResult.model_validate(result)  # still a result (buyers cite it, the report reads it)

        # another organisation cannot use it
        other = _no_gec(activity(buyer.did))
        other["inputs"]["materials"][0]["factorId"] = factor_id
        refused = client.post("/submissions", json=signed_activity(buyer, other))
        assert refused.status_code == 422 and "factorId" in refused.json()["field"], refused.text

        # a corrected import notifies the footprint's owner
        again = client.post(
            "/factors/import",
            files={"file": ("own.csv", table(own_alumina("650")), "text/csv")},
            headers=smelter.auth,
        )
        assert again.status_code == 201 and again.json()["notices"] == 1, again.text
        (notice,) = _notices(client, smelter)
        assert (notice["factorId"], notice["oldVersion"], notice["newVersion"]) == (factor_id, "1", "2")


def test_a_licensed_lci_database_is_used_but_never_published(make_node: Any, tmp_path: Any) -> None:
    """The ecospold2 fixture of footprint_engine's LCI import tests, uploaded as a zip."""
    fixture = Path(__file__).parents[3] / "footprint_engine/factors/fixtures/lci/ecospold2"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        for spold in sorted(fixture.glob("*.spold")):
            z.write(spold, spold.name)
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with TestClient(create_app(node=node)) as client:
        smelter = register(client, "Licensee", ["supplier"])
        other = register(client, "Other", ["buyer"])
        resp = client.post(
            "/factors/import",
            files={"file": ("eco.zip", archive.getvalue(), "application/zip")},
            data={"format": "ecospold2"},
            headers=smelter.auth,
        )
        assert resp.status_code == 201, resp.text
        body = resp.json()
        assert body["database"]["activities"] == 4 and len(body["created"]) == 4
        ns = namespace(smelter.id)
        assert all(i.startswith(f"{ns}/lci/eco/") for i in body["created"])
        found = client.get("/factors", params={"q": "alumina production"}, headers=smelter.auth).json()[
            "items"
        ]
        alumina = next(i for i in found if i["id"].startswith(f"{ns}/lci/"))
        assert alumina["sourceId"] == "licensed-lci" and alumina["redistributable"] is False
        assert client.get(f"/factors/{alumina['id']}", headers=other.auth).status_code == 404
        refused = client.post(f"/factors/{alumina['id']}/publish", headers=smelter.auth)
        assert refused.status_code == 409 and "licensed-lci" in refused.json()["detail"], refused.text

        subject = _no_gec(activity(smelter.did))
        subject["inputs"]["materials"][0]["factorId"] = alumina["id"]
        footprint_id = _submit(client, smelter, subject)
        result = client.get(f"/footprints/{footprint_id}", headers=smelter.auth).json()["document"]["result"]
        entry = next(f for f in result["factors"] if f["id"] == alumina["id"])
        assert entry["source"] == PRIVATE_SOURCE and entry["sourceId"] == "licensed-lci"
        assert "eco (imported with bw2io" not in json.dumps(result)
