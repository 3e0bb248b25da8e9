"""``tanlian submit SIGNED [--evidence FILE …] --node URL [--token T]`` and ``tanlian submit FILE --check``.

Uploads the evidence files (``POST /evidence``, multipart, needs the organisation's API token) and then
posts the signed credential (``POST /submissions``; the signature is the authentication). Prints the
stored submission as JSON; exits 1 with the node's problem (title, field, detail) when it is refused.

With ``--check`` nothing is uploaded or stored: the activity data (signed or not: a credential or its
``credentialSubject``) goes to the node's dry run (``POST /submissions/check``, with the API token), which prints
every problem found, one per line with its field, and exits 1 when there is any; else the footprint it would
compute. Evidence files given with ``--check`` count as uploaded (their CIDs are computed here).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from node_service.cli._common import fail, print_json, problem_line
from node_service.credentials.errors import CredentialError
from node_service.credentials.vc import load_document
from node_service.evidence import EvidenceError, cid_of_file

__all__ = ["register", "submit_command", "upload_evidence"]

MAX_CREDENTIAL_BYTES = 16 * 1024 * 1024


def upload_evidence(client: httpx.Client, path: Path, token: str) -> dict[str, Any]:
    """POST one file to the node's evidence store; returns its public record (cid, sha256, entryId, …)."""
    try:
        with path.open("rb") as handle:
            resp = client.post(
                "/evidence",
                files={"file": (path.name, handle, "application/octet-stream")},
                headers={"Authorization": f"Bearer {token}"},
            )
    except OSError as exc:
        fail(f"submit: evidence file {str(path)!r} cannot be read: {exc.strerror} — check the path")
    if resp.status_code in (404, 405):
        fail(
            f"submit: the node at {client.base_url} has no evidence upload endpoint (POST /evidence) — submit without --evidence"
        )
    if resp.status_code not in (200, 201):
        fail(problem_line(resp, f"submit: evidence {path.name} refused"))
    body: dict[str, Any] = resp.json()
    return body


def submit_command(
    signed: Annotated[Path, typer.Argument(help="The signed activity-data credential (JSON).", exists=False)],
    node: Annotated[str, typer.Option("--node", help="Base URL of the node, e.g. http://127.0.0.1:8000")],
    evidence: Annotated[
        list[Path] | None, typer.Option("--evidence", help="Evidence file to upload first (repeatable).")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="TANLIAN_API_TOKEN", help="API token (needed for --evidence)."),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each request.")] = 120.0,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Check only (dry run, stores nothing): every problem, one per line with its field; exit 1 if any. "
            "FILE may be unsigned; needs --token.",
        ),
    ] = False,
) -> None:
    """Upload evidence files (if any), then submit the signed credential to the node (--check: only check it)."""
    # (1) the credential: JSON within limits, before any network traffic
    try:
        raw = signed.read_bytes() if str(signed) != "-" else typer.get_binary_stream("stdin").read()
    except OSError as exc:
        fail(f"submit: {str(signed)!r} cannot be read: {exc.strerror} — check the path")
    if len(raw) > MAX_CREDENTIAL_BYTES:
        fail(
            f"submit: credential has {len(raw)} bytes, want at most {MAX_CREDENTIAL_BYTES} — submit less data"
        )
    try:
        credential = load_document(raw)
    except CredentialError as exc:
        fail(f"submit: {exc}")
    files = list(evidence or [])
    if check:
        check_document(credential, files, node, token, timeout)
        return
    if "proof" not in credential:
        fail("submit: the credential has no proof — sign it first with tanlian sign")
    if files and not token:
        fail("submit: --evidence needs the organisation's API token — pass --token or set TANLIAN_API_TOKEN")
    for path in files:
        if not path.is_file():
            fail(f"submit: evidence {str(path)!r} is not a file — check the path")
    with httpx.Client(base_url=node.rstrip("/"), timeout=timeout) as client:
        try:
            # (2) evidence first, so the credential's CIDs point at stored files
            uploaded = [upload_evidence(client, path, token or "") for path in files]
            text = json.dumps(credential)
            for item in uploaded:
                if item.get("cid") and item["cid"] not in text:
                    typer.echo(
                        f"warning: evidence {item.get('filename')} ({item['cid']}) is not cited", err=True
                    )
            # (3) the credential
            resp = client.post("/submissions", json=credential)
        except httpx.HTTPError as exc:
            fail(f"submit: node {node} unreachable: {exc} — check --node and that the node runs")
    if resp.status_code not in (200, 201):
        fail(problem_line(resp, "submit: refused"))
    print_json({"submission": resp.json(), "evidence": uploaded, "replayed": resp.status_code == 200})


def check_document(
    document: dict[str, Any], files: list[Path], node: str, token: str | None, timeout: float
) -> None:
    """``--check``: the node's dry run of ``document``; one line per problem (``field: message — fix``) on stdout
    and exit 1 when there is any, else the preview's total and factors, exit 0."""
    if not token:
        fail("submit --check: needs the organisation's API token — pass --token or set TANLIAN_API_TOKEN")
    local: dict[str, str] = {}  # CIDs of the evidence files given: uploaded first by a real submit
    for path in files:
        try:
            local[cid_of_file(path, sha256=False).cid] = path.name
        except (OSError, EvidenceError) as exc:
            fail(f"submit --check: evidence {str(path)!r} cannot be read: {exc} — check the path")
    with httpx.Client(base_url=node.rstrip("/"), timeout=timeout) as client:
        try:
            resp = client.post(
                "/submissions/check", json=document, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            fail(f"submit --check: node {node} unreachable: {exc} — check --node and that the node runs")
    if resp.status_code == 404:
        fail(f"submit --check: the node at {node} has no dry run (POST /submissions/check) — update the node")
    if resp.status_code != 200:
        fail(problem_line(resp, "submit --check: refused"))
    body: dict[str, Any] = resp.json()
    problems = [
        p
        for p in body.get("problems", [])
        if not (p.get("code") == "evidence-not-stored" and (p.get("params") or {}).get("cid") in local)
    ]
    for p in problems:
        fix = f" — {p['fix']}" if p.get("fix") else ""
        typer.echo(f"{p.get('field') or '(document)'}: [{p.get('code')}] {p.get('message')}{fix}")
    for w in body.get("warnings", []):
        typer.echo(f"warning: {w.get('field')}: [{w.get('code')}] {w.get('message')}", err=True)
    if problems:
        more = "" if body.get("engineChecked") else "; the engine runs once these are fixed"
        typer.echo(f"{len(problems)} problem(s){more}", err=True)
        raise typer.Exit(1)
    preview = body.get("preview")
    if preview is None:  # only evidence files given here were missing: the engine did not run
        typer.echo("ok: no problem found (the engine runs once the evidence files are uploaded)")
        return
    unit = preview.get("declaredUnit")
    typer.echo(f"ok: {preview.get('totalKgCO2ePerDeclaredUnit'):.6g} kgCO2e per {unit}")
    for f in preview.get("factors", []):
        fallback = f" (fallback: {'; '.join(f['fallbacks'])})" if f.get("fallbacks") else ""
        typer.echo(f"  factor {f.get('id')} version {f.get('version', '–')}{fallback}")


def register(app: typer.Typer) -> None:
    """Add ``submit`` to the main ``tanlian`` app."""
    app.command("submit")(submit_command)
