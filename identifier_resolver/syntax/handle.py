"""Handle System identifiers (RFC 3650/3651) and IDIS handles ``88.<industry>.<enterprise>/<suffix>``.

Rules implemented (Handle.Net "Handle Syntax"; RFC 3650 §3):

1. A handle is ``<prefix> "/" <suffix>``, split at the FIRST ``/``; the suffix may itself contain ``/``.
2. Handles are UTF-8 strings of printable characters; control characters are refused.
3. Prefixes (naming authorities) are dot-separated segments. This exchange accepts ASCII segments of
   letters, digits, ``-`` and ``_`` (every prefix issued by the Global Handle Registry has that form).
4. Handles are case sensitive by default, but a service may declare its namespace ASCII
   case-insensitive; the Handle.Net server does so by default, and so does this resolver:
   :attr:`Handle.key` (ASCII upper case) is the lookup key, ``str(handle)`` keeps the case given.
5. In URLs (``hdl:`` URIs, proxy URLs, ``/api/handles/...``) characters are percent-encoded UTF-8;
   a bare handle is taken literally (``%`` is a legal handle character).
6. IDIS (China's industrial-internet identifier system) is the Handle namespace under prefix ``88``:
   ``88.<industry code>.<enterprise code>/<suffix>``; the industry code is numeric.

Limits: a handle is at most 1024 UTF-8 bytes (our limit, documented in docs/identifiers.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit

from identifier_resolver.errors import IdentifierError

__all__ = [
    "HANDLE_MAX_BYTES",
    "Handle",
    "IdisPrefix",
    "ascii_upper",
    "parse_handle",
]

HANDLE_MAX_BYTES = 1024
_SCHEME = "handle"
_PREFIX = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")
_IDIS_PREFIX = re.compile(r"88\.([0-9]+)(?:\.([A-Za-z0-9]+))?")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_PROXY_HOSTS = frozenset({"hdl.handle.net", "handle.net", "hdl.net"})


def ascii_upper(text: str) -> str:
    """Upper-case ASCII letters only (the Handle.Net case-folding rule); other characters stay."""
    return text.translate(_ASCII_UPPER)


@dataclass(frozen=True, slots=True)
class IdisPrefix:
    """The IDIS parts of a ``88.`` prefix: industry (secondary node) and enterprise codes."""

    industry: str
    enterprise: str | None


@dataclass(frozen=True, slots=True)
class Handle:
    """A validated handle. Build it with :func:`parse_handle`."""

    prefix: str
    suffix: str
    #: Case-folded lookup key (ASCII case-insensitive namespace, rule 4); derived, not compared.
    key: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", ascii_upper(f"{self.prefix}/{self.suffix}"))

    def __str__(self) -> str:
        return f"{self.prefix}/{self.suffix}"

    @property
    def prefix_key(self) -> str:
        return ascii_upper(self.prefix)

    @property
    def idis(self) -> IdisPrefix | None:
        """IDIS parts when the prefix is ``88.<industry>[.<enterprise>]``, else None."""
        match = _IDIS_PREFIX.fullmatch(self.prefix)
        if match is None:
            return None
        return IdisPrefix(industry=match.group(1), enterprise=match.group(2))

    @property
    def kind(self) -> str:
        return "idis" if self.idis is not None else "handle"

    def url_path(self) -> str:
        """Percent-encoded path form for ``/api/handles/{handle}`` and proxy URLs (rule 5)."""
        return f"{quote(self.prefix, safe='')}/{quote(self.suffix, safe='/')}"

    def hdl_uri(self) -> str:
        return f"hdl:{self.url_path()}"


def _fail(value: str, rule: str, detail: str, fix: str) -> IdentifierError:
    return IdentifierError(_SCHEME, rule, value, detail, fix)


def _split_uri_forms(text: str) -> tuple[str, bool]:
    """Strip ``hdl:``/``info:hdl/``/proxy-URL wrappers; return (handle text, was a URI)."""
    lowered = text[:16].lower()
    if lowered.startswith("info:hdl/"):
        return text[len("info:hdl/") :], True
    if lowered.startswith("hdl:"):
        rest = text[4:]
        return (rest[2:] if rest.startswith("//") else rest), True
    if lowered.startswith(("http://", "https://")):
        parts = urlsplit(text)
        if parts.query or parts.fragment:
            raise _fail(text, "handle-url", "a query or fragment is not part of a handle", "drop '?…'/'#…'")
        path = parts.path
        if path.startswith("/api/handles/"):
            return path[len("/api/handles/") :], True
        if (parts.hostname or "").lower() in _PROXY_HOSTS:
            return path.lstrip("/"), True
        raise _fail(
            text,
            "handle-url",
            f"host {parts.hostname!r} is not a Handle proxy and the path is not /api/handles/…",
            "give the bare handle prefix/suffix or an hdl: URI",
        )
    return text, False


def parse_handle(text: str) -> Handle:
    """Parse and validate a handle given bare, as ``hdl:``/``info:hdl/`` URI, or as a proxy URL.

    Raises :class:`IdentifierError` naming the rule that failed. Results are memoised (the most
    recent 65,536 distinct strings; handles are immutable), so re-resolving is cheap.
    """
    if not isinstance(text, str):
        raise _fail(repr(text), "handle-type", f"got {type(text).__name__}", "pass the handle as a string")
    return _parse_handle(text)


@lru_cache(maxsize=65536)
def _parse_handle(text: str) -> Handle:
    raw, is_uri = _split_uri_forms(text)
    if is_uri:
        try:
            raw = unquote(raw, errors="strict")
        except UnicodeDecodeError as exc:
            raise _fail(text, "handle-encoding", "percent-escapes are not UTF-8", "encode as UTF-8") from exc
    # (1) size limit before anything else (a character is at most 4 UTF-8 bytes)
    size = len(raw) if raw.isascii() else len(raw.encode("utf-8", errors="surrogatepass"))
    if size > HANDLE_MAX_BYTES:
        raise _fail(
            text[:64], "handle-length", f"got {size} bytes, want at most {HANDLE_MAX_BYTES}", "shorten it"
        )
    # (2) prefix "/" suffix
    prefix, sep, suffix = raw.partition("/")
    if not sep:
        raise _fail(text, "handle-separator", "no '/' between prefix and suffix", "write it as prefix/suffix")
    if not prefix:
        raise _fail(
            text, "handle-prefix", "the prefix before '/' is empty", "start with the naming authority"
        )
    if not suffix:
        raise _fail(text, "handle-suffix", "the suffix after '/' is empty", "add the local name after '/'")
    # (3) printable characters only
    if _CONTROL.search(raw):
        raise _fail(text, "handle-characters", "control or unpaired surrogate characters", "remove them")
    if raw != raw.strip():
        raise _fail(text, "handle-characters", "leading or trailing whitespace", "trim the handle")
    # (4) prefix segments
    if not _PREFIX.fullmatch(prefix):
        raise _fail(
            text,
            "handle-prefix",
            f"prefix {prefix!r} is not dot-separated segments of letters, digits, '-' or '_'",
            "use a registered naming authority such as 88.1000.12345 or 20.500.12345",
        )
    handle = Handle(prefix=prefix, suffix=suffix, key=ascii_upper(raw))
    # (5) IDIS form: a prefix starting with "88." must be 88.<digits>[.<enterprise>]
    if prefix.startswith("88.") and handle.idis is None:
        raise _fail(
            text,
            "idis-prefix",
            "an IDIS prefix is 88.<numeric industry code>.<enterprise code>",
            "copy the enterprise prefix exactly as issued by the secondary node",
        )
    return handle
