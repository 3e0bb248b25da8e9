"""The fast JCS path gives byte-identical output to the rfc8785 reference (and raises where it raises)."""

from __future__ import annotations

import enum
import json
import math
import struct
from pathlib import Path
from typing import Any

import jcs
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from node_service.credentials.jcs import canonical_members, canonicalize, join_members

RFC8785_EXAMPLES = json.loads(
    (Path(__file__).parent / "vectors" / "rfc8785-examples.json").read_text(encoding="utf-8")
)

_keys = st.text(max_size=6) | st.sampled_from(
    ["a", "\ue000", "\U0001f600", "b\U00010000", "é", "\x7f", "\x00", "1", "1.0", "true", "null", "-5"]
)
_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**54), max_value=2**54)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.floats(min_value=-1e17, max_value=1e17)
    | st.sampled_from([0.0, -0.0, 1e-4, 9.999e-5, 1e-6, 1e-7, 1e16, 1e21, 1e22, 2.0**53, 2.0**53 + 2, 5e-324])
    | st.text(max_size=10)
)
_json = st.recursive(
    _leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=20,
)

# Adversarial values: every float magnitude and its integral neighbours, integers at the ±(2^53−1) edge,
# number-like text inside strings, astral characters and lone surrogates in names and values, control
# characters, non-string keys, tuples, subclasses, NaN and the infinities.
_EDGE_FLOATS = [
        0.0, -0.0, 1.0, -1.0, 0.5, 1e-4, -1e-4, 9.999999999999999e-05, 1e-5, 1e-6, 1e-7, 5e-324, -5e-324,
        2.2250738585072014e-308, 1.7976931348623157e308, 1e15, 9999999999999998.0, 1e16, 1.5e16, 1e20, 1e21,
        1e22, 2.0**53 - 1, 2.0**53, -(2.0**53), 2.0**53 + 2, 123456789012.5, 0.1 + 0.2, 1424953923781206.2,
        3e-5, 1.5e-5, 9.5e15, 1.0000000000000002, 4.35, 0.0001, 0.00010000000000000002, 2.0**60, 1.2345678901234567e19,
]  # fmt: skip
_edge_floats = st.sampled_from(_EDGE_FLOATS)
_magnitudes = st.builds(
    lambda mantissa, exponent: mantissa * 10.0**exponent,
    st.floats(min_value=-10, max_value=10, allow_nan=False),
    st.integers(min_value=-320, max_value=300),
)
_edge_ints = st.sampled_from([0, 1, -1, 2**53 - 1, -(2**53 - 1), 2**53, -(2**53), 10**16, 10**30, -(10**30)])
_tricky_text = st.sampled_from(
    [
        "1.0", "1e-07", ":1.0,", "[1.0]", '{"1":2}', "-0.0", "9007199254740993", '\\"', "\\", '"', "\n\t\r\b\f",
        "\x00\x1f\x7f", "\u2028\u2029", "€", "\ufb33", "\U0001f600", "\ud800", "a\udfffb", "\ud83d\ude00",
    ]
)  # fmt: skip
_adversarial_leaf = (
    st.none()
    | st.booleans()
    | _edge_ints
    | st.integers()
    | _edge_floats
    | _magnitudes
    | st.floats()
    | _tricky_text
    | st.text(max_size=8)
    | st.characters()
)
_adversarial_keys = (
    _keys
    | _tricky_text
    | st.characters()
    | st.integers(min_value=-3, max_value=3)
    | st.sampled_from([True, False, None, 1.5])
)
_adversarial = st.recursive(
    _adversarial_leaf,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(_adversarial_keys, inner, max_size=5)
    ),
    max_leaves=30,
)


def _reference(value: Any) -> bytes | type[Exception]:
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeError, TypeError) as exc:
        return type(exc)


def _assert_same_as_reference(value: Any) -> None:
    want = _reference(value)
    if isinstance(want, bytes):
        assert canonicalize(value) == want
    else:
        with pytest.raises(want):
            canonicalize(value)


@settings(max_examples=500, deadline=None)
@given(_json)
def test_fast_path_equals_rfc8785(value: Any):
    _assert_same_as_reference(value)


@settings(max_examples=1500, deadline=None)
@given(_adversarial)
def test_adversarial_values_equal_rfc8785(value: Any):
    _assert_same_as_reference(value)
    _assert_same_as_reference([value])  # each container kind on its own: one value outside the fast
    _assert_same_as_reference({"wrapped": value})  # subset sends the whole document to the reference


@pytest.mark.parametrize("number", _EDGE_FLOATS)
def test_every_float_edge_in_every_position(number: float):
    for value in (
        number,
        -number,
        [number],
        [-number],
        {"n": number},
        {"n": -number},
        {"a": [{"b": number}]},
    ):
        _assert_same_as_reference(value)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=6), _adversarial, max_size=6))
def test_members_joined_equal_the_whole(value: dict[str, Any]):
    want = _reference(value)
    if isinstance(want, bytes):
        assert join_members(canonical_members(value)) == want


@pytest.mark.parametrize("depth", [1, 10, 100, 400])
def test_nesting_depth(depth: int):
    value: Any = 1.0
    for level in range(depth):
        value = [value] if level % 2 else {"k": value, "n": -0.0}
    _assert_same_as_reference(value)


def test_too_deep_and_circular_values_raise_as_the_reference_does():
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(RecursionError):
        rfc8785.dumps(deep)
    with pytest.raises(RecursionError):
        canonicalize(deep)
    circular: list[Any] = []
    circular.append(circular)
    with pytest.raises(RecursionError):
        canonicalize(circular)


class _Colour(enum.IntEnum):
    RED = 1


class _Name(enum.StrEnum):
    A = "a\n"


class _Dict(dict):  # type: ignore[type-arg]
    pass


@pytest.mark.parametrize(
    "value",
    [
        _Colour.RED,
        [_Colour.RED, 2.0],
        _Name.A,
        {"n": _Name.A},
        _Dict(b=1.0, a=2),
        {"t": (1.0, "x", None)},
        {_Name.A: 1},
        {1: "a"},
        {"a": 1, 2: "b"},
        {True: 1},
        {None: 1},
        {1.5: 2},
        {"s": {1, 2}},
        {"b": b"bytes"},
        2**53 - 1,
        -(2**53 - 1),
        2**53,
        -(2**53),
    ],
)
def test_types_at_the_edge_of_json_match_the_reference(value: Any):
    _assert_same_as_reference(value)


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False) | _magnitudes | _edge_floats)
def test_floats_agree_with_the_independent_jcs_package(number: float):
    assert canonicalize([number]) == jcs.canonicalize([number])
    assert canonicalize(number) == jcs.canonicalize(number)


@pytest.mark.parametrize(
    "example",
    RFC8785_EXAMPLES["documents"],
    ids=[d["description"][:20] for d in RFC8785_EXAMPLES["documents"]],
)
def test_rfc8785_published_documents(example: dict[str, str]):
    value = json.loads(example["input"])
    assert canonicalize(value) == example["canonical"].encode("utf-8")
    assert rfc8785.dumps(value) == example["canonical"].encode("utf-8")


@pytest.mark.parametrize("sample", RFC8785_EXAMPLES["numbers"], ids=lambda s: s["ieee754"])
def test_rfc8785_appendix_b_numbers(sample: dict[str, str]):
    number = struct.unpack(">d", bytes.fromhex(sample["ieee754"]))[0]
    assert canonicalize(number) == sample["canonical"].encode("ascii")
    assert canonicalize({"n": [number]}) == b'{"n":[' + sample["canonical"].encode("ascii") + b"]}"


@pytest.mark.parametrize("sample", RFC8785_EXAMPLES["refused"], ids=lambda s: s["description"])
def test_rfc8785_appendix_b_refusals(sample: dict[str, str]):
    number = struct.unpack(">d", bytes.fromhex(sample["ieee754"]))[0]
    for value in (number, [number], {"n": number}):
        with pytest.raises(rfc8785.CanonicalizationError):
            canonicalize(value)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (
            {"b": 1, "a": [1.0, -0.0, 0.5, 1e21, 1e-7, 123456789012.5]},
            '{"a":[1,0,0.5,1e+21,1e-7,123456789012.5],"b":1}',
        ),
        ({"\U0001f600": 1, "\ue000": 2}, '{"\U0001f600":1,"\ue000":2}'),  # UTF-16 order: D83D < E000
        ({"s": 'q"\\\n\x01\x7f€'}, '{"s":"q\\"\\\\\\n\\u0001\x7f€"}'),
        ({"s": "1.0", "n": 1.0, "e": "1e-07"}, '{"e":"1e-07","n":1,"s":"1.0"}'),  # numbers in strings stay
    ],
)
def test_known_canonical_forms(value: Any, text: str):
    assert canonicalize(value) == text.encode("utf-8")


@pytest.mark.parametrize(
    "bad", [float("nan"), math.inf, -math.inf, 2**53, -(2**53), {1: "a"}, object(), "\ud800", {"\udc00": 1}]
)
def test_refusals_match_reference(bad: Any):
    with pytest.raises((rfc8785.CanonicalizationError, UnicodeError)):
        canonicalize({"x": bad} if not isinstance(bad, dict) else bad)


def test_values_are_not_modified():
    value = {"a": [1.0, {"b": 2.0, "c": -0.0}], "d": 3.0}
    before = repr(value)
    canonicalize(value)
    assert repr(value) == before
    assert type(value["d"]) is float


def test_without_the_c_accelerator(monkeypatch: pytest.MonkeyPatch):
    """On an interpreter without json's C encoder the module uses the pure-Python one, with the same text."""
    import importlib.util
    import json.encoder

    from node_service.credentials import jcs as jcs_fast

    monkeypatch.setattr(json.encoder, "c_make_encoder", None)
    monkeypatch.setattr(json.encoder, "c_encode_basestring", None)
    spec = importlib.util.spec_from_file_location("jcs_fast_pure", jcs_fast.__file__)
    assert spec is not None and spec.loader is not None
    pure = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pure)
    value = {"b": [1.0, -0.0, 0.5, 'q"\n\x01€', None, True], "a": {"x": 2, "y": 1e-7}, "\U0001f600": 1}
    assert pure.canonicalize(value) == rfc8785.dumps(value)
    assert pure.canonicalize({"b": [1.0, 0.5], "a": "é"}) == rfc8785.dumps({"b": [1.0, 0.5], "a": "é"})
    assert pure.canonicalize("x\n") == b'"x\\n"'
