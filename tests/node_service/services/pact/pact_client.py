"""A PACT v3 client written for the tests from the Technical Specifications (shares no code with the node)."""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx

LINK = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class SpecClient:
    def __init__(self, base_url: str, verify: Any) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(verify=verify, timeout=30)
        self.token: str | None = None

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SpecClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def discover_token_endpoint(self) -> str:
        resp = self.http.get(f"{self.base_url}/.well-known/openid-configuration")
        assert resp.status_code == 200, resp.text
        endpoint: str = resp.json()["token_endpoint"]
        return endpoint

    def authenticate(self, client_id: str, client_secret: str, endpoint: str | None = None) -> httpx.Response:
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        resp = self.http.post(
            endpoint or f"{self.base_url}/auth/token",
            content=b"grant_type=client_credentials",
            headers={
                "authorization": f"Basic {basic}",
                "content-type": "application/x-www-form-urlencoded",
                "accept": "application/json",
            },
        )
        if resp.status_code == 200:
            self.token = resp.json()["access_token"]
        return resp

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {"authorization": f"Bearer {token or self.token}"}

    def list(self, params: Any = None, token: str | None = None) -> httpx.Response:
        return self.http.get(f"{self.base_url}/3/footprints", params=params, headers=self.headers(token))

    def follow(self, url: str) -> httpx.Response:
        return self.http.get(url, headers=self.headers())

    def get(self, pf_id: str, token: str | None = None) -> httpx.Response:
        return self.http.get(f"{self.base_url}/3/footprints/{pf_id}", headers=self.headers(token))

    def event(self, body: Any, token: str | None = None) -> httpx.Response:
        return self.http.post(
            f"{self.base_url}/3/events",
            json=body,
            headers={**self.headers(token), "content-type": "application/cloudevents+json; charset=UTF-8"},
        )


def next_url(resp: httpx.Response) -> str | None:
    match = LINK.search(resp.headers.get("link", ""))
    return match.group(1) if match else None
