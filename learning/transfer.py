"""Phase 1: the data and algorithm winners send their assets to the infrastructure winner.

Each asset travels as a sealed box to the infrastructure winner's per-auction public key. On
arrival the plaintext is hashed and compared with the CID the asset's provider committed in its
bid: the key proves only who can read the box, the CID proves the bytes are the ones that won.
"""

from __future__ import annotations

from dataclasses import dataclass

from saiaas.learning.errors import AssetMismatch
from saiaas.learning.keys import KeyPair, seal, unseal

__all__ = ["SealedAsset", "send_asset", "receive_asset"]


@dataclass(frozen=True)
class SealedAsset:
    """An asset on its way: `name` for messages, the CID committed in the bid, the sealed bytes."""

    name: str
    committed_cid: str
    blob: bytes


def send_asset(name: str, data: bytes, recipient_public_key: str | bytes) -> SealedAsset:
    """What a data or algorithm winner does: seal the asset to the infrastructure winner's key.
    The committed CID is the CID of `data` itself (storage.cid_of), as in the bid."""
    from saiaas.storage import cid_of

    return SealedAsset(name, cid_of(data), seal(data, recipient_public_key))


def receive_asset(
    blob: bytes, keys: KeyPair, committed_cid: str, name: str = "asset"
) -> bytes:
    """Open a sealed asset and accept it only if its bytes have the CID committed in the bid."""
    from saiaas.storage import cid_of, same_cid

    data = unseal(blob, keys, what=f"{name} (committed as {committed_cid})")
    actual = cid_of(data)
    if not same_cid(actual, committed_cid):
        raise AssetMismatch(
            f"{name}: the received bytes have CID {actual}, not the CID {committed_cid} its "
            "provider committed in the bid; refused"
        )
    return data
