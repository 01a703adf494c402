"""`saiaas bench ...`: each benchmark lives in saiaas.benchmarks.<name> and exposes
`run(**options) -> dict` (the figures) and `render(result, console)` (a rich table), so the
same numbers serve the `--json` output, the README and the closing notes."""

from __future__ import annotations

from typing import Annotated

import typer
from saiaas.cli.output import console, print_json, reports_errors

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
    if json_output:
        print_json(result)
    else:
        validation.render(result, console)


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
    if json_output:
        print_json(result)
    else:
        bench.render(result, console)


@bench_app.command("match")
@reports_errors
def bench_match(
    assets: Annotated[int, typer.Option("--assets", min=3, help="Generated assets.")] = 10000,
    requests: Annotated[int, typer.Option("--requests", min=1, help="Generated requests.")] = 1000,
    hermit: Annotated[bool, typer.Option("--hermit/--no-hermit",
                      help="Also time HermiT on the same corpus (up to ~60 s per size).")] = True,
    json_output: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Matcher decisions per second at marketplace scale, after the cached classification."""
    from saiaas.benchmarks import matcher as bench

    with console.status("generating the corpus and deciding...", spinner="dots"):
        result = bench.run(assets=assets, requests=requests, hermit=hermit)
    if json_output:
        print_json(result)
    else:
        bench.render(result, console)


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
    if json_output:
        print_json(result)
    else:
        bench.render(result, console)
