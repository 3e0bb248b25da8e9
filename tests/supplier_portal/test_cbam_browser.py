"""The CBAM form in a real headless Chromium: an exporter fills in the aluminium example of docs/cbam.md,
previews the figures, stores it and downloads the Commission's template filled in — whose own formulas,
recalculated by LibreOffice, give the figures of docs/cbam.md."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from .cbam_form_values import ALUMINIUM_FIGURES, ALUMINIUM_FORM
from .conftest import ARTIFACTS
from .test_browser_journey import register

SELECTS = {"s0_kind", "s1_kind", "s1_unit", "p0_route"}


def _fill(page: Any) -> None:
    for name, value in ALUMINIUM_FORM.items():
        if name in SELECTS:
            page.select_option(f"#{name}", value)
        else:
            page.fill(f"#{name}", value)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_exporter_fills_the_cbam_form(served: Any, browser: Any, lang: str, tmp_path: Path) -> None:
    base, run, zh = served.url, uuid.uuid4().hex[:6], lang == "zh-CN"
    ctx = browser.new_context(locale=lang, accept_downloads=True, viewport={"width": 1400, "height": 1000})
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        register(
            page, base, name=f"示例铝业 {run}", username=f"exporter-{run}", roles=["exporter"], backup=False
        )
        page.goto(f"{base}/portal/cbam")
        page.click("#cbam-new")
        assert page.inner_text("h1") == ("新建 CBAM 装置" if zh else "New CBAM installation")
        assert page.input_value("#operator_name") == f"示例铝业 {run} Ltd"  # prefilled from the organisation

        # a wrong entry first: the error next to its field, in the page's language, nothing stored
        _fill(page)
        page.fill("#s1_factor", "56,1x")
        page.click("#cbam-preview")
        message = page.inner_text("#err-s1_factor")
        assert ("不是数字" if zh else "is not a number") in message
        page.fill("#s1_factor", ALUMINIUM_FORM["s1_factor"])

        page.click("#cbam-preview")
        page.wait_for_selector("#cbam-preview-figures")
        assert page.inner_text("#preview-excl-pfc") == f"{ALUMINIUM_FIGURES['excl_pfc']:,}"
        assert page.inner_text("#preview-pfc") == f"{ALUMINIUM_FIGURES['pfc']:,}"
        assert page.inner_text("#preview-direct") == f"{ALUMINIUM_FIGURES['direct']:,}"
        goods = page.inner_text("#preview-goods")
        assert "1.65610" in goods and "7.24410" in goods
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{lang}-cbam-form.png"), full_page=True)
        if zh:  # a Chinese reader meets no English words in the form's own text
            labels = page.inner_text("#section-installation legend") + page.inner_text(
                "#cbam-preview-figures h2"
            )
            assert labels.isascii() is False and "Installation" not in labels

        page.click("#cbam-store")
        page.wait_for_url(f"{base}/portal/cbam/*")
        record_url = page.url
        assert "CN-ALU-001" in page.inner_text("h1")
        deadline = time.monotonic() + 30  # the download waits for the version's receipt to be anchored
        while page.request.get(f"{record_url}/communication.xlsx?period=2026").status == 409:
            assert time.monotonic() < deadline, "receipt not anchored in 30 s"
            time.sleep(0.3)
        page.fill("#period", "2026")
        with page.expect_download() as download:
            page.click("#download-xlsx", no_wait_after=True)
        xlsx = tmp_path / "communication.xlsx"
        download.value.save_as(str(xlsx))
        assert not errors, errors
    finally:
        ctx.close()

    wb = load_workbook(xlsx)
    assert wb["A_InstData"]["I20"].value == ALUMINIUM_FORM["name"]
    assert wb["A_InstData"]["I19"].value == ALUMINIUM_FORM["name_local"]
    if zh:  # the template's own formulas, recalculated once, give the figures of docs/cbam.md
        from tests.footprint_engine.cbam.libreoffice import convert

        (recalculated,) = convert([xlsx], "xlsx:Calc MS Excel 2007 XML", tmp_path)
        ws = load_workbook(recalculated, data_only=True)["Summary_Communication"]
        assert ws["AA13"].value == pytest.approx(ALUMINIUM_FIGURES["excl_pfc"], rel=1e-4)
        assert ws["AC13"].value == pytest.approx(ALUMINIUM_FIGURES["pfc"], rel=1e-4)
        assert ws["AI15"].value == pytest.approx(ALUMINIUM_FIGURES["direct"], rel=1e-4)
        assert ws["AI16"].value == pytest.approx(ALUMINIUM_FIGURES["indirect"], rel=1e-4)
        assert ws["I26"].value == pytest.approx(ALUMINIUM_FIGURES["see_direct"], rel=1e-4)
        assert ws["J26"].value == pytest.approx(ALUMINIUM_FIGURES["see_indirect"], rel=1e-4)
