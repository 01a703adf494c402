"""Typed values of the chain API: enums mirroring the contracts, results and decoded events."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Category(IntEnum):
    """The three kinds of provider an auction buys from (the contract's category index)."""

    DATA = 0
    ALGORITHM = 1
    INFRASTRUCTURE = 2


class AuctionState(IntEnum):
    """Auction.State; BIDDING past its deadline reads as FAILED or ADJUDICATED (settled)."""

    BIDDING = 0
    FAILED = 1
    ADJUDICATED = 2
    DELIVERED = 3
    COMPLETED = 4
    CANCELLED = 5
    CLAIMED = 6


@dataclass(frozen=True)
class TxResult:
    """A mined transaction: gas is the receipt's gasUsed, never an estimate."""

    tx_hash: str
    gas_used: int
    block_number: int
    events: list[Any] = field(default_factory=list)
    contract_address: str | None = None


@dataclass(frozen=True)
class Bid:
    """A bidder's standing (latest) bid in one category."""

    bidder: str
    category: Category
    price: int
    asset_cid: str
    disqualified: bool
    seq: int  # order of the bid within its category (from the events): ties go to the lower seq
    bond_returned: bool = False  # the bond locked by its first bid was withdrawn


@dataclass(frozen=True)
class Winner:
    bidder: str
    price: int
    asset_cid: str


@dataclass(frozen=True)
class SLA:
    """The result of adjudication: per category the winner, and the restitution timeline."""

    winners: dict[Category, Winner]
    adjudicated_at: int
    delivery_deadline: int
    model_cid: str | None
    delivered_at: int | None
    acknowledgment_deadline: int | None

    @property
    def total_price(self) -> int:
        return sum(w.price for w in self.winners.values())


@dataclass(frozen=True)
class AuctionInfo:
    """The auction's terms (immutable since creation), plus when bidding closes now.

    `closes_at` equals `bidding_deadline` unless the client announced an early close (then NOTICE
    after the announcement) or a late disqualification of a best bid pushed the close back.
    `ontology_version` is the version the client pinned (or the current one at creation).
    """

    address: str
    client: str
    factory: str
    requirements_cid: str
    ontology_cid: str
    ontology_version: int
    max_prices: tuple[int, int, int]
    reserve: int
    bidding_deadline: int
    delivery_window: int
    acknowledgment_window: int
    min_references: int
    bonds: tuple[int, int, int] = (0, 0, 0)
    closes_at: int = 0
    notice_seconds: int = 0
    arbitrator: str | None = None  # no arbitrator in the terms yet (the arbitration issue adds one)

    def differences(self, **expected: Any) -> list[str]:
        """The terms that disagree with `expected` (field name -> value, e.g. what a requirement
        file says: max_prices, bonds, delivery_window, acknowledgment_window, min_references,
        ontology_version, reserve, requirements_cid, ...), one readable line each; [] when all
        agree. `provider bid` refuses to bid when this is not empty."""
        out = []
        for name, want in expected.items():
            if not hasattr(self, name):
                raise ValueError(f"auctions have no term {name!r}")
            have = getattr(self, name)
            if isinstance(want, list):
                want = tuple(want)
            if have != want:
                out.append(f"{name}: on chain {have!r}, expected {want!r}")
        return out


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class AuctionCreated:
    auction: str
    client: str
    index: int
    ontology_version: int
    requirements_cid: str
    bidding_deadline: int
    block_number: int


@dataclass(frozen=True)
class OntologyPublished:
    version: int
    cid: str
    block_number: int


@dataclass(frozen=True)
class BidPlaced:
    category: Category
    bidder: str
    price: int
    asset_cid: str
    block_number: int


@dataclass(frozen=True)
class BidDisqualified:
    category: Category
    bidder: str
    reason_cid: str
    block_number: int
    next_best: str | None = None  # the bid that became best when the best was disqualified


@dataclass(frozen=True)
class BidPromoted:
    """A standing bid lower than the best took its place (after a disqualification)."""

    category: Category
    bidder: str
    price: int
    block_number: int


@dataclass(frozen=True)
class CloseAnnounced:
    """Bidding now ends at `closes_at` (early close announced, or pushed back)."""

    closes_at: int
    block_number: int


@dataclass(frozen=True)
class AuctionSettled:
    state: AuctionState
    winners: dict[Category, Winner]
    block_number: int


@dataclass(frozen=True)
class ModelDelivered:
    by: str
    model_cid: str
    block_number: int


@dataclass(frozen=True)
class DeliveryAcknowledged:
    client: str
    block_number: int


@dataclass(frozen=True)
class AuctionCancelled:
    client: str
    block_number: int


@dataclass(frozen=True)
class PaymentClaimed:
    by: str
    block_number: int


@dataclass(frozen=True)
class Withdrawn:
    to: str
    amount: int
    block_number: int
