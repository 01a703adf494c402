"""The few protobuf messages of a UnixFS file root, encoded by hand exactly as Kubo writes them.

A file larger than one chunk is addressed by a dag-pb node whose bytes must equal Kubo's to the
bit, so the encoding follows dag-pb's canonical form: PBNode writes its Links (field 2) before its
Data (field 1); each PBLink writes Hash (1), Name (2, present even when empty) and Tsize (3); the
UnixFS Data message holds Type=File (1), filesize (3) and one blocksizes entry (4, not packed)
per child. Nothing else (no mode, no mtime) is written, as Kubo does for a plain `ipfs add`.
"""

from __future__ import annotations

from collections.abc import Iterable

#: UnixFS Data.DataType.File
_UNIXFS_FILE = 2


def varint(value: int) -> bytes:
    """Unsigned LEB128, the integer encoding of protobuf and of multiformats."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited field (wire type 2)."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def _uint(number: int, value: int) -> bytes:
    """A varint field (wire type 0)."""
    return varint(number << 3) + varint(value)


def unixfs_file_data(filesize: int, blocksizes: Iterable[int]) -> bytes:
    """UnixFS Data of an internal file node: its size and the file bytes under each child."""
    out = _uint(1, _UNIXFS_FILE) + _uint(3, filesize)
    for size in blocksizes:
        out += _uint(4, size)
    return out


def pb_node(links: Iterable[tuple[bytes, int]], data: bytes) -> bytes:
    """A dag-pb node from (child CID bytes, child Tsize) links and its Data, in canonical order."""
    out = b""
    for cid_bytes, tsize in links:
        link = _field(1, cid_bytes) + _field(2, b"") + _uint(3, tsize)
        out += _field(2, link)
    return out + _field(1, data)
