"""Hand-written protobuf encoding of the two messages a UnixFS file DAG needs.

dag-pb (IPLD dag-pb specification), canonical form — ``Links`` (field 2) before
``Data`` (field 1)::

    message PBLink { optional bytes Hash = 1; optional string Name = 2; optional uint64 Tsize = 3; }
    message PBNode { repeated PBLink Links = 2; optional bytes Data = 1; }

UnixFS ``Data`` (UnixFS specification, proto2, so ``blocksizes`` is *not* packed)::

    message Data { required DataType Type = 1; optional bytes Data = 2; optional uint64 filesize = 3;
                   repeated uint64 blocksizes = 4; ... }

Kubo (boxo ``ipld/unixfs``) and js-ipfs-unixfs write an internal file node as: Type
``File`` (2), no ``Data``, ``filesize`` (sum of the children's file bytes) and one
``blocksizes`` entry per child; every link carries the child's binary CID, an empty
``Name`` (written, zero length) and ``Tsize`` (the child's cumulative DAG size).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from node_service.evidence.cid import encode_uvarint

__all__ = [
    "UNIXFS_TYPE_FILE",
    "PBLinkFields",
    "encode_pb_link",
    "encode_pb_node",
    "encode_unixfs_file_data",
]

UNIXFS_TYPE_FILE = 2

# Protobuf keys: (field number << 3) | wire type; wire type 0 = varint, 2 = length-delimited.
_PBNODE_DATA = b"\x0a"  # PBNode.Data, field 1, bytes
_PBNODE_LINKS = b"\x12"  # PBNode.Links, field 2, message
_PBLINK_HASH = b"\x0a"  # PBLink.Hash, field 1, bytes
_PBLINK_NAME_EMPTY = b"\x12\x00"  # PBLink.Name, field 2, string "" (written, as Kubo and JS do)
_PBLINK_TSIZE = b"\x18"  # PBLink.Tsize, field 3, varint
_UNIXFS_TYPE = b"\x08"  # Data.Type, field 1, varint
_UNIXFS_FILESIZE = b"\x18"  # Data.filesize, field 3, varint
_UNIXFS_BLOCKSIZE = b"\x20"  # Data.blocksizes, field 4, varint, one key per value (proto2, unpacked)


class PBLinkFields(NamedTuple):
    """What a parent needs from a child: its binary CID, Tsize and file bytes."""

    cid: bytes
    tsize: int
    filesize: int


def _length_delimited(key: bytes, payload: bytes) -> bytes:
    return key + encode_uvarint(len(payload)) + payload


def encode_unixfs_file_data(blocksizes: Sequence[int]) -> bytes:
    """UnixFS ``Data`` of an internal file node whose children hold ``blocksizes`` bytes."""
    parts = [_UNIXFS_TYPE, encode_uvarint(UNIXFS_TYPE_FILE)]
    parts += [_UNIXFS_FILESIZE, encode_uvarint(sum(blocksizes))]
    for size in blocksizes:
        parts.append(_UNIXFS_BLOCKSIZE)
        parts.append(encode_uvarint(size))
    return b"".join(parts)


def encode_pb_link(cid: bytes, tsize: int) -> bytes:
    """One ``PBLink`` message (without the enclosing PBNode key)."""
    return _length_delimited(_PBLINK_HASH, cid) + _PBLINK_NAME_EMPTY + _PBLINK_TSIZE + encode_uvarint(tsize)


def encode_pb_node(links: Sequence[PBLinkFields], data: bytes) -> bytes:
    """Canonical dag-pb ``PBNode``: every link in order, then ``Data``."""
    parts = [_length_delimited(_PBNODE_LINKS, encode_pb_link(link.cid, link.tsize)) for link in links]
    parts.append(_length_delimited(_PBNODE_DATA, data))
    return b"".join(parts)
