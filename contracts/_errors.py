"""One project error for every revert, whatever the backend reports it as.

py-evm (EthereumTesterProvider) raises `TransactionFailed` with the revert bytes in its message;
HTTP nodes make web3 raise `ContractCustomError`/`ContractLogicError` with hex data. Both carry
the same ABI-encoded custom error, decoded here against the artifacts' ABIs.
"""

from __future__ import annotations

import ast
import contextlib
import re
from functools import lru_cache
from typing import Any

from saiaas.ontologies.errors import SaiaasError
from saiaas.ontologies.requests import Category as RequestCategory

from ._artifacts import abi

__all__ = ["ContractError", "ChainError", "decode_revert", "translate"]

#: A sentence a person can act on, per custom error; {field} is the error's argument of that
#: name (amounts in ether, times in UTC with their unix seconds, categories by name).
_SENTENCES = {
    "UnknownCategory": "category {category} is none of data (0), algorithm (1), infrastructure (2)",
    "UnsupportedCid": "only sha2-256 CIDs of kind raw or dag-pb can be stored",
    "BiddingClosed": "bidding on this auction ended at {deadline}; no bid can be placed now",
    "BiddingStillOpen": "bidding is open until {deadline}; settle after that, or as the client "
    "announce an early close (`saiaas auction adjudicate`)",
    "ClientCannotBid": "{client} is the auction's client and cannot bid on it",
    "PriceZero": "a bid must have a price above zero",
    "PriceAboveMax": "the price {price} is above the category's maximum {maxPrice}",
    "BidNotLower": "the price {price} is not below your previous bid {previous} in this category; "
    "a new bid must undercut your own",
    "BidderDisqualified": "{bidder} was disqualified in the {category} category and cannot bid "
    "there",
    "WrongBond": "this bid sends {sent} but must send {required}: a first bid in a category locks "
    "the category's bond, later bids send nothing",
    "TooFewReferences": "the bid gives {given} reference(s); the auction requires {required}",
    "ReferencesNotAscending": "references must be distinct and in ascending address order "
    "(position {index})",
    "ReferenceNotAuction": "reference {ref} is not an auction of this Factory",
    "ReferenceNotWon": "reference {ref} is not a completed auction this bidder won in this "
    "category",
    "NotClient": "only the auction's client may do this, not {caller} (pass --account)",
    "NoSuchBid": "{bidder} has no bid in the {category} category",
    "AlreadyDisqualified": "{bidder}'s {category} bid is already disqualified",
    "AssetMismatch": "the asset digest given does not match the one {bidder} committed to",
    "NotBetter": "only a standing bid lower than the best ({best}) can be promoted, not {price}",
    "WrongState": "the auction is {state}, which does not allow this",
    "NotInfrastructureWinner": "only the infrastructure winner may deliver the model, not {caller}",
    "DeliveryDeadlinePassed": "the delivery deadline {deadline} has passed",
    "DeliveryWindowOpen": "the delivery window is open until {deadline}",
    "AcknowledgmentWindowOpen": "the client may still acknowledge until {deadline}; claim after "
    "that",
    "NotWinner": "only a winner of the auction may claim, not {caller}",
    "NothingOwed": "nothing is owed to {caller} now",
    "TransferFailed": "{to} refused the payment of {amount}",
    "OwnableUnauthorizedAccount": "only the Factory's owner may do this, not {account}",
    "OwnableInvalidOwner": "the Factory's owner cannot be the zero address",
    "UnknownOntologyVersion": "no ontology was published under version {version}",
    "InvalidMaxPrice": "the {category} max price {maxPrice} must be above zero and below 2**72 wei",
    "ReserveBelowMaxPrices": "the reserve {reserve} is below the sum of the max prices "
    "{sumOfMaxPrices}",
    "ReserveTooHigh": "the reserve {reserve} must be below 2**96 wei",
    "InvalidWindow": "window {which} of {secondsGiven} s is outside its caps: bidding (0) 60 s to "
    "90 days, delivery (1) 60 s to 365 days, acknowledgment (2) 60 s to 90 days",
    "InvalidBond": "the {category} bond {bond} must be at most the category's max price",
    "TooManyReferencesRequired": "an auction may require at most {cap} references, not {required}",
    "ReentrancyGuardReentrantCall": "reentrant call refused",
    "CloneArgumentsTooLong": "the auction's terms do not fit in a clone",
    "Create2EmptyBytecode": "the auction clone could not be deployed (empty code)",
    "FailedDeployment": "the auction clone could not be deployed",
    "InsufficientBalance": "the Factory holds {balance} but needs {needed} to forward the reserve",
    "TransactionReverted": "the transaction reverted without a reason",
    "ReferenceSelfDealt": "reference {ref} does not count: its client {client} is the bidder or "
    "this auction's client",
    "ReferenceTooSmall": "reference {ref} paid {paid}, less than the {minimum} this auction "
    "requires of a reference",
    "RecordTooShort": "the bidder's record shows {completed} completed auction(s) in this "
    "category; the auction requires {required} (`saiaas provider match` shows the record)",
    "TooManyDisputesLost": "the bidder lost {lost} dispute(s) in this category; the auction "
    "accepts at most {allowed}",
    "NoArbitrator": "this auction names no arbitrator: there are no disputes, the contract's "
    "timeouts decide (cancel after the delivery deadline, claim after the acknowledgment window)",
    "NotArbitrator": "only the auction's arbitrator may rule, not {caller}",
    "AlreadyConfirmed": "the inputs were already confirmed (at {confirmedAt}); nothing to dispute",
    "ConfirmationWindowOpen": "the infrastructure winner may still confirm the inputs until "
    "{until}; dispute after that",
    "NotInputWinner": "only the data or algorithm winner may dispute a missing confirmation, "
    "not {caller}",
    "ConfirmationAlreadyDisputed": "the missing confirmation is already before the arbitrator",
    "AcknowledgmentWindowClosed": "the acknowledgment window closed at {deadline}; the delivery "
    "can no longer be rejected (the winners may claim)",
    "AppealWindowClosed": "the appeal window closed at {deadline}",
    "NotDisqualified": "{bidder} was not disqualified in the {category} category: nothing to "
    "appeal",
    "AlreadyAppealed": "{bidder} already appealed its {category} disqualification",
    "DisputePending": "{open} dispute(s) are before the arbitrator; wait for the ruling "
    "(`saiaas auction status` shows them)",
    "UnknownDispute": "no open dispute {disputeId} here (already ruled, or never opened)",
    "InvalidRuling": "ruling {ruling} is none of 0 (refuse), 1 (for the party that opened the "
    "dispute), 2 (against it)",
    "InvalidRestitutionTerm": "restitution term {which} = {value} is invalid: the confirmation "
    "window (0) must be 60 s to less than the delivery window and the appeal window (1) 60 s to "
    "90 days with an arbitrator, both 0 without one; the minimum reference value (2) below 2**72 "
    "wei; the required completed auctions (3) and lost-dispute limit (4) at most 255",
    "NotAnAuction": "{caller} is not an auction of this Factory: only auctions write records",
    "InvalidCommittee": "a committee of {members} member(s) cannot have threshold {threshold}",
    "DuplicateMember": "member {member} is listed twice (or is the zero address)",
    "WrongFee": "opening a dispute costs {required} at this arbitrator, not {sent} (pass the fee)",
    "InvalidChoices": "a dispute needs 1 to 255 choices, not {choices}",
    "NotMember": "{caller} is not a member of the arbitration committee",
    "DisputeAlreadySolved": "dispute {disputeID} is already ruled",
    "AlreadyVoted": "{member} already voted on dispute {disputeID}",
    "NotAppealable": "rulings of this committee are final (dispute {disputeID})",
    "NoFeesOwed": "the committee owes no fees to {caller}",
    "FeeTransferFailed": "{to} refused the fees of {amount}",
}
#: Arguments that are amounts of wei (shown in ether).
_WEI = {"price", "maxPrice", "previous", "best", "sent", "required_wei", "amount", "reserve",
        "sumOfMaxPrices", "bond", "balance", "needed", "paid", "minimum"}
_WEI_BY_ERROR = {"WrongBond": {"required"}, "WrongFee": {"required"}}
#: Arguments that are points in time (unix seconds, shown as a UTC date a person can read).
_TIMES = {"deadline", "until", "confirmedAt"}
_CATEGORIES = tuple(c.value for c in RequestCategory)

_STATES = ["BIDDING", "FAILED", "ADJUDICATED", "DELIVERED", "COMPLETED", "CANCELLED", "CLAIMED",
           "REJECTED", "FORFEITED"]


class ChainError(SaiaasError):
    """The chain could not be used (no contract at an address, node unreachable)."""


class ContractError(ChainError):
    """A contract refused a call: `.name` is the custom error, `.args` its decoded arguments."""

    def __init__(self, name: str, args: tuple[Any, ...] = (), fields: tuple[str, ...] = ()):
        super().__init__(*args)
        self.name = name
        self.fields = fields
        #: False when the refusal came from the dry run, so nothing was sent; None if unknown.
        self.sent: bool | None = None
        #: The transaction's hash when it was mined and reverted.
        self.tx_hash: str | None = None

    def __str__(self) -> str:
        values = {
            field: _show(self.name, field, value)
            for field, value in zip(self.fields, self.args, strict=False)
        }
        sentence = _SENTENCES.get(self.name, "the contract refused the call")
        with contextlib.suppress(KeyError, IndexError):
            sentence = sentence.format(**values)
        text = f"{self.name}: {sentence}"
        if self.sent is False:
            text += "; nothing sent"
        elif self.tx_hash:
            text += f" (transaction {self.tx_hash} was mined and reverted)"
        return text


def _show(error: str, field: str, value: Any) -> str:
    if field == "state" and isinstance(value, int) and 0 <= value < len(_STATES):
        return _STATES[value]
    if field == "category" and isinstance(value, int) and 0 <= value < len(_CATEGORIES):
        return _CATEGORIES[value]
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, int) and (field in _WEI or field in _WEI_BY_ERROR.get(error, ())):
        return _ether(value)
    if isinstance(value, int) and field in _TIMES and 0 < value < 2**40:
        return _when(value)
    return str(value)


def _when(seconds: int) -> str:
    from datetime import UTC, datetime

    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{stamp} (unix {seconds})"


def _ether(wei: int) -> str:
    from decimal import Decimal

    if wei < 10**9:
        return f"{wei} wei"
    text = format(Decimal(wei) / 10**18, "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) + " ETH"


@lru_cache(maxsize=1)
def _table() -> dict[bytes, tuple[str, list[str], tuple[str, ...]]]:
    from eth_utils import keccak

    table: dict[bytes, tuple[str, list[str], tuple[str, ...]]] = {}
    for name in ("Auction", "Factory", "CommitteeArbitrator"):
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
