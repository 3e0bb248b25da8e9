"""Ed25519 public keys as Multikey ``publicKeyMultibase`` values and ``did:key`` identifiers.

References:
- Controlled Identifiers v1.0 §2.2.2 "Multikey" and §2.4 "Multibase": an Ed25519 public key is the
  multicodec prefix ``0xed 0x01`` followed by the 32 key bytes, encoded base58-btc with the multibase
  header ``z`` (so every Ed25519 Multikey starts with ``z6Mk``).
- The did:key Method v0.7 §3 "Create": ``did:key:<publicKeyMultibase>``; its single verification method
  has the id ``did:key:<publicKeyMultibase>#<publicKeyMultibase>``.

Limits: identifiers longer than ``MAX_IDENTIFIER_LENGTH`` characters are refused before any decoding.
Resolved did:keys are kept in a small LRU cache (``DID_KEY_CACHE_SIZE``): a node verifies many credentials
of few issuers, and decoding plus the checks of :func:`public_key_from_multibase` cost more than the
signature check. Only successes are cached; a malformed did:key is refused, with the same error, each time.
"""

from __future__ import annotations

import re
from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .errors import MalformedKeyError, UnresolvableVerificationMethodError

__all__ = [
    "DID_KEY_CACHE_SIZE",
    "DID_KEY_PREFIX",
    "ED25519_PUBLIC_KEY_SIZE",
    "ED25519_PUB_MULTICODEC",
    "MAX_IDENTIFIER_LENGTH",
    "MULTIBASE_BASE58BTC",
    "SMALL_ORDER_ENCODINGS",
    "controller_of",
    "did_key",
    "is_did_key",
    "multibase_base58btc_decode",
    "multibase_base58btc_encode",
    "public_key_from_multibase",
    "public_key_multibase",
    "resolve_did_key",
    "resolve_verification_method",
    "verification_method_id",
]

MULTIBASE_BASE58BTC = "z"
ED25519_PUB_MULTICODEC = b"\xed\x01"  # varint of 0xed, the "ed25519-pub" multicodec
ED25519_PUBLIC_KEY_SIZE = 32
DID_KEY_PREFIX = "did:key:"
MAX_IDENTIFIER_LENGTH = 512

# The eight points of small order on edwards25519, canonically encoded, plus the two encodings of x = 0
# with the sign bit set (RFC 8032 §5.1.3 rejects those). A public key among them lets a signature verify
# for many messages; refusing them gives the strongly-binding property (vc-di-eddsa §4.1.2).
# tests/node_service/credentials/test_didkey.py recomputes the list with the reference arithmetic.
SMALL_ORDER_ENCODINGS = frozenset(
    bytes.fromhex(value)
    for value in (
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000080",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    )
)
_FIELD_PRIME = 2**255 - 19

DID_KEY_CACHE_SIZE = 1024

# base58-btc (the Bitcoin alphabet): the big-endian number in base 58, one '1' per leading zero byte
_BASE58_DIGITS = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_ALPHABET = frozenset(_BASE58_DIGITS)
_NOT_BASE58 = re.compile(f"[^{_BASE58_DIGITS}]")
_BASE58_VALUES = bytes.maketrans(_BASE58_DIGITS.encode("ascii"), bytes(range(58)))
_MULTIKEY_SIZE = len(ED25519_PUB_MULTICODEC) + ED25519_PUBLIC_KEY_SIZE


def _base58_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, digit = divmod(number, 58)
        digits.append(_BASE58_DIGITS[digit])
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + "".join(reversed(digits))


def _base58_decode(text: str) -> bytes:
    """The bytes of base58-btc ``text``, which holds only base58 digits (checked by the caller)."""
    significant = text.lstrip("1")
    number = 0
    for value in significant.encode("ascii").translate(_BASE58_VALUES):
        number = number * 58 + value
    return b"\0" * (len(text) - len(significant)) + number.to_bytes((number.bit_length() + 7) // 8, "big")


def multibase_base58btc_encode(data: bytes) -> str:
    """Multibase base58-btc: ``z`` followed by the Bitcoin base58 alphabet encoding of ``data``."""
    return MULTIBASE_BASE58BTC + _base58_encode(data)


def multibase_base58btc_decode(value: object, *, field: str = "value") -> bytes:
    """Decode a multibase base58-btc string, refusing any other multibase header or stray characters."""
    if not isinstance(value, str):
        raise MalformedKeyError(
            f"{field} is not a multibase string",
            f"got {type(value).__name__}",
            "give a string that starts with 'z' (base58-btc)",
        )
    if len(value) > MAX_IDENTIFIER_LENGTH:
        raise MalformedKeyError(
            f"{field} is too long",
            f"got {len(value)} characters, want at most {MAX_IDENTIFIER_LENGTH}",
            "check that the value was not concatenated with other text",
        )
    if not value.startswith(MULTIBASE_BASE58BTC):
        raise MalformedKeyError(
            f"{field} has the wrong multibase header",
            f"got {value[:1]!r}, want 'z' (base58-btc)",
            "encode the bytes as multibase base58-btc",
        )
    body = value[1:]
    if not body or _NOT_BASE58.search(body):
        bad = sorted({c for c in body if c not in _BASE58_ALPHABET})
        raise MalformedKeyError(
            f"{field} is not base58-btc",
            f"characters outside the base58 alphabet: {''.join(bad)!r}" if bad else "nothing after 'z'",
            "copy the value again without spaces, quotes or the letters 0, O, I, l",
        )
    return _base58_decode(body)


def public_key_multibase(public_key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The Multikey ``publicKeyMultibase`` of an Ed25519 public key (``z6Mk…``)."""
    if isinstance(public_key, Ed25519PrivateKey):
        public_key = public_key.public_key()
    return _multikey_of_raw(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw))


@lru_cache(maxsize=DID_KEY_CACHE_SIZE)
def _multikey_of_raw(raw: bytes) -> str:
    return multibase_base58btc_encode(ED25519_PUB_MULTICODEC + raw)


def public_key_from_multibase(value: object, *, field: str = "publicKeyMultibase") -> Ed25519PublicKey:
    """Parse a Multikey ``publicKeyMultibase`` into an Ed25519 public key.

    (1) multibase header ``z`` and base58 alphabet; (2) decoded size 34 bytes; (3) multicodec prefix
    ``0xed01`` (anything else, notably a private-key codec, is refused); (4) the encoding is canonical
    (re-encoding gives the same text); (5) the key is not a small-order point and its y coordinate is
    below 2^255 - 19; (6) the 32 bytes are accepted by the Ed25519 implementation.
    """
    # (1):
    decoded = multibase_base58btc_decode(value, field=field)
    # (2):
    if len(decoded) != _MULTIKEY_SIZE:
        raise MalformedKeyError(
            f"{field} has the wrong size",
            f"got {len(decoded)} bytes after decoding, want {_MULTIKEY_SIZE} (0xed01 + 32-byte key)",
            "give an Ed25519 Multikey value, which starts with 'z6Mk'",
        )
    # (3):
    if decoded[:2] != ED25519_PUB_MULTICODEC:
        raise MalformedKeyError(
            f"{field} is not an Ed25519 public key",
            f"multicodec prefix is 0x{decoded[:2].hex()}, want 0xed01 (ed25519-pub)",
            "give the public key, never a private key, as an Ed25519 Multikey",
        )
    # (4):
    if multibase_base58btc_encode(decoded) != value:
        raise MalformedKeyError(
            f"{field} is not canonically encoded",
            "re-encoding the decoded bytes gives different text",
            "re-encode the key with a conforming base58-btc encoder",
        )
    # (5):
    raw = decoded[2:]
    if int.from_bytes(raw, "little") & ((1 << 255) - 1) >= _FIELD_PRIME or raw in SMALL_ORDER_ENCODINGS:
        raise MalformedKeyError(
            f"{field} is a weak Ed25519 key",
            "a small-order point or a non-canonical encoding, for which signatures do not bind the signer",
            "generate a new key with a standard Ed25519 library",
        )
    # (6):
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise MalformedKeyError(
            f"{field} is not a valid Ed25519 key", str(exc), "generate the key again"
        ) from exc


def did_key(public_key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """``did:key:z6Mk…`` for an Ed25519 public key."""
    return DID_KEY_PREFIX + public_key_multibase(public_key)


def verification_method_id(public_key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """The did:key verification method id ``did:key:z6Mk…#z6Mk…``."""
    multibase = public_key_multibase(public_key)
    return f"{DID_KEY_PREFIX}{multibase}#{multibase}"


def is_did_key(value: object) -> bool:
    """True when ``value`` is a string in the did:key method (well formed or not)."""
    return isinstance(value, str) and value.startswith(DID_KEY_PREFIX)


def controller_of(verification_method: str) -> str:
    """The controller of a verification method: its URL without the fragment."""
    return verification_method.split("#", 1)[0]


def resolve_did_key(did: object) -> Ed25519PublicKey:
    """The Ed25519 public key named by ``did:key:z6Mk…`` (without a fragment)."""
    if not isinstance(did, str) or not did.startswith(DID_KEY_PREFIX):
        raise MalformedKeyError(
            "not a did:key",
            f"got {did!r:.80}",
            "give an identifier of the form did:key:z6Mk…",
        )
    if "#" in did or "?" in did or "/" in did[len(DID_KEY_PREFIX) :]:
        raise MalformedKeyError(
            "did:key has a path, query or fragment",
            f"got {did!r:.80}",
            "give the bare DID, or resolve it as a verification method",
        )
    return _resolved_did_key(did)


@lru_cache(maxsize=DID_KEY_CACHE_SIZE)
def _resolved_did_key(did: str) -> Ed25519PublicKey:
    """:func:`public_key_from_multibase` of the did's method-specific id; successes are cached (the key
    objects are immutable), failures raise each time."""
    return public_key_from_multibase(did[len(DID_KEY_PREFIX) :], field="did:key method-specific id")


def resolve_verification_method(verification_method: object) -> Ed25519PublicKey:
    """The Ed25519 public key of a did:key verification method ``did:key:z6Mk…#z6Mk…``.

    (1) it is a string in the did:key method; (2) it has a fragment; (3) the fragment equals the
    method-specific id, as the did:key method's DID document defines; (4) the key decodes.
    """
    # (1):
    if not is_did_key(verification_method):
        raise UnresolvableVerificationMethodError(
            "verificationMethod cannot be resolved",
            f"{verification_method!r:.80} is not a did:key; only did:key is resolved locally",
            "pass the issuer's public key explicitly (--public-key MULTIBASE) or use a did:key",
        )
    assert isinstance(verification_method, str)
    did, sep, fragment = verification_method.partition("#")
    # (2):
    if not sep:
        raise UnresolvableVerificationMethodError(
            "verificationMethod has no fragment",
            f"got {verification_method!r:.80}",
            "use did:key:<key>#<key> as the verification method id",
        )
    # (3):
    if fragment != did[len(DID_KEY_PREFIX) :]:
        raise UnresolvableVerificationMethodError(
            "verificationMethod fragment does not match the did:key",
            f"fragment {fragment!r:.60} differs from the key {did[len(DID_KEY_PREFIX) :]!r:.60}",
            "use did:key:<key>#<key> with the same key twice",
        )
    # (4):
    try:
        return resolve_did_key(did)
    except MalformedKeyError as exc:
        raise UnresolvableVerificationMethodError(
            "verificationMethod cannot be resolved", str(exc), "use a well-formed Ed25519 did:key"
        ) from exc
