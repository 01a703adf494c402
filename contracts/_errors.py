"""One project error for every revert, whatever the backend reports it as.

py-evm (EthereumTesterProvider) raises `TransactionFailed` with the revert bytes in its message;
HTTP nodes make web3 raise `ContractCustomError`/`ContractLogicError` with hex data. Both carry
the same ABI-encoded custom error, decoded here against the artifacts' ABIs.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from typing import Any

from saiaas.ontologies.errors import SaiaasError

from ._artifacts import abi

__all__ = ["ContractError", "ChainError", "decode_revert", "translate"]

#: A short sentence a person understands, per custom error.
_SENTENCES = {
    "UnknownCategory": "the category must be data (0), algorithm (1) or infrastructure (2)",
    "UnsupportedCid": "only sha2-256 CIDs of kind raw or dag-pb can be stored",
    "BiddingClosed": "bidding on this auction has ended",
    "BiddingStillOpen": "bidding is still open; settle after the deadline",
    "ClientCannotBid": "the client of an auction cannot bid on it",
    "PriceZero": "a bid must have a price above zero",
    "PriceAboveMax": "the price is above the category's maximum price",
    "BidNotLower": "a new bid must be strictly lower than your previous bid in this category",
    "BidderDisqualified": "this bidder was disqualified in this category",
    "WrongBond": "a bidder's first bid in a category must send exactly the category's bond, later "
    "bids nothing",
    "TooFewReferences": "the bid carries fewer references than the auction requires",
    "ReferencesNotAscending": "references must be distinct and in ascending address order",
    "ReferenceNotAuction": "a reference is not an auction of this Factory",
    "ReferenceNotWon": "a reference is not a completed auction this bidder won in this category",
    "NotClient": "only the auction's client may do this",
    "NoSuchBid": "this bidder has no bid in this category",
    "AlreadyDisqualified": "this bid is already disqualified",
    "AssetMismatch": "the asset digest given does not match the one this bidder committed to",
    "NotBetter": "only a standing bid lower than the best can be promoted",
    "WrongState": "the auction's state does not allow this",
    "NotInfrastructureWinner": "only the infrastructure winner may deliver the model",
    "DeliveryDeadlinePassed": "the delivery deadline has passed",
    "DeliveryWindowOpen": "the delivery window is still open",
    "AcknowledgmentWindowOpen": "the acknowledgment window is still open",
    "NotWinner": "only a winner of the auction may claim",
    "NothingOwed": "nothing is owed to this account now",
    "TransferFailed": "the recipient refused the payment",
    "OwnableUnauthorizedAccount": "only the Factory's owner may do this",
    "OwnableInvalidOwner": "the Factory's owner cannot be the zero address",
    "UnknownOntologyVersion": "no ontology was published under this version",
    "InvalidMaxPrice": "each max price must be above zero and at most 2**72-1 wei",
    "ReserveBelowMaxPrices": "the reserve must cover the sum of the three max prices",
    "ReserveTooHigh": "the reserve must be below 2**96 wei",
    "InvalidWindow": "windows: bidding (0) 60 s to 90 days, delivery (1) 60 s to 365 days, "
    "acknowledgment (2) 60 s to 90 days",
    "InvalidBond": "a category's bond must be at most its max price",
    "TooManyReferencesRequired": "an auction may require at most 16 references",
    "ReentrancyGuardReentrantCall": "reentrant call refused",
    "CloneArgumentsTooLong": "the auction's terms do not fit in a clone",
    "Create2EmptyBytecode": "the auction clone could not be deployed (empty code)",
    "FailedDeployment": "the auction clone could not be deployed",
    "InsufficientBalance": "the Factory cannot forward the reserve it was sent",
    "TransactionReverted": "the transaction reverted without a reason",
}

_STATES = ["BIDDING", "FAILED", "ADJUDICATED", "DELIVERED", "COMPLETED", "CANCELLED", "CLAIMED"]


class ChainError(SaiaasError):
    """The chain could not be used (no contract at an address, node unreachable)."""


class ContractError(ChainError):
    """A contract refused a call: `.name` is the custom error, `.args` its decoded arguments."""

    def __init__(self, name: str, args: tuple[Any, ...] = (), fields: tuple[str, ...] = ()):
        super().__init__(*args)
        self.name = name
        self.fields = fields

    def __str__(self) -> str:
        fields = self.fields
        shown = ", ".join(
            f"{field}={_show(field, value)}"
            for field, value in zip(fields, self.args, strict=False)
        )
        return f"{self.name}({shown}): {_SENTENCES.get(self.name, 'the contract refused the call')}"


def _show(field: str, value: Any) -> str:
    if field == "state" and isinstance(value, int) and 0 <= value < len(_STATES):
        return _STATES[value]
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


@lru_cache(maxsize=1)
def _table() -> dict[bytes, tuple[str, list[str], tuple[str, ...]]]:
    from eth_utils import keccak

    table: dict[bytes, tuple[str, list[str], tuple[str, ...]]] = {}
    for name in ("Auction", "Factory"):
        for item in abi(name):
            if item["type"] != "error":
                continue
            types = [i["type"] for i in item["inputs"]]
            selector = keccak(text=f"{item['name']}({','.join(types)})")[:4]
            table[selector] = (item["name"], types, tuple(i["name"] for i in item["inputs"]))
    return table


def decode_revert(data: bytes) -> ContractError:
    """The ContractError for raw revert data (unknown selectors keep their hex)."""
    from eth_abi import decode

    if len(data) < 4:
        return ContractError("TransactionReverted")
    entry = _table().get(bytes(data[:4]))
    if entry is None:
        return ContractError("UnknownError", ("0x" + bytes(data).hex(),), ("data",))
    from eth_utils import to_checksum_address

    name, types, fields = entry
    values = decode(types, bytes(data[4:]))
    args = tuple(
        to_checksum_address(v) if kind == "address" else v
        for kind, v in zip(types, values, strict=True)
    )
    return ContractError(name, args, fields)


_BYTES_RE = re.compile(r"(b'.*'|b\".*\")", re.S)
_HEX_RE = re.compile(r"0x[0-9a-fA-F]{8,}")


def translate(error: Exception) -> ContractError | None:
    """The ContractError hidden in a backend's exception, or None if it is not a revert."""
    from eth_tester.exceptions import TransactionFailed
    from web3.exceptions import ContractCustomError, ContractLogicError, ContractPanicError

    if isinstance(error, TransactionFailed):
        message = str(error.args[0]) if error.args else ""
        match = _BYTES_RE.search(message)
        if match:
            return decode_revert(ast.literal_eval(match.group(1)))
        return ContractError("TransactionReverted")
    if isinstance(error, ContractPanicError):
        return ContractError("Panic", (str(error),), ("detail",))
    if isinstance(error, ContractCustomError | ContractLogicError):
        data = getattr(error, "data", None)
        if isinstance(data, str) and data.startswith("0x"):
            return decode_revert(bytes.fromhex(data[2:]))
        if isinstance(data, bytes | bytearray):
            return decode_revert(bytes(data))
        match = _HEX_RE.search(str(error))
        if match:
            return decode_revert(bytes.fromhex(match.group(0)[2:]))
        return ContractError("TransactionReverted")
    return None
