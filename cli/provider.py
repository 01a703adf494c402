"""`saiaas provider match|watch|bid|deliver|claim|withdraw`: the provider's side of an auction.

Glue only: the workflow (re-match before bidding, fetch requirement files by CID, the contract's
refusals before sending) is `saiaas.market.provider`; this module reads the files named on the
command line, prints tables and maps errors to exits.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from saiaas.cli.options import READ, JsonOption, connection, open_market, parse_category
from saiaas.cli.output import (
    amount,
    console,
    err_console,
    iri_tail,
    print_json,
    print_json_line,
    progress,
    reports_errors,
)
from saiaas.cli.units import format_amount, format_duration, parse_amount
from saiaas.ontologies.errors import InputError

if TYPE_CHECKING:
    from saiaas.market import Settings

__all__ = ["provider_app"]

provider_app = typer.Typer(
    help="Provider role: find the auctions your assets fit, bid, deliver, get paid.",
    no_args_is_help=True,
)

CatalogsArgument = Annotated[
    list[Path],
    typer.Argument(help="Catalog files (Turtle) describing your assets.", show_default=False),
]
AuctionArgument = Annotated[str, typer.Argument(metavar="AUCTION", help="Auction address.")]


def _read(path: Path, what: str) -> bytes:
    from saiaas.cli.files import read_file

    return read_file(path, what, missing=InputError)


def _load_catalogs(paths: list[Path]) -> Any:
    """Validated and merged catalogs; an invalid one prints its violations first."""
    from saiaas.market.provider import CatalogInvalid, load_catalogs

    try:
        return load_catalogs((str(p), _read(p, "catalog")) for p in paths)
    except CatalogInvalid as invalid:
        for violation in invalid.report.errors:
            err_console.print(f"  {escape(violation.location())}: {escape(violation.message)}",
                              highlight=False, soft_wrap=True)
        raise


def _print_rows(rows: list[dict[str, Any]], show_all: bool) -> None:
    """One small table per auction, so the rows fit an 80-column terminal."""
    from rich.table import Table

    by_auction: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_auction.setdefault(row["auction"], []).append(row)
    for address, group in by_auction.items():
        console.print(f"[bold]{address}[/]  {format_duration(group[0]['time_left_seconds'])} left",
                      highlight=False)
        terms = group[0].get("terms") or {}
        if terms:
            console.print(
                f"  [dim]ontology v{terms['ontology_version']}; delivery "
                f"{format_duration(terms['delivery_window_seconds'])}, acknowledgment "
                f"{format_duration(terms['acknowledgment_window_seconds'])}; disputes: "
                f"{escape(terms['dispute_resolution'])}[/]",
                highlight=False, soft_wrap=True)
            _print_record_terms(terms, group)
        table = Table(show_edge=False, pad_edge=False, box=None)
        for column in ("category", "asset", "degree", "max price", "bond", "base price"):
            table.add_column(column, no_wrap=column != "asset", overflow="fold")
        if show_all:
            table.add_column("eligible", no_wrap=True)
        for row in group:
            base = row["base_price_wei"]
            cells = [row["category"], iri_tail(row["asset"]), row["degree"],
                     amount(row["max_price_wei"]), amount(row["bond_wei"]),
                     amount(base) if base else "no bid"]
            if show_all:
                cells.append("yes" if row["eligible"] else "no")
            table.add_row(*(escape(str(c)) for c in cells))
        console.print(table)
        for row in group:
            if not row["eligible"]:
                why = "; ".join(row["reasons"]) or "not eligible"
                console.print(f"  [dim]{escape(iri_tail(row['asset']))}: {escape(why)}[/]",
                              highlight=False, soft_wrap=True)


def _print_record_terms(terms: dict[str, Any], group: list[dict[str, Any]]) -> None:
    """The record and references the auction asks for, and your record per category."""
    need = terms.get("required_record") or {}
    asks = []
    if need.get("min_completed"):
        asks.append(f"at least {need['min_completed']} completed auction(s)")
    if need.get("max_disputes_lost") is not None:
        asks.append(f"at most {need['max_disputes_lost']} dispute(s) lost")
    if int(terms.get("min_reference_value_wei") or 0):
        asks.append(f"references that paid at least {amount(terms['min_reference_value_wei'])}")
    mine = "; ".join(
        f"{row['category']}: {row['record']['completed']} completed, "
        f"{amount(row['record']['value_paid_wei'])} paid, {row['record']['disputes_lost']} lost"
        for row in {r["category"]: r for r in group if "record" in r}.values()
    )
    console.print(f"  [dim]asks {', '.join(asks) or 'no record'}; your record: "
                  f"{mine or 'none'}[/]", highlight=False, soft_wrap=True)


def _warn_skipped(skipped: list[dict[str, str]]) -> None:
    for item in skipped:
        err_console.print(f"[yellow]warning:[/] skipped {escape(item['reason'])}",
                          highlight=False, soft_wrap=True)


@provider_app.command("match")
@reports_errors
@connection(*READ)
def match(
    catalogs: CatalogsArgument,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list the assets that do not fit, with reasons.")
    ] = False,
    as_json: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """List the open auctions your catalog's assets are eligible for.

    Exit codes: 0 listed (possibly nothing), 1 invalid catalog, 3 unreadable input,
    4 chain unreachable, 5 store unreachable. An auction whose requirement file or ontology
    cannot be fetched is reported and skipped.
    """
    from saiaas.market import provider

    catalog = _load_catalogs(catalogs)
    from saiaas.market.indexer import index_status, lag_text

    with open_market(settings) as market:
        scanned, rows, skipped = provider.scan(market, catalog, show_all, progress(as_json))
        factory = market.factory.address
        lag = index_status(market)
    if as_json:
        print_json({"factory": factory, "matches": rows, "skipped": skipped, "index": lag})
        return
    err_console.print(f"[dim]{lag_text(lag)}[/]", highlight=False)
    _warn_skipped(skipped)
    if not rows:
        console.print(
            f"No open auction fits your assets ({scanned} auction{'s' if scanned != 1 else ''} "
            "scanned).",
            highlight=False,
        )
        return
    _print_rows(rows, show_all)


@provider_app.command("watch")
@reports_errors
@connection(*READ)
def watch(
    catalogs: CatalogsArgument,
    poll: Annotated[
        float, typer.Option("--poll", help="Seconds between two looks at the chain.", min=0.0)
    ] = 2.0,
    max_polls: Annotated[
        int | None,
        typer.Option("--max-polls", help="Stop after this many looks (default: Ctrl-C).", min=1),
    ] = None,
    as_json: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Follow new blocks and print each new open auction one of your assets is eligible for.

    The last block scanned is kept in <data dir>/watch-<factory>.json, so a restart resumes
    there. With --json each match is one JSON object per line. Stops on Ctrl-C or --max-polls.
    """
    from saiaas.market import data_dir, provider
    from saiaas.market.indexer import index_status, lag_text

    catalog = _load_catalogs(catalogs)
    polls = 0
    try:
        while True:
            # The marketplace is opened per look: the embedded chain is locked while it is open,
            # and other parties' commands must be able to run between two looks.
            with open_market(settings) as market:
                rows, skipped = provider.scan_new(market, catalog, data_dir())
                lag = index_status(market)
            for row in rows:
                _print_stream(row, as_json)
            if not as_json:
                _warn_skipped(skipped)
                if lag["behind"]:
                    err_console.print(f"[dim]{lag_text(lag)}[/]", highlight=False)
            polls += 1
            if max_polls is not None and polls >= max_polls:
                return
            time.sleep(poll)
    except KeyboardInterrupt:
        return


def _print_stream(row: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json_line(row)
        return
    base = amount(row["base_price_wei"]) if row["base_price_wei"] else "no bid"
    console.print(
        f"{row['auction']}  {row['category']}  {escape(iri_tail(row['asset']))}  {row['degree']}  "
        f"max {amount(row['max_price_wei'])}  base {base}  "
        f"{format_duration(row['time_left_seconds'])} left",
        highlight=False,
        soft_wrap=True,
    )


@provider_app.command("bid")
@reports_errors
@connection()
def bid(
    auction_address: AuctionArgument,
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
    as_json: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Bid on AUCTION with an asset the matcher finds eligible for the auction's request.

    An infrastructure bid also makes this auction's transfer key: its public half goes into the
    stored description (saiaas:transferPublicKey), its private half stays in <data
    dir>/transfer-keys/, encrypted with your password when there is one.

    Exit codes: 0 bid placed, 1 asset not eligible or catalog invalid (nothing sent), 2 bad
    price, 3 unknown asset or unreadable file, 4 the chain would refuse the bid (ended, above the
    max, not lower than your previous bid, client, references; nothing sent) or is unreachable,
    5 the store is unreachable or the requirement file cannot be fetched.
    """
    from saiaas.market import provider
    from saiaas.market.views import tx_json

    wei = parse_amount(price, "--price")
    graph = _load_catalogs(catalog)
    with open_market(settings) as market:
        handle = market.auction(auction_address)
        try:
            placed = provider.bid(market, handle, graph, asset, wei, list(reference or []))
        except provider.NotEligible as refusal:
            for reason in refusal.decision.reasons if refusal.decision else []:
                if reason.code not in provider.SATISFIED:
                    err_console.print(f"  {escape(reason.message)}", highlight=False,
                                      soft_wrap=True)
            raise
    result = {
        "auction": placed.auction, "category": placed.category, "asset": placed.asset,
        "asset_cid": placed.asset_cid, "degree": placed.degree, "bidder": placed.bidder,
        "price_wei": placed.price_wei, "base_price_wei": placed.base_price_wei,
        "best_bidder": placed.best_bidder, **tx_json(placed.tx),
    }
    if placed.transfer_public_key is not None:
        result["transfer_public_key"] = placed.transfer_public_key
    if placed.transfer_key_note is not None and not as_json:
        err_console.print(f"[yellow]note:[/] {escape(placed.transfer_key_note)}",
                          highlight=False, soft_wrap=True)
    if as_json:
        print_json(result)
        return
    console.print(
        f"Bid placed on {placed.auction} ({placed.category}, {escape(iri_tail(placed.asset))}, "
        f"{placed.degree}) at {format_amount(wei)}: gas {placed.tx.gas_used}, "
        f"base price now {format_amount(placed.base_price_wei or 0)}",
        highlight=False,
        soft_wrap=True,
    )


@provider_app.command("deliver")
@reports_errors
@connection()
def deliver(
    auction_address: AuctionArgument,
    model: Annotated[Path, typer.Option("--model", help="The delivery manifest (JSON) that "
                                        "`saiaas provider train` made.")],
    as_json: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Store a delivery manifest and deliver its CID (infrastructure winner, before the delivery
    deadline). `saiaas provider train` does this itself; this command re-delivers a manifest.

    A manifest is refused (exit 1, nothing sent) unless it verifies: saiaas delivery JSON whose
    report you signed for this auction and chain, its sealed model in the store.
    Exit codes: 0 delivered, 1 refused manifest, 3 unreadable model file, 4 refused (not
    adjudicated, not the infrastructure winner, deadline passed; nothing sent) or chain
    unreachable, 5 store error.
    """
    from saiaas.cli.files import MAX_CONTENT_BYTES, read_file
    from saiaas.market import provider
    from saiaas.market.delivery_checks import check_manifest
    from saiaas.market.views import tx_json
    from saiaas.ontologies.errors import InputError

    data = read_file(model, "model", MAX_CONTENT_BYTES, missing=InputError)
    with open_market(settings) as market:
        handle = market.auction(auction_address)
        if _may_deliver(handle, market.caller):  # the chain's refusals first, then the file's
            check_manifest(market, handle, data, market.caller)
        model_cid, tx = provider.deliver(market, handle, data)
    result = {"auction": handle.address, "model_cid": model_cid, **tx_json(tx)}
    if as_json:
        print_json(result)
        return
    console.print(f"Model {model_cid} delivered to {handle.address}: gas {tx.gas_used}",
                  highlight=False)


def _may_deliver(handle: Any, caller: str) -> bool:
    """Whether the chain would take a delivery from `caller` now (adjudicated, infrastructure
    winner); when not, `provider.deliver` refuses in the contract's words."""
    from saiaas.contracts import AuctionState

    sla = handle.sla() if handle.state() is AuctionState.ADJUDICATED else None
    return sla is not None and sla.winners[2].bidder.lower() == caller.lower()


@provider_app.command("claim")
@reports_errors
@connection("rpc_url", "factory", "keystore", "account", "password_file")
def claim(
    auction_address: AuctionArgument, settings: Settings, as_json: JsonOption = False
) -> None:
    """Get paid when the client stays silent past the acknowledgment window (winners only).

    Exit codes: 0 claimed, 4 refused (not delivered, not a winner, window still open; nothing
    sent) or chain unreachable.
    """
    from saiaas.market import provider
    from saiaas.market.views import tx_json

    with open_market(settings) as market:
        handle = market.auction(auction_address)
        owed, tx = provider.claim(market, handle)
        me = market.caller
    result = {"auction": handle.address, "claimed_by": me, "owed_wei": owed, **tx_json(tx)}
    if as_json:
        print_json(result)
        return
    console.print(f"Claimed {handle.address}: gas {tx.gas_used}; {format_amount(owed)} now "
                  "withdrawable (`saiaas provider withdraw`)", highlight=False)


@provider_app.command("withdraw")
@reports_errors
@connection("rpc_url", "factory", "keystore", "account", "password_file")
def withdraw(
    auction_address: AuctionArgument, settings: Settings, as_json: JsonOption = False
) -> None:
    """Withdraw what the auction owes you now (your winning price once the model is accepted).

    Exit codes: 0 paid, 4 nothing owed (nothing sent) or chain unreachable.
    """
    from saiaas.market import provider
    from saiaas.market.views import tx_json

    with open_market(settings) as market:
        handle = market.auction(auction_address)
        owed, tx = provider.withdraw(market, handle)
        me = market.caller
    result = {"auction": handle.address, "to": me, "amount_wei": owed, **tx_json(tx)}
    if as_json:
        print_json(result)
        return
    console.print(f"withdrew {format_amount(owed)} from {handle.address} to {me} (gas "
                  f"{tx.gas_used})", highlight=False)


# ------------------------------------------------------------------- restitution (issue 11)


@provider_app.command("confirm-inputs")
@reports_errors
@connection("rpc_url", "ipfs_api", "factory", "store", "keystore", "account", "password_file")
def confirm_inputs(
    auction_address: AuctionArgument,
    settings: Settings,
    data_cid: Annotated[
        str | None, typer.Option("--data", help="CID of the sealed data received (default: the "
                                 "SLA's data asset).", show_default=False)
    ] = None,
    algorithm_cid: Annotated[
        str | None, typer.Option("--algorithm", help="CID of the sealed algorithm received "
                                 "(default: the SLA's algorithm asset).", show_default=False)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Confirm on chain that you received the sealed data and algorithm (infrastructure winner).

    From then on the data and algorithm winners are owed their price whatever happens to the
    model; should you not deliver, your bond is forfeited to them first. Exit codes: 0
    confirmed, 4 refused (not the infrastructure winner, already confirmed, deadline passed;
    nothing sent).
    """
    from saiaas.market import arbitration
    from saiaas.market.views import tx_json

    with open_market(settings) as market:
        handle = market.auction(auction_address)
        data, algorithm, tx = arbitration.confirm_inputs(market, handle, data_cid, algorithm_cid)
    result = {"auction": handle.address, "data_cid": data, "algorithm_cid": algorithm,
              **tx_json(tx)}
    if as_json:
        print_json(result)
        return
    console.print(f"Confirmed the inputs of {handle.address} (data {data}, algorithm "
                  f"{algorithm}): gas {tx.gas_used}; their winners are now owed their price",
                  highlight=False, soft_wrap=True)


def _dispute_reason(path: Path | None) -> bytes | None:
    return None if path is None else _read(path, "reason")


@provider_app.command("appeal")
@reports_errors
@connection("rpc_url", "ipfs_api", "factory", "store", "keystore", "account", "password_file")
def appeal(
    auction_address: AuctionArgument,
    category: Annotated[str, typer.Argument(help="data, algorithm or infrastructure.")],
    settings: Settings,
    reason: Annotated[
        Path | None, typer.Option("--reason-file", help="File stating why the disqualification is "
                                  "wrong (stored; default: your bid and asset).",
                                  show_default=False)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Appeal your disqualification to the auction's arbitrator (within the appeal window).

    You advance the arbitration fee; upheld, the client owes you your bid price. Exit codes: 0
    appealed, 4 refused (no arbitrator, not disqualified, window closed; nothing sent).
    """
    from saiaas.market import arbitration
    from saiaas.market.views import tx_json

    index = parse_category(category)
    document = _dispute_reason(reason)
    with open_market(settings) as market:
        handle = market.auction(auction_address)
        cid, tx = arbitration.appeal(market, handle, index, document)
    result = {"auction": handle.address, "category": category, "reason_cid": cid, **tx_json(tx)}
    if as_json:
        print_json(result)
        return
    console.print(f"Appealed your {category} disqualification in {handle.address} (reason "
                  f"{cid}): gas {tx.gas_used}; the arbitrator decides", highlight=False,
                  soft_wrap=True)


@provider_app.command("dispute")
@reports_errors
@connection("rpc_url", "ipfs_api", "factory", "store", "keystore", "account", "password_file")
def dispute(
    auction_address: AuctionArgument,
    settings: Settings,
    reason: Annotated[
        Path | None, typer.Option("--reason-file", help="Proof of sending your sealed input "
                                  "(stored; default: the SLA's asset CIDs).",
                                  show_default=False)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Dispute a missing confirmation of your inputs (data or algorithm winner).

    After the confirmation window, if the infrastructure winner has not confirmed receiving
    your sealed input; upheld, it counts as confirmed and you are owed your price. Exit codes:
    0 disputed, 4 refused (no arbitrator, confirmed already, window open; nothing sent).
    """
    from saiaas.market import arbitration
    from saiaas.market.views import tx_json

    document = _dispute_reason(reason)
    with open_market(settings) as market:
        handle = market.auction(auction_address)
        cid, tx = arbitration.dispute_confirmation(market, handle, document)
    result = {"auction": handle.address, "reason_cid": cid, **tx_json(tx)}
    if as_json:
        print_json(result)
        return
    console.print(f"Disputed the missing confirmation in {handle.address} (reason {cid}): gas "
                  f"{tx.gas_used}; the arbitrator decides", highlight=False, soft_wrap=True)


# ------------------------------------------------------------------- learning phase (issue 15)


@provider_app.command("send")
@reports_errors
@connection("rpc_url", "ipfs_api", "factory", "store", "keystore", "account")
def send(
    auction_address: AuctionArgument,
    content: Annotated[Path, typer.Option(
        "--content", show_default=False,
        help="Your asset's content: the file whose CID your catalog states as saiaas:contentCID.")],
    as_json: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Seal your content to the infrastructure winner and store it (data or algorithm winner).

    Checks that the acting account won data or algorithm on the SLA and that the file is the
    saiaas:contentCID its winning description committed; seals it to the transfer key the
    infrastructure winner published in its bid; prints the sealed CID to hand to it. Nothing is
    sent on chain. Exit codes: 0 stored, 1 refused (not a content winner, wrong file; nothing
    stored), 3 unreadable file, 4 chain, 5 store.
    """
    from saiaas.cli.files import MAX_CONTENT_BYTES, read_file
    from saiaas.market.handover import send as send_content
    from saiaas.ontologies.errors import InputError

    data = read_file(content, "content", MAX_CONTENT_BYTES, missing=InputError)
    with open_market(settings) as market:
        handle = market.auction(auction_address)
        result = send_content(market, handle, data, str(content))
    if as_json:
        print_json(result)
        return
    console.print(result["sealed_cid"], highlight=False)
    err_console.print(
        f"[dim]{result['category']} content {result['content_cid']} sealed to the infrastructure "
        f"winner {result['infrastructure_winner']}; next: {escape(result['next'])}[/]",
        highlight=False, soft_wrap=True)


@provider_app.command("train")
@reports_errors
@connection()
def train(
    auction_address: AuctionArgument,
    data: Annotated[str, typer.Option(
        "--data", show_default=False,
        help="Sealed CID the data winner's `provider send` printed.")],
    algorithm: Annotated[str, typer.Option(
        "--algorithm", show_default=False,
        help="Sealed CID the algorithm winner's `provider send` printed.")],
    as_json: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Train and deliver (infrastructure winner): unseal both inputs with this auction's transfer
    key, check each against the content CID its winning bid committed, confirm them on chain when
    the terms name an arbitrator, train in the isolated worker, seal the model to the client's
    published key, sign the report and deliver the manifest's CID on chain.

    Exit codes: 0 delivered, 1 refused (not the winner, an input that is not the committed one,
    no client key, training failed; nothing delivered), 3 key or password, 4 chain, 5 store.
    """
    from saiaas.market.handover import train as train_and_deliver
    from saiaas.market.views import tx_json

    with open_market(settings) as market:
        handle = market.auction(auction_address)
        trained = train_and_deliver(market, handle, data, algorithm)
    result = {**trained.result, **tx_json(trained.deliver_tx)}
    if trained.confirm_tx is not None:
        result["confirm_inputs"] = tx_json(trained.confirm_tx)
    if as_json:
        print_json(result)
        return
    metrics = ", ".join(f"{k} {v}" for k, v in sorted(trained.result["metrics"].items())
                        if isinstance(v, int | float))
    console.print(f"manifest {result['manifest_cid']} delivered to {handle.address} (gas "
                  f"{result['gas_used']}); model {result['model_cid']} sealed to the client's "
                  f"key; {metrics}", highlight=False, soft_wrap=True)
    err_console.print(f"[dim]next: the client runs `saiaas client evaluate {handle.address} "
                      "--held-out FILE`[/]", highlight=False, soft_wrap=True)
