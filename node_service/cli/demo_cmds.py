"""``tanlian demo``: the whole path from signed activity data to a verified on-chain receipt, over HTTP.

Without --node it starts an embedded node (temporary data directory, anvil devnet) and serves it on a free
loopback port, so both modes drive the same HTTP API with the same client code.
"""

from __future__ import annotations

import json
import secrets
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from node_service.cli._common import fail
from node_service.credentials import eddsa_jcs_2022
from node_service.credentials.didkey import did_key, verification_method_id
from node_service.credentials.vc import build_credential
from node_service.errors import NodeError
from node_service.verification import verify_receipt

__all__ = ["register", "run_demo"]


class DemoError(Exception):
    pass


class Step:
    def __init__(self) -> None:
        self.n = 0
        self.t0 = time.monotonic()

    def __call__(self, text: str) -> None:
        self.n += 1
        typer.echo(f"[{time.monotonic() - self.t0:6.2f}s] {self.n:>2}. {text}")


@contextmanager
def embedded_node(data_dir: Path) -> Iterator[str]:
    """Start a node in ``data_dir`` and serve it on a free loopback port in this process."""
    import uvicorn

    from node_service.app import create_app
    from node_service.chain.devnet import free_loopback_port
    from node_service.runtime import Node
    from node_service.settings import Settings

    node = Node(Settings(data_dir=data_dir, anchor_interval_seconds=1.0)).start()
    port = free_loopback_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(node=node), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        node.stop()


def _check(resp: httpx.Response, want: int | tuple[int, ...], what: str) -> dict[str, Any]:
    wanted = (want,) if isinstance(want, int) else want
    if resp.status_code not in wanted:
        raise DemoError(f"{what}: HTTP {resp.status_code}: {resp.text[:300]}")
    body: dict[str, Any] = resp.json()
    return body


def _register(
    client: httpx.Client,
    key: Ed25519PrivateKey,
    name: dict[str, str],
    roles: list[str],
    uscc: str | None = None,
    prefixes: list[str] | None = None,
) -> dict[str, Any]:
    did = did_key(key)
    subject: dict[str, Any] = {"id": did, "name": name, "roles": roles}
    if uscc:
        subject["uscc"] = uscc
    if prefixes:
        subject["idisPrefixes"] = prefixes
    document = build_credential(subject, did, credential_type="OrganisationRegistration")
    signed = eddsa_jcs_2022.sign(document, key, verification_method_id(key))
    return _check(client.post("/organisations", json=signed), 201, f"register {name.get('en')}")


def _activity() -> dict[str, Any]:
    from footprint_engine.examples import load_example

    return load_example("aluminium-ingot-yunnan")


def _cited_handles(activity: dict[str, Any]) -> list[str]:
    """The IDIS handles the example cites (its product and materials; the GTIN needs no record)."""
    handles = [activity["productIdentifier"]]
    handles += [m["identifier"] for m in activity["inputs"]["materials"] if m["identifier"].startswith("88.")]
    return handles


def _publish_handles(
    client: httpx.Client, activity: dict[str, Any], supplier_key: Ed25519PrivateKey
) -> tuple[dict[str, Any], list[str]]:
    """On a node where the example's handles do not resolve yet (the first demo on it), register the
    supplier as the example's smelter (its USCC, its IDIS prefix) and the alumina refinery that issued the
    alumina's handle, each creating the records of its own handles: the node refuses a submission citing an
    identifier nobody resolves. Returns the supplier's registration and the handles published."""
    handles = _cited_handles(activity)
    by_prefix: dict[str, list[str]] = {}
    for handle in handles:
        by_prefix.setdefault(handle.split("/", 1)[0], []).append(handle)
    own_prefix = activity["productIdentifier"].split("/", 1)[0]
    supplier = _register(
        client,
        supplier_key,
        {"zh": "云南绿铝示范冶炼厂", "en": "Yunnan Green Aluminium Demo"},
        ["supplier"],
        uscc=activity["organisation"]["id"],  # the example reports under its USCC (GECs are cancelled for it)
        prefixes=[own_prefix],
    )
    holders = {own_prefix: supplier["apiToken"]}
    for prefix in sorted(set(by_prefix) - {own_prefix}):
        other = _register(
            client,
            Ed25519PrivateKey.generate(),
            {"en": f"Demo material supplier ({prefix})"},
            ["supplier"],
            prefixes=[prefix],
        )
        holders[prefix] = other["apiToken"]
    for prefix, cited in by_prefix.items():
        for handle in cited:
            value = {"index": 1, "type": "NAME", "data": {"format": "string", "value": handle}}
            headers = {"Authorization": f"Bearer {holders[prefix]}"}
            _check(client.put(f"/api/handles/{handle}", json=[value], headers=headers), (200, 201), handle)
    return supplier, handles


def _register_supplier(
    client: httpx.Client, activity: dict[str, Any], supplier_key: Ed25519PrivateKey
) -> tuple[dict[str, Any], str]:
    """The demo's supplier, and a line saying how the example's identifiers resolve.

    A node where the demo ran before already resolves the example's handles and holds the example smelter's
    USCC and IDIS prefix: this run's supplier registers as a new organisation with an enterprise prefix of its
    own, publishes its product's record there and reports under its did:key (a product under another
    organisation's prefix is refused).
    """
    if client.get(f"/api/handles/{activity['productIdentifier']}").status_code != 200:
        supplier, handles = _publish_handles(client, activity, supplier_key)
        return supplier, f"published handle records {', '.join(handles)} under their IDIS prefixes"
    industry = activity["productIdentifier"].split(".", 2)[1]
    prefix = f"88.{industry}.D{secrets.token_hex(4).upper()}"
    supplier = _register(
        client,
        supplier_key,
        {"zh": "云南绿铝示范冶炼厂（新）", "en": "Yunnan Green Aluminium Demo (again)"},
        ["supplier"],
        prefixes=[prefix],
    )
    product = f"{prefix}/{activity['productIdentifier'].split('/', 1)[1]}"
    value = {"index": 1, "type": "NAME", "data": {"format": "string", "value": product}}
    headers = {"Authorization": f"Bearer {supplier['apiToken']}"}
    _check(client.put(f"/api/handles/{product}", json=[value], headers=headers), (200, 201), product)
    example_org = activity["organisation"]["id"]
    rewritten = json.loads(json.dumps(activity).replace(json.dumps(example_org), json.dumps(supplier["did"])))
    rewritten["productIdentifier"] = product
    activity.clear()
    activity.update(rewritten)
    return (
        supplier,
        f"the example's handles resolve already (an earlier run published them); reporting {product} under its "
        "did:key",
    )


def _drop_evidence(node: Any) -> None:
    """Remove the example's placeholder evidence CIDs; the demo cites only files it really uploads."""
    if isinstance(node, dict):
        node.pop("evidence", None)
        for value in node.values():
            _drop_evidence(value)
    elif isinstance(node, list):
        for value in node:
            _drop_evidence(value)


def _evidence_files(activity: dict[str, Any], run_tag: str) -> list[tuple[str, bytes, dict[str, Any]]]:
    """Evidence the supplier holds: monthly meter readings and one certificate record per GEC batch.

    Serials get a per-run tag: a GEC serial can be claimed once across the exchange, and the demo may run
    several times against one node. Returns (file name, bytes, the object whose ``evidence`` cites it).
    """
    _drop_evidence(activity)
    electricity = activity["inputs"]["electricity"][0]
    monthly = electricity["amount"] / 12
    rows = ["month,meter_id,consumption_mwh"] + [
        f"2025-{m:02d},YN-POTLINE-01,{monthly:.3f}" for m in range(1, 13)
    ]
    files = [("meter-readings-2025.csv", ("\n".join(rows) + "\n").encode(), electricity)]
    for claim in electricity.get("greenPowerClaims", []):
        claim["serial"] = f"{claim['serial']}-{run_tag}"
        record = {
            k: claim[k] for k in ("serial", "quantityMWh", "generationType", "productionDate", "cancellation")
        }
        body = json.dumps(
            {"certificate": "China Green Electricity Certificate (GEC) batch", **record}, indent=2
        )
        files.append((f"gec-{claim['serial']}.json", body.encode(), claim))
    return files


def _wait_receipt(client: httpx.Client, entry_id: str, token: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        resp = client.get(f"/receipts/{entry_id}", headers={"Authorization": f"Bearer {token}"})
        if resp.status_code == 200:
            body: dict[str, Any] = resp.json()
            return body
        if resp.status_code != 409:
            raise DemoError(f"receipt {entry_id}: HTTP {resp.status_code}: {resp.text[:300]}")
        time.sleep(0.2)
    raise DemoError(f"receipt {entry_id}: not anchored within {timeout:.0f} s")


def run_demo(node_url: str, out: Path, rpc: str | None = None) -> list[Path]:
    step = Step()
    written: list[Path] = []
    with httpx.Client(base_url=node_url, timeout=60) as client:
        chain = _check(client.get("/chain"), 200, "chain info")
        rpc = rpc or chain.get("rpcUrl")
        step(f"node {node_url}: anchors on chain {chain['chainId']} at {chain['contract']}")

        supplier_key, buyer_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
        activity = _activity()
        supplier, identifiers = _register_supplier(client, activity, supplier_key)
        buyer = _register(client, buyer_key, {"zh": "示范电机制造商", "en": "Demo EV Motor Maker"}, ["buyer"])
        step(
            f"registered supplier {supplier['did'][:24]}… and buyer {buyer['did'][:24]}… (self-signed, eddsa-jcs-2022);"
            f" {identifiers}"
        )

        supplier_auth = {"Authorization": f"Bearer {supplier['apiToken']}"}
        evidence_dir = out / "evidence"
        evidence_dir.mkdir(parents=True, exist_ok=True)
        evidence_cids: list[tuple[str, str, Path]] = []
        for name, content, citing in _evidence_files(activity, uuid.uuid4().hex[:8]):
            (evidence_dir / name).write_bytes(content)
            stored = _check(
                client.post("/evidence", files={"file": (name, content)}, headers=supplier_auth),
                (200, 201),
                name,
            )
            citing["evidence"] = [stored["cid"]]
            evidence_cids.append((stored["cid"], stored["entryId"], evidence_dir / name))
        step(
            f"supplier uploaded {len(evidence_cids)} evidence files (meter readings, GEC certificates) → CIDv1s"
        )

        credential = build_credential(activity, supplier["did"])
        signed = eddsa_jcs_2022.sign(credential, supplier_key, verification_method_id(supplier_key))
        step(f"supplier signed activity-data credential {signed['id']} (the private key stays here)")

        submission = _check(client.post("/submissions", json=signed), 201, "submit")
        step(f"node verified and stored it; footprint {submission['footprintId']} computed with Brightway")

        buyer_auth = {"Authorization": f"Bearer {buyer['apiToken']}"}
        denied = client.get(f"/footprints/{submission['footprintId']}", headers=buyer_auth)
        if denied.status_code != 404:
            raise DemoError(f"buyer saw an unshared footprint: HTTP {denied.status_code}")
        _check(
            client.post(
                f"/footprints/{submission['footprintId']}/shares",
                json={"organisation": buyer["did"]},
                headers=supplier_auth,
            ),
            201,
            "share",
        )
        footprint = _check(
            client.get(f"/footprints/{submission['footprintId']}", headers=buyer_auth), 200, "fetch"
        )
        result = footprint["document"]["result"]
        step(
            f"supplier shared it; buyer fetched it: {result['emissions']['total']:,.1f} kg CO2e per "
            f"{result['declaredUnit']} (market-based electricity; location-based "
            f"{result['electricity']['totalLocationBased']:,.1f})"
        )

        receipts_dir = out / "receipts"
        receipts_dir.mkdir(parents=True, exist_ok=True)
        (out / "submission.json").write_text(json.dumps(signed, ensure_ascii=False, indent=2) + "\n")
        (out / "footprint.json").write_text(json.dumps(footprint, ensure_ascii=False, indent=2) + "\n")
        _, gec_entry, gec_file = evidence_cids[-1]
        checks = (
            ("submission", signed["id"], out / "submission.json"),
            ("footprint", submission["footprintId"], out / "footprint.json"),
            ("evidence", gec_entry, gec_file),
        )
        for kind, entry_id, doc_file in checks:
            receipt = _wait_receipt(client, entry_id, buyer["apiToken"])  # the buyer checks all three
            report = verify_receipt(receipt, rpc_url=rpc, file=doc_file)
            if not report.ok:
                bad = "; ".join(f"{c.name}: {c.detail}" for c in report.checks if not c.ok)
                raise DemoError(f"{kind} receipt does not verify: {bad}")
            safe = entry_id.replace(":", "_").replace("/", "_")
            path = receipts_dir / f"{kind}-{safe}.json"
            path.write_text(json.dumps(receipt, indent=2) + "\n")
            written.append(path)
            step(
                f"{kind} receipt verified ({', '.join(c.name for c in report.checks)}): leaf {receipt['leafIndex']}"
                f" in head {receipt['treeSize']}, tx {receipt['anchor']['transactionHash'][:18]}… → {path}"
            )
    step("done")
    return written


def demo(
    node: Annotated[
        str | None, typer.Option(help="drive the node at this URL instead of an embedded one")
    ] = None,
    out: Annotated[Path, typer.Option(help="where receipts/*.json and the documents go")] = Path(
        "tanlian-demo"
    ),
    rpc: Annotated[
        str | None, typer.Option(help="JSON-RPC URL for on-chain checks (default: the node's devnet)")
    ] = None,
) -> None:
    """Register, sign, submit, compute, anchor, share, fetch and verify — one real path, end to end."""
    try:
        if node is not None:
            run_demo(node, out, rpc)
            return
        with tempfile.TemporaryDirectory(prefix="tanlian-demo-") as tmp, embedded_node(Path(tmp)) as url:
            run_demo(url, out, rpc)
    except DemoError as exc:
        fail(str(exc))
    except NodeError as exc:
        fail(exc.diagnostics())
    except httpx.HTTPError as exc:
        fail(f"cannot talk to the node: {exc}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
