"""`saiaas bench ...`: each benchmark lives in saiaas.benchmarks.<name> and exposes
`run(**options) -> dict` (the figures) and `render(result, console)` (a rich table), so the
same numbers serve the `--json` output, the README and the closing notes."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from saiaas.cli.output import console, print_json, reports_errors


def _show(result: dict[str, Any], render: Any, json_output: bool) -> None:
    """A benchmark's figures: one JSON object, or its own table."""
    if json_output:
        print_json(result)
    else:
        render(result, console)


bench_app = typer.Typer(
    help="Benchmarks that print the figures the project reports.", no_args_is_help=True
)


@bench_app.command("validate")
@reports_errors
def bench_validate(
    repeats: Annotated[int, typer.Option("--repeats", min=1, help="Warm runs to time.")] = 50,
    json_output: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Warm validation time of the hospital request and cold `saiaas --help` time."""
    from saiaas.benchmarks import validation

    result = validation.run(repeats=repeats)
    _show(result, validation.render, json_output)


@bench_app.command("gas")
@reports_errors
def gas(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    gas_price_gwei: Annotated[float, typer.Option("--gas-price", help="Gwei (USD column).")] = 124,
    eth_usd: Annotated[float, typer.Option("--eth-usd", help="USD per ether (USD column).")] = 1683,
) -> None:
    """Gas of the paper's scenario (create, 9 bids, adjudication) next to the paper's Table 1."""
    from saiaas.benchmarks import gas as bench

    with console.status("running the scenario on the embedded chain...", spinner="dots"):
        result = bench.run(gas_price_gwei=gas_price_gwei, eth_usd=eth_usd)
    _show(result, bench.render, json_output)


@bench_app.command("match")
@reports_errors
def bench_match(
    assets: Annotated[int, typer.Option("--assets", min=3, help="Generated assets.")] = 10000,
    requests: Annotated[int, typer.Option("--requests", min=1, help="Generated requests.")] = 1000,
    hermit: Annotated[bool, typer.Option("--hermit/--no-hermit",
                      help="Also time HermiT on the same corpus (up to ~60 s per size).")] = True,
    thorough: Annotated[bool, typer.Option("--thorough",
                        help="Run the HermiT cross-check at its thorough size (minutes).")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Matcher figures at marketplace scale: end to end from the Turtle files (catalog index
    built, then cached), in-memory decisions per second, and agreement with HermiT."""
    from saiaas.benchmarks import matcher as bench

    with console.status("generating the corpus and deciding...", spinner="dots"):
        result = bench.run(assets=assets, requests=requests, hermit=hermit, thorough=thorough)
    _show(result, bench.render, json_output)


@bench_app.command("serve")
@reports_errors
def bench_serve(
    auctions: Annotated[int, typer.Option("--auctions", min=1, max=5000,
                        help="Auctions to create on anvil.")] = 1000,
    bids: Annotated[int, typer.Option("--bids", min=0, max=42, help="Bids per auction.")] = 10,
    cap: Annotated[int, typer.Option("--cap", min=1,
                   help="Blocks per eth_getLogs the proxy lets through.")] = 1000,
    clients: Annotated[int, typer.Option("--clients", min=1, max=500,
                       help="Concurrent HTTP clients.")] = 50,
    duration: Annotated[float, typer.Option("--duration", min=1, max=120,
                        help="Seconds of load.")] = 30,
    blocks: Annotated[int, typer.Option("--blocks", min=0, max=20000,
                      help="Empty blocks mined between the transactions, in all.")] = 5000,
    json_output: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Indexing through a node capping eth_getLogs, then the service under concurrent load
    (anvil and the service on 127.0.0.1, stopped on exit)."""
    from saiaas.benchmarks import serve as bench

    with console.status("indexing and loading the service on 127.0.0.1...", spinner="dots"):
        result = bench.run(auctions=auctions, bids=bids, cap=cap, clients=clients,
                           duration=duration, blocks=blocks)
    _show(result, bench.render, json_output)


@bench_app.command("faults")
@reports_errors
def bench_faults(
    size: Annotated[str, typer.Option("--size", help="ci (about a minute) or thorough.")] = "ci",
    kind: Annotated[list[str] | None, typer.Option(
        "--kind", help="Only these kinds: hostile, corrupt, leftovers, ipfs, node.")] = None,
    limit: Annotated[float, typer.Option("--limit", min=1,
                                         help="Seconds after which a command counts as hung.")
                     ] = 60.0,
    json_output: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Fault injection: failing node, failing IPFS node, damaged files, hostile input; counts
    survivals, tracebacks, hangs, silent wrong states and lost outcomes (goal: 0 of each)."""
    from saiaas.benchmarks import faults as bench
    from saiaas.ontologies.errors import UsageError

    if size not in bench.SIZES:
        raise UsageError(f"--size must be one of {', '.join(bench.SIZES)}")
    unknown = sorted(set(kind or ()) - set(bench.KINDS))
    if unknown:
        raise UsageError(f"unknown --kind {unknown[0]!r}; known: {', '.join(bench.KINDS)}")
    result = bench.run(size=size, kinds=tuple(kind or bench.KINDS), limit=limit)
    _show(result, bench.render, json_output)


@bench_app.command("cli")
@reports_errors
def bench_cli(
    repeats: Annotated[int, typer.Option("--repeats", min=1, max=50,
                       help="Timed runs per command (after one first run).")] = 5,
    json_output: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Whole-process medians of `auction status`, `auction list`, `validate`, `provider match`,
    `account fund` and `--help`, in a throw-away SAIAAS_HOME holding the paper's scenario."""
    from saiaas.benchmarks import cli as bench

    with console.status("running the scenario, then each command as its own process...",
                        spinner="dots"):
        result = bench.run(repeats=repeats)
    _show(result, bench.render, json_output)
