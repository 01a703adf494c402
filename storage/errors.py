"""Errors of the content store, each one line that names the CID, file or endpoint at fault."""

from __future__ import annotations

from saiaas.ontologies.errors import InputError, SaiaasError

__all__ = ["StorageError", "InvalidCID", "CIDMismatch", "NotFound", "StoreUnreachable"]


class StorageError(SaiaasError):
    """The store refused an operation or failed while doing it."""


class InvalidCID(InputError, StorageError):
    """A text that should be a CID does not parse as one (a typo, not a storage failure)."""


class CIDMismatch(StorageError):
    """Bytes do not hash to the CID they were fetched or stored under: never serve them."""


class NotFound(StorageError):
    """The store has no content for this CID (or the node could not find it in time)."""


class StoreUnreachable(StorageError):
    """The IPFS RPC endpoint could not be reached or did not answer in time."""
