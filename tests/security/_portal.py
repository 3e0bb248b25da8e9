"""Helpers for driving the portal over a TestClient in the operations tests."""

from __future__ import annotations

import json
import re
from typing import Any


def csrf(client: Any, path: str) -> str:
    page = client.get(path)
    match = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', page.text)
    assert match, (path, page.status_code, page.text[:300])
    return match.group(1)


def portal_verify(client: Any, receipt: dict[str, Any]) -> dict[str, bool]:
    """Upload ``receipt`` on the portal's verify page; every check it lists, by name, and whether it passed."""
    resp = client.post(
        "/portal/verify",
        data={"csrf_token": csrf(client, "/portal/verify")},
        files={"receipt": ("receipt.json", json.dumps(receipt).encode(), "application/json")},
    )
    assert resp.status_code == 200, resp.text[:500]
    checks = re.findall(r'<li class="(ok|bad)" data-check="([a-z-]+)"', resp.text)
    assert checks, resp.text[:2000]
    return {name: cls == "ok" for cls, name in checks}
