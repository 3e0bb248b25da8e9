"""``tanlian resolve IDENTIFIER [--node URL] [--type T …] [--json]``.

Prints the identifier's kind, normal form and PACT URN; with ``--node`` a handle (IDIS or any Handle
prefix) is also resolved against that node's Handle REST API and its values are printed.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from identifier_resolver import (
    DigitalLink,
    Gtin,
    Handle,
    HandleClient,
    Identifier,
    IdentifierResolverError,
    Uscc,
    pact_id_list,
    parse_identifier,
    to_pact_urn,
)
from node_service.cli._common import fail, print_json

__all__ = ["describe_identifier", "register", "resolve_command"]


def describe_identifier(identifier: Identifier) -> dict[str, Any]:
    """The parsed/normalised form of an identifier as a JSON-able dict."""
    out: dict[str, Any] = {}
    if isinstance(identifier, Handle):
        idis = identifier.idis
        out = {"kind": identifier.kind, "normalised": str(identifier), "prefix": identifier.prefix}
        out["suffix"] = identifier.suffix
        if idis is not None:
            out["idisIndustry"] = idis.industry
            out["idisEnterprise"] = idis.enterprise
    elif isinstance(identifier, DigitalLink):
        out = {
            "kind": "gs1-digital-link",
            "normalised": identifier.canonical_uri(),
            "gtin14": identifier.gtin.gtin14,
        }
        out.update(
            {
                k: v
                for k, v in (("cpv", identifier.cpv), ("lot", identifier.lot), ("serial", identifier.serial))
                if v
            }
        )
    elif isinstance(identifier, Gtin):
        out = {"kind": f"gtin-{identifier.length}", "normalised": identifier.gtin14}
    elif isinstance(identifier, Uscc):
        out = {
            "kind": "uscc",
            "normalised": identifier.code,
            "registrationAuthority": identifier.registration_authority,
            "organisationCategory": identifier.organisation_category,
            "divisionCode": identifier.division_code,
            "organisationCode": identifier.organisation_code,
        }
    out["pactUrn"] = to_pact_urn(identifier)
    out["pactList"] = pact_id_list(identifier)
    return out


def resolve_command(
    identifier: Annotated[str, typer.Argument(help="Handle/IDIS, GTIN, GS1 Digital Link, USCC or PACT URN.")],
    node: Annotated[
        str | None, typer.Option("--node", help="Resolve handles against this node's Handle REST API.")
    ] = None,
    types: Annotated[
        list[str] | None, typer.Option("--type", help="Only values of this type (repeatable).")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the node.")] = 10.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Parse and normalise IDENTIFIER, print its PACT URN, and with --node resolve handles."""
    try:
        parsed = parse_identifier(identifier)
    except IdentifierResolverError as exc:
        fail(f"resolve: {exc}")
    result = describe_identifier(parsed)
    if node is not None:
        if not isinstance(parsed, Handle):
            fail(
                f"resolve: --node resolves handles only; {result['kind']} has no Handle record — give a handle"
            )
        try:
            with HandleClient(node, timeout=timeout) as client:
                record = client.get_record(parsed, types=types or ())
        except IdentifierResolverError as exc:
            fail(f"resolve: {exc}")
        result["values"] = record.values_json()
    if as_json:
        print_json(result)
        return
    for key, value in result.items():
        if key != "values":
            typer.echo(f"{key}: {value}")
    for value in result.get("values", []):
        data = value["data"]
        shown = data["value"] if data["format"] == "string" else f"<{data['format']}>"
        typer.echo(f"value {value['index']} {value['type']}: {shown} (ttl {value['ttl']})")


def register(app: typer.Typer) -> None:
    """Add ``resolve`` to the main ``tanlian`` app."""
    app.command("resolve")(resolve_command)
