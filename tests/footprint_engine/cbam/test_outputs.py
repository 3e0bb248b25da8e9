"""XLSX (Summary_Communication layout), JSON and XML outputs, each carrying the receipts."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from openpyxl import load_workbook

from footprint_engine.cbam import build_communication, render_communication
from footprint_engine.cbam.export_xlsx import PRODUCT_COLUMNS, PRODUCTS_FIRST_ROW, SHEET_NAME
from footprint_engine.cbam.export_xml import XML_NAMESPACE

from .examples import INSTALLATION_RECEIPT, PIG_IRON_RECEIPT, cement_installation

NS = {"c": XML_NAMESPACE}


@pytest.fixture
def cement_comm():
    return build_communication(
        cement_installation("gec"), period=2026, certificate_price_eur=80, receipts=[INSTALLATION_RECEIPT]
    )


def _check_summary_sheet(ws) -> None:
    assert ws["B2"].value == "Communication with reporting declarants"
    assert ws["D23"].value == "Summary of products"
    assert ws["D12"].value == "Name of the installation (English name):"
    assert ws["G12"].value == "Example Cement Plant (Anhui)"
    for letter, header in PRODUCT_COLUMNS.items():
        assert ws[f"{letter}25"].value == header
    r1, r2 = PRODUCTS_FIRST_ROW, PRODUCTS_FIRST_ROW + 1
    assert ws[f"F{r1}"].value == "2523100090"
    assert ws[f"I{r1}"].value == pytest.approx(0.88538)
    assert ws[f"J{r1}"].value == pytest.approx(0.04293)
    assert ws[f"F{r2}"].value == "25232900"
    assert ws[f"H{r2}"].value == "Portland cement CEM I 42.5"
    assert ws[f"I{r2}"].value == pytest.approx(0.81069)
    assert ws[f"J{r2}"].value == pytest.approx(0.05809)
    assert ws[f"K{r2}"].value == pytest.approx(0.86878)
    assert ws[f"M{r2}"].value == pytest.approx(0.16)
    assert ws[f"P{r2}"].value == pytest.approx(0.5366)
    assert "MEE/NBS" in ws[f"N{r2}"].value
    # Installation totals: 708 300 + 2 805 direct; (64 000 + 40 000) MWh x 0.5366 indirect.
    assert ws["AG15"].value == pytest.approx(711_105)
    assert ws["AG16"].value == pytest.approx(104_000 * 0.5366)


def test_xlsx_layout_and_figures(cement_comm):
    wb = load_workbook(io.BytesIO(render_communication(cement_comm, "xlsx")))
    assert wb.sheetnames == [SHEET_NAME, "Default_Comparison", "Receipts"]
    _check_summary_sheet(wb[SHEET_NAME])
    receipts = wb["Receipts"]
    assert receipts["A2"].value == "sub-installation-2026"
    assert receipts["C2"].value == 7 and receipts["D2"].value == 1024
    assert json.loads(receipts["G2"].value) == INSTALLATION_RECEIPT
    comparison = wb["Default_Comparison"]
    assert comparison["M3"].value == pytest.approx(34_661 * 80)


def test_json_round_trip(cement_comm):
    data = json.loads(render_communication(cement_comm, "json"))
    assert data["period"] == 2026
    assert data["receipts"] == [INSTALLATION_RECEIPT]
    cement = next(g for g in data["goods"] if g["good_id"] == "cem-i-42-5")
    assert cement["see_counted"] == pytest.approx(0.86878)
    assert "Annex IV point 6" in data["electricity_rule_source"]


def test_xml_goods_emissions_shape(steel):
    comm = build_communication(steel, period=2026, certificate_price_eur=80, receipts=[INSTALLATION_RECEIPT])
    root = ET.fromstring(render_communication(comm, "xml"))
    assert root.tag == f"{{{XML_NAMESPACE}}}CBAMCommunication"
    (good,) = root.findall("c:Good", NS)
    assert good.findtext("c:CommodityCode/c:CnCode", namespaces=NS) == "72083900"
    ge = good.find("c:GoodsEmissions", NS)
    assert ge is not None
    children = [child.tag.split("}")[1] for child in ge]
    assert children == [
        "SequenceNumber",
        "ProductionCountry",
        "InstallationOperator",
        "Installation",
        "ProducedMeasure",
        "InstallationEmissions",
        "DirectEmissions",
        "IndirectEmissions",
        "CarbonPriceDue",
        "RemarksEmissions",
    ]
    assert ge.findtext("c:DirectEmissions/c:SpecificEmbeddedEmissions", namespaces=NS) == "2.346"
    assert ge.findtext("c:IndirectEmissions/c:SpecificEmbeddedEmissions", namespaces=NS) == "0.3583"
    assert ge.findtext("c:IndirectEmissions/c:EmissionFactor", namespaces=NS) == "0.5366"
    assert ge.findtext("c:ProducedMeasure/c:NetMass", namespaces=NS) == "100000"
    receipts = [json.loads(r.text or "") for r in root.findall("c:Receipts/c:Receipt", NS)]
    assert receipts == [INSTALLATION_RECEIPT, PIG_IRON_RECEIPT]


def test_unknown_format(cement_comm):
    from footprint_engine.cbam import CbamInputError

    with pytest.raises(CbamInputError, match="format 'pdf' unknown"):
        render_communication(cement_comm, "pdf")  # type: ignore[arg-type]


def _soffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None and not os.environ.get("CI"):
        pytest.skip("LibreOffice (soffice) not installed; in CI this test fails instead of skipping")
    assert found is not None, "LibreOffice (soffice) missing in CI: install libreoffice-calc-nogui"
    return found


def _convert(soffice: str, source: Path, fmt: str, out_dir: Path) -> Path:
    profile = out_dir / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(out_dir / fmt.split(":")[0]),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out_dir / fmt.split(":")[0] / (source.stem + "." + fmt.split(":")[0])


def test_xlsx_opens_in_libreoffice(cement_comm, tmp_path):
    soffice = _soffice()
    assert soffice is not None
    xlsx = tmp_path / "communication.xlsx"
    xlsx.write_bytes(render_communication(cement_comm, "xlsx"))
    pdf = _convert(soffice, xlsx, "pdf", tmp_path)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    # Re-saved by LibreOffice: the Summary_Communication cells still hold the right figures.
    resaved = _convert(soffice, xlsx, "xlsx:Calc MS Excel 2007 XML", tmp_path)
    wb = load_workbook(resaved)
    _check_summary_sheet(wb[SHEET_NAME])
