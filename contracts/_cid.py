"""CIDs on chain: a sha2-256 digest (bytes32) plus one kind byte, so a CID costs one storage slot.

Kind 0 is a raw leaf (`bafkrei...`, small files), kind 1 a dag-pb root (`bafybei...`, chunked
files), which are the two shapes saiaas.storage produces. The round trip gives back the CIDv1
base32 string; a CIDv0 (`Qm...`) comes back as its CIDv1 equivalent.
"""

from __future__ import annotations

from saiaas.ontologies.errors import InputError

RAW, DAG_PB = 0, 1
_CODECS = {"raw": RAW, "dag-pb": DAG_PB}
_NAMES = {RAW: "raw", DAG_PB: "dag-pb"}


class UnsupportedCidError(InputError):
    """The chain stores sha2-256 raw or dag-pb CIDs only."""


def encode_cid(cid: str) -> tuple[bytes, int]:
    """(digest, kind) for the contracts; refuses what could not round-trip."""
    from multiformats import CID

    try:
        parsed = CID.decode(cid)
    except Exception as error:  # multiformats raises several unrelated types
        raise UnsupportedCidError(f"{cid!r} is not a CID: {error}") from None
    kind = _CODECS.get(parsed.codec.name)
    if kind is None or parsed.hashfun.name != "sha2-256" or len(parsed.raw_digest) != 32:
        raise UnsupportedCidError(
            f"CID {cid} uses {parsed.codec.name}/{parsed.hashfun.name}; the chain stores "
            "sha2-256 CIDs of kind raw or dag-pb only"
        )
    return bytes(parsed.raw_digest), kind


def decode_cid(digest: bytes, kind: int) -> str:
    """The CIDv1 base32 string for a stored (digest, kind)."""
    from multiformats import CID

    return str(CID("base32", 1, _NAMES[kind], ("sha2-256", bytes(digest))))
