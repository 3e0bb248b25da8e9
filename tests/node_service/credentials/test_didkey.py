"""Multikey publicKeyMultibase and did:key: round trips and refusals of malformed input."""

from __future__ import annotations

import hashlib

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from node_service.credentials import didkey, errors

# Controlled Identifiers v1.0 / vc-di-eddsa Multikey example value
SPEC_MULTIKEY = "z6Mkf5rGMoatrSj1f4CyvuHBeXJELe9RPdzo2PKGNCKVtZxP"


def test_round_trip(private_key: Ed25519PrivateKey):
    multibase = didkey.public_key_multibase(private_key.public_key())
    assert multibase.startswith("z6Mk")
    raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert base58.b58decode(multibase[1:]) == b"\xed\x01" + raw
    assert didkey.did_key(private_key) == "did:key:" + multibase
    method = didkey.verification_method_id(private_key)
    assert method == f"did:key:{multibase}#{multibase}"
    for resolved in (
        didkey.public_key_from_multibase(multibase),
        didkey.resolve_did_key(didkey.did_key(private_key)),
        didkey.resolve_verification_method(method),
    ):
        assert resolved.public_bytes(Encoding.Raw, PublicFormat.Raw) == raw
    assert didkey.controller_of(method) == didkey.did_key(private_key)


def test_spec_multikey_example_decodes_and_reencodes():
    key = didkey.public_key_from_multibase(SPEC_MULTIKEY)
    assert didkey.public_key_multibase(key) == SPEC_MULTIKEY


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "not a multibase string"),
        ("", "wrong multibase header"),
        ("f" + SPEC_MULTIKEY[1:], "wrong multibase header"),
        ("z", "not base58-btc"),
        ("z6Mk0OIl", "not base58-btc"),
        (SPEC_MULTIKEY + " ", "not base58-btc"),
        (SPEC_MULTIKEY[:-3], "wrong size"),
        (SPEC_MULTIKEY[:-1], "not an Ed25519 public key"),
        ("z" + "1" + SPEC_MULTIKEY[1:], "wrong size"),
        # the W3C vector's *secret* key (multicodec 0x8026) must never be taken as a public key
        ("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq", "not an Ed25519 public key"),
        ("z" + "2" * 600, "too long"),
    ],
)
def test_malformed_multikey_is_refused(value: object, message: str):
    with pytest.raises(errors.MalformedKeyError, match=message):
        didkey.public_key_from_multibase(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("did:web:example.org", "not a did:key"),
        (f"did:key:{SPEC_MULTIKEY}#{SPEC_MULTIKEY}", "path, query or fragment"),
        # a secp256k1 did:key (multicodec 0xe701, 33-byte key)
        ("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", "wrong size"),
    ],
)
def test_malformed_did_key_is_refused(value: str, message: str):
    with pytest.raises(errors.MalformedKeyError, match=message):
        didkey.resolve_did_key(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://example.org/issuer#key-1", "not a did:key"),
        (f"did:key:{SPEC_MULTIKEY}", "no fragment"),
        (f"did:key:{SPEC_MULTIKEY}#key-1", "fragment does not match"),
        ("did:key:z6Mk#z6Mk", "cannot be resolved"),
    ],
)
def test_unresolvable_verification_method(value: str, message: str):
    with pytest.raises(errors.UnresolvableVerificationMethodError, match=message):
        didkey.resolve_verification_method(value)


def test_small_order_list_matches_reference_arithmetic():
    from . import independent_verifier as ref

    def encode(point: tuple[int, int, int, int]) -> bytes:
        x, y, z, _ = point
        inverse = pow(z, ref.P - 2, ref.P)
        x, y = x * inverse % ref.P, y * inverse % ref.P
        return (y | ((x & 1) << 255)).to_bytes(32, "little")

    computed: set[bytes] = set()
    for seed in range(64):  # a random curve point almost always has a full 8-torsion component
        point = ref._decode_point(hashlib.sha256(bytes([seed])).digest())
        if point is None:
            continue
        torsion = ref._multiply(ref.L, point)  # lands in the 8-torsion subgroup
        computed = {encode(ref._multiply(k, torsion)) for k in range(8)}
        if len(computed) == 8:
            break
    assert len(computed) == 8
    x_zero_with_sign = {bytes.fromhex("01" + "00" * 30 + "80"), bytes.fromhex("ec" + "ff" * 30 + "ff")}
    assert computed | x_zero_with_sign == didkey.SMALL_ORDER_ENCODINGS


@pytest.mark.parametrize(
    "raw", [*sorted(didkey.SMALL_ORDER_ENCODINGS), bytes.fromhex("ee" + "ff" * 30 + "7f")]
)
def test_weak_public_keys_are_refused(raw: bytes):
    value = didkey.multibase_base58btc_encode(didkey.ED25519_PUB_MULTICODEC + raw)
    with pytest.raises(errors.MalformedKeyError, match="weak Ed25519 key"):
        didkey.public_key_from_multibase(value)


@settings(max_examples=300, deadline=None)
@given(
    st.binary(min_size=1, max_size=80).map(lambda b: b"\0" * ((b[:1] or b"\0")[0] % 4) + b)
)  # some leading zeros
def test_base58_agrees_with_the_base58_package(data: bytes):
    encoded = didkey.multibase_base58btc_encode(data)
    assert encoded == "z" + base58.b58encode(data).decode("ascii")
    assert didkey.multibase_base58btc_decode(encoded) == data


def test_resolved_keys_are_cached_and_refusals_are_not(private_key: Ed25519PrivateKey):
    did = didkey.did_key(private_key)
    assert didkey.resolve_did_key(did) is didkey.resolve_did_key(did)
    bad = "did:key:" + SPEC_MULTIKEY[:-3]
    for _ in range(2):
        with pytest.raises(errors.MalformedKeyError, match="wrong size"):
            didkey.resolve_did_key(bad)
