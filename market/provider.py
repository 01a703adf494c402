"""The provider's workflow: find the auctions its assets fit, bid, deliver, get paid.

A provider only ever bids with an asset the matcher judged eligible for the auction's request,
so `bid` re-runs the match itself rather than trusting an earlier scan (the catalog or the
auction may have changed since). Auctions keep the ontology CID they were created under: each is
matched with the matcher of that exact ontology. The contract's own rules (price, deadline,
references, ...) are not mirrored here: the transaction is dry-run first and a refusal comes back
as the contract's custom error, in words.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from saiaas.market.client import Refused, expected_terms
from saiaas.market.marketplace import write_state
from saiaas.market.requirements import Requirements, UnusableAuction
from saiaas.market.views import terms_json, wei
from saiaas.ontologies.errors import InputError, InvalidError

if TYPE_CHECKING:
    from rdflib import Graph
    from saiaas.contracts import Auction, AuctionCreated, TxResult
    from saiaas.market.marketplace import Marketplace
    from saiaas.matcher import Asset, Decision, Matcher
    from saiaas.shapes import ValidationReport

__all__ = [
    "CatalogInvalid",
    "NotEligible",
    "SATISFIED",
    "Catalogs",
    "load_catalogs",
    "scan",
    "scan_new",
    "Bid",
    "bid",
    "deliver",
    "claim",
    "withdraw",
]

#: Reason codes that say something is fine; refusals show only the others.
SATISFIED = ("constraint-met", "condition-met", "exact", "plugin")

T = TypeVar("T")
Progress = Callable[[Sequence[T], str], Iterable[T]]


def _no_progress(items: Sequence[T], description: str) -> Iterable[T]:
    return items


class CatalogInvalid(InvalidError):
    """A catalog fails validation: bidding from it would put unchecked claims on chain.
    `.report` holds the violations."""

    def __init__(self, name: str, report: ValidationReport):
        errors = report.errors
        first = errors[0]
        super().__init__(
            f"{name}: not a valid catalog ({len(errors)} violation"
            f"{'s' if len(errors) != 1 else ''}; first at {first.location()}: {first.message})"
        )
        self.report = report


class NotEligible(InvalidError):
    """The matcher does not find the asset eligible for the auction's request: no bid is sent.
    `.decision` holds the reasons."""

    def __init__(self, message: str, decision: Decision | None = None):
        super().__init__(message)
        self.decision = decision


def load_catalogs(sources: Iterable[tuple[str, bytes]]) -> Catalogs:
    """Validate every catalog (name, Turtle bytes), refusing an invalid one: bidding from it
    would put unchecked claims on chain."""
    from saiaas.shapes import validate

    files = []
    for name, data in sources:
        report = validate(data, kind="catalog", name=name)
        if not report.conforms:
            raise CatalogInvalid(name, report)
        files.append((name, data))
    return Catalogs(tuple(files))


@dataclass
class Catalogs:
    """A provider's validated catalog files. Matching goes through the matcher's fast path
    (`Matcher.catalog`: parsed and inferred once per ontology version, the index cached by the
    file's sha256), one index per file; the merged RDF graph is built only to write the
    description of the asset a bid names."""

    files: tuple[tuple[str, bytes], ...]
    _indexes: dict[str, list[Any]] = field(default_factory=dict)
    _graph: Graph | None = None

    def indexes(self, market: Marketplace, ontology_cid: str) -> tuple[Matcher, list[Any]]:
        """The matcher of that ontology version and one matcher Catalog per file."""
        matcher = market.matcher(ontology_cid)
        if ontology_cid not in self._indexes:
            self._indexes[ontology_cid] = [matcher.catalog(data, name) for name, data in self.files]
        return matcher, self._indexes[ontology_cid]

    def find(self, market: Marketplace, ontology_cid: str, name: str) -> Asset:
        """The one asset of all files named `name` (IRI, prefix:local or local name)."""
        from saiaas.matcher import UnknownTermError

        _, indexes = self.indexes(market, ontology_cid)
        found: dict[str, Asset] = {}
        for index in indexes:
            try:
                asset = index.find(name)
            except UnknownTermError:
                continue
            found[asset.iri] = asset
        if len(found) != 1:
            what = "no asset" if not found else f"{len(found)} assets"
            hint = "" if found else _did_you_mean(name, [i for x in indexes for i in x.iris])
            raise UnknownTermError(f"{what} named {name!r} in the catalogs given{hint}")
        return next(iter(found.values()))

    @property
    def graph(self) -> Graph:
        if self._graph is None:
            from rdflib import Graph

            graph = Graph()
            for _, data in self.files:
                graph.parse(data=data, format="turtle")
            self._graph = graph
        return self._graph


# ------------------------------------------------------------------------------ scan


def _match_auction(
    market: Marketplace, catalogs: Catalogs, created: AuctionCreated, show_all: bool
) -> list[dict[str, Any]]:
    """Rows for one auction still open for bids (empty when closed), eligible assets ranked
    best first per category; UnusableAuction if its requirement file or ontology cannot be
    used."""
    from saiaas.contracts import Auction
    from saiaas.matcher import MatcherError
    from saiaas.ontologies.requests import Category

    auction = Auction(market.chain, created.auction, factory=market.factory)
    time_left = auction.time_left()
    if time_left <= 0:
        return []
    info = auction.info()
    requirements = Requirements(market, info)
    terms = terms_json(info)
    rows = []
    try:
        request = requirements.request
        _, indexes = catalogs.indexes(market, info.ontology_cid)
        for category, spec in request.specs.items():
            order = category.order
            best = auction.best_bid(order)
            base = best.price if best else None
            record = _record(market, market.caller, order)
            ranked = [r for index in indexes for r in index.match(spec)]
            ranked.sort(key=lambda r: (-r.score, r.asset))
            entries: list[tuple[Decision, dict[str, Any]]] = [
                (r.decision, {"rank": n, "score": r.score, "score_reasons": list(r.score_reasons)})
                for n, r in enumerate(ranked, 1)
            ]
            if show_all:
                eligible = {r.asset for r in ranked}
                entries += [
                    (d, {}) for index in indexes for d in index.decisions(spec)
                    if d.asset not in eligible
                ]
            for decision, ranking in entries:
                row: dict[str, Any] = {
                    "auction": auction.address,
                    "category": Category(decision.category).value,
                    "asset": decision.asset,
                    "label": _label(indexes, decision.asset),
                    "degree": decision.degree,
                    "eligible": decision.eligible,
                    "max_price_wei": wei(info.max_prices[order]),
                    "bond_wei": wei(info.bonds[order]),
                    "base_price_wei": wei(base),
                    "time_left_seconds": time_left,
                    **ranking,
                }
                if show_all:
                    row["reasons"] = [
                        r.message for r in decision.reasons if r.code not in SATISFIED
                    ]
                row["terms"] = terms
                row["record"] = record
                rows.append(row)
    except MatcherError as error:
        raise UnusableAuction(f"auction {auction.address}: {error}") from None
    return rows


def _did_you_mean(name: str, iris: list[str]) -> str:
    """'; did you mean ...?' naming the catalog assets closest to a mistyped name (by local
    name, or by whole IRI when one was typed), or nothing when none is close."""
    import difflib

    def local(iri: str) -> str:
        return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]

    typed = name.split(":", 1)[1] if ":" in name and "://" not in name else name
    whole = "://" in name
    names = {(iri if whole else local(iri)): iri for iri in iris}
    close = difflib.get_close_matches(name if whole else typed, list(names), n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _label(indexes: list[Any], iri: str) -> str | None:
    for index in indexes:
        try:
            return index.find(iri).label  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001 - the asset is in another file's index
            continue
    return None


def _record(market: Marketplace, provider: str, category: int) -> dict[str, Any]:
    """The caller's record at the Factory in one category (what bids may be required to meet)."""
    from saiaas.market.arbitration import record_json

    return record_json(market.factory.record_of(provider, category))


def _scan_events(
    market: Marketplace,
    catalogs: Catalogs,
    events: Sequence[AuctionCreated],
    show_all: bool,
    progress: Progress[Any],
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    from saiaas.storage import StoreUnreachable

    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    for created in progress(events, "matching auctions"):
        try:
            rows.extend(_match_auction(market, catalogs, created, show_all))
        except StoreUnreachable:
            raise  # not this auction's fault: every other fetch would fail too
        except (UnusableAuction, InputError) as error:
            skipped.append({"auction": created.auction, "reason": str(error)})
        except Exception as error:
            from saiaas.storage import StorageError

            if not isinstance(error, StorageError):
                raise
            skipped.append({"auction": created.auction, "reason": str(error)})
    return rows, skipped


def scan(
    market: Marketplace,
    catalogs: Catalogs,
    show_all: bool = False,
    progress: Progress[Any] = _no_progress,
) -> tuple[int, list[dict[str, Any]], list[dict[str, str]]]:
    """Match the catalogs against every open auction: (auctions scanned, rows, skipped auctions
    with the reason). The catalogs' own errors surface before any auction is read."""
    from saiaas.ontologies import ontology_bytes
    from saiaas.storage import cid_of

    catalogs.indexes(market, cid_of(ontology_bytes()))
    indexed = _indexed(market)
    open_ones = [e for e, state in indexed if state in (None, "BIDDING")]
    rows, skipped = _scan_events(market, catalogs, open_ones, show_all, progress)
    return len(indexed), rows, skipped


def _indexed(
    market: Marketplace, since_block: int = 0
) -> list[tuple[AuctionCreated, str | None]]:
    """The Factory's auctions (creation event, last state read) from the chain index, synced
    first: paged eth_getLogs, only the blocks since the last command."""
    from saiaas.contracts import AuctionCreated
    from saiaas.market.indexer import Index

    index, _report = Index.synced(market)
    with index:
        rows = index.auctions(since_block)
    return [
        (AuctionCreated(r["address"], r["client"], r["index"], r["ontology_version"],
                        r["requirements_cid"], r["deadline"], r["block_number"]), r["state"])
        for r in rows
    ]


def _last_scanned(path: Path) -> int:
    """The last block a previous watch scanned (-1 when none), so a restart resumes after it;
    the file's checksum is verified (a damaged one is refused by name, never read as a block)."""
    from saiaas.market.marketplace import read_state

    state = read_state(path)
    if state is None:
        return -1
    try:
        return int(state["last_block"])
    except (KeyError, TypeError, ValueError):
        raise InputError(f"{path} is unreadable; delete it to rescan from the start") from None


def scan_new(
    market: Marketplace, catalogs: Catalogs, state_dir: Path
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Match the auctions created since the last call (remembered per Factory in `state_dir`)."""
    state_file = state_dir / f"watch-{market.factory.address.lower()}.json"
    start = _last_scanned(state_file) + 1
    head = int(market.chain.w3.eth.block_number)
    events = [e for e, _state in _indexed(market, start) if e.block_number <= head]
    rows, skipped = _scan_events(market, catalogs, events, False, _no_progress)
    last = max([head, *(e.block_number for e in events)])
    write_state(state_file, json.dumps({"last_block": last}) + "\n")
    return rows, skipped


# ------------------------------------------------------------------------------ bid


@dataclass(frozen=True)
class Bid:
    """A bid placed: what was bid with, at which price, and where the category stands now."""

    auction: str
    category: str
    asset: str
    asset_cid: str
    degree: str
    bidder: str
    price_wei: int
    base_price_wei: int | None
    best_bidder: str | None
    tx: TxResult
    #: infrastructure bids: the per-auction X25519 key the description publishes, and a note
    #: when its private half could not be encrypted (no password)
    transfer_public_key: str | None = None
    transfer_key_note: str | None = None


def bid(
    market: Marketplace,
    auction: Auction,
    catalogs: Catalogs,
    asset_name: str,
    price_wei: int,
    references: Sequence[str] = (),
    transfer_key: bool = True,
) -> Bid:
    """Bid with an asset of the catalog, after the matcher finds it eligible for the auction's
    request; the asset description (which commits its content CID) is stored and its CID bid.
    An infrastructure asset's description also publishes a fresh per-auction X25519 key
    (saiaas:transferPublicKey, kept locally by `learning_keys.new_transfer_key`) unless
    `transfer_key` is False (the demo, which holds every party's keys in one process)."""
    from saiaas.contracts import AuctionState
    from saiaas.ontologies.descriptions import asset_description
    from saiaas.ontologies.requests import Category

    state = auction.state()
    if state is not AuctionState.BIDDING or auction.time_left() <= 0:
        raise Refused(
            f"auction {auction.address}: bidding has ended (state {state.name}); nothing sent"
        )
    info = auction.info()
    requirements = Requirements(market, info)
    request = requirements.request
    matcher, _ = catalogs.indexes(market, info.ontology_cid)
    chosen = catalogs.find(market, info.ontology_cid, asset_name)
    if chosen.category is None:
        raise NotEligible(
            f"{chosen.iri} is not of exactly one category (data, algorithm, infrastructure); "
            "nothing sent"
        )
    category = Category(chosen.category)
    decision = matcher.match(request.specs[category], chosen)
    if not decision.eligible:
        raise NotEligible(
            f"{chosen.iri} is not eligible for auction {auction.address} "
            f"({chosen.category}: degree {decision.degree}); nothing sent",
            decision,
        )
    differences = info.differences(**expected_terms(request))
    if differences:
        raise Refused(
            f"auction {auction.address}: its terms on chain disagree with its requirement file "
            f"({'; '.join(differences)}); nothing sent"
        )
    sender = market.sender
    transfer_public, note = None, None
    if category is Category.INFRASTRUCTURE and transfer_key:
        # the content winners will seal their assets to this key; its private half is kept
        # before the bid is sent, so a crash after sending never loses it
        from saiaas.market.learning_keys import new_transfer_key

        keys, note = new_transfer_key(market, auction.address)
        transfer_public = keys.public_hex
    description = asset_description(catalogs.graph, chosen.iri, market.sender_address,
                                    transfer_public)
    asset_cid = market.store.put(description)
    tx = auction.bid(sender, category.order, price_wei, asset_cid, list(references))
    best = auction.best_bid(category.order)
    return Bid(
        auction=auction.address,
        category=category.value,
        asset=chosen.iri,
        asset_cid=asset_cid,
        degree=decision.degree,
        bidder=market.sender_address,
        price_wei=price_wei,
        base_price_wei=best.price if best else None,
        best_bidder=best.bidder if best else None,
        tx=tx,
        transfer_public_key=transfer_public,
        transfer_key_note=note,
    )


# ------------------------------------------------------------------------------ restitution


def deliver(market: Marketplace, auction: Auction, model: bytes) -> tuple[str, TxResult]:
    """Store the model (or delivery manifest) and deliver its CID on chain."""
    from saiaas.contracts import AuctionState

    state = auction.state()
    if state is not AuctionState.ADJUDICATED:
        raise Refused(
            f"auction {auction.address} is {state.name}, not ADJUDICATED: nothing to deliver "
            "now; nothing sent"
        )
    sender = market.sender
    model_cid = market.store.put(model)
    return model_cid, auction.deliver(sender, model_cid)


def claim(market: Marketplace, auction: Auction) -> tuple[int, TxResult]:
    """Get paid when the client stays silent past the acknowledgment window (winners only)."""
    tx = auction.claim(market.sender)
    return auction.owed(market.sender_address), tx


def withdraw(market: Marketplace, auction: Auction) -> tuple[int, TxResult]:
    """Withdraw what the auction owes the provider now."""
    from saiaas.market.client import withdraw as withdraw_owed

    return withdraw_owed(market, auction)
