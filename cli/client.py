"""`saiaas auction ...`: the client's side of an auction, from the requirement file to the payout.

Every command that sends a transaction first reads the views it needs (caller, state, deadline,
amount owed) and refuses with one line when the contract would revert, so a person never pays
gas for a transaction the command could have known would fail. On the embedded chain the session
holds a lock on the chain file, so `watch` opens a fresh session per poll instead of holding it.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from saiaas.cli._chainview import (
    CATEGORY_NAMES,
    auction_tx_json,
    event_json,
    event_line,
    parse_category,
    sla_json,
)
from saiaas.cli._common import console, err_console, print_json, reports_errors, track_progress
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
    resolve,
)
from saiaas.cli.context import command_session
from saiaas.cli.units import format_amount, format_duration, parse_amount, parse_duration
from saiaas.ontologies.errors import (
    EXIT_CHAIN,
    EXIT_INPUT,
    EXIT_INVALID,
    EXIT_USAGE,
    SaiaasError,
)

if TYPE_CHECKING:
    from saiaas.cli.context import Session
    from saiaas.contracts import Auction, AuctionInfo
    from saiaas.matcher import Matcher
    from saiaas.ontologies.requests import Request

__all__ = [
    "auction_app",
    "Refused",
    "create",
    "list_auctions",
    "status",
    "watch",
    "audit",
    "disqualify",
    "adjudicate",
    "settle",
    "acknowledge",
    "cancel",
    "withdraw",
    "parse_category",
]

auction_app = typer.Typer(
    help="The client's side: create an auction, follow it, audit bids, adjudicate, pay out.",
    no_args_is_help=True,
)
app.add_typer(auction_app, name="auction")

#: Restitution windows used when the requirement file states none (the contract needs both).
DEFAULT_DELIVERY_SECONDS = 7 * 86400
DEFAULT_ACKNOWLEDGMENT_SECONDS = 2 * 86400


class Refused(SaiaasError):
    """The command can tell in advance that the contract would revert: nothing is sent."""

    exit_code = EXIT_CHAIN


class ClientInputError(SaiaasError):
    exit_code = EXIT_INPUT


class ClientUsageError(SaiaasError):
    exit_code = EXIT_USAGE


AuctionArg = Annotated[
    str, typer.Argument(help="Address of the auction (0x...).", show_default=False)
]


def _checksum(text: str, what: str) -> str:
    from eth_utils import is_address, to_checksum_address

    if not is_address(text):
        raise ClientUsageError(f"{what} {text!r} is not an EVM address (0x and 40 hex digits)")
    return str(to_checksum_address(text))


def _now(session: Session) -> int:
    """When the next block will be mined, near enough: the embedded chain mines no idle blocks."""
    return max(session.chain.now(), int(time.time()))


def _open_auction(session: Session, address: str) -> Auction:
    from saiaas.contracts import ChainError

    checked = _checksum(address, "auction")
    session.factory  # noqa: B018 (a missing Factory or dead node is named before the address)
    try:
        return session.auction(checked)
    except ChainError as error:
        if "another Factory" in str(error):
            raise
        raise ChainError(
            f"{checked} is not an auction of Factory {session.factory.address} "
            f"({error}; see `saiaas auction list`)"
        ) from None


def caller_address(session: Session) -> str:
    """Who the command acts as, without unlocking a keystore (views need no key)."""
    wanted = session.settings.account
    if wanted is None:
        accounts = session.chain.accounts
        if not accounts:
            from saiaas.cli.context import AccountError

            raise AccountError("the node holds no account: pass --account with a keystore name")
        return str(accounts[0])
    if wanted.startswith("0x") and len(wanted) == 42:
        return _checksum(wanted, "account")
    from saiaas.cli.context import AccountError, keystore_file

    path = keystore_file(session.settings, wanted)
    try:
        return _checksum(
            "0x" + json.loads(path.read_text())["address"].removeprefix("0x"), "account"
        )
    except (OSError, ValueError, KeyError, AttributeError) as error:
        raise AccountError(f"{path}: not a keystore file ({error})") from None


def _require_client(info: AuctionInfo, caller: str, action: str) -> None:
    if caller.lower() != info.client.lower():
        raise Refused(
            f"only the auction's client {info.client} may {action}; you act as {caller} "
            "(pass --account)"
        )


def _settled(auction: Auction) -> bool:
    from saiaas.contracts import AuctionSettled

    return any(isinstance(e, AuctionSettled) for e in auction.events())


def _ether(wei: int | None) -> str:
    return "-" if wei is None else format_amount(wei)


# ---------------------------------------------------------------------------------- judging bids


@dataclass(frozen=True)
class Verdict:
    """The matcher's judgement of one bid's asset description (or why it could not be judged)."""

    degree: str | None
    eligible: bool
    reasons: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"degree": self.degree, "eligible": self.eligible, "reasons": self.reasons}


class Judge:
    """Fetches the auction's requirement file and ontology by CID once, then judges bids."""

    def __init__(self, session: Session, info: AuctionInfo):
        self.session = session
        self.info = info

    @cached_property
    def request(self) -> Request:
        from rdflib import Graph
        from saiaas.ontologies.requests import parse_request

        data = self.session.store.get(self.info.requirements_cid)
        graph = Graph()
        try:
            graph.parse(data=data, format="turtle")
        except Exception as error:  # rdflib raises many parser types
            raise ClientInputError(
                f"requirement file {self.info.requirements_cid} is not Turtle: "
                f"{str(error).splitlines()[0][:160]}"
            ) from None
        return parse_request(graph)

    @cached_property
    def matcher(self) -> Matcher:
        from saiaas.matcher import Matcher
        from saiaas.ontologies import ontology_bytes
        from saiaas.storage import NotFound, cid_of, same_cid

        cid = self.info.ontology_cid
        try:
            data = self.session.store.get(cid)
        except NotFound:
            packaged = ontology_bytes()
            if not same_cid(cid_of(packaged), cid):
                raise
            data = packaged  # the packaged ontology is the one the auction names
        return Matcher.for_ontology(data, cid=cid)

    def judge(self, category: int, asset_cid: str) -> Verdict:
        """Never raises for a bad bid: what cannot be fetched or read is a failing verdict."""
        try:
            return self._judge(category, asset_cid)
        except SaiaasError as error:
            return Verdict(None, False, [{"code": "unverifiable", "message": str(error)}])

    def _judge(self, category: int, asset_cid: str) -> Verdict:
        from rdflib import Graph
        from saiaas.ontologies.requests import Category as RequestCategory

        spec = self.request.specs[list(RequestCategory)[category]]
        data = self.session.store.get(asset_cid)
        graph = Graph()
        try:
            graph.parse(data=data, format="nt")
        except Exception as error:  # rdflib raises many parser types
            raise ClientInputError(
                f"asset description {asset_cid} is not N-Triples: "
                f"{str(error).splitlines()[0][:160]}"
            ) from None
        assets = self.matcher.assets(graph)
        if len(assets) != 1:
            raise ClientInputError(
                f"asset description {asset_cid} describes {len(assets)} assets, expected one"
            )
        decision = self.matcher.match(spec, assets[0])
        return Verdict(decision.degree, decision.eligible, [r.as_dict() for r in decision.reasons])


# ---------------------------------------------------------------------------------- create


@auction_app.command("create")
@reports_errors
def create(
    requirements: Annotated[
        Path, typer.Argument(help="The requirement file (Turtle).", show_default=False)
    ],
    reserve: Annotated[
        str | None,
        typer.Option(
            "--reserve",
            help="Escrow, e.g. 1ether or 0.8 (ether); default: the file's reservePrice.",
            show_default=False,
        ),
    ] = None,
    duration: Annotated[
        str | None,
        typer.Option(
            "--duration",
            help="Bidding time, e.g. 90s, 2h, 3d; default: the file's biddingDuration.",
            show_default=False,
        ),
    ] = None,
    json_output: JsonOption = False,
    rpc_url: RpcUrlOption = None,
    ipfs_api: IpfsApiOption = None,
    factory: FactoryOption = None,
    keystore: KeystoreOption = None,
    account: AccountOption = None,
    store: StoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Validate REQUIREMENTS, store it, and open an auction with the reserve in escrow.

    An invalid file is refused with its violations (exit 1): nothing is stored or sent.
    Exit 2: bad --reserve/--duration; 3: unreadable file; 4: the chain refused.
    """
    reserve_wei = parse_amount(reserve) if reserve is not None else None
    duration_s = parse_duration(duration) if duration is not None else None
    if not requirements.is_file():
        what = "is a directory" if requirements.is_dir() else "does not exist"
        raise ClientUsageError(f"{requirements} {what}; expected a requirement file (Turtle)")
    try:
        data = requirements.read_bytes()
    except OSError as error:
        raise ClientInputError(f"{requirements}: cannot read it ({error.strerror})") from None

    from saiaas.shapes import validate

    report = validate(data, "request", name=str(requirements))
    if not report.conforms:
        _refuse_invalid(report, json_output)

    from rdflib import Graph
    from saiaas.ontologies.requests import parse_request

    graph = Graph()
    graph.parse(data=data, format="turtle")  # validation parsed it already
    request = parse_request(graph)
    max_prices = []
    for category, spec in request.specs.items():
        if not spec.max_price_wei:
            raise ClientInputError(
                f"{requirements}: {spec.iri} has no saiaas:maxPrice; the auction needs one for "
                f"the {category.value} category"
            )
        max_prices.append(spec.max_price_wei)
    total = sum(max_prices)
    escrow = request.reserve_wei if reserve_wei is None else reserve_wei
    if escrow < total:
        where = "--reserve" if reserve_wei is not None else f"{requirements} reservePrice"
        raise Refused(
            f"{where} {format_amount(escrow)} is below the sum of the max prices "
            f"{format_amount(total)} ({' + '.join(format_amount(p) for p in max_prices)})"
        )
    bidding = request.bidding_seconds if duration_s is None else duration_s
    delivery = request.delivery_seconds or DEFAULT_DELIVERY_SECONDS
    acknowledgment = request.acknowledgment_seconds or DEFAULT_ACKNOWLEDGMENT_SECONDS
    for name, seconds in (("bidding", bidding), ("delivery", delivery), ("ack", acknowledgment)):
        if not 0 < seconds < 2**32:
            raise Refused(f"the {name} window {seconds}s is outside 1 s .. 2**32-1 s")
    if request.references_required > 16:
        raise Refused(f"referencesRequired {request.references_required} is above the cap of 16")

    with command_session(
        rpc_url=rpc_url,
        ipfs_api=ipfs_api,
        factory=factory,
        keystore=keystore,
        account=account,
        store=store,
        password_file=password_file,
    ) as session:
        the_factory = session.factory
        caller = caller_address(session)
        balance = session.chain.balance(caller)
        if balance < escrow:
            raise Refused(
                f"{caller} holds {format_amount(balance)}, less than the reserve "
                f"{format_amount(escrow)} (fund it: `saiaas account fund {caller} AMOUNT`)"
            )
        sender = session.sender
        requirements_cid = session.store.put(data)
        auction, tx = the_factory.create_auction(
            sender,
            requirements_cid=requirements_cid,
            max_prices=(max_prices[0], max_prices[1], max_prices[2]),
            reserve=escrow,
            bidding_seconds=bidding,
            delivery_seconds=delivery,
            acknowledgment_seconds=acknowledgment,
            min_references=request.references_required,
        )
        info = auction.info()
    if json_output:
        print_json(
            {
                "address": auction.address,
                "client": info.client,
                "factory": info.factory,
                "requirements_cid": info.requirements_cid,
                "ontology_cid": info.ontology_cid,
                "ontology_version": info.ontology_version,
                "reserve": info.reserve,
                "max_prices": dict(zip(CATEGORY_NAMES, info.max_prices, strict=True)),
                "deadline": info.bidding_deadline,
                "delivery_window": info.delivery_window,
                "acknowledgment_window": info.acknowledgment_window,
                "min_references": info.min_references,
                **auction_tx_json(tx),
            }
        )
        return
    console.print(auction.address, highlight=False)
    err_console.print(
        f"[dim]requirements {info.requirements_cid}, reserve {format_amount(info.reserve)} in "
        f"escrow, bidding for {format_duration(bidding)}, gas {tx.gas_used}[/]",
        highlight=False,
        soft_wrap=True,
    )


def _refuse_invalid(report: Any, json_output: bool) -> None:
    from rich.markup import escape

    if json_output:
        print_json({"created": False, "violations": report.as_dicts()})
    else:
        for v in report.errors:
            about = " ".join(escape(x) for x in (v.subject, v.property) if x)
            err_console.print(
                f"[bold]{escape(v.location())}[/]  {about}\n  [red]{escape(v.message)}[/]",
                highlight=False,
                soft_wrap=True,
            )
        n = len(report.errors)
        err_console.print(
            f"[bold red]error:[/] {escape(report.file)}: invalid requirement file, {n} "
            f"violation{'s' if n != 1 else ''}; no auction created",
            highlight=False,
            soft_wrap=True,
        )
    raise typer.Exit(EXIT_INVALID)


# ---------------------------------------------------------------------------------- list & status


@auction_app.command("list")
@reports_errors
def list_auctions(
    json_output: JsonOption = False,
    rpc_url: RpcUrlOption = None,
    factory: FactoryOption = None,
) -> None:
    """The Factory's auctions, oldest first: address, state, client, time left."""
    from saiaas.contracts import Auction

    rows = []
    with command_session(rpc_url=rpc_url, factory=factory) as session:
        the_factory = session.factory
        created = the_factory.auctions()
        now = _now(session)
        for event in track_progress(created, "Reading auctions", json_output):
            auction = Auction(session.chain, event.auction, factory=the_factory)
            rows.append(
                {
                    "address": auction.address,
                    "state": auction.state().name,
                    "client": event.client,
                    "requirements_cid": event.requirements_cid,
                    "deadline": event.bidding_deadline,
                    "time_left": max(0, event.bidding_deadline - now),
                }
            )
        for row in rows:
            if row["state"] != "BIDDING":
                row["time_left"] = 0
    if json_output:
        print_json(rows)
        return
    if not rows:
        console.print("no auctions yet (create one: saiaas auction create FILE)")
        return
    console.print(f"[bold]{'auction':<42}  {'state':<11} {'time left':<9} client[/]")
    for row in rows:
        console.print(
            f"{row['address']}  {row['state']:<11} {format_duration(row['time_left']):<9} "
            f"{row['client']}",
            highlight=False,
            soft_wrap=True,
        )


@auction_app.command("status")
@reports_errors
def status(
    auction: AuctionArg,
    match: Annotated[
        bool,
        typer.Option("--match/--no-match", help="Judge each best bid's asset with the matcher."),
    ] = True,
    json_output: JsonOption = False,
    rpc_url: RpcUrlOption = None,
    ipfs_api: IpfsApiOption = None,
    factory: FactoryOption = None,
    keystore: KeystoreOption = None,
    account: AccountOption = None,
    store: StoreOption = None,
) -> None:
    """State, time left, best and standing bids per category, the SLA, and what you are owed."""
    with command_session(
        rpc_url=rpc_url,
        ipfs_api=ipfs_api,
        factory=factory,
        keystore=keystore,
        account=account,
        store=store,
    ) as session:
        handle = _open_auction(session, auction)
        report = _status_report(session, handle, match)
    if json_output:
        print_json(report)
        return
    _render_status(report)


def _status_report(session: Session, auction: Auction, match: bool) -> dict[str, Any]:
    info = auction.info()
    state = auction.state()
    now = _now(session)
    judge = Judge(session, info) if match else None
    events = auction.events()  # one scan for the bidders of every category and the history
    history = [event_json(e) for e in events if type(e).__name__.startswith("Bid")]
    categories = []
    for index, name in enumerate(CATEGORY_NAMES):
        best = auction.best_bid(index)
        bidders = dict.fromkeys(
            e["bidder"] for e in history if e["event"] == "BidPlaced" and e["category"] == name
        )
        standing = [b for b in (auction.bid_of(index, a) for a in bidders) if b is not None]
        bids = sorted(standing, key=lambda b: (b.price, b.seq))
        best_json = None
        if best is not None:
            best_json = {"bidder": best.bidder, "price": best.price, "asset_cid": best.asset_cid}
            if judge is not None:
                best_json.update(judge.judge(index, best.asset_cid).as_dict())
        categories.append(
            {
                "category": name,
                "max_price": info.max_prices[index],
                "best": best_json,
                "bids": [
                    {
                        "bidder": b.bidder,
                        "price": b.price,
                        "asset_cid": b.asset_cid,
                        "disqualified": b.disqualified,
                        "seq": b.seq,
                    }
                    for b in bids
                ],
            }
        )
    sla = auction.sla()
    caller = caller_address(session)
    return {
        "address": auction.address,
        "state": state.name,
        "client": info.client,
        "factory": info.factory,
        "requirements_cid": info.requirements_cid,
        "ontology_cid": info.ontology_cid,
        "reserve": info.reserve,
        "deadline": info.bidding_deadline,
        "time_left": 0 if state.name != "BIDDING" else max(0, info.bidding_deadline - now),
        "categories": categories,
        "sla": sla_json(sla) if sla is not None else None,
        "history": history,
        "caller": caller,
        "owed": auction.owed(caller),
        "balance": auction.balance(),
    }


def _render_status(report: dict[str, Any]) -> None:
    from rich.markup import escape

    left = f", {format_duration(report['time_left'])} left" if report["time_left"] else ""
    console.print(
        f"[bold]{report['address']}[/]  {report['state']}{left}  reserve "
        f"{format_amount(report['reserve'])}  client {report['client']}",
        highlight=False,
        soft_wrap=True,
    )
    console.print(f"requirements {report['requirements_cid']}", highlight=False)
    for cat in report["categories"]:
        best = cat["best"]
        console.print(
            f"[bold]{cat['category']}[/] (max {_ether(cat['max_price'])})",
            highlight=False,
        )
        if not cat["bids"]:
            console.print("  no bid yet", highlight=False)
        for bid in cat["bids"]:
            is_best = best is not None and bid["bidder"] == best["bidder"]
            note = "disqualified" if bid["disqualified"] else ("best" if is_best else "")
            if is_best and "eligible" in best:
                note += f", {best['degree'] or 'unverified'}"
                if not best["eligible"]:
                    reasons = best.get("reasons") or []
                    note += ", not eligible" + (f": {reasons[0]['message']}" if reasons else "")
            console.print(
                f"  {'*' if is_best else ' '} {bid['bidder']}  {_ether(bid['price']):<12} "
                f"asset {bid['asset_cid']}  {escape(note)}",
                highlight=False,
                soft_wrap=True,
            )
    if report["sla"]:
        sla = report["sla"]
        console.print(f"[bold]SLA[/] total {format_amount(sla['total_price'])}", highlight=False)
        for w in sla["winners"]:
            console.print(
                f"  {w['category']:<15} {w['provider']}  {_ether(w['price'])}  {w['asset']}",
                highlight=False,
            )
        if sla["model_cid"]:
            console.print(f"  model {sla['model_cid']}", highlight=False)
    console.print(f"owed to {report['caller']}: {format_amount(report['owed'])}", highlight=False)


# ---------------------------------------------------------------------------------- watch


@auction_app.command("watch")
@reports_errors
def watch(
    auction: AuctionArg,
    poll: Annotated[
        float, typer.Option("--poll", min=0.05, help="Seconds between two looks at the chain.")
    ] = 2.0,
    until_end: Annotated[
        bool,
        typer.Option(
            "--until-end/--once",
            help="Follow until bidding ends (default), or print the events so far and stop.",
        ),
    ] = True,
    max_seconds: Annotated[
        float | None,
        typer.Option("--max-seconds", min=0, help="Stop after this long even if still open."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="One JSON object per event and line.")
    ] = False,
    rpc_url: RpcUrlOption = None,
    factory: FactoryOption = None,
) -> None:
    """Print the auction's events as they happen, until bidding ends (a settlement included)."""
    from saiaas.cli.context import open_session

    settings = resolve(rpc_url=rpc_url, factory=factory)
    started = time.monotonic()
    next_block = 0
    address: str | None = None
    deadline = 0
    while True:
        with open_session(settings) as session:
            if address is None:  # checked once; later polls only read
                handle = _open_auction(session, auction)
                address, deadline = handle.address, handle.info().bidding_deadline
            else:
                from saiaas.contracts import Auction

                handle = Auction(session.chain, address)
            for event in handle.events(next_block):
                _emit(event_json(event), json_output)
                next_block = max(next_block, event.block_number + 1)
            ended = handle.state().name != "BIDDING" or _now(session) >= deadline
        if ended or not until_end:
            break
        if max_seconds is not None and time.monotonic() - started + poll > max_seconds:
            break
        time.sleep(poll)
    if not json_output:
        what = "bidding has ended" if ended else "still open"
        err_console.print(f"[dim]{address}: {what}[/]", highlight=False)


def _emit(event: dict[str, Any], json_output: bool) -> None:
    if json_output:
        sys.stdout.write(json.dumps(event, default=str) + "\n")
    else:
        console.print(
            f"[{event['block_number']}] {event_line(event)}", highlight=False, soft_wrap=True
        )
    sys.stdout.flush()


# ---------------------------------------------------------------------------------- audit


def _audit_rows(
    session: Session, auction: Auction, quiet: bool
) -> tuple[Judge, list[dict[str, Any]]]:
    info = auction.info()
    judge = Judge(session, info)
    judge.request  # noqa: B018 (fail early, with one line, if the requirement file is gone)
    pairs = [(i, b) for i in range(3) for b in auction.bids(i)]
    rows = []
    for index, bid in track_progress(pairs, "Auditing bids", quiet):
        verdict = judge.judge(index, bid.asset_cid)
        rows.append(
            {
                "category": CATEGORY_NAMES[index],
                "bidder": bid.bidder,
                "price": bid.price,
                "asset_cid": bid.asset_cid,
                "disqualified": bid.disqualified,
                **verdict.as_dict(),
            }
        )
    return judge, rows


def bid_report(auction: Auction, judge: Judge, row: dict[str, Any]) -> bytes:
    """The audit's verdict on one bid: the public reason a disqualification cites (by CID)."""
    report = {
        "auction": auction.address,
        "requirements_cid": judge.info.requirements_cid,
        "ontology_cid": judge.info.ontology_cid,
        **{k: row[k] for k in ("category", "bidder", "price", "asset_cid")},
        "degree": row["degree"],
        "eligible": row["eligible"],
        "reasons": row["reasons"],
    }
    return (json.dumps(report, indent=2, sort_keys=True) + "\n").encode("utf-8")


@auction_app.command("audit")
@reports_errors
def audit(
    auction: AuctionArg,
    json_output: JsonOption = False,
    rpc_url: RpcUrlOption = None,
    ipfs_api: IpfsApiOption = None,
    factory: FactoryOption = None,
    store: StoreOption = None,
) -> None:
    """Re-run the matcher over every bid's asset description (fetched and re-hashed by CID).

    Exit 0 when every standing bid matches; 1 when some bid not yet disqualified does not.
    """
    with command_session(
        rpc_url=rpc_url, ipfs_api=ipfs_api, factory=factory, store=store
    ) as session:
        handle = _open_auction(session, auction)
        judge, rows = _audit_rows(session, handle, json_output)
    offending = [r for r in rows if not r["eligible"] and not r["disqualified"]]
    if json_output:
        print_json(
            {
                "auction": handle.address,
                "requirements_cid": judge.info.requirements_cid,
                "ontology_cid": judge.info.ontology_cid,
                "bids": rows,
                "not_matching": len([r for r in rows if not r["eligible"]]),
            }
        )
    else:
        _render_audit(rows)
    if offending:
        raise typer.Exit(EXIT_INVALID)


def _render_audit(rows: list[dict[str, Any]]) -> None:
    from rich.markup import escape

    if not rows:
        console.print("no bids to audit")
        return
    for row in rows:
        mark = "[green]✓[/]" if row["eligible"] else "[red]✗[/]"
        note = " (disqualified)" if row["disqualified"] else ""
        console.print(
            f"{mark} {row['category']:<15} {row['bidder']}  {_ether(row['price'])}  "
            f"{row['degree'] or 'unverified'}{note}",
            highlight=False,
            soft_wrap=True,
        )
        if not row["eligible"]:
            for reason in row["reasons"]:
                console.print(f"    {escape(reason['message'])}", highlight=False, soft_wrap=True)
    bad = sum(not r["eligible"] for r in rows)
    console.print(f"{len(rows)} bids, {bad} not matching", highlight=False)


# ---------------------------------------------------------------------------------- client actions


@auction_app.command("disqualify")
@reports_errors
def disqualify(
    auction: AuctionArg,
    category: Annotated[
        str,
        typer.Option("--category", help="data, algorithm or infrastructure.", show_default=False),
    ],
    bidder: Annotated[
        str,
        typer.Option("--bidder", help="Address of the bidder to disqualify.", show_default=False),
    ],
    reason_file: Annotated[
        Path | None,
        typer.Option(
            "--reason-file",
            help="The public reason to store (default: the audit's report on this bid).",
            show_default=False,
        ),
    ] = None,
    json_output: JsonOption = False,
    rpc_url: RpcUrlOption = None,
    ipfs_api: IpfsApiOption = None,
    factory: FactoryOption = None,
    keystore: KeystoreOption = None,
    account: AccountOption = None,
    store: StoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Reject a bid whose asset does not match, citing a stored reason (by CID)."""
    index = parse_category(category)
    who = _checksum(bidder, "bidder")
    reason = None
    if reason_file is not None:
        try:
            reason = reason_file.read_bytes()
        except OSError as error:
            raise ClientInputError(f"{reason_file}: cannot read it ({error.strerror})") from None
    with command_session(
        rpc_url=rpc_url,
        ipfs_api=ipfs_api,
        factory=factory,
        keystore=keystore,
        account=account,
        store=store,
        password_file=password_file,
    ) as session:
        handle = _open_auction(session, auction)
        info = handle.info()
        _require_client(info, caller_address(session), "disqualify a bid")
        _require_bidding(session, handle, info, "disqualify a bid")
        bid = handle.bid_of(index, who)
        name = CATEGORY_NAMES[index]
        if bid is None:
            raise Refused(f"{who} has no bid in the {name} category of {handle.address}")
        if bid.disqualified:
            raise Refused(f"{who}'s {name} bid is already disqualified")
        if reason is None:
            judge = Judge(session, info)
            verdict = judge.judge(index, bid.asset_cid)
            if verdict.eligible:
                raise Refused(
                    f"the audit finds {who}'s {name} asset eligible ({verdict.degree}); "
                    "pass --reason-file to disqualify it anyway"
                )
            row = {
                "category": name,
                "bidder": who,
                "price": bid.price,
                "asset_cid": bid.asset_cid,
                **verdict.as_dict(),
            }
            reason = bid_report(handle, judge, row)
        sender = session.sender
        reason_cid = session.store.put(reason)
        tx = handle.disqualify(sender, index, who, reason_cid)
    _done(
        json_output,
        f"disqualified {who} in {name}; reason {reason_cid}",
        {
            "auction": handle.address,
            "category": name,
            "bidder": who,
            "reason_cid": reason_cid,
            **auction_tx_json(tx),
        },
    )


def _require_bidding(session: Session, auction: Auction, info: AuctionInfo, action: str) -> None:
    state = auction.state()
    if state.name != "BIDDING" or _now(session) >= info.bidding_deadline:
        raise Refused(
            f"cannot {action}: bidding on {auction.address} has ended (state {state.name})"
        )


def _done(json_output: bool, line: str, payload: dict[str, Any]) -> None:
    if json_output:
        print_json(payload)
    else:
        console.print(f"{line} (gas {payload['gas']})", highlight=False, soft_wrap=True)


@auction_app.command("adjudicate")
@reports_errors
def adjudicate(
    auction: AuctionArg,
    force: Annotated[
        bool,
        typer.Option("--force", help="Adjudicate even if a category has no valid bid (it fails)."),
    ] = False,
    json_output: JsonOption = False,
    rpc_url: RpcUrlOption = None,
    factory: FactoryOption = None,
    keystore: KeystoreOption = None,
    account: AccountOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Close bidding now (client only) and fix the SLA: the best valid bid of each category."""
    with command_session(
        rpc_url=rpc_url,
        factory=factory,
        keystore=keystore,
        account=account,
        password_file=password_file,
    ) as session:
        handle = _open_auction(session, auction)
        info = handle.info()
        _require_client(info, caller_address(session), "adjudicate")
        if _settled(handle) or handle.state().name not in ("BIDDING", "ADJUDICATED", "FAILED"):
            raise Refused(f"{handle.address} is already settled (state {handle.state().name})")
        empty = [CATEGORY_NAMES[i] for i in range(3) if handle.best_bid(i) is None]
        if empty and not force:
            raise Refused(
                f"no valid bid in {', '.join(empty)}: adjudicating now fails the auction "
                "(wait for bids, or pass --force)"
            )
        tx = handle.adjudicate(session.sender)
        state = handle.state().name
        sla = handle.sla()
    payload = {
        "auction": handle.address,
        "state": state,
        "sla": sla_json(sla) if sla else None,
        **auction_tx_json(tx),
    }
    _done(json_output, f"{handle.address}: {state}", payload)
    if sla and not json_output:
        for w in payload["sla"]["winners"]:
            console.print(
                f"  {w['category']:<15} {w['provider']}  {_ether(w['price'])}  {w['asset']}",
                highlight=False,
            )


@auction_app.command("settle")
@reports_errors
def settle(
    auction: AuctionArg,
    json_output: JsonOption = False,
    rpc_url: RpcUrlOption = None,
    factory: FactoryOption = None,
    keystore: KeystoreOption = None,
    account: AccountOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Fix the SLA once bidding has ended (anyone may; it is the automatic adjudication)."""
    with command_session(
        rpc_url=rpc_url,
        factory=factory,
        keystore=keystore,
        account=account,
        password_file=password_file,
    ) as session:
        handle = _open_auction(session, auction)
        info = handle.info()
        if _settled(handle):
            raise Refused(f"{handle.address} is already settled (state {handle.state().name})")
        left = info.bidding_deadline - _now(session)
        if left > 0:
            raise Refused(
                f"bidding on {handle.address} is open for {format_duration(left)} more; "
                "the client may close it early with `saiaas auction adjudicate`"
            )
        tx = handle.settle(session.sender)
        state = handle.state().name
        sla = handle.sla()
    _done(
        json_output,
        f"{handle.address}: {state}",
        {
            "auction": handle.address,
            "state": state,
            "sla": sla_json(sla) if sla else None,
            **auction_tx_json(tx),
        },
    )


@auction_app.command("acknowledge")
@reports_errors
def acknowledge(
    auction: AuctionArg,
    json_output: JsonOption = False,
    rpc_url: RpcUrlOption = None,
    factory: FactoryOption = None,
    keystore: KeystoreOption = None,
    account: AccountOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Accept the delivered model (client only): winners' prices become withdrawable."""
    with command_session(
        rpc_url=rpc_url,
        factory=factory,
        keystore=keystore,
        account=account,
        password_file=password_file,
    ) as session:
        handle = _open_auction(session, auction)
        info = handle.info()
        _require_client(info, caller_address(session), "acknowledge the delivery")
        state = handle.state().name
        if state != "DELIVERED":
            raise Refused(
                f"cannot acknowledge: {handle.address} is {state}, no model awaits acknowledgment"
            )
        tx = handle.acknowledge(session.sender)
    _done(
        json_output,
        f"{handle.address}: COMPLETED; winners may withdraw",
        {"auction": handle.address, "state": "COMPLETED", **auction_tx_json(tx)},
    )


@auction_app.command("cancel")
@reports_errors
def cancel(
    auction: AuctionArg,
    json_output: JsonOption = False,
    rpc_url: RpcUrlOption = None,
    factory: FactoryOption = None,
    keystore: KeystoreOption = None,
    account: AccountOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Recover the reserve (client only) after a failed auction or a missed delivery deadline."""
    with command_session(
        rpc_url=rpc_url,
        factory=factory,
        keystore=keystore,
        account=account,
        password_file=password_file,
    ) as session:
        handle = _open_auction(session, auction)
        info = handle.info()
        _require_client(info, caller_address(session), "cancel")
        state = handle.state().name
        now = _now(session)
        if state == "BIDDING" and now < info.bidding_deadline:
            raise Refused(f"cannot cancel: bidding on {handle.address} is still open")
        if state == "ADJUDICATED" or (state == "BIDDING" and _all_bid(handle)):
            sla = handle.sla()
            due = sla.delivery_deadline if sla else info.bidding_deadline + info.delivery_window
            if now < due:
                raise Refused(
                    f"cannot cancel: the delivery window is open for {format_duration(due - now)} "
                    "more"
                )
        elif state not in ("FAILED", "BIDDING"):
            raise Refused(f"cannot cancel: {handle.address} is {state}")
        tx = handle.cancel(session.sender)
    _done(
        json_output,
        f"{handle.address}: CANCELLED; withdraw the reserve with `saiaas auction withdraw`",
        {"auction": handle.address, "state": "CANCELLED", **auction_tx_json(tx)},
    )


def _all_bid(auction: Auction) -> bool:
    return all(auction.best_bid(i) is not None for i in range(3))


@auction_app.command("withdraw")
@reports_errors
def withdraw(
    auction: AuctionArg,
    json_output: JsonOption = False,
    rpc_url: RpcUrlOption = None,
    factory: FactoryOption = None,
    keystore: KeystoreOption = None,
    account: AccountOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Withdraw what the auction owes you now (the unspent reserve, or a winner's pay)."""
    with command_session(
        rpc_url=rpc_url,
        factory=factory,
        keystore=keystore,
        account=account,
        password_file=password_file,
    ) as session:
        handle = _open_auction(session, auction)
        caller = caller_address(session)
        owed = handle.owed(caller)
        if owed == 0:
            raise Refused(
                f"{handle.address} owes nothing to {caller} now (state {handle.state().name})"
            )
        tx = handle.withdraw(session.sender)
    _done(
        json_output,
        f"withdrew {format_amount(owed)} to {caller}",
        {"auction": handle.address, "to": caller, "amount": owed, **auction_tx_json(tx)},
    )
