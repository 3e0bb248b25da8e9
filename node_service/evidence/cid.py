"""CIDv1 text and binary forms, as used for evidence files.

A CIDv1 is ``<multibase prefix><base>(<version varint><codec varint><multihash>)``
(multiformats CID specification). Evidence CIDs are always:

- multibase ``b``: RFC 4648 base32, lower case, no padding;
- version 1;
- codec ``raw`` (0x55, a file of one chunk) or ``dag-pb`` (0x70, a UnixFS file node);
- multihash ``sha2-256`` (0x12) with a 32-byte digest.

``parse_cid`` accepts exactly that and nothing else, so a parsed CID is safe to use
as a file name.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from node_service.evidence.errors import InvalidCidError

__all__ = [
    "CID_VERSION_1",
    "CODEC_DAG_PB",
    "CODEC_RAW",
    "MAX_CID_TEXT_LENGTH",
    "MULTIBASE_BASE32",
    "MULTIHASH_SHA2_256",
    "SHA2_256_DIGEST_SIZE",
    "CidV1",
    "cid_v1_bytes",
    "encode_uvarint",
    "format_cid",
    "parse_cid",
]

CID_VERSION_1 = 0x01
CODEC_RAW = 0x55
CODEC_DAG_PB = 0x70
MULTIHASH_SHA2_256 = 0x12
SHA2_256_DIGEST_SIZE = 32
MULTIBASE_BASE32 = "b"
# A sha2-256 CIDv1 is 36 bytes, 58 base32 characters plus the prefix; leave headroom
# but refuse anything absurd before decoding it.
MAX_CID_TEXT_LENGTH = 128

_SUPPORTED_CODECS = {CODEC_RAW: "raw", CODEC_DAG_PB: "dag-pb"}
_BASE32_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz234567")
_BINARY_LENGTH = 4 + SHA2_256_DIGEST_SIZE  # version, codec, hash code, digest length: one byte each
_BASE32_BODY_LENGTH = (_BINARY_LENGTH * 8 + 4) // 5  # 58 characters, unpadded


def encode_uvarint(value: int) -> bytes:
    """Unsigned LEB128 varint (multiformats unsigned-varint, protobuf varint)."""
    if value < 0:
        raise ValueError(f"varint: got negative value {value} — only unsigned integers are encodable")
    if value < 0x80:
        return bytes((value,))
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


_PREFIXES = {
    codec: encode_uvarint(CID_VERSION_1)
    + encode_uvarint(codec)
    + encode_uvarint(MULTIHASH_SHA2_256)
    + encode_uvarint(SHA2_256_DIGEST_SIZE)
    for codec in _SUPPORTED_CODECS
}


def cid_v1_bytes(codec: int, digest: bytes) -> bytes:
    """Binary CIDv1 for a sha2-256 ``digest`` under ``codec`` (raw or dag-pb)."""
    prefix = _PREFIXES.get(codec)
    if prefix is None:
        raise InvalidCidError(
            f"CID codec: got 0x{codec:x}, want raw (0x55) or dag-pb (0x70) — evidence CIDs use only these"
        )
    if len(digest) != SHA2_256_DIGEST_SIZE:
        raise InvalidCidError(
            f"CID digest: wrong size {len(digest)}, want {SHA2_256_DIGEST_SIZE} — pass a sha2-256 digest"
        )
    return prefix + digest


def format_cid(cid: bytes) -> str:
    """Multibase base32 (prefix ``b``, lower case, unpadded) text of a binary CID."""
    return MULTIBASE_BASE32 + base64.b32encode(cid).decode("ascii").rstrip("=").lower()


@dataclass(frozen=True, slots=True)
class CidV1:
    """A parsed evidence CID: codec and sha2-256 digest."""

    codec: int
    digest: bytes

    def __post_init__(self) -> None:
        cid_v1_bytes(self.codec, self.digest)  # validates codec and digest size

    def to_bytes(self) -> bytes:
        return cid_v1_bytes(self.codec, self.digest)

    def __str__(self) -> str:
        return format_cid(self.to_bytes())

    @property
    def codec_name(self) -> str:
        return _SUPPORTED_CODECS[self.codec]


def parse_cid(text: str) -> CidV1:
    """Parse a base32 CIDv1 string, checking every step; raise ``InvalidCidError``.

    Steps: (1) length, (2) multibase prefix ``b``, (3) base32 alphabet (lower case) and length,
    (4) base32 decoding, (5) version 1, (6) codec raw or dag-pb, (7) multihash
    sha2-256 with a 32-byte digest and no trailing bytes, (8) canonical text form.
    """
    hint = "pass the CID printed by `tanlian evidence cid FILE`"
    # (1): bounded before any decoding.
    if not isinstance(text, str) or not text:
        raise InvalidCidError(f"CID: got {text!r}, want a non-empty string — {hint}")
    if len(text) > MAX_CID_TEXT_LENGTH:
        raise InvalidCidError(
            f"CID: too long, {len(text)} characters, want at most {MAX_CID_TEXT_LENGTH} — {hint}"
        )
    # (2): multibase prefix.
    if text[0] != MULTIBASE_BASE32:
        raise InvalidCidError(
            f"CID {text!r}: multibase prefix {text[0]!r}, want 'b' (base32 CIDv1) — "
            f"convert CIDv0 'Qm…' values with `ipfs cid base32`, or {hint}"
        )
    body = text[1:]
    # (3): alphabet.
    bad = sorted(set(body) - _BASE32_ALPHABET)
    if bad:
        raise InvalidCidError(f"CID {text!r}: characters {''.join(bad)!r} are not lower-case base32 — {hint}")
    if len(body) != _BASE32_BODY_LENGTH:
        raise InvalidCidError(
            f"CID {text!r}: wrong length {len(text)}, want {_BASE32_BODY_LENGTH + 1} characters "
            f"(CIDv1, sha2-256) — {hint}"
        )
    # (4): decoding.
    try:
        raw = base64.b32decode(body.upper() + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError) as exc:
        raise InvalidCidError(f"CID {text!r}: not valid base32 ({exc}) — {hint}") from exc
    if len(raw) != _BINARY_LENGTH:
        raise InvalidCidError(f"CID {text!r}: wrong binary size {len(raw)}, want {_BINARY_LENGTH} — {hint}")
    # (5): version.
    if raw[0] != CID_VERSION_1:
        raise InvalidCidError(f"CID {text!r}: version {raw[0]}, want 1 — {hint}")
    # (6): codec.
    if raw[1] not in _SUPPORTED_CODECS:
        raise InvalidCidError(f"CID {text!r}: codec 0x{raw[1]:x}, want raw (0x55) or dag-pb (0x70) — {hint}")
    # (7): multihash.
    if raw[2] != MULTIHASH_SHA2_256 or raw[3] != SHA2_256_DIGEST_SIZE:
        raise InvalidCidError(
            f"CID {text!r}: multihash 0x{raw[2]:x} of length {raw[3]}, "
            f"want sha2-256 (0x12) of length 32 — {hint}"
        )
    cid = CidV1(codec=raw[1], digest=raw[4:])
    # (8): canonical form (rejects non-zero padding bits in the last base32 character).
    if str(cid) != text:
        raise InvalidCidError(f"CID {text!r}: not in canonical base32 form, want {str(cid)!r} — {hint}")
    return cid
