"""The client's workflow: from a requirement file to an auction, its audit, and the payout.

Each step is one function over a `Marketplace`; the command line, the demo, the gas benchmark and
the tests call the same functions, so the terms an auction gets from its requirement file are
decided once (`auction_terms`). Rules of the contract are not re-checked here: a transaction is
dry-run before it is sent and a refusal arrives as the contract's custom error, in words.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from saiaas.contracts import ChainError
from saiaas.market.requirements import Requirements, parse_request_bytes
from saiaas.market.views import wei
from saiaas.ontologies.errors import InputError, InvalidError

if TYPE_CHECKING:
    from saiaas.contracts import Auction, TxResult
    from saiaas.market.marketplace import Marketplace
    from saiaas.ontologies.requests import Request
    from saiaas.shapes import ValidationReport

__all__ = [
    "DEFAULT_DELIVERY_SECONDS",
    "DEFAULT_ACKNOWLEDGMENT_SECONDS",
    "AuctionTerms",
    "InvalidRequirements",
    "Refused",
    "CreatedAuction",
    "auction_terms",
    "restitution_terms",
    "expected_terms",
    "packaged_ontology_version",
    "create_auction",
    "list_auctions",
    "audit",
    "bid_report",
    "disqualify",
    "adjudicate",
    "settle",
    "acknowledge",
    "cancel",
    "withdraw",
]

#: Restitution windows used when the requirement file states none (the contract needs both).
DEFAULT_DELIVERY_SECONDS = 7 * 86400
DEFAULT_ACKNOWLEDGMENT_SECONDS = 2 * 86400

T = TypeVar("T")
Progress = Callable[[list[T], str], Iterable[T]]


def _no_progress(items: list[T], description: str) -> Iterable[T]:
    return items


class InvalidRequirements(InvalidError):
    """A requirement file fails validation: nothing is stored or sent. `.report` has the
    violations."""

    def __init__(self, report: ValidationReport):
        n = len(report.errors)
        super().__init__(
            f"{report.file}: invalid requirement file, {n} violation{'s' if n != 1 else ''}; "
            "no auction created"
        )
        self.report = report


class Refused(ChainError):
    """Known in advance to fail (or pointless) for a reason the contract cannot state: nothing
    is sent."""


@dataclass(frozen=True)
class AuctionTerms:
    """What `Factory.create_auction` takes, read from a request (plus the caller's overrides)."""

    requirements_cid: str
    max_prices: tuple[int, int, int]
    reserve: int
    bidding_seconds: int
    delivery_seconds: int
    acknowledgment_seconds: int
    min_references: int
    bonds: tuple[int, int, int] = (0, 0, 0)
    ontology_version: int | None = None
    arbitrator: str | None = None
    confirmation_seconds: int = 0
    appeal_seconds: int = 0
    min_reference_value: int = 0
    min_record_completed: int = 0
    max_disputes_lost: int | None = None

    def as_kwargs(self) -> dict[str, Any]:
        return asdict(self)


def auction_terms(
    request: Request,
    requirements_cid: str,
    reserve_wei: int | None = None,
    bidding_seconds: int | None = None,
    ontology_version: int | None = None,
) -> AuctionTerms:
    """The auction's terms as the requirement file states them; the reserve and the bidding time
    may be overridden, the restitution windows default to 7 and 2 days and each bond to a tenth
    of its max price when the file is silent."""
    from saiaas.ontologies.requests import Category

    missing = [c.value for c in Category if not request.specs[c].max_price_wei]
    if missing:
        raise InputError(
            f"{request.iri}: no saiaas:maxPrice for the {missing[0]} category; "
            "the auction needs one"
        )
    prices = tuple(int(request.specs[c].max_price_wei or 0) for c in Category)
    bonds = tuple(request.specs[c].bond_or_default for c in Category)
    return AuctionTerms(
        requirements_cid=requirements_cid,
        max_prices=(prices[0], prices[1], prices[2]),
        reserve=request.reserve_wei if reserve_wei is None else reserve_wei,
        bidding_seconds=request.bidding_seconds if bidding_seconds is None else bidding_seconds,
        delivery_seconds=request.delivery_seconds or DEFAULT_DELIVERY_SECONDS,
        acknowledgment_seconds=request.acknowledgment_seconds or DEFAULT_ACKNOWLEDGMENT_SECONDS,
        min_references=request.references_required,
        bonds=(bonds[0], bonds[1], bonds[2]),
        ontology_version=ontology_version,
        **restitution_terms(request),
    )


#: Restitution windows used when the requirement file names an arbitrator but states none.
DEFAULT_CONFIRMATION_SECONDS = 86400
DEFAULT_APPEAL_SECONDS = 2 * 86400


def restitution_terms(request: Request) -> dict[str, Any]:
    """The restitution terms a request states: with an arbitrator its confirmation and appeal
    windows (default 1 and 2 days), without one none (the contract's timeouts decide)."""
    named = request.arbitrator is not None
    return {
        "arbitrator": request.arbitrator,
        "confirmation_seconds": (request.confirmation_seconds or DEFAULT_CONFIRMATION_SECONDS)
        if named else 0,
        "appeal_seconds": (request.appeal_seconds or DEFAULT_APPEAL_SECONDS) if named else 0,
        "min_reference_value": request.min_reference_value_wei,
        "min_record_completed": request.min_completed_auctions,
        "max_disputes_lost": request.max_disputes_lost,
    }


def expected_terms(request: Request) -> dict[str, Any]:
    """What an auction created from this request must hold on chain (AuctionInfo field names),
    for a provider to compare before it bids."""
    terms = auction_terms(request, "")
    return {
        "max_prices": terms.max_prices,
        "bonds": terms.bonds,
        "delivery_window": terms.delivery_seconds,
        "acknowledgment_window": terms.acknowledgment_seconds,
        "min_references": terms.min_references,
        "arbitrator": _checksum(terms.arbitrator),
        "confirmation_window": terms.confirmation_seconds,
        "appeal_window": terms.appeal_seconds,
        "min_reference_value": terms.min_reference_value,
        "min_record_completed": terms.min_record_completed,
        "max_disputes_lost": terms.max_disputes_lost,
    }


def _checksum(address: str | None) -> str | None:
    from eth_utils import to_checksum_address

    return None if address is None else str(to_checksum_address(address))


def packaged_ontology_version(factory: Any) -> int | None:
    """The Factory's version number of the ontology this package validates against (the one a
    requirement file was checked with), newest first; None if the Factory never published it."""
    from saiaas.ontologies import ontology_bytes
    from saiaas.storage import cid_of, same_cid

    packaged = cid_of(ontology_bytes())
    for version in range(factory.ontology_version(), 0, -1):
        if same_cid(factory.ontology_at(version), packaged):
            return version
    return None


@dataclass(frozen=True)
class CreatedAuction:
    auction: Auction
    terms: AuctionTerms
    tx: TxResult


def create_auction(
    market: Marketplace,
    data: bytes,
    name: str,
    reserve_wei: int | None = None,
    bidding_seconds: int | None = None,
) -> CreatedAuction:
    """Validate a requirement file, store it and open its auction with the reserve in escrow.

    Invalid files raise InvalidRequirements before anything is stored or sent; a reserve the
    client's balance cannot pay is refused before the file is stored."""
    from saiaas.shapes import validate

    report = validate(data, "request", name=name)
    if not report.conforms:
        raise InvalidRequirements(report)
    request = parse_request_bytes(data, name)
    from saiaas.storage import cid_of

    factory = market.factory
    # the auction keeps the vocabulary the file was validated against, not whatever is newest
    pinned = packaged_ontology_version(factory)
    terms = auction_terms(request, cid_of(data), reserve_wei, bidding_seconds, pinned)
    caller = market.caller
    balance = market.chain.balance(caller)
    if balance < terms.reserve:
        raise Refused(
            f"{caller} holds {balance} wei, less than the reserve {terms.reserve} wei "
            f"(fund it: `saiaas account fund {caller} AMOUNT`); nothing sent"
        )
    sender = market.sender
    stored = market.store.put(data)
    kwargs = {**terms.as_kwargs(), "requirements_cid": stored}
    auction, tx = factory.create_auction(sender, **kwargs)
    return CreatedAuction(auction, terms, tx)


def list_auctions(
    market: Marketplace, progress: Progress[Any] = _no_progress
) -> list[dict[str, Any]]:
    """The Factory's auctions, oldest first: address, state, client, requirement file, time left.

    Read from the chain index (`saiaas.market.indexer`), synced first: paged eth_getLogs that
    public nodes accept, and only the blocks since the last command."""
    from saiaas.market.indexer import Index

    index, _report = Index.synced(market)
    with index:
        indexed = index.auctions()
    now = market.now()
    rows = []
    for row in progress(indexed, "Reading auctions"):
        state = row["state"] or "BIDDING"
        terms = row.get("terms") or {
            "address": row["address"], "client": row["client"],
            "requirements_cid": row["requirements_cid"], "deadline_at": row["deadline"],
        }
        closes = terms.get("closes_at") or row["deadline"]
        rows.append(
            {
                **terms,
                "state": state,
                "time_left_seconds": max(0, closes - now) if state == "BIDDING" else 0,
            }
        )
    return rows


# ---------------------------------------------------------------------------------- audit


def audit(
    market: Marketplace, auction: Auction, progress: Progress[Any] = _no_progress
) -> tuple[Requirements, list[dict[str, Any]]]:
    """Re-run the matcher over every bid's asset description (fetched and re-hashed by CID)."""
    from saiaas.ontologies.requests import Category

    requirements = Requirements(market, auction.info())
    requirements.request  # noqa: B018 (fail early, with one line, if the requirement file is gone)
    pairs = [(i, b) for i in range(3) for b in auction.bids(i)]
    rows = []
    for index, bid in progress(pairs, "Auditing bids"):
        verdict = requirements.judge(index, bid.asset_cid, bid.bidder)
        rows.append(
            {
                "category": list(Category)[index].value,
                "bidder": bid.bidder,
                "price_wei": wei(bid.price),
                "asset_cid": bid.asset_cid,
                "disqualified": bid.disqualified,
                **verdict.as_dict(),
            }
        )
    return requirements, rows


def bid_report(auction_address: str, requirements: Requirements, row: dict[str, Any]) -> bytes:
    """The audit's verdict on one bid: the public reason a disqualification cites (by CID)."""
    report = {
        "auction": auction_address,
        "requirements_cid": requirements.info.requirements_cid,
        "ontology_cid": requirements.info.ontology_cid,
        **{k: row[k] for k in ("category", "bidder", "price_wei", "asset_cid")},
        "degree": row["degree"],
        "eligible": row["eligible"],
        "reasons": row["reasons"],
    }
    return (json.dumps(report, indent=2, sort_keys=True) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------- actions


def disqualify(
    market: Marketplace, auction: Auction, category: int, bidder: str, reason: bytes | None
) -> tuple[str, TxResult]:
    """Reject a bid, citing a stored reason (by CID): the given document, else the audit's
    report on that bid, which must then find the asset not eligible."""
    from saiaas.ontologies.requests import Category

    name = list(Category)[category].value
    if reason is None:
        bid = auction.bid_of(category, bidder)
        if bid is None:
            raise Refused(
                f"{bidder} has no bid in the {name} category of {auction.address}; nothing sent"
            )
        requirements = Requirements(market, auction.info())
        verdict = requirements.judge(category, bid.asset_cid, bidder)
        if verdict.eligible:
            raise Refused(
                f"the audit finds {bidder}'s {name} asset eligible ({verdict.degree}); "
                "give a reason document to disqualify it anyway; nothing sent"
            )
        row = {"category": name, "bidder": bidder, "price_wei": wei(bid.price),
               "asset_cid": bid.asset_cid, **verdict.as_dict()}
        reason = bid_report(auction.address, requirements, row)
    sender = market.sender
    reason_cid = market.store.put(reason)
    return reason_cid, auction.disqualify(sender, category, bidder, reason_cid)


def empty_categories(auction: Auction) -> list[str]:
    """The categories without a valid bid (adjudicating now would fail the auction)."""
    from saiaas.ontologies.requests import Category

    return [c.value for c in Category if auction.best_bid(c.order) is None]


def adjudicate(market: Marketplace, auction: Auction) -> TxResult:
    """Announce an early close (client only): bidding ends after the auction's notice period
    (or at the deadline if sooner), so a bid already in flight still lands; past the close this
    settles at once. `settle` fixes the SLA once the close has come."""
    return auction.adjudicate(market.sender)


def settle(market: Marketplace, auction: Auction) -> TxResult:
    """Fix the SLA once bidding has ended (anyone may; it is the automatic adjudication)."""
    return auction.settle(market.sender)


def acknowledge(market: Marketplace, auction: Auction) -> TxResult:
    """Accept the delivered model (client only): winners' prices become withdrawable."""
    return auction.acknowledge(market.sender)


def cancel(market: Marketplace, auction: Auction) -> TxResult:
    """Recover the reserve (client only) after a failed auction or a missed delivery deadline.

    A failed auction whose reserve was already withdrawn (withdraw settles a failed auction
    itself) is refused with nothing sent: cancelling it would only burn gas."""
    from saiaas.contracts import AuctionState

    if auction.state() == AuctionState.FAILED:
        caller = market.caller
        if caller.lower() == auction.info().client.lower() and auction.owed(caller) == 0:
            raise Refused(
                f"{auction.address} failed and its reserve was already withdrawn to {caller}: "
                "nothing is left to recover, so there is nothing to cancel; nothing sent"
            )
    return auction.cancel(market.sender)


def withdraw(market: Marketplace, auction: Auction) -> tuple[int, TxResult]:
    """Withdraw what the auction owes the caller now; refused (nothing sent) when that is zero,
    since the transaction would only burn gas."""
    caller = market.caller
    owed = auction.owed(caller)
    if owed == 0:
        state = auction.state().name
        then = {  # a winner asking too early: say what pays it
            "ADJUDICATED": " (winners are paid once the model is delivered and acknowledged)",
            "DELIVERED": " (winners are paid once the client acknowledges the model, or by "
                         "`saiaas provider claim` after the acknowledgment window)",
        }.get(state, "")
        raise Refused(f"{auction.address} owes nothing to {caller} now (state {state}){then}; "
                      "nothing sent")
    return owed, auction.withdraw(market.sender)
