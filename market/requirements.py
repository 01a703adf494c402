"""An auction's requirement file and vocabulary, fetched by CID, and the verdict on a bid.

Everyone who reasons about an auction (a provider deciding whether to bid, the client auditing
the bids it received) reads the same two things from the content store: the requirement file
whose CID the auction holds, and the ontology version it was created under. Both are re-hashed
on every read. A bid that cannot be fetched or read is judged, not crashed on: it gets a failing
verdict with the reason, since a stranger may have put anything on chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from saiaas.ontologies.errors import InputError, SaiaasError

if TYPE_CHECKING:
    from saiaas.contracts import AuctionInfo
    from saiaas.market.marketplace import Marketplace
    from saiaas.matcher import Asset, Matcher
    from saiaas.ontologies.requests import Request

__all__ = ["BidVerdict", "Requirements", "parse_request_bytes", "UnusableAuction"]


class UnusableAuction(InputError):
    """An auction's requirement file or ontology cannot be read as what it should be."""


def parse_request_bytes(data: bytes, where: str) -> Request:
    """The request model of a requirement file's bytes; one line naming `where` if unreadable."""
    from rdflib import Graph
    from saiaas.ontologies.requests import parse_request

    graph = Graph()
    try:
        graph.parse(data=data.decode("utf-8"), format="turtle")
    except Exception as error:  # rdflib raises many unrelated types for bad Turtle
        first = str(error).splitlines()[0][:160] if str(error) else type(error).__name__
        raise UnusableAuction(f"{where} is not Turtle ({first})") from None
    try:
        return parse_request(graph)
    except SaiaasError as error:
        raise UnusableAuction(f"{where}: {error}") from None


@dataclass(frozen=True)
class BidVerdict:
    """The matcher's judgement of one bid's asset description (or why it could not be judged)."""

    degree: str | None
    eligible: bool
    reasons: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"degree": self.degree, "eligible": self.eligible, "reasons": self.reasons}


class Requirements:
    """One auction's request and matcher, each fetched (and checked) on first need."""

    def __init__(self, market: Marketplace, info: AuctionInfo):
        self.market = market
        self.info = info

    @cached_property
    def request(self) -> Request:
        """The request; a store that cannot be reached stays a storage error (every other fetch
        would fail too), a file that cannot be fetched or read names this auction."""
        from saiaas.storage import StorageError, StoreUnreachable

        cid = self.info.requirements_cid
        where = f"auction {self.info.address}: its requirement file {cid}"
        try:
            data = self.market.store.get(cid)
        except StoreUnreachable:
            raise
        except StorageError as error:
            raise type(error)(f"{where} cannot be fetched ({error})") from None
        return parse_request_bytes(data, where)

    @cached_property
    def matcher(self) -> Matcher:
        from saiaas.storage import StorageError, StoreUnreachable

        try:
            return self.market.matcher(self.info.ontology_cid)
        except StoreUnreachable:
            raise
        except StorageError as error:
            raise type(error)(
                f"auction {self.info.address}: its ontology {self.info.ontology_cid} cannot be "
                f"fetched ({error})"
            ) from None

    def described_asset(self, asset_cid: str) -> Asset:
        """The one asset a bid's description (N-Triples, fetched by CID) describes."""
        return self._described(asset_cid)[0]

    def _described(self, asset_cid: str) -> tuple[Asset, list[str]]:
        """The asset and the provider accounts its description names. The description goes
        through the matcher's fast path (its index cached by the bytes' sha256), so judging the
        same bid again, as every `auction status` does, costs a cache read."""
        import re

        from saiaas.matcher import MatcherError
        from saiaas.ontologies.descriptions import PROVIDER_ACCOUNT

        data = self.market.store.get(asset_cid)
        try:
            described = self.matcher.catalog(data, f"asset description {asset_cid}")
        except MatcherError as error:
            raise InputError(f"asset description {asset_cid}: {error}") from None
        if len(described.assets) != 1:
            raise InputError(
                f"asset description {asset_cid} describes {len(described.assets)} assets, "
                "expected one"
            )
        asset = described.assets[0]
        pattern = re.compile(
            rb"^<" + re.escape(asset.iri.encode()) + rb"> <" + re.escape(PROVIDER_ACCOUNT.encode())
            + rb'> "([^"]*)"', re.M
        )
        accounts = sorted(m.group(1).decode() for m in pattern.finditer(data))
        return asset, accounts

    def judge(self, category: int, asset_cid: str, bidder: str | None = None) -> BidVerdict:
        """Never raises for a bad bid: what cannot be fetched or read is a failing verdict (a
        store that cannot be reached at all raises StoreUnreachable: no bid is to blame). With
        the `bidder`, the description must name it as its provider account: an asset borrowed
        from another provider's bid is not eligible, whatever it describes."""
        from saiaas.ontologies.requests import Category
        from saiaas.storage import StoreUnreachable

        try:
            spec = self.request.specs[list(Category)[category]]
            asset, accounts = self._described(asset_cid)
            decision = self.matcher.match(spec, asset)
        except StoreUnreachable:
            raise  # says nothing about the bid: the reader cannot judge anything (exit 5)
        except SaiaasError as error:
            return BidVerdict(None, False, [{"code": "unverifiable", "message": str(error)}])
        reasons = [r.as_dict() for r in decision.reasons]
        eligible = decision.eligible
        if bidder is not None and [a.lower() for a in accounts] != [bidder.lower()]:
            eligible = False
            named = ", ".join(accounts) or "no account"
            reasons.append({
                "code": "borrowed-asset",
                "message": f"the description names {named} as its provider account "
                           f"(saiaas:providerAccount), not the bidder {bidder}",
            })
        return BidVerdict(decision.degree, eligible, reasons)
