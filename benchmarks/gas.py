"""Gas of the paper's scenario on the embedded chain, next to the paper's Table 1.

Scenario (as the paper): the Factory is already deployed; the client creates the auction; six
providers, two per category; one provider per category bids first, the other three outbid them,
the first three bid again, lower; the auction ends and the first three win (9 bids, then
adjudication). Since issue 10 each category has a bond (a tenth of its max price) that a
provider's first bid there locks: the first-bid rows include it, and the losers' bond
withdrawals are extra rows. deliver/acknowledge/withdraw are extra rows, outside the scenario
total.
Gas comes from receipts only.

    python -m saiaas.benchmarks.gas                      # print the table
    python -m saiaas.benchmarks.gas --update-snapshot    # rewrite contracts/gas-snapshot.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["run", "render", "PAPER", "SNAPSHOT_PATH", "write_snapshot"]

#: The paper's Table 1 (gas).
PAPER = {
    "Factory deployment": 2_344_498,
    "Auction creation": 1_760_105,
    "First bid of contract": 237_518,
    "First bid of user": 207_829,
    "Modify existing bid": 94_747,
    "Adjudication": 198_295,
    "Scenario total": 3_180_058,
}

SNAPSHOT_PATH = Path(__file__).resolve().parent.parent / "contracts" / "gas-snapshot.json"

_ONTOLOGY = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
_REQUIREMENTS = "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq"
ETHER = 10**18


def _cid(n: int) -> str:
    """A distinct raw CID per asset (the content is irrelevant to gas, only its size)."""
    import hashlib

    from saiaas.contracts import decode_cid

    return decode_cid(hashlib.sha256(f"asset-{n}".encode()).digest(), 0)


def scenario(chain: Any = None) -> list[dict[str, Any]]:
    """Run the scenario; one row per transaction: operation, label and receipt gas."""
    from saiaas.contracts import Category, Chain, Factory

    chain = chain or Chain.embedded()
    owner, client, *providers = chain.accounts[:8]
    rows: list[dict[str, Any]] = []

    def row(operation: str, label: str, gas: int, scenario: bool = True) -> None:
        rows.append({"operation": operation, "label": label, "gas": gas, "in_scenario": scenario})

    factory = Factory.deploy(chain, owner, _ONTOLOGY)
    row(
        "Factory deployment",
        "deploy Factory (+ Auction implementation)",
        factory.deploy_receipt.gas_used,
        False,
    )  # type: ignore[union-attr]
    prices = (3 * ETHER // 10, 3 * ETHER // 10, 4 * ETHER // 10)
    # the paper's terms: reserve 1 ETH, bidding 3 days, delivery 7 days, acknowledgment 2 days;
    # and (issue 10) a bond per category of a tenth of its max price, locked by a first bid
    terms = {
        "requirements_cid": _REQUIREMENTS,
        "max_prices": prices,
        "bonds": tuple(p // 10 for p in prices),
        "reserve": ETHER,
        "bidding_seconds": 3 * 86400,
        "delivery_seconds": 7 * 86400,
        "acknowledgment_seconds": 2 * 86400,
    }
    auction, tx = factory.create_auction(client, **terms)
    row("Auction creation", "client creates the auction", tx.gas_used)
    first, second = providers[:3], providers[3:6]
    for i, cat in enumerate(Category):
        op = "First bid of contract" if i == 0 else "First bid of user"
        tx = auction.bid(first[i], cat, prices[i] * 9 // 10, _cid(i))
        row(op, f"{cat.name.lower()} provider A bids first", tx.gas_used)
    for i, cat in enumerate(Category):
        tx = auction.bid(second[i], cat, prices[i] * 8 // 10, _cid(10 + i))
        row("First bid of user", f"{cat.name.lower()} provider B outbids", tx.gas_used)
    for i, cat in enumerate(Category):
        tx = auction.bid(first[i], cat, prices[i] * 7 // 10, _cid(i))
        row("Modify existing bid", f"{cat.name.lower()} provider A lowers its bid", tx.gas_used)
    chain.advance_time(3 * 86400)
    tx = auction.settle(client)
    row("Adjudication", "settle after the deadline (SLA)", tx.gas_used)
    tx = auction.deliver(first[2], _cid(99))
    row("Deliver model", "infrastructure winner delivers", tx.gas_used, False)
    tx = auction.acknowledge(client)
    row("Acknowledge", "client acknowledges", tx.gas_used, False)
    for i, who in enumerate([*first, client]):
        tx = auction.withdraw(who)
        label = "client withdraws unspent reserve" if who == client else f"winner {i} withdraws"
        row("Withdraw", label, tx.gas_used, False)  # a winner's pay and its bond, together
    for i, cat in enumerate(Category):
        tx = auction.withdraw(second[i])
        label = f"{cat.name.lower()} provider B takes its bond back"
        row("Withdraw bond (loser)", label, tx.gas_used, False)
    # The client may also close early: it announces the close (bidding goes on for the notice
    # period, so a bid in flight still lands; that writes the close time and all three slots),
    # then anyone settles.
    early, _ = factory.create_auction(client, **terms)
    for i, cat in enumerate(Category):
        early.bid(first[i], cat, prices[i] // 2, _cid(i))
    tx = early.adjudicate(client)
    row("Adjudication (client, early)", "client announces an early close", tx.gas_used, False)
    chain.advance_time(early.notice_seconds())
    tx = early.settle(client)
    row("Adjudication (client, early)", "settle at the announced close", tx.gas_used, False)
    return rows


def run(gas_price_gwei: float = 124, eth_usd: float = 1683) -> dict[str, Any]:
    """The figures: per-transaction rows, per-operation summary (paper layout) and the total."""
    rows = scenario()
    total = sum(r["gas"] for r in rows if r["in_scenario"])
    operations = []
    extra = [
        "Adjudication (client, early)",
        "Deliver model",
        "Acknowledge",
        "Withdraw",
        "Withdraw bond (loser)",
    ]
    for name in [*list(PAPER)[:-1], *extra]:
        gases = [r["gas"] for r in rows if r["operation"] == name]
        gas = max(gases)  # one figure per operation as in the paper: the costliest (min_gas too)
        operations.append(
            {
                "operation": name,
                "gas": gas,
                "paper_gas": PAPER.get(name),
                "ratio": round(gas / PAPER[name], 4) if name in PAPER else None,
                "count": len(gases),
                "min_gas": min(gases),
                "usd": round(gas * gas_price_gwei * 1e-9 * eth_usd, 2),
            }
        )
    return {
        "scenario_total": total,
        "paper_scenario_total": PAPER["Scenario total"],
        "ratio": round(total / PAPER["Scenario total"], 4),
        "scenario_total_usd": round(total * gas_price_gwei * 1e-9 * eth_usd, 2),
        "gas_price_gwei": gas_price_gwei,
        "eth_usd": eth_usd,
        "operations": operations,
        "transactions": rows,
    }


def render(result: dict[str, Any], console: Any) -> None:
    """The paper's Table 1 layout: operation, our gas (min-max when it occurs several times; the
    ratio and USD use the max), paper gas, ratio, cost in USD."""
    from rich.table import Table

    table = Table(
        title=f"Gas of the paper's scenario (receipts; {result['gas_price_gwei']} gwei, "
        f"{result['eth_usd']} USD/ETH)"
    )
    for col in ("Operation", "Gas", "Paper gas", "Ratio", "USD"):
        table.add_column(col, justify="left" if col == "Operation" else "right")
    for op in result["operations"]:
        paper = f"{op['paper_gas']:,}" if op["paper_gas"] else "-"
        ratio = f"{op['ratio']:.1%}" if op["ratio"] is not None else "-"
        spread = f"{op['min_gas']:,}-" if op["min_gas"] != op["gas"] else ""
        table.add_row(op["operation"], f"{spread}{op['gas']:,}", paper, ratio, f"{op['usd']:.2f}")
    table.add_section()
    table.add_row(
        "Scenario total (create + 9 bids + adjudication)",
        f"{result['scenario_total']:,}",
        f"{result['paper_scenario_total']:,}",
        f"{result['ratio']:.1%}",
        f"{result['scenario_total_usd']:.2f}",
        style="bold",
    )
    console.print(table)


def snapshot_of(result: dict[str, Any]) -> dict[str, Any]:
    """What the committed snapshot records: each transaction's gas and the scenario total."""
    return {
        "scenario_total": result["scenario_total"],
        "transactions": {r["label"]: r["gas"] for r in result["transactions"]},
    }


def write_snapshot(result: dict[str, Any], path: Path = SNAPSHOT_PATH) -> None:
    path.write_text(json.dumps(snapshot_of(result), indent=2) + "\n")


def main(argv: list[str]) -> int:
    from rich.console import Console

    result = run()
    render(result, Console())
    if "--update-snapshot" in argv:
        write_snapshot(result)
        print(f"wrote {SNAPSHOT_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
