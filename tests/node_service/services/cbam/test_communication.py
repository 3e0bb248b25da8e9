"""The communication endpoint: the engine's figures, the right files, and the receipts of the data behind them."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from footprint_engine.cbam import MEDIA_TYPES
from node_service.app import create_app
from node_service.verification import verify_receipt
from tests.node_service.helpers import activity, register, signed_activity, wait_receipt
from tests.node_service.services.cbam.helpers import (
    aluminium_products,
    cement_document,
    engine_render,
    workbook_values,
)


def _communication(client, org, record_id, fmt, *, price="80", timeout=30.0):
    """GET the communication, waiting while the receipts are not anchored yet (409)."""
    query = f"period=2026&format={fmt}" + (f"&certificatePrice={price}" if price else "")
    deadline = time.monotonic() + timeout
    while True:
        resp = client.get(f"/cbam/installations/{record_id}/communication?{query}", headers=org.auth)
        if resp.status_code != 409 or time.monotonic() > deadline:
            return resp
        assert resp.json()["type"] == "/problems/not-anchored-yet"
        time.sleep(0.1)


def _supplier_footprint(client, supplier, **changes):
    resp = client.post("/submissions", json=signed_activity(supplier, activity(supplier.did, **changes)))
    assert resp.status_code == 201, resp.text
    return resp.json()["footprintId"]


@pytest.fixture
def node(make_node, tmp_path):
    return make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")


def test_all_three_formats_match_the_engine(node):
    with TestClient(create_app(node=node)) as client:
        exporter = register(client, "Cement exporter", ["exporter"])
        document = cement_document()
        record = client.post("/cbam/installations", json=document, headers=exporter.auth).json()

        as_json = _communication(client, exporter, record["id"], "json")
        assert as_json.status_code == 200, as_json.text
        comm = as_json.json()
        # the receipt of the stored installation version, complete and verifiable on chain
        assert len(comm["receipts"]) == 1
        receipt = comm["receipts"][0]
        assert receipt == wait_receipt(client, record["entryId"], exporter)
        assert receipt["entry"]["id"] == record["entryId"] and receipt["entry"]["sha256"] == record["sha256"]
        assert verify_receipt(receipt, rpc_url=node.devnet.rpc_url).ok
        # the node's figures are the engine's for the same installation (worked example 3 of docs/cbam.md)
        receipts = comm["receipts"]
        assert as_json.content == engine_render(document, fmt="json", receipts=receipts)
        cement = next(g for g in comm["goods"] if g["cn_code"] == "25232900")
        assert (cement["see_direct"], cement["see_indirect"], cement["see_counted"]) == (
            0.81069,
            0.05809,
            0.86878,
        )

        for fmt in ("json", "xml", "xlsx"):
            resp = _communication(client, exporter, record["id"], fmt)
            assert resp.status_code == 200, resp.text
            assert resp.headers["content-type"].split(";")[0] == MEDIA_TYPES[fmt]
            assert resp.headers["content-disposition"] == (
                f'attachment; filename="cbam-communication-CN-CEM-001-2026.{fmt}"'
            )
            expected = engine_render(document, fmt=fmt, receipts=receipts)
            if fmt == "xlsx":
                values = workbook_values(resp.content)
                assert values == workbook_values(expected)
                receipts_sheet = "\n".join(
                    str(v) for row in values["tanlian_Receipts"] for v in row if v is not None
                )
                assert record["entryId"] in receipts_sheet
            else:
                assert resp.content == expected
        root = ET.fromstring(_communication(client, exporter, record["id"], "xml").content)
        assert record["entryId"] in ET.tostring(root, encoding="unicode")

        # without a certificate price there is no euro comparison; a bad period or format is refused
        no_price = _communication(client, exporter, record["id"], "json", price=None).json()
        assert all(g["default_comparison"] is None for g in no_price["goods"])
        for query, field in (
            ("period=1999&format=json", "query.period"),
            ("period=2026&format=pdf", "query.format"),
        ):
            bad = client.get(
                f"/cbam/installations/{record['id']}/communication?{query}", headers=exporter.auth
            )
            assert bad.status_code == 422 and bad.json()["field"] == field


def test_precursor_from_a_shared_supplier_footprint(node):
    with TestClient(create_app(node=node)) as client:
        supplier = register(client, "Smelter", ["supplier"])
        exporter = register(client, "Extruder", ["exporter"])
        footprint_id = _supplier_footprint(client, supplier)
        document = aluminium_products(footprint_id)
        field = "processes.0.precursors.0.supplier_footprint_id"

        # refused while the supplier has not shared it; nothing stored
        refused = client.post("/cbam/installations", json=document, headers=exporter.auth)
        assert refused.status_code == 422 and refused.json()["field"] == field
        assert "share" in refused.json()["fix"]
        shared = client.post(
            f"/footprints/{footprint_id}/shares", json={"organisation": exporter.did}, headers=supplier.auth
        )
        assert shared.status_code == 201
        created = client.post("/cbam/installations", json=document, headers=exporter.auth)
        assert created.status_code == 201, created.text
        record = created.json()
        assert record["installation"] == document  # stored as sent, citation included

        resp = _communication(client, exporter, record["id"], "json")
        assert resp.status_code == 200, resp.text
        comm = resp.json()
        footprint_receipt = wait_receipt(client, footprint_id, exporter)
        assert [r["entry"]["id"] for r in comm["receipts"]] == [record["entryId"], footprint_id]
        assert comm["receipts"][1] == footprint_receipt
        for receipt in comm["receipts"]:
            assert verify_receipt(receipt, rpc_url=node.devnet.rpc_url).ok

        # independent conversion of the footprint (kgCO2e per t → tCO2e per t), then the engine alone
        fp = client.get(f"/footprints/{footprint_id}", headers=exporter.auth).json()["document"]
        assert fp["declaredUnit"] == "t"
        totals, power = fp["result"]["emissions"], fp["result"]["electricity"]
        see_direct = round((totals["totalExcludingBiogenicRemovals"] - power["marketBasedKgCo2E"]) / 1000, 5)
        see_indirect = round(power["locationBasedKgCo2E"] / 1000, 5)
        assert see_indirect > 0 and see_direct > 0
        reference = json.loads(json.dumps(document))
        precursor = reference["processes"][0]["precursors"][0]
        del precursor["supplier_footprint_id"]
        source = comm["processes"][0]["precursors"][0]["source"]
        assert source.startswith(f"tanlian footprint {footprint_id} of {supplier.did}")
        precursor["supplier_data"] = {
            "see_direct": see_direct,
            "see_indirect": see_indirect,
            "source": source,
            "receipt": footprint_receipt,
        }
        expected = json.loads(engine_render(reference, fmt="json", receipts=[comm["receipts"][0]]))
        assert comm == expected
        good = comm["goods"][0]
        # hand check: (gas 10 TJ × 56.1 + 1 050 t × SEE) / 1 000 t
        assert good["see_direct"] == round((561 + 1_050 * see_direct) / 1_000, 5)
        assert good["see_indirect"] == round((800 * 0.5366 + 1_050 * see_indirect) / 1_000, 5)


def test_footprint_not_per_mass_is_refused(node):
    with TestClient(create_app(node=node)) as client:
        supplier = register(client, "Foundry", ["supplier"])
        exporter = register(client, "Extruder", ["exporter"])
        per_piece = _supplier_footprint(
            client, supplier, declaredUnit="piece", producedQuantity={"amount": 100_000, "unit": "piece"}
        )
        client.post(
            f"/footprints/{per_piece}/shares", json={"organisation": exporter.did}, headers=supplier.auth
        )
        resp = client.post("/cbam/installations", json=aluminium_products(per_piece), headers=exporter.auth)
        assert resp.status_code == 422, resp.text
        problem = resp.json()
        assert problem["field"] == "processes.0.precursors.0.supplier_footprint_id"
        assert "'piece'" in problem["detail"] and "tonne" in problem["detail"]
        # citing and giving supplier_data at once is refused before any look-up
        both = aluminium_products(per_piece)
        both["processes"][0]["precursors"][0]["supplier_data"] = {"see_direct": 1.0, "source": "x"}
        resp = client.post("/cbam/installations", json=both, headers=exporter.auth)
        assert resp.status_code == 422 and "not both" in resp.json()["fix"]


def test_shared_footprints_are_offered_as_precursors(node):
    """The portal form's precursor choices: suppliers' footprints shared with the exporter, not others."""
    from sqlalchemy import select

    from node_service.db.models import Organisation
    from node_service.services.cbam.service import precursor_footprints

    with TestClient(create_app(node=node)) as client:
        supplier = register(client, "Smelter", ["supplier"])
        exporter = register(client, "Extruder", ["exporter"])
        footprint_id = _supplier_footprint(client, supplier)
        with node.db.transaction() as session:
            org = session.execute(select(Organisation).where(Organisation.did == exporter.did)).scalar_one()
            session.expunge(org)
        assert precursor_footprints(node, org) == []
        shared = client.post(
            f"/footprints/{footprint_id}/shares", json={"organisation": exporter.did}, headers=supplier.auth
        )
        assert shared.status_code == 201
        (offer,) = precursor_footprints(node, org)
        assert offer.footprint_id == footprint_id and offer.see_direct > 0 and offer.supplier
