"""The CBAM installation form without a browser: errors in the page's language next to their field and
nothing stored, the preview's figures, then stored and downloadable as the Commission's template."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from .cbam_form_values import ALUMINIUM_FIGURES, ALUMINIUM_FORM
from .test_files import _csrf, _eventually, _portal_org, app  # noqa: F401 - the app fixture


def test_form_errors_preview_store_download(app: Any) -> None:  # noqa: F811
    exporter, _ = _portal_org(app, "Exporter", ["exporter"])
    form = exporter.get("/portal/cbam/new")
    assert form.status_code == 200 and "新建 CBAM 装置" in form.text
    assert 'value="Exporter Ltd"' in form.text or 'id="operator_name"' in form.text
    token = _csrf(exporter, "/portal/cbam/new")

    # bad input: each error in Chinese, next to its field; nothing stored
    bad = dict(ALUMINIUM_FORM, csrf_token=token, p0_cn_code="76011000", s1_factor="lots", contact_email="")
    bad["pfc_efficiency"] = "1.5"
    refused = exporter.post("/portal/cbam/new", data=bad | {"action": "store"})
    assert refused.status_code == 422
    assert 'id="err-p0_cn_code"' in refused.text and "不在欧盟委员会模板的编码表中" in refused.text
    assert 'id="err-s1_factor"' in refused.text and "不是数字" in refused.text
    assert 'id="err-contact_name"' in refused.text
    assert 'id="err-pfc_efficiency"' in refused.text and "超出范围" in refused.text
    assert "CN-ALU-001" not in exporter.get("/portal/cbam").text
    # the same in English for an English reader
    exporter.cookies.set("lang", "en")
    english = exporter.post("/portal/cbam/new", data=bad | {"action": "store"})
    exporter.cookies.set("lang", "zh_CN")
    assert "is not in the Commission&#39;s template list" in english.text

    # preview: the figures of docs/cbam.md, nothing stored yet
    good = dict(ALUMINIUM_FORM, csrf_token=token)
    preview = exporter.post("/portal/cbam/new", data=good | {"action": "preview"})
    assert preview.status_code == 200, preview.text[:2000]
    assert 'id="preview-excl-pfc">311,220' in preview.text
    assert 'id="preview-pfc">20,000' in preview.text
    assert "1.65610" in preview.text and "7.24410" in preview.text
    assert "CN-ALU-001" not in exporter.get("/portal/cbam").text

    stored = exporter.post("/portal/cbam/new", data=good | {"action": "store"}, follow_redirects=False)
    assert stored.status_code == 303, stored.text[:2000]
    url = stored.headers["location"]
    xlsx = _eventually(
        lambda: exporter.get(f"{url}/communication.xlsx?period=2026"), lambda r: r.status_code != 409
    )
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb["A_InstData"]["I20"].value == ALUMINIUM_FORM["name"]
    assert wb["B_EmInst"]["D98"].value == "Slope method"
    assert wb["C_Emissions&Energy"]["M26"].value == ALUMINIUM_FIGURES["indirect"]
    assert wb["D_Processes"]["L54"].value == ALUMINIUM_FIGURES["direct"]
