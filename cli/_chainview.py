"""Chain values as the role commands show them: categories, transactions, SLAs and events.

The client's and the providers' commands read the same contract types; naming a category, or
turning a transaction, an SLA or an event into JSON and text, is done here once so that every
command prints them alike. Two transaction shapes exist because both are published output that
scripts parse: `saiaas auction ...` prints tx/gas/block, `saiaas provider ...` gas_used/tx_hash.
"""

from __future__ import annotations

from typing import Any

from saiaas.cli.units import format_amount
from saiaas.ontologies.errors import EXIT_USAGE, SaiaasError

__all__ = [
    "CATEGORY_NAMES",
    "CategoryError",
    "parse_category",
    "chain_category",
    "request_category",
    "auction_tx_json",
    "provider_tx_json",
    "sla_json",
    "event_json",
    "event_line",
]

#: The contract's category indexes 0, 1, 2, by the names people type and read.
CATEGORY_NAMES = ("data", "algorithm", "infrastructure")


class CategoryError(SaiaasError):
    """A category that is none of data, algorithm, infrastructure."""

    exit_code = EXIT_USAGE


def parse_category(text: str) -> int:
    """0/1/2 from 'data', 'algorithm', 'infrastructure' (or 'infra', or the index itself)."""
    wanted = text.strip().lower()
    aliases = {"infra": 2, "0": 0, "1": 1, "2": 2}
    if wanted in CATEGORY_NAMES:
        return CATEGORY_NAMES.index(wanted)
    if wanted in aliases:
        return aliases[wanted]
    raise CategoryError(f"unknown category {text!r}: use data, algorithm or infrastructure")


def chain_category(category: Any) -> Any:
    """The contract's Category of a request model's Category (their orders agree)."""
    from saiaas.contracts import Category

    return Category(category.order)


def request_category(name: str) -> Any:
    """The request model's Category named `name` (the matcher's decisions carry the name)."""
    from saiaas.ontologies.requests import Category

    return Category(name)


def auction_tx_json(tx: Any) -> dict[str, Any]:
    """A transaction as `saiaas auction ...` prints it."""
    return {"tx": tx.tx_hash, "gas": tx.gas_used, "block": tx.block_number}


def provider_tx_json(tx: Any) -> dict[str, Any]:
    """A transaction as `saiaas provider ...` prints it."""
    return {"gas_used": tx.gas_used, "tx_hash": tx.tx_hash}


def sla_json(sla: Any) -> dict[str, Any]:
    """An SLA as JSON, its winners named by category."""
    return {
        "winners": [
            {
                "category": CATEGORY_NAMES[int(category)],
                "provider": winner.bidder,
                "price": winner.price,
                "asset": winner.asset_cid,
            }
            for category, winner in sorted(sla.winners.items())
        ],
        "total_price": sla.total_price,
        "adjudicated_at": sla.adjudicated_at,
        "delivery_deadline": sla.delivery_deadline,
        "model_cid": sla.model_cid,
        "delivered_at": sla.delivered_at,
        "acknowledgment_deadline": sla.acknowledgment_deadline,
    }


def event_json(event: Any) -> dict[str, Any]:
    """A decoded chain event as plain JSON (enums by name, winners per category)."""
    from dataclasses import fields
    from enum import Enum

    out: dict[str, Any] = {"event": type(event).__name__}
    for f in fields(event):
        value = getattr(event, f.name)
        if f.name == "category":
            value = CATEGORY_NAMES[int(value)]
        elif isinstance(value, Enum):
            value = value.name
        elif f.name == "winners":
            value = {
                CATEGORY_NAMES[int(c)]: {
                    "provider": w.bidder,
                    "price": w.price,
                    "asset": w.asset_cid,
                }
                for c, w in sorted(value.items())
            }
        out[f.name] = value
    return out


def event_line(event: dict[str, Any]) -> str:
    """One event (as `event_json` gives it) as one line of text."""
    kind = event["event"]
    if kind == "BidPlaced":
        return (
            f"bid          {event['category']:<15} {event['bidder']}  "
            f"{format_amount(event['price'])}  asset {event['asset_cid']}"
        )
    if kind == "BidDisqualified":
        return (
            f"disqualified {event['category']:<15} {event['bidder']}  reason {event['reason_cid']}"
        )
    if kind == "AuctionSettled":
        winners = ", ".join(
            f"{c} {w['provider']} {format_amount(w['price'])}" for c, w in event["winners"].items()
        )
        return f"settled      {event['state']}" + (f": {winners}" if winners else "")
    if kind == "ModelDelivered":
        return f"delivered    by {event['by']}  model {event['model_cid']}"
    if kind == "DeliveryAcknowledged":
        return f"acknowledged by {event['client']}"
    if kind == "AuctionCancelled":
        return f"cancelled    by {event['client']}"
    if kind == "PaymentClaimed":
        return f"claimed      by {event['by']}"
    if kind == "Withdrawn":
        return f"withdrawn    {event['to']}  {format_amount(event['amount'])}"
    return kind
