"""RFC 8785 JSON Canonicalization Scheme, fast for the common case, ``rfc8785`` for everything else.

The ``rfc8785`` package is the reference here; it is written in pure Python and costs ~1.5 ms for a
7 kB activity-data credential, which alone would cap verification below the node's throughput target.
For the subset of JSON on which the standard library's C encoder already produces RFC 8785 output,
:func:`canonicalize` uses it; anything outside that subset goes to ``rfc8785.dumps`` unchanged, so the
output and the exceptions are the reference's.

Why the subset is exact (RFC 8785 §3.2):
- strings: ``ensure_ascii=False`` escapes exactly ``"``, ``\\``, ``\\b \\f \\n \\r \\t`` and the other
  U+0000–U+001F as lowercase ``\\u00xx``, and nothing else, as §3.2.2.2 requires; lone surrogates pass the
  encoder but fail the UTF-8 encoding, and then the reference refuses them;
- object keys: sorting by code point equals sorting by UTF-16 code units (§3.2.3) unless a key holds a
  character above U+FFFF, so such objects take the reference path;
- integers within ±(2^53−1) print the same digits; larger ones take the reference path (which refuses);
- floats: ECMAScript Number-to-String (§3.2.2.3) and Python's ``repr`` both give the shortest
  round-tripping digits and agree on layout for non-integral values with 1e-4 <= |x| < 1e16; integral
  floats below 2^53 are printed as integers (``1.0`` -> ``1``, ``-0.0`` -> ``0``); every other float
  takes the reference path.

Cost: the C encoder does most of the work; before it, :func:`_prepared` checks every value in one pass
and copies only the containers holding an integral float (copy on write), so a document without one is
encoded as it is. The tests compare both paths on generated JSON (tests/node_service/credentials/test_jcs.py).
"""

from __future__ import annotations

from json.encoder import (  # type: ignore[attr-defined]
    JSONEncoder,
    c_encode_basestring,
    c_make_encoder,
    py_encode_basestring,
)
from typing import Any

import rfc8785

__all__ = ["CanonicalizationError", "canonical_members", "canonicalize", "join_members"]

#: what :func:`canonicalize` raises for a value RFC 8785 cannot represent (the reference's own exception)
CanonicalizationError = rfc8785.CanonicalizationError

_INT_LIMIT = 2**53 - 1
_INTEGRAL_LIMIT = 2.0**53


_encode_string = c_encode_basestring or py_encode_basestring


def _not_json(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


# The encoder json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
# builds on each call, built once. markers=None: no circular-reference bookkeeping (a cycle ends in
# RecursionError, and the reference then reports it as before).
if c_make_encoder is not None:
    _ENCODE = c_make_encoder(None, _not_json, _encode_string, None, ":", ",", True, False, False)
else:  # an interpreter without the C accelerator: the same text from the pure-Python encoder
    _ENCODE = JSONEncoder(
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False, default=_not_json
    ).iterencode


class _UseReference(Exception):
    """The value is outside the fast subset."""


def _float(value: float) -> float | int:
    """``value`` as the C encoder must see it: integral floats as ints, the rest unchanged when ``repr``
    already prints the RFC 8785 form."""
    if value.is_integer():  # False for NaN and the infinities
        if -_INTEGRAL_LIMIT < value < _INTEGRAL_LIMIT:
            return int(value)
        raise _UseReference
    if 1e-4 <= abs(value) < 1e16:
        return value
    raise _UseReference


def _prepared(value: dict[str, Any] | list[Any]) -> dict[str, Any] | list[Any]:
    """``value`` itself when the C encoder prints it in RFC 8785 form, else a copy of the containers that
    hold an integral float with those floats as ints; :class:`_UseReference` outside the fast subset.

    One loop for objects (member name, value) and arrays (index, item); the float checks are inlined rather
    than calling :func:`_float`, since this runs once per value of every document the node hashes."""
    is_dict = type(value) is dict
    copy: Any = None
    new: Any
    for key, item in value.items() if is_dict else enumerate(value):  # type: ignore[union-attr]
        if is_dict and (type(key) is not str or (not key.isascii() and max(key) > "\uffff")):
            raise _UseReference
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is float:
            if not item.is_integer():  # NaN and the infinities are not integers
                if 1e-4 <= item < 1e16 or -1e16 < item <= -1e-4:
                    continue
                raise _UseReference
            if not -_INTEGRAL_LIMIT < item < _INTEGRAL_LIMIT:
                raise _UseReference
            new = int(item)
        elif kind is int:
            if -_INT_LIMIT <= item <= _INT_LIMIT:
                continue
            raise _UseReference
        elif kind is dict or kind is list:
            new = _prepared(item)
            if new is item:
                continue
        else:
            raise _UseReference  # tuples, subclasses, other types: let the reference decide
        if copy is None:
            copy = dict(value) if is_dict else list(value)
        copy[key] = new
    return value if copy is None else copy


def _fast(value: Any) -> bytes:
    kind = type(value)
    if kind is dict or kind is list:
        return "".join(_ENCODE(_prepared(value), 0)).encode("utf-8")
    if kind is str:
        return _encode_string(value).encode("utf-8")  # type: ignore[no-any-return]
    if value is None:
        return b"null"
    if kind is bool:
        return b"true" if value else b"false"
    if kind is int and -_INT_LIMIT <= value <= _INT_LIMIT:
        return repr(value).encode("ascii")
    if kind is float:
        return repr(_float(value)).encode("ascii")
    raise _UseReference  # big integers, subclasses, other types


def canonicalize(value: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of ``value``; raises what ``rfc8785.dumps`` raises."""
    try:
        return _fast(value)
    except (_UseReference, RecursionError, ValueError, TypeError):  # lone surrogates: UnicodeEncodeError
        return rfc8785.dumps(value)


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
