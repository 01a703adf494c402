"""Gas of the paper's scenario on the embedded chain, next to the paper's Table 1.

Scenario (as the paper): the Factory is already deployed; the client creates the auction; six
providers, two per category; one provider per category bids first, the other three outbid them,
the first three bid again, lower; the auction ends and the first three win (9 bids, then
adjudication). deliver/acknowledge/withdraw are extra rows, outside the scenario total.
Gas comes from receipts only.

    python -m saiaas.benchmarks.gas                      # print the table
    python -m saiaas.benchmarks.gas --update-snapshot    # rewrite contracts/gas-snapshot.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["run", "render", "PAPER", "SNAPSHOT_PATH", "write_snapshot", "scenario"]

from saiaas.market.scenario import PAPER, costs, gas_scenario

SNAPSHOT_PATH = Path(__file__).resolve().parent.parent / "contracts" / "gas-snapshot.json"


def scenario(chain: Any = None) -> list[dict[str, Any]]:
    """The scenario's transactions (saiaas.market.scenario, the demo's too) with receipt gas."""
    return gas_scenario(chain)


def run(gas_price_gwei: float = 124, eth_usd: float = 1683) -> dict[str, Any]:
    """The figures: per-transaction rows, per-operation summary (paper layout) and the total."""
    rows = scenario()
    table = costs(rows, gas_price_gwei, eth_usd)
    return {
        "scenario_total": table["scenario_total"],
        "paper_scenario_total": PAPER["Scenario total"],
        "ratio": table["ratio"],
        "scenario_total_usd": table["usd"],
        "gas_price_gwei": gas_price_gwei,
        "eth_usd": eth_usd,
        "operations": table["operations"],
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
