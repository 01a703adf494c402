"""Raw logs of either contract turned into the typed event dataclasses of `_types`."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from . import _types as t
from ._artifacts import abi
from ._cid import decode_cid


@lru_cache(maxsize=1)
def _table() -> dict[bytes, dict[str, Any]]:
    from eth_utils import keccak

    table = {}
    for name in ("Auction", "Factory", "CommitteeArbitrator"):
        for item in abi(name):
            if item["type"] == "event":
                types = ",".join(_canonical(i) for i in item["inputs"])
                table[keccak(text=f"{item['name']}({types})")] = item
    return table


def _canonical(inp: dict[str, Any]) -> str:
    return inp["type"]


def _raw(log: Any) -> dict[str, Any] | None:
    """Decode one log into {name, values by input name}; None for foreign logs."""
    from eth_abi import decode
    from eth_utils import to_checksum_address

    topics = [bytes(x) for x in log["topics"]]
    if not topics or topics[0] not in _table():
        return None
    item = _table()[topics[0]]
    indexed = [i for i in item["inputs"] if i["indexed"]]
    plain = [i for i in item["inputs"] if not i["indexed"]]
    values: dict[str, Any] = {}
    for inp, topic in zip(indexed, topics[1:], strict=True):
        values[inp["name"]] = decode([inp["type"]], topic)[0]
    for inp, value in zip(
        plain, decode([i["type"] for i in plain], bytes(log["data"])), strict=True
    ):
        values[inp["name"]] = value
    for key, value in values.items():
        if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
            values[key] = to_checksum_address(value)
    return {"name": item["name"], "values": values, "address": to_checksum_address(log["address"])}


_ADDRESS = (1 << 160) - 1


def _unpack(word: int) -> tuple[str, int, int, int]:
    """Bidder, price, tag (category or state) and asset kind of one packed event word.

    Layout (see the NatSpec of BidPlaced and AuctionSettled): address in bits 0-159, price in
    160-231, tag in 232-239, asset kind in 240-247.
    """
    from eth_utils import to_checksum_address

    bidder = to_checksum_address((word & _ADDRESS).to_bytes(20, "big"))
    return bidder, (word >> 160) & ((1 << 72) - 1), (word >> 232) & 0xFF, (word >> 240) & 0xFF


def _settled(v: dict[str, Any]) -> tuple[t.AuctionState, dict[t.Category, t.Winner]]:
    out = {}
    state = t.AuctionState.FAILED
    for c in t.Category:
        bidder, price, tag, kind = _unpack(v["winners"][c])
        state = t.AuctionState(tag)
        if int(bidder, 16) != 0:
            out[c] = t.Winner(bidder, price, decode_cid(v["assets"][c], kind))
    return state, out


def decode_log(log: Any) -> Any | None:
    """The typed event of one log of a saiaas contract (None for logs of other contracts)."""
    raw = _raw(log)
    if raw is None:
        return None
    v, name, block = raw["values"], raw["name"], int(log["blockNumber"])
    if name == "AuctionCreated":
        return t.AuctionCreated(
            v["auction"],
            v["client"],
            v["index"],
            v["ontologyVersion"],
            decode_cid(v["requirements"], v["requirementsKind"]),
            v["biddingDeadline"],
            block,
        )
    if name == "OntologyPublished":
        return t.OntologyPublished(v["version"], decode_cid(v["digest"], v["kind"]), block)
    if name == "BidPlaced":
        bidder, price, category, kind = _unpack(v["bid"])
        return t.BidPlaced(t.Category(category), bidder, price, decode_cid(v["asset"], kind), block)
    if name == "BidDisqualified":
        nxt = v["next"]
        return t.BidDisqualified(
            t.Category(v["category"]),
            v["bidder"],
            decode_cid(v["reason"], v["reasonKind"]),
            block,
            None if int(nxt, 16) == 0 else nxt,
        )
    if name == "BidPromoted":
        return t.BidPromoted(t.Category(v["category"]), v["bidder"], v["price"], block)
    if name == "CloseAnnounced":
        return t.CloseAnnounced(v["closesAt"], block)
    if name == "AuctionSettled":
        state, winners = _settled(v)
        return t.AuctionSettled(state, winners, block)
    if name == "ModelDelivered":
        return t.ModelDelivered(v["by"], decode_cid(v["model"], v["modelKind"]), block)
    if name == "DeliveryAcknowledged":
        return t.DeliveryAcknowledged(v["client"], block)
    if name == "AuctionCancelled":
        return t.AuctionCancelled(v["client"], block)
    if name == "PaymentClaimed":
        return t.PaymentClaimed(v["by"], block)
    if name == "Withdrawn":
        return t.Withdrawn(v["to"], v["amount"], block)
    if name == "InputsConfirmed":
        kinds = v["kinds"]
        return t.InputsConfirmed(
            v["by"], decode_cid(v["data"], kinds & 1), decode_cid(v["algorithm"], kinds >> 1 & 1),
            block,
        )
    if name == "DisputeOpened":
        return t.DisputeOpened(
            v["disputeId"], t.DisputeKind(v["kind"]), t.Category(v["category"]), v["party"], block
        )
    if name == "DisputeRuled":
        return t.DisputeRuled(
            v["disputeId"], t.DisputeKind(v["kind"]), v["party"], v["ruling"], v["amount"], block
        )
    if name == "Evidence":
        return t.EvidenceSubmitted(v["_evidenceGroupID"], v["_party"], v["_evidence"], block)
    if name == "RecordUpdated":
        return t.RecordUpdated(
            v["provider"], t.Category(v["category"]), v["completed"], v["valuePaid"],
            v["disputesLost"], block,
        )
    if name == "Voted":
        return t.Voted(v["disputeID"], v["member"], v["ruling"], block)
    return None


def decode_logs(logs: Any, address: str | None = None) -> list[Any]:
    """Typed events of `logs` in order, optionally only those emitted by `address`."""
    out = []
    for log in logs:
        if address is not None and log["address"].lower() != address.lower():
            continue
        event = decode_log(log)
        if event is not None:
            out.append(event)
    return out
