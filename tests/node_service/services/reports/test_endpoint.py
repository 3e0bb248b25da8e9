"""GET /footprints/{id}/report.pdf on a real node: who may read it, languages, receipt or "not yet anchored"."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from node_service.app import create_app
from node_service.log.append import canonical_sha256
from node_service.transparency import entry_leaf_hash
from tests.node_service.helpers import register, signed_activity, wait_receipt
from tests.node_service.services.reports.pdftools import pdf_fonts, pdf_text, require_poppler


def _submit(client: TestClient) -> tuple[object, str]:
    smelter = register(client, "云南示例铝业", ["supplier"])
    accepted = client.post("/submissions", json=signed_activity(smelter))
    assert accepted.status_code == 201, accepted.text
    return smelter, accepted.json()["footprintId"]


ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts" / "reports"


def _save(tmp_path: Path, name: str, body: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(body)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"node-{name}").write_bytes(body)
    return path


def test_owner_and_shared_buyer_read_the_report_with_its_receipt(make_node, database_url, tmp_path):
    require_poppler()
    node = make_node(database_url)
    with TestClient(create_app(node=node)) as client:
        smelter, footprint_id = _submit(client)
        # buyers report nothing: no delegation (whose log entries would be anchored in a later head)
        buyer = register(client, "Motor maker", ["buyer"], delegated=False)
        stranger = register(client, "Someone else", ["buyer"], delegated=False)
        receipt = wait_receipt(client, footprint_id, smelter)
        document = client.get(f"/footprints/{footprint_id}", headers=smelter.auth).json()["document"]
        total = document["result"]["emissions"]["total"]

        # (1) the owner, in Chinese
        owner = client.get(f"/footprints/{footprint_id}/report.pdf?lang=zh", headers=smelter.auth)
        assert owner.status_code == 200, owner.text
        assert owner.headers["content-type"] == "application/pdf"
        assert owner.headers["content-language"] == "zh-CN"
        assert owner.headers["x-tanlian-anchored"] == "true"
        assert f"cfp-report-{footprint_id}-v1-zh.pdf" in owner.headers["content-disposition"]
        zh = _save(tmp_path, "anchored-zh.pdf", owner.content)
        text = pdf_text(zh).replace("\n", "")
        assert "产品碳足迹研究报告" in text and "核验信息" in text and "云南示例铝业" in text
        assert f"{total:,.2f}" in text
        # the figures a reader checks: document hash, leaf hash, root, chain transaction
        assert canonical_sha256(document) == receipt["entry"]["sha256"]
        assert receipt["entry"]["sha256"] in text
        assert entry_leaf_hash(receipt["entry"]).hex() in text
        assert receipt["rootHash"] in text
        assert receipt["anchor"]["transactionHash"] in text
        assert receipt["anchor"]["contract"] in text
        assert "尚未锚定" not in text
        assert any("WenQuanYi" in f["name"] and f["emb"] == "yes" for f in pdf_fonts(zh))

        # (2) not shared yet: the buyer gets the same 404 as for an absent footprint
        hidden = client.get(f"/footprints/{footprint_id}/report.pdf", headers=buyer.auth)
        assert hidden.status_code == 404
        assert hidden.headers["content-type"] == "application/problem+json"

        # (3) shared: the buyer reads it, in English by Accept-Language
        shared = client.post(
            f"/footprints/{footprint_id}/shares", json={"organisation": buyer.did}, headers=smelter.auth
        )
        assert shared.status_code == 201, shared.text
        as_buyer = client.get(
            f"/footprints/{footprint_id}/report.pdf",
            headers={**buyer.auth, "Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"},
        )
        assert as_buyer.status_code == 200, as_buyer.text
        assert as_buyer.headers["content-language"] == "en"
        en = pdf_text(_save(tmp_path, "anchored-en.pdf", as_buyer.content))
        assert "Product carbon footprint study report" in en
        # the receipt the report carries is the newest one: on a busy machine a later head may have been
        # anchored since the first receipt was read (its root then differs; the entry hash does not)
        later = wait_receipt(client, footprint_id, smelter)
        assert receipt["entry"]["sha256"] in en.replace("\n", "")
        assert receipt["rootHash"] in en.replace("\n", "") or later["rootHash"] in en.replace("\n", "")

        # (4) a stranger, an unknown id, no token, a bad language
        assert client.get(f"/footprints/{footprint_id}/report.pdf", headers=stranger.auth).status_code == 404
        assert client.get("/footprints/no-such-id/report.pdf", headers=smelter.auth).status_code == 404
        assert client.get(f"/footprints/{footprint_id}/report.pdf").status_code == 401
        bad = client.get(f"/footprints/{footprint_id}/report.pdf?lang=fr", headers=smelter.auth)
        assert bad.status_code == 422
        assert bad.json()["field"] == "lang"


def test_report_before_anchoring_says_not_yet_anchored(make_node, tmp_path):
    require_poppler()
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}", anchor_interval_seconds=3600)
    with TestClient(create_app(node=node)) as client:
        smelter, footprint_id = _submit(client)
        assert client.get(f"/receipts/{footprint_id}", headers=smelter.auth).status_code == 409
        for lang, phrase in (("zh", "尚未锚定"), ("en", "Not yet anchored")):
            resp = client.get(f"/footprints/{footprint_id}/report.pdf?lang={lang}", headers=smelter.auth)
            assert resp.status_code == 200, resp.text
            assert resp.headers["x-tanlian-anchored"] == "false"
            text = pdf_text(_save(tmp_path, f"pending-{lang}.pdf", resp.content)).replace("\n", "")
            assert phrase in text
