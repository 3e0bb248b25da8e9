"""The canonical form of a GEC (绿证) serial: the one key under which a certificate is claimed.

A serial is claimed once across the whole exchange (DESIGN.md), so two spellings of one certificate must
compare equal: ``GEC-2024-YN-HYD-000123``, ``gec-2024-yn-hyd-000123``, the same with a zero-width space
(U+200B) inside, with a fullwidth hyphen (U+FF0D) or with full-width digits are one serial.

The national GEC platform (国家绿证核发交易系统) numbers certificates with a 32-character code: 17 characters of
the project's filing code (建档立卡编码) and 15 of the electricity batch (production date, sequence,
classification). The public record gives the layout but not the character set, and the examples of this
exchange use an illustrative ``GEC-YYYY-…`` form, so the node does not require 32 characters; it requires the
character set below, in which the platform's codes are written, and compares serials in this form:

(1) Unicode NFKC (full-width and compatibility characters become their ASCII counterparts);
(2) format characters (category Cf: zero-width spaces and joiners, BOM, soft hyphen, bidirectional controls)
    and whitespace are removed;
(3) separators are removed: dash punctuation (category Pd, e.g. U+2010, U+2013), U+2212 MINUS SIGN, and
    ``- _ . /`` — the platform's codes have none, so they carry no information;
(4) case-folded, written upper case;
(5) what remains must be ``A``–``Z`` and ``0``–``9`` (rule ``gec-serial-characters``: a Cyrillic ``А`` that
    looks like a Latin ``A`` is refused, not compared) and not be empty (``gec-serial-blank``), at most
    :data:`MAX_CANONICAL` characters (``gec-serial-length``).

``canonical_gec_serial(text)`` applies every step and raises :class:`GecSerialError` on (5);
``legacy_gec_serial_key(text)`` applies (1)–(4) only, for serials stored before this rule (they are never
refused after the fact, only compared).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_CANONICAL", "SEPARATORS", "GecSerialError", "canonical_gec_serial", "legacy_gec_serial_key"]

MAX_CANONICAL = 200
SEPARATORS = frozenset("-_./\u2212")
_ALLOWED = re.compile(r"[A-Z0-9]+")


class GecSerialError(ValueError):
    """A GEC serial that has no canonical form: ``rule`` names the broken rule, ``detail`` says how."""

    def __init__(self, rule: str, detail: str) -> None:
        self.rule = rule
        self.detail = detail
        super().__init__(f"{detail} (rule {rule})")


def _dropped(char: str) -> bool:
    category = unicodedata.category(char)
    return category == "Cf" or category == "Pd" or char.isspace() or char in SEPARATORS


def legacy_gec_serial_key(text: str) -> str:
    """Steps (1)–(4): the comparison key of any serial, valid or not (capped at :data:`MAX_CANONICAL`)."""
    folded = "".join(c for c in unicodedata.normalize("NFKC", text) if not _dropped(c)).casefold()
    return folded.upper()[:MAX_CANONICAL]


def canonical_gec_serial(text: str) -> str:
    """Steps (1)–(5): the canonical serial, or :class:`GecSerialError`."""
    key = "".join(c for c in unicodedata.normalize("NFKC", text) if not _dropped(c)).casefold().upper()
    if not key:
        raise GecSerialError("gec-serial-blank", "the GEC serial has no letters or digits")
    if _ALLOWED.fullmatch(key) is None:
        bad = next(c for c in key if not ("A" <= c <= "Z" or "0" <= c <= "9"))
        raise GecSerialError(
            "gec-serial-characters",
            f"the GEC serial contains {bad!r} (U+{ord(bad):04X}); a serial is written with A-Z and 0-9 "
            "(separators - _ . / and spaces are ignored)",
        )
    if len(key) > MAX_CANONICAL:
        raise GecSerialError(
            "gec-serial-length", f"the GEC serial has {len(key)} characters, want at most {MAX_CANONICAL}"
        )
    return key
