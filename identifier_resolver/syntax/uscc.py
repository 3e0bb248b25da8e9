"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

Rules:

1. Exactly 18 characters from the 31-character set ``0-9 A-H J-N P-R T U W-Y`` (no I, O, Z, S, V).
   Lower-case letters are accepted and normalised to upper case.
2. Position 1: registration authority code; position 2: organisation category code (one character
   of the set each); positions 3-8: administrative division code (GB/T 2260, six digits).
3. Positions 9-17: the organisation code (GB 11714-1997). Its 9th character is a check character:
   weights 3, 7, 9, 10, 5, 8, 4, 2 on the first eight (digits as their value, letters A=10 … Z=35),
   C9 = 11 - (sum mod 11), with 10 written ``X`` and 11 written ``0``.
4. Position 18: the check character. With character values v_i = index in the set and weights
   W_i = 3^(i-1) mod 31 (i = 1..17), C18 = 31 - (Σ v_i·W_i mod 31), with 31 written ``0``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from identifier_resolver.errors import CheckDigitError, IdentifierError

__all__ = [
    "USCC_CHARSET",
    "Uscc",
    "organisation_code_check_char",
    "parse_uscc",
    "uscc_check_char",
]

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_SCHEME = "USCC"
_DIVISION = re.compile(r"[0-9]{6}")
#: Registration authority codes named in GB 32100-2015 and its national amendments (informative only).
REGISTRATION_AUTHORITIES = {
    "1": "机构编制 (institutional establishment)",
    "5": "民政 (civil affairs)",
    "9": "工商 / 市场监管 (market regulation)",
    "Y": "其他 (other)",
}


def uscc_check_char(body17: str) -> str:
    """C18 for the first 17 characters (rule 4)."""
    total = sum(_VALUE[c] * w for c, w in zip(body17, _WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def organisation_code_check_char(body8: str) -> str:
    """GB 11714 check character for the first eight organisation-code characters (rule 3)."""
    total = sum((int(c, 36)) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


@dataclass(frozen=True, slots=True)
class Uscc:
    """A validated unified social credit code."""

    code: str

    @property
    def registration_authority(self) -> str:
        return self.code[0]

    @property
    def organisation_category(self) -> str:
        return self.code[1]

    @property
    def division_code(self) -> str:
        return self.code[2:8]

    @property
    def organisation_code(self) -> str:
        return self.code[8:17]

    def __str__(self) -> str:
        return self.code


def parse_uscc(text: str) -> Uscc:
    """Validate an 18-character unified social credit code and both check characters."""
    if not isinstance(text, str):
        raise IdentifierError(_SCHEME, "uscc-type", repr(text), f"got {type(text).__name__}", "pass a string")
    code = text.upper() if text.isascii() else text
    # (1) length and character set
    if len(code) != 18:
        raise IdentifierError(
            _SCHEME, "uscc-length", text, f"got {len(code)} characters, want 18", "copy all 18 characters"
        )
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        raise IdentifierError(
            _SCHEME,
            "uscc-charset",
            text,
            f"characters {''.join(bad)!r} are outside 0-9 and A-Y without I, O, Z, S, V",
            "check for O/0, I/1, S/5, Z/2 and V/U confusions",
        )
    # (2) administrative division code
    if not _DIVISION.fullmatch(code[2:8]):
        raise IdentifierError(
            _SCHEME,
            "uscc-division-code",
            text,
            f"positions 3-8 {code[2:8]!r} are not a six-digit administrative division code",
            "check positions 3-8 against the business licence",
        )
    # (3) overall check character
    want = uscc_check_char(code[:17])
    if code[17] != want:
        raise CheckDigitError(_SCHEME, "uscc-check-character", text, code[17], want)
    # (4) embedded organisation code (GB 11714) check character
    want_org = organisation_code_check_char(code[8:16])
    if code[16] != want_org:
        raise CheckDigitError(_SCHEME, "uscc-organisation-code-check", text, code[16], want_org)
    return Uscc(code=code)
