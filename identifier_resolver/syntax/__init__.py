"""Identifier syntax: parse, validate, normalise, and map to PACT URNs."""

from identifier_resolver.syntax.digital_link import DigitalLink, parse_digital_link
from identifier_resolver.syntax.gtin import Gtin, gs1_check_digit, parse_gtin
from identifier_resolver.syntax.handle import Handle, IdisPrefix, ascii_upper, parse_handle
from identifier_resolver.syntax.parse import parse_identifier
from identifier_resolver.syntax.urn import (
    Identifier,
    is_rfc8141_urn,
    pact_id_list,
    parse_pact_urn,
    to_pact_urn,
)
from identifier_resolver.syntax.uscc import Uscc, organisation_code_check_char, parse_uscc, uscc_check_char

__all__ = [
    "DigitalLink",
    "Gtin",
    "Handle",
    "Identifier",
    "IdisPrefix",
    "Uscc",
    "ascii_upper",
    "gs1_check_digit",
    "is_rfc8141_urn",
    "organisation_code_check_char",
    "pact_id_list",
    "parse_digital_link",
    "parse_gtin",
    "parse_handle",
    "parse_identifier",
    "parse_pact_urn",
    "parse_uscc",
    "to_pact_urn",
    "uscc_check_char",
]
