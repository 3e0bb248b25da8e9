"""How deeply a JSON text nests, found before it is parsed, in time linear in its length.

CPython's ``json`` module parses arrays and objects by recursion, one level per bracket, in C; a text nested
deeper than the interpreter's recursion limit raises ``RecursionError`` at best, and with a raised limit
overflows the C stack (issue 16). Every parser of untrusted JSON in the node asks :func:`nests_deeper_than` first
(the API's body limits in ``node_service.api.limits``, ``vc.load_document``, the portal's uploads).

The scan: (1) strings are removed — a string runs from a quote to the next unescaped quote, or to the end of the
text when it is not closed (so every quote starts a match and the scan never goes back: linear, whatever the
input); (2) every byte but the four brackets is dropped; (3) the deepest level is the largest running sum of
+1 per opening and -1 per closing bracket. Brackets are counted alike (``[`` and ``{``), as the parser recurses
alike. The text need not be valid JSON: the answer then bounds what a parser would reach before it fails.
"""

from __future__ import annotations

import re
from array import array
from itertools import accumulate

__all__ = ["nesting_depth", "nests_deeper_than"]

# a string: a quote, then runs of ordinary bytes or escape pairs (possessive: never revisited), then the closing
# quote, or the end of the text (a lone trailing backslash included) when the string is not closed
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
# opening brackets to +1, closing ones to -1 (0xFF as a signed byte)
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_CHUNK = 64 * 1024


def nesting_depth(text: bytes) -> int:
    """The deepest bracket nesting of JSON ``text`` (0 for a scalar): the recursion a parser would need."""
    return _deepest(text, stop_above=None)


def nests_deeper_than(text: bytes, limit: int) -> bool:
    """Whether JSON ``text`` nests deeper than ``limit`` levels; stops scanning as soon as it does, and does not
    scan a text with no more than ``limit`` brackets at all."""
    if text.count(b"[") + text.count(b"{") <= limit:
        return False
    return _deepest(text, stop_above=limit) > limit


def _deepest(text: bytes, *, stop_above: int | None) -> int:
    # (1) strings out; (2) brackets only, as steps
    steps = _STRING.sub(b"", text).translate(None, _NOT_BRACKETS).translate(_STEPS)
    # (3) the largest running sum of the steps, a chunk at a time (stopping once past ``stop_above``)
    level = deepest = 0
    for start in range(0, len(steps), _CHUNK):
        chunk = array("b", steps[start : start + _CHUNK])
        deepest = max(deepest, max(accumulate(chunk, initial=level)))
        level += sum(chunk)
        if stop_above is not None and deepest > stop_above:
            break
    return deepest
