"""GS1 Global Trade Item Numbers: GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) and GTIN-14.

Rules (GS1 General Specifications §3.2, §7.9 "Standard check digit calculations"):

1. Only the digits 0-9; length 8, 12, 13 or 14.
2. The last digit is the mod-10 check digit: from the right, excluding the check digit, weights
   alternate 3, 1, 3, …; the check digit brings the weighted sum to a multiple of 10.
3. All four lengths normalise to GTIN-14 by left-padding with zeros (GS1 "14-digit format"),
   which is how the same item is compared across lengths.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from identifier_resolver.errors import CheckDigitError, IdentifierError

__all__ = ["GTIN_LENGTHS", "Gtin", "gs1_check_digit", "parse_gtin"]

GTIN_LENGTHS = (8, 12, 13, 14)
_SCHEME = "GTIN"


def gs1_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit for ``body`` (all digits except the check digit)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        total += (ord(char) - 48) * (3 if position % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


@dataclass(frozen=True, slots=True)
class Gtin:
    """A validated GTIN; :attr:`gtin14` is the normal form and the identity (equality, hashing)."""

    gtin14: str
    digits: str = field(compare=False)

    @property
    def length(self) -> int:
        return len(self.digits)

    def __str__(self) -> str:
        return self.gtin14


def parse_gtin(text: str) -> Gtin:
    """Validate a GTIN-8/12/13/14 string (digits only) and its check digit."""
    if not isinstance(text, str):
        raise IdentifierError(_SCHEME, "gtin-type", repr(text), f"got {type(text).__name__}", "pass a string")
    # (1) characters and length
    if not text.isascii() or not text.isdigit():
        raise IdentifierError(
            _SCHEME,
            "gtin-digits",
            text,
            "only the digits 0-9 are allowed",
            "remove spaces, dashes and letters",
        )
    if len(text) not in GTIN_LENGTHS:
        raise IdentifierError(
            _SCHEME,
            "gtin-length",
            text,
            f"got {len(text)} digits, want 8, 12, 13 or 14",
            "copy all digits under the barcode, including the last (check) digit",
        )
    # (2) check digit
    want = gs1_check_digit(text[:-1])
    if text[-1] != want:
        raise CheckDigitError(_SCHEME, "gtin-check-digit", text, text[-1], want)
    return Gtin(gtin14=text.zfill(14), digits=text)
