"""What an organisation's name may hold: plain text, the same to every reader.

Refused, with the field and the character named: control characters (Unicode category Cc: NUL and the rest of
C0, DEL, C1), which terminals, logs and PDF reports render differently or not at all; and the bidirectional
overrides and isolates U+202A–U+202E and U+2066–U+2069 (Unicode Bidirectional Algorithm, UAX #9), which reorder
the text after them, so a name could display as another organisation's ("Trojan Source", CVE-2021-42574).
Names are otherwise any Unicode text (Chinese, Latin, digits, punctuation, spaces).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from node_service.services.organisations.errors import NameHasControlCharacter

__all__ = ["BIDI_CONTROLS", "check_name_text"]

BIDI_CONTROLS = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))
"""LRE, RLE, PDF, LRO, RLO and LRI, RLI, FSI, PDI."""


def _refused(ch: str) -> bool:
    return ord(ch) in BIDI_CONTROLS or unicodedata.category(ch) == "Cc"


def check_name_text(name: Mapping[str, str | None], field: str = "credentialSubject.name") -> None:
    """Raise :class:`NameHasControlCharacter` at the first refused character of any language's name."""
    for language, value in name.items():
        for position, ch in enumerate(value or ""):
            if _refused(ch):
                label = unicodedata.name(ch, "control character")
                raise NameHasControlCharacter(
                    f"{field}.{language}: U+{ord(ch):04X} ({label}) at character {position + 1} is a control or "
                    "text-direction character",
                    field=f"{field}.{language}",
                    code_point=ord(ch),
                    fix="remove it: an organisation name is plain text",
                )
