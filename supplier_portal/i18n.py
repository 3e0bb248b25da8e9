"""Translations: gettext catalogs (``locale/<lang>/LC_MESSAGES/portal.po``) compiled in memory at start.

The ``.po`` files are the source; Babel compiles each to ``.mo`` bytes in memory the first time it is
needed, so there is no manual compile step and nothing is written next to the code or in the data dir.
Source strings (msgids) are English; ``en`` is therefore complete by construction and ``zh_CN`` must
translate every msgid (tests/supplier_portal/test_units.py checks it).

Locale choice, in order: the ``lang`` cookie set by the language switch, then the browser's
Accept-Language (RFC 9110 §12.5.4 quality values), then Chinese.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = ["DEFAULT_LOCALE", "LOCALES", "LOCALE_DIR", "negotiate", "translations"]

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
DOMAIN = "portal"
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog for ``locale`` (one of LOCALES)."""
    if locale not in LOCALES:
        raise KeyError(f"unknown locale {locale!r}; known: {', '.join(LOCALES)}")
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def _parse_accept_language(header: str) -> list[tuple[str, float]]:
    ranges: list[tuple[str, float]] = []
    for part in header.split(",")[:32]:
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        if tag:
            ranges.append((tag.strip().lower(), quality))
    return sorted(ranges, key=lambda r: -r[1])


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LOCALES:
        assert cookie is not None
        return cookie
    for tag, quality in _parse_accept_language(accept_language or ""):
        if quality <= 0:
            continue
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE
