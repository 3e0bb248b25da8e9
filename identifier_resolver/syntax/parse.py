"""Recognise which kind of identifier a string is and parse it."""

from __future__ import annotations

from identifier_resolver.errors import IdentifierError
from identifier_resolver.syntax.digital_link import parse_digital_link
from identifier_resolver.syntax.gtin import GTIN_LENGTHS, parse_gtin
from identifier_resolver.syntax.handle import parse_handle
from identifier_resolver.syntax.urn import Identifier, parse_pact_urn
from identifier_resolver.syntax.uscc import parse_uscc

__all__ = ["IDENTIFIER_MAX_LENGTH", "parse_identifier"]

IDENTIFIER_MAX_LENGTH = 2048
_PROXY_MARKERS = ("hdl.handle.net/", "/api/handles/")


def parse_identifier(text: str) -> Identifier:
    """Parse any supported identifier, deciding its kind from its shape.

    1. ``urn:`` → one of our PACT URN forms;
    2. ``hdl:``, ``info:hdl/``, a Handle proxy URL or ``…/api/handles/…`` → handle;
    3. other ``http(s)://`` → GS1 Digital Link;
    4. anything with ``/`` → handle (``prefix/suffix``);
    5. 8, 12, 13 or 14 digits → GTIN;
    6. 18 characters → unified social credit code.
    Surrounding whitespace is removed first.
    """
    if not isinstance(text, str):
        raise IdentifierError("identifier", "type", repr(text), f"got {type(text).__name__}", "pass a string")
    value = text.strip()
    if len(value) > IDENTIFIER_MAX_LENGTH:
        raise IdentifierError(
            "identifier",
            "length",
            value[:64],
            f"got {len(value)} characters, want at most 2048",
            "shorten it",
        )
    lowered = value[:32].lower()
    if lowered.startswith("urn:"):
        return parse_pact_urn(value)
    if lowered.startswith(("hdl:", "info:hdl/")):
        return parse_handle(value)
    if lowered.startswith(("http://", "https://")):
        if any(marker in value.lower() for marker in _PROXY_MARKERS):
            return parse_handle(value)
        return parse_digital_link(value)
    if "/" in value:
        return parse_handle(value)
    if value.isascii() and value.isdigit() and len(value) in GTIN_LENGTHS:
        return parse_gtin(value)
    if len(value) == 18:
        return parse_uscc(value)
    raise IdentifierError(
        "identifier",
        "unrecognised",
        value,
        "not a handle (prefix/suffix), GTIN (8/12/13/14 digits), GS1 Digital Link, USCC (18 characters) "
        "or PACT URN",
        "check the identifier's kind and copy it completely",
    )
