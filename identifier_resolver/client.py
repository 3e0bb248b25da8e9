"""A client for the Handle.Net HTTP JSON REST API (``/api/handles``), over httpx.

Works against this exchange's router and any Handle.Net server or proxy that speaks the API.
Handle protocol response codes come back as exceptions of the package's error root:
100 → :class:`HandleNotFoundError`, 301 → :class:`NotResponsibleError`, 101 → :class:`HandleExistsError`,
402 → :class:`AuthenticationRequiredError`, 401/403 (HTTP 403) → :class:`PermissionDeniedError`,
others → :class:`HandleServerError`; network failures → :class:`ServerUnreachableError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

import httpx

from identifier_resolver.errors import (
    AuthenticationRequiredError,
    HandleExistsError,
    HandleNotFoundError,
    HandleServerError,
    NotResponsibleError,
    PermissionDeniedError,
    ServerUnreachableError,
)
from identifier_resolver.records import HandleRecord, HandleValue
from identifier_resolver.syntax.handle import Handle, parse_handle

__all__ = ["HOPS_HEADER", "MAX_RESPONSE_BYTES", "HandleClient"]

#: Header carrying how many resolvers a recursive request already went through (loop protection).
HOPS_HEADER = "Tanlian-Resolver-Hops"
MAX_RESPONSE_BYTES = 8 * 1024 * 1024


class HandleClient:
    """``HandleClient("https://node.example")`` — talks to ``<base_url>/api/handles``."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        auth: httpx.Auth | tuple[str, str] | None = None,
        headers: dict[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url, timeout=timeout, auth=auth, headers=headers, transport=transport
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HandleClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport -------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: list[tuple[str, str]] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        url = f"{self.base_url}{path}"
        try:
            query = httpx.QueryParams(cast(Any, params)) if params else None
            response = self._http.request(method, path, params=query, json=json, headers=headers)
        except httpx.TimeoutException as exc:
            raise ServerUnreachableError(url, f"timed out ({type(exc).__name__})", timed_out=True) from exc
        except httpx.HTTPError as exc:
            raise ServerUnreachableError(url, f"{type(exc).__name__}: {exc}", timed_out=False) from exc
        if len(response.content) > MAX_RESPONSE_BYTES:
            raise HandleServerError(url, response.status_code, None, f"body over {MAX_RESPONSE_BYTES} bytes")
        try:
            body = response.json()
        except ValueError as exc:
            raise HandleServerError(url, response.status_code, None, "the body is not JSON") from exc
        if not isinstance(body, dict) or not isinstance(body.get("responseCode"), int):
            raise HandleServerError(url, response.status_code, None, "no integer responseCode in the body")
        return response.status_code, body

    @staticmethod
    def _raise_for(url: str, handle: str, status: int, body: dict[str, Any]) -> None:
        code = body["responseCode"]
        if code == 1:
            return
        if code == 100:
            raise HandleNotFoundError(handle, f"the server at {url} has no record")
        if code == 301:
            raise NotResponsibleError(handle, handle.partition("/")[0])
        if code == 101:
            raise HandleExistsError(handle)
        if code == 402 or status == 401:
            raise AuthenticationRequiredError(str(body.get("message", "the server asked for credentials")))
        if status == 403:
            raise PermissionDeniedError(handle.partition("/")[0])
        raise HandleServerError(url, status, code, str(body.get("message", "no message")))

    # -- API ---------------------------------------------------------------------------------------

    def get_json(
        self,
        handle: Handle | str,
        *,
        types: Sequence[str] = (),
        indices: Sequence[int] = (),
        hops: int | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Raw ``GET /api/handles/{handle}``: (HTTP status, body), no error mapping."""
        parsed = handle if isinstance(handle, Handle) else parse_handle(handle)
        params = [("type", t) for t in types] + [("index", str(i)) for i in indices]
        headers = {HOPS_HEADER: str(hops)} if hops is not None else None
        return self._request(
            "GET", f"/api/handles/{parsed.url_path()}", params=params or None, headers=headers
        )

    def get_record(
        self,
        handle: Handle | str,
        *,
        types: Sequence[str] = (),
        indices: Sequence[int] = (),
        hops: int | None = None,
    ) -> HandleRecord:
        """Resolve a handle; responseCode 200 (no value matched the filters) gives an empty record."""
        parsed = handle if isinstance(handle, Handle) else parse_handle(handle)
        status, body = self.get_json(parsed, types=types, indices=indices, hops=hops)
        if body["responseCode"] == 200 and status == 200:
            return HandleRecord(parsed, ())
        self._raise_for(self.base_url, str(parsed), status, body)
        try:
            return HandleRecord.from_json(parsed, body.get("values", []))
        except ValueError as exc:
            raise HandleServerError(self.base_url, status, 1, f"invalid values: {exc}") from exc

    def put_record(
        self,
        handle: Handle | str,
        values: Iterable[HandleValue],
        *,
        overwrite: bool = True,
        indices: Sequence[int] = (),
    ) -> bool:
        """Create or replace a record (or only ``indices``); True when the server created it."""
        parsed = handle if isinstance(handle, Handle) else parse_handle(handle)
        params = [("index", str(i)) for i in indices]
        if not overwrite:
            params.append(("overwrite", "false"))
        payload = [v.to_json() for v in values]
        status, body = self._request(
            "PUT", f"/api/handles/{parsed.url_path()}", params=params or None, json=payload
        )
        self._raise_for(self.base_url, str(parsed), status, body)
        return status == 201

    def delete_record(self, handle: Handle | str, *, indices: Sequence[int] = ()) -> None:
        parsed = handle if isinstance(handle, Handle) else parse_handle(handle)
        params = [("index", str(i)) for i in indices]
        status, body = self._request("DELETE", f"/api/handles/{parsed.url_path()}", params=params or None)
        self._raise_for(self.base_url, str(parsed), status, body)

    def list_handles(
        self, prefix: str, *, page: int | None = None, page_size: int | None = None
    ) -> list[str]:
        params = [("prefix", prefix)]
        if page is not None:
            params.append(("page", str(page)))
        if page_size is not None:
            params.append(("pageSize", str(page_size)))
        status, body = self._request("GET", "/api/handles", params=params)
        self._raise_for(self.base_url, f"{prefix}/", status, body)
        handles = body.get("handles")
        if not isinstance(handles, list) or not all(isinstance(h, str) for h in handles):
            raise HandleServerError(self.base_url, status, 1, "handles is not a list of strings")
        return handles
