"""The access matrix: every operation of the node's OpenAPI document × every party that can send it a request,
with the outcome the access rules give (docs/security.md, "Who can reach what").

The operations come from ``/openapi.json``, so a new route is covered as soon as it exists: without an entry in
``EXPECTATIONS`` the test fails and says what to declare. An entry lists one or more cells: which objects of the
world (``tests/security/world.py``) fill the path, the body to send, and the outcome per party.

Parties: ``anonymous`` (no credentials), ``bad_token`` (a token nobody was given), ``wrong_kind`` (the owner's
PACT access token on the node's API, the owner's API token on PACT), ``stale`` (PACT: the token of a client whose
secret was rotated since; API: the owner's token with "Basic" instead of "Bearer"), and the registered
organisations ``owner``, ``buyer``, ``other``, ``auditor`` (see the world).

Outcomes: ``OK`` (2xx), or the exact refusal: 401 (who are you?), 403 (you may not), 404 (nothing visible to you
here: the node does not say whether it exists), 400/409/422 (past access control, refused for its content).
Footprint rows follow the one visibility rule (owner, shared with, or public: services/footprints/visibility.py),
and ``test_the_world_follows_the_visibility_rule`` checks the world against the rule itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from node_service.credentials import eddsa_jcs_2022
from node_service.credentials.didkey import verification_method_id
from node_service.credentials.vc import build_credential
from node_service.evidence.unixfs import cid_of_bytes
from node_service.services.factors.table_import import namespace
from tests.node_service.helpers import activity, registration, signed_activity
from tests.node_service.services.cbam.helpers import cement_document
from tests.security.world import World, build_world, sqlite_url

OK = "ok"
ORGS = ("owner", "buyer", "other", "auditor")
UNAUTHENTICATED = ("anonymous", "bad_token", "wrong_kind", "stale")
PARTIES = (
    *UNAUTHENTICATED,
    "buyer",
    "other",
    "auditor",
    "owner",
)  # the owner last: its writes change the world

Outcome = str | int
Body = Callable[[World, str], dict[str, Any]]  # keyword arguments of the request (json=, data=, files=, …)


@dataclass(frozen=True)
class Cell:
    """One target of an operation: the path's values (world attribute names), the request's body, and the
    outcome for each party (``anonymous`` stands for the four unauthenticated parties)."""

    expect: dict[str, Outcome]
    path: dict[str, str] = field(default_factory=dict)
    query: str = ""
    body: Body | None = None

    def outcome(self, party: str) -> Outcome:
        return self.expect[party if party in ORGS else "anonymous"]


def public(outcome: Outcome = OK, **path: str) -> Cell:
    return Cell({p: outcome for p in ("anonymous", *ORGS)}, path)


def any_org(outcome: Outcome = OK, *, anonymous: Outcome = 401, **path: str) -> Cell:
    """Any registered organisation, acting on itself; nobody else."""
    return Cell({"anonymous": anonymous, **{p: outcome for p in ORGS}}, path)


def only(*allowed: str, others: Outcome = 404, anonymous: Outcome = 401, **path: str) -> Cell:
    """``allowed`` parties get OK, the other organisations ``others``."""
    return Cell({"anonymous": anonymous, **{p: OK if p in allowed else others for p in ORGS}}, path)


def with_body(cell: Cell, body: Body, query: str = "") -> Cell:
    return Cell(cell.expect, cell.path, query or cell.query, body)


def with_query(cell: Cell, query: str) -> Cell:
    return Cell(cell.expect, cell.path, query, cell.body)


# ---------------------------------------------------------------- bodies
def _json(document: Any) -> Body:
    return lambda world, party: {"json": document}


def _new_registration(world: World, party: str) -> dict[str, Any]:
    return {"json": registration(Ed25519PrivateKey.generate(), f"Newcomer via {party}", ["buyer"])}


_CREDENTIALS: dict[str, dict[str, Any]] = {}


def _owner_credential(world: World, party: str) -> dict[str, Any]:
    """One activity credential of the owner's, signed by the owner (the first call stores it: 201; replays 200)."""
    if "owner" not in _CREDENTIALS:
        subject = activity(world.owner.did, reportingPeriod={"start": "2023-01-01", "end": "2023-12-31"})
        for line in subject["inputs"].get("electricity", []):
            line.pop("greenPowerClaims", None)  # the example's certificates were produced in another year
        _CREDENTIALS["owner"] = signed_activity(world.owner, subject)
    return {"json": _CREDENTIALS["owner"]}


def _owner_activity(world: World, party: str) -> dict[str, Any]:
    """The owner's unsigned activity data, for the dry run (any organisation may check a draft: another's is
    answered 200 with the problems, such as an organisation that is not the caller)."""
    return {"json": activity(world.owner.did)}


def _forged_credential(world: World, party: str) -> dict[str, Any]:
    """A credential naming the owner as issuer, signed with ``other``'s key: acting for another organisation."""
    credential = build_credential(activity(world.owner.did), world.owner.did)
    key = world.other.key
    return {"json": eddsa_jcs_2022.sign(credential, key, verification_method_id(key))}


def _owner_key_revocation(world: World, party: str) -> dict[str, Any]:
    """The owner's own KeyRevocation credential for its key (sent with somebody's token)."""
    key_did = verification_method_id(world.owner.key).split("#")[0]
    subject = {"id": world.owner.did, "revokeKey": key_did, "reason": "matrix"}
    credential = build_credential(subject, world.owner.did, credential_type="KeyRevocation")
    return {"json": eddsa_jcs_2022.sign(credential, world.owner.key, verification_method_id(world.owner.key))}


def _event(world: World, party: str) -> dict[str, Any]:
    return {"content": b"{}", "headers": {"content-type": "application/cloudevents+json"}}


def _token_request(world: World, party: str) -> dict[str, Any]:
    basic = {
        "bad_token": ("nobody", "nothing"),
        "stale": world.stale_basic,
        "wrong_kind": (world.owner.token, ""),
    }.get(party) or world.basic.get(party)
    return {"data": {"grant_type": "client_credentials"}, "auth": basic}


def _upload(world: World, party: str) -> dict[str, Any]:
    return {"files": {"file": (f"{party}.txt", f"uploaded by {party}".encode(), "text/plain")}}


def _handle_values(world: World, party: str) -> dict[str, Any]:
    return {"json": [{"index": 1, "type": "NAME", "data": {"format": "string", "value": f"set by {party}"}}]}


def _factor_table(world: World, party: str) -> dict[str, Any]:
    """A one-row factor table (each organisation imports it into its own namespace: 201, then 200)."""
    csv = (
        "key,name_zh,value,unit,geography,year,source_title,publisher\n"
        "matrix-widget,矩阵件,1.5,kgCO2e/kg,CN,2024,Matrix EPD,Matrix Co.\n"
    )
    return {"files": {"file": ("matrix.csv", csv.encode(), "text/csv")}}


def _shared_with(target: str) -> Body:
    return lambda world, party: {"json": {"organisation": world.org(target).did}}


def _remote_host(world: World, party: str) -> dict[str, Any]:
    return {"json": {"baseUrl": "https://pact.example.com", "clientId": "c", "clientSecret": "s"}}


# ---------------------------------------------------------------- the expectations, one entry per operation
SHARED = {"footprint_id": "shared_footprint"}
PRIVATE = {"footprint_id": "private_footprint"}
MISSING = {"footprint_id": "missing"}
# the visibility rule: the owner and whom a footprint is shared with; anybody else is told nothing exists
FOOTPRINT_READS = [only("owner", "buyer", **SHARED), only("owner", **PRIVATE), only(**MISSING)]
# PACT answers as its Technical Specifications define: a missing or invalid access token is BadRequest (400),
# GetFootprint of a published footprint not shared with the caller AccessDenied (403); an unpublished or unknown
# footprint does not exist for PACT (404)
PACT_READS = [
    only("owner", "buyer", others=403, anonymous=400, **SHARED),
    only(anonymous=400, **PRIVATE),
    only(anonymous=400, **MISSING),
]
# sharing and publishing: only the owner, and not even whether the footprint exists is told to anybody else
OWNER_WRITES = [only("owner", others=403, **SHARED), only(others=403, **MISSING)]
OWNER_ONLY = {"owner": OK, "buyer": 404, "other": 404, "auditor": 404}

EXPECTATIONS: dict[str, list[Cell]] = {
    "GET /healthz": [public()],
    "GET /readyz": [public()],
    "GET /chain": [public()],
    "POST /organisations": [with_body(public(), _new_registration)],
    "GET /organisations/me": [any_org()],
    "GET /organisations/{did}": [public(did="owner_did"), public(404, did="missing")],
    "POST /organisations/me/keys": [with_body(any_org(422), _json({}))],
    # the owner's own signed request sent with another organisation's token is refused (issuer is not the
    # caller), and the owner cannot revoke or retire its only key
    "POST /organisations/me/keys/{did}/retire": [with_body(any_org(422, did="owner_key"), _json({}))],
    "POST /organisations/me/keys/{did}/revoke": [
        with_body(any_org(422, did="owner_key"), _owner_key_revocation)
    ],
    "PUT /organisations/me/prefixes/{prefix}/delegates/{did}": [
        only("owner", others=403, prefix="prefix", did="buyer_did"),
    ],
    "DELETE /organisations/me/prefixes/{prefix}/delegates/{did}": [
        only("owner", others=403, prefix="prefix", did="buyer_did"),
    ],
    # a submission is authenticated by its signature, not by a token: anybody may carry it; a credential in
    # another organisation's name is refused whoever sends it
    "POST /submissions": [with_body(public(), _owner_credential), with_body(public(422), _forged_credential)],
    # the dry run of unsigned activity data: for the calling organisation (its token), stores nothing
    "POST /submissions/check": [with_body(any_org(), _owner_activity)],
    "GET /submissions/{submission_id}": [
        only("owner", submission_id="submission"),
        only(submission_id="missing"),
    ],
    "GET /footprints": [any_org()],
    "GET /footprints/{footprint_id}": FOOTPRINT_READS,
    "POST /footprints/{footprint_id}/shares": [with_body(c, _shared_with("buyer")) for c in OWNER_WRITES],
    "GET /footprints/{footprint_id}/report.pdf": FOOTPRINT_READS,
    "GET /footprints/{footprint_id}/verification-package": FOOTPRINT_READS,
    "GET /receipts/{entry_id}": [
        only("owner", "buyer", entry_id="shared_footprint"),
        only("owner", entry_id="entry"),
        only(entry_id="missing"),
    ],
    "GET /log/heads": [public()],
    "GET /log/consistency": [with_query(public(), "from=1&to=2")],
    "POST /evidence": [with_body(any_org(), _upload)],
    "GET /evidence": [any_org()],
    # the owner and the auditor it granted the file to; a grantee cannot grant it on
    "GET /evidence/{cid}": [only("owner", "auditor", cid="evidence"), only(cid="missing_cid")],
    "POST /evidence/{cid}/grants": [
        with_body(only("owner", cid="evidence"), _shared_with("auditor")),
        with_body(only(cid="missing_cid"), _shared_with("auditor")),
    ],
    # anybody's own installation; the owner's has this installation_id already (409)
    "POST /cbam/installations": [
        with_body(Cell({**any_org().expect, "owner": 409}), _json(cement_document()))
    ],
    "GET /cbam/installations/{record_id}": [
        only("owner", record_id="installation"),
        only(record_id="missing"),
    ],
    "PUT /cbam/installations/{record_id}": [
        with_body(only("owner", record_id="installation"), _json(cement_document())),
        with_body(only(record_id="missing"), _json(cement_document())),
    ],
    "GET /cbam/installations/{record_id}/communication": [
        # the owner's PUT above made a new version; its receipt may not be anchored yet (409)
        with_query(
            Cell({"anonymous": 401, **OWNER_ONLY, "owner": "ok|409"}, {"record_id": "installation"}),
            "period=2026&format=json",
        ),
        with_query(only(record_id="missing"), "period=2026&format=json"),
    ],
    "GET /api/handles/{handle}": [public(handle="handle"), public(404, handle="missing_handle")],
    # only the holder of the prefix manages its records (Handle.Net: 403, responseCode 401)
    "PUT /api/handles/{handle}": [with_body(only("owner", others=403, handle="handle"), _handle_values)],
    "DELETE /api/handles/{handle}": [only("owner", others=403, handle="doomed_handle")],
    "GET /api/handles": [with_query(only("owner", others=403), "prefix=88.412.7")],
    # PACT (Bearer access tokens of PACT clients)
    "POST /auth/token": [Cell({"anonymous": 401, **{p: OK for p in ORGS}}, body=_token_request)],
    "GET /.well-known/openid-configuration": [public()],
    "GET /3/footprints": [any_org(anonymous=400)],
    "GET /2/footprints": [any_org(anonymous=400)],
    "GET /3/footprints/{footprint_id}": PACT_READS,
    "GET /2/footprints/{footprint_id}": PACT_READS,
    "POST /3/events": [with_body(any_org(400, anonymous=400), _event)],
    "POST /2/events": [with_body(any_org(400, anonymous=400), _event)],
    "GET /pact/receipts/{footprint_id}": PACT_READS,
    # PACT management (API tokens): an organisation's own clients, publications, inbox and outbox
    "GET /pact/clients": [any_org()],
    "POST /pact/clients": [with_body(any_org(), _json({"name": "matrix"}))],
    "POST /pact/clients/{client_id}/rotate": [
        only("owner", client_id="pact_client"),
        only(client_id="missing"),
    ],
    "DELETE /pact/clients/{client_id}": [only("owner", client_id="doomed_client"), only(client_id="missing")],
    "POST /pact/footprints/{footprint_id}/publish": [with_body(c, _json({})) for c in OWNER_WRITES],
    "POST /pact/remote-hosts": [
        with_body(Cell({"anonymous": 401, **{p: "passes" for p in ORGS}}), _remote_host)
    ],
    "GET /pact/requests": [any_org()],
    # a request in the owner's inbox (sent by the buyer) is the owner's to answer
    "POST /pact/requests/{request_id}/fulfil": [
        with_body(only("owner", request_id="request"), _json({})),
        with_body(only(request_id="missing"), _json({})),
    ],
    "POST /pact/requests/{request_id}/reject": [
        with_body(only("owner", request_id="other_request"), _json({})),
        with_body(only(request_id="missing"), _json({})),
    ],
    "GET /pact/outbox": [any_org()],
    "GET /pact/recompute-notices": [any_org()],
    "GET /pact/recompute-notices/{notice_id}": [only(notice_id="missing")],
    "POST /pact/recompute-notices/{notice_id}/recompute": [only(notice_id="missing")],
    # the factor library: reading is public data (no token: the library and published factors; a token adds the
    # caller's own; a token that is not valid is a 401, hence "ok|401" for the unauthenticated parties), an
    # organisation imports into its own namespace (owner_factor: the owner's import below), only the owner
    # publishes its private factor, nobody publishes a library factor
    "GET /factors": [Cell({"anonymous": "ok|401", **{p: OK for p in ORGS}})],
    "GET /factors/resolve": [
        with_query(
            Cell({"anonymous": "ok|401", **{p: OK for p in ORGS}}),
            "rule=organisation-inventory/generic&geography=CN-YN&year=2021",
        )
    ],
    "POST /factors/import": [with_body(any_org(), _factor_table)],
    "GET /factors/{factor_id}": [
        Cell({"anonymous": "ok|401", **{p: OK for p in ORGS}}, {"factor_id": "builtin_factor"}),
        Cell({"anonymous": "404|401", **OWNER_ONLY}, {"factor_id": "owner_factor"}),
    ],
    "POST /factors/{factor_id}/publish": [
        only("owner", factor_id="owner_factor"),
        only(others=403, factor_id="builtin_factor"),
    ],
    "GET /factors/recompute-notices": [any_org()],
    "GET /factors/recompute-notices/{notice_id}": [only(notice_id="missing")],
    "POST /factors/recompute-notices/{notice_id}/recompute": [only(notice_id="missing")],
    # reference tables: public data, the same for every caller (no credentials looked at, so no 401 either)
    "GET /reference-tables": [public()],
    "GET /reference-tables/{name}": [
        public(name="reference_table"),
        with_query(public(name="reference_table"), "version=2026-12"),
        public(404, name="missing"),
        with_query(public(404, name="reference_table"), "version=missing"),
    ],
}

PACT_PATHS = ("/2/", "/3/", "/pact/receipts/")


# ---------------------------------------------------------------- running the matrix
@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from node_service.runtime import Node
    from node_service.settings import Settings

    tmp: Path = tmp_path_factory.mktemp("matrix")
    settings = Settings(data_dir=tmp / "data", database_url=sqlite_url(tmp), anchor_interval_seconds=0.2)
    node = Node(settings).start()
    try:
        yield from build_world(node)
    finally:
        node.stop()


def operations(world: World) -> list[str]:
    document = world.app.openapi()
    return [f"{method.upper()} {path}" for path, ops in document["paths"].items() for method in ops]


def _value(world: World, name: str) -> str:
    special = {
        "missing": "00000000-0000-4000-8000-000000000000",
        "missing_cid": cid_of_bytes(b"bytes nobody stored").cid,
        "missing_handle": f"{world.prefix}/NOBODY-MADE-THIS",
        "owner_did": world.owner.did,
        "buyer_did": world.buyer.did,
        "owner_key": verification_method_id(world.owner.key).split("#")[0],
        "request": world.requests[0],
        "other_request": world.requests[1],
        "builtin_factor": "material/primary-aluminium-electrolytic/CN/2018",
        "reference_table": "energy-limit-levels",
        "owner_factor": f"{namespace(world.owner.id)}/matrix-widget/CN/2024",
    }
    if name in special:
        return special[name]
    value: str = getattr(world, name)
    return value


def _headers(world: World, party: str, path: str) -> dict[str, str]:
    if party == "anonymous" or path == "/auth/token":
        return {}
    pact = path.startswith(PACT_PATHS)
    if party == "bad_token":
        return {"authorization": "Bearer not-a-token-anybody-was-given"}
    if party == "wrong_kind":
        return world.owner.auth if pact else world.bearers["owner"]
    if party == "stale":
        if pact:
            return world.stale_bearer
        token = world.owner.token
        return {"authorization": f"Bearer {token[:-1]}{'B' if token[-1] == 'A' else 'A'}"}
    return world.bearers[party] if pact else world.org(party).auth


def _matches(status: int, outcome: Outcome) -> bool:
    if outcome == "passes":  # past access control: refused for content or accepted, never 401/403/404
        return status < 500 and status not in (401, 403, 404)
    accepted = str(outcome).split("|")
    return (OK in accepted and 200 <= status < 300) or str(status) in accepted


def test_every_operation_has_expectations(world: World) -> None:
    found = operations(world)
    missing = [op for op in found if op not in EXPECTATIONS]
    assert not missing, (
        "operations without access expectations: "
        + ", ".join(missing)
        + " — add an entry to EXPECTATIONS in tests/security/test_access_matrix.py saying who may call it "
        "(public(), any_org(), only('owner', …)) and what everybody else gets (401/403/404)"
    )
    stale = sorted(set(EXPECTATIONS) - set(found))
    assert not stale, f"EXPECTATIONS names operations the node no longer has: {stale} — remove them"


def test_access_matrix(world: World) -> None:
    known = set(operations(world))
    wrong: list[str] = []
    cells = 0
    for key, cell_list in EXPECTATIONS.items():
        if key not in known:
            continue
        method, template = key.split(" ", 1)
        for cell, party in itertools.product(cell_list, PARTIES):
            path = template
            for name, attribute in cell.path.items():
                path = path.replace(f"{{{name}}}", _value(world, attribute))
            url = f"{path}?{cell.query}" if cell.query else path
            kwargs = cell.body(world, party) if cell.body else {}
            headers = {**_headers(world, party, template), **kwargs.pop("headers", {})}
            resp = world.client.request(method, url, headers=headers, **kwargs)
            cells += 1
            if not _matches(resp.status_code, cell.outcome(party)):
                wrong.append(
                    f"{key} [{', '.join(f'{k}={v}' for k, v in cell.path.items())}] as {party}: got "
                    f"{resp.status_code}, want {cell.outcome(party)} — {resp.text[:160]}"
                )
    print(f"access matrix: {len(known)} operations, {cells} cells")
    assert not wrong, "\n".join(wrong)


def test_lists_show_only_what_the_visibility_rule_allows(world: World) -> None:
    """GET /footprints and PACT's ListFootprints (v3 and v2.3) list exactly what each party may see."""
    sees = {
        "owner": {world.private_footprint, world.shared_footprint},
        "buyer": {world.shared_footprint},
        "other": set(),
        "auditor": set(),
    }
    published = {world.shared_footprint}
    for party, visible in sees.items():
        listed = world.client.get("/footprints?limit=1000", headers=world.org(party).auth).json()["data"]
        ours = {fp["id"] for fp in listed} & {world.private_footprint, world.shared_footprint}
        assert ours == visible, party
        for version in (2, 3):
            resp = world.client.get(f"/{version}/footprints?limit=100", headers=world.bearers[party])
            assert resp.status_code == 200, resp.text
            ids = {fp["id"] for fp in resp.json()["data"]}
            assert ids & {world.private_footprint, world.shared_footprint} == visible & published, (
                party,
                version,
            )


def test_the_world_follows_the_visibility_rule(world: World) -> None:
    """The expectations above say who sees which footprint; the one rule (visibility.may_see) agrees."""
    from node_service.db.models import Footprint
    from node_service.services.footprints.visibility import may_see

    node = world.app.state.node
    table = {
        world.shared_footprint: {"owner", "buyer"},
        world.private_footprint: {"owner"},
    }
    with node.db.transaction() as session:
        for footprint_id, allowed in table.items():
            footprint = session.get(Footprint, footprint_id)
            assert footprint is not None
            for party in ORGS:
                assert may_see(session, footprint, world.org(party).id) is (party in allowed), (
                    footprint_id,
                    party,
                )
