"""The sign-in lock as a person meets it, in a real headless Chromium: five wrong passwords, then the right
one refused with a message in the page's language saying until when; screenshots in test-artifacts/portal/
(``<lang>-sign-in-locked.png``)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.node_service.helpers import registration, serve_example_identifiers

from .conftest import ARTIFACTS

PASSWORD = "correct horse battery staple"
LOCKED = {
    "zh-CN": "登录失败次数过多。登录已锁定至",
    "en": "Too many failed sign-ins. Sign-in is locked until",
}


def _account(base: str, username: str) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        serve_example_identifiers(client)
        page = client.get("/portal/register").text
        token = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', page)
        assert token
        body = {
            "registration": registration(Ed25519PrivateKey.generate(), username, ["supplier"]),
            "username": username,
            "password": PASSWORD,
        }
        resp = client.post("/portal/register", json=body, headers={"X-CSRF-Token": token.group(1)})
        assert resp.status_code == 201, resp.text


def test_the_lockout_message_in_both_languages(served: Any, browser: Any) -> None:
    for lang in ("zh-CN", "en"):
        username = f"locked-{lang.lower()}"
        _account(served.url, username)
        context = browser.new_context(locale=lang, viewport={"width": 1000, "height": 640})
        page = context.new_page()
        try:
            for attempt in range(5):
                page.goto(f"{served.url}/portal/login")
                page.fill("#username", username)
                page.fill("#password", f"wrong-{attempt}")
                page.click("#login-submit")
            page.goto(f"{served.url}/portal/login")
            page.fill("#username", username)
            page.fill("#password", PASSWORD)  # the right password, during the lock
            page.click("#login-submit")
            text = page.inner_text("main")
            assert LOCKED[lang] in text, text
            assert "/portal/login" in page.url  # not signed in
            if lang == "zh-CN":
                assert not re.search(r"[A-Za-z]{4,}", text.replace("UTC", "")), text
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{lang}-sign-in-locked.png"), full_page=True)
        finally:
            context.close()
