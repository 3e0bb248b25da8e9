"""``tanlian cbam communication``: the emissions communication of an installation, from a node or offline."""

from __future__ import annotations

import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from node_service.cli._common import fail

__all__ = ["register"]

cbam_app = typer.Typer(help="CBAM emissions communications for EU importers.", no_args_is_help=True)

MAX_INSTALLATION_FILE = 64 * 1024 * 1024  # an installation JSON larger than this is refused unread


class Fmt(StrEnum):
    xlsx = "xlsx"
    json = "json"
    xml = "xml"


def _from_node(
    node: str, installation: str, token: str | None, period: int, fmt: str, price: float | None
) -> tuple[bytes, str, str]:
    """(content, filename, note) fetched from the node's API."""
    if not token:
        fail(
            "no API token — pass --token or set TANLIAN_API_TOKEN (or give a path to an installation JSON file)"
        )
    params: dict[str, Any] = {"period": period, "format": fmt}
    if price is not None:
        params["certificatePrice"] = price
    url = f"{node.rstrip('/')}/cbam/installations/{installation}/communication"
    try:
        resp = httpx.get(url, params=params, headers={"Authorization": f"Bearer {token}"}, timeout=120)
    except httpx.HTTPError as exc:
        fail(f"cannot reach {node}: {exc} — start the node or pass --node URL")
    if resp.status_code != 200:
        body: dict[str, Any] = {}
        if resp.headers.get("content-type", "").split(";")[0].endswith("json"):
            try:
                body = resp.json()
            except ValueError:
                body = {}
        detail = body.get("detail") or resp.text[:200]
        fix = body.get("fix")
        field = f" [{body['field']}]" if body.get("field") else ""
        retry = f" (retry in {resp.headers['Retry-After']} s)" if "Retry-After" in resp.headers else ""
        fail(f"{resp.status_code} {detail}{field}{' — ' + fix if fix else ''}{retry}")
    match = re.search(r'filename="([^"/\\]+)"', resp.headers.get("content-disposition", ""))
    filename = match.group(1) if match else f"cbam-communication-{period}.{fmt}"
    receipts = resp.headers.get("x-tanlian-receipts", "?")
    return resp.content, filename, f"from {node}: {receipts} receipt(s) of the data behind it listed"


def _offline(path: Path, period: int, fmt: str, price: float | None) -> tuple[bytes, str, str]:
    """(content, filename, note) computed locally from an installation JSON file, without receipts."""
    from footprint_engine.cbam import CbamError, build_communication, render_communication
    from node_service.errors import NodeError
    from node_service.services.cbam.document import check_document, extract_citations, resolve_document

    try:
        size = path.stat().st_size
        if size > MAX_INSTALLATION_FILE:
            fail(f"{path}: got {size} bytes, want at most {MAX_INSTALLATION_FILE} — split the installation")
        document = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        fail(f"{path} is not a readable JSON file: {exc}")
    try:
        stripped, citations = extract_citations(document)
        if citations:
            first = citations[0]
            fail(
                f"{path}: {first.field} cites footprint {first.footprint_id} on a node — offline there is no "
                "node to take it from: run with --installation ID against the node, or give supplier_data"
            )
        installation = check_document(stripped)
        resolve_document(stripped, [], {})
        communication = build_communication(installation, period=period, certificate_price_eur=price)
        content = render_communication(communication, fmt)  # type: ignore[arg-type]
    except NodeError as exc:
        fail(f"{path}: {exc.field + ': ' if exc.field and exc.field not in exc.detail else ''}{exc.message}")
    except CbamError as exc:
        fail(f"{path}: {exc.diagnostics()}")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", installation.installation_id).strip("._") or "installation"
    note = f"computed locally from {path}: no receipts (the data was not checked by a node or anchored)"
    return content, f"cbam-communication-{safe[:80]}-{period}.{fmt}", note


@cbam_app.command("communication")
def communication(
    installation: Annotated[
        str,
        typer.Option(help="installation id on the node, or a path to an installation JSON file (offline)"),
    ],
    period: Annotated[int, typer.Option(min=2023, max=2100, help="reporting year, e.g. 2026")],
    fmt: Annotated[Fmt, typer.Option("--format", help="output format")] = Fmt.xlsx,
    out: Annotated[
        Path | None, typer.Option(help="write here (default: stdout for json/xml, a file for xlsx)")
    ] = None,
    node: Annotated[str, typer.Option(help="node URL")] = "http://127.0.0.1:8000",
    token: Annotated[str | None, typer.Option(envvar="TANLIAN_API_TOKEN", help="API token")] = None,
    certificate_price: Annotated[
        float | None, typer.Option(min=0, help="CBAM certificate price, EUR/tCO2e (euro comparison)")
    ] = None,
) -> None:
    """Write the emissions communication for the EU importer (XLSX, JSON or XML) with its receipts."""
    path = Path(installation)
    if path.suffix.lower() == ".json" or path.is_file():
        if not path.is_file():
            fail(f"{path}: no such file — give an existing installation JSON or an installation id")
        content, filename, note = _offline(path, period, fmt.value, certificate_price)
    else:
        content, filename, note = _from_node(node, installation, token, period, fmt.value, certificate_price)
    if out is None and fmt is not Fmt.xlsx:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        typer.echo(f"note: {note}", err=True)
        return
    target = out or Path(filename)
    try:
        target.write_bytes(content)
    except OSError as exc:
        fail(f"cannot write {target}: {exc}")
    typer.echo(f"wrote {target} ({len(content)} bytes); {note}")


def register(app: typer.Typer) -> None:
    app.add_typer(cbam_app, name="cbam")
