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
    REJECTED = 7  # the client rejected the delivery: the arbitrator decides
    FORFEITED = 8  # inputs confirmed, then no delivery or a rejection upheld: bond forfeited


class DisputeKind(IntEnum):
    """Auction.DisputeKind: what a dispute is about."""

    NONE = 0
    REJECTION = 1  # the client contests the delivered model
    APPEAL = 2  # a disqualified bidder contests its disqualification
    CONFIRMATION = 3  # a data or algorithm winner: its inputs were never confirmed


#: Rulings (ERC-792): 0 refuses to arbitrate, 1 is for the party that opened the dispute, 2 against.
REFUSED, FOR_OPENER, AGAINST_OPENER = 0, 1, 2


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
    arbitrator: str | None = None  # None: no arbitrator, the contract's timeouts decide
    confirmation_window: int = 0  # seconds after the close for the infrastructure winner to confirm
    appeal_window: int = 0  # seconds after the close for a disqualified bidder to appeal
    arbitration_fee: int = 0  # wei the party opening a dispute advances (the arbitrator's cost)
    min_reference_value: int = 0  # least price a reference auction must have paid the bidder
    min_record_completed: int = 0  # least completed auctions in a bidder's record (per category)
    max_disputes_lost: int | None = None  # most disputes lost in a bidder's record (None: any)

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


@dataclass(frozen=True)
class Record:
    """A provider's record at the Factory in one category (written by the auctions themselves)."""

    completed: int
    value_paid: int
    disputes_lost: int


@dataclass(frozen=True)
class Dispute:
    """One dispute of an auction, by the arbitrator's id."""

    dispute_id: int
    kind: DisputeKind
    category: Category
    party: str  # who opened it
    open: bool
    ruling: int | None  # None while open; 0 refused, 1 for the party, 2 against
    evidence: tuple[str, ...] = ()  # ERC-1497 URIs, in order


@dataclass(frozen=True)
class Confirmation:
    """Whether the infrastructure winner confirmed the inputs, and the disputes still open."""

    confirmed_at: int | None
    open_disputes: int
    confirmation_disputed: bool


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


@dataclass(frozen=True)
class InputsConfirmed:
    by: str
    data_cid: str
    algorithm_cid: str
    block_number: int


@dataclass(frozen=True)
class DisputeOpened:
    dispute_id: int
    kind: DisputeKind
    category: Category
    party: str
    block_number: int


@dataclass(frozen=True)
class DisputeRuled:
    dispute_id: int
    kind: DisputeKind
    party: str
    ruling: int
    amount: int  # an upheld appeal's compensation, or the bond a rejection upheld forfeited
    block_number: int


@dataclass(frozen=True)
class EvidenceSubmitted:
    """ERC-1497 Evidence: `evidence` is a URI (/ipfs/<cid>) about dispute `dispute_id`."""

    dispute_id: int
    party: str
    evidence: str
    block_number: int


@dataclass(frozen=True)
class RecordUpdated:
    provider: str
    category: Category
    completed: int
    value_paid: int
    disputes_lost: int
    block_number: int


@dataclass(frozen=True)
class Voted:
    """A committee member's vote on a dispute."""

    dispute_id: int
    member: str
    ruling: int
    block_number: int
