"""End to end in a real headless Chromium: register (key made in the browser), products, activity data
upload with errors shown against row and column, sign in the browser and submit, the footprint and its
charts, publish, the buyer sees it, the auditor verifies its receipt — in zh-CN and in en.

Afterwards: the browser-signed credential verifies with ``tanlian verify-credential`` and its proof is
byte-for-byte the one the Python signer makes with the same key; the database and the logs hold no byte
of the private keys exported in the tests.
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import inspect, text

from footprint_engine.examples import load_example
from node_service.credentials import eddsa_jcs_2022
from node_service.credentials.keyfile import parse_key_file
from supplier_portal.activity_sheet import rows_from_activity, template_xlsx
from tests.node_service.helpers import activity, serve_example_identifiers

from .conftest import ARTIFACTS

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
PASSWORD = "correct horse battery staple"
BACKUP_PASSWORD = "backup-口令-2024-long"
EXPORTED: list[bytes] = []  # private key material exported by the browser during the tests
FINAL_SHOTS = {"register", "upload-errors", "review", "footprint", "footprint-phone", "shared", "verify"}


def shot(page: Any, lang: str, name: str, *, full: bool = True) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{lang}-{name}.png"
    page.screenshot(path=str(path), full_page=full)


def publish_docs_images(lang: str) -> None:
    """Refresh docs/img from this run's screenshots — only when asked (TANLIAN_UPDATE_DOC_IMAGES=1), so that
    `make test` leaves the working tree clean; the screenshots are always in test-artifacts/portal/."""
    if os.environ.get("TANLIAN_UPDATE_DOC_IMAGES") != "1":
        return
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    for name in FINAL_SHOTS:
        source = ARTIFACTS / f"{lang}-{name}.png"
        if source.exists():
            shutil.copyfile(source, DOCS_IMG / f"portal-{lang}-{name}.png")


def register(
    page: Any, base: str, *, name: str, username: str, roles: list[str], backup: bool, prefixes: str = ""
) -> dict[str, Any]:
    page.goto(f"{base}/portal/register")
    page.fill("#name_zh", name)
    page.fill("#name_en", name + " Ltd")
    page.fill("#idis_prefixes", prefixes)
    for role in ("supplier", "buyer", "exporter", "auditor"):
        box = page.locator(f'input[name="roles"][value="{role}"]')
        box.set_checked(role in roles)
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#generate-key")
    page.wait_for_selector("#backup-box:not([hidden])")
    did = page.get_attribute("#key-status", "data-did")
    assert did and did.startswith("did:key:z6Mk")
    backup_text = None
    if backup:
        # the backup password is checked in the page before anything is exported
        page.fill("#backup_password", "short")
        page.click("#export-backup")
        assert page.locator("#err-backup_password").is_visible()
        page.fill("#backup_password", BACKUP_PASSWORD)
        with page.expect_download() as download:
            page.click("#export-backup")
        backup_text = Path(download.value.path()).read_text()
    else:
        page.check("#skip-backup")
    page.click("#register-submit")
    page.wait_for_selector("#registered:not([hidden])", timeout=30_000)
    assert page.inner_text("#registered-did") == did
    token = page.inner_text("#api-token")
    assert token.startswith("tl_")
    return {"did": did, "backup": backup_text, "token": token}


def activity_xlsx(
    organisation_id: str, *, break_it: bool = False, serials: tuple[str, ...] | None = None
) -> bytes:
    # the aluminium example without its placeholder evidence, claiming GEC serials of its own
    example = activity(organisation_id, gec_serials=serials)
    rows = rows_from_activity(example)
    for row in rows:
        if row["section"] == "gec":
            row["claimant"] = ""  # defaults to the submitting organisation
    if break_it:
        rows[1]["amount"] = "lots"  # row 3 of the file
        rows[0]["section"] = "metal"  # row 2 of the file
    return template_xlsx(rows)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_supplier_buyer_auditor_journey(served: Any, browser: Any, lang: str, tmp_path: Path) -> None:
    base = served.url
    run = uuid.uuid4().hex[:6]
    prefix = f"88.118.{9000 + int(run, 16) % 90000}"  # the smelter's own IDIS enterprise prefix
    with httpx.Client(base_url=base, timeout=30) as api:
        serve_example_identifiers(api)  # the materials the example cites (alumina, anodes) resolve
    supplier_ctx = browser.new_context(
        locale=lang, accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    buyer_ctx = browser.new_context(
        locale=lang, accept_downloads=True, viewport={"width": 1280, "height": 900}
    )
    auditor_ctx = browser.new_context(locale=lang, viewport={"width": 1280, "height": 900})
    try:
        supplier, buyer, auditor = supplier_ctx.new_page(), buyer_ctx.new_page(), auditor_ctx.new_page()
        errors: list[str] = []
        for p in (supplier, buyer, auditor):
            p.on("pageerror", lambda exc: errors.append(str(exc)))
        zh = lang == "zh-CN"

        # --- the buyer registers (no backup), the supplier registers with an encrypted backup -------------
        b = register(
            buyer, base, name=f"示范电机制造商 {run}", username=f"buyer-{run}", roles=["buyer"], backup=False
        )
        supplier.goto(f"{base}/portal/register")
        assert supplier.get_attribute("html", "lang") == ("zh-CN" if zh else "en")
        assert ("注册您的机构" if zh else "Register your organisation") in supplier.inner_text("h1")
        s = register(
            supplier,
            base,
            name=f"云南绿铝 {run}",
            username=f"smelter-{run}",
            roles=["supplier"],
            backup=True,
            prefixes=prefix,
        )
        shot(supplier, lang, "register")
        key = parse_key_file(s["backup"], password=BACKUP_PASSWORD)  # the CLI reads the browser's backup
        raw = key.private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
        )
        pkcs8 = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        EXPORTED.extend([raw, pkcs8])
        assert json.loads(s["backup"])["did"] == s["did"]

        # --- a product with its IDIS identifier, under the smelter's own prefix: the node's resolver serves it
        identifier = f"{prefix}/AL-{run.upper()}"
        supplier.goto(f"{base}/portal/products")
        supplier.fill("#identifier", "not an identifier")
        supplier.fill("#name_zh", "原铝锭 A00")
        supplier.click("#add-product")
        assert supplier.locator("#err-identifier").is_visible()  # error next to the field
        supplier.fill("#identifier", identifier)
        supplier.fill("#name_zh", "原铝锭 A00")
        supplier.fill("#name_en", "Primary aluminium ingot A00")
        supplier.select_option("#declared_unit", "t")
        supplier.fill("#cn_code", "7601 10")
        supplier.click("#add-product")
        assert identifier in supplier.inner_text("#products")
        with httpx.Client(base_url=base, timeout=30) as api:
            record = api.get(f"/api/handles/{identifier}").json()
        assert record["responseCode"] == 1 and any(v["type"] == "NAME" for v in record["values"]), record

        # --- activity data: template upload, errors against row and column, then a good file ---------------
        supplier.click(f'#products tr:has-text("{identifier}") a')
        supplier.wait_for_selector("#activity-form")
        supplier.fill("#site_name", "昆明电解铝厂")
        supplier.fill("#grid_region", "CN-YN")
        supplier.fill("#produced_quantity", "100000")
        bad = tmp_path / "activity-bad.xlsx"
        bad.write_bytes(activity_xlsx(s["did"], break_it=True))
        supplier.set_input_files("#upload-file", str(bad))
        supplier.click("#upload-button")
        supplier.wait_for_selector(".cell-error")
        cells = {e.get_attribute("data-cell") for e in supplier.query_selector_all(".cell-error")}
        assert cells == {"2.section", "3.amount"}, cells
        assert ("数字" if zh else "number") in supplier.inner_text('[data-cell="3.amount"]')
        shot(supplier, lang, "upload-errors")
        good = tmp_path / "activity.xlsx"
        serials = (f"GEC-2024-YN-HYD-{run.upper()}", f"GEC-2023-YN-HYD-{run.upper()}")  # claimed once, ever
        good.write_bytes(activity_xlsx(s["did"], serials=serials))
        supplier.set_input_files("#upload-file", str(good))
        supplier.click("#upload-button")
        supplier.wait_for_selector("#sheet")
        assert supplier.query_selector(".cell-error") is None
        assert supplier.input_value('input[name="r5.serial"]') == serials[0]
        # a factor id nobody has: the exchange's check finds it before signing, next to its cell, in the page's
        # language; then the picker finds the factor by name and the keyboard picks it
        supplier.fill('input[name="r0.factor_id"]', "material/no-such-factor/CN/2024")
        supplier.click("#prepare")
        supplier.wait_for_selector('.cell-error[data-cell="2.factor_id"]')
        problem = supplier.inner_text('.cell-error[data-cell="2.factor_id"]')
        assert ("因子库中没有排放因子" if zh else "No factor material/no-such-factor") in problem, problem
        assert supplier.query_selector("#sign-submit") is None  # nothing to sign yet
        assert supplier.input_value('input[name="r5.serial"]') == serials[0]  # nothing typed is lost
        shot(supplier, lang, "check-errors")
        supplier.fill('input[name="r0.factor_id"]', "")
        supplier.type('input[name="r0.factor_id"]', "氧化铝" if zh else "alumina", delay=30)
        supplier.wait_for_selector("#picker-list li")
        first = supplier.inner_text("#picker-list li")
        assert ("氧化铝" if zh else "lumina") in first and "kgCO2e/" in first, first
        shot(supplier, lang, "picker", full=False)
        supplier.keyboard.press("ArrowDown")
        supplier.keyboard.press("Enter")
        assert supplier.input_value('input[name="r0.factor_id"]').startswith("material/alumina")
        supplier.click("#prepare")
        supplier.wait_for_selector("#sign-submit")
        assert supplier.query_selector("#preview-factors") is not None
        shot(supplier, lang, "review")

        # --- sign in the browser and submit; the footprint and its charts ---------------------------------
        supplier.click("#sign-submit")
        supplier.wait_for_function(
            "() => location.pathname.includes('/footprints/') || !document.getElementById('err-sign')?.hidden",
            timeout=120_000,
        )
        assert "/footprints/" in supplier.url, supplier.inner_text("#err-sign")
        supplier.wait_for_load_state()
        supplier.wait_for_selector('body[data-charts-ready="4"]')
        footprint_id = supplier.url.rsplit("/", 1)[-1].split("?")[0]
        types = supplier.evaluate(
            """() => ['chart-stages', 'chart-contributors', 'chart-sankey', 'chart-energy'].map(id => {
                const chart = echarts.getInstanceByDom(document.getElementById(id));
                const option = chart.getOption();
                return [option.series[0].type, option.series[0].data.length,
                        document.querySelectorAll('#' + id + ' canvas').length];
            })"""
        )
        assert [t[0] for t in types] == ["bar", "bar", "sankey", "sankey"], types
        assert all(t[1] >= 2 and t[2] >= 1 for t in types), types
        total_text = supplier.inner_text("#kpi-total strong")
        assert float(total_text.replace(",", "")) > 0
        assert "kgce" in supplier.inner_text("main")
        assert ("基于市场" if zh else "market-based") in supplier.inner_text("#electricity")
        shot(supplier, lang, "footprint")
        supplier.set_viewport_size({"width": 390, "height": 844})
        supplier.reload()
        supplier.wait_for_selector('body[data-charts-ready="4"]')
        width = supplier.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 400, f"page is {width}px wide at phone width"
        shot(supplier, lang, "footprint-phone")
        supplier.set_viewport_size({"width": 1280, "height": 900})
        supplier.reload()

        with supplier.expect_download() as download:
            supplier.click("#download-credential")
        credential_path = tmp_path / "credential.json"
        credential_path.write_bytes(Path(download.value.path()).read_bytes())
        with supplier.expect_download() as download:
            supplier.click("#download-document")
        document_path = tmp_path / "footprint.json"
        document_path.write_bytes(Path(download.value.path()).read_bytes())
        report_lang = "zh" if zh else "en"
        with supplier.expect_download() as download:
            supplier.click(f"#download-report-{report_lang}")
        assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")

        # --- publish to the buyer ------------------------------------------------------------------------------
        supplier.check(f'#publish-form input[value="{b["did"]}"]')
        supplier.click("#publish")
        supplier.wait_for_selector("#published-ok")

        # --- the buyer finds it and fetches its receipt ------------------------------------------------------
        buyer.goto(f"{base}/portal/shared?cn_code=7601")
        assert identifier in buyer.inner_text("#shared")
        buyer.goto(f"{base}/portal/shared?product=NOPE-{run}")
        assert buyer.query_selector("#none-shared") is not None
        buyer.goto(f"{base}/portal/shared?supplier={run}")
        shot(buyer, lang, "shared")
        buyer.click(f'#shared tr:has-text("{identifier}") a:has-text("{"回执" if zh else "Receipt"}")')
        buyer.wait_for_selector("#receipt", timeout=30_000)  # the page refreshes itself until anchored
        with buyer.expect_download() as download:
            buyer.click("#download-receipt")
        receipt_path = tmp_path / "receipt.json"
        receipt_path.write_bytes(Path(download.value.path()).read_bytes())
        assert json.loads(receipt_path.read_text())["entry"]["id"] == footprint_id

        # --- the auditor (no account) verifies the receipt against the footprint document -------------------
        auditor.goto(f"{base}/portal/verify")
        auditor.set_input_files("#receipt-file", str(receipt_path))
        auditor.set_input_files("#evidence-file", str(document_path))
        auditor.click("#verify-submit")
        auditor.wait_for_selector("#verdict")
        shot(auditor, lang, "verify")
        checks = {
            li.get_attribute("data-check"): "ok" in (li.get_attribute("class") or "")
            for li in auditor.query_selector_all("#verdict li")
        }
        assert checks == dict.fromkeys(
            [
                "shape",
                "leaf",
                "inclusion",
                "content",
                "chain-id",
                "on-chain-head",
                "transaction",
                "time",
                "exchange",
            ],
            True,
        ), checks
        assert auditor.query_selector(".verdict-ok") is not None
        # a tampered document fails the content check
        tampered = json.loads(document_path.read_text())
        tampered["document"]["result"]["emissions"]["total"] = 1.0
        bad_doc = tmp_path / "tampered.json"
        bad_doc.write_text(json.dumps(tampered))
        auditor.set_input_files("#receipt-file", str(receipt_path))
        auditor.set_input_files("#evidence-file", str(bad_doc))
        auditor.click("#verify-submit")
        auditor.wait_for_selector(".verdict-bad")
        assert "bad" in (auditor.get_attribute('li[data-check="content"]', "class") or "")

        assert not errors, errors
    finally:
        supplier_ctx.close()
        buyer_ctx.close()
        auditor_ctx.close()

    # --- the browser-signed credential: the CLI verifies it, and Python makes the very same proof ---------
    cli = Path(sys.executable).parent / "tanlian"
    result = subprocess.run(
        [str(cli), "verify-credential", str(credential_path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    signed = json.loads(credential_path.read_text())
    proof = signed.pop("proof")
    again = eddsa_jcs_2022.sign(
        signed,
        key,
        proof["verificationMethod"],
        created=eddsa_jcs_2022.parse_datetime(proof["created"]),
    )
    assert again["proof"] == proof  # Ed25519 is deterministic: same bytes signed, same signature
    publish_docs_images(lang)


def _needles(secret: bytes) -> list[bytes]:
    forms = [
        secret,
        secret.hex().encode(),
        base64.b64encode(secret),
        base64.urlsafe_b64encode(secret).rstrip(b"="),
    ]
    # base64 of a substring starting at any offset mod 3 (key bytes inside a longer encoded blob)
    for shift in (1, 2):
        forms.append(base64.b64encode(secret[shift:])[4:-4])
    import base58

    forms.append(base58.b58encode(secret))
    return forms


def test_no_private_key_material_on_the_server(served: Any) -> None:
    """Run after the journeys: every table and every captured log line, searched for the exported keys."""
    if not EXPORTED:
        pytest.skip("the browser journey did not run")
    dump = io.BytesIO()
    engine = served.node.db.engine
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                dump.write(repr(tuple(row)).encode())
                for value in row:
                    if isinstance(value, (bytes, bytearray, memoryview)):
                        dump.write(bytes(value))
                    elif value is not None:
                        dump.write(str(value).encode())
    haystacks = {"database": dump.getvalue(), "logs": "\n".join(served.logs.lines).encode()}
    data_dir = served.node.settings.resolved_data_dir
    for path in data_dir.rglob("*"):
        if path.is_file() and "devnet" not in path.parts and path.stat().st_size < 64 * 1024 * 1024:
            haystacks[str(path)] = path.read_bytes()
    assert len(haystacks["database"]) > 1000 and haystacks["logs"], "nothing was captured"
    for secret in EXPORTED:
        for needle in _needles(secret):
            for where, haystack in haystacks.items():
                assert needle not in haystack, f"private key material found in {where}"


def test_screenshots_written() -> None:
    if not EXPORTED:
        pytest.skip("the browser journey did not run")
    time.sleep(0)
    for lang in ("zh-CN", "en"):
        for name in FINAL_SHOTS:
            assert (ARTIFACTS / f"{lang}-{name}.png").stat().st_size > 5000


JCS_VECTORS: list[Any] = [
    {"numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001, 1e21, 1e-7, -0.0, 5e-324,
                 1.7976931348623157e308, 9007199254740991, -1, 0.1, 100000.0, 123456789.123]},
    {"string": "€$\u000f\nA'B\"\\\\\"/", "literals": [None, True, False]},
    {"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew", "1": "One", "\U0001f600": "Emoji",
     "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis", "10": "ten", "a": {"b": [], "A": {}}},
    load_example("aluminium-ingot-yunnan"),
]  # fmt: skip


def test_browser_jcs_and_base58_match_python(served: Any, browser: Any) -> None:
    """The page's RFC 8785 canonicaliser and base58btc give exactly the Python implementations' bytes."""
    import base58
    import rfc8785

    page = browser.new_page()
    try:
        page.goto(f"{served.url}/portal/login")
        got = page.evaluate(
            """async ([vectors, blobs]) => {
                const jcs = await import('/portal/static/js/jcs.js');
                const b58 = await import('/portal/static/js/base58.js');
                return [vectors.map(v => jcs.canonicalize(v)),
                        blobs.map(b => b58.base58Encode(new Uint8Array(b))),
                        blobs.map(b => Array.from(b58.base58Decode(b58.base58Encode(new Uint8Array(b)))))];
            }""",
            [JCS_VECTORS, [[], [0], [0, 0, 1], list(range(256)), [255] * 40, [0xED, 0x01, *range(32)]]],
        )
    finally:
        page.close()
    assert got[0] == [rfc8785.dumps(v).decode() for v in JCS_VECTORS]
    blobs = [b"", b"\0", b"\0\0\1", bytes(range(256)), b"\xff" * 40, bytes([0xED, 0x01, *range(32)])]
    assert got[1] == [base58.b58encode(b).decode() for b in blobs]
    assert [bytes(x) for x in got[2]] == blobs
