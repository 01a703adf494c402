"""The marketplace's read model as the service serves it: built from the index, never the chain.

Every value keeps the CLI's names (`saiaas.market.views`): terms are `terms_json`, events
`event_json`, transactions `tx_hash`/`gas_used`/`block_number`, categories by name. What the
index cannot know without a node (a deadline passed with no settlement yet) is said as such.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from saiaas.market.indexer import Index
from saiaas.market.views import CATEGORY_NAMES

__all__ = ["auction_rows", "auction_detail", "bid_series", "costs", "WEI_PER_ETHER"]

WEI_PER_ETHER = 10**18
#: The paper's gas price and ether price, as `saiaas demo` and `bench gas` default to.
PAPER_GAS_PRICE_GWEI = 124.0
PAPER_ETH_USD = 1683.0

#: The operation a transaction was, by the first event it emitted (the paper's names).
OPERATIONS = {
    "AuctionCreated": "Auction creation",
    "BidPlaced": "Bid",
    "BidDisqualified": "Disqualification",
    "AuctionSettled": "Adjudication",
    "ModelDelivered": "Delivery",
    "DeliveryAcknowledged": "Acknowledgment",
    "AuctionCancelled": "Cancellation",
    "PaymentClaimed": "Claim",
    "Withdrawn": "Withdrawal",
}

_FINAL = ("COMPLETED", "CANCELLED", "CLAIMED", "FAILED", "FORFEITED")


def ether(wei: int | None) -> str | None:
    if wei is None:
        return None
    text = format(Decimal(wei) / WEI_PER_ETHER, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _time_left(row: dict[str, Any], now: int) -> int:
    return max(0, row["deadline"] - now) if row["state"] in (None, "BIDDING") else 0


def auction_rows(index: Index, now: int | None = None) -> list[dict[str, Any]]:
    """`auction list --json`'s rows (address, state, client, requirements_cid, deadline_at,
    time_left_seconds), plus the index's block, bid count and max prices."""
    now = index.now() if now is None else now
    rows = []
    for row in index.auctions():
        terms = row["terms"] or {}
        rows.append(
            {
                "address": row["address"],
                "state": row["state"] or "BIDDING",
                "client": row["client"],
                "requirements_cid": row["requirements_cid"],
                "deadline_at": row["deadline"],
                "time_left_seconds": _time_left(row, now),
                "block_number": row["block_number"],
                "bid_count": row["bid_count"],
                "reserve_wei": terms.get("reserve_wei"),
                "max_prices_wei": terms.get("max_prices_wei"),
                "open": (row["state"] in (None, "BIDDING")) and row["deadline"] > now,
            }
        )
    return rows


def _standing(history: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per category each bidder's latest bid (disqualification marked), lowest first."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    seq: dict[str, int] = {}
    for e in history:
        key = (e["category"], e["bidder"])
        if e["event"] == "BidPlaced":
            seq[e["category"]] = seq.get(e["category"], 0) + 1
            latest[key] = {"bidder": e["bidder"], "price_wei": e["price_wei"],
                           "asset_cid": e["asset_cid"],
                           "disqualified": False, "disqualification_reason_cid": None,
                           "seq": seq[e["category"]], "placed_at": e.get("timestamp"),
                           "tx_hash": e["tx_hash"]}
        elif e["event"] == "BidDisqualified" and key in latest:
            latest[key]["disqualified"] = True
            latest[key]["disqualification_reason_cid"] = e["reason_cid"]
    out: dict[str, list[dict[str, Any]]] = {c: [] for c in CATEGORY_NAMES}
    for (category, _bidder), bid in latest.items():
        out[category].append(bid)
    for bids in out.values():
        bids.sort(key=lambda b: (int(b["price_wei"]), b["seq"]))
    return out


def bid_series(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Every bid of each category over time (for the plot): time, price, bidder."""
    series: dict[str, list[dict[str, Any]]] = {c: [] for c in CATEGORY_NAMES}
    for e in events:
        if e["event"] == "BidPlaced":
            series[e["category"]].append(
                {"timestamp": e.get("timestamp"), "price_wei": e["price_wei"],
                 "bidder": e["bidder"], "block_number": e["block_number"]}
            )
    return series


def costs(
    index: Index,
    tx_events: list[dict[str, Any]],
    gas_price_gwei: float = PAPER_GAS_PRICE_GWEI,
    eth_usd: float = PAPER_ETH_USD,
) -> dict[str, Any]:
    """Gas of each transaction that touched the auction, from receipts: paid (the receipt's
    price) and at `gas_price_gwei` in ether and USD, as `saiaas demo`'s cost table."""
    txs = index.transactions(e["tx_hash"] for e in tx_events)
    what: dict[str, str] = {}
    for e in tx_events:
        what.setdefault(e["tx_hash"], OPERATIONS.get(e["event"] or "", "other"))
    rows = []
    price_wei = int(Decimal(str(gas_price_gwei)) * 10**9)
    for tx_hash, operation in what.items():
        tx = txs.get(tx_hash)
        if tx is None:
            continue
        at_price = tx["gas_used"] * price_wei
        rows.append(
            {
                "operation": operation,
                "tx_hash": tx_hash,
                "block_number": tx["block_number"],
                "from": tx["from"],
                "gas_used": tx["gas_used"],
                "paid_wei": str(tx["gas_used"] * tx["gas_price"]),
                "ether": ether(at_price),
                "usd": round(float(Decimal(at_price) / WEI_PER_ETHER) * eth_usd, 2),
            }
        )
    total_gas = sum(r["gas_used"] for r in rows)
    total_wei = total_gas * price_wei
    return {
        "gas_price_gwei": gas_price_gwei,
        "eth_usd": eth_usd,
        "transactions": rows,
        "total_gas": total_gas,
        "total_paid_wei": str(sum(int(r["paid_wei"]) for r in rows)),
        "total_ether": ether(total_wei),
        "total_usd": round(float(Decimal(total_wei) / WEI_PER_ETHER) * eth_usd, 2),
    }


def auction_detail(
    index: Index,
    address: str,
    now: int | None = None,
    gas_price_gwei: float = PAPER_GAS_PRICE_GWEI,
    eth_usd: float = PAPER_ETH_USD,
) -> dict[str, Any] | None:
    """One auction as the index knows it: terms, state, bids per category, SLA, restitution
    timeline, disputes (disqualifications), payouts and costs. None: not an indexed auction."""
    now = index.now() if now is None else now
    row = index.auction(address)
    if row is None:
        return None
    events = index.events(row["address"])
    creation = index.creation(row["address"])
    created = [creation] if creation is not None else []
    history = [e for e in events if e["event"] in ("BidPlaced", "BidDisqualified")]
    standing = _standing(history)
    terms = row["terms"] or {}
    max_prices = terms.get("max_prices_wei") or {}
    categories = []
    for name in CATEGORY_NAMES:
        valid = [b for b in standing[name] if not b["disqualified"]]
        categories.append({"category": name, "max_price_wei": max_prices.get(name),
                           "best": valid[0] if valid else None, "bids": standing[name]})
    settled = next((e for e in events if e["event"] == "AuctionSettled"), None)
    state = row["state"] or "BIDDING"
    sla = None
    if settled is not None and settled["state"] != "FAILED" and len(settled["winners"]) == 3:
        sla = _sla(settled, events, terms)
    disputes = [e for e in history if e["event"] == "BidDisqualified"]
    payouts = [
        {"to": e["to"], "amount_wei": e["amount_wei"], "ether": ether(int(e["amount_wei"])),
         "role": _role(e["to"], row["client"], settled), "tx_hash": e["tx_hash"],
         "timestamp": e.get("timestamp")}
        for e in events if e["event"] == "Withdrawn"
    ]
    ended_unsettled = settled is None and state in ("BIDDING", "ADJUDICATED", "FAILED") and (
        row["deadline"] <= now
    )
    return {
        **terms,
        "address": row["address"],
        "client": row["client"],
        "requirements_cid": row["requirements_cid"],
        "state": state,
        "time_left_seconds": _time_left(row, now),
        "settled_on_chain": settled is not None,
        "awaiting_settlement": ended_unsettled,
        "categories": categories,
        "sla": sla,
        "history": [_plain(e) for e in history],
        "disputes": [_plain(e) for e in disputes],
        "timeline": _timeline(row, created + events, terms, now),
        "payouts": payouts,
        "costs": costs(index, created + events, gas_price_gwei, eth_usd),
        "block_number": row["block_number"],
    }


def _plain(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != "address"}


def _role(address: str, client: str, settled: dict[str, Any] | None) -> str:
    if address.lower() == client.lower():
        return "client"
    if settled is not None:
        for category, winner in settled["winners"].items():
            if winner["provider"].lower() == address.lower():
                return f"{category} winner"
    return "bidder"


def _sla(settled: dict[str, Any], events: list[dict[str, Any]], terms: dict[str, Any]
         ) -> dict[str, Any]:
    """`sla_json`'s shape from the events: winners, total, the restitution deadlines."""
    adjudicated = settled.get("timestamp") or 0
    delivered = next((e for e in events if e["event"] == "ModelDelivered"), None)
    delivered_at = delivered.get("timestamp") if delivered else None
    winners = [
        {"category": c, "provider": w["provider"], "price_wei": w["price_wei"],
         "asset_cid": w["asset_cid"]}
        for c, w in settled["winners"].items()
    ]
    return {
        "winners": winners,
        "total_price_wei": str(sum(int(w["price_wei"]) for w in winners)),
        "adjudicated_at": adjudicated,
        "delivery_deadline_at": adjudicated + int(terms.get("delivery_window_seconds") or 0),
        "model_cid": delivered["model_cid"] if delivered else None,
        "delivered_at": delivered_at,
        "acknowledgment_deadline_at": (delivered_at
                                       + int(terms.get("acknowledgment_window_seconds") or 0)
                                    if delivered_at else None),
    }


_SAY = {
    "AuctionCreated": "auction created, reserve in escrow",
    "BidPlaced": "bid",
    "BidDisqualified": "bid disqualified",
    "AuctionSettled": "bidding closed, SLA fixed",
    "ModelDelivered": "model delivered",
    "DeliveryAcknowledged": "client acknowledged the model",
    "AuctionCancelled": "client cancelled, reserve back",
    "PaymentClaimed": "winner claimed payment (client silent)",
    "Withdrawn": "withdrawal",
}


def _timeline(row: dict[str, Any], events: list[dict[str, Any]], terms: dict[str, Any],
              now: int) -> list[dict[str, Any]]:
    """What happened (events, with their block time) and what is due (deadlines), in order."""
    out = []
    for e in events:
        if e["event"] == "BidPlaced":
            continue  # the bids have their own table and plot
        detail = ""
        if e["event"] == "BidDisqualified":
            detail = f"{e['category']}: {e['bidder']}"
        elif e["event"] == "AuctionSettled":
            detail = e["state"]
        elif e["event"] == "Withdrawn":
            detail = f"{ether(int(e['amount_wei']))} ETH to {e['to']}"
        elif e["event"] == "ModelDelivered":
            detail = e["model_cid"]
        out.append({"at": e.get("timestamp"), "what": _SAY.get(e["event"] or "", "event"),
                    "event": e["event"], "detail": detail, "tx_hash": e["tx_hash"],
                    "done": True})
    out.append({"at": row["deadline"], "what": "bidding deadline", "event": None,
                "detail": "", "tx_hash": None, "done": row["deadline"] <= now})
    settled = next((e for e in events if e["event"] == "AuctionSettled"), None)
    if settled is not None and settled.get("timestamp") and settled["state"] != "FAILED":
        due = settled["timestamp"] + int(terms.get("delivery_window_seconds") or 0)
        delivered = any(e["event"] == "ModelDelivered" for e in events)
        out.append({"at": due, "what": "delivery deadline", "event": None, "detail": "",
                    "tx_hash": None, "done": delivered or due <= now})
    delivered_event = next((e for e in events if e["event"] == "ModelDelivered"), None)
    if delivered_event is not None and delivered_event.get("timestamp"):
        due = delivered_event["timestamp"] + int(terms.get("acknowledgment_window_seconds") or 0)
        acked = any(e["event"] in ("DeliveryAcknowledged", "PaymentClaimed") for e in events)
        out.append({"at": due, "what": "acknowledgment deadline", "event": None, "detail": "",
                    "tx_hash": None, "done": acked or due <= now})
    out.sort(key=lambda item: (item["at"] or 0))
    return out


def is_final(state: str | None) -> bool:
    return state in _FINAL
