"""佐证材料 attached per row and per document (issue 18, item 3 and "Why" 4): the grid's upload fills the row's
evidence cell with the file's CID; the CID is signed under that input (or the document) and accepted by the node
(the submitter uploaded the file); the review page names the files; the footprint page lists each cited file with
what it supports and its receipt to the owner and to a buyer it is shared with, and to nobody else."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from node_service.credentials import eddsa_jcs_2022
from node_service.credentials.didkey import verification_method_id
from node_service.evidence.unixfs import cid_of_bytes
from supplier_portal.activity_sheet import Header, build_activity, rows_from_activity
from supplier_portal.sheet.columns import SheetInvalid
from tests.node_service.helpers import registration, serve_example_identifiers
from tests.supplier_portal.test_review import _csrf, _grid_form, portal, smelter_month

__all__ = ["portal"]  # the review test's module fixture: a signed-in smelter admin with one product

BILL = ("电费单-2024年3月.pdf", b"%PDF-1.4\n% Yunnan Power Grid bill, March 2024, 112,500,000 kWh\n")
GEC_PROOF = ("绿证注销凭证-HYD.pdf", b"%PDF-1.4\n% GEC cancellation certificate, 25,000 MWh hydro\n")
INVENTORY = ("月度盘点表.xlsx", b"PK\x03\x04 monthly inventory of March 2024")


def _cid(data: bytes) -> str:
    return cid_of_bytes(data).cid


def _upload(client: TestClient, name: str, data: bytes, media_type: str) -> dict[str, Any]:
    """What the grid's evidence_attach.js does: multipart POST with the CSRF token in a header, JSON back."""
    resp = client.post(
        "/portal/evidence",
        files={"file": (name, data, media_type)},
        headers={"X-CSRF-Token": _csrf(client, "/portal/submissions/new"), "Accept": "application/json"},
    )
    assert resp.status_code in (200, 201), resp.text
    return dict(resp.json())


def _rows(did: str) -> list[dict[str, str]]:
    serials = (f"GEC-2024-YN-HYD-{uuid.uuid4().hex[:8]}", f"GEC-2024-YN-WND-{uuid.uuid4().hex[:8]}")
    rows = rows_from_activity(smelter_month(did, serials))
    for row in rows:
        row["claimant"] = ""
        row["evidence"] = ""  # the example's alumina CID was never uploaded here
    return rows


def test_cells_map_to_the_input_the_claim_and_the_document_and_back() -> None:
    cid_a, cid_b = _cid(BILL[1]), _cid(GEC_PROOF[1])
    rows = _rows("did:key:z6MkexampleSmelter")
    electricity = next(i for i, r in enumerate(rows) if r["section"] == "electricity")
    gec = next(i for i, r in enumerate(rows) if r["section"] == "gec")
    rows[electricity]["evidence"] = f"{cid_a}，{cid_b}"  # a Chinese comma between two CIDs
    rows[gec]["evidence"] = cid_b
    header = Header("88.118.4477/AL-A00", None, "91530100MA6K0000XX", "2024-03-01", "2024-03-31", "昆明电解铝厂",
                    "CN-YN", "t", "8000", evidence=cid_a)  # fmt: skip
    document = build_activity(header, rows)
    assert document["evidence"] == [cid_a]
    assert document["inputs"]["electricity"][0]["evidence"] == [cid_a, cid_b]
    assert document["inputs"]["electricity"][0]["greenPowerClaims"][0]["evidence"] == [cid_b]
    assert "evidence" not in document["inputs"]["materials"][0]
    back = rows_from_activity(document)
    assert [r["evidence"] for r in back if r["evidence"]] == [f"{cid_a} {cid_b}", cid_b]
    # a word that is no CID: an error at that cell, nothing built
    rows[gec]["evidence"] = "电费单.pdf"
    try:
        build_activity(header, rows)
    except SheetInvalid as exc:
        assert [(e.row, e.column, e.params) for e in exc.errors] == [
            (gec + 2, "evidence", {"value": "电费单.pdf"})
        ]
    else:  # pragma: no cover - the assertion above is the test
        raise AssertionError("a file name in the evidence cell was accepted")


def test_grid_upload_fills_the_cid_signed_under_its_input_and_shown_with_receipts(portal: Any) -> None:
    client, did, key = portal
    assert client.get("/portal/lang/zh_CN", follow_redirects=False).status_code in (302, 303)
    grid = client.get("/portal/submissions/new?fresh=1").text
    assert "上传佐证材料" in grid and "佐证材料（整份活动数据）" in grid and "evidence_attach.js" in grid
    assert 'name="r0.evidence"' in grid and 'name="evidence"' in grid
    # (1) the grid's upload: the answer carries the CID the page writes into the row's evidence cell
    bill = _upload(client, *BILL, "application/pdf")
    proof = _upload(client, *GEC_PROOF, "application/pdf")
    inventory = _upload(
        client, *INVENTORY, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert bill["cid"] == _cid(BILL[1]) and bill["filename"] == BILL[0] and bill["entryId"]
    rows = _rows(did)
    electricity = next(i for i, r in enumerate(rows) if r["section"] == "electricity")
    gec = next(i for i, r in enumerate(rows) if r["section"] == "gec")
    rows[electricity]["evidence"] = bill["cid"]
    rows[gec]["evidence"] = proof["cid"]
    form = _grid_form(client, rows, evidence=inventory["cid"])
    # a CID the organisation never uploaded: the node's check refuses it before anything is signed
    stranger_cid = _cid(b"a file uploaded by nobody here")
    refused = client.post(
        "/portal/submissions/prepare", data={**form, f"r{electricity}.evidence": stranger_cid}
    )
    assert refused.status_code == 422
    cell = re.search(rf'data-cell="{electricity + 2}\.evidence" role="alert">([^<]*)<', refused.text)
    assert cell and stranger_cid in cell.group(1), refused.text[:2000]
    # (2) the review page names the files; the CIDs are in the credential under the row, the claim, the document
    review = client.post("/portal/submissions/prepare", data=form)
    assert review.status_code == 200, review.text[:600]
    for name, _data in (BILL, GEC_PROOF, INVENTORY):
        assert name in review.text
    embedded = re.search(
        r'<script type="application/json" id="unsigned-credential">(.*?)</script>', review.text, re.S
    )
    assert embedded
    credential = json.loads(embedded.group(1))
    subject = credential["credentialSubject"]
    assert subject["inputs"]["electricity"][0]["evidence"] == [bill["cid"]]
    assert subject["inputs"]["electricity"][0]["greenPowerClaims"][0]["evidence"] == [proof["cid"]]
    assert subject["evidence"] == [inventory["cid"]]
    # (3) signed and accepted: the node finds the cited files uploaded by the submitter
    signed = eddsa_jcs_2022.sign(credential, key, verification_method_id(key))
    accepted = client.post(
        "/portal/submissions", json=signed, headers={"X-CSRF-Token": _csrf(client, "/portal/submissions/new")}
    )
    assert accepted.status_code in (200, 201), accepted.text
    footprint_id = accepted.json()["footprintId"]
    # (4) the owner's footprint page: each file, its type, what it supports, its receipt
    page = client.get(f"/portal/footprints/{footprint_id}").text
    table = page[
        page.index('id="footprint-evidence"') : page.index("</table>", page.index('id="footprint-evidence"'))
    ]
    for upload, supports in ((bill, "电力 · 电解及辅助用电"), (proof, "绿证 GEC-2024-YN-HYD-"),
                             (inventory, "整份活动数据")):  # fmt: skip
        assert f'data-cid="{upload["cid"]}"' in table and upload["filename"] in table
        assert f'/portal/receipts/{upload["entryId"]}"' in table
        assert supports in table
    assert "PDF 文件" in table and "电子表格" in table
    assert client.get(f"/portal/receipts/{bill['entryId']}").status_code == 200
    # (5) a buyer it is shared with sees the files and their receipts; another organisation sees nothing
    buyer, buyer_did = _org_session(client, "采购方铝业", ["buyer"])
    stranger, _ = _org_session(client, "无关单位", ["buyer"])
    assert stranger.get(f"/portal/footprints/{footprint_id}").status_code == 404
    assert buyer.get(f"/portal/footprints/{footprint_id}").status_code == 404
    published = client.post(
        f"/portal/footprints/{footprint_id}/publish",
        data={"buyer": buyer_did, "csrf_token": _csrf(client, f"/portal/footprints/{footprint_id}")},
        follow_redirects=False,
    )
    assert published.status_code == 303, published.text[:400]
    seen = buyer.get(f"/portal/footprints/{footprint_id}").text
    for upload in (bill, proof, inventory):
        assert upload["filename"] in seen and f'/portal/receipts/{upload["entryId"]}"' in seen
    assert 'id="evidence-hidden"' not in seen
    assert buyer.get(f"/portal/evidence/{bill['cid']}/file").content == BILL[1]
    assert buyer.get(f"/portal/receipts/{bill['entryId']}").status_code == 200
    assert stranger.get(f"/portal/footprints/{footprint_id}").status_code == 404
    assert stranger.get(f"/portal/evidence/{bill['cid']}/file").status_code == 404
    assert stranger.get(f"/portal/receipts/{bill['entryId']}").status_code == 404
    # in English
    assert buyer.get("/portal/lang/en", follow_redirects=False).status_code in (302, 303)
    english = buyer.get(f"/portal/footprints/{footprint_id}").text
    assert "Supporting evidence" in english and "Electricity · 电解及辅助用电" in english
    assert "The whole activity data" in english and "PDF document" in english


def _org_session(client: TestClient, name: str, roles: list[str]) -> tuple[TestClient, str]:
    """A new organisation's admin signed in to the portal of the same node."""
    other = TestClient(client.app, base_url="http://127.0.0.1")
    key = Ed25519PrivateKey.generate()
    body = {"registration": registration(key, name, roles), "username": f"u-{uuid.uuid4().hex[:8]}",
            "password": "a long enough password"}  # fmt: skip
    resp = other.post(
        "/portal/register", json=body, headers={"X-CSRF-Token": _csrf(other, "/portal/register")}
    )
    assert resp.status_code == 201, resp.text
    return other, str(resp.json()["did"])


# --- in a real Chromium ----------------------------------------------------------------------------------------


def test_in_the_browser_the_row_upload_fills_the_cid_and_the_footprint_lists_the_file(
    served: Any, browser: Any, tmp_path: Path
) -> None:
    """The grid's 上传佐证材料 on the electricity row and for the whole document (a 3 MiB scan: progress shown),
    the CIDs in the cells, signed, and the footprint page's 佐证材料 table; screenshots in zh-CN and en."""
    from .test_browser_journey import register as register_in_browser
    from .test_browser_journey import shot

    base, run, prefix = served.url, uuid.uuid4().hex[:6], "88.118.4477"
    with httpx.Client(base_url=base, timeout=30) as api:
        serve_example_identifiers(api)
    bill = tmp_path / BILL[0]
    bill.write_bytes(BILL[1])
    scan = tmp_path / "月度盘点表-扫描件.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + uuid.uuid4().bytes * (3 << 16))  # 3 MiB: several progress events
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        s = register_in_browser(page, base, name=f"云南绿铝 {run}", username=f"evidence-{run}", roles=["supplier"],
                                backup=False, prefixes=prefix)  # fmt: skip
        page.goto(f"{base}/portal/products")
        page.fill("#identifier", f"{prefix}/AL-A00")
        page.fill("#name_zh", "原铝锭 A00")
        page.fill("#name_en", "Primary aluminium ingot A00")
        page.select_option("#declared_unit", "t")
        page.click("#add-product")
        rows = [r for r in _rows(s["did"]) if r["section"] in ("material", "electricity", "gec")]
        page.goto(f"{base}/portal/submissions/new?fresh=1")
        page.select_option("#product", index=1)
        for field, value in (
            ("#period_start", "2024-03-01"),
            ("#period_end", "2024-03-31"),
            ("#site_name", "昆明电解铝厂"),
            ("#grid_region", "CN-YN"),
            ("#produced_quantity", "8000"),
        ):
            page.fill(field, value)  # fmt: skip
        while page.locator("#sheet tbody tr").count() < len(rows):
            page.click("#add-row")
        for i, row in enumerate(rows):
            for column, value in row.items():
                if value and column == "section":
                    page.select_option(f'select[name="r{i}.section"]', value)
                elif value:
                    page.fill(f'[name="r{i}.{column}"]', value)
        electricity = next(i for i, r in enumerate(rows) if r["section"] == "electricity")
        cell = page.locator(f'[name="r{electricity}.evidence"]').locator("xpath=..")
        cell.locator(".evidence-file").set_input_files(str(bill))
        page.wait_for_function(
            f"() => document.querySelector('[name=\"r{electricity}.evidence\"]').value !== ''"
        )
        assert page.input_value(f'[name="r{electricity}.evidence"]') == _cid(BILL[1])
        assert cell.locator(".evidence-names li").inner_text().endswith(BILL[0])
        assert "已附上" in cell.locator(".evidence-status").inner_text()
        status = "#document-evidence .evidence-status"
        page.evaluate(
            """s => { window.statuses = []; const n = document.querySelector(s);
            new MutationObserver(() => window.statuses.push(n.textContent)).observe(n, {childList: true}); }""",
            status,
        )
        page.locator("#document-evidence .evidence-file").set_input_files(str(scan))
        page.wait_for_function("() => document.getElementById('doc-evidence').value !== ''")
        statuses = page.evaluate("window.statuses")
        assert any(t.endswith(" %") for t in statuses) and statuses[-1].endswith(scan.name), statuses
        assert page.input_value("#doc-evidence") == _cid(scan.read_bytes())
        page.evaluate("() => { document.getElementById('picker-list').hidden = true; }")  # not in the picture
        page.locator(f'[name="r{electricity}.evidence"]').scroll_into_view_if_needed()
        shot(page, "zh-CN", "grid-evidence")
        page.click("#prepare")
        page.wait_for_selector("#sign-submit")
        assert BILL[0] in page.inner_text("#review-electricity")
        page.click("#sign-submit")
        page.wait_for_url("**/portal/footprints/**", timeout=60_000)
        table = page.inner_text("#footprint-evidence")
        assert (
            BILL[0] in table
            and scan.name in table
            and "整份活动数据" in table
            and "电力 · 电解及辅助用电" in table
        )
        page.locator("#evidence-section").scroll_into_view_if_needed()
        shot(page, "zh-CN", "footprint-evidence", full=False)
        page.goto(f"{base}/portal/lang/en")
        page.go_back()
        page.reload()
        assert "The whole activity data" in page.inner_text("#footprint-evidence")
        page.locator("#evidence-section").scroll_into_view_if_needed()
        shot(page, "en", "footprint-evidence", full=False)
        page.goto(f"{base}/portal/submissions/new?fresh=1")
        page.select_option('select[name="r0.section"]', "electricity")
        for column, value in (
            ("id", "electricity"),
            ("name", "电解及辅助用电"),
            ("amount", "112500000"),
            ("unit", "kWh"),
        ):
            page.fill(f'[name="r0.{column}"]', value)  # fmt: skip
        page.locator('[name="r0.evidence"]').locator("xpath=..").locator(".evidence-file").set_input_files(
            str(bill)
        )
        page.wait_for_function("() => document.querySelector('[name=\"r0.evidence\"]').value !== ''")
        assert "Attached: " + BILL[0] in page.inner_text("#sheet")
        page.locator('[name="r0.evidence"]').scroll_into_view_if_needed()
        shot(page, "en", "grid-evidence", full=False)
        assert not errors, errors
    finally:
        context.close()
