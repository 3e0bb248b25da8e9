"""GS1 Digital Link URIs carrying a GTIN (GS1 Digital Link standard 1.x, URI syntax).

Accepted form: ``http(s)://<any host>[/<custom path>]/01/<gtin>[/22/<cpv>][/10/<lot>][/21/<serial>][?…]``

Rules:

1. Scheme http or https and a non-empty host (any domain may host a Digital Link resolver).
2. The GS1 path is the END of the URI path: primary key ``01`` (GTIN, 8/12/13/14 digits with a valid
   check digit), then the GTIN's key qualifiers in this order only: ``22`` (consumer product variant),
   ``10`` (batch/lot), ``21`` (serial number); each at most once.
3. Qualifier values are percent-decoded and must be 1–20 characters of GS1 AI encodable character
   set 82. Query-string parameters whose names are all digits are kept as data attributes
   (e.g. ``17`` expiry date); other parameters and the fragment are ignored, as the standard allows.
4. The canonical form uses the GTIN-14 and percent-encodes every character outside RFC 3986
   "unreserved".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from identifier_resolver.errors import IdentifierError
from identifier_resolver.syntax.gtin import Gtin, parse_gtin

__all__ = ["DIGITAL_LINK_MAX_LENGTH", "DigitalLink", "parse_digital_link"]

DIGITAL_LINK_MAX_LENGTH = 2048
_SCHEME = "GS1 Digital Link"
_QUALIFIER_ORDER = ("22", "10", "21")
_QUALIFIER_NAMES = {"22": "consumer product variant", "10": "batch/lot", "21": "serial number"}
_CSET82 = re.compile(r"[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}")


@dataclass(frozen=True, slots=True)
class DigitalLink:
    """A parsed GS1 Digital Link for a trade item."""

    gtin: Gtin
    cpv: str | None = None
    lot: str | None = None
    serial: str | None = None
    host: str = "id.gs1.org"
    scheme: str = "https"
    attributes: dict[str, str] = field(default_factory=dict)

    def canonical_uri(self, base: str | None = None) -> str:
        """The URI with GTIN-14 and qualifiers in standard order; ``base`` defaults to the given host."""
        out = [base.rstrip("/") if base else f"{self.scheme}://{self.host}", "01", self.gtin.gtin14]
        for code, value in (("22", self.cpv), ("10", self.lot), ("21", self.serial)):
            if value is not None:
                out += [code, quote(value, safe="")]
        return "/".join(out)

    def __str__(self) -> str:
        return self.canonical_uri()


def _fail(value: str, rule: str, detail: str, fix: str) -> IdentifierError:
    return IdentifierError(_SCHEME, rule, value, detail, fix)


def parse_digital_link(text: str) -> DigitalLink:
    """Parse a GS1 Digital Link URI whose primary key is a GTIN (AI 01)."""
    if len(text) > DIGITAL_LINK_MAX_LENGTH:
        raise _fail(text[:64], "dl-length", f"got {len(text)} characters, want at most 2048", "shorten it")
    # (1) scheme and host
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise _fail(text, "dl-scheme", f"scheme {parts.scheme!r} is not http or https", "use an https:// URI")
    if not parts.hostname:
        raise _fail(text, "dl-host", "the URI has no host", "use https://<resolver host>/01/<gtin>")
    # (2) locate the GS1 path: the first '01' segment from which the rest is key/value pairs
    segments = parts.path.split("/")[1:]
    start = next(
        (i for i, seg in enumerate(segments) if seg == "01" and (len(segments) - i) % 2 == 0),
        None,
    )
    if start is None:
        raise _fail(text, "dl-primary-key", "no /01/<gtin> path element", "put the GTIN after /01/")
    gtin = parse_gtin(segments[start + 1])
    qualifiers: dict[str, str] = {}
    last_rank = -1
    for i in range(start + 2, len(segments), 2):
        code, encoded = segments[i], segments[i + 1]
        if code not in _QUALIFIER_ORDER:
            raise _fail(
                text,
                "dl-qualifier",
                f"path element {code!r} is not a GTIN qualifier (22, 10, 21)",
                "move other data to the query string, e.g. ?17=261231",
            )
        rank = _QUALIFIER_ORDER.index(code)
        if rank <= last_rank:
            raise _fail(
                text,
                "dl-qualifier-order",
                f"{code} after {_QUALIFIER_ORDER[last_rank]}",
                "order them 22, 10, 21",
            )
        last_rank = rank
        # (3) qualifier values: percent-decoded, CSET 82, 1..20 characters
        value = unquote(encoded)
        if not _CSET82.fullmatch(value):
            raise _fail(
                text,
                "dl-qualifier-value",
                f"{_QUALIFIER_NAMES[code]} {value!r} is not 1-20 characters of GS1 character set 82",
                "use letters, digits and GS1 punctuation only, at most 20 characters",
            )
        qualifiers[code] = value
    try:
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
    except ValueError as exc:
        raise _fail(text, "dl-host", "the port is not a number", "fix the port or drop it") from exc
    attributes = {k: v for k, v in parse_qsl(parts.query) if k.isascii() and k.isdigit()}
    return DigitalLink(
        gtin=gtin,
        cpv=qualifiers.get("22"),
        lot=qualifiers.get("10"),
        serial=qualifiers.get("21"),
        host=host,
        scheme=parts.scheme.lower(),
        attributes=attributes,
    )
