"""The whole PACT v3 flow over HTTPS against real uvicorn servers on loopback, with a self-signed certificate,
every response validated against the official OpenAPI schemas; plus the negative cases the spec names."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import typer
from typer.testing import CliRunner

from node_service.app import create_app
from node_service.cli import pact_cmds
from node_service.services.pact.settings import PactSettings
from tests.node_service.helpers import Org, activity, register, signed_activity
from tests.node_service.services.pact.pact_client import SpecClient, next_url
from tests.node_service.services.pact.servers import RequesterHost, free_port, serve
from tests.pact_spec import V3

LIST, GET, EVENTS = "/3/footprints", "/3/footprints/{id}", "/3/events"
PRODUCT_A, PRODUCT_B = "88.118.8/AL-INGOT-A00", "88.118.8/AL-INGOT-B00"
URN_A = "urn:pact:handle.net:handle:" + PRODUCT_A
URN_B = "urn:pact:handle.net:handle:" + PRODUCT_B
CPC = "urn:pact:productclassification:un-cpc:41532"


def make_certs(tmp_path: Path) -> tuple[str, str]:
    app = typer.Typer()
    pact_cmds.register(app)
    out = tmp_path / "tls"
    result = CliRunner().invoke(app, ["tls", "self-signed", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return str(out / "cert.pem"), str(out / "key.pem")


def submit(http: httpx.Client, org: Org, product: str, period: tuple[str, str], comment: str = "") -> str:
    subject = activity(
        org.did, productIdentifier=product, reportingPeriod={"start": period[0], "end": period[1]}
    )
    if comment:
        subject["comment"] = comment
    for line in subject["inputs"].get("electricity", []):  # a GEC serial can be claimed once on the exchange
        line.pop("greenPowerClaims", None)
    resp = http.post("/submissions", json=signed_activity(org, subject))
    assert resp.status_code == 201, resp.text
    footprint_id: str = resp.json()["footprintId"]
    return footprint_id


def publish(http: httpx.Client, org: Org, footprint_id: str, **body: Any) -> dict[str, Any]:
    resp = http.post(f"/pact/footprints/{footprint_id}/publish", json=body, headers=org.auth)
    assert resp.status_code in (200, 201), resp.text
    result: dict[str, Any] = resp.json()
    return result


def expired_token(data_dir: Path, client_id: str, org_id: str) -> str:
    """An HS256 JWT (RFC 7519) signed with the node's key but already expired."""

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    key = (data_dir / "keys" / "pact-token.key").read_bytes()
    now = int(time.time())
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(
        json.dumps(
            {"iss": "tanlian", "sub": client_id, "org": org_id, "iat": now - 7200, "exp": now - 3600}
        ).encode()
    )
    sig = b64(hmac.new(key, f"{head}.{claims}".encode(), hashlib.sha256).digest())
    return f"{head}.{claims}.{sig}"


def ids(resp: httpx.Response) -> list[str]:
    return [pf["id"] for pf in resp.json()["data"]]


def assert_error(resp: httpx.Response, path: str, method: str, status: int, code: str) -> None:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    V3.validate_response(path, method, status, resp.json())
    assert resp.json()["code"] == code


def test_pact_v3_flow_over_https(make_node: Any, tmp_path: Path) -> None:
    cert, key = make_certs(tmp_path)
    node = make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    app = create_app(node=node)
    requester_port = free_port()  # on loopback: the operator allows it (issue 16: loopback is refused)
    app.state.pact_settings = PactSettings(
        remote_ca_file=cert,
        delivery_interval_seconds=0.1,
        delivery_backoff_seconds=0.1,
        remote_allowlist=f"https://127.0.0.1:{requester_port}",
    )
    plain_app = create_app(node=node)  # default settings: plain HTTP refused
    requester = RequesterHost(fail_first=2)
    with (
        serve(app, cert=cert, key=key) as base,
        serve(plain_app) as plain_base,
        serve(requester.app, cert=cert, key=key, port=requester_port) as requester_base,
        httpx.Client(base_url=base, verify=cert, timeout=60) as http,
    ):
        supplier = register(http, "Yunnan Smelter", ["supplier"])
        buyer = register(http, "EV Motor Maker", ["buyer"])
        stranger = register(http, "Someone Else", ["buyer"])

        a1 = submit(http, supplier, PRODUCT_A, ("2024-01-01", "2024-12-31"))
        b1 = submit(http, supplier, PRODUCT_B, ("2023-01-01", "2023-12-31"))
        c1 = submit(http, stranger, "88.118.8/AL-INGOT-C00", ("2024-01-01", "2024-12-31"))
        assert publish(http, supplier, a1, shareWith=[buyer.did])["status"] == "Active"
        publish(http, supplier, b1, public=True, productClassifications=[CPC])
        publish(http, stranger, c1)  # published but shared with nobody
        a2 = submit(http, supplier, PRODUCT_A, ("2024-01-01", "2024-12-31"), comment="revised meter data")
        second = publish(http, supplier, a2, shareWith=[buyer.did])
        assert second["deprecated"] == [a1]
        assert second["productFootprint"]["precedingPfIds"] == [a1]

        # OAuth2 client of the buyer; Action Authenticate after OpenID discovery
        client_resp = http.post("/pact/clients", json={"name": "ERP"}, headers=buyer.auth)
        assert client_resp.status_code == 201, client_resp.text
        creds = client_resp.json()
        pact = SpecClient(base, verify=cert)
        endpoint = pact.discover_token_endpoint()
        assert endpoint == f"{base}/auth/token"
        bad = pact.authenticate(creds["clientId"], "wrong-secret", endpoint)
        assert bad.status_code in (400, 401) and bad.json()["error"] == "invalid_client"
        assert "access_token" not in bad.json()
        ok = pact.authenticate(creds["clientId"], creds["clientSecret"], endpoint)
        assert ok.status_code == 200 and ok.json()["token_type"].lower() == "bearer"

        # ListFootprints: latest versions, deprecated ones too, never a footprint not shared
        everything = pact.list()
        assert everything.status_code == 200
        V3.validate_response(LIST, "get", 200, everything.json())
        assert set(ids(everything)) == {a1, a2, b1}
        by_id = {pf["id"]: pf for pf in everything.json()["data"]}
        assert by_id[a1]["status"] == "Deprecated" and by_id[a2]["status"] == "Active"
        receipt_ext = by_id[a2]["extensions"][0]["data"]
        assert receipt_ext["receiptUrl"] == f"{base}/receipts/{a2}"

        # filters: OR within a parameter, AND across parameters
        cases: list[tuple[Any, set[str]]] = [
            ({"productId": URN_A}, {a1, a2}),
            ({"productId": [URN_A, URN_B]}, {a1, a2, b1}),
            ({"status": "Active"}, {a2, b1}),
            ({"productId": URN_A, "status": "Active"}, {a2}),
            ({"classification": CPC}, {b1}),
            ({"geography": "CN"}, {a1, a2, b1}),
            ({"geography": ["CN-YN", "DE"]}, {a1, a2, b1}),
            ({"geography": "DE"}, set()),
            ({"companyId": by_id[a2]["companyIds"][0]}, {a1, a2, b1}),
            ({"companyId": "urn:pact:example:nobody"}, set()),
            ({"validOn": "2026-06-01T00:00:00Z"}, {a1, a2, b1}),
            ({"validOn": "2027-06-01T00:00:00Z"}, {a1, a2}),  # B (2023) is valid until 2027-01-01
            ({"validAfter": "2024-06-01T00:00:00Z"}, {a1, a2}),
            ({"validBefore": "2027-06-01T00:00:00Z"}, {b1}),
        ]
        for params, want in cases:
            resp = pact.list(params)
            assert resp.status_code == 200, (params, resp.text)
            V3.validate_response(LIST, "get", 200, resp.json())
            assert set(ids(resp)) == want, params

        # pagination: never more than limit; absolute links on the request's host; same set in total
        seen: list[str] = []
        resp = pact.list({"limit": 1})
        while True:
            assert resp.status_code == 200
            V3.validate_response(LIST, "get", 200, resp.json())
            assert len(resp.json()["data"]) <= 1
            seen += ids(resp)
            link = next_url(resp)
            if link is None:
                break
            assert link.startswith(f"{base}/3/footprints?")
            again = pact.follow(link)  # a pagination link can be called more than once
            assert ids(again) == ids(pact.follow(link))
            resp = again
        assert sorted(seen) == sorted(ids(everything)) and len(seen) == 3

        # GetFootprint and its errors
        got = pact.get(a2)
        assert got.status_code == 200
        V3.validate_response(GET, "get", 200, got.json())
        assert got.json()["data"] == by_id[a2]
        assert_error(pact.get(str(uuid.uuid4())), GET, "get", 404, "NotFound")
        assert_error(pact.get(c1), GET, "get", 403, "AccessDenied")
        assert_error(pact.get(a2, token="not-a-token"), GET, "get", 400, "BadRequest")
        assert_error(pact.list(token="not-a-token"), LIST, "get", 400, "BadRequest")
        stale = expired_token(node.settings.resolved_data_dir, creds["clientId"], buyer.id)
        assert_error(pact.list(token=stale), LIST, "get", 401, "TokenExpired")
        assert_error(
            pact.list({"$filter": "pcf/declaredUnit eq 'kilogram'"}), LIST, "get", 400, "NotImplemented"
        )
        assert_error(pact.list({"limit": "ten"}), LIST, "get", 400, "BadRequest")

        # plain HTTP is refused: no token, no data
        with SpecClient(plain_base, verify=False) as plain:
            refused = plain.authenticate(creds["clientId"], creds["clientSecret"])
            assert refused.status_code == 400 and "access_token" not in refused.json()
            plain.token = pact.token
            refused = plain.list()
            assert refused.status_code == 400 and "data" not in refused.json()

        # malformed events are 400
        good_event = {
            "type": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
            "specversion": "1.0",
            "id": str(uuid.uuid4()),
            "source": requester_base,
            "time": "2026-11-21T10:00:00Z",
            "data": {"productId": [URN_A], "comment": "current PCF please"},
        }
        V3.validate_schema("RequestCreatedEvent", good_event)
        for broken in (
            {k: v for k, v in good_event.items() if k != "specversion"},
            {**good_event, "type": "org.example.Unknown"},
            {**good_event, "data": "not an object"},
            {**good_event, "time": "yesterday"},
            {**good_event, "data": {"productId": "not-an-array"}},
            [1, 2, 3],
        ):
            assert_error(pact.event(broken), EVENTS, "post", 400, "BadRequest")
        not_json = pact.http.post(
            f"{base}/3/events",
            content=b"{oops",
            headers={**pact.headers(), "content-type": "application/cloudevents+json"},
        )
        assert_error(not_json, EVENTS, "post", 400, "BadRequest")
        # the requester's host must be registered first (the response goes there)
        assert_error(pact.event(good_event), EVENTS, "post", 400, "BadRequest")
        registered = http.post(
            "/pact/remote-hosts",
            json={
                "baseUrl": requester_base,
                "clientId": requester.client_id,
                "clientSecret": requester.client_secret,
            },
            headers=buyer.auth,
        )
        assert registered.status_code == 201, registered.text

        # async request → supplier's inbox → fulfilled → RequestFulfilled at the requester's host
        accepted = pact.event(good_event)
        assert accepted.status_code == 200 and accepted.content == b""
        inbox = http.get("/pact/requests", params={"status": "pending"}, headers=supplier.auth).json()["data"]
        assert [r["eventId"] for r in inbox] == [good_event["id"]]
        done = http.post(f"/pact/requests/{inbox[0]['id']}/fulfil", json={}, headers=supplier.auth)
        assert done.status_code == 200, done.text
        try:
            fulfilled = requester.wait_events(1)[0]
        except AssertionError:
            print(http.get("/pact/outbox", headers=supplier.auth).json(), requester.attempts)
            raise
        V3.validate_schema("RequestFulfilledEvent", fulfilled)
        assert fulfilled["type"] == "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3"
        assert fulfilled["data"]["requestEventId"] == good_event["id"]
        assert [pf["id"] for pf in fulfilled["data"]["pfs"]] == [a2]
        assert requester.attempts >= 3  # two refusals, then delivered (retries with backoff)
        outbox = http.get("/pact/outbox", headers=supplier.auth).json()["data"]
        assert outbox[0]["status"] == "delivered" and outbox[0]["attempts"] >= 3

        # a second request, rejected by the supplier → RequestRejected
        second_event = {**good_event, "id": str(uuid.uuid4()), "data": {"productId": [URN_B]}}
        assert pact.event(second_event).status_code == 200
        pending = http.get("/pact/requests", params={"status": "pending"}, headers=supplier.auth).json()[
            "data"
        ]
        rejected = http.post(
            f"/pact/requests/{pending[0]['id']}/reject",
            json={"code": "AccessDenied", "message": "not for this customer"},
            headers=supplier.auth,
        )
        assert rejected.status_code == 200, rejected.text
        event = requester.wait_events(2)[1]
        V3.validate_schema("RequestRejectedEvent", event)
        assert event["data"] == {
            "requestEventId": second_event["id"],
            "error": {"code": "AccessDenied", "message": "not for this customer"},
        }

        # a request no data owner here matches is rejected at once with NotFound
        nobody = {**good_event, "id": str(uuid.uuid4()), "data": {"productId": ["urn:gtin:00000000000000"]}}
        assert pact.event(nobody).status_code == 200
        event = requester.wait_events(3)[2]
        V3.validate_schema("RequestRejectedEvent", event)
        assert event["data"]["error"]["code"] == "NotFound"

        # a new version notifies subscribed buyers with a Published event
        b2 = submit(http, supplier, PRODUCT_B, ("2023-01-01", "2023-12-31"), comment="new anode supplier")
        assert publish(http, supplier, b2, public=True, productClassifications=[CPC])["deprecated"] == [b1]
        event = requester.wait_events(4)[3]
        V3.validate_schema("PublishedEvent", event)
        assert event["data"] == {"pfIds": [b2]}

        # events other hosts send us are accepted (200, empty body)
        for incoming in (
            {**event, "id": str(uuid.uuid4()), "source": requester_base},
            {**fulfilled, "id": str(uuid.uuid4())},
        ):
            resp = pact.event(incoming)
            assert resp.status_code == 200 and resp.content == b""

        # rotation: the old secret and the tokens issued with it stop working
        rotated = http.post(f"/pact/clients/{creds['clientId']}/rotate", headers=buyer.auth).json()
        time.sleep(1.1)
        assert_error(pact.list(), LIST, "get", 400, "BadRequest")
        assert pact.authenticate(creds["clientId"], creds["clientSecret"]).status_code == 401
        assert pact.authenticate(creds["clientId"], rotated["clientSecret"]).status_code == 200
        assert pact.list().status_code == 200
        pact.close()

        # tanlian pact pull against this host
        cli = typer.Typer()
        pact_cmds.register(cli)
        out = tmp_path / "pulled.json"
        result = CliRunner().invoke(
            cli,
            [
                "pact",
                "pull",
                "--from",
                base,
                "--client-id",
                creds["clientId"],
                "--client-secret",
                rotated["clientSecret"],
                "--out",
                str(out),
                "--ca-file",
                cert,
                "--limit",
                "2",
            ],
        )
        assert result.exit_code == 0, result.output
        pulled = json.loads(out.read_text())
        assert {pf["id"] for pf in pulled["data"]} == {a1, a2, b1, b2}
