"""The fast JCS path gives byte-identical output to the rfc8785 reference (and raises where it raises)."""

from __future__ import annotations

import math
from typing import Any

import jcs
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from node_service.credentials.jcs_fast import canonicalize

_keys = st.text(max_size=6) | st.sampled_from(
    ["a", "\ue000", "\U0001f600", "b\U00010000", "é", "\x7f", "\x00"]
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


def _reference(value: Any) -> bytes | type[Exception]:
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeError) as exc:
        return type(exc)


@settings(max_examples=500, deadline=None)
@given(_json)
def test_fast_path_equals_rfc8785(value: Any):
    want = _reference(value)
    if isinstance(want, bytes):
        assert canonicalize(value) == want
    else:
        with pytest.raises((rfc8785.CanonicalizationError, UnicodeError)):
            canonicalize(value)


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_agree_with_the_independent_jcs_package(number: float):
    assert canonicalize([number]) == jcs.canonicalize([number])


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (
            {"b": 1, "a": [1.0, -0.0, 0.5, 1e21, 1e-7, 123456789012.5]},
            '{"a":[1,0,0.5,1e+21,1e-7,123456789012.5],"b":1}',
        ),
        ({"\U0001f600": 1, "\ue000": 2}, '{"\U0001f600":1,"\ue000":2}'),  # UTF-16 order: D83D < E000
        ({"s": 'q"\\\n\x01\x7f€'}, '{"s":"q\\"\\\\\\n\\u0001\x7f€"}'),
    ],
)
def test_known_canonical_forms(value: Any, text: str):
    assert canonicalize(value) == text.encode("utf-8")


@pytest.mark.parametrize("bad", [float("nan"), math.inf, 2**53, {1: "a"}, object(), "\ud800"])
def test_refusals_match_reference(bad: Any):
    with pytest.raises((rfc8785.CanonicalizationError, UnicodeError)):
        canonicalize({"x": bad} if not isinstance(bad, dict) else bad)
