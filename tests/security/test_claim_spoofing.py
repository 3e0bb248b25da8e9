"""Claims that cannot be spoofed (issue 16, items 3 and 4, and the back-dated signature): the reproductions.

* a footprint for a handle under another organisation's IDIS prefix is refused (403 ``product-not-yours``); the
  prefix owner's delegate is accepted, until the delegation is revoked;
* an ``upstreamFootprint`` citation resolves to one footprint of the product's owner, and the stored document
  records its id and owner (``result.upstreamSources``); two candidates never depend on row order;
* ``tanlian check claims`` lists stored rows the rules would refuse now, and rewrites nothing;
* a GEC serial claimed once is refused in every spelling (case, zero-width and format characters, full-width
  forms, other dashes and spaces); the migration gives stored claims their canonical form, and reports
  colliding legacy claims instead of failing;
* a signature dated before its key was added is refused.
"""

from __future__ import annotations

import copy
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from node_service.app import create_app
from node_service.cli.main import app as cli
from node_service.credentials import eddsa_jcs_2022
from node_service.credentials.vc import build_credential
from node_service.db import create_database, upgrade_to_head
from node_service.db.migrate import alembic_config
from tests.node_service.helpers import Org, activity, register, signed_activity
from tests.node_service.services.organisations.helpers import key_addition, sign_as

PREFIX = "88.412.7"  # P's enterprise prefix
ING = f"{PREFIX}/ING"
PRODUCT_FIELD = "credentialSubject.productIdentifier"
CITATION_FIELD = "credentialSubject.inputs.materials[0].upstreamFootprint"
SERIAL_FIELD = "credentialSubject.inputs.electricity[0].greenPowerClaims[0].serial"
UNOWNED_GTIN = "urn:gtin:06901234567892"  # a valid GTIN no record on the node declares


def _problem(resp: Any, status: int, kind: str, field: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    assert body["type"] == f"/problems/{kind}", body
    assert body["field"] == field, body
    return body


def _owner_of_ing(client: TestClient) -> Org:
    """P registers its prefix and the record of its product ING."""
    owner = register(client, "P (owner of 88.412.7)", ["supplier"], idisPrefixes=[PREFIX], delegated=False)
    value = {"index": 1, "type": "NAME", "data": {"format": "string", "value": "ingot"}}
    resp = client.put(f"/api/handles/{ING}", json=[value], headers=owner.auth)
    assert resp.status_code == 201, resp.text
    return owner


def _ingot(org: Org, product: str = ING) -> dict[str, Any]:
    return signed_activity(org, activity(org.did, productIdentifier=product))


def _citing(buyer: Org, product: str = ING, version: int = 1) -> dict[str, Any]:
    """The buyer's motor housing, made of ``product``, citing its footprint ``version``."""
    subject = activity(buyer.did, example="motor-housing-jiangsu")
    material = subject["inputs"]["materials"][0]
    material["identifier"] = product
    material["upstreamFootprint"] = {"identifier": product, "version": version}
    return signed_activity(buyer, subject)


def _submit(client: TestClient, credential: dict[str, Any]) -> dict[str, Any]:
    resp = client.post("/submissions", json=credential)
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


def _share(client: TestClient, owner: Org, footprint_id: str, buyer: Org) -> None:
    resp = client.post(
        f"/footprints/{footprint_id}/shares", json={"organisation": buyer.did}, headers=owner.auth
    )
    assert resp.status_code in (200, 201), resp.text


def _document(client: TestClient, viewer: Org, footprint_id: str) -> dict[str, Any]:
    resp = client.get(f"/footprints/{footprint_id}", headers=viewer.auth)
    assert resp.status_code == 200, resp.text
    document: dict[str, Any] = resp.json()["document"]
    return document


def _counts(database_url: str) -> dict[str, int]:
    db = create_database(database_url)
    try:
        with db.engine.connect() as conn:
            return {
                t: int(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one())
                for t in ("submissions", "footprints", "gec_claims", "log_entries")
            }
    finally:
        db.dispose()


# --- 3: spoofed upstream footprints -------------------------------------------------------------------------------


def test_a_footprint_for_another_organisations_handle_is_refused(make_node, database_url):
    node = make_node(database_url)
    with TestClient(create_app(node=node)) as client:
        _owner_of_ing(client)
        spoofer = register(client, "X", ["supplier"], delegated=False)
        before = _counts(database_url)
        for product in (ING, ING.lower()):  # handles compare case-insensitively
            body = _problem(
                client.post("/submissions", json=_ingot(spoofer, product)),
                403,
                "product-not-yours",
                PRODUCT_FIELD,
            )
            assert PREFIX in body["detail"] and "delegate" in body["fix"]
        assert _counts(database_url) == before  # nothing stored


def test_a_delegate_of_the_prefix_may_report_until_the_delegation_ends(make_node, database_url):
    node = make_node(database_url)
    with TestClient(create_app(node=node)) as client:
        owner = _owner_of_ing(client)
        maker = register(client, "D (contract manufacturer)", ["supplier"], delegated=False)
        stranger = register(client, "S", ["supplier"], delegated=False)
        path = f"/organisations/me/prefixes/{PREFIX}/delegates/{maker.did}"
        # only the prefix's owner delegates it
        assert client.put(path, headers=stranger.auth).status_code == 403
        assert client.put(path).status_code == 401
        granted = client.put(path, headers=owner.auth)
        assert granted.status_code == 201, granted.text
        assert client.put(path, headers=owner.auth).status_code == 200  # idempotent
        profile = client.get(f"/organisations/{owner.did}").json()
        assert [(d["prefix"], d["delegate"]) for d in profile["prefixDelegates"]] == [(PREFIX, maker.did)]
        _submit(client, _ingot(maker))
        _submit(client, _ingot(owner))  # the owner itself, always
        revoked = client.delete(path, headers=owner.auth)
        assert revoked.status_code == 200 and revoked.json()["revokedAt"], revoked.text
        _problem(client.post("/submissions", json=_ingot(maker)), 403, "product-not-yours", PRODUCT_FIELD)


def test_a_citation_records_the_owners_footprint_id_and_owner(make_node, database_url):
    node = make_node(database_url)
    with TestClient(create_app(node=node)) as client:
        owner = _owner_of_ing(client)
        buyer = register(client, "B (buyer)", ["supplier", "buyer"])
        ingot = _submit(client, _ingot(owner))
        _share(client, owner, ingot["footprintId"], buyer)
        housing = _submit(client, _citing(buyer))
        result = _document(client, buyer, housing["footprintId"])["result"]
        assert result["upstreamFootprints"] == [f"{ING}@1"]
        assert result["upstreamSources"] == [
            {"reference": f"{ING}@1", "footprintId": ingot["footprintId"], "owner": owner.did}
        ]


def _forge_footprint(database_url: str, original_id: str, by: Org, created_at: datetime) -> str:
    """A copy of a stored footprint (and its submission) credited to ``by``: a row stored before the ownership
    rule, inserted directly."""
    db = create_database(database_url)
    forged = str(uuid.uuid4())
    try:
        with db.engine.begin() as conn:
            fp = (
                conn.execute(text("SELECT * FROM footprints WHERE id = :i"), {"i": original_id})
                .mappings()
                .one()
            )
            sub = (
                conn.execute(text("SELECT * FROM submissions WHERE id = :i"), {"i": fp["submission_id"]})
                .mappings()
                .one()
            )
            sub_id = f"urn:uuid:{uuid.uuid4()}"
            conn.execute(
                text(
                    "INSERT INTO submissions (id, organisation_id, product_id, period_start, period_end, status, "
                    "credential, sha256, signed_by, superseded_by, created_at) VALUES (:id, :org, :product, :ps, "
                    ":pe, 'accepted', :cred, :sha, :signed, NULL, :at)"
                ),
                {
                    "id": sub_id,
                    "org": by.id,
                    "product": sub["product_id"],
                    "ps": sub["period_start"],
                    "pe": sub["period_end"],
                    "cred": sub["credential"]
                    if isinstance(sub["credential"], str)
                    else json.dumps(sub["credential"]),
                    "sha": "00" * 32,
                    "signed": f"{by.did}#x",
                    "at": created_at,
                },
            )
            result = fp["result"] if isinstance(fp["result"], str) else json.dumps(fp["result"])
            conn.execute(
                text(
                    "INSERT INTO footprints (id, submission_id, organisation_id, product_id, result, sha256, "
                    "created_at, version) VALUES (:id, :sub, :org, :product, :result, :sha, :at, :version)"
                ),
                {
                    "id": forged,
                    "sub": sub_id,
                    "org": by.id,
                    "product": fp["product_id"],
                    "result": result,
                    "sha": "11" * 32,
                    "at": created_at,
                    "version": fp["version"],
                },
            )
    finally:
        db.dispose()
    return forged


def test_two_candidates_never_depend_on_row_order(make_node, database_url):
    node = make_node(database_url)
    with TestClient(create_app(node=node)) as client:
        owner = _owner_of_ing(client)
        spoofer = register(client, "X", ["supplier"], delegated=False)
        buyer = register(client, "B (buyer)", ["supplier", "buyer"])
        ingot = _submit(client, _ingot(owner))
        # a footprint of P's product by X, stored before the rule (earlier than P's: first in any scan), shared
        forged = _forge_footprint(
            database_url, ingot["footprintId"], spoofer, datetime(2020, 1, 1, tzinfo=UTC)
        )
        _share(client, spoofer, forged, buyer)
        # X's alone: refused, the owner's footprint is not shared with the buyer
        _problem(client.post("/submissions", json=_citing(buyer)), 422, "validation-failed", CITATION_FIELD)
        _share(client, owner, ingot["footprintId"], buyer)
        housing = _submit(client, _citing(buyer))
        sources = _document(client, buyer, housing["footprintId"])["result"]["upstreamSources"]
        assert [(s["footprintId"], s["owner"]) for s in sources] == [(ingot["footprintId"], owner.did)]

        # a product nobody owns here, reported by two organisations and both shared: ambiguous, refused
        first = register(client, "A1", ["supplier"], delegated=False)
        second = register(client, "A2", ["supplier"], delegated=False)
        for org in (first, second):
            fp = _submit(client, _ingot(org, UNOWNED_GTIN))
            _share(client, org, fp["footprintId"], buyer)
        body = _problem(
            client.post("/submissions", json=_citing(buyer, UNOWNED_GTIN)),
            422,
            "validation-failed",
            CITATION_FIELD,
        )
        assert "ambiguous" in body["detail"] and first.did in body["detail"] and second.did in body["detail"]


def test_a_gtin_declared_by_an_owners_record_is_the_owners(make_node, database_url):
    node = make_node(database_url)
    with TestClient(create_app(node=node)) as client:
        owner = _owner_of_ing(client)
        values = [
            {"index": 1, "type": "NAME", "data": {"format": "string", "value": "ingot"}},
            {"index": 2, "type": "GTIN", "data": {"format": "string", "value": "6901234567892"}},
        ]
        assert client.put(f"/api/handles/{ING}", json=values, headers=owner.auth).status_code == 200
        spoofer = register(client, "X", ["supplier"], delegated=False)
        _problem(
            client.post("/submissions", json=_ingot(spoofer, UNOWNED_GTIN)),
            403,
            "product-not-yours",
            PRODUCT_FIELD,
        )
        _submit(client, _ingot(owner, UNOWNED_GTIN))


def test_check_claims_lists_stored_rows_the_rules_refuse_and_rewrites_nothing(make_node, database_url):
    node = make_node(database_url, strict_identifiers=False)
    with TestClient(create_app(node=node)) as client:
        spoofer = register(client, "X", ["supplier"], delegated=False)
        buyer = register(client, "B (buyer)", ["supplier", "buyer"])
        # before anybody registered prefix 88.412.7, X reported 88.412.7/ING and B cited it
        spoofed = _submit(client, _ingot(spoofer))
        _share(client, spoofer, spoofed["footprintId"], buyer)
        citing = _submit(client, _citing(buyer))
        unrecorded = _submit(
            client, _citing(buyer)
        )  # a second version, made to look older than upstreamSources
        _owner_of_ing(client)  # then P registered the prefix: X's footprint and B's citations break the rule
        clean = _submit(client, signed_activity(buyer))
    db = create_database(database_url)
    try:
        with db.engine.begin() as conn:
            raw = conn.execute(
                text("SELECT result FROM footprints WHERE id = :i"), {"i": unrecorded["footprintId"]}
            ).scalar_one()
            document = json.loads(raw) if isinstance(raw, str) else copy.deepcopy(raw)
            del document["result"]["upstreamSources"]
            conn.execute(
                text("UPDATE footprints SET result = :r WHERE id = :i"),
                {"r": json.dumps(document), "i": unrecorded["footprintId"]},
            )
            # a legacy claim of an already claimed certificate, spelt otherwise (stored before the canonical form)
            row = (
                conn.execute(
                    text("SELECT * FROM gec_claims WHERE submission_id = :s ORDER BY serial"),
                    {"s": clean["id"]},
                )
                .mappings()
                .first()
            )
            assert row is not None
            conn.execute(
                text(
                    "INSERT INTO gec_claims (serial, serial_key, organisation_id, submission_id, claim, sha256, "
                    "entry_id, claimed_at) VALUES (:serial, NULL, :org, :sub, :claim, :sha, :entry, :at)"
                ),
                {
                    "serial": row["serial"].lower(),
                    "org": spoofer.id,
                    "sub": spoofed["id"],
                    "claim": row["claim"] if isinstance(row["claim"], str) else json.dumps(row["claim"]),
                    "sha": row["sha256"],
                    "entry": f"legacy:{uuid.uuid4()}",
                    "at": datetime.now(UTC) + timedelta(seconds=1),
                },
            )
            snapshot = {
                t: conn.execute(text(f"SELECT * FROM {t} ORDER BY 1")).all()
                for t in ("footprints", "gec_claims", "submissions")
            }
        result = CliRunner().invoke(cli, ["check", "claims", "--database-url", database_url, "--json"])
        assert result.exit_code == 1, result.output
        findings = json.loads(result.stdout)
        by_kind = {(f["kind"], f["row"]) for f in findings}
        assert ("footprint-not-owner", spoofed["footprintId"]) in by_kind
        assert ("citation-not-owner", citing["footprintId"]) in by_kind
        assert ("citation-unrecorded", unrecorded["footprintId"]) in by_kind
        assert ("gec-serial-collision", row["serial"].lower()) in by_kind
        assert not any(f["row"] == clean["footprintId"] for f in findings)
        assert "nothing was changed" in result.stderr
        with db.engine.connect() as conn:
            for table, rows in snapshot.items():
                assert conn.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all() == rows
    finally:
        db.dispose()


# --- 4: GEC serial uniqueness ---------------------------------------------------------------------------------------

SERIAL = "GEC-2024-YN-HYD-777001"
SPELLINGS = {
    "lower case": SERIAL.lower(),
    "zero-width space": "GEC-2024\u200b-YN-HYD-777001",
    "fullwidth hyphen": SERIAL.replace("-", "\uff0d"),
    "fullwidth letters and digits (NFKC)": "ＧＥＣ－２０２４－ＹＮ－ＨＹＤ－７７７００１",
    "soft hyphen and word joiner": "GEC-2024-YN\u00ad-HYD-\u2060777001",
    "non-breaking and ideographic spaces": "GEC\u00a02024\u3000YN-HYD-777001",
    "en dash and minus sign": "GEC\u20132024\u2212YN-HYD-777001",
    "no separators": "GEC2024YNHYD777001",
    "right-to-left mark": "\u200fGEC-2024-YN-HYD-777001",
}


def _claiming(org: Org, serial: str) -> dict[str, Any]:
    return signed_activity(org, activity(org.did, gec_serials=(serial, f"GEC-OWN-{uuid.uuid4().hex[:10]}")))


def test_a_gec_serial_is_claimed_once_in_every_spelling(make_node, database_url):
    node = make_node(database_url)
    with TestClient(create_app(node=node)) as client:
        first = register(client, "A", ["supplier"])
        other = register(client, "B", ["supplier"])
        _submit(client, _claiming(first, SERIAL))
        before = _counts(database_url)
        for name, spelling in SPELLINGS.items():
            resp = client.post("/submissions", json=_claiming(other, spelling))
            assert resp.status_code == 409, (name, resp.text)
            _problem(resp, 409, "gec-serial-claimed", SERIAL_FIELD)
        # a look-alike outside the character set is refused, not compared (Cyrillic Е)
        body = _problem(
            client.post("/submissions", json=_claiming(other, "G\u0415C-2024-YN-HYD-777001")),
            422,
            "validation-failed",
            SERIAL_FIELD,
        )
        assert "U+0415" in body["detail"]
        # twice in one document, spelt differently
        doubled = signed_activity(other, activity(other.did, gec_serials=("GEC-9-A", "gec 9 a")))
        assert client.post("/submissions", json=doubled).status_code == 422
        assert _counts(database_url) == before


def test_the_migration_reports_colliding_legacy_claims_and_completes(database_url, caplog):
    db = create_database(database_url)
    try:
        upgrade_to_head(db.engine)
        cfg = alembic_config(db.engine.url.render_as_string(hide_password=False))
        command.downgrade(cfg, "0006")  # the evidence branch before the canonical serial
        now = datetime.now(UTC)
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO organisations (id, did, name_zh, name_en, uscc, roles, api_token_hash, created_at) "
                    "VALUES ('o1', 'did:key:z1', NULL, 'one', NULL, '[]', 'h1', :at), "
                    "('o2', 'did:key:z2', NULL, 'two', NULL, '[]', 'h2', :at)"
                ),
                {"at": now},
            )
            for i, (serial, org) in enumerate(
                [
                    ("GEC-2024-YN-HYD-000123", "o1"),
                    ("gec-2024-yn-hyd-000123", "o2"),
                    ("GEC\uff0d7", "o1"),
                    ("GEC-7", "o2"),
                ]
            ):
                conn.execute(
                    text(
                        "INSERT INTO gec_claims (serial, organisation_id, submission_id, claim, sha256, entry_id, "
                        "claimed_at) VALUES (:s, :o, :sub, '{}', :sha, :e, :at)"
                    ),
                    {
                        "s": serial,
                        "o": org,
                        "sub": f"sub-{i}",
                        "sha": "00" * 32,
                        "e": f"e{i}",
                        "at": now + timedelta(seconds=i),
                    },
                )
        with caplog.at_level(logging.WARNING, logger="tanlian.migrations"):
            upgrade_to_head(db.engine)  # completes
        warnings = [r.getMessage() for r in caplog.records if r.name == "tanlian.migrations"]
        assert len(warnings) == 2, warnings
        assert "GEC2024YNHYD000123" in warnings[0] and "'gec-2024-yn-hyd-000123'" in warnings[0]
        with db.engine.connect() as conn:
            keys = {r[0]: r[1] for r in conn.execute(text("SELECT serial, serial_key FROM gec_claims"))}
        assert keys == {
            "GEC-2024-YN-HYD-000123": "GEC2024YNHYD000123",
            "gec-2024-yn-hyd-000123": None,
            "GEC\uff0d7": "GEC7",
            "GEC-7": None,
        }
        result = CliRunner().invoke(cli, ["check", "claims", "--database-url", database_url, "--json"])
        assert result.exit_code == 1, result.output
        listed = {(f["kind"], f["row"]) for f in json.loads(result.stdout)}
        assert listed == {
            ("gec-serial-collision", "gec-2024-yn-hyd-000123"),
            ("gec-serial-collision", "GEC-7"),
        }
    finally:
        db.dispose()


# --- low: signatures dated before the key was added ----------------------------------------------------------------


def test_a_signature_dated_before_its_key_was_added_is_refused(make_node, database_url):
    node = make_node(database_url)
    with TestClient(create_app(node=node)) as client:
        org = register(client, "S", ["supplier"])
        long_ago = datetime(2001, 1, 1, tzinfo=UTC)
        before = _counts(database_url)

        def back_dated(key: Ed25519PrivateKey) -> dict[str, Any]:
            return sign_as(org.did, key, build_credential(activity(org.did), org.did), created=long_ago)

        _problem(
            client.post("/submissions", json=back_dated(org.key)), 422, "key-not-yet-added", "proof.created"
        )
        # a key added later, the first key retired by the rotation: neither signs back-dated to 2001
        new = Ed25519PrivateKey.generate()
        retire = {"id": org.did, "from": eddsa_jcs_2022.format_datetime(datetime.now(UTC))}
        resp = client.post(
            "/organisations/me/keys", json=key_addition(org, org.key, new, retire), headers=org.auth
        )
        assert resp.status_code == 201, resp.text
        for key in (org.key, new):
            _problem(
                client.post("/submissions", json=back_dated(key)), 422, "key-not-yet-added", "proof.created"
            )
        assert _counts(database_url)["submissions"] == before["submissions"]
