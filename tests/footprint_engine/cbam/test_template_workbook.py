"""The communication as the Commission's own template: the template file unmodified, every formula of it
kept, only input cells written, and — after LibreOffice recalculates — the template's own formulas giving
our figures in the cells a Summary_Communication reader takes."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import pytest
from openpyxl.worksheet.formula import ArrayFormula

from footprint_engine.cbam import CbamInputError, build_communication, render_communication
from footprint_engine.cbam.communication import QUALIFYING_PARAMETERS
from footprint_engine.cbam.template_wording import (
    TEMPLATE_CATEGORY,
    TEMPLATE_ROUTE,
    routes_of_category,
)
from footprint_engine.cbam.workbook_layout import (
    PARAMETER_COLUMNS,
    TEMPLATE_PATH,
    TEMPLATE_SHA256,
    TEMPLATE_SHEETS,
    XSD_DIR,
)
from footprint_engine.cbam.xml_schema import XSD_SHA256

from .conftest import EXAMPLES, open_workbook
from .examples import INSTALLATION_RECEIPT, aluminium_installation, steel_installation

PEERS = Path(__file__).resolve().parents[4] / "shared" / "peers" / "cbam"
REL = 1e-4  # ±0.01 %


@functools.cache
def _template():
    return open_workbook(TEMPLATE_PATH)


@functools.cache
def _recalculated_values(path: Path):
    return open_workbook(path, data_only=True)


def _formula(value: object) -> object:
    """A formula as comparable text (array formulas by their range and text), else None."""
    if isinstance(value, ArrayFormula):
        return ("array", value.ref, value.text)
    if isinstance(value, str) and value.startswith("="):
        return value
    return None


@functools.cache
def _template_formulas() -> dict[str, dict[str, object]]:
    wb = _template()
    formulas: dict[str, dict[str, object]] = {}
    for ws in wb.worksheets:
        formulas[ws.title] = {
            c.coordinate: _formula(c.value)
            for row in ws.iter_rows()
            for c in row
            if _formula(c.value) is not None
        }
    return formulas


@functools.cache
def _template_values():
    return open_workbook(TEMPLATE_PATH, data_only=True)


def test_the_template_has_formulas_of_both_kinds():
    kinds = {type(v) for sheet in _template_formulas().values() for v in sheet.values()}
    assert kinds == {str, tuple}
    assert sum(len(sheet) for sheet in _template_formulas().values()) > 40_000


def test_bundled_files_are_the_commissions_unmodified():
    assert hashlib.sha256(TEMPLATE_PATH.read_bytes()).hexdigest() == TEMPLATE_SHA256
    for name, digest in XSD_SHA256.items():
        assert hashlib.sha256((XSD_DIR / name).read_bytes()).hexdigest() == digest
    if PEERS.exists():  # the official copies the project was given
        assert (XSD_DIR / "QReport_17.03.xsd").read_bytes() == (PEERS / "QReport_17.03.xsd").read_bytes()


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_template_formula_is_kept(examples_xlsx, name):
    """Inputs only: each formula cell of the template holds the same formula in our workbook."""
    from openpyxl import load_workbook

    wb = load_workbook(examples_xlsx[f"{name}.xlsx"], read_only=True)
    assert wb.sheetnames[: len(TEMPLATE_SHEETS)] == list(TEMPLATE_SHEETS)
    assert wb.sheetnames[len(TEMPLATE_SHEETS) :] == ["tanlian_Receipts", "tanlian_DefaultComparison"]
    ours: dict[str, dict[str, object]] = {}
    for title in TEMPLATE_SHEETS:
        ours[title] = {
            c.coordinate: _formula(c.value)
            for row in wb[title].iter_rows()
            for c in row
            if hasattr(c, "coordinate")
        }
    wb.close()
    for title, formulas in _template_formulas().items():
        changed = [coord for coord, formula in formulas.items() if ours[title].get(coord) != formula]
        assert not changed, f"{title}: formula cells overwritten: {changed[:5]}"


def test_validation_lists_and_names_stay(examples_xlsx):
    wb = open_workbook(examples_xlsx["cement.xlsx"])
    template = _template()
    for title in TEMPLATE_SHEETS:
        got = len(wb[title].data_validations.dataValidation)
        assert got == len(template[title].data_validations.dataValidation), title
    assert set(wb.defined_names) == set(template.defined_names)


def test_wording_tables_match_the_template():
    pc = _template_values()["Parameters_Constants"]
    goods = [pc[f"A{r}"].value for r in range(89, 107)]
    assert set(TEMPLATE_CATEGORY.values()) == set(goods)
    for r in range(89, 107):
        category = pc[f"A{r}"].value
        routes = tuple(v for v in (pc.cell(r, c).value for c in range(7, 17)) if v != "n.a.")
        assert routes_of_category(category) == routes, category
    assert set(TEMPLATE_ROUTE.values()) <= {pc.cell(r, c).value for r in range(89, 107) for c in range(7, 17)}
    # Qualifying parameters per category: the template's matrix (rows 110-127) without the two text ones.
    for r in range(110, 128):
        category = pc[f"A{r}"].value
        asked = [
            v
            for v in (pc.cell(r, c).value for c in range(2, 10))
            if v
            not in (
                "n.a.",
                "The main reducing agent of the precursor, if known",
                "Steel mill identification number",
            )
        ]
        ours = {
            name
            for key, names in QUALIFYING_PARAMETERS.items()
            if TEMPLATE_CATEGORY[key] == category
            for name in names
        }
        assert ours == set(asked) - {"Calcined or not"}, category
    header = _template_values()["Summary_Products"]
    for name, column in PARAMETER_COLUMNS.items():
        assert header[f"{column}8"].value == name


def _summary(example):
    return _recalculated_values(example.recalculated)["Summary_Communication"]


def _close(got, want):
    assert got == pytest.approx(want, rel=REL, abs=1e-9), (got, want)


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_template_formulas_give_our_figures(recalculated, name):
    example = recalculated[name]
    c = example.communication
    ws = _summary(example)
    inst = c.installation
    # Section 3: emissions by monitoring methodology (row 13) and installation totals (AI15:AI17).
    _close(ws["AA13"].value, inst.total_direct_excl_pfc_tco2e)
    _close(ws["AC13"].value, inst.total_pfc_tco2e)
    _close(ws["AI15"].value, inst.total_direct_tco2e)
    _close(ws["AI16"].value, inst.total_indirect_tco2e)
    _close(ws["AI17"].value, inst.total_direct_tco2e + inst.total_indirect_tco2e)
    assert ws["G12"].value == inst.name
    assert ws["G16"].value == inst.country  # the template looks the country code up from the name we wrote
    # Section 2 of the summary: one row per good from row 26, the template's own SEE.
    for offset, good in enumerate(c.goods):
        row = 26 + offset
        assert ws[f"F{row}"].value == good.cn_code[:8]
        _close(ws[f"I{row}"].value, good.see_direct)
        _close(ws[f"J{row}"].value, good.see_indirect)
        _close(ws[f"K{row}"].value, good.see_total)
        assert ws[f"G{row}"].value not in (None, "#N/A")
    assert ws[f"D{26 + len(c.goods)}"].value is None


def test_aluminium_pfc_split_and_totals_cells(recalculated):
    ws = _summary(recalculated["aluminium"])
    assert ws["AA13"].value == pytest.approx(311_220, rel=REL)  # calculation-based, excluding PFC
    assert ws["AC13"].value == pytest.approx(20_000, rel=REL)  # PFC
    assert ws["AI15"].value == pytest.approx(331_220, rel=REL)
    assert ws["AI16"].value == pytest.approx(1_448_820, rel=REL)
    assert ws["AI17"].value == pytest.approx(1_780_040, rel=REL)
    # Routes and categories in the template's wording.
    assert ws["I12"].value == "Unwrought aluminium"
    assert ws["J12"].value == "Primary (electrolytic) smelting"
    assert ws["S12"].value == "Unwrought aluminium"


def test_routes_parameters_and_verification_in_the_templates_words(recalculated):
    steel = _recalculated_values(recalculated["steel"].recalculated)
    ws = steel["Summary_Communication"]
    assert ws["I12"].value == "Iron or steel products"
    assert ws["J12"].value == "All production routes"
    assert ws["Q26"].value == "Coal or coke"
    assert ws["R26"].value == "CN-STEEL-001"
    for col in "STUVY":  # % Mn, Cr, Ni, other alloys, other materials: zeros, not blanks
        assert ws[f"{col}26"].value == 0
    assert ws["AM26"].value == "National Emissions Trading System"
    assert ws["AZ26"].value == pytest.approx(24.3387, rel=REL)
    assert ws["AM13"].value.startswith("Data verified by Example Verification Co., Ltd.")
    inst = steel["A_InstData"]
    assert inst["I37"].value == "Example Verification Co., Ltd."
    assert inst["I20"].value == "Example Steel Works (Jiangsu)"
    # The purchased pig iron: its route in the template's words, SEE (indirect) from MWh/t × EF.
    assert inst["G102"].value == "Blast furnace route"
    cement = _summary(recalculated["cement"])
    assert cement["AC27"].value == pytest.approx(0.86)  # clinker factor computed from the precursors
    assert cement["AM13"].value.startswith("Data not verified")


def test_two_installations_precursors(recalculated):
    example = recalculated["extrusion"]
    (good,) = example.communication.goods
    assert good.see_direct == pytest.approx(2.01696)
    assert good.see_indirect == pytest.approx(5.40574)
    wb = _recalculated_values(example.recalculated)
    inst = wb["A_InstData"]
    assert [inst[f"L{r}"].value for r in (102, 103)] == ["ingot-yunnan", "ingot-sichuan"]
    prec = wb["E_PurchPrec"]
    assert prec["L52"].value == pytest.approx(7.2441)  # 13.5 MWh/t x 0.5366
    assert prec["L96"].value == pytest.approx(1.4)


def test_workbook_opens_in_libreoffice_and_renders(recalculated, tmp_path):
    from .libreoffice import convert

    (pdf,) = convert([recalculated["aluminium"].xlsx], "pdf", tmp_path)
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_template_limits_need_a_second_workbook():
    inst = aluminium_installation()
    process = inst.processes[0]
    many = [
        process.model_copy(
            update={
                "process_id": f"smelt-{i}",
                "name": f"Potline {i}",
                "goods": [process.goods[0].model_copy(update={"good_id": f"ingot-{i}"})],
            }
        )
        for i in range(11)
    ]
    sources = [
        s.model_copy(update={"attribution": {f"smelt-{i}": 1 / 11 for i in range(11)}})
        for s in inst.direct_emissions
    ]
    big = inst.model_copy(update={"processes": many, "direct_emissions": sources})
    comm = build_communication(big, period=2026)
    with pytest.raises(CbamInputError, match=r"11 production processes.*at most 10.*second workbook"):
        render_communication(comm, "xlsx")


def test_pfc_as_tonnes_cannot_fill_the_template():
    from footprint_engine.cbam import DirectEmissionSource

    inst = aluminium_installation()
    sources = [s for s in inst.direct_emissions if s.kind != "pfc"]
    sources.append(DirectEmissionSource(source_id="pfc", kind="pfc", tco2e=20_000, attribution={"smelt": 1}))
    comm = build_communication(inst.model_copy(update={"direct_emissions": sources}), period=2026)
    with pytest.raises(CbamInputError, match="slope method — give pfc_slope"):
        render_communication(comm, "xlsx")


def test_cn_code_missing_from_the_templates_list_is_refused():
    inst = steel_installation()
    process = inst.processes[0]
    good = process.goods[0].model_copy(update={"cn_code": "72083999"})
    bad = inst.model_copy(update={"processes": [process.model_copy(update={"goods": [good]})]})
    comm = build_communication(bad, period=2026, receipts=[INSTALLATION_RECEIPT])
    with pytest.raises(CbamInputError, match=r"72083999 is not in the communication template's CN list"):
        render_communication(comm, "xlsx")


def test_everything_else_of_the_template_is_kept(examples_xlsx):
    """Written at the XML level: the x14 conditional formatting openpyxl would drop is still there, the
    unwritten sheets are the template's but for their cached results, and a full calculation is asked."""
    import re
    import zipfile

    from footprint_engine.cbam.xlsx_patch import strip_cached_results

    ours = zipfile.ZipFile(examples_xlsx["steel.xlsx"])
    template = zipfile.ZipFile(TEMPLATE_PATH)
    x14 = [
        n
        for n in template.namelist()
        if n.startswith("xl/worksheets/") and b"x14:conditionalFormatting" in template.read(n)
    ]
    assert x14, "the template has x14 conditional formatting"
    for name in x14:
        assert template.read(name).count(b"<x14:cfRule") == ours.read(name).count(b"<x14:cfRule")
    untouched = "xl/worksheets/sheet18.xml"  # a sheet no input goes to
    assert ours.read(untouched) == strip_cached_results(template.read(untouched))
    assert b'fullCalcOnLoad="1"' in ours.read("xl/workbook.xml")
    for name in ours.namelist():
        if name.startswith("xl/worksheets/sheet"):
            assert not re.search(rb"</f><v>|<f[^>]*/><v>", ours.read(name)), f"cached result left in {name}"
