"""The review step (issue 18, item 4 and "Why" 3 and 5): the rows that will be signed, as a practitioner's tables
with Chinese section and unit names and hand-computed totals; the fingerprint of the document the page's script
signs; and the way back to the grid keeping every field after a failed submission."""

from __future__ import annotations

import hashlib
import html
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from node_service.credentials import eddsa_jcs_2022
from node_service.credentials.didkey import verification_method_id
from node_service.credentials.jcs import canonicalize
from node_service.credentials.vc import build_credential
from supplier_portal.activity_sheet import COLUMNS, rows_from_activity
from supplier_portal.i18n import translations
from supplier_portal.review_view import build_review, format_amount, subject_sha256, unit_name
from tests.node_service.helpers import (
    activity,
    register,
    registration,
    serve_example_identifiers,
    signed_activity,
)

PREFIX = "88.118.4477"
CID = "bafkreibv4ciy6wcf3nszriyfrkisuac73cg32g4o5petx3f2bzs5s2c72a"


def smelter_month(
    org: str, serials: tuple[str, str] = ("GEC-2024-YN-HYD-000777", "GEC-2024-YN-WND-000778")
) -> dict[str, Any]:
    """A month of a Yunnan smelter: the issue's 9 rows (alumina, anode, AlF3, electricity with 2 GECs, natural gas,
    rail and truck transport, C2F6, spent pot lining)."""
    return {
        "schemaVersion": "1.0",
        "type": "ActivityData",
        "productIdentifier": f"{PREFIX}/AL-A00",
        "productName": "原铝锭 A00",
        "organisation": {"id": org},
        "reportingPeriod": {"start": "2024-03-01", "end": "2024-03-31"},
        "site": {"name": "昆明电解铝厂", "gridRegion": "CN-YN"},
        "declaredUnit": "t",
        "producedQuantity": {"amount": 8000, "unit": "t"},
        "inputs": {
            "materials": [
                {"id": "alumina", "name": "冶金级氧化铝", "identifier": "88.118.5/ALUMINA-SGA", "amount": 15400,
                 "unit": "t", "factorId": "material/alumina/CN/2021", "dataSource": "secondary", "evidence": [CID]},
                {"id": "anode", "name": "预焙阳极", "identifier": "88.118.8/ANODE-PB", "amount": 3500, "unit": "t",
                 "factorId": "material/carbon-anode/CN/2013", "dataSource": "secondary"},
                {"id": "alf3", "name": "氟化铝", "identifier": "urn:gtin:6901234567892", "amount": 140000,
                 "unit": "kg", "factorId": "material/aluminium-fluoride/GLO/2022"},
            ],
            "fuels": [
                {"id": "natural-gas", "name": "保温炉、铸造炉用天然气", "fuel": "natural_gas", "amount": 250000,
                 "unit": "m3", "dataSource": "primary"},
            ],
            "electricity": [
                {"id": "electricity", "name": "电解及辅助用电", "amount": 112500000, "unit": "kWh",
                 "gridRegion": "CN-YN", "dataSource": "primary",
                 "greenPowerClaims": [
                     {"type": "gec", "serial": serials[0], "quantityMWh": 25000, "generationType": "hydro",
                      "productionDate": "2024-03-05", "cancellation": {"claimant": org, "date": "2024-04-10"}},
                     {"type": "gec", "serial": serials[1], "quantityMWh": 8000, "generationType": "wind",
                      "productionDate": "2024-03-12", "cancellation": {"claimant": org, "date": "2024-04-10"}},
                 ]},
            ],
            "transport": [
                {"id": "alumina-rail", "mode": "rail", "distance": {"amount": 1200, "unit": "km"},
                 "mass": {"amount": 15400, "unit": "t"}, "material": "alumina"},
                {"id": "anode-truck", "mode": "road-truck", "distance": {"amount": 300, "unit": "km"},
                 "mass": {"amount": 3500, "unit": "t"}, "material": "anode"},
            ],
            "processEmissions": [
                {"id": "pfc-c2f6", "name": "阳极效应 C2F6", "gas": "C2F6", "amount": 35, "unit": "kg"},
            ],
            "waste": [
                {"id": "spl", "name": "废阴极内衬", "treatment": "landfill", "wasteType": "hazardous", "amount": 210,
                 "unit": "t"},
            ],
        },
    }  # fmt: skip


def _t(locale: str) -> Any:
    return translations(locale).gettext


# --- the tables, without a server ----------------------------------------------------------------------------


def test_every_row_under_its_chinese_section_with_chinese_units_and_hand_computed_totals() -> None:
    org = "did:key:z6MkexampleSmelter"
    credential = build_credential(smelter_month(org), org, credential_id="urn:uuid:0")
    review = build_review(credential, None, _t("zh_CN"), "zh_CN")
    titles = [s.title for s in review.sections]
    assert titles == ["原材料", "电力", "燃料", "运输", "过程排放", "废弃物"]
    rows = {r.id: (s.title, r) for s in review.sections for r in s.rows}
    assert len(rows) == review.row_count == 9 and review.claim_count == 2
    assert {i: (t, r.amount, r.unit) for i, (t, r) in rows.items()} == {
        "alumina": ("原材料", "15,400", "吨"),
        "anode": ("原材料", "3,500", "吨"),
        "alf3": ("原材料", "140,000", "千克"),
        "electricity": ("电力", "112,500,000", "千瓦时"),
        "natural-gas": ("燃料", "250,000", "立方米"),
        "alumina-rail": ("运输", "15,400", "吨"),
        "anode-truck": ("运输", "3,500", "吨"),
        "pfc-c2f6": ("过程排放", "35", "千克"),
        "spl": ("废弃物", "210", "吨"),
    }
    assert rows["alumina"][1].data_type == "次级数据" and rows["natural-gas"][1].data_type == "初级数据"
    assert (
        rows["anode-truck"][1].data_type == "次级数据（默认）"
    )  # not written: the schema's default, said so
    assert rows["pfc-c2f6"][1].data_type == "初级数据（默认）"
    assert rows["alumina"][1].evidence == (CID,) and rows["anode"][1].evidence == ()
    assert rows["alumina"][1].factors[0].id == "material/alumina/CN/2021"
    assert rows["alumina-rail"][1].name == "冶金级氧化铝"  # the material the leg carries, by its name
    assert (
        "铁路货运" in rows["alumina-rail"][1].details
        and "运输距离 1,200 千米" in rows["alumina-rail"][1].details
    )
    assert "填埋" in rows["spl"][1].details and "危险废物" in rows["spl"][1].details
    gecs = rows["electricity"][1].claims
    assert [(c.label, c.reference, c.mwh) for c in gecs] == [
        ("绿证", "GEC-2024-YN-HYD-000777", 25000.0),
        ("绿证", "GEC-2024-YN-WND-000778", 8000.0),
    ]
    assert "水电" in gecs[0].details and "风电" in gecs[1].details
    totals = {s.title: [(t.label, t.amount, t.unit) for t in s.totals] for s in review.sections}
    # by hand: 15,400 t + 3,500 t + 140,000 kg = 19,040 t
    assert totals["原材料"] == [("合计", "19,040", "吨")]
    # 112,500,000 kWh = 112,500 MWh; GECs 25,000 + 8,000 = 33,000 MWh = 29.3 %; 79,500 MWh from the grid
    assert totals["电力"] == [
        ("用电量", "112,500,000", "千瓦时"),
        ("用电量", "112,500", "兆瓦时"),
        ("声明的绿色电力（绿证及绿电交易）", "33,000", "兆瓦时"),
        ("绿色电力占比", "29.3", "%"),
        ("未覆盖的电网电量", "79,500", "兆瓦时"),
    ]
    assert totals["燃料"] == [("合计：天然气", "250,000", "立方米")]
    # 15,400 t × 1,200 km + 3,500 t × 300 km = 18,480,000 + 1,050,000 t·km
    assert totals["运输"] == [("运输周转量", "19,530,000", "吨公里")]
    assert totals["过程排放"] == [("合计：C2F6", "0.035", "吨")]
    assert totals["废弃物"] == [("合计", "210", "吨")]
    header = dict(review.header)
    assert header["生产场所"] == "昆明电解铝厂" and header["所在电网区域"] == "云南 (CN-YN)"
    assert header["产量"] == "8,000 吨" and header["报告期"] == "2024-03-01 – 2024-03-31"
    # in English: the same rows, English words and unit symbols
    en = build_review(credential, None, _t("en"), "en")
    assert [s.title for s in en.sections][:2] == ["Materials", "Electricity"]
    assert en.sections[1].rows[0].unit == "kWh" and en.sections[1].rows[0].claims[0].label == "GEC"


def test_the_preview_gives_each_rows_factor_and_the_footprint_totals() -> None:
    org = "did:key:z6MkexampleSmelter"
    credential = build_credential(smelter_month(org), org, credential_id="urn:uuid:0")
    preview = {
        "totalKgCO2ePerDeclaredUnit": 4321.5,
        "declaredUnit": "t",
        "primaryDataShare": 61.24,
        "factors": [
            {"id": "electricity-grid/CN/2022", "nameZh": "全国电力碳足迹因子", "nameEn": "China electricity",
             "sourceId": "mee-electricity-footprint", "usedBy": ["inputs.electricity[0]"]},
            {"id": "transport/rail/GLO", "nameZh": "铁路货运（示意值）", "nameEn": "Rail freight (illustrative)",
             "sourceId": "illustrative", "usedBy": ["inputs.transport[0]"]},
        ],
    }  # fmt: skip
    review = build_review(credential, preview, _t("zh_CN"), "zh_CN")
    rows = {r.id: r for s in review.sections for r in s.rows}
    grid = rows["electricity"].factors[0]
    assert (grid.id, grid.name, grid.explicit) == ("electricity-grid/CN/2022", "全国电力碳足迹因子", False)
    assert grid.source.startswith("生态环境部")
    assert rows["alumina-rail"].factors[0].name == "铁路货运（示意值）"
    # 4,321.5 kgCO2e/t × 8,000 t = 34,572 tCO2e
    assert [(t.amount, t.unit) for t in review.totals] == [
        ("4,321.5", "kgCO2e/吨"),
        ("34,572", "tCO2e"),
        ("61.2", "%"),
    ]


def test_the_fingerprint_is_sha256_of_the_jcs_subject_and_changes_with_any_edit() -> None:
    org = "did:key:z6MkexampleSmelter"
    credential = build_credential(smelter_month(org), org, credential_id="urn:uuid:0")
    digest = subject_sha256(credential)
    assert digest == hashlib.sha256(canonicalize(credential["credentialSubject"])).hexdigest()
    assert build_review(credential, None, _t("en"), "en").subject_sha256 == digest
    tampered = json.loads(json.dumps(credential))
    tampered["credentialSubject"]["inputs"]["electricity"][0]["amount"] = 1125000
    assert subject_sha256(tampered) != digest
    reordered = {
        **credential,
        "credentialSubject": dict(reversed(list(credential["credentialSubject"].items()))),
    }
    assert subject_sha256(reordered) == digest  # canonical form: the order of members does not matter


def test_units_and_amounts_as_people_read_them() -> None:
    assert [unit_name(u, "zh_CN") for u in ("t", "kg", "kWh", "MWh", "m3", "GJ", "piece", "tkm", "Nm3")] == [
        "吨", "千克", "千瓦时", "兆瓦时", "立方米", "吉焦", "件", "吨公里", "标准立方米",
    ]  # fmt: skip
    assert [unit_name(u, "en") for u in ("t", "m3", "piece")] == ["t", "m³", "pieces"]
    assert [format_amount(v) for v in (192000, 0.4, 1350000.5, 0.000012, 1.2e-9, None)] == [
        "192,000", "0.4", "1,350,000.5", "0.000012", "1.2e-09", "—",
    ]  # fmt: skip


# --- the page ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, Ed25519PrivateKey]]:
    """A signed-in admin of a smelter with one product under its own prefix."""
    from node_service.app import create_app
    from node_service.runtime import Node
    from node_service.settings import Settings

    tmp = tmp_path_factory.mktemp("portal-review")
    node = Node(Settings(data_dir=tmp / "data", database_url=f"sqlite:///{tmp / 'db.sqlite'}")).start()
    try:
        with TestClient(create_app(node=node), base_url="http://127.0.0.1") as client:
            serve_example_identifiers(client)
            key = Ed25519PrivateKey.generate()
            body = {
                "registration": registration(key, "云南绿铝", ["supplier"], idisPrefixes=[PREFIX]),
                "username": "review-admin",
                "password": "a long enough password",
            }
            resp = client.post(
                "/portal/register", json=body, headers={"X-CSRF-Token": _csrf(client, "/portal/register")}
            )
            assert resp.status_code == 201, resp.text
            form = {"identifier": f"{PREFIX}/AL-A00", "name_zh": "原铝锭", "name_en": "Aluminium ingot",
                    "declared_unit": "t", "cn_code": "7601 10", "csrf_token": _csrf(client, "/portal/products")}  # fmt: skip
            assert client.post("/portal/products", data=form, follow_redirects=False).status_code == 303
            yield client, resp.json()["did"], key
    finally:
        node.stop()


def _csrf(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', client.get(path).text)
    assert match
    return match.group(1)


def _grid_form(client: TestClient, rows: list[dict[str, str]], **extra: str) -> dict[str, str]:
    found = re.search(r'<option value="([^"]+)"[^>]*>原铝锭', client.get("/portal/submissions/new").text)
    assert found
    form = {
        "csrf_token": _csrf(client, "/portal/submissions/new"),
        "product": found.group(1),
        "period_start": "2024-03-01",
        "period_end": "2024-03-31",
        "site_name": "昆明电解铝厂",
        "grid_region": "CN-YN",
        "produced_quantity": "8000",
        "comment": "",
        "rows": str(len(rows)),
    }
    for i, row in enumerate(rows):
        form.update({f"r{i}.{c}": row.get(c, "") for c in COLUMNS})
    form.update(extra)
    return form


def _hidden(page: str, form_id: str) -> list[tuple[str, str]]:
    start = page.index(f'id="{form_id}"')
    block = page[start : page.index("</form>", start)]
    return [
        (html.unescape(k), html.unescape(v))
        for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', block)
        if k != "csrf_token"
    ]


def test_review_page_shows_the_rows_and_back_keeps_every_field_after_a_failed_submission(portal: Any) -> None:
    client, did, key = portal
    assert client.get("/portal/lang/zh_CN", follow_redirects=False).status_code in (302, 303)
    serials = (f"GEC-2024-YN-HYD-{uuid.uuid4().hex[:8]}", f"GEC-2024-YN-WND-{uuid.uuid4().hex[:8]}")
    rows = rows_from_activity(smelter_month(did, serials))
    for row in rows:
        row["claimant"] = ""
    assert len(rows) == 11  # the 9 inputs and their 2 GECs
    # 佐证材料 cited by two rows (uploaded first: the node accepts only files the submitter uploaded)
    uploaded = client.post(
        "/portal/evidence",
        files={"file": ("电费单.pdf", b"%PDF-1.4 bill " + uuid.uuid4().bytes, "application/pdf")},
        headers={"X-CSRF-Token": _csrf(client, "/portal/evidence"), "Accept": "application/json"},
    ).json()["cid"]
    sent = _grid_form(client, rows, **{"r0.evidence": uploaded, "r5.evidence": uploaded})
    page = client.post("/portal/submissions/prepare", data=sent)
    assert page.status_code == 200, page.text[:800]
    text = page.text
    # "Why" 5: the rows being signed, not a count and raw JSON
    assert "输入项" not in text and "<details open" not in text
    assert '<details id="raw-json"><summary>查看将签名的原始数据 (JSON)</summary>' in text
    for title in ("原材料", "电力", "燃料", "运输", "过程排放", "废弃物"):
        assert f"<h3>{title}</h3>" in text
    assert (
        len(re.findall(r'class="input-row"', text)) == 9 and len(re.findall(r'class="claim-row"', text)) == 2
    )
    for unit in ("吨", "千克", "千瓦时", "立方米", "兆瓦时"):
        assert f'<td class="unit">{unit}</td>' in text
    assert "19,530,000" in text and "33,000" in text  # t·km and green MWh totals
    # the fingerprint on the page is the one of the credential the page's script will sign
    embedded = re.search(
        r'<script type="application/json" id="unsigned-credential">(.*?)</script>', text, re.S
    )
    assert embedded
    credential = json.loads(embedded.group(1))
    shown = re.search(r'id="subject-sha256" data-sha256="([0-9a-f]{64})"', text)
    assert shown and shown.group(1) == subject_sha256(credential)
    # "Why" 3: the submission fails after signing: another supplier claimed the GEC serials in the meantime
    rival = register(client, "另一家冶炼厂", ["supplier"])
    claimed = client.post(
        "/submissions",
        json=signed_activity(rival, activity(rival.did, gec_serials=serials)),
        headers=rival.auth,
    )
    assert claimed.status_code == 201, claimed.text
    signed = eddsa_jcs_2022.sign(credential, key, verification_method_id(key))
    failed = client.post(
        "/portal/submissions", json=signed, headers={"X-CSRF-Token": _csrf(client, "/portal/submissions/new")}
    )
    assert failed.status_code == 409, failed.text
    # … and Back returns to the grid with every field as it was sent
    back_fields = _hidden(text, "back-form")
    assert sorted(back_fields) == sorted((k, v) for k, v in sent.items() if k != "csrf_token")
    back = dict(back_fields, csrf_token=_csrf(client, "/portal/submissions/new"), edit="1")
    grid = client.post("/portal/submissions/prepare", data=back)
    assert grid.status_code == 200 and 'id="sheet"' in grid.text and "cell-error" not in grid.text
    for i, row in enumerate(rows):
        for column in ("section", "id", "amount", "serial"):
            if row[column] and column != "section":
                assert f'name="r{i}.{column}" value="{html.escape(row[column])}"' in grid.text, (i, column)
    # in English: the same page in English words
    assert client.get("/portal/lang/en", follow_redirects=False).status_code in (302, 303)
    fresh = rows_from_activity(
        smelter_month(did, ("GEC-EN-" + uuid.uuid4().hex[:8], "GEC-EN-" + uuid.uuid4().hex[:8]))
    )
    for row in fresh:
        row["claimant"] = ""
        row["evidence"] = ""  # the example's CID was never uploaded to this node
    english = client.post("/portal/submissions/prepare", data=_grid_form(client, fresh)).text
    assert "<h3>Materials</h3>" in english and "View the raw data to be signed (JSON)" in english
    assert '<td class="unit">kWh</td>' in english
    assert client.get("/portal/lang/zh_CN", follow_redirects=False).status_code in (302, 303)
