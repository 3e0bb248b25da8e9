"""An independent eddsa-jcs-2022 verifier, written from the W3C spec for the tests.

It shares no code with ``node_service.credentials``: JCS comes from the ``jcs`` package (not ``rfc8785``),
base58 is decoded here (not with ``base58``), and Ed25519 verification is a slow, plain transcription of
RFC 8032 §5.1 (not ``cryptography``). Do not import it from production code.
"""

from __future__ import annotations

import hashlib
from typing import Any

import jcs

# --- base58-btc (Bitcoin alphabet) -----------------------------------------------------------------------

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _ALPHABET.index(char)  # ValueError on a foreign character
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    leading_zeros = len(text) - len(text.lstrip("1"))
    return b"\x00" * leading_zeros + body


def multibase_decode(value: str) -> bytes:
    if not value.startswith("z"):
        raise ValueError("only base58-btc multibase ('z') is used by eddsa-jcs-2022")
    return base58btc_decode(value[1:])


# --- Ed25519, RFC 8032 §5.1 ---------------------------------------------------------------------------

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)

Point = tuple[int, int, int, int]  # extended homogeneous coordinates (X, Y, Z, T)


def _add(p1: Point, p2: Point) -> Point:  # §5.1.4
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = t1 * 2 * D * t2 % P
    d = z1 * 2 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _multiply(scalar: int, point: Point) -> Point:
    result: Point = (0, 1, 1, 0)  # neutral element
    while scalar:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _equal(p1: Point, p2: Point) -> bool:
    return (p1[0] * p2[2] - p2[0] * p1[2]) % P == 0 and (p1[1] * p2[2] - p2[1] * p1[2]) % P == 0


def _decode_point(encoded: bytes) -> Point | None:  # §5.1.3
    if len(encoded) != 32:
        return None
    y = int.from_bytes(encoded, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        if sign:
            return None
        return (0, y, 1, 0)
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if x & 1 != sign:
        x = P - x
    return (x, y, 1, x * y % P)


_BASE_Y = 4 * pow(5, P - 2, P) % P
_BASE = _decode_point(_BASE_Y.to_bytes(32, "little"))


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:  # §5.1.7
    if len(signature) != 64 or len(public_key) != 32 or _BASE is None:
        return False
    a_point = _decode_point(public_key)
    r_point = _decode_point(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a_point is None or r_point is None or s >= L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little") % L
    left = _multiply(8 * s, _BASE)
    right = _add(_multiply(8, r_point), _multiply(8 * k, a_point))
    return _equal(left, right)


# --- eddsa-jcs-2022 Verify Proof (spec §3.3.2) ----------------------------------------------------------


def did_key_public_key(verification_method: str) -> bytes:
    did, _, fragment = verification_method.partition("#")
    if not did.startswith("did:key:"):
        raise ValueError("the independent verifier resolves did:key only")
    multikey = multibase_decode(did[len("did:key:") :])
    if fragment and fragment != did[len("did:key:") :]:
        raise ValueError("fragment differs from the key")
    if multikey[:2] != b"\xed\x01" or len(multikey) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return multikey[2:]


def verify(secured: dict[str, Any]) -> bool:
    proof = secured["proof"]
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != "eddsa-jcs-2022":
        return False
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    signature = multibase_decode(proof["proofValue"])
    if "@context" in options:
        want = options["@context"] if isinstance(options["@context"], list) else [options["@context"]]
        got = secured.get("@context", [])
        got = got if isinstance(got, list) else [got]
        if got[: len(want)] != want:
            return False
        unsecured["@context"] = options["@context"]
    hash_data = (
        hashlib.sha256(jcs.canonicalize(options)).digest()
        + hashlib.sha256(jcs.canonicalize(unsecured)).digest()
    )
    return ed25519_verify(did_key_public_key(proof["verificationMethod"]), hash_data, signature)
