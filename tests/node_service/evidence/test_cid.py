"""CIDv1 text form: encoding, and parsing that refuses everything but our evidence CIDs."""

from __future__ import annotations

import hashlib

import pytest

from node_service.evidence import CidV1, InvalidCidError, parse_cid
from node_service.evidence.cid import CODEC_DAG_PB, CODEC_RAW, cid_v1_bytes, encode_uvarint, format_cid

EMPTY_RAW = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"


def test_varint() -> None:
    assert encode_uvarint(0) == b"\x00"
    assert encode_uvarint(127) == b"\x7f"
    assert encode_uvarint(128) == b"\x80\x01"
    assert encode_uvarint(300) == b"\xac\x02"
    assert encode_uvarint(262144) == b"\x80\x80\x10"
    with pytest.raises(ValueError, match="negative"):
        encode_uvarint(-1)


def test_format_empty_raw_cid() -> None:
    digest = hashlib.sha256(b"").digest()
    assert format_cid(cid_v1_bytes(CODEC_RAW, digest)) == EMPTY_RAW


def test_parse_round_trip() -> None:
    cid = parse_cid(EMPTY_RAW)
    assert cid == CidV1(codec=CODEC_RAW, digest=hashlib.sha256(b"").digest())
    assert cid.codec_name == "raw"
    assert str(cid) == EMPTY_RAW
    dag = CidV1(codec=CODEC_DAG_PB, digest=bytes(32))
    assert str(dag).startswith("bafybe")
    assert parse_cid(str(dag)) == dag


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "non-empty"),
        ("b" + "a" * 200, "too long"),
        ("QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n", "multibase prefix"),
        (EMPTY_RAW.upper(), "multibase prefix"),
        ("b" + EMPTY_RAW[1:].upper(), "not lower-case base32"),
        (EMPTY_RAW[:-1] + "1", "not lower-case base32"),
        (EMPTY_RAW[:-4], "wrong length 55, want 59"),
        (EMPTY_RAW + "aaaa", "wrong length 63, want 59"),
        ("../../etc/passwd", "multibase prefix"),
        ("b../etc", "not lower-case base32"),
    ],
)
def test_parse_refuses(text: str, rule: str) -> None:
    with pytest.raises(InvalidCidError, match=rule):
        parse_cid(text)


def test_parse_refuses_wrong_version_codec_and_hash() -> None:
    digest = bytes(32)
    version_0 = format_cid(b"\x00\x55\x12\x20" + digest)
    with pytest.raises(InvalidCidError, match="version 0"):
        parse_cid(version_0)
    dag_cbor = format_cid(b"\x01\x71\x12\x20" + digest)
    with pytest.raises(InvalidCidError, match="codec 0x71"):
        parse_cid(dag_cbor)
    blake = format_cid(b"\x01\x55\x13\x20" + digest)
    with pytest.raises(InvalidCidError, match="multihash 0x13"):
        parse_cid(blake)


def test_parse_refuses_non_canonical_padding_bits() -> None:
    # 36 bytes = 288 bits = 57.6 base32 characters: the last character carries 3 padding bits.
    last = EMPTY_RAW[-1]
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    tweaked = EMPTY_RAW[:-1] + alphabet[alphabet.index(last) ^ 1]
    with pytest.raises(InvalidCidError, match="canonical"):
        parse_cid(tweaked)


def test_cid_bytes_checks_sizes() -> None:
    with pytest.raises(InvalidCidError, match="wrong size 31, want 32"):
        cid_v1_bytes(CODEC_RAW, bytes(31))
    with pytest.raises(InvalidCidError, match="codec"):
        cid_v1_bytes(0x71, bytes(32))
