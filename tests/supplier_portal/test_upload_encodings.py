"""Uploads of the activity table as Excel in China saves them (issue 18, item 5 and "Why" 6): GBK/GB18030 and
UTF-8 (BOM or not) CSV with Chinese headers, section names and units; bytes in no readable encoding refused in
the user's language; 3,000 rows fill the grid (they used to give a silent 422 and an empty form); 20,001 rows
refused with the limit named; the unit table shared with the factor-table import."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from footprint_engine.units import UNIT_NAMES, canonical_unit, check_unit
from supplier_portal import activity_sheet as sheet
from supplier_portal.i18n import translations
from tests.node_service.helpers import registration

HEADER = sheet.Header("88.118.8/AL-INGOT-A00", None, "91530100MA6K8Q2L5T", "2024-01-01", "2024-12-31", "昆明",
                      "CN-YN", "t", "100000")  # fmt: skip
ZH_HEADER = "类别,编号,名称,关联项,数量,单位,距离（千米）,数据类型,排放因子,绿证编号,发电类型,生产日期,注销日期,申领方"
ZH_ROWS = [
    '原材料,alumina,冶金级氧化铝,88.118.5/ALUMINA-SGA,"192,000",吨,,次级数据,material/alumina/CN/2021,,,,,',
    "燃料,gas,天然气,natural_gas,12.5,万立方米,,初级数据,,,,,,",
    "电力,power,电解槽用电,CN-YN,1350000,兆瓦时,,初级数据,,,,,,",
    "绿证,gec-1,,power,300000,兆瓦时,,,,GEC-2024-YN-HYD-000123,hydro,2024-04-15,2025-01-20,",
    "热力,steam,外购蒸汽,steam,12000,吉焦,,初级数据,,,,,,",
    "运输,rail,alumina,rail,192000,吨,1200,,,,,,,",
    "包装,pallets,木托盘,wood_pallet,4000,件,,初级数据,,,,,,",
    "废弃物,spl,废阴极内衬,landfill,2500,吨,,,,,,,,",
]


def _zh(message: str, **params: Any) -> str:
    text = translations("zh_CN").gettext(message)
    return text.format(**params) if params else text


def _csv(rows: list[str], encoding: str) -> bytes:
    return ("\r\n".join([ZH_HEADER, *rows]) + "\r\n").encode(encoding)


def test_a_gbk_csv_with_chinese_headers_sections_and_units_imports() -> None:
    data = _csv(ZH_ROWS, "gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really not UTF-8
    rows = sheet.read_upload("活动数据.csv", data)
    assert [r["section"] for r in rows] == [
        "material", "fuel", "electricity", "gec", "heat", "transport", "packaging", "waste",
    ]  # fmt: skip
    assert rows[0]["name"] == "冶金级氧化铝" and rows[0]["data_source"] == "secondary"
    assert sheet.check_rows(rows) == []
    inputs = sheet.build_activity(HEADER, rows)["inputs"]
    assert (inputs["materials"][0]["amount"], inputs["materials"][0]["unit"]) == (192000, "t")
    assert (inputs["fuels"][0]["amount"], inputs["fuels"][0]["unit"]) == (125000, "m3")  # 12.5 万立方米
    assert inputs["electricity"][0]["unit"] == "MWh"
    assert inputs["electricity"][0]["greenPowerClaims"][0]["quantityMWh"] == 300000
    assert inputs["heat"][0]["unit"] == "GJ" and inputs["packaging"][0]["unit"] == "piece"
    assert inputs["transport"][0]["mass"] == {"amount": 192000, "unit": "t"}
    # GB18030 proper (a character GBK lacks) reads too
    rows = sheet.read_upload("a.csv", _csv([ZH_ROWS[0].replace("冶金级氧化铝", "冶金级氧化铝𠀀")], "gb18030"))
    assert rows[0]["name"] == "冶金级氧化铝𠀀"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_with_and_without_bom_read_the_same(encoding: str) -> None:
    assert sheet.read_upload("a.csv", _csv(ZH_ROWS, encoding)) == sheet.read_upload(
        "a.csv", _csv(ZH_ROWS, "gbk")
    )


def test_english_headers_and_machine_keys_are_accepted_too() -> None:
    english = b"Section,Id,Amount,Unit\r\nmaterial,a,1,kg\r\n"
    keys = b"section,id,amount,unit\r\nmaterial,a,1,kg\r\n"
    assert sheet.read_upload("a.csv", english) == sheet.read_upload("a.csv", keys)


@pytest.mark.parametrize(
    "data", [b"section,id,amount\r\n\xff\xfe\xfa,a,1\r\n", "类别,编号,数量\r\n".encode("utf-16")]
)
def test_bytes_in_no_readable_encoding_are_refused_in_the_users_language(data: bytes) -> None:
    with pytest.raises(sheet.SheetInvalid) as caught:
        sheet.read_upload("a.csv", data)
    (error,) = caught.value.errors
    text = _zh(error.message, **error.params)
    assert "UTF-8" in text and "GB18030/GBK" in text and "另存为" in text, text


def test_blank_lines_keep_the_files_row_numbers() -> None:
    data = _csv([ZH_ROWS[0], ",,,,,,,,,,,,,", "原材料,b,,x,坏,吨,,,,,,,,"], "utf-8")
    rows = sheet.read_upload("a.csv", data)
    assert [(e.row, e.column) for e in sheet.check_rows(rows)] == [(4, "amount")]


def _rows_csv(n: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ZH_HEADER.split(","))
    for i in range(n):
        writer.writerow(
            ["原材料", f"m{i}", "氧化铝", "88.118.5/ALUMINA-SGA", str(i + 1), "吨", "", "次级数据"]
        )
    return out.getvalue().encode("gbk")


def test_3000_rows_are_read_and_every_row_checked() -> None:
    # "Why" 6: the old limit (2,000) refused this with an error placed on row 2,002, which no page showed
    rows = sheet.read_upload("big.csv", _rows_csv(3000))
    assert len(rows) == 3000 and rows[-1]["id"] == "m2999"
    assert sheet.check_rows(rows) == []


def test_20001_rows_are_refused_with_the_limit_named() -> None:
    with pytest.raises(sheet.SheetInvalid) as caught:
        sheet.read_upload("big.csv", _rows_csv(sheet.MAX_ROWS + 1))
    (error,) = caught.value.errors
    assert (error.row, error.column) == (0, "file")
    assert (
        _zh(error.message, **error.params) == "文件共有 20001 行，一次最多可上传 20000 行。请拆分为多个文件。"
    )


def test_the_unit_table_is_the_engines_and_the_factor_imports() -> None:
    from node_service.services.factors.table_import import read_factor_table

    for name, (unit, _power) in UNIT_NAMES.items():
        assert check_unit(unit, field=name) == unit
    assert canonical_unit(" 千瓦时 ") == ("kWh", 0) and canonical_unit("万立方米") == ("m3", 4)
    assert canonical_unit("kg") == ("kg", 0)
    table = (
        "value,unit,geography,source_title,publisher,key,name_zh\r\n"
        "2.0,kgCO2e/吨,CN,测试,测试单位,a,甲\r\n"
        "21620,kgCO2e/万立方米,CN,测试,测试单位,b,天然气\r\n"
    ).encode("gbk")
    first, second = read_factor_table(table, "因子.csv", "91530100MA6K8Q2L5T")
    assert first.unit == "t"
    assert second.unit == "m3" and sum(second.emissions.values()) == pytest.approx(2.162)


# --- through the portal ------------------------------------------------------------------------------------


@pytest.fixture
def portal(make_node: Any) -> Any:
    from fastapi.testclient import TestClient

    from node_service.app import create_app

    client = TestClient(create_app(node=make_node()), base_url="http://127.0.0.1")
    client.cookies.set("lang", "zh_CN")
    body = {
        "registration": registration(Ed25519PrivateKey.generate(), "冶炼厂", ["supplier"]),
        "username": "admin-smelter",
        "password": "p" * 12,
    }
    resp = client.post("/portal/register", json=body, headers={"X-CSRF-Token": _csrf(client)})
    assert resp.status_code == 201, resp.text
    return client


def _csrf(client: Any) -> str:
    match = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', client.get("/portal/register").text)
    assert match
    return match.group(1)


def _upload(client: Any, name: str, data: bytes) -> Any:
    page = client.get("/portal/submissions/new").text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
    assert token, page[:500]
    return client.post(
        "/portal/submissions/upload",
        data={"csrf_token": token.group(1), "rows": "0"},
        files={"file": (name, data, "text/csv")},
    )


def test_the_page_states_the_limits_up_front(portal: Any) -> None:
    page = portal.get("/portal/submissions/new").text
    assert "每个文件最多 8 MiB、20,000 行" in page and "GB18030/GBK" in page


def test_a_3000_row_gbk_csv_fills_the_grid(portal: Any) -> None:
    resp = _upload(portal, "活动数据.csv", _rows_csv(3000))
    assert resp.status_code == 200, re.findall(r'class="field-error[^>]*>([^<]*)', resp.text)[:3]
    # stored whole as the draft, shown a page at a time (supplier_portal.drafts.PAGE_ROWS)
    assert "共 3,000 行，显示第 1–200 行" in resp.text and 'name="r199.id" value="m199"' in resp.text
    draft = re.search(r'name="draft" value="([0-9a-f-]{36})"', resp.text)
    assert draft
    last = portal.get(f"/portal/submissions/new?draft={draft.group(1)}&page=15").text
    assert "显示第 2,801–3,000 行" in last and 'name="r199.id" value="m2999"' in last


def test_20001_rows_and_bad_encodings_are_refused_on_the_page_in_chinese(portal: Any) -> None:
    resp = _upload(portal, "big.csv", _rows_csv(sheet.MAX_ROWS + 1))
    assert resp.status_code == 422
    assert "文件共有 20001 行，一次最多可上传 20000 行" in resp.text
    resp = _upload(portal, "bad.csv", b"section,id,amount\r\n\xff\xfe,a,1\r\n")
    assert resp.status_code == 422 and "GB18030/GBK" in resp.text and "另存为" in resp.text


def test_every_row_problem_is_reported_at_once_and_the_summary_is_capped(portal: Any) -> None:
    rows = [f"原材料,m{i},氧化铝,x,很多,吨,,,,,,,," for i in range(25)]
    resp = _upload(portal, "a.csv", _csv(rows, "gbk"))
    assert resp.status_code == 422
    assert resp.text.count('class="field-error cell-error"') == 25  # each at its cell
    summary = re.search(r'id="err-0-file"[^>]*>([^<]*)<', resp.text)
    assert summary, "no summary by the upload box"
    assert "上传的数据中有 25 个问题" in summary.group(1) and "另有 5 个问题" in summary.group(1)
