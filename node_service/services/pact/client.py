"""A small PACT v3 client (used by ``tanlian pact pull`` and by the node to deliver events).

Authentication flow of the PACT Technical Specifications: read ``/.well-known/openid-configuration`` and use
its ``token_endpoint``; otherwise ``{base}/auth/token``. Client credentials go in HTTP Basic (RFC 6749 §2.3.1).

What a remote host answers is untrusted: bodies are read up to a size limit and parsed only within a nesting
limit; an error is described in our own words (:func:`_error`: the status and, when it is one of the
enumerated PACT or OAuth error codes, the code). The host's own message is kept apart
(``PactClientError.remote_message``, printable characters only) for the CLI, whose user chose the host; the node
never records it. With a :class:`~.remotes.RemotePolicy` (the node), every connection obeys its rules
(:mod:`.egress`) and a discovered token endpoint must be on the host's origin or one the operator allows.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import quote, urljoin

import httpx

from node_service.services.pact.egress import checked_client
from node_service.services.pact.remotes import RemotePolicy, RemoteRefused, origin

__all__ = ["KNOWN_ERROR_CODES", "PactClient", "PactClientError", "next_link"]

_LINK_NEXT = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?', re.IGNORECASE)
#: a pull stops after this many pages (a guard against a host whose links loop)
MAX_PAGES = 10_000
#: largest answer read for a token, a discovery document, an event's answer or an error
MAX_SMALL_BODY = 64 * 1024
#: largest page of footprints read (ListFootprints, GetFootprint)
MAX_PAGE_BODY = 32 * 1024 * 1024
#: deepest JSON nesting parsed (a ProductFootprint nests about 6 levels)
MAX_JSON_DEPTH = 64
#: error codes a remote answer may name in our description: PACT v3.0 and v2.3, and RFC 6749 §5.2
KNOWN_ERROR_CODES = frozenset(
    {
        "AccessDenied",
        "BadRequest",
        "NotFound",
        "NoSuchFootprint",
        "TokenExpired",
        "NotImplemented",
        "InternalError",
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
    }
)
#: Unicode categories left out of a remote message shown to a person: controls, format (bidi overrides),
#: surrogates, private use, unassigned, line and paragraph separators
_UNSHOWN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


class PactClientError(Exception):
    """A request to a PACT host failed. The message is ours; ``remote_message`` is what the host said, if
    anything (for a person who chose the host, never for a record)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        remote_message: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.remote_message = remote_message
        super().__init__(message)


def next_link(header: str | None) -> str | None:
    """The target of the ``rel="next"`` link of an RFC 8288 Link header."""
    if not header:
        return None
    match = _LINK_NEXT.search(header)
    return match.group(1) if match else None


def _json_depth_within(body: bytes, limit: int) -> bool:
    """Whether JSON text nests at most ``limit`` arrays/objects deep (brackets inside strings not counted)."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return True
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            escaped, in_string = (False, True) if escaped else (byte == 0x5C, byte != 0x22)
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > limit:
                return False
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return True


@dataclass(frozen=True)
class _Answer:
    """A remote answer read within a size limit."""

    status: int
    headers: httpx.Headers
    body: bytes

    def json(self) -> Any:
        """The body as JSON (ValueError: not JSON, or nested deeper than MAX_JSON_DEPTH)."""
        if not _json_depth_within(self.body, MAX_JSON_DEPTH):
            raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        return json.loads(self.body)


def _printable(text: Any, limit: int = 200) -> str | None:
    """``text`` (if a string) with control and format characters replaced by spaces, at most ``limit`` long."""
    if not isinstance(text, str):
        return None
    shown = "".join(" " if unicodedata.category(ch) in _UNSHOWN else ch for ch in text[:limit])
    return " ".join(shown.split()) or None


def _error(what: str, answer: _Answer) -> PactClientError:
    """Our description of a failed answer: the status, a redirect said as such, an enumerated error code."""
    code = remote = None
    try:
        body = answer.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        named = body.get("code") or body.get("error")
        code = named if named in KNOWN_ERROR_CODES else None
        remote = _printable(body.get("message") or body.get("error_description"))
    message = f"{what}: HTTP {answer.status}"
    if 300 <= answer.status < 400:
        message += " (a redirect: redirects are not followed)"
    if code is not None:
        message += f" {code}"
    return PactClientError(message, status=answer.status, code=code, remote_message=remote)


class PactClient:
    """A PACT host's client. ``policy`` (the node's): connections obey its rules, a discovered token endpoint
    must be on the host's origin or one the operator allows. Without one (the CLI) the user's choice of host
    is taken as it is, but pagination links must stay on the host's origin (they carry the access token)."""

    def __init__(
        self,
        base_url: str,
        *,
        verify: Any = True,
        timeout: float = 30.0,
        policy: RemotePolicy | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.policy = policy
        if policy is not None:
            refused = policy.base_url_refusal(self.base_url)
            if refused is not None:
                raise RemoteRefused(refused)
            self.http = checked_client(policy, verify=verify, timeout=timeout)
        else:
            self.http = httpx.Client(verify=verify, timeout=timeout, follow_redirects=False)
        self.token: str | None = None

    def __enter__(self) -> PactClient:
        return self

    def __exit__(
        self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]
    ) -> None:
        self.http.close()

    def _request(
        self, method: str, url: str, *, limit: int = MAX_SMALL_BODY, success_body: bool = True, **kwargs: Any
    ) -> _Answer:
        """Send a request; read at most ``limit`` bytes of the answer (decoded), refusing a larger one, and
        none of a 2xx answer if ``success_body`` is false."""
        with self.http.stream(method, url, **kwargs) as resp:
            body = bytearray()
            if not success_body and 200 <= resp.status_code < 300:
                return _Answer(resp.status_code, resp.headers, b"")
            for chunk in resp.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise PactClientError(
                        f"{method} {url[: len(self.base_url) + 40]}: answer larger than {limit} bytes",
                        status=resp.status_code,
                    )
            return _Answer(resp.status_code, resp.headers, bytes(body))

    def token_endpoint(self) -> str:
        """The discovery document's ``token_endpoint`` if the host has one we may use, else ``{base}/auth/token``.
        A connection the policy refuses is not a missing document: RemoteRefused goes to the caller."""
        fallback = f"{self.base_url}/auth/token"
        try:
            answer = self._request("GET", f"{self.base_url}/.well-known/openid-configuration")
            document = answer.json() if answer.status == 200 else None
        except (httpx.HTTPError, PactClientError, ValueError):
            return fallback
        endpoint = document.get("token_endpoint") if isinstance(document, dict) else None
        if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
            return fallback
        if self.policy is not None:
            reason = self.policy.token_endpoint_refusal(endpoint, self.base_url)
            if reason is not None:
                raise PactClientError(f"token endpoint of the discovery document refused: {reason}")
        return endpoint

    def fetch_token(self, client_id: str, client_secret: str) -> tuple[str, int]:
        answer = self._request(
            "POST",
            self.token_endpoint(),
            data={"grant_type": "client_credentials"},
            auth=(client_id, client_secret),
            headers={"accept": "application/json"},
        )
        if answer.status != 200:
            raise _error("token request failed", answer)
        try:
            body = answer.json()
        except ValueError:
            body = None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise PactClientError("token response has no access_token")
        expires_in = body.get("expires_in") if isinstance(body, dict) else None
        self.token = token
        lifetime = expires_in if isinstance(expires_in, int) and 0 < expires_in <= 86_400 else 3600
        return token, lifetime

    def _auth(self) -> dict[str, str]:
        if not self.token:
            raise PactClientError("no access token: call fetch_token first")
        return {"authorization": f"Bearer {self.token}"}

    def _data(self, what: str, answer: _Answer) -> Any:
        try:
            return answer.json()["data"]
        except (ValueError, KeyError, TypeError):
            raise PactClientError(f"{what}: HTTP {answer.status} without a data member") from None

    def list_footprints(self, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every ProductFootprint the host lists, following Link rel=next on the host's origin."""
        url: str | None = f"{self.base_url}/3/footprints"
        query = params
        for _ in range(MAX_PAGES):
            if url is None:
                return
            if origin(url) != origin(self.base_url):
                raise PactClientError(
                    "ListFootprints: the next page's link leaves the host's origin "
                    f"({origin(self.base_url)}); not followed, as it would carry the access token elsewhere"
                )
            answer = self._request("GET", url, limit=MAX_PAGE_BODY, params=query, headers=self._auth())
            if answer.status not in (200, 202):
                raise _error("ListFootprints failed", answer)
            yield from self._data("ListFootprints", answer)
            link = next_link(answer.headers.get("link"))
            url, query = (urljoin(url, link) if link else None), None
        raise PactClientError(f"ListFootprints: more than {MAX_PAGES} pages")

    def get_footprint(self, footprint_id: str) -> dict[str, Any]:
        answer = self._request(
            "GET",
            f"{self.base_url}/3/footprints/{quote(footprint_id, safe='')}",
            limit=MAX_PAGE_BODY,
            headers=self._auth(),
        )
        if answer.status != 200:
            raise _error("GetFootprint failed", answer)
        data: dict[str, Any] = self._data("GetFootprint", answer)
        return data

    def post_event(self, event: dict[str, Any], spec_major: int = 3) -> None:
        """Action Events: ``POST {base}/{spec_major}/events``."""
        answer = self._request(
            "POST",
            f"{self.base_url}/{spec_major}/events",
            success_body=False,  # a host may echo the event: its size is not ours to limit
            json=event,
            headers={**self._auth(), "content-type": "application/cloudevents+json; charset=UTF-8"},
        )
        if not 200 <= answer.status < 300:
            raise _error("Action Events failed", answer)
