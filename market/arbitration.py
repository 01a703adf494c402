"""Restitution and disputes, every party's side: confirm inputs, reject, appeal, dispute, rule.

The contract decides who is owed what (a rule of the contract is written once, in the
contract); these functions store the evidence a dispute cites (by CID, as an ERC-1497 URI), send
the transaction with the arbitration fee the terms state, and read the disputes and records
back as JSON-ready data. With no arbitrator named, no dispute can be opened: `NO_ARBITRATOR`
says, in words every command prints, what protects each party then.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from saiaas.market.client import Refused
from saiaas.market.views import CATEGORY_NAMES

if TYPE_CHECKING:
    from saiaas.contracts import Auction, Committee, Dispute, Record, TxResult
    from saiaas.market.marketplace import Marketplace

__all__ = [
    "NO_ARBITRATOR",
    "RULINGS",
    "deploy_committee",
    "confirm_inputs",
    "reject",
    "evaluation_report",
    "answer_delivery",
    "appeal",
    "dispute_confirmation",
    "rule",
    "disputes_json",
    "record_json",
    "records_json",
    "protection",
]

#: What the terms mean when they name no arbitrator (printed by every command that would dispute).
NO_ARBITRATOR = (
    "no arbitrator is named in this auction's terms: no dispute can be opened; the contract's "
    "timeouts decide (the client cancels after the delivery deadline, winners claim after the "
    "acknowledgment window, a disqualification stands)"
)
#: ERC-792 rulings as the committee votes them.
RULINGS = {"refuse": 0, "for": 1, "against": 2}


def deploy_committee(
    market: Marketplace, members: list[str], threshold: int, fee_wei: int = 0
) -> tuple[Committee, int]:
    """Deploy an m-of-n committee arbitrator (fee per dispute, fixed); returns it and its gas."""
    from saiaas.contracts import Committee

    if not members:
        raise Refused("a committee needs at least one member; nothing sent")
    return Committee.deploy(market.chain, market.sender, members, threshold, fee_wei)


def confirm_inputs(
    market: Marketplace,
    auction: Auction,
    data_cid: str | None = None,
    algorithm_cid: str | None = None,
) -> tuple[str, str, TxResult]:
    """The infrastructure winner confirms it received the sealed data and algorithm (their
    CIDs; default: the SLA's asset CIDs): from then on their winners are owed their price."""
    sla = auction.sla()
    if sla is None and (data_cid is None or algorithm_cid is None):
        raise Refused(f"{auction.address} has no SLA yet; nothing to confirm; nothing sent")
    data = data_cid or sla.winners[0].asset_cid  # type: ignore[union-attr,index]
    algorithm = algorithm_cid or sla.winners[1].asset_cid  # type: ignore[union-attr,index]
    return data, algorithm, auction.confirm_inputs(market.sender, data, algorithm)


def _put(market: Marketplace, document: bytes | dict[str, Any]) -> str:
    if isinstance(document, dict):
        document = (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()
    return market.store.put(document)


def _require_arbitrator(auction: Auction) -> None:
    if auction.arbitrator() is None:
        raise Refused(f"{auction.address}: {NO_ARBITRATOR}; nothing sent")


def evaluation_report(
    auction: str, accuracy: float, required: float, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The client's reason for a rejection: accuracy measured vs required (the evidence). The
    auction is named by address, so a client that kept only its recorded evaluation can cite it."""
    return {
        "auction": auction,
        "kind": "evaluation report",
        "accuracy": accuracy,
        "required_accuracy": required,
        "verdict": "rejected: the model misses the required accuracy"
        if accuracy < required else "accepted",
        **(details or {}),
    }


def reject(
    market: Marketplace, auction: Auction, reason: bytes | dict[str, Any]
) -> tuple[str, TxResult]:
    """The client rejects the delivered model within the acknowledgment window, citing `reason`
    (stored; e.g. its evaluation report), advancing the arbitration fee."""
    _require_arbitrator(auction)
    cid = _put(market, reason)
    return cid, auction.reject(market.sender, cid)


def answer_delivery(
    market: Marketplace,
    auction: Auction,
    accuracy: float,
    required: float | None,
    reason: str,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The client's answer to a delivery once evaluated: acknowledge when the model meets the
    required accuracy; otherwise reject it with the evaluation report as the reason when the
    terms name an arbitrator, or, with none, say plainly that nothing can be contested (the
    winners may claim once the acknowledgment window is over)."""
    from saiaas.market import client as client_flow

    if required is None or accuracy >= required:
        tx = client_flow.acknowledge(market, auction)
        return {"action": "acknowledged", "tx": tx, "reason_cid": None, "note": reason}
    if auction.arbitrator() is None:
        return {"action": "silent", "tx": None, "reason_cid": None,
                "note": f"{reason}; {NO_ARBITRATOR}"}
    report = evaluation_report(auction.address, accuracy, required,
                               {"reason": reason, **(details or {})})
    cid, tx = reject(market, auction, report)
    return {"action": "rejected", "tx": tx, "reason_cid": cid, "note": reason}


def appeal(
    market: Marketplace, auction: Auction, category: int, reason: bytes | dict[str, Any] | None
) -> tuple[str, TxResult]:
    """A disqualified bidder appeals within the appeal window (default reason: its bid, the
    disqualification it contests and the asset it offered)."""
    _require_arbitrator(auction)
    if reason is None:
        bid = auction.bid_of(category, market.caller)
        reason = {
            "auction": auction.address,
            "kind": "appeal of a disqualification",
            "category": CATEGORY_NAMES[category],
            "bidder": market.caller,
            "price_wei": str(bid.price) if bid else None,
            "asset_cid": bid.asset_cid if bid else None,
        }
    cid = _put(market, reason)
    return cid, auction.appeal(market.sender, category, cid)


def dispute_confirmation(
    market: Marketplace, auction: Auction, reason: bytes | dict[str, Any] | None
) -> tuple[str, TxResult]:
    """A data or algorithm winner disputes the missing confirmation of its inputs (default
    reason: the SLA's asset CIDs it sent, its proof of sending)."""
    _require_arbitrator(auction)
    if reason is None:
        sla = auction.sla()
        reason = {
            "auction": auction.address,
            "kind": "inputs handed over, never confirmed",
            "winner": market.caller,
            "sent": {CATEGORY_NAMES[int(c)]: w.asset_cid for c, w in (sla.winners.items()
                                                                       if sla else [])
                     if int(c) < 2},
        }
    cid = _put(market, reason)
    return cid, auction.dispute_confirmation(market.sender, cid)


def rule(market: Marketplace, arbitrator: str, dispute_id: int, ruling: int) -> TxResult:
    """A committee member votes `ruling` (0 refuse, 1 for the party that opened the dispute,
    2 against); the threshold-th vote gives the ruling to the auction."""
    from saiaas.contracts import Committee

    return Committee.at(market.chain, arbitrator).vote(market.sender, dispute_id, ruling)


def dispute_json(dispute: Dispute) -> dict[str, Any]:
    return {
        "dispute_id": dispute.dispute_id,
        "kind": dispute.kind.name.lower(),
        "category": CATEGORY_NAMES[int(dispute.category)],
        "party": dispute.party,
        "open": dispute.open,
        "ruling": dispute.ruling,
        "ruling_text": None if dispute.ruling is None else
        ("refused", "for the party", "against the party")[dispute.ruling],
        "evidence": list(dispute.evidence),
    }


def disputes_json(auction: Auction) -> list[dict[str, Any]]:
    """Every dispute of the auction (none without an arbitrator)."""
    if auction.arbitrator() is None:
        return []
    return [dispute_json(d) for d in auction.disputes()]


def record_json(record: Record) -> dict[str, Any]:
    from saiaas.market.views import wei

    return {
        "completed": record.completed,
        "value_paid_wei": wei(record.value_paid),
        "disputes_lost": record.disputes_lost,
    }


def records_json(market: Marketplace, provider: str) -> dict[str, dict[str, Any]]:
    """`provider`'s record at the Factory, per category."""
    factory = market.factory
    return {name: record_json(factory.record_of(provider, i))
            for i, name in enumerate(CATEGORY_NAMES)}


def protection(auction: Auction) -> dict[str, Any]:
    """Where the restitution stands: confirmation, open disputes, and what protects whom."""
    confirmation = auction.confirmation()
    named = auction.arbitrator() is not None
    return {
        "inputs_confirmed_at": confirmation.confirmed_at,
        "open_disputes": confirmation.open_disputes,
        "confirmation_disputed": confirmation.confirmation_disputed,
        "disputes": disputes_json(auction),
        "arbitration": "by the arbitrator named in the terms" if named else NO_ARBITRATOR,
    }
