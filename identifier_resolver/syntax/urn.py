"""Mapping identifiers to PACT ``productIds`` / ``companyIds`` URNs (RFC 8141) and back.

PACT Technical Specifications v3 ("Product Identifier URN's") say: use an IANA-registered URN
namespace if one applies, else a widely used one (it names ``urn:gtin:``), else
``urn:pact:$domain-of-issuer$:$identifier-type$:$id$``. Our forms:

=====================  ===========================================================  ==============
identifier             URN                                                          PACT list
=====================  ===========================================================  ==============
GTIN / Digital Link    ``urn:gtin:<GTIN-14>``                                       productIds
Handle / IDIS handle   ``urn:pact:handle.net:handle:<prefix>/<suffix>`` (RFC 8141    productIds
                       NSS, percent-encoded UTF-8 outside ``pchar``)
USCC                   ``urn:pact:creditchina.gov.cn:uscc:<18 characters>``         companyIds
=====================  ===========================================================  ==============

``urn:gtin:`` accepts 8/12/13/14 digits on input (the PACT examples use GTIN-13) and is written
as GTIN-14 on output, so every length of the same item maps to one URN. A Digital Link's lot and
serial are instance data, not product identity, so they do not survive the mapping.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import quote, unquote

from identifier_resolver.errors import IdentifierError
from identifier_resolver.syntax.digital_link import DigitalLink
from identifier_resolver.syntax.gtin import Gtin, parse_gtin
from identifier_resolver.syntax.handle import Handle, parse_handle
from identifier_resolver.syntax.uscc import Uscc, parse_uscc

__all__ = [
    "HANDLE_URN_PREFIX",
    "USCC_URN_PREFIX",
    "Identifier",
    "is_rfc8141_urn",
    "pact_id_list",
    "parse_pact_urn",
    "to_pact_urn",
]

Identifier = Handle | Gtin | DigitalLink | Uscc

GTIN_URN_PREFIX = "urn:gtin:"
HANDLE_URN_PREFIX = "urn:pact:handle.net:handle:"
USCC_URN_PREFIX = "urn:pact:creditchina.gov.cn:uscc:"
_SCHEME = "PACT URN"
# RFC 8141 §2: "urn:" NID ":" NSS, NID = alphanum 0*30(ldh) alphanum, NSS = pchar *(pchar / "/")
_RFC8141 = re.compile(
    r"urn:[A-Za-z0-9][A-Za-z0-9-]{0,30}[A-Za-z0-9]:"
    r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
    r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*",
    re.IGNORECASE,
)
# pchar minus "%" plus "/": what may stay unencoded in the NSS
_NSS_SAFE = "-._~!$&'()*+,;=:@/"


def is_rfc8141_urn(text: str) -> bool:
    """True when ``text`` matches the RFC 8141 ``assigned-name`` syntax (no r/q/f components)."""
    return _RFC8141.fullmatch(text) is not None


def to_pact_urn(identifier: Identifier) -> str:
    """The PACT URN for an identifier (see the module table)."""
    if isinstance(identifier, DigitalLink):
        identifier = identifier.gtin
    if isinstance(identifier, Gtin):
        return GTIN_URN_PREFIX + identifier.gtin14
    if isinstance(identifier, Handle):
        return HANDLE_URN_PREFIX + quote(str(identifier), safe=_NSS_SAFE)
    if isinstance(identifier, Uscc):
        return USCC_URN_PREFIX + identifier.code
    raise TypeError(f"to_pact_urn: got {type(identifier).__name__}, want Handle, Gtin, DigitalLink or Uscc")


def pact_id_list(identifier: Identifier) -> Literal["productIds", "companyIds"]:
    """Which PACT ProductFootprint list the identifier belongs in."""
    return "companyIds" if isinstance(identifier, Uscc) else "productIds"


def parse_pact_urn(text: str) -> Handle | Gtin | Uscc:
    """Map one of our PACT URN forms back to the identifier; other URNs are refused by name."""
    # (1) RFC 8141 syntax
    if not is_rfc8141_urn(text):
        raise IdentifierError(
            _SCHEME,
            "rfc8141-syntax",
            text,
            "not urn:<NID>:<NSS> with RFC 8141 characters",
            "percent-encode characters outside RFC 3986 pchar",
        )
    lowered = text.lower()
    # (2) our namespaces (the "urn:" and NID are case-insensitive, RFC 8141 §3.1)
    if lowered.startswith(GTIN_URN_PREFIX):
        return parse_gtin(text[len(GTIN_URN_PREFIX) :])
    if lowered.startswith(HANDLE_URN_PREFIX):
        return parse_handle(unquote(text[len(HANDLE_URN_PREFIX) :]))
    if lowered.startswith(USCC_URN_PREFIX):
        return parse_uscc(text[len(USCC_URN_PREFIX) :])
    raise IdentifierError(
        _SCHEME,
        "urn-namespace",
        text,
        "not a URN form this exchange maps (urn:gtin:, urn:pact:handle.net:handle:, "
        "urn:pact:creditchina.gov.cn:uscc:)",
        "give the GTIN, handle or USCC itself, or one of those URN forms",
    )
