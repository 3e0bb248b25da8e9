"""Without a browser: the grid's factor picker (ranked, in the page's language, signed-in only), the dry run
before signing (problems next to their row and column, in Chinese or English, nothing typed lost, nothing stored),
and the factors used on the review page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from node_service.db.models import Footprint, LogEntry, Submission
from supplier_portal.activity_sheet import COLUMNS, rows_from_activity
from tests.node_service.helpers import activity, registration, serve_example_identifiers

PREFIX = "88.118.4321"


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Any, str]]:
    """A signed-in admin of a smelter with one product under its own prefix (zh-CN unless a test sets ``lang``)."""
    from node_service.app import create_app
    from node_service.runtime import Node
    from node_service.settings import Settings

    tmp = tmp_path_factory.mktemp("portal-check")
    node = Node(Settings(data_dir=tmp / "data", database_url=f"sqlite:///{tmp / 'db.sqlite'}")).start()
    try:
        with TestClient(create_app(node=node), base_url="http://127.0.0.1") as client:
            serve_example_identifiers(client)  # the example's materials resolve
            token = _csrf(client, "/portal/register")
            key = Ed25519PrivateKey.generate()
            body = {
                "registration": registration(key, "云南绿铝", ["supplier"], idisPrefixes=[PREFIX]),
                "username": "smelter-admin",
                "password": "a long enough password",
            }
            resp = client.post("/portal/register", json=body, headers={"X-CSRF-Token": token})
            assert resp.status_code == 201, resp.text
            did = resp.json()["did"]
            form = {"identifier": f"{PREFIX}/AL-A00", "name_zh": "原铝锭", "name_en": "Aluminium ingot",
                    "declared_unit": "t", "cn_code": "7601 10", "csrf_token": _csrf(client, "/portal/products")}  # fmt: skip
            assert client.post("/portal/products", data=form, follow_redirects=False).status_code == 303
            yield client, node, did
    finally:
        node.stop()


def _csrf(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', client.get(path).text)
    assert match
    return match.group(1)


def _lang(client: TestClient, lang: str) -> None:
    assert client.get(f"/portal/lang/{lang}", follow_redirects=False).status_code in (302, 303)


def _product_id(client: TestClient) -> str:
    found = re.search(r'<option value="([^"]+)"[^>]*>原铝锭', client.get("/portal/submissions/new").text)
    assert found
    return found.group(1)


def _form(client: TestClient, did: str, rows: list[dict[str, str]]) -> dict[str, str]:
    form = {
        "csrf_token": _csrf(client, "/portal/submissions/new"),
        "product": _product_id(client),
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "site_name": "昆明电解铝厂",
        "grid_region": "CN-YN",
        "produced_quantity": "100000",
        "comment": "",
        "rows": str(len(rows)),
    }
    for i, row in enumerate(rows):
        form.update({f"r{i}.{c}": row.get(c, "") for c in COLUMNS})
    return form


def _rows(did: str) -> list[dict[str, str]]:
    rows = rows_from_activity(
        activity(did, gec_serials=tuple(f"GEC-{uuid.uuid4().hex[:10]}" for _ in range(2)))
    )
    for row in rows:
        if row["section"] == "gec":
            row["claimant"] = ""
    return rows


def _counts(node: Any) -> tuple[int, ...]:
    with node.db.transaction() as session:
        return tuple(
            session.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Submission, Footprint, LogEntry)
        )


# --- the picker -------------------------------------------------------------------------------------------


def test_picker_ranks_factors_in_the_pages_language(portal: Any) -> None:
    client, _node, _did = portal
    _lang(client, "zh_CN")
    zh = client.get("/portal/factors/search", params={"q": "电解铝", "section": "material"})
    assert zh.status_code == 200 and zh.headers["content-type"].startswith("application/json")
    hits = zh.json()["results"]
    assert hits and "电解铝" in hits[0]["name"], hits[:3]
    top = hits[0]
    assert {"id", "name", "value", "unit", "geography", "year", "source", "version", "marks"} <= set(top)
    assert top["value"] > 0 and top["id"].startswith("material/")
    cpcd = [h for h in hits if h["cpcdCode"]]
    assert cpcd and {"kind": "cpcd", "text": "CPCD（公开转录）"} in cpcd[0]["marks"]
    assert cpcd[0]["source"] == "中国产品全生命周期温室气体排放系数库（CPCD）"
    # pinyin finds the same factor first
    pinyin = client.get("/portal/factors/search", params={"q": "dianjielv", "section": "material"}).json()
    assert pinyin["results"][0]["id"] == top["id"]
    # English page, English query: English names and marks
    _lang(client, "en")
    en = client.get("/portal/factors/search", params={"q": "aluminium", "section": "material"}).json()[
        "results"
    ]
    assert en and all(h["name"].isascii() for h in en[:5]), [h["name"] for h in en[:5]]
    assert any("aluminium" in h["name"].lower() for h in en[:3])
    assert any({"kind": "cpcd", "text": "CPCD, public transcription"} in h["marks"] for h in en)
    # the grid's section narrows the kind: electricity rows get grid factors
    grid = client.get("/portal/factors/search", params={"q": "CN", "section": "electricity"}).json()[
        "results"
    ]
    assert grid and all(h["id"].startswith("electricity-grid/") for h in grid)
    _lang(client, "zh_CN")


def test_picker_refuses_anonymous_use(portal: Any) -> None:
    client, _node, _did = portal
    anonymous = TestClient(client.app, base_url="http://127.0.0.1")
    resp = anonymous.get("/portal/factors/search", params={"q": "电解铝"}, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].startswith("/portal/login")
    assert "results" not in resp.text


# --- the dry run before signing ------------------------------------------------------------------------------


def test_prepare_shows_factor_and_unit_problems_next_to_their_cells_in_chinese(portal: Any) -> None:
    client, node, did = portal
    _lang(client, "zh_CN")
    rows = _rows(did)
    material = next(i for i, r in enumerate(rows) if r["section"] == "material")
    rows[material]["factor_id"] = "material/unobtainium/CN/2099"
    second = next(i for i, r in enumerate(rows) if r["section"] == "material" and i != material)
    rows[second]["unit"] = "kWh"
    before = _counts(node)
    page = client.post("/portal/submissions/prepare", data=_form(client, did, rows))
    assert page.status_code == 422, page.text[:500]
    html = page.text
    factor_cell = f"{material + 2}.factor_id"
    unit_cell = f"{second + 2}.unit"
    errors = dict(re.findall(r'data-cell="([^"]+)" role="alert">([^<]+)<', html))
    assert "因子库中没有排放因子 material/unobtainium/CN/2099" in errors[factor_cell], errors
    assert "无法换算" in errors[unit_cell], errors
    summary = html[html.index("check-problems") : html.index("</section>", html.index("check-problems"))]
    assert f"第 {material + 2} 行，排放因子：" in summary, summary
    # nothing typed is lost: every cell comes back as it was sent
    assert f'name="r{material}.factor_id" value="material/unobtainium/CN/2099"' in html
    assert f'name="r{second}.unit" value="kWh"' in html
    assert _counts(node) == before


def test_prepare_in_english_and_the_review_page_shows_the_factors_used(portal: Any) -> None:
    client, node, did = portal
    _lang(client, "en")
    rows = _rows(did)
    form = _form(client, did, rows)
    form["grid_region"] = "Yunnan"
    page = client.post("/portal/submissions/prepare", data=form)
    assert page.status_code == 422
    assert 'id="err-0-grid_region"' in page.text and "is not a known region" in page.text
    before = _counts(node)
    review = client.post("/portal/submissions/prepare", data=_form(client, did, rows))
    assert review.status_code == 200, review.text[:500]
    assert 'id="preview-total"' in review.text and 'id="sign-submit"' in review.text
    assert "material/alumina/CN/2021" in review.text and "public transcription" in review.text
    assert _counts(node) == before
    _lang(client, "zh_CN")
    review = client.post("/portal/submissions/prepare", data=_form(client, did, rows))
    assert "所用排放因子" in review.text or "将采用的排放因子" in review.text
    assert "公开转录" in review.text
    # back to the grid from the review page: every row as it was, without checks
    back = _form(client, did, rows)
    back["edit"] = "1"
    grid = client.post("/portal/submissions/prepare", data=back)
    assert grid.status_code == 200 and 'id="sheet"' in grid.text and "cell-error" not in grid.text
    assert f'value="{rows[0]["factor_id"]}"' in grid.text


def test_the_check_route_answers_the_review_page_in_its_language(portal: Any) -> None:
    client, node, did = portal
    _lang(client, "zh_CN")
    subject = activity(did)
    subject["inputs"]["materials"][0]["factorId"] = "material/unobtainium/CN/2099"
    subject["productIdentifier"] = f"{PREFIX}/AL-A00"
    token = _csrf(client, "/portal/submissions/new")
    before = _counts(node)
    resp = client.post("/portal/submissions/check", json=subject, headers={"X-CSRF-Token": token})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["ok"] is False
    problem = next(p for p in body["problems"] if p["field"].endswith("materials[0].factorId"))
    assert problem["code"] == "unknown-factor" and problem["text"].startswith("因子库中没有排放因子")
    assert problem["where"] == "原材料 第 1 行，排放因子"  # the form's label, not the JSON path (issue 18)
    assert _counts(node) == before


def test_a_missing_factor_of_a_whole_input_is_placed_in_the_factor_column() -> None:
    """An input without factorId whose key finds no factor: the node names the input, the grid shows the problem
    in the emission-factor column (not the id column), in grid order, and many problems are placed quickly."""
    from supplier_portal.check_view import cell_errors, summary_rows
    from tests.supplier_portal.test_problem_texts import ZH as _

    rows = _rows("did:key:z6MkexampleexampleexampleexampleexampleexampleexamplE")
    material = next(i for i, r in enumerate(rows) if r["section"] == "material")
    problems = [
        {"field": f"credentialSubject.inputs.materials[{material}]", "code": "unknown-factor", "params": {}}
    ]
    errors = cell_errors(_, problems, rows)
    assert list(errors) == [f"{material + 2}.factor_id"], errors
    assert summary_rows(_, problems, rows)[0]["column"] == "factor_id"
