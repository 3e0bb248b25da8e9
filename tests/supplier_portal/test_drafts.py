"""Drafts on the server (issue 18, item 2): the grid is saved on every upload and every check, the page reopens it
after a reload, Back and a failed submission keep it, a successful submission removes it, another organisation is
told nothing about it; large uploads are paged and checked from the stored rows; limits; the migration."""

from __future__ import annotations

import csv
import io
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
from supplier_portal import drafts
from supplier_portal.activity_sheet import COLUMNS, rows_from_activity
from tests.node_service.helpers import (
    activity,
    register,
    registration,
    serve_example_identifiers,
    signed_activity,
)
from tests.supplier_portal.test_review import PREFIX, _csrf, _grid_form, _hidden, smelter_month


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, TestClient, str, Any]]:
    """A smelter's admin (with its product) and another organisation's admin, each in its own browser."""
    from node_service.app import create_app
    from node_service.runtime import Node
    from node_service.settings import Settings

    tmp = tmp_path_factory.mktemp("portal-drafts")
    node = Node(Settings(data_dir=tmp / "data", database_url=f"sqlite:///{tmp / 'db.sqlite'}")).start()
    try:
        app = create_app(node=node)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            serve_example_identifiers(client)
            other = TestClient(app, base_url="http://127.0.0.1")
            key = Ed25519PrivateKey.generate()
            for browser, name, user, prefixes in (
                (client, "云南绿铝", "drafts-admin", [PREFIX]),
                (other, "另一家单位", "drafts-other", []),
            ):
                signer = key if browser is client else Ed25519PrivateKey.generate()
                body = {
                    "registration": registration(signer, name, ["supplier"], idisPrefixes=prefixes),
                    "username": user,
                    "password": "a long enough password",
                }
                resp = browser.post(
                    "/portal/register",
                    json=body,
                    headers={"X-CSRF-Token": _csrf(browser, "/portal/register")},
                )
                assert resp.status_code == 201, resp.text
                if browser is client:
                    did = resp.json()["did"]
            form = {"identifier": f"{PREFIX}/AL-A00", "name_zh": "原铝锭", "name_en": "Aluminium ingot",
                    "declared_unit": "t", "cn_code": "7601 10", "csrf_token": _csrf(client, "/portal/products")}  # fmt: skip
            assert client.post("/portal/products", data=form, follow_redirects=False).status_code == 303
            assert client.get("/portal/lang/zh_CN", follow_redirects=False).status_code in (302, 303)
            yield client, other, did, key
    finally:
        node.stop()


def _month(did: str, serials: tuple[str, str] | None = None) -> list[dict[str, str]]:
    serials = serials or (f"GEC-D-{uuid.uuid4().hex[:8]}", f"GEC-D-{uuid.uuid4().hex[:8]}")
    rows = rows_from_activity(smelter_month(did, serials))
    for row in rows:
        row["claimant"] = ""
        if "evidence" in row:
            row["evidence"] = ""  # no evidence uploaded here (tests/supplier_portal/test_evidence*)
    return rows


def _draft_id(page: str) -> str:
    found = re.search(r'<input type="hidden" name="draft" value="([0-9a-f-]{36})">', page)
    assert found, "the page carries no draft"
    return found.group(1)


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows([[row.get(c, "") for c in COLUMNS] for row in rows])
    return out.getvalue().encode("utf-8")


def _discard_all(client: TestClient) -> None:
    page = client.get("/portal/submissions/new?fresh=1").text
    for draft_id in re.findall(r'data-draft="([0-9a-f-]{36})"', page):
        resp = client.post(
            f"/portal/submissions/drafts/{draft_id}/delete",
            data={"csrf_token": _csrf(client, "/portal/submissions/new")},
            follow_redirects=False,
        )
        assert resp.status_code == 303


def test_upload_saves_a_draft_that_a_reload_opens(portal: Any) -> None:
    client, _other, did, _key = portal
    _discard_all(client)
    rows = _month(did)
    form = _grid_form(client, [])
    page = client.post(
        "/portal/submissions/upload", data=form, files={"file": ("month.csv", _csv(rows), "text/csv")}
    )
    assert page.status_code == 200, page.text[:600]
    assert 'id="draft-status"' in page.text and "草稿已保存" in page.text and "11 行" in page.text
    draft_id = _draft_id(page.text)
    reloaded = client.get("/portal/submissions/new").text  # a reload, or coming back the next day
    assert _draft_id(reloaded) == draft_id
    assert f'name="r5.amount" value="{rows[5]["amount"]}"' in reloaded
    assert 'value="2024-03-01"' in reloaded and 'value="昆明电解铝厂"' in reloaded


def test_check_back_and_a_failed_submission_keep_the_draft_and_a_submission_removes_it(portal: Any) -> None:
    client, _other, did, key = portal
    _discard_all(client)
    serials = (f"GEC-2024-YN-HYD-{uuid.uuid4().hex[:8]}", f"GEC-2024-YN-WND-{uuid.uuid4().hex[:8]}")
    rows = _month(did, serials)
    review = client.post("/portal/submissions/prepare", data=_grid_form(client, rows))
    assert review.status_code == 200, _problems(review.text)
    saved = client.get("/portal/submissions/new").text  # "Check and continue" saved the grid
    draft_id = _draft_id(saved)
    assert f'name="r0.name" value="{rows[0]["name"]}"' in saved
    # the GEC serials are claimed by another supplier meanwhile: the submission fails after signing (409) …
    rival = register(client, "抢先的冶炼厂", ["supplier"])
    claimed = client.post(
        "/submissions",
        json=signed_activity(rival, activity(rival.did, gec_serials=serials)),
        headers=rival.auth,
    )
    assert claimed.status_code == 201, claimed.text
    credential = json.loads(_embedded(review.text))
    signed = eddsa_jcs_2022.sign(credential, key, verification_method_id(key))
    csrf = {"X-CSRF-Token": _csrf(client, "/portal/submissions/new")}
    assert client.post("/portal/submissions", json=signed, headers=csrf).status_code == 409
    # … the draft is still there, and Back returns to it
    assert _draft_id(client.get("/portal/submissions/new").text) == draft_id
    back = dict(
        _hidden(review.text, "back-form"), csrf_token=_csrf(client, "/portal/submissions/new"), edit="1"
    )
    grid = client.post("/portal/submissions/prepare", data=back)
    assert grid.status_code == 200 and _draft_id(grid.text) == draft_id
    # with new serials the submission goes through and the draft of that product and period is gone
    fresh = _month(did)
    form = _grid_form(client, fresh, draft=draft_id, offset="0", shown=str(len(rows)), total=str(len(rows)))
    review = client.post("/portal/submissions/prepare", data=form)
    assert review.status_code == 200, _problems(review.text)
    signed = eddsa_jcs_2022.sign(json.loads(_embedded(review.text)), key, verification_method_id(key))
    csrf = {"X-CSRF-Token": _csrf(client, "/portal/submissions/new")}
    done = client.post("/portal/submissions", json=signed, headers=csrf)
    assert done.status_code == 201, done.text
    after = client.get("/portal/submissions/new").text
    assert draft_id not in after and 'id="draft-status"' not in after


def _problems(page: str) -> list[str]:
    return re.findall(r'role="alert">([^<]+)<', page) + re.findall(r"<li data-field[^>]*>([^<]+)<", page)


def _embedded(page: str) -> str:
    found = re.search(r'<script type="application/json" id="unsigned-credential">(.*?)</script>', page, re.S)
    assert found
    return found.group(1)


def test_another_organisation_is_told_nothing_about_a_draft(portal: Any) -> None:
    client, other, did, _key = portal
    _discard_all(client)
    page = client.post("/portal/submissions/prepare", data=_grid_form(client, _month(did), edit="1"))
    draft_id = _draft_id(page.text)
    assert other.get(f"/portal/submissions/new?draft={draft_id}").status_code == 404
    gone = other.post(
        f"/portal/submissions/drafts/{draft_id}/delete",
        data={"csrf_token": _csrf(other, "/portal/submissions/new")},
        follow_redirects=False,
    )
    assert gone.status_code == 404
    # … nor can it write into it by naming it in the grid's form
    form = {
        "csrf_token": _csrf(other, "/portal/submissions/new"),
        "draft": draft_id,
        "edit": "1",
        "rows": "0",
    }
    assert other.post("/portal/submissions/prepare", data=form).status_code == 404
    assert draft_id not in other.get("/portal/submissions/new").text
    assert client.get(f"/portal/submissions/new?draft={draft_id}").status_code == 200


def test_a_large_upload_is_paged_and_checked_from_the_stored_rows(portal: Any) -> None:
    client, _other, did, _key = portal
    _discard_all(client)
    base = _month(did)
    materials = next(r for r in base if r["section"] == "material")
    rows = base + [dict(materials, id=f"alumina-{i}", name=f"氧化铝 批次{i}") for i in range(489)]
    assert len(rows) == 500
    page = client.post(
        "/portal/submissions/upload",
        data=_grid_form(client, []),
        files={"file": ("big.csv", _csv(rows), "text/csv")},
    )
    assert page.status_code == 200, page.text[:600]
    assert "共 500 行，显示第 1–200 行" in page.text
    assert 'name="r199.section"' in page.text and 'name="r200.id" value=""' in page.text  # then 3 empty rows
    draft_id = _draft_id(page.text)
    # page 2: the page sends only its rows; an edit on page 1 is kept when changing page
    form = _grid_form(client, rows[:200], draft=draft_id, offset="0", shown="200", total="500", goto="200")
    form["r3.name"] = "改过的名称"
    second = client.post("/portal/submissions/prepare", data=form)
    assert second.status_code == 200, second.text[-3000:]
    assert "共 500 行，显示第 201–400 行" in second.text
    assert 'aria-label="数量 202"' in second.text  # numbered as in the spreadsheet, labelled in Chinese
    stored = re.search(r'name="r0.id" value="([^"]+)"', second.text)
    assert stored and stored.group(1) == rows[200]["id"]
    # "Check and continue" from page 3 with one broken row there: every row is checked, the broken one shown
    third = {k: v for k, v in _grid_form(client, rows[400:], draft=draft_id, offset="400", shown="100",
                                          total="500").items()}  # fmt: skip
    third["r50.amount"] = "很多"
    checked = client.post("/portal/submissions/prepare", data=third)
    assert checked.status_code == 422
    assert "共 500 行，显示第 401–500 行" in checked.text and 'data-cell="452.amount"' in checked.text
    reopened = client.get(f"/portal/submissions/new?draft={draft_id}").text
    assert 'name="r3.name" value="改过的名称"' in reopened


def test_merge_page_replaces_the_shown_rows_only() -> None:
    stored = [{"id": str(i)} for i in range(10)]
    merged = drafts.merge_page(stored, 4, 3, [{"id": "a"}, {"id": "b"}, {"id": "c"}, {"id": "new"}])
    assert [r["id"] for r in merged] == ["0", "1", "2", "3", "a", "b", "c", "new", "7", "8", "9"]
    assert [r["id"] for r in drafts.merge_page(stored, 8, 5, [])] == [str(i) for i in range(8)]
    assert drafts.merge_page([], 0, 0, [{"id": "x"}]) == [{"id": "x"}]


def test_limits_are_stated_in_the_users_language(portal: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client, _other, did, _key = portal
    _discard_all(client)
    assert (
        client.post("/portal/submissions/prepare", data=_grid_form(client, _month(did), edit="1")).status_code
        == 200
    )
    monkeypatch.setattr(drafts, "MAX_DRAFTS", 1)
    form = _grid_form(client, _month(did), edit="1", period_start="2024-04-01", period_end="2024-04-30")
    refused = client.post("/portal/submissions/prepare", data=form)
    assert (
        refused.status_code == 422
        and "本单位已有 1 份草稿，已达上限；请先提交或删除其中一份。" in refused.text
    )
    assert client.get("/portal/lang/en", follow_redirects=False).status_code in (302, 303)
    form["csrf_token"] = _csrf(client, "/portal/submissions/new")
    refused = client.post("/portal/submissions/prepare", data=form)
    assert "Your organisation keeps 1 drafts, the most allowed" in refused.text
    assert client.get("/portal/lang/zh_CN", follow_redirects=False).status_code in (302, 303)


def test_the_row_limit_of_a_draft() -> None:
    from supplier_portal.accounts import Actor
    from supplier_portal.errors import FormInvalid

    actor = Actor("u", "someone", "data_entry", "org", "did:key:z", "x", ("supplier",), "h")
    with pytest.raises(FormInvalid) as refused:
        drafts.save_draft(None, actor, {}, [{}] * (drafts.MAX_ROWS + 1))  # type: ignore[arg-type]
    assert refused.value.params["max"] == f"{drafts.MAX_ROWS:,}"
    viewer = Actor("u", "someone", "viewer", "org", "did:key:z", "x", ("supplier",), "h")
    with pytest.raises(Exception, match="role"):
        drafts.list_drafts(None, viewer)  # type: ignore[arg-type]


def test_drafts_migration_up_and_down(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import create_engine, inspect

    from node_service.db.migrate import alembic_config, upgrade_to_head

    engine = create_engine(database_url)
    try:
        upgrade_to_head(engine)
        assert "portal_drafts" in inspect(engine).get_table_names()
        cfg = alembic_config(database_url)
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "0013_portal_sign_in_throttle")
        tables = inspect(engine).get_table_names()
        assert "portal_drafts" not in tables and "portal_sign_in_throttle" in tables
        upgrade_to_head(engine)
        assert "portal_drafts" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
