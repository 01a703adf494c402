"""Content-addressed storage whose CIDs equal Kubo's, embedded on disk or on a real IPFS node.

Requirement files, asset descriptions and the ontology are referenced on-chain by CID, so any
party must be able to re-derive the CID from the bytes and refuse bytes that do not match. The
embedded `LocalStore` is the default; `KuboStore` talks to any Kubo RPC endpoint. Both re-hash
what they read.
"""

from __future__ import annotations

from pathlib import Path

from saiaas.storage.base import Store
from saiaas.storage.cid import CHUNK_SIZE, MAX_LINKS, canonical_cid, cid_of, parse_cid, same_cid
from saiaas.storage.errors import CIDMismatch, InvalidCID, NotFound, StorageError, StoreUnreachable
from saiaas.storage.kubo import DEFAULT_API, KuboStore
from saiaas.storage.local import LocalStore, default_root

__all__ = [
    "Store",
    "LocalStore",
    "KuboStore",
    "open_store",
    "cid_of",
    "parse_cid",
    "canonical_cid",
    "same_cid",
    "default_root",
    "CHUNK_SIZE",
    "MAX_LINKS",
    "DEFAULT_API",
    "StorageError",
    "InvalidCID",
    "CIDMismatch",
    "NotFound",
    "StoreUnreachable",
]


def open_store(
    ipfs_api: str | None = None, root: Path | None = None, timeout: float = 10.0
) -> Store:
    """The IPFS node at `ipfs_api` when one is given, else the embedded store under `root`."""
    if ipfs_api:
        return KuboStore(ipfs_api, timeout=timeout)
    return LocalStore(root)
