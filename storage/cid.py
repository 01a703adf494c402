"""CIDs identical to Kubo's `ipfs add --cid-version=1`, computed without a node.

Kubo's defaults for CIDv1: raw leaves, fixed 256 KiB chunks, a balanced DAG of at most 174 links
per node, sha2-256, base32 lowercase. One chunk (or an empty file) is addressed by its raw block
(`bafkrei...`); more chunks by the dag-pb UnixFS root above them (`bafybei...`). Matching Kubo bit
for bit lets anyone re-derive a CID from the bytes, with or without IPFS, and lets the embedded
store and a real node agree. Checked against a js-ipfs 0.66 daemon (tests/storage).
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING

from saiaas.storage._dagpb import pb_node, unixfs_file_data, varint
from saiaas.storage.errors import InvalidCID

if TYPE_CHECKING:  # multiformats costs ~100 ms to import: only parsing pays for it
    from multiformats import CID

__all__ = ["CHUNK_SIZE", "MAX_LINKS", "cid_of", "parse_cid", "canonical_cid", "same_cid"]

#: Kubo's default fixed-size chunker, `size-262144`.
CHUNK_SIZE = 262_144
#: Kubo's balanced layout: links per internal node (helpers.DefaultLinksPerBlock).
MAX_LINKS = 174

_CIDV1 = 0x01
_RAW = 0x55
_DAG_PB = 0x70
_SHA2_256 = 0x12


def _cid_bytes(codec: int, block: bytes | memoryview) -> bytes:
    digest = hashlib.sha256(block).digest()
    return varint(_CIDV1) + varint(codec) + varint(_SHA2_256) + varint(len(digest)) + digest


def _base32(cid_bytes: bytes) -> str:
    return "b" + base64.b32encode(cid_bytes).decode("ascii").lower().rstrip("=")


def cid_of(data: bytes) -> str:
    """The CID Kubo's `ipfs add --cid-version=1` gives these bytes (base32 text)."""
    if len(data) <= CHUNK_SIZE:
        return _base32(_cid_bytes(_RAW, bytes(data)))
    view = memoryview(data)
    # Each level is a list of (cid bytes, Tsize, file bytes below); leaves first.
    level = [
        (_cid_bytes(_RAW, view[offset : offset + CHUNK_SIZE]), len(chunk), len(chunk))
        for offset in range(0, len(data), CHUNK_SIZE)
        for chunk in (view[offset : offset + CHUNK_SIZE],)
    ]
    while len(level) > 1:
        parents = []
        for start in range(0, len(level), MAX_LINKS):
            children = level[start : start + MAX_LINKS]
            filesize = sum(child[2] for child in children)
            node = pb_node(
                ((child[0], child[1]) for child in children),
                unixfs_file_data(filesize, (child[2] for child in children)),
            )
            tsize = len(node) + sum(child[1] for child in children)
            parents.append((_cid_bytes(_DAG_PB, node), tsize, filesize))
        level = parents
    return _base32(level[0][0])


def _readable(text: str, reason: str) -> str:
    """multiformats' reason, said for a person who copied a CID (or the wrong thing)."""
    import re

    if re.fullmatch(r"0x[0-9a-fA-F]{40}", text):
        return "that is an address, not a content identifier"
    character = re.match(r"Invalid character '(.+?)' encountered for alphabet", reason)
    if character:
        return f"{character.group(1)!r} cannot appear in a CID (bafy..., bafk... or Qm...)"
    if reason.startswith("No known multibase code"):
        return "a CIDv1 starts with b (bafy..., bafk...), a CIDv0 is 46 characters from Qm"
    return f"{reason}: a character is probably mistyped or missing; copy it again"


def parse_cid(text: str) -> CID:
    """Parse a CID in any multibase (js-ipfs answers base58btc), or say why it is not one."""
    from multiformats import CID

    stripped = text.strip() if isinstance(text, str) else text
    if not isinstance(stripped, str) or not stripped:
        raise InvalidCID("not a CID: the text is empty")
    shown = stripped if len(stripped) <= 80 else stripped[:77] + "..."
    try:
        cid = CID.decode(stripped)
    except Exception as error:  # multiformats raises several unrelated types for bad input
        reason = str(error).splitlines()[0].strip("'\" ") if str(error) else ""
        reason = _readable(stripped, reason.rstrip(".") or type(error).__name__)
        raise InvalidCID(f"not a CID: {shown!r} ({reason})") from None
    if cid.hashfun.name != "sha2-256":
        raise InvalidCID(f"unsupported CID {shown!r}: hash {cid.hashfun.name}, expected sha2-256")
    if cid.codec.name not in ("raw", "dag-pb"):
        raise InvalidCID(
            f"unsupported CID {shown!r}: codec {cid.codec.name}, expected raw or dag-pb"
        )
    return cid


def canonical_cid(text: str) -> str:
    """The CIDv1 base32 form of a CID given in any base or version (v0 `Qm...` included)."""
    cid = parse_cid(text)
    return str(cid.set(version=1, base="base32"))


def same_cid(a: str, b: str) -> bool:
    """Whether two CID texts name the same content address, whatever base they are written in."""
    return canonical_cid(a) == canonical_cid(b)
