"""`saiaas auction ...`: the client's side of an auction, from the requirement file to the payout.

Glue only: each command resolves its options, opens the marketplace, calls one function of
`saiaas.market.client` and prints the result. A transaction the contract would refuse is dry-run
first and refused with the contract's reason, before anything is sent.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from saiaas.cli.errors import EXIT_INVALID
from saiaas.cli.options import READ, JsonOption, connection, open_market, parse_category
from saiaas.cli.output import (
    amount,
    console,
    err_console,
    fail,
    print_json,
    print_json_line,
    progress,
    reports_errors,
    waiting,
)
from saiaas.cli.units import format_amount, format_duration, parse_amount, parse_duration
from saiaas.cli.views import event_line, render_audit, render_status, render_violations
from saiaas.ontologies.errors import InputError, UsageError

if TYPE_CHECKING:
    from saiaas.market import Settings

__all__ = ["auction_app"]

auction_app = typer.Typer(
    help="The client's side: create an auction, follow it, audit bids, adjudicate, pay out.",
    no_args_is_help=True,
)

AuctionArg = Annotated[
    str, typer.Argument(help="Address of the auction (0x...).", show_default=False)
]


def _done(json_output: bool, line: str, payload: dict[str, Any]) -> None:
    if json_output:
        print_json(payload)
    else:
        console.print(f"{line} (gas {payload['gas_used']})", highlight=False, soft_wrap=True)


@auction_app.command("create")
@reports_errors
@connection()
def create(
    requirements: Annotated[
        Path, typer.Argument(help="The requirement file (Turtle).", show_default=False)
    ],
    reserve: Annotated[
        str | None,
        typer.Option("--reserve", show_default=False,
                     help="Escrow with its unit, e.g. 1ether or 0.8ether; default: the file's "
                          "reservePrice."),
    ] = None,
    duration: Annotated[
        str | None,
        typer.Option("--duration", show_default=False,
                     help="Bidding time, e.g. 90s, 2h, 3d; default: the file's biddingDuration."),
    ] = None,
    client_key: Annotated[
        str | None,
        typer.Option("--client-key", show_default=False,
                     help="Publish this client key (`saiaas client generate-key --name NAME`) "
                          "with the request: the trained model is sealed to it."),
    ] = None,
    json_output: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Validate REQUIREMENTS, store it, and open an auction with the reserve in escrow.

    An invalid file is refused with its violations (exit 1): nothing is stored or sent.
    Exit 2: bad --reserve/--duration; 3: a missing or unreadable file; 4: the chain refused.
    """
    from saiaas.market import client
    from saiaas.market.views import terms_json, tx_json

    reserve_wei = parse_amount(reserve, "--reserve") if reserve is not None else None
    duration_s = parse_duration(duration) if duration is not None else None
    from saiaas.cli.files import read_file

    data = read_file(requirements, "requirement", missing=InputError)
    if client_key is not None:
        from saiaas.market.learning_keys import client_public_key
        from saiaas.market.learning_terms import publish_client_key

        data = publish_client_key(data, str(requirements), client_public_key(client_key))
    try:
        with open_market(settings) as market:
            created = client.create_auction(market, data, str(requirements), reserve_wei,
                                            duration_s)
            info = created.auction.info()
    except client.InvalidRequirements as invalid:
        if json_output:
            print_json({"error": {"message": str(invalid), "exit_code": EXIT_INVALID,
                                  "kind": type(invalid).__name__},
                        "violations": invalid.report.as_dicts()})
        else:
            render_violations(invalid.report)
        raise fail(str(invalid), EXIT_INVALID) from None
    if json_output:
        print_json({**terms_json(info), **tx_json(created.tx)})
        return
    console.print(created.auction.address, highlight=False)
    err_console.print(
        f"[dim]requirements {info.requirements_cid}, reserve {format_amount(info.reserve)} in "
        f"escrow, bidding for {format_duration(created.terms.bidding_seconds)}, gas "
        f"{created.tx.gas_used}[/]",
        highlight=False,
        soft_wrap=True,
    )
    if client_key is None and b"clientPublicKey" not in data:
        # found out only at `provider train`, after every bond is locked: say it now
        err_console.print(
            "[dim]note: no --client-key, so the request publishes no key to seal a model to: "
            "`saiaas provider train` will refuse this auction (`saiaas client generate-key` "
            "makes one)[/]", highlight=False, soft_wrap=True)


@auction_app.command("list")
@reports_errors
@connection("rpc_url", "factory")
def list_auctions(settings: Settings, json_output: JsonOption = False) -> None:
    """The Factory's auctions, oldest first: address, state, client, time left."""
    from saiaas.market import client, readcache
    from saiaas.market.indexer import index_status, lag_text

    kept = readcache.lookup("auction list", {}, settings)
    if kept is not None:  # the chain file is as it was when this was answered
        rows, lag = readcache.answer(kept), kept["lag"]
    else:
        from contextlib import ExitStack

        with ExitStack() as opened:
            with waiting("Opening the chain", json_output):  # the index scan has its own bar
                market = opened.enter_context(open_market(settings))
                now, chain_now = market.pin_now()
            rows = client.list_auctions(market, progress(json_output))
            lag = index_status(market)
        readcache.store("auction list", {}, settings, market.chain.file_digest, rows, now,
                        chain_now, lag=lag)
    if json_output:
        print_json(rows)
        return
    err_console.print(f"[dim]{lag_text(lag)}[/]", highlight=False)
    if not rows:
        console.print("no auctions yet (create one: saiaas auction create FILE)")
        return
    console.print(f"[bold]{'auction':<42}  {'state':<11} {'time left':<9} client[/]")
    for row in rows:
        console.print(
            f"{row['address']}  {row['state']:<11} {format_duration(row['time_left_seconds']):<9} "
            f"{row['client']}",
            highlight=False,
            soft_wrap=True,
        )


@auction_app.command("status")
@reports_errors
@connection(*READ, "keystore", "account")
def status(
    auction: AuctionArg,
    match: Annotated[
        bool,
        typer.Option("--match/--no-match", help="Judge each best bid's asset with the matcher."),
    ] = True,
    json_output: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """State, time left, best and standing bids per category, the SLA, and what you are owed."""
    from saiaas.cli.units import parse_address
    from saiaas.market import readcache

    auction = parse_address(auction, "AUCTION")  # a wrong checksum is refused, kept answer or not
    asked = {"auction": auction.lower(), "match": match}
    kept = readcache.lookup("auction status", asked, settings)
    if kept is not None:  # the chain file is as it was when this was answered
        report = readcache.answer(kept)
    else:
        from saiaas.market.views import auction_status

        with waiting("Reading the auction", json_output), open_market(settings) as market:
            now, chain_now = market.pin_now()
            with market.chain.reading():  # nothing is sent: identical calls answered once
                report = auction_status(market, market.auction(auction), judge=match)
        readcache.store("auction status", asked, settings, market.chain.file_digest, report,
                        now, chain_now)
    if json_output:
        print_json(report)
        return
    render_status(report)


@auction_app.command("watch")
@reports_errors
@connection("rpc_url", "factory")
def watch(
    auction: AuctionArg,
    poll: Annotated[
        float, typer.Option("--poll", min=0.05, help="Seconds between two looks at the chain.")
    ] = 2.0,
    until_end: Annotated[
        bool,
        typer.Option("--until-end/--once",
                     help="Follow until bidding ends (default), or print the events so far and "
                          "stop."),
    ] = True,
    max_seconds: Annotated[
        float | None,
        typer.Option("--max-seconds", min=0, help="Stop after this long even if still open."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="One JSON object per event and line.")
    ] = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Print the auction's events as they happen, until bidding ends (a settlement included).

    On the embedded chain the chain file is locked while a command works, so each look opens
    the marketplace anew instead of holding it between looks."""
    from saiaas.market.views import event_json

    started = time.monotonic()
    next_block, address, deadline, ended = 0, auction, 0, False
    first = True
    while True:
        with open_market(settings) as market:
            handle = market.auction(address) if first else _reopen(market, address)
            if first:
                address, deadline, first = handle.address, handle.info().bidding_deadline, False
            for event in handle.events(next_block):
                _emit(event_json(event), json_output)
                next_block = max(next_block, event.block_number + 1)
            ended = handle.state().name != "BIDDING" or market.now() >= deadline
        if ended or not until_end:
            break
        if max_seconds is not None and time.monotonic() - started + poll > max_seconds:
            break
        time.sleep(poll)
    if not json_output:
        what = "bidding has ended" if ended else "still open"
        err_console.print(f"[dim]{address}: {what}[/]", highlight=False)


def _reopen(market: Any, address: str) -> Any:
    from saiaas.contracts import Auction

    return Auction(market.chain, address)


def _emit(event: dict[str, Any], json_output: bool) -> None:
    if json_output:
        print_json_line(event)
    else:
        console.print(
            f"[{event['block_number']}] {event_line(event)}", highlight=False, soft_wrap=True
        )
    sys.stdout.flush()


@auction_app.command("audit")
@reports_errors
@connection(*READ)
def audit(auction: AuctionArg, settings: Settings, json_output: JsonOption = False) -> None:
    """Re-run the matcher over every bid's asset description (fetched and re-hashed by CID).

    Exit 0 when every standing bid matches; 1 when some bid not yet disqualified does not.
    """
    from saiaas.market import client

    with open_market(settings) as market:
        handle = market.auction(auction)
        requirements, rows = client.audit(market, handle, progress(json_output))
    offending = [r for r in rows if not r["eligible"] and not r["disqualified"]]
    if json_output:
        print_json({
            "auction": handle.address,
            "requirements_cid": requirements.info.requirements_cid,
            "ontology_cid": requirements.info.ontology_cid,
            "bids": rows,
            "not_matching": len([r for r in rows if not r["eligible"]]),
        })
    else:
        render_audit(rows)
    if offending:
        raise typer.Exit(1)


@auction_app.command("disqualify")
@reports_errors
@connection()
def disqualify(
    auction: AuctionArg,
    category: Annotated[
        str, typer.Option("--category", help="data, algorithm or infrastructure.",
                          show_default=False),
    ],
    bidder: Annotated[
        str, typer.Option("--bidder", help="The bidder to disqualify: address or keystore name.",
                          show_default=False),
    ],
    reason_file: Annotated[
        Path | None,
        typer.Option("--reason-file", show_default=False,
                     help="The public reason to store (default: the audit's report on this bid)."),
    ] = None,
    json_output: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Reject a bid whose asset does not match, citing a stored reason (by CID)."""
    from saiaas.cli.units import parse_address
    from saiaas.market import client
    from saiaas.market.views import CATEGORY_NAMES, tx_json

    index = parse_category(category)
    who = parse_address(bidder, "--bidder", settings.keystore_dir)
    reason = None
    if reason_file is not None:
        from saiaas.cli.files import read_file

        reason = read_file(reason_file, "reason", missing=InputError)
    with open_market(settings) as market:
        handle = market.auction(auction)
        reason_cid, tx = client.disqualify(market, handle, index, who, reason)
    name = CATEGORY_NAMES[index]
    _done(json_output, f"disqualified {who} in {name}; reason {reason_cid}",
          {"auction": handle.address, "category": name, "bidder": who,
           "reason_cid": reason_cid, **tx_json(tx)})


def _closing(json_output: bool, handle: Any, tx: Any) -> None:
    from saiaas.market.views import sla_json, tx_json

    state, sla = handle.state().name, handle.sla()
    closes_at = handle.closes_at()
    payload = {"auction": handle.address, "state": state, "closes_at": closes_at,
               "sla": sla_json(sla) if sla else None, **tx_json(tx)}
    line = f"{handle.address}: {state}"
    if state == "BIDDING":
        line += (f"; close announced: bidding ends at unix {closes_at} (bids in flight still "
                 "land), then anyone may `saiaas auction settle`")
    _done(json_output, line, payload)
    if sla and not json_output:
        for w in payload["sla"]["winners"]:
            console.print(
                f"  {w['category']:<15} {w['provider']}  {amount(w['price_wei'])}  "
                f"{w['asset_cid']}",
                highlight=False,
            )


@auction_app.command("adjudicate")
@reports_errors
@connection("rpc_url", "factory", "keystore", "account", "password_file")
def adjudicate(
    auction: AuctionArg,
    force: Annotated[
        bool,
        typer.Option("--force", help="Adjudicate even if a category has no valid bid (it fails)."),
    ] = False,
    json_output: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Announce an early close (client only): bidding ends after the notice period, then settle.

    A bid already in flight still lands: the close comes NOTICE seconds after the announcement
    (or at the deadline if that is sooner). Past the close this settles at once and fixes the
    SLA: the best valid bid of each category."""
    from saiaas.market import client

    with open_market(settings) as market:
        handle = market.auction(auction)
        # the guard is for the client's sake; anyone else is refused by the contract itself
        is_client = market.caller.lower() == handle.info().client.lower()
        bidding = handle.state().name == "BIDDING"
        empty = client.empty_categories(handle) if is_client and bidding else []
        if empty and not force:
            raise client.Refused(
                f"no valid bid in {', '.join(empty)}: adjudicating now fails the auction "
                "(wait for bids, or pass --force)"
            )
        tx = client.adjudicate(market, handle)
        _closing(json_output, handle, tx)


@auction_app.command("settle")
@reports_errors
@connection("rpc_url", "factory", "keystore", "account", "password_file")
def settle(auction: AuctionArg, settings: Settings, json_output: JsonOption = False) -> None:
    """Fix the SLA once bidding has ended (anyone may; it is the automatic adjudication)."""
    from saiaas.market import client

    with open_market(settings) as market:
        handle = market.auction(auction)
        _closing(json_output, handle, client.settle(market, handle))


def _state_change(settings: Settings, auction: str, action: Any, state: str | None,
                  line: str | Callable[[Any, Any], str], json_output: bool) -> None:
    """Open the marketplace, run one of the client's actions on the auction, report the state
    (None: the state the auction is in afterwards, read from the chain)."""
    from saiaas.market.views import tx_json

    with open_market(settings) as market:
        handle = market.auction(auction)
        tx = action(market, handle)
        if state is None:
            state = handle.state().name
        if callable(line):
            line = line(market, handle)
    _done(json_output, f"{handle.address}: {state}{line}",
          {"auction": handle.address, "state": state, **tx_json(tx)})


@auction_app.command("acknowledge")
@reports_errors
@connection("rpc_url", "ipfs_api", "factory", "store", "keystore", "account", "password_file")
def acknowledge(
    auction: AuctionArg,
    settings: Settings,
    key: Annotated[str | None, typer.Option(
        "--key", show_default=False,
        help="Your client key's name; default: the one the request publishes.")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Pay even when a check of the delivery fails.")] = False,
    json_output: JsonOption = False,
) -> None:
    """Accept the delivered model (client only): winners' prices become withdrawable.

    Checks the delivery first and says what it found: the manifest verifies (signed by the
    SLA's infrastructure winner for this auction and chain), the model decrypts with your client
    key, and `saiaas client evaluate` recorded a passing verdict on it. A failed check refuses
    (exit 1, nothing sent) unless --force.
    """
    from saiaas.market import client
    from saiaas.market.delivery_checks import delivery_findings
    from saiaas.market.learning_terms import LearningRefused
    from saiaas.market.views import tx_json

    with open_market(settings) as market:
        handle = market.auction(auction)
        caller = market.caller
        findings: list[dict[str, Any]] = []
        state = handle.state().name
        is_client = caller.lower() == handle.info().client.lower()
        if is_client and state in _NOT_YET_DELIVERED:
            # the contract would only say "WrongState": say what is missing and who acts next
            from saiaas.contracts import ChainError

            raise ChainError(f"{handle.address} is {state}: {_NOT_YET_DELIVERED[state]}, so "
                             "there is nothing to acknowledge yet; nothing sent")
        if state == "DELIVERED" and is_client:
            findings = delivery_findings(market, handle, key)  # else the contract says why not
        failed = [f for f in findings if not f["ok"]]
        if not json_output:
            for f in findings:
                mark = "[green]ok[/]" if f["ok"] else "[red]FAILED[/]"
                err_console.print(f"  {mark} {f['check']}: {escape(f['detail'])}",
                                  highlight=False, soft_wrap=True)
        if failed and not force:
            raise LearningRefused(
                f"{handle.address}: not acknowledged ({failed[0]['check']}: "
                f"{failed[0]['detail']}); nothing sent; --force pays anyway")
        tx = client.acknowledge(market, handle)
    _done(json_output, f"{handle.address}: COMPLETED; winners may withdraw"
          + (" (acknowledged with --force despite a failed check)" if failed else ""),
          {"auction": handle.address, "state": "COMPLETED", "account": caller,
           "checks": findings, "forced": bool(failed), **tx_json(tx)})


#: Client-side acknowledge before a delivery: what is missing, and who acts next.
_NOT_YET_DELIVERED = {
    "BIDDING": "bidding is open, no winner has been chosen (`saiaas auction settle` after the "
               "deadline)",
    "ADJUDICATED": "no model has been delivered (the infrastructure winner delivers with "
                   "`saiaas provider train`; `saiaas auction status` shows when it has)",
}


@auction_app.command("cancel")
@reports_errors
@connection("rpc_url", "factory", "keystore", "account", "password_file")
def cancel(auction: AuctionArg, settings: Settings, json_output: JsonOption = False) -> None:
    """Recover the reserve (client only) after a failed auction or a missed delivery deadline."""
    from saiaas.market import client

    def then(market: Any, handle: Any) -> str:  # point to withdraw only when it pays
        owed = handle.owed(market.caller)
        if owed == 0:
            return "; nothing is owed to you"
        return f"; withdraw {format_amount(owed)} with `saiaas auction withdraw`"

    # the state comes from the chain: FORFEITED when the inputs had been confirmed
    _state_change(settings, auction, client.cancel, None, then, json_output)


@auction_app.command("withdraw")
@reports_errors
@connection("rpc_url", "factory", "keystore", "account", "password_file")
def withdraw(auction: AuctionArg, settings: Settings, json_output: JsonOption = False) -> None:
    """Withdraw what the auction owes you now (the unspent reserve, or a winner's pay)."""
    from saiaas.market import client
    from saiaas.market.views import tx_json

    with open_market(settings) as market:
        handle = market.auction(auction)
        owed, tx = client.withdraw(market, handle)
        caller = market.caller
    _done(json_output, f"withdrew {format_amount(owed)} from {handle.address} to {caller}",
          {"auction": handle.address, "to": caller, "amount_wei": owed, **tx_json(tx)})


# ------------------------------------------------------------------- restitution (issue 11)


@auction_app.command("reject")
@reports_errors
@connection("rpc_url", "ipfs_api", "factory", "store", "keystore", "account", "password_file")
def reject(
    auction: AuctionArg,
    reason: Annotated[
        Path, typer.Option("--reason-file", help="Your evaluation report (accuracy measured vs "
                           "required), stored and cited.", show_default=False)
    ],
    settings: Settings = None,  # type: ignore[assignment]
    json_output: JsonOption = False,
) -> None:
    """Reject the delivered model (client only, within the acknowledgment window).

    The dispute goes to the arbitrator named in the terms (you advance its fee); nobody is paid
    until it rules. Without an arbitrator this is refused: the timeouts decide. Exit codes: 0
    rejected, 4 refused (nothing sent)."""
    from saiaas.market import arbitration
    from saiaas.market.views import tx_json

    try:
        document = reason.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read --reason-file {reason}: {error.strerror}") from None
    with open_market(settings) as market:
        handle = market.auction(auction)
        cid, tx = arbitration.reject(market, handle, document)
    _done(json_output, f"{handle.address}: REJECTED (reason {cid}); the arbitrator decides",
          {"auction": handle.address, "state": "REJECTED", "reason_cid": cid, **tx_json(tx)})
