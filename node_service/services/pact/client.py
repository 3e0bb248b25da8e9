"""A small PACT v3 client (used by ``tanlian pact pull`` and by the node to deliver events).

Authentication flow of the PACT Technical Specifications: read ``/.well-known/openid-configuration`` and use
its ``token_endpoint``; otherwise ``{base}/auth/token``. Client credentials go in HTTP Basic (RFC 6749 §2.3.1).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

__all__ = ["PactClient", "PactClientError", "next_link"]

_LINK_NEXT = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?', re.IGNORECASE)
#: a pull stops after this many pages (a guard against a host whose links loop)
MAX_PAGES = 10_000


class PactClientError(Exception):
    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        self.status = status
        self.code = code
        super().__init__(message)


def next_link(header: str | None) -> str | None:
    """The target of the ``rel="next"`` link of an RFC 8288 Link header."""
    if not header:
        return None
    match = _LINK_NEXT.search(header)
    return match.group(1) if match else None


def _error(what: str, resp: httpx.Response) -> PactClientError:
    code = None
    try:
        body = resp.json()
        code = body.get("code") or body.get("error")
        detail = body.get("message") or body.get("error_description") or resp.text[:200]
    except ValueError:
        detail = resp.text[:200]
    return PactClientError(
        f"{what}: HTTP {resp.status_code} {code or ''} {detail}".strip(), status=resp.status_code, code=code
    )


class PactClient:
    """``refusal`` (optional) says why a URL may not be used (None: it may): a token endpoint named by the host's
    discovery document is checked with it, and refused like a failed request."""

    def __init__(
        self,
        base_url: str,
        *,
        verify: Any = True,
        timeout: float = 30.0,
        refusal: Callable[[str], str | None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(verify=verify, timeout=timeout)
        self.token: str | None = None
        self.refusal = refusal

    def __enter__(self) -> PactClient:
        return self

    def __exit__(
        self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]
    ) -> None:
        self.http.close()

    def token_endpoint(self) -> str:
        try:
            resp = self.http.get(f"{self.base_url}/.well-known/openid-configuration")
            if resp.status_code == 200:
                endpoint = resp.json().get("token_endpoint")
                if isinstance(endpoint, str) and endpoint.startswith(("https://", "http://")):
                    reason = self.refusal(endpoint) if self.refusal is not None else None
                    if reason is not None:
                        raise PactClientError(f"token endpoint of the discovery document refused: {reason}")
                    return endpoint
        except (httpx.HTTPError, ValueError, AttributeError):
            pass
        return f"{self.base_url}/auth/token"

    def fetch_token(self, client_id: str, client_secret: str) -> tuple[str, int]:
        resp = self.http.post(
            self.token_endpoint(),
            data={"grant_type": "client_credentials"},
            auth=(client_id, client_secret),
            headers={"accept": "application/json"},
        )
        if resp.status_code != 200:
            raise _error("token request failed", resp)
        body = resp.json()
        token = body.get("access_token")
        if not isinstance(token, str):
            raise PactClientError("token response has no access_token")
        self.token = token
        return token, int(body.get("expires_in") or 3600)

    def _auth(self) -> dict[str, str]:
        if not self.token:
            raise PactClientError("no access token: call fetch_token first")
        return {"authorization": f"Bearer {self.token}"}

    def list_footprints(self, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every ProductFootprint the host lists, following Link rel=next."""
        url: str | None = f"{self.base_url}/3/footprints"
        query = params
        for _ in range(MAX_PAGES):
            if url is None:
                return
            resp = self.http.get(url, params=query, headers=self._auth())
            if resp.status_code not in (200, 202):
                raise _error("ListFootprints failed", resp)
            yield from resp.json()["data"]
            url, query = next_link(resp.headers.get("link")), None
        raise PactClientError(f"ListFootprints: more than {MAX_PAGES} pages")

    def get_footprint(self, footprint_id: str) -> dict[str, Any]:
        resp = self.http.get(
            f"{self.base_url}/3/footprints/{quote(footprint_id, safe='')}", headers=self._auth()
        )
        if resp.status_code != 200:
            raise _error("GetFootprint failed", resp)
        data: dict[str, Any] = resp.json()["data"]
        return data

    def post_event(self, event: dict[str, Any], spec_major: int = 3) -> None:
        """Action Events: ``POST {base}/{spec_major}/events``."""
        resp = self.http.post(
            f"{self.base_url}/{spec_major}/events",
            json=event,
            headers={**self._auth(), "content-type": "application/cloudevents+json; charset=UTF-8"},
        )
        if not 200 <= resp.status_code < 300:
            raise _error("Action Events failed", resp)
