"""The activity template in Chinese (issue 18, item 2 and "Why" 1): Chinese headers, section, unit and
data-source names, an instructions sheet, one example per section, drop-downs and number/date checks, numbers
stored as numbers; downloaded, filled in and uploaded again it gives the rows it was filled with."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook

from footprint_engine.examples import load_example
from footprint_engine.units import canonical_unit
from supplier_portal import activity_sheet as sheet
from supplier_portal.sheet.columns import SECTION_NAMES
from supplier_portal.sheet.template import EXAMPLE_ROWS
from tests.supplier_portal.test_upload_encodings import HEADER, portal  # noqa: F401 (fixture)

ZH_LABELS = ["类别", "编号", "名称", "关联项", "数量", "单位"]


def _book(data: bytes) -> Any:
    return load_workbook(io.BytesIO(data))


def test_the_chinese_xlsx_has_chinese_headers_examples_and_an_instructions_sheet() -> None:
    book = _book(sheet.template_xlsx(locale="zh_CN"))
    assert book.sheetnames == ["活动数据", "说明"]
    data = book["活动数据"]
    assert [c.value for c in data[1]][:6] == ZH_LABELS
    examples = [[c.value for c in row] for row in data.iter_rows(min_row=2)]
    sections = [r["section"] for r in EXAMPLE_ROWS]
    assert sorted(sections) == sorted(sheet.SECTIONS)  # one example per section
    assert [r[0] for r in examples] == [SECTION_NAMES[s] for s in sections]
    assert {r[5] for r in examples} == {"吨", "件", "立方米", "兆瓦时", "吉焦"}
    text = "\n".join(str(c.value) for row in book["说明"].iter_rows() for c in row if c.value)
    for words in (
        "活动数据模板填写说明",
        "绿证行的“关联项”填写该绿证所对应电力行的编号",
        "万立方米",
        "20,000 行",
        "GB18030/GBK",
    ):
        assert words in text, words
    # nothing left in English but identifiers, units and codes
    sentences = [line for line in text.splitlines() if line.isascii() and " " in line and len(line) > 20]
    assert sentences == []


def test_numbers_are_numbers_dates_are_dates() -> None:
    data = _book(sheet.template_xlsx(locale="zh_CN"))["活动数据"]
    amounts = [row[4] for row in data.iter_rows(min_row=2)]
    assert all(c.data_type == "n" and isinstance(c.value, int | float) for c in amounts)
    gec = next(row for row in data.iter_rows(min_row=2) if row[0].value == "绿证")
    assert gec[11].is_date and gec[11].value.date() == date(2024, 4, 15)
    assert gec[11].number_format == "yyyy-mm-dd"


def test_data_validation_offers_sections_units_and_data_sources_and_checks_numbers() -> None:
    data = _book(sheet.template_xlsx(locale="zh_CN"))["活动数据"]
    found = {str(dv.sqref).split(":")[0]: dv for dv in data.data_validations.dataValidation}
    assert found["A2"].type == "list" and "原材料" in found["A2"].formula1 and "绿证" in found["A2"].formula1
    assert found["A2"].errorStyle == "stop" and str(found["A2"].sqref) == f"A2:A{sheet.MAX_ROWS + 1}"
    units = found["F2"].formula1
    assert all(u in units for u in ("吨", "千克", "千瓦时", "兆瓦时", "立方米", "吉焦", "件"))
    assert found["H2"].type == "list" and "初级数据" in found["H2"].formula1
    assert found["E2"].type == "decimal" and found["E2"].operator == "greaterThanOrEqual"
    assert found["G2"].type == "decimal"
    assert found["L2"].type == "date" and found["M2"].type == "date"
    english = _book(sheet.template_xlsx(locale="en"))["Activity data"]
    section = next(dv for dv in english.data_validations.dataValidation if str(dv.sqref).startswith("A2"))
    assert "material" in section.formula1 and [c.value for c in english[1]][:2] == ["Section", "Id"]


def test_the_csv_template_is_utf8_with_a_bom_and_chinese() -> None:
    data = sheet.template_csv(locale="zh_CN")
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines()[0].startswith(",".join(ZH_LABELS))
    assert sheet.read_upload("a.csv", data) == sheet.read_upload(
        "a.xlsx", sheet.template_xlsx(locale="zh_CN")
    )


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_download_fill_upload_gives_the_same_rows(portal: Any, kind: str) -> None:  # noqa: F811
    # the aluminium example's rows, written into the Chinese template downloaded from the portal
    rows = sheet.rows_from_activity(load_example("aluminium-ingot-yunnan"))
    resp = portal.get(f"/portal/template.{kind}")
    assert resp.status_code == 200
    if kind == "xlsx":
        book = _book(resp.content)
        data = book.worksheets[0]
        assert [c.value for c in data[1]][:6] == ZH_LABELS
        data.delete_rows(2, data.max_row)  # the examples out, the user's rows in
        filled = _book(sheet.template_xlsx(rows, locale="zh_CN")).worksheets[0]
        for values in filled.iter_rows(min_row=2, values_only=True):
            data.append(values)
        out = io.BytesIO()
        book.save(out)
        upload = out.getvalue()
    else:
        assert resp.content.decode("utf-8-sig").startswith(",".join(ZH_LABELS))
        upload = sheet.template_csv(rows, locale="zh_CN").decode("utf-8-sig").encode("gbk")  # Excel's save
    back = sheet.read_upload(f"活动数据.{kind}", upload)
    # the same rows, units as the Chinese template names them (吨 for t …)
    assert [{**r, "unit": canonical_unit(r["unit"])[0]} for r in back] == rows
    assert sheet.build_activity(HEADER, back)["inputs"] == sheet.build_activity(HEADER, rows)["inputs"]


def test_the_english_template_round_trips_exactly() -> None:
    rows = sheet.rows_from_activity(load_example("aluminium-ingot-yunnan"))
    assert sheet.read_upload("a.xlsx", sheet.template_xlsx(rows, locale="en")) == rows


def test_the_grid_offers_sections_and_units_in_the_pages_language(portal: Any) -> None:  # noqa: F811
    """Why 1: the grid's section list read `material`, `gec` …, and units had to be typed as pint knows them.
    Now sections show 原材料 … (values stay the keys) and the unit cells offer 吨, 千瓦时 … mapped to t, kWh."""
    page = portal.get("/portal/submissions/new").text
    assert (
        '<option value="material" >原材料</option>' in page
        or '<option value="material">原材料</option>' in page
    )
    assert ">gec<" not in page and ">material<" not in page
    assert '<datalist id="unit-choices">' in page
    assert (
        '<option value="吨" label="t"></option>' in page
        and '<option value="千瓦时" label="kWh"></option>' in page
    )
    assert (
        '<option value="初级数据"></option>' in page
        and '<option value="水电" label="hydro"></option>' in page
    )
    assert (
        "类别为 gec" not in page and "reference 为" not in page
    )  # the intro names the columns as the grid does
    assert 'aria-label="unit ' not in page and 'aria-label="section ' not in page  # labels, not column keys
    portal.cookies.set("lang", "en")
    try:
        page = portal.get("/portal/submissions/new").text
        assert ">Material</option>" in page and ">GEC (green certificate)</option>" in page
        assert (
            '<option value="kWh" label="kWh"></option>' in page
            and "吨" not in page.split("unit-choices")[1][:400]
        )
    finally:
        portal.cookies.set("lang", "zh_CN")


def test_generation_types_in_chinese_become_the_engines_keys() -> None:
    """A GEC row typed 水电 / 风力发电 in the grid or the template is the engine's hydro / wind."""
    rows = sheet.rows_from_activity(load_example("aluminium-ingot-yunnan"))
    gec = [r for r in rows if r["section"] == "gec"]
    assert gec, "the example claims GECs"
    names = iter(["水力发电", "风电"])
    typed = [{**r, "generation_type": next(names, "光伏")} if r["section"] == "gec" else r for r in rows]
    claims = [
        c for e in sheet.build_activity(HEADER, typed)["inputs"]["electricity"] for c in e["greenPowerClaims"]
    ]
    assert {c["generationType"] for c in claims} <= {"hydro", "wind"}
    assert claims[0]["generationType"] == "hydro"
