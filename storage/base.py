"""The one interface every content store offers, so callers never care which backend they hold."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["Store"]


@runtime_checkable
class Store(Protocol):
    """Content addressed by Kubo-identical CIDs; what is read is re-hashed before it is served."""

    def put(self, data: bytes) -> str:
        """Store the bytes (pinned) and return their CIDv1 in base32."""
        ...

    def get(self, cid: str) -> bytes:
        """The bytes of `cid`, verified against it; else NotFound, CIDMismatch or InvalidCID."""
        ...

    def pin(self, cid: str) -> None:
        """Keep `cid` from garbage collection; NotFound if the store cannot find it."""
        ...

    def has(self, cid: str) -> bool:
        """Whether the store holds `cid` now, without fetching it from elsewhere."""
        ...
