"""The marketplace's read model: chain values as plain JSON-ready data, one shape each.

The command line prints these (as JSON or as text) and a service would serve them; shaping them
here once keeps every reader's names alike: a transaction is always `tx_hash`, `gas_used`,
`block_number`; a category is always its name.
"""

from __future__ import annotations

from dataclasses import fields
from enum import Enum
from typing import TYPE_CHECKING, Any

from saiaas.market.requirements import Requirements
from saiaas.ontologies.requests import Category

if TYPE_CHECKING:
    from saiaas.contracts import SLA, Auction, AuctionInfo, TxResult
    from saiaas.market.marketplace import Marketplace

__all__ = [
    "CATEGORY_NAMES", "wei", "per_category", "tx_json", "terms_json", "sla_json", "event_json",
    "auction_status",
]

#: The contract's category indexes 0, 1, 2, by the names people type and read.
CATEGORY_NAMES = tuple(c.value for c in Category)


def wei(amount: int | None) -> str | None:
    """A wei amount as JSON prints it: a decimal string, because JSON numbers above 2**53 are
    rounded by common readers (jq 1.6 turns 1999817954316936189 into 1999817954316936200).
    Every key that holds one ends in `_wei`."""
    return None if amount is None else str(int(amount))


def per_category(amounts: Any) -> dict[str, str | None]:
    """Wei amounts in the contract's category order, keyed by category name, each a decimal
    string: the shape of every per-category amount (`max_prices_wei`, `bonds_wei`)."""
    return {name: wei(v) for name, v in zip(CATEGORY_NAMES, amounts, strict=True)}


#: Event fields renamed in JSON so that the name says the unit.
_EVENT_KEYS = {
    "price": "price_wei",
    "amount": "amount_wei",
    "value_paid": "value_paid_wei",
    "bidding_deadline": "bidding_deadline_at",
}


def tx_json(tx: TxResult) -> dict[str, Any]:
    """A transaction, as every command prints it."""
    return {"tx_hash": tx.tx_hash, "gas_used": tx.gas_used, "block_number": tx.block_number}


def terms_json(info: AuctionInfo) -> dict[str, Any]:
    """Every term of an auction, as fixed at its creation: what a provider reads before bidding."""
    return {
        "address": info.address,
        "client": info.client,
        "factory": info.factory,
        "requirements_cid": info.requirements_cid,
        "ontology_cid": info.ontology_cid,
        "ontology_version": info.ontology_version,
        "reserve_wei": wei(info.reserve),
        "max_prices_wei": per_category(info.max_prices),
        "bonds_wei": per_category(info.bonds),
        "deadline_at": info.bidding_deadline,
        "closes_at": info.closes_at or info.bidding_deadline,
        "notice_window_seconds": info.notice_seconds,
        "delivery_window_seconds": info.delivery_window,
        "acknowledgment_window_seconds": info.acknowledgment_window,
        "min_references": info.min_references,
        "arbitrator": info.arbitrator,
        "dispute_resolution": "none: no arbitrator is named, the contract's timeouts decide"
        if info.arbitrator is None else "by the arbitrator named",
        "arbitration_fee_wei": wei(info.arbitration_fee),
        "arbitration_fee_advanced_by": "the party that opens a dispute"
        if info.arbitrator is not None else None,
        "confirmation_window_seconds": info.confirmation_window,
        "appeal_window_seconds": info.appeal_window,
        "min_reference_value_wei": wei(info.min_reference_value),
        "required_record": {
            "min_completed": info.min_record_completed,
            "max_disputes_lost": info.max_disputes_lost,
        },
    }


def sla_json(sla: SLA) -> dict[str, Any]:
    """An SLA, its winners named by category."""
    return {
        "winners": [
            {
                "category": CATEGORY_NAMES[int(category)],
                "provider": winner.bidder,
                "price_wei": wei(winner.price),
                "asset_cid": winner.asset_cid,
            }
            for category, winner in sorted(sla.winners.items())
        ],
        "total_price_wei": wei(sla.total_price),
        "adjudicated_at": sla.adjudicated_at,
        "delivery_deadline_at": sla.delivery_deadline,
        "model_cid": sla.model_cid,
        "delivered_at": sla.delivered_at,
        "acknowledgment_deadline_at": sla.acknowledgment_deadline,
    }


def event_json(event: Any) -> dict[str, Any]:
    """A decoded chain event (enums by name, winners per category)."""
    out: dict[str, Any] = {"event": type(event).__name__}
    for f in fields(event):
        value = getattr(event, f.name)
        name = _EVENT_KEYS.get(f.name, f.name)
        if name.endswith("_wei"):
            value = wei(value)
        elif f.name == "category":
            value = CATEGORY_NAMES[int(value)]
        elif isinstance(value, Enum):
            value = value.name
        elif f.name == "winners":
            value = {
                CATEGORY_NAMES[int(c)]: {
                    "provider": w.bidder, "price_wei": wei(w.price), "asset_cid": w.asset_cid
                }
                for c, w in sorted(value.items())
            }
        out[name] = value
    return out


def auction_status(market: Marketplace, auction: Auction, judge: bool = True) -> dict[str, Any]:
    """State, time left, best and standing bids per category, the SLA, the history, and what the
    caller is owed; with `judge`, each best bid's asset as the matcher sees it."""
    info = auction.info()
    state = auction.state()
    now = market.now()
    requirements = Requirements(market, info) if judge else None
    events = auction.events()  # one scan for the bidders of every category and the history
    history = [event_json(e) for e in events if type(e).__name__.startswith("Bid")]
    reasons = {
        (e["category"], e["bidder"]): e["reason_cid"]
        for e in history
        if e["event"] == "BidDisqualified"
    }
    categories = []
    for index, name in enumerate(CATEGORY_NAMES):
        best = auction.best_bid(index)
        bidders = dict.fromkeys(
            e["bidder"] for e in history if e["event"] == "BidPlaced" and e["category"] == name
        )
        standing = [b for b in (auction.bid_of(index, a) for a in bidders) if b is not None]
        best_json = None
        if best is not None:
            best_json = {"bidder": best.bidder, "price_wei": wei(best.price),
                         "asset_cid": best.asset_cid}
            if requirements is not None:
                best_json.update(
                    requirements.judge(index, best.asset_cid, best.bidder).as_dict()
                )
        categories.append(
            {
                "category": name,
                "max_price_wei": wei(info.max_prices[index]),
                "best": best_json,
                "bids": [
                    {
                        "bidder": b.bidder,
                        "price_wei": wei(b.price),
                        "asset_cid": b.asset_cid,
                        "disqualified": b.disqualified,
                        "disqualification_reason_cid": reasons.get((name, b.bidder)),
                        "seq": b.seq,
                    }
                    for b in sorted(standing, key=lambda b: (b.price, b.seq))
                ],
            }
        )
    sla = auction.sla()
    caller = market.caller
    from saiaas.market.arbitration import protection, records_json

    restitution = protection(auction)
    if sla is not None:  # each winner's record at the Factory, in the category it won
        restitution["winners_records"] = {
            CATEGORY_NAMES[int(c)]: {"provider": w.bidder,
                                     **records_json(market, w.bidder)[CATEGORY_NAMES[int(c)]]}
            for c, w in sorted(sla.winners.items())
        }
    return {
        **terms_json(info),
        "state": state.name,
        "time_left_seconds": 0 if state.name != "BIDDING" else max(
            0, (info.closes_at or info.bidding_deadline) - now
        ),
        "categories": categories,
        "sla": sla_json(sla) if sla is not None else None,
        "history": history,
        "restitution": restitution,
        "caller": caller,
        "owed_wei": wei(auction.owed(caller)),
        "balance_wei": wei(auction.balance()),
    }
