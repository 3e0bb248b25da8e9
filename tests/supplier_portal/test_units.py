"""Fast checks without a browser: catalogs complete, locale choice, the activity sheet, CSRF, cookies, roles,
passwords at rest, and the portal migration on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from footprint_engine.examples import load_example
from supplier_portal.activity_sheet import (
    Header,
    SheetInvalid,
    build_activity,
    read_upload,
    rows_from_activity,
    template_csv,
    template_xlsx,
)
from supplier_portal.i18n import LOCALE_DIR, negotiate

PORTAL = Path(__file__).resolve().parents[2] / "supplier_portal"
KEYWORDS = dict.fromkeys(
    ["_", "N_", "FormInvalid", "PortalError", "RoleRequired", "NotSignedIn", "CsrfFailed"]
)


def _msgids() -> set[str]:
    found = set()
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]
    for _file, _line, message, _c, _ctx in extract_from_dir(str(PORTAL), method_map, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return {m for m in found if m}


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_string_is_translated(locale: str) -> None:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "portal.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(m for m in _msgids() if not translated.get(m))
    assert not missing, f"{locale} lacks {len(missing)} translation(s): {missing[:5]}"
    for msgid, text in translated.items():  # placeholders survive translation
        assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", str(text))), msgid


def test_locale_negotiation() -> None:
    assert negotiate(None, "zh-CN,zh;q=0.9,en;q=0.8") == "zh_CN"
    assert negotiate(None, "en-US,en;q=0.9,zh;q=0.5") == "en"
    assert negotiate(None, "de-DE, en;q=0.3") == "en"
    assert negotiate(None, "fr") == "zh_CN"
    assert negotiate(None, "zh;q=0, en;q=0.1") == "en"
    assert negotiate("en", "zh-CN") == "en"
    assert negotiate("xx", "en") == "en"


HEADER = Header("88.118.8/AL-INGOT-A00", None, "91530100MA6K8Q2L5T", "2024-01-01", "2024-12-31", "Kunming",
                "CN-YN", "t", "100000")  # fmt: skip


def test_sheet_round_trip_through_xlsx_and_csv() -> None:
    example = load_example("aluminium-ingot-yunnan")
    rows = rows_from_activity(example)
    assert read_upload("a.xlsx", template_xlsx(rows)) == read_upload("a.csv", template_csv(rows))
    document = build_activity(HEADER, read_upload("a.xlsx", template_xlsx(rows)))
    electricity = document["inputs"]["electricity"][0]
    assert [c["serial"] for c in electricity["greenPowerClaims"]] == [
        c["serial"] for c in example["inputs"]["electricity"][0]["greenPowerClaims"]
    ]
    assert document["inputs"]["transport"][0]["distance"] == {"amount": 1200, "unit": "km"}


def test_sheet_errors_name_row_and_column() -> None:
    rows = rows_from_activity(load_example("aluminium-ingot-yunnan"))
    rows[0]["section"] = "metal"  # row 2
    rows[3]["amount"] = "-5"  # row 5
    with pytest.raises(SheetInvalid) as caught:
        build_activity(HEADER, rows)
    assert {(e.row, e.column) for e in caught.value.errors} == {(2, "section"), (5, "amount")}
    rows = rows_from_activity(load_example("aluminium-ingot-yunnan"))
    rows[3]["data_source"] = "maybe"  # row 5, found by the engine's model
    gec = next(i for i, r in enumerate(rows) if r["section"] == "gec")
    rows[gec]["amount"] = "0.5"
    with pytest.raises(SheetInvalid) as caught:
        build_activity(HEADER, rows)
    assert {(e.row, e.column) for e in caught.value.errors} == {(5, "data_source"), (gec + 2, "amount")}


def test_upload_limits() -> None:
    with pytest.raises(SheetInvalid, match="1 problem"):
        read_upload("a.csv", b"\xff\xfe not utf-8")
    with pytest.raises(SheetInvalid) as caught:
        read_upload("a.csv", b"section,id,colour\r\n")
    assert {e.column for e in caught.value.errors} == {"colour", "amount"}
    with pytest.raises(SheetInvalid):
        read_upload("a.pdf", b"%PDF")
    with pytest.raises(SheetInvalid):
        read_upload("a.xlsx", b"PK\x03\x04 not really a zip")


# --- HTTP: CSRF, cookies, roles, passwords --------------------------------------------------------------


@pytest.fixture
def client(make_node: Any) -> Any:
    from fastapi.testclient import TestClient

    from node_service.app import create_app

    return TestClient(create_app(node=make_node()), base_url="http://127.0.0.1")


def _csrf(client: Any, path: str = "/portal/login") -> str:
    html = client.get(path).text
    match = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', html)
    assert match, html[:300]
    return match.group(1)


def _register_admin(client: Any, node: Any, username: str, password: str) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tests.node_service.helpers import registration

    token = _csrf(client, "/portal/register")
    body = {"registration": registration(Ed25519PrivateKey.generate(), "Org", ["supplier"]),
            "username": username, "password": password}  # fmt: skip
    resp = client.post("/portal/register", json=body, headers={"X-CSRF-Token": token})
    assert resp.status_code == 201, resp.text


def test_csrf_cookies_roles_and_password_hashes(client: Any) -> None:
    node = client.app.state.node
    # a POST without the token, or with a token of another browser, is refused
    assert client.post("/portal/login", data={"username": "a", "password": "b"}).status_code == 403
    token = _csrf(client)
    assert (
        client.post(
            "/portal/login", data={"username": "a", "password": "b", "csrf_token": "0" * 64}
        ).status_code
        == 403
    )
    wrong = client.post("/portal/login", data={"username": "nobody", "password": "b", "csrf_token": token})
    assert wrong.status_code == 401
    _register_admin(client, node, "admin-1", "a long password")
    cookie = client.cookies.jar
    session = next(c for c in cookie if c.name == "tl_session")
    assert session.has_nonstandard_attr("HttpOnly") and session.path == "/portal"
    raw_set_cookie = client.get("/portal/dashboard").headers  # signed in: no redirect
    assert "content-security-policy" in raw_set_cookie
    # the CSRF token is bound to the session: the pre-sign-in token no longer works
    stale = client.post("/portal/users", data={"username": "v1", "password": "x" * 12, "role": "viewer",
                                                "csrf_token": token})  # fmt: skip
    assert stale.status_code == 403
    fresh = _csrf(client, "/portal/users")
    added = client.post("/portal/users", data={"username": "viewer-1", "password": "y" * 12, "role": "viewer",
                                                "csrf_token": fresh}, follow_redirects=False)  # fmt: skip
    assert added.status_code == 303
    short = client.post("/portal/users", data={"username": "viewer-2", "password": "short", "role": "viewer",
                                                "csrf_token": fresh})  # fmt: skip
    assert short.status_code == 422 and 'id="err-password"' in short.text
    # a viewer may not enter activity data or manage users
    client.cookies.clear()
    token = _csrf(client)
    assert client.post("/portal/login", data={"username": "viewer-1", "password": "y" * 12, "csrf_token": token},
                       follow_redirects=False).status_code == 303  # fmt: skip
    assert client.get("/portal/users").status_code == 403
    assert client.get("/portal/submissions/new").status_code == 403
    assert client.get("/portal/dashboard").status_code == 200
    # passwords are argon2id hashes; the audit trail saw every step
    from sqlalchemy import select

    from supplier_portal.models import PortalAudit, PortalUser

    with node.db.transaction() as s:
        hashes = [u.password_hash for u in s.execute(select(PortalUser)).scalars()]
        actions = [a.action for a in s.execute(select(PortalAudit)).scalars()]
    assert all(h.startswith("$argon2id$") for h in hashes) and "y" * 12 not in "".join(hashes)
    assert {"organisation.register", "user.add", "session.sign-in", "session.sign-in-failed"} <= set(actions)


def test_https_sets_secure_cookies(make_node: Any) -> None:
    from fastapi.testclient import TestClient

    from node_service.app import create_app

    client = TestClient(create_app(node=make_node()), base_url="https://portal.example")
    resp = client.get("/portal/login")
    assert (
        "secure" in resp.headers["set-cookie"].lower()
        and "samesite=lax" in resp.headers["set-cookie"].lower()
    )
    plain = TestClient(client.app, base_url="http://127.0.0.1").get("/portal/login")
    assert "secure" not in plain.headers["set-cookie"].lower()


# --- the migration ----------------------------------------------------------------------------------------


def test_portal_migration_up_and_down(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import create_engine, inspect

    from node_service.db.migrate import alembic_config, upgrade_to_head

    engine = create_engine(database_url)
    try:
        upgrade_to_head(engine)
        tables = set(inspect(engine).get_table_names())
        assert {
            "portal_users",
            "portal_sessions",
            "portal_audit",
            "portal_products",
            "portal_requests",
        } <= tables
        cfg = alembic_config(database_url)
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "portal@0001")
        assert not {t for t in inspect(engine).get_table_names() if t.startswith("portal_")}
        upgrade_to_head(engine)
        assert "portal_users" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
