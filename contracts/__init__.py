"""The marketplace on chain: Solidity Factory/Auction (src/, compiled to artifacts/), their clients.

Public API (amounts are int wei, times int unix seconds, CIDs CIDv1 base32 strings; a `sender`
is an address the node holds the key of, or an eth_account LocalAccount)::

    chain = Chain.embedded()                       # in-process py-evm (Prague), 10 funded accounts
    chain = Chain.connect("http://127.0.0.1:8545") # any HTTP JSON-RPC node (anvil)
    chain.accounts; chain.now(); chain.advance_time(s); chain.snapshot(); chain.revert(snap)
    chain.balance(address)

    factory = Factory.deploy(chain, sender, ontology_cid)   # .address, .deploy_receipt (TxResult)
    factory = Factory.at(chain, address)                    # ChainError if no Factory code there
    factory.ontology_cid() -> str; factory.ontology_version() -> int; factory.ontology_at(v) -> str
    factory.publish_ontology(sender, cid) -> TxResult       # owner only
    factory.owner(); factory.pending_owner() -> str | None  # Ownable2Step
    factory.transfer_ownership(sender, new_owner); factory.accept_ownership(sender)
    factory.limits() -> dict   # min_window, max_bidding, max_delivery, max_acknowledgment, ...
    factory.create_auction(sender, *, requirements_cid, max_prices, reserve, bidding_seconds,
                           delivery_seconds, acknowledgment_seconds, min_references=0,
                           bonds=(0, 0, 0), ontology_version=None)  # None: the current one
        -> tuple[Auction, TxResult]
    factory.is_auction(address) -> bool; factory.auctions(from_block=0) -> list[AuctionCreated]

    auction = Auction.at(chain, address)        # ChainError unless its Factory vouches for it
    auction.bid(sender, category, price, asset_cid, references=(), *, bond=None) -> TxResult
        # the first bid in a category attaches the bond (auction.bond_due(category, bidder))
    auction.disqualify(sender, category, bidder, reason_cid); auction.promote(sender, category,
    bidder=None); auction.adjudicate(sender)    # announces an early close NOTICE ahead
    auction.settle(sender); auction.deliver(sender, model_cid); auction.acknowledge(sender)
    auction.cancel(sender); auction.claim(sender); auction.withdraw(sender)     # all -> TxResult
    auction.info() -> AuctionInfo   # terms + bonds, closes_at, notice_seconds, arbitrator (None)
    auction.state() -> AuctionState; auction.bonds(); auction.closes_at(); auction.notice_seconds()
    auction.bids(category) -> list[Bid] (lowest first)
    auction.bid_of(category, bidder) -> Bid | None
    auction.best_bid(category) -> Bid | None; auction.sla() -> SLA | None
    auction.shared_assets(category) -> {asset_cid: [bidders]}   # CIDs bid by several accounts
    auction.owed(address) -> int; auction.time_left() -> int; auction.balance() -> int
    auction.events(from_block=0) -> list[BidPlaced | BidDisqualified | BidPromoted |
                                         CloseAnnounced | AuctionSettled | ...]

Rules the contracts enforce (NatSpec in src/ has the why): reserve >= sum of max prices; each
bond <= its max price; windows within 60 s and 90 days (bidding, acknowledgment) or 365 days
(delivery); bids before the close, 0 < price <= max, a bidder's next bid strictly lower, client
cannot bid, references ascending and each a completed auction of the same Factory won in that
category, whose client is neither the bidder nor this auction's client and that paid at least the
terms' minimum reference value (a bidder's Factory record must meet the terms' requirement); a
bidder's first bid in a category sends exactly the bond, later ones nothing; max
prices < 2**72 wei. No cap on bidders or bids. Bidding closes at the deadline, or NOTICE
(Auction.NOTICE, 10 min) after the client announces an early close, and never sooner than
NOTICE after the best bid of a category is disqualified. After the close the first
state-changing call settles (views already read the settled state). A disqualified bidder
cannot bid again in that category; disqualifying the best makes the client's nominee (the
lowest other valid bid, read from the events) the best, or leaves none if the nominee changed
its bid meanwhile: anyone may then `promote` a lower standing bid. Bonds come back by
`withdraw`: losers' once bidding is over, winners' once the restitution ends (acknowledged or
claimed); after a cancelled SLA the infrastructure winner's bond goes to the client, or, when it
had confirmed the inputs (FORFEITED), pays the data and algorithm winners first; a failed
auction returns them all. Storage keeps each bidder's last price (and a hash of its asset) and
the best bid per category; the bids' asset CIDs are read from the BidPlaced events (checked
against the hash).
Restitution (issue 11): auctions may name an ERC-792 `arbitrator` (e.g. a `Committee`, m of n
members) with a confirmation and an appeal window, a minimum reference value and a required
record (create_auction's keyword arguments). The infrastructure winner confirms the inputs
(`auction.confirm_inputs(sender, data_cid, algorithm_cid)`, implied by `deliver`): the data and
algorithm winners are then owed their price whatever happens; a confirmed winner that never
delivers forfeits its bond (`cancel` -> FORFEITED). Disputes: `auction.reject(client, evidence)`
within the acknowledgment window, `auction.appeal(bidder, category, evidence)` within the appeal
window, `auction.dispute_confirmation(winner, evidence)` after the confirmation window; the
committee's members `committee.vote(member, dispute_id, ruling)` (1 for the party that opened
it, 2 against, 0 refuse). `auction.disputes()`, `auction.confirmation()`,
`factory.record_of(provider, category) -> Record(completed, value_paid, disputes_lost)`.

Every revert raises ContractError (`.name`, `.args`), the same on py-evm and on HTTP nodes; gas
is always the receipt's gasUsed.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._arbitrator import Committee, CommitteeDispute
    from ._chain import Chain, Journal, NodeUnreachable, OutcomeUnknown
    from ._cid import UnsupportedCidError, decode_cid, encode_cid
    from ._clients import Auction, Factory, evidence_uri
    from ._errors import ChainError, ContractError
    from ._types import (
        AGAINST_OPENER,
        FOR_OPENER,
        REFUSED,
        SLA,
        AuctionCancelled,
        AuctionCreated,
        AuctionInfo,
        AuctionSettled,
        AuctionState,
        Bid,
        BidDisqualified,
        BidPlaced,
        BidPromoted,
        Category,
        CloseAnnounced,
        Confirmation,
        DeliveryAcknowledged,
        Dispute,
        DisputeKind,
        DisputeOpened,
        DisputeRuled,
        EvidenceSubmitted,
        InputsConfirmed,
        ModelDelivered,
        OntologyPublished,
        PaymentClaimed,
        Record,
        RecordUpdated,
        TxResult,
        Voted,
        Winner,
        Withdrawn,
    )

#: Where each public name lives, imported on first use (PEP 562): `from saiaas.contracts import
#: ChainError` (which every command module does) then costs the errors module, not the clients,
#: events and types.
_LAZY = {
    "Committee": "._arbitrator",
    "CommitteeDispute": "._arbitrator",
    "Chain": "._chain",
    "Journal": "._chain",
    "NodeUnreachable": "._chain",
    "OutcomeUnknown": "._chain",
    "UnsupportedCidError": "._cid",
    "decode_cid": "._cid",
    "encode_cid": "._cid",
    "Auction": "._clients",
    "Factory": "._clients",
    "evidence_uri": "._clients",
    "ChainError": "._errors",
    "ContractError": "._errors",
    "AGAINST_OPENER": "._types",
    "FOR_OPENER": "._types",
    "REFUSED": "._types",
    "SLA": "._types",
    "AuctionCancelled": "._types",
    "AuctionCreated": "._types",
    "AuctionInfo": "._types",
    "AuctionSettled": "._types",
    "AuctionState": "._types",
    "Bid": "._types",
    "BidDisqualified": "._types",
    "BidPlaced": "._types",
    "BidPromoted": "._types",
    "Category": "._types",
    "CloseAnnounced": "._types",
    "Confirmation": "._types",
    "DeliveryAcknowledged": "._types",
    "Dispute": "._types",
    "DisputeKind": "._types",
    "DisputeOpened": "._types",
    "DisputeRuled": "._types",
    "EvidenceSubmitted": "._types",
    "InputsConfirmed": "._types",
    "ModelDelivered": "._types",
    "OntologyPublished": "._types",
    "PaymentClaimed": "._types",
    "Record": "._types",
    "RecordUpdated": "._types",
    "TxResult": "._types",
    "Voted": "._types",
    "Winner": "._types",
    "Withdrawn": "._types",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "Chain",
    "Committee",
    "CommitteeDispute",
    "evidence_uri",
    "DisputeKind",
    "Dispute",
    "Confirmation",
    "Record",
    "REFUSED",
    "FOR_OPENER",
    "AGAINST_OPENER",
    "InputsConfirmed",
    "DisputeOpened",
    "DisputeRuled",
    "EvidenceSubmitted",
    "RecordUpdated",
    "Voted",
    "Factory",
    "Auction",
    "Category",
    "AuctionState",
    "Bid",
    "SLA",
    "Winner",
    "TxResult",
    "AuctionInfo",
    "ContractError",
    "ChainError",
    "NodeUnreachable",
    "OutcomeUnknown",
    "Journal",
    "UnsupportedCidError",
    "encode_cid",
    "decode_cid",
    "AuctionCreated",
    "OntologyPublished",
    "BidPlaced",
    "BidDisqualified",
    "BidPromoted",
    "CloseAnnounced",
    "AuctionSettled",
    "ModelDelivered",
    "DeliveryAcknowledged",
    "AuctionCancelled",
    "PaymentClaimed",
    "Withdrawn",
]
