"""RFC 8785 JSON Canonicalization Scheme, fast for the common case, ``rfc8785`` for everything else.

The ``rfc8785`` package is the reference here; it is written in pure Python and costs ~1.5 ms for a
7 kB activity-data credential, which alone would cap verification below the node's throughput target.
For the subset of JSON on which the standard library's C encoder already produces RFC 8785 output,
:func:`canonicalize` uses it; anything outside that subset goes to ``rfc8785.dumps`` unchanged.

Why the subset is exact (RFC 8785 §3.2):
- strings: ``json.dumps(ensure_ascii=False)`` escapes exactly ``"``, ``\\``, ``\\b \\f \\n \\r \\t`` and the
  other U+0000–U+001F as lowercase ``\\u00xx``, and nothing else, as §3.2.2.2 requires;
- object keys: sorting by code point equals sorting by UTF-16 code units (§3.2.3) unless a key holds a
  character above U+FFFF, so such objects take the reference path;
- integers within ±(2^53−1) print the same digits; larger ones take the reference path (which refuses);
- floats: ECMAScript Number-to-String (§3.2.2.3) and Python's ``repr`` both give the shortest
  round-tripping digits and agree on layout for non-integral values with 1e-4 <= |x| < 1e16; integral
  floats below 2^53 are printed as integers (``1.0`` -> ``1``, ``-0.0`` -> ``0``); every other float
  takes the reference path.
The tests compare both paths on generated JSON (tests/credentials/test_jcs_fast.py).
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

__all__ = ["canonical_members", "canonicalize", "join_members"]

_INT_LIMIT = 2**53 - 1
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


class _UseReference(Exception):
    """The value is outside the fast subset."""


def _prepare_number(value: int | float) -> int | float:
    if isinstance(value, float):
        magnitude = abs(value)
        if value.is_integer():  # False for NaN and the infinities
            if magnitude < 2**53:
                return int(value)
            raise _UseReference
        if 1e-4 <= magnitude < 1e16:
            return value
        raise _UseReference
    if -_INT_LIMIT <= value <= _INT_LIMIT:
        return value
    raise _UseReference


def _prepare(value: Any) -> Any:
    """A copy of ``value`` for the C encoder, or :class:`_UseReference` when outside the fast subset."""
    kind = type(value)
    if kind is dict:
        prepared: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str or (not key.isascii() and max(key) > "\uffff"):
                raise _UseReference
            item_kind = type(item)
            if item_kind is str or item is None or item_kind is bool:
                prepared[key] = item
            elif item_kind is int or item_kind is float:
                prepared[key] = _prepare_number(item)
            else:
                prepared[key] = _prepare(item)
        return prepared
    if kind is list:
        items: list[Any] = []
        for item in value:
            item_kind = type(item)
            if item_kind is str or item is None or item_kind is bool:
                items.append(item)
            elif item_kind is int or item_kind is float:
                items.append(_prepare_number(item))
            else:
                items.append(_prepare(item))
        return items
    if kind is str or value is None or kind is bool:
        return value
    if kind is int or kind is float:
        return _prepare_number(value)
    raise _UseReference  # tuples, subclasses, other types: let the reference decide


def canonicalize(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of ``value``; raises what ``rfc8785.dumps`` raises."""
    try:
        prepared = _prepare(value)
    except (_UseReference, RecursionError):
        return rfc8785.dumps(value)
    return _ENCODER.encode(prepared).encode("utf-8")


def canonical_members(value: dict[str, Any]) -> dict[str, bytes]:
    """The canonical bytes of each member's value of a JSON object, so that objects sharing members (a
    secured document and the same document without its proof) are serialised once; see :func:`join_members`.
    """
    return {key: canonicalize(item) for key, item in value.items()}


def join_members(members: dict[str, bytes]) -> bytes:
    """The canonical bytes of the object whose members' canonical values are ``members``: equal to
    ``canonicalize(obj)`` when ``members == canonical_members(obj)``. Members are sorted by the UTF-16 code
    units of their names (RFC 8785 §3.2.3)."""
    if any(type(key) is not str for key in members):
        raise TypeError("join_members: member names must be str")
    names = sorted(members, key=lambda name: name.encode("utf-16-be"))
    return b"{" + b",".join(canonicalize(name) + b":" + members[name] for name in names) + b"}"
