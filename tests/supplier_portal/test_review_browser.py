"""The review step in a real Chromium (issue 18, "Why" 3 and 5): a smelter types a month of 9 inputs and 2 GECs into
the grid, reviews the rows that will be signed, the page refuses to sign a document that differs from the one it
shows, the submission fails after signing (another supplier claimed the GEC serials meanwhile), and the browser's
Back button returns to the grid with all 11 rows. Screenshots of the review page in zh-CN and en."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from supplier_portal.activity_sheet import rows_from_activity
from tests.node_service.helpers import activity, register, serve_example_identifiers, signed_activity

from .test_browser_journey import register as register_in_browser
from .test_browser_journey import shot
from .test_review import smelter_month


def _serials() -> tuple[str, str]:
    tag = uuid.uuid4().hex[:8].upper()
    return (f"GEC-2024-YN-HYD-{tag}", f"GEC-2024-YN-WND-{tag}")


def _grid_rows(did: str, serials: tuple[str, str]) -> list[dict[str, str]]:
    rows = rows_from_activity(smelter_month(did, serials))
    for row in rows:
        row["claimant"] = ""  # the signing organisation
        row["evidence"] = ""  # the example's CID was never uploaded to this node
    return rows


def _type_month(page: Any, base: str, prefix: str, rows: list[dict[str, str]]) -> None:
    page.goto(f"{base}/portal/submissions/new")
    page.select_option("#product", index=1)
    page.fill("#period_start", "2024-03-01")
    page.fill("#period_end", "2024-03-31")
    page.fill("#site_name", "昆明电解铝厂")
    page.fill("#grid_region", "CN-YN")
    page.fill("#produced_quantity", "8000")
    while page.locator("#sheet tbody tr").count() < len(rows):
        page.click("#add-row")
    for i, row in enumerate(rows):
        for column, value in row.items():
            if not value:
                continue
            if column == "section":
                page.select_option(f'select[name="r{i}.section"]', value)
            else:
                page.fill(f'[name="r{i}.{column}"]', value)
    page.click("#prepare")
    page.wait_for_selector("#sign-submit")


def test_review_refuses_a_changed_document_and_back_keeps_every_row_after_a_failed_submission(
    served: Any, browser: Any
) -> None:
    base = served.url
    run = uuid.uuid4().hex[:6]
    prefix = "88.118.4477"
    with httpx.Client(base_url=base, timeout=30) as api:
        serve_example_identifiers(api)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        s = register_in_browser(
            page, base, name=f"云南绿铝 {run}", username=f"review-{run}", roles=["supplier"], backup=False,
            prefixes=prefix,
        )  # fmt: skip
        page.goto(f"{base}/portal/products")
        page.fill("#identifier", f"{prefix}/AL-A00")
        page.fill("#name_zh", "原铝锭 A00")
        page.fill("#name_en", "Primary aluminium ingot A00")
        page.select_option("#declared_unit", "t")
        page.click("#add-product")

        serials = _serials()
        rows = _grid_rows(s["did"], serials)
        assert len(rows) == 11
        _type_month(page, base, prefix, rows)
        # "Why" 5: the rows being signed, in Chinese sections and units
        assert page.locator("tr.input-row").count() == 9 and page.locator("tr.claim-row").count() == 2
        assert page.inner_text("#review-electricity h3") == "电力"
        assert "千瓦时" in page.inner_text("#review-electricity") and "绿证" in page.inner_text(
            "#review-electricity"
        )
        assert not page.locator("#raw-json pre").is_visible()
        shot(page, "zh-CN", "review-table")

        # the page signs only the document it shows: a changed amount is refused before the key is used
        original = page.inner_text("#unsigned-credential")
        tampered = json.loads(original)
        tampered["credentialSubject"]["inputs"]["electricity"][0]["amount"] = 1
        page.evaluate(
            "t => { document.getElementById('unsigned-credential').textContent = t; }", json.dumps(tampered)
        )
        submitted: list[str] = []
        page.on("request", lambda r: submitted.append(r.url) if r.method == "POST" else None)
        page.click("#sign-submit")
        page.wait_for_selector("#err-sign:not([hidden])")
        assert "不一致" in page.inner_text("#err-sign"), page.inner_text("#err-sign")
        assert submitted == []  # nothing checked, signed or sent
        page.evaluate("t => { document.getElementById('unsigned-credential').textContent = t; }", original)

        # "Why" 3: signed, then refused by the exchange (another supplier claimed the GEC serials meanwhile) …
        def claim_first(route: Any) -> None:
            with httpx.Client(base_url=base, timeout=30) as api:
                rival = register(api, f"另一家冶炼厂 {run}", ["supplier"])
                credential = signed_activity(rival, activity(rival.did, gec_serials=serials))
                assert api.post("/submissions", json=credential, headers=rival.auth).status_code == 201
            route.continue_()

        page.route("**/portal/submissions", claim_first)
        page.click("#sign-submit")
        page.wait_for_function("() => !document.getElementById('err-sign').hidden && "
                               "document.getElementById('err-sign').textContent.includes('返回活动数据')")  # fmt: skip
        assert "/footprints/" not in page.url
        page.unroute("**/portal/submissions")
        # … and the browser's Back button returns to the grid with all 11 rows as typed
        page.go_back()
        page.wait_for_selector("#sheet")
        for i, row in enumerate(rows):
            for column in ("id", "amount", "serial", "distance_km", "factor_id"):
                assert page.input_value(f'[name="r{i}.{column}"]') == row[column], (i, column)
        assert page.input_value("#site_name") == "昆明电解铝厂"

        # the review page in English
        page.goto(f"{base}/portal/lang/en")
        _type_month(page, base, prefix, _grid_rows(s["did"], _serials()))
        assert page.inner_text("#review-electricity h3") == "Electricity"
        shot(page, "en", "review-table")
        assert not errors, errors
    finally:
        context.close()
