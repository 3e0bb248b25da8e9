"""Evidence upload and list, the study report and verification package downloads, and the CBAM exporter
page — through the portal (TestClient), with access control: another organisation gets 404."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.node_service.helpers import (
    Org,
    delegate_example_prefixes,
    holder_of,
    registration,
    serve_example_identifiers,
    signed_activity,
)


@pytest.fixture
def app(make_node: Any) -> Any:
    from node_service.app import create_app

    return create_app(node=make_node())


def _client(app: Any) -> Any:
    from fastapi.testclient import TestClient

    return TestClient(app, base_url="http://127.0.0.1")


def _csrf(client: Any, path: str) -> str:
    match = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', client.get(path).text)
    assert match
    return match.group(1)


def _portal_org(app: Any, name: str, roles: list[str]) -> tuple[Any, Org]:
    """A browser session (TestClient with cookies) of a new organisation's admin, and its API identity."""
    client = _client(app)
    key = Ed25519PrivateKey.generate()
    body = {"registration": registration(key, name, roles), "username": f"admin-{name}", "password": "p" * 12}
    resp = client.post(
        "/portal/register", json=body, headers={"X-CSRF-Token": _csrf(client, "/portal/register")}
    )
    assert resp.status_code == 201, resp.text
    org = Org(key=key, did=resp.json()["did"], token=resp.json()["apiToken"], id="")
    return client, org


def _eventually(call: Callable[[], Any], ok: Callable[[Any], bool], timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = call()
        if ok(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def test_evidence_upload_list_download_and_access(app: Any) -> None:
    supplier, _ = _portal_org(app, "Supplier", ["supplier"])
    other, _ = _portal_org(app, "Other", ["buyer"])
    token = _csrf(supplier, "/portal/evidence")
    data = b"meter,kWh\n2025-01,12345\n" * 100
    # the page's XMLHttpRequest: multipart body, CSRF in the header, JSON answer
    xhr = {"X-CSRF-Token": token, "Accept": "application/json"}
    first = supplier.post("/portal/evidence", files={"file": ("meter.csv", data, "text/csv")}, headers=xhr)
    assert first.status_code == 201, first.text
    cid = first.json()["cid"]
    assert first.json()["created"] is True and first.json()["size"] == len(data)
    again = supplier.post("/portal/evidence", files={"file": ("meter.csv", data, "text/csv")}, headers=xhr)
    assert again.status_code == 200 and again.json()["cid"] == cid
    # without the token, or with another session's token, nothing is stored
    bad = supplier.post(
        "/portal/evidence", files={"file": ("x.txt", b"x", "text/plain")}, headers={"X-CSRF-Token": "0" * 64}
    )
    assert bad.status_code == 403
    stolen = _csrf(other, "/portal/evidence")
    assert (
        supplier.post(
            "/portal/evidence",
            files={"file": ("x.txt", b"x", "text/plain")},
            headers={"X-CSRF-Token": stolen},
        ).status_code
        == 403
    )
    # the form without script: csrf_token field, redirect to the list
    form = supplier.post(
        "/portal/evidence",
        data={"csrf_token": token},
        files={"file": ("cert.pdf", b"%PDF-1.4 GEC", "application/pdf")},
        follow_redirects=False,
    )
    assert form.status_code == 303 and "stored=" in form.headers["location"]
    empty = supplier.post(
        "/portal/evidence", data={"csrf_token": token}, files={"file": ("", b"", "text/plain")}
    )
    assert empty.status_code == 422
    # the list shows both files with their CIDs; the file downloads byte for byte
    page = supplier.get("/portal/evidence")
    assert cid in page.text and "meter.csv" in page.text and "cert.pdf" in page.text
    assert 'id="evidence-progress"' in page.text and "evidence.js" in page.text
    got = supplier.get(f"/portal/evidence/{cid}/file")
    assert got.status_code == 200 and got.content == data
    # another organisation sees none of it
    assert cid not in other.get("/portal/evidence").text
    assert other.get(f"/portal/evidence/{cid}/file").status_code == 404
    # signed out: sent to sign in
    assert _client(app).get("/portal/evidence", follow_redirects=False).status_code == 303


def test_report_pdf_and_verification_package(app: Any) -> None:
    supplier, supplier_org = _portal_org(app, "Smelter", ["supplier"])
    buyer, buyer_org = _portal_org(app, "Buyer", ["buyer"])
    other, _ = _portal_org(app, "Stranger", ["buyer"])
    api = _client(app)
    holder = serve_example_identifiers(api) or holder_of(api)  # the handles the example cites resolve here
    assert holder is not None
    delegate_example_prefixes(api, holder, supplier_org)  # and the smelter may report the example's product
    footprint_id = api.post("/submissions", json=signed_activity(supplier_org)).json()["footprintId"]
    page = supplier.get(f"/portal/footprints/{footprint_id}")
    for link in ("report.pdf?lang=zh", "report.pdf?lang=en", "verification-package"):
        assert f"/portal/footprints/{footprint_id}/{link}" in page.text
    pdf = supplier.get(f"/portal/footprints/{footprint_id}/report.pdf?lang=en")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    assert supplier.get(f"/portal/footprints/{footprint_id}/report.pdf?lang=fr").status_code == 422
    # not shared: 404 for other organisations, for the report and the package
    for client in (buyer, other):
        assert client.get(f"/portal/footprints/{footprint_id}/report.pdf?lang=zh").status_code == 404
        assert client.get(f"/portal/footprints/{footprint_id}/verification-package").status_code == 404
    shared = api.post(
        f"/footprints/{footprint_id}/shares", json={"organisation": buyer_org.did}, headers=supplier_org.auth
    )
    assert shared.status_code in (200, 201), shared.text
    zh = buyer.get(f"/portal/footprints/{footprint_id}/report.pdf?lang=zh")
    assert zh.status_code == 200 and zh.content.startswith(b"%PDF-")
    assert "verification-package" in buyer.get("/portal/shared").text
    # the package: 409 until anchored, then a zip with the footprint and a report
    package = _eventually(
        lambda: buyer.get(f"/portal/footprints/{footprint_id}/verification-package"),
        lambda r: r.status_code != 409,
    )
    assert package.status_code == 200, package.text[:300]
    names = zipfile.ZipFile(io.BytesIO(package.content)).namelist()
    assert "report.md" in names and any("footprint" in n for n in names)
    assert other.get(f"/portal/footprints/{footprint_id}/verification-package").status_code == 404


def test_cbam_exporter_page(app: Any) -> None:
    from tests.node_service.services.cbam.helpers import aluminium_products

    exporter, _ = _portal_org(app, "Exporter", ["exporter"])
    other, _ = _portal_org(app, "Rival", ["exporter"])
    token = _csrf(exporter, "/portal/cbam")
    assert 'href="/portal/cbam"' in exporter.get("/portal/dashboard").text
    # bad JSON and a document the engine refuses: errors next to the upload field
    broken = exporter.post(
        "/portal/cbam",
        data={"csrf_token": token},
        files={"installation": ("i.json", b"{", "application/json")},
    )
    assert broken.status_code == 422 and 'id="err-installation"' in broken.text
    invalid = dict(aluminium_products(None))
    invalid.pop("processes")
    refused = exporter.post("/portal/cbam", data={"csrf_token": token, "document": json.dumps(invalid)})
    assert refused.status_code >= 400 and 'id="err-installation"' in refused.text
    assert exporter.post("/portal/cbam", data={"document": "{}"}).status_code == 403  # no CSRF token
    # a valid file: stored, shown, listed
    body = json.dumps(aluminium_products(None)).encode()
    created = exporter.post(
        "/portal/cbam",
        data={"csrf_token": token},
        files={"installation": ("plant.json", body, "application/json")},
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text[:500]
    url = created.headers["location"]
    shown = exporter.get(url)
    assert shown.status_code == 200 and "CN-EXTRUSION-001" in shown.text and "76042100" in shown.text
    assert "CN-EXTRUSION-001" in exporter.get("/portal/cbam").text
    # downloads once the version's receipt is anchored
    xlsx = _eventually(
        lambda: exporter.get(f"{url}/communication.xlsx?period=2026&price=80"), lambda r: r.status_code != 409
    )
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK"), xlsx.text[:300]
    as_json = exporter.get(f"{url}/communication.json?period=2026&price=")
    assert as_json.status_code == 200 and json.loads(as_json.content)
    as_xml = exporter.get(f"{url}/communication.xml?period=2026")
    assert as_xml.status_code == 200 and as_xml.content.lstrip().startswith(b"<")
    assert exporter.get(f"{url}/communication.pdf?period=2026").status_code == 422
    assert exporter.get(f"{url}/communication.json?period=1999").status_code == 422
    assert exporter.get(f"{url}/communication.json?period=2026&price=-1").status_code == 422
    # another exporter cannot see or download it
    assert other.get(url).status_code == 404
    assert other.get(f"{url}/communication.json?period=2026").status_code == 404
    assert "CN-EXTRUSION-001" not in other.get("/portal/cbam").text
