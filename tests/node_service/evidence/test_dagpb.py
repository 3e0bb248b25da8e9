"""Decode our dag-pb root with a small protobuf reader written here, and check every field."""

from __future__ import annotations

import hashlib

from node_service.evidence._dagpb import PBLinkFields, encode_pb_node, encode_unixfs_file_data
from node_service.evidence.cid import parse_cid


def read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def read_fields(buf: bytes) -> list[tuple[int, int | bytes]]:
    """(field number, value) in wire order; only wire types 0 and 2."""
    fields: list[tuple[int, int | bytes]] = []
    pos = 0
    while pos < len(buf):
        key, pos = read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(buf, pos)
            fields.append((number, value))
        elif wire == 2:
            length, pos = read_varint(buf, pos)
            fields.append((number, buf[pos : pos + length]))
            pos += length
        else:
            raise AssertionError(f"unexpected wire type {wire}")
    assert pos == len(buf)
    return fields


def test_two_leaf_root_fields() -> None:
    first, second = b"a" * 262144, b"b"
    links = [
        PBLinkFields(cid=b"\x01\x55\x12\x20" + hashlib.sha256(first).digest(), tsize=262144, filesize=262144),
        PBLinkFields(cid=b"\x01\x55\x12\x20" + hashlib.sha256(second).digest(), tsize=1, filesize=1),
    ]
    data = encode_unixfs_file_data([262144, 1])
    node = encode_pb_node(links, data)

    fields = read_fields(node)
    # Links (field 2) come first, then Data (field 1).
    assert [number for number, _ in fields] == [2, 2, 1]
    for (_, link_bytes), link in zip(fields[:2], links, strict=True):
        assert isinstance(link_bytes, bytes)
        assert read_fields(link_bytes) == [(1, link.cid), (2, b""), (3, link.tsize)]
    unixfs = fields[2][1]
    assert isinstance(unixfs, bytes)
    # Type=File(2), filesize, then one unpacked blocksizes entry per child.
    assert read_fields(unixfs) == [(1, 2), (3, 262145), (4, 262144), (4, 1)]


def test_empty_name_is_written_like_kubo() -> None:
    empty = parse_cid("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")
    link = PBLinkFields(cid=empty.to_bytes(), tsize=0, filesize=0)
    node = encode_pb_node([link], encode_unixfs_file_data([0]))
    assert b"\x12\x00\x18\x00" in node
