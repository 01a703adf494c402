"""CLI commands of the provider role: `saiaas provider match|watch|bid|deliver|claim|withdraw`.

A provider only ever bids with an asset the matcher judged eligible for the auction's request, so
`bid` re-runs the match itself rather than trusting an earlier `match` listing (the catalog or
the auction may have changed since). Every rule the contracts enforce is checked with views first,
so a refused bid costs no gas and says why in words. Auctions keep the ontology CID they were
created under: each is matched with a Matcher for that exact ontology, fetched by CID when it is
not the packaged one.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from saiaas.cli._chainview import chain_category, provider_tx_json, request_category
from saiaas.cli._common import (
    console,
    err_console,
    iri_tail,
    print_json,
    reports_errors,
    track_progress,
)
from saiaas.cli.app import app
from saiaas.cli.config import (
    AccountOption,
    FactoryOption,
    IpfsApiOption,
    JsonOption,
    KeystoreOption,
    PasswordFileOption,
    RpcUrlOption,
    StoreOption,
    data_dir,
    resolve,
)
from saiaas.cli.context import command_session, write_state
from saiaas.ontologies.errors import (
    EXIT_CHAIN,
    EXIT_INPUT,
    EXIT_INVALID,
    SaiaasError,
)

if TYPE_CHECKING:
    from rdflib import Graph
    from saiaas.cli.context import Session
    from saiaas.contracts import Auction, AuctionCreated
    from saiaas.matcher import Asset, Decision, Matcher
    from saiaas.ontologies.requests import Request

__all__ = [
    "provider_app",
    "CatalogInvalid",
    "NotEligible",
    "BidRefused",
    "AuctionUnusable",
    "match",
    "watch",
    "bid",
    "deliver",
    "claim",
    "withdraw",
]

provider_app = typer.Typer(
    help="Provider role: find the auctions your assets fit, bid, deliver, get paid.",
    no_args_is_help=True,
)
app.add_typer(provider_app, name="provider")

#: Reason codes that say something is fine; refusals show only the others.
_SATISFIED = ("constraint-met", "exact", "plugin")


class CatalogInvalid(SaiaasError):
    """A catalog fails validation: bidding from it would put unchecked claims on-chain."""

    exit_code = EXIT_INVALID


class NotEligible(SaiaasError):
    """The matcher does not find the asset eligible for the auction's request: no bid is sent."""

    exit_code = EXIT_INVALID


class BidRefused(SaiaasError):
    """The contract would revert (closed, price, ownership, ...): refused before sending."""

    exit_code = EXIT_CHAIN


class AuctionUnusable(SaiaasError):
    """An auction's requirement file or ontology cannot be fetched or read."""

    def __init__(self, message: str, exit_code: int = EXIT_INPUT) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# ------------------------------------------------------------------------------ shared helpers

CatalogsArgument = Annotated[
    list[Path],
    typer.Argument(help="Catalog files (Turtle) describing your assets.", show_default=False),
]


def _load_catalogs(paths: Iterable[Path]) -> Graph:
    """Validate every catalog (refusing invalid ones with their violations) and merge them."""
    from rdflib import Graph
    from saiaas.shapes import validate

    graph = Graph()
    for path in paths:
        report = validate(path, kind="catalog")
        if not report.conforms:
            errors = report.errors
            for violation in errors:
                err_console.print(
                    f"  {escape(violation.location())}: {escape(violation.message)}",
                    highlight=False,
                    soft_wrap=True,
                )
            first = errors[0]
            raise CatalogInvalid(
                f"{path}: not a valid catalog ({len(errors)} violation"
                f"{'s' if len(errors) != 1 else ''}; first at {first.location()}: {first.message})"
            )
        graph.parse(path, format="turtle")
    return graph


@dataclass
class _Vocabularies:
    """One Matcher (and the catalog's assets under it) per ontology CID, built on first need."""

    session: Session
    catalog: Graph
    _by_cid: dict[str, tuple[Matcher, list[Asset]]] = field(default_factory=dict)

    def get(self, ontology_cid: str) -> tuple[Matcher, list[Asset]]:
        if ontology_cid not in self._by_cid:
            self._by_cid[ontology_cid] = self._build(ontology_cid)
        return self._by_cid[ontology_cid]

    def _build(self, ontology_cid: str) -> tuple[Matcher, list[Asset]]:
        from saiaas.matcher import Matcher
        from saiaas.ontologies import ontology_bytes
        from saiaas.storage import StorageError, cid_of, same_cid

        packaged = ontology_bytes()
        if same_cid(ontology_cid, cid_of(packaged)):
            matcher = Matcher.for_ontology(None, cid=ontology_cid)
        else:
            try:
                data = self.session.store.get(ontology_cid)
            except StorageError as error:
                raise AuctionUnusable(
                    f"its ontology {ontology_cid} cannot be fetched: {error}", error.exit_code
                ) from None
            matcher = Matcher.for_ontology(data, cid=ontology_cid)
        return matcher, matcher.assets(self.catalog)


def _requirements(session: Session, auction: Auction, requirements_cid: str) -> Request:
    """The auction's request, from its requirement file fetched (and re-hashed) by CID."""
    from rdflib import Graph
    from saiaas.ontologies.requests import parse_request
    from saiaas.storage import StorageError, StoreUnreachable

    try:
        data = session.store.get(requirements_cid)
    except StoreUnreachable:
        raise  # not this auction's fault: every other fetch would fail too
    except StorageError as error:
        raise AuctionUnusable(
            f"auction {auction.address}: its requirement file {requirements_cid} cannot be "
            f"fetched ({error})",
            error.exit_code,
        ) from None
    graph = Graph()
    try:
        graph.parse(data=data.decode("utf-8"), format="turtle")
    except Exception as error:  # rdflib raises many unrelated types for bad Turtle
        raise AuctionUnusable(
            f"auction {auction.address}: its requirement file {requirements_cid} is not Turtle "
            f"({type(error).__name__})"
        ) from None
    try:
        return parse_request(graph)
    except SaiaasError as error:
        raise AuctionUnusable(
            f"auction {auction.address}: its requirement file {requirements_cid}: {error}"
        ) from None


def _decision_row(
    auction: Auction,
    decision: Decision,
    asset: Asset,
    max_price: int,
    base_price: int | None,
    time_left: int,
    with_reasons: bool,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "auction": auction.address,
        "category": decision.category,
        "asset": decision.asset,
        "label": asset.label,
        "degree": decision.degree,
        "eligible": decision.eligible,
        "max_price_wei": max_price,
        "base_price_wei": base_price,
        "time_left_s": time_left,
    }
    if with_reasons:
        row["reasons"] = [
            r.message for r in decision.reasons if r.code not in _SATISFIED
        ]
    return row


def _match_auction(
    session: Session,
    vocabularies: _Vocabularies,
    created: AuctionCreated,
    show_all: bool,
) -> list[dict[str, Any]]:
    """Rows for one auction still open for bids (empty when closed); AuctionUnusable if its
    requirement file or ontology cannot be used."""
    from saiaas.contracts import Auction
    from saiaas.matcher import MatcherError

    auction = Auction(session.chain, created.auction, factory=session.factory)
    time_left = auction.time_left()
    if time_left <= 0:
        return []
    info = auction.info()
    request = _requirements(session, auction, info.requirements_cid)
    try:
        matcher, assets = vocabularies.get(info.ontology_cid)
        decisions = matcher.match_request(request, assets)
    except MatcherError as error:
        raise AuctionUnusable(f"auction {auction.address}: {error}") from None
    by_iri = {a.iri: a for a in assets}
    rows = []
    bases: dict[str, int | None] = {}
    for decision in decisions:
        if not (decision.eligible or show_all):
            continue
        chain_cat = chain_category(request_category(decision.category))
        if decision.category not in bases:
            best = auction.best_bid(chain_cat)
            bases[decision.category] = best.price if best else None
        rows.append(
            _decision_row(
                auction,
                decision,
                by_iri[decision.asset],
                info.max_prices[int(chain_cat)],
                bases[decision.category],
                time_left,
                show_all,
            )
        )
    return rows


def _scan(
    session: Session,
    vocabularies: _Vocabularies,
    events: list[AuctionCreated],
    show_all: bool,
    progress: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Match every auction of `events`: (rows, skipped auctions with the reason)."""
    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []

    def one(created: AuctionCreated) -> None:
        try:
            rows.extend(_match_auction(session, vocabularies, created, show_all))
        except AuctionUnusable as error:
            skipped.append({"auction": created.auction, "reason": str(error)})

    for created in track_progress(events, "matching auctions", quiet=not progress):
        one(created)
    return rows, skipped


def _print_rows(rows: list[dict[str, Any]], show_all: bool) -> None:
    """One small table per auction, so the rows fit an 80-column terminal."""
    from rich.table import Table
    from saiaas.cli.units import format_amount, format_duration

    by_auction: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_auction.setdefault(row["auction"], []).append(row)
    for address, group in by_auction.items():
        console.print(
            f"[bold]{address}[/]  {format_duration(group[0]['time_left_s'])} left",
            highlight=False,
        )
        table = Table(show_edge=False, pad_edge=False, box=None)
        for column in ("category", "asset", "degree", "max price", "base price"):
            table.add_column(column, no_wrap=column != "asset", overflow="fold")
        if show_all:
            table.add_column("eligible", no_wrap=True)
        for row in group:
            base = row["base_price_wei"]
            cells = [
                row["category"],
                iri_tail(row["asset"]),
                row["degree"],
                format_amount(row["max_price_wei"]),
                format_amount(base) if base else "no bid",
            ]
            if show_all:
                cells.append("yes" if row["eligible"] else "no")
            table.add_row(*(escape(str(c)) for c in cells))
        console.print(table)
        for row in group:
            if not row["eligible"]:
                why = "; ".join(row["reasons"]) or "not eligible"
                console.print(
                    f"  [dim]{escape(iri_tail(row['asset']))}: {escape(why)}[/]",
                    highlight=False,
                    soft_wrap=True,
                )


def _warn_skipped(skipped: list[dict[str, str]]) -> None:
    for item in skipped:
        err_console.print(
            f"[yellow]warning:[/] skipped {escape(item['reason'])}", highlight=False, soft_wrap=True
        )


# ------------------------------------------------------------------------------ match / watch


@provider_app.command("match")
@reports_errors
def match(
    catalogs: CatalogsArgument,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list the assets that do not fit, with reasons.")
    ] = False,
    rpc_url: RpcUrlOption = None,
    ipfs_api: IpfsApiOption = None,
    factory: FactoryOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the open auctions your catalog's assets are eligible for.

    Exit codes: 0 listed (possibly nothing), 1 invalid catalog, 3 unreadable input,
    4 chain unreachable, 5 store unreachable. An auction whose requirement file or ontology
    cannot be fetched is reported and skipped.
    """
    from saiaas.ontologies import ontology_bytes
    from saiaas.storage import cid_of

    catalog = _load_catalogs(catalogs)
    with command_session(
        rpc_url=rpc_url, ipfs_api=ipfs_api, factory=factory, store=store
    ) as session:
        vocabularies = _Vocabularies(session, catalog)
        vocabularies.get(cid_of(ontology_bytes()))  # catalog errors surface before any scan
        events = session.factory.auctions()
        rows, skipped = _scan(session, vocabularies, events, show_all, progress=not as_json)
    if as_json:
        print_json({"factory": session.factory.address, "matches": rows, "skipped": skipped})
        return
    _warn_skipped(skipped)
    if not rows:
        console.print(
            f"No open auction fits your assets ({len(events)} auction"
            f"{'s' if len(events) != 1 else ''} scanned).",
            highlight=False,
        )
        return
    _print_rows(rows, show_all)


def _watch_file(factory_address: str) -> Path:
    return data_dir() / f"watch-{factory_address.lower()}.json"


def _last_scanned(path: Path) -> int:
    """The last block a previous watch scanned (-1 when none), so a restart resumes after it."""
    try:
        return int(json.loads(path.read_text(encoding="utf-8"))["last_block"])
    except FileNotFoundError:
        return -1
    except (OSError, ValueError, KeyError, TypeError):
        raise AuctionUnusable(f"{path} is unreadable; delete it to rescan from the start") from None


def _remember(path: Path, block: int) -> None:
    write_state(path, json.dumps({"last_block": block}) + "\n")


@provider_app.command("watch")
@reports_errors
def watch(
    catalogs: CatalogsArgument,
    poll: Annotated[
        float, typer.Option("--poll", help="Seconds between two looks at the chain.", min=0.0)
    ] = 2.0,
    max_polls: Annotated[
        int | None,
        typer.Option("--max-polls", help="Stop after this many looks (default: Ctrl-C).", min=1),
    ] = None,
    rpc_url: RpcUrlOption = None,
    ipfs_api: IpfsApiOption = None,
    factory: FactoryOption = None,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Follow new blocks and print each new open auction one of your assets is eligible for.

    The last block scanned is kept in <data dir>/watch-<factory>.json, so a restart resumes
    there. With --json each match is one JSON object per line. Stops on Ctrl-C or --max-polls.
    """
    from saiaas.cli.context import open_session

    catalog = _load_catalogs(catalogs)
    settings = resolve(rpc_url=rpc_url, ipfs_api=ipfs_api, factory=factory, store=store)
    matchers: dict[str, Any] = {}
    polls = 0
    try:
        while True:
            # A session per look: the embedded chain is locked while a session is open, and other
            # commands (the client's, other providers') must be able to run between two looks.
            with open_session(settings) as session:
                vocabularies = _Vocabularies(session, catalog, matchers)
                state_file = _watch_file(session.factory.address)
                start = _last_scanned(state_file) + 1
                head = int(session.chain.w3.eth.block_number)
                events = session.factory.auctions(from_block=start)
                rows, skipped = _scan(session, vocabularies, events, False, progress=False)
                last = max([head, *(e.block_number for e in events)])
                _remember(state_file, last)
            for row in rows:
                _print_stream(row, as_json)
            if not as_json:
                _warn_skipped(skipped)
            polls += 1
            if max_polls is not None and polls >= max_polls:
                return
            time.sleep(poll)
    except KeyboardInterrupt:
        return


def _print_stream(row: dict[str, Any], as_json: bool) -> None:
    from saiaas.cli.units import format_amount, format_duration

    if as_json:
        sys.stdout.write(json.dumps(row) + "\n")
        sys.stdout.flush()
        return
    base = format_amount(row["base_price_wei"]) if row["base_price_wei"] else "no bid"
    console.print(
        f"{row['auction']}  {row['category']}  {escape(iri_tail(row['asset']))}  {row['degree']}  "
        f"max {format_amount(row['max_price_wei'])}  base {base}  "
        f"{format_duration(row['time_left_s'])} left",
        highlight=False,
        soft_wrap=True,
    )


# ------------------------------------------------------------------------------ bid


def _open_for_bids(auction: Auction) -> None:
    from saiaas.contracts import AuctionState

    state = auction.state()
    if state is not AuctionState.BIDDING or auction.time_left() <= 0:
        raise BidRefused(
            f"auction {auction.address}: bidding has ended (state {state.name}); nothing sent"
        )


def _check_bid_rules(
    session: Session,
    auction: Auction,
    category: Any,
    price: int,
    max_price: int,
    client: str,
    min_references: int,
    references: list[str],
) -> None:
    """The contract's bid rules, checked with views so a doomed bid is never sent."""
    from saiaas.cli.units import format_amount
    from saiaas.contracts import Auction as AuctionClient
    from saiaas.contracts import ChainError

    where = f"auction {auction.address}, {category.name.lower()}"
    if price <= 0:
        raise BidRefused(f"{where}: the price must be above zero; nothing sent")
    if price > max_price:
        raise BidRefused(
            f"{where}: price {format_amount(price)} is above the maximum "
            f"{format_amount(max_price)}; nothing sent"
        )
    me = session.sender_address
    if me.lower() == client.lower():
        raise BidRefused(f"{where}: {me} is the auction's client and cannot bid; nothing sent")
    previous = auction.bid_of(category, me)
    if previous is not None and previous.disqualified:
        raise BidRefused(f"{where}: {me} was disqualified in this category; nothing sent")
    if previous is not None and price >= previous.price:
        raise BidRefused(
            f"{where}: price {format_amount(price)} is not below your previous bid "
            f"{format_amount(previous.price)}; nothing sent"
        )
    if len(set(r.lower() for r in references)) < min_references:
        raise BidRefused(
            f"{where}: {len(references)} reference(s) given, the auction requires "
            f"{min_references}; nothing sent"
        )
    for ref in references:
        try:
            won = session.factory.is_auction(ref) and AuctionClient(
                session.chain, ref, factory=session.factory
            ).won_completed(me, int(category))
        except ChainError as error:
            raise BidRefused(f"{where}: reference {ref}: {error}; nothing sent") from None
        if not won:
            raise BidRefused(
                f"{where}: reference {ref} is not a completed auction of this Factory that "
                f"{me} won in this category; nothing sent"
            )


def _print_refusal_reasons(decision: Decision) -> None:
    for reason in decision.reasons:
        if reason.code in _SATISFIED:
            continue
        err_console.print(f"  {escape(reason.message)}", highlight=False, soft_wrap=True)


@provider_app.command("bid")
@reports_errors
def bid(
    auction_address: Annotated[str, typer.Argument(metavar="AUCTION", help="Auction address.")],
    asset: Annotated[
        str, typer.Option("--asset", help="Asset to bid with: IRI, prefix:name or local name.")
    ],
    price: Annotated[str, typer.Option("--price", help="Price, e.g. 0.3ether or 250gwei.")],
    catalog: Annotated[
        list[Path], typer.Option("--catalog", help="Catalog file(s) describing the asset.")
    ],
    reference: Annotated[
        list[str] | None,
        typer.Option("--reference", help="A completed auction you won in this category."),
    ] = None,
    rpc_url: RpcUrlOption = None,
    ipfs_api: IpfsApiOption = None,
    factory: FactoryOption = None,
    store: StoreOption = None,
    keystore: KeystoreOption = None,
    account: AccountOption = None,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bid on AUCTION with an asset the matcher finds eligible for the auction's request.

    Exit codes: 0 bid placed, 1 asset not eligible or catalog invalid (nothing sent), 2 bad
    price, 3 unknown asset or unreadable file, 4 the chain would refuse the bid (ended, above the
    max, not lower than your previous bid, client, references; nothing sent) or is unreachable,
    5 the store is unreachable or the requirement file cannot be fetched.
    """
    from saiaas.cli.units import format_amount, parse_amount
    from saiaas.ontologies.descriptions import asset_description

    wei = parse_amount(price)
    references = list(reference or [])
    graph = _load_catalogs(catalog)
    with command_session(
        rpc_url=rpc_url,
        ipfs_api=ipfs_api,
        factory=factory,
        store=store,
        keystore=keystore,
        account=account,
        password_file=password_file,
    ) as session:
        auction = session.auction(auction_address)
        _open_for_bids(auction)
        info = auction.info()
        request = _requirements(session, auction, info.requirements_cid)
        matcher, assets = _Vocabularies(session, graph).get(info.ontology_cid)
        chosen = matcher.find(assets, asset)
        if chosen.category is None:
            raise NotEligible(
                f"{chosen.iri} is not of exactly one category (data, algorithm, infrastructure); "
                "nothing sent"
            )
        spec = request.specs[request_category(chosen.category)]
        decision = matcher.match(spec, chosen)
        if not decision.eligible:
            _print_refusal_reasons(decision)
            raise NotEligible(
                f"{chosen.iri} is not eligible for auction {auction.address} "
                f"({chosen.category}: degree {decision.degree}); nothing sent"
            )
        category = chain_category(spec.category)
        _check_bid_rules(
            session,
            auction,
            category,
            wei,
            info.max_prices[int(category)],
            info.client,
            info.min_references,
            references,
        )
        asset_cid = session.store.put(asset_description(graph, chosen.iri))
        tx = auction.bid(session.sender, category, wei, asset_cid, references)
        best = auction.best_bid(category)
        result = {
            "auction": auction.address,
            "category": spec.category.value,
            "asset": chosen.iri,
            "asset_cid": asset_cid,
            "degree": decision.degree,
            "bidder": session.sender_address,
            "price_wei": wei,
            "base_price_wei": best.price if best else None,
            "best_bidder": best.bidder if best else None,
            **provider_tx_json(tx),
        }
    if as_json:
        print_json(result)
        return
    console.print(
        f"Bid placed on {result['auction']} ({result['category']}, {escape(iri_tail(chosen.iri))}, "
        f"{decision.degree}) at {format_amount(wei)}: gas {tx.gas_used}, "
        f"base price now {format_amount(result['base_price_wei'])}",
        highlight=False,
        soft_wrap=True,
    )


# ------------------------------------------------------------------------------ restitution


@provider_app.command("deliver")
@reports_errors
def deliver(
    auction_address: Annotated[str, typer.Argument(metavar="AUCTION", help="Auction address.")],
    model: Annotated[Path, typer.Option("--model", help="The trained (encrypted) model file.")],
    rpc_url: RpcUrlOption = None,
    ipfs_api: IpfsApiOption = None,
    factory: FactoryOption = None,
    store: StoreOption = None,
    keystore: KeystoreOption = None,
    account: AccountOption = None,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Store the model and deliver its CID (infrastructure winner, before the delivery deadline).

    Exit codes: 0 delivered, 3 unreadable model file, 4 refused (not adjudicated, not the
    infrastructure winner, deadline passed; nothing sent) or chain unreachable, 5 store error.
    """
    from saiaas.contracts import AuctionState, Category

    try:
        data = model.read_bytes()
    except OSError as error:
        why = error.strerror or error
        raise AuctionUnusable(f"{model}: cannot read the model ({why})") from None
    with command_session(
        rpc_url=rpc_url, ipfs_api=ipfs_api, factory=factory, store=store, keystore=keystore,
        account=account, password_file=password_file,
    ) as session:
        auction = session.auction(auction_address)
        state = auction.state()
        if state is not AuctionState.ADJUDICATED:
            raise BidRefused(
                f"auction {auction.address} is {state.name}, not ADJUDICATED: nothing to deliver "
                "now; nothing sent"
            )
        sla = auction.sla()
        assert sla is not None  # adjudicated auctions have an SLA
        me = session.sender_address
        winner = sla.winners[Category.INFRASTRUCTURE].bidder
        if me.lower() != winner.lower():
            raise BidRefused(
                f"auction {auction.address}: only the infrastructure winner {winner} may deliver, "
                f"not {me}; nothing sent"
            )
        if session.chain.now() >= sla.delivery_deadline:
            raise BidRefused(
                f"auction {auction.address}: the delivery deadline (unix {sla.delivery_deadline}) "
                "has passed; nothing sent"
            )
        model_cid = session.store.put(data)
        tx = auction.deliver(session.sender, model_cid)
    result = {"auction": auction.address, "model_cid": model_cid, **provider_tx_json(tx)}
    if as_json:
        print_json(result)
        return
    console.print(
        f"Model {model_cid} delivered to {auction.address}: gas {tx.gas_used}", highlight=False
    )


@provider_app.command("claim")
@reports_errors
def claim(
    auction_address: Annotated[str, typer.Argument(metavar="AUCTION", help="Auction address.")],
    rpc_url: RpcUrlOption = None,
    factory: FactoryOption = None,
    keystore: KeystoreOption = None,
    account: AccountOption = None,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Get paid when the client stays silent past the acknowledgment window (winners only).

    Exit codes: 0 claimed, 4 refused (not delivered, not a winner, window still open; nothing
    sent) or chain unreachable.
    """
    from saiaas.contracts import AuctionState

    with command_session(
        rpc_url=rpc_url, factory=factory, keystore=keystore, account=account,
        password_file=password_file,
    ) as session:
        auction = session.auction(auction_address)
        state = auction.state()
        if state is not AuctionState.DELIVERED:
            raise BidRefused(
                f"auction {auction.address} is {state.name}: a claim needs a delivered model "
                "the client has not acknowledged; nothing sent"
            )
        sla = auction.sla()
        assert sla is not None
        me = session.sender_address
        if me.lower() not in {w.bidder.lower() for w in sla.winners.values()}:
            raise BidRefused(f"auction {auction.address}: {me} is not a winner; nothing sent")
        due = sla.acknowledgment_deadline
        if due is not None and session.chain.now() < due:
            from saiaas.cli.units import format_duration

            raise BidRefused(
                f"auction {auction.address}: the client may still acknowledge for "
                f"{format_duration(due - session.chain.now())}; nothing sent"
            )
        tx = auction.claim(session.sender)
        owed = auction.owed(me)
    result = {
        "auction": auction.address, "claimed_by": me, "owed_wei": owed, **provider_tx_json(tx)
    }
    if as_json:
        print_json(result)
        return
    from saiaas.cli.units import format_amount

    console.print(
        f"Claimed {auction.address}: gas {tx.gas_used}; {format_amount(owed)} now withdrawable "
        "(`saiaas provider withdraw`)",
        highlight=False,
    )


@provider_app.command("withdraw")
@reports_errors
def withdraw(
    auction_address: Annotated[str, typer.Argument(metavar="AUCTION", help="Auction address.")],
    rpc_url: RpcUrlOption = None,
    factory: FactoryOption = None,
    keystore: KeystoreOption = None,
    account: AccountOption = None,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Withdraw what the auction owes you now (your winning price once the model is accepted).

    Exit codes: 0 paid, 4 nothing owed (nothing sent) or chain unreachable.
    """
    from saiaas.cli.units import format_amount

    with command_session(
        rpc_url=rpc_url, factory=factory, keystore=keystore, account=account,
        password_file=password_file,
    ) as session:
        auction = session.auction(auction_address)
        me = session.sender_address
        owed = auction.owed(me)
        if owed == 0:
            raise BidRefused(
                f"auction {auction.address} owes {me} nothing now "
                f"(state {auction.state().name}); nothing sent"
            )
        tx = auction.withdraw(session.sender)
    result = {"auction": auction.address, "to": me, "amount_wei": owed, **provider_tx_json(tx)}
    if as_json:
        print_json(result)
        return
    console.print(
        f"Withdrew {format_amount(owed)} from {auction.address} to {me}: gas {tx.gas_used}",
        highlight=False,
    )

