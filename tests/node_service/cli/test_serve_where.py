"""`tanlian serve` (and so `make run`) says where the portal, the API docs and the PACT endpoints are."""

from __future__ import annotations

from typing import Any

from node_service.cli import serve_cmds


def test_it_names_the_portal_docs_and_pact(monkeypatch: Any) -> None:
    monkeypatch.delenv("TANLIAN_PACT_ALLOW_HTTP", raising=False)
    text = serve_cmds._where("http://127.0.0.1:8000", https=False)
    assert "http://127.0.0.1:8000/portal/" in text  # the portal plug-in is installed with the package
    assert "http://127.0.0.1:8000/docs" in text
    assert "http://127.0.0.1:8000/3/footprints" in text and "http://127.0.0.1:8000/2/footprints" in text
    assert "POST http://127.0.0.1:8000/auth/token" in text
    assert "HTTPS only" in text  # plain HTTP: PACT refuses it unless allowed, and says how


def test_no_https_note_when_served_over_tls_or_allowed(monkeypatch: Any) -> None:
    assert "HTTPS only" not in serve_cmds._where("https://127.0.0.1:8443", https=True)
    monkeypatch.setenv("TANLIAN_PACT_ALLOW_HTTP", "true")
    assert "HTTPS only" not in serve_cmds._where("http://127.0.0.1:8000", https=False)


def test_a_wildcard_address_is_shown_as_loopback() -> None:
    assert serve_cmds._display_host("0.0.0.0") == "127.0.0.1"
    assert serve_cmds._display_host("::") == "[::1]"
    assert serve_cmds._display_host("192.0.2.7") == "192.0.2.7"


def test_behind_trusted_proxies_it_names_them(monkeypatch: Any) -> None:
    monkeypatch.delenv("TANLIAN_PACT_ALLOW_HTTP", raising=False)
    text = serve_cmds._where("http://127.0.0.1:8000", https=False, proxies=["10.0.0.5", "10.1.0.0/16"])
    assert "HTTPS only: buyers come through the TLS proxies at 10.0.0.5, 10.1.0.0/16" in text
    assert "TANLIAN_TRUSTED_PROXIES" in serve_cmds._where("http://127.0.0.1:8000", https=False)
