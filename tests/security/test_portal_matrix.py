"""The portal's access matrix: every route under ``/portal`` × every kind of visitor, with session cookies and
CSRF tokens as a browser sends them (the portal is outside the OpenAPI document, so its routes are read from
the app's route table: a new portal route without an entry in ``EXPECTATIONS`` fails the test).

Visitors: ``anonymous``; the owner organisation's ``admin`` and a ``viewer`` of it; the admin of a ``buyer`` the
owner shares a footprint with; the admin of an ``other`` organisation. Every POST is also sent without its CSRF
token by everyone: always 403.

Outcomes: ``OK`` (2xx, or a redirect somewhere other than the sign-in page), ``LOGIN`` (303 to the sign-in
page), or the exact refusal: 403 (role or CSRF), 404 (nothing visible to you), 400/409/422 (past access control,
refused for its content), ``passes`` (any outcome past access control).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from node_service.app import create_app
from node_service.evidence.unixfs import cid_of_bytes
from node_service.services.pact.settings import PactSettings
from tests.node_service.helpers import (
    Org,
    activity,
    registration,
    serve_example_identifiers,
    signed_activity,
    wait_receipt,
)
from tests.node_service.services.cbam.helpers import cement_document
from tests.security.world import sqlite_url

OK = "ok"
LOGIN = "login"
VISITORS = (
    "anonymous",
    "buyer",
    "other",
    "viewer",
    "admin",
)  # the owner's admin last: its writes change state
PREFIX = "88.413.7"
PRODUCT = f"{PREFIX}/PORTAL-INGOT"
Outcome = str | int


@dataclass
class Portal:
    app: FastAPI
    browsers: dict[str, TestClient]
    owner: Org
    buyer: Org
    values: dict[str, str] = field(default_factory=dict)

    def csrf(self, visitor: str) -> str:
        page = "/portal/login" if visitor == "anonymous" else "/portal/key"
        html = self.browsers[visitor].get(page).text
        match = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', html)
        assert match, (visitor, html[:300])
        return match.group(1)


def _browser(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1")


def _register(portal_app: FastAPI, name: str, roles: list[str], **subject: Any) -> tuple[TestClient, Org]:
    """A browser that registered an organisation and its admin on the portal (and is signed in)."""
    browser = _browser(portal_app)
    html = browser.get("/portal/register").text
    token = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', html)
    assert token
    key = Ed25519PrivateKey.generate()
    body = {
        "registration": registration(key, name, roles, **subject),
        "username": f"admin-{name.split()[0].lower()}",
        "password": "a long enough password",
    }
    resp = browser.post("/portal/register", json=body, headers={"X-CSRF-Token": token.group(1)})
    assert resp.status_code == 201, resp.text
    registered = resp.json()
    org_id = browser.get("/organisations/me", headers={"Authorization": f"Bearer {registered['apiToken']}"})
    return browser, Org(key=key, did=registered["did"], token=registered["apiToken"], id=org_id.json()["id"])


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    from node_service.runtime import Node
    from node_service.settings import Settings

    tmp: Path = tmp_path_factory.mktemp("portal-matrix")
    settings = Settings(data_dir=tmp / "data", database_url=sqlite_url(tmp), anchor_interval_seconds=0.2)
    node = Node(settings).start()
    app = create_app(node=node)
    app.state.pact_settings = PactSettings(allow_http=True)
    try:
        with TestClient(app, base_url="http://127.0.0.1") as api:
            serve_example_identifiers(api)  # the example's materials resolve
            admin, owner = _register(app, "Owner supplier", ["supplier", "exporter"], idisPrefixes=[PREFIX])
            buyer_browser, buyer = _register(app, "Buyer", ["buyer"])
            other_browser, _ = _register(app, "Other supplier", ["supplier"])
            value = {"index": 1, "type": "NAME", "data": {"format": "string", "value": PRODUCT}}
            assert api.put(f"/api/handles/{PRODUCT}", json=[value], headers=owner.auth).status_code == 201
            footprints = {}
            for name, year in (("private", "2024"), ("shared", "2025")):
                subject = activity(
                    owner.did,
                    productIdentifier=PRODUCT,
                    reportingPeriod={"start": f"{year}-01-01", "end": f"{year}-12-31"},
                )
                resp = api.post("/submissions", json=signed_activity(owner, subject))
                assert resp.status_code == 201, resp.text
                footprints[name] = resp.json()["footprintId"]
            share = {"organisation": buyer.did}
            resp = api.post(f"/footprints/{footprints['shared']}/shares", json=share, headers=owner.auth)
            assert resp.status_code == 201, resp.text
            files = {"file": ("meter.csv", b"kWh\n7\n", "text/csv")}
            evidence = api.post("/evidence", files=files, headers=owner.auth).json()
            installation = api.post("/cbam/installations", json=cement_document(), headers=owner.auth).json()
            for entry in (*footprints.values(), evidence["entryId"], installation["entryId"]):
                wait_receipt(api, entry, owner)
            csrf = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', admin.get("/portal/users").text)
            assert csrf
            added = admin.post(
                "/portal/users",
                data={
                    "username": "viewer",
                    "password": "y" * 12,
                    "role": "viewer",
                    "csrf_token": csrf.group(1),
                },
                follow_redirects=False,
            )
            assert added.status_code == 303, added.text
            viewer = _browser(app)
            csrf = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', viewer.get("/portal/login").text)
            assert csrf
            signed_in = viewer.post(
                "/portal/login",
                data={"username": "viewer", "password": "y" * 12, "csrf_token": csrf.group(1)},
                follow_redirects=False,
            )
            assert signed_in.status_code == 303, signed_in.text
            csrf = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', admin.get("/portal/users").text)
            assert csrf
            grid = admin.post(  # a draft of the owner's (the grid saved without checks)
                "/portal/submissions/prepare", data={"csrf_token": csrf.group(1), "edit": "1", "rows": "0"}
            )
            draft = re.search(r'name="draft" value="([0-9a-f-]{36})"', grid.text)
            assert draft, grid.text[:300]
            yield Portal(
                app=app,
                browsers={
                    "anonymous": _browser(app),
                    "admin": admin,
                    "viewer": viewer,
                    "buyer": buyer_browser,
                    "other": other_browser,
                },
                owner=owner,
                buyer=buyer,
                values={
                    "shared": footprints["shared"],
                    "private": footprints["private"],
                    "missing": "00000000-0000-4000-8000-000000000000",
                    "missing_cid": cid_of_bytes(b"bytes nobody stored").cid,
                    "cid": evidence["cid"],
                    "installation": installation["id"],
                    "draft": draft.group(1),
                },
            )
    finally:
        node.stop()


@dataclass(frozen=True)
class Cell:
    expect: dict[str, Outcome]
    path: dict[str, str] = field(default_factory=dict)
    query: str = ""
    form: dict[str, Any] | None = None

    def outcome(self, visitor: str) -> Outcome:
        return self.expect[visitor]


def everyone(outcome: Outcome = OK, **path: str) -> Cell:
    return Cell(dict.fromkeys(VISITORS, outcome), path)


def signed_in(outcome: Outcome = OK, *, viewer: Outcome | None = None, **path: str) -> Cell:
    """Any signed-in user, in its own organisation; ``viewer`` when a viewer gets something else."""
    expect = {"anonymous": LOGIN, **dict.fromkeys(("buyer", "other", "admin"), outcome)}
    expect["viewer"] = outcome if viewer is None else viewer
    return Cell(expect, path)


def owner_org(*others_allowed: str, others: Outcome = 404, viewer: Outcome = OK, **path: str) -> Cell:
    """The owner's users (its viewer gets ``viewer``); ``others_allowed`` visitors too; the rest ``others``."""
    expect: dict[str, Outcome] = {"anonymous": LOGIN, "admin": OK, "viewer": viewer}
    for visitor in ("buyer", "other"):
        expect[visitor] = OK if visitor in others_allowed else others
    return Cell(expect, path)


def nobody(**path: str) -> Cell:
    """Something that does not exist: the same 404 for everyone signed in."""
    return Cell({"anonymous": LOGIN, **dict.fromkeys(("buyer", "other", "viewer", "admin"), 404)}, path)


def form(cell: Cell, **fields: Any) -> Cell:
    return Cell(cell.expect, cell.path, cell.query, fields)


def query(cell: Cell, text: str) -> Cell:
    return Cell(cell.expect, cell.path, text, cell.form)


SHARED = {"footprint_id": "shared"}
PRIVATE = {"footprint_id": "private"}
MISSING = {"footprint_id": "missing"}
# the visibility rule: the owner's users and the buyer it shares with; nobody else is told anything exists
FOOTPRINT = [owner_org("buyer", **SHARED), owner_org(**PRIVATE), nobody(**MISSING)]
WRITER = {"viewer": 403}
MISSING_DRAFT = {"draft_id": "missing"}  # a viewer reads only

EXPECTATIONS: dict[str, list[Cell]] = {
    "GET /portal/": [everyone()],
    "GET /portal/lang/{locale}": [everyone(locale="en")],
    "GET /portal/login": [everyone()],
    # a wrong password, or too many of them (the sign-in throttle)
    "POST /portal/login": [form(everyone("401|429"), username="nobody", password="wrong password")],
    "POST /portal/logout": [everyone()],
    "GET /portal/register": [everyone()],
    "POST /portal/register": [form(everyone(422), registration="")],
    "GET /portal/users": [signed_in(viewer=403)],
    "POST /portal/users": [
        form(signed_in(viewer=403), username="{visitor}-added", password="z" * 12, role="viewer")
    ],
    "GET /portal/audit": [signed_in(viewer=403)],
    "GET /portal/key": [signed_in()],
    "GET /portal/verify": [everyone()],
    "POST /portal/verify": [everyone("passes")],
    "GET /portal/static/vendor/echarts.min.js": [everyone("ok|404")],  # 404 where npm ci did not run
    "GET /portal/static/{folder}/{name}": [
        everyone(folder="js", name="common.js"),
        everyone(404, folder="..", name="pyproject.toml"),
    ],
    "GET /portal/dashboard": [signed_in()],
    "GET /portal/products": [signed_in()],
    "POST /portal/products": [form(signed_in("passes", viewer=403), name="")],
    "GET /portal/submissions/new": [
        signed_in(viewer=403),
        # a draft is the owner's data-entry users' (admin, data_entry); nobody else is told it exists
        query(owner_org(viewer=403), "draft={draft}"),
        query(
            Cell({"anonymous": LOGIN, "viewer": 403, **dict.fromkeys(("buyer", "other", "admin"), 404)}),
            "draft=00000000-0000-4000-8000-000000000000",
        ),
    ],
    # discarding: the owner's draft (its admin last: it goes), a missing one
    "POST /portal/submissions/drafts/{draft_id}/delete": [
        owner_org(viewer=403, draft_id="draft"),
        Cell(
            {"anonymous": LOGIN, "viewer": 403, **dict.fromkeys(("buyer", "other", "admin"), 404)},
            MISSING_DRAFT,
        ),
    ],
    "GET /portal/template.{kind}": [signed_in(kind="csv")],
    "POST /portal/submissions/upload": [signed_in("passes", viewer=403)],
    "POST /portal/submissions/prepare": [signed_in("passes", viewer=403)],
    "POST /portal/submissions": [signed_in("passes", viewer=403)],
    # the grid's factor picker (any signed-in user: the library it searches is the user's organisation's) and the
    # dry run of the review page (a form body is no credential: 422, past access control)
    "GET /portal/factors/search": [query(signed_in(), "q=aluminium")],
    "POST /portal/submissions/check": [signed_in("passes", viewer=403)],
    "GET /portal/footprints/{footprint_id}": FOOTPRINT,
    "GET /portal/footprints/{footprint_id}/document.json": FOOTPRINT,
    # the signed activity data is the supplier's: the buyer sees the footprint but not the credential
    "GET /portal/footprints/{footprint_id}/credential.json": [
        Cell({"anonymous": LOGIN, "admin": OK, "viewer": OK, "buyer": 422, "other": 404}, SHARED),
        owner_org(**PRIVATE),
    ],
    # sharing is the owner's: a buyer that sees the footprint may not share it on; not even whether a
    # footprint exists is said (403 for a missing one too)
    "POST /portal/footprints/{footprint_id}/publish": [
        form(owner_org(others=403, viewer=403, **SHARED), buyer="{buyer_did}"),
        form(
            Cell({"anonymous": LOGIN, **dict.fromkeys(("buyer", "other", "viewer", "admin"), 403)}, MISSING),
            buyer="{buyer_did}",
        ),
    ],
    "GET /portal/shared": [signed_in()],
    "POST /portal/requests": [signed_in("passes", viewer=403)],
    "GET /portal/receipts/{entry_id}": [
        owner_org("buyer", entry_id="shared"),
        owner_org(entry_id="private"),
        nobody(entry_id="missing"),
    ],
    "GET /portal/receipts/{entry_id}/receipt.json": [
        owner_org("buyer", entry_id="shared"),
        owner_org(entry_id="private"),
    ],
    "GET /portal/evidence": [signed_in()],
    "POST /portal/evidence": [signed_in(viewer=403)],
    "GET /portal/evidence/{cid}/file": [owner_org(cid="cid"), nobody(cid="missing_cid")],
    "GET /portal/footprints/{footprint_id}/report.pdf": FOOTPRINT,
    "GET /portal/footprints/{footprint_id}/verification-package": FOOTPRINT,
    "GET /portal/cbam": [signed_in()],
    "POST /portal/cbam": [form(signed_in(422, viewer=403), installation="not json")],
    "GET /portal/cbam/new": [signed_in(viewer=403)],
    "POST /portal/cbam/new": [form(signed_in(422, viewer=403), installation_id="")],
    "GET /portal/cbam/{record_id}": [owner_org(record_id="installation"), nobody(record_id="missing")],
    "GET /portal/cbam/{record_id}/communication.{fmt}": [
        query(owner_org(record_id="installation", fmt="json"), "period=2026"),
        query(nobody(record_id="missing", fmt="json"), "period=2026"),
    ],
}
UPLOADS = {"/portal/evidence", "/portal/verify", "/portal/submissions/upload"}


def portal_routes(app: FastAPI) -> list[str]:
    keys = []
    for route in iter_route_contexts(list(app.routes)):
        if isinstance(route.original_route, APIRoute) and str(route.path).startswith("/portal"):
            for method in sorted(route.methods or ()):
                keys.append(f"{method} {route.path}")
    return keys


def _classify(resp: Any) -> str:
    if resp.status_code in (302, 303, 307) and resp.headers.get("location", "").startswith("/portal/login"):
        return LOGIN
    if 200 <= resp.status_code < 400:
        return OK
    return str(resp.status_code)


def _matches(got: str, outcome: Outcome) -> bool:
    if outcome == "passes":
        return got not in (LOGIN, "401", "403", "404") and not got.startswith("5")
    return got in str(outcome).split("|")


def test_every_portal_route_has_expectations(portal: Portal) -> None:
    routes = portal_routes(portal.app)
    missing = [key for key in routes if key not in EXPECTATIONS]
    assert not missing, (
        f"portal routes without access expectations: {missing} — add an entry to EXPECTATIONS in "
        "tests/security/test_portal_matrix.py saying who may use it (everyone(), signed_in(), owner_org(…))"
    )
    assert not set(EXPECTATIONS) - set(routes), (
        f"EXPECTATIONS names routes the portal no longer has: {set(EXPECTATIONS) - set(routes)}"
    )


def _request(portal: Portal, visitor: str, method: str, url: str, cell: Cell, *, csrf: bool) -> Any:
    browser = portal.browsers[visitor]
    data = {
        k: str(v).replace("{visitor}", visitor).replace("{buyer_did}", portal.buyer.did)
        for k, v in (cell.form or {}).items()
    }
    kwargs: dict[str, Any] = {"follow_redirects": False}
    if method == "POST":
        if csrf:
            data["csrf_token"] = portal.csrf(visitor)
        if url.split("?")[0] in UPLOADS:
            kwargs["files"] = {"file": (f"{visitor}.csv", b"kWh\n1\n", "text/csv")}
        kwargs["data"] = data
    return browser.request(method, url, **kwargs)


def test_portal_access_matrix(portal: Portal) -> None:
    wrong: list[str] = []
    cells = 0
    keys = sorted(EXPECTATIONS, key=lambda key: key == "POST /portal/logout")  # signing out last
    for key in keys:
        method, template = key.split(" ", 1)
        for cell, visitor in itertools.product(EXPECTATIONS[key], VISITORS):
            path = template
            for name, value in cell.path.items():
                path = path.replace(f"{{{name}}}", portal.values.get(value, value))
            text = cell.query.replace("{draft}", portal.values["draft"])
            url = f"{path}?{text}" if text else path
            variants = (True, False) if method == "POST" else (True,)
            for csrf in variants:
                resp = _request(portal, visitor, method, url, cell, csrf=csrf)
                cells += 1
                want = cell.outcome(visitor) if csrf else 403
                got = _classify(resp)
                if not _matches(got, want):
                    wrong.append(
                        f"{key} {cell.path} as {visitor}{'' if csrf else ' without CSRF'}: got {got}, want {want} — {resp.text[:120]!r}"
                    )
    print(f"portal matrix: {len(EXPECTATIONS)} routes, {cells} cells")
    assert not wrong, "\n".join(wrong)
