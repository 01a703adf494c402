"""CLI commands: match (registered on the groups of saiaas.cli.app).

`saiaas match REQUIREMENTS CATALOG...` decides every asset of the catalogs against the spec of
its category; `saiaas match REQUIREMENTS --triplet DATA ALGO INFRA --catalog FILE...` (the
catalogs given with --catalog, or as extra arguments) judges one triplet, the assets named by IRI,
`prefix:local` or local name. Offline: no chain, no storage; exit 0 whatever matched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from saiaas.cli.output import console, print_json, reports_errors
from saiaas.ontologies.errors import InputError, UsageError

_InputError = InputError
_UsageError = UsageError


def _read_turtle(path: Path) -> Any:
    from rdflib import Graph
    from saiaas.cli.files import read_file

    data = read_file(path, "Turtle")
    graph = Graph()
    try:
        graph.parse(data=data, format="turtle")
    except Exception as error:  # rdflib's parsers raise many types
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise _InputError(f"{path}: not valid Turtle: {first[:200]}") from None
    return graph


@reports_errors
def match(
    requirements: Annotated[Path, typer.Argument(help="Requirement file (Turtle).")],
    catalogs: Annotated[list[Path] | None, typer.Argument(help="Catalog files (Turtle).")] = None,
    triplet: Annotated[
        tuple[str, str, str] | None,
        typer.Option(
            "--triplet",
            help="Judge one triplet: DATA ALGORITHM INFRASTRUCTURE assets "
            "(IRI, prefix:local or local name) from the catalogs.",
        ),
    ] = None,
    catalog: Annotated[
        list[Path] | None,
        typer.Option(
            "--catalog", help="A catalog file (repeatable); same as giving it as an argument."
        ),
    ] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list assets of other categories (they always fail).")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Which catalog assets match each category of a request: degree, eligibility, reasons."""
    from saiaas.matcher import Matcher
    from saiaas.ontologies.requests import parse_request

    files = list(catalogs or []) + list(catalog or [])
    if not files:
        raise _UsageError("give at least one catalog file (as an argument or with --catalog)")
    request = parse_request(_read_turtle(requirements))
    with (
        console.status("loading the classified ontology...", spinner="dots")
        if not json_output
        else _null()
    ):
        matcher = Matcher.for_ontology()
    matcher.check(request)
    assets = []
    seen: dict[str, Path] = {}
    for path in files:
        for asset in matcher.assets(_read_turtle(path)):
            if asset.iri in seen:
                raise _InputError(
                    f"{path}: asset {asset.iri} is also described in {seen[asset.iri]}"
                )
            seen[asset.iri] = path
            assets.append(asset)

    if triplet is not None:
        data, algorithm, infra = (matcher.find(assets, name) for name in triplet)
        verdict = matcher.triplet(data, algorithm, infra)
        decisions = [
            matcher.match(request.specs[spec_cat], a)
            for spec_cat, a in zip(request.specs, (data, algorithm, infra), strict=True)
        ]
        if json_output:
            print_json({**verdict.as_dict(), "decisions": [d.as_dict() for d in decisions]})
        else:
            _render_triplet(verdict, decisions)
        return

    decisions = []
    for category, spec in request.specs.items():
        for asset in assets:
            if show_all or asset.category in (None, category.value):
                decisions.append(matcher.match(spec, asset))
    if json_output:
        print_json([d.as_dict() for d in decisions])
    else:
        _render(request, decisions)


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def _short(iri: str) -> str:
    from saiaas.ontologies.requests import local_name

    return local_name(iri)


def _render(request: Any, decisions: list[Any]) -> None:
    from rich.table import Table

    colours = {"exact": "green", "plugin": "green", "subsumes": "yellow", "fail": "red"}
    for category, spec in request.specs.items():
        rows = [d for d in decisions if d.category == category.value]
        table = Table(
            title=f"{category.value}: {_short(spec.requested_class)}"
            + (
                f" ({', '.join(c.describe() for c in spec.constraints)})"
                if spec.constraints
                else ""
            ),
            title_justify="left",
            expand=False,
        )
        table.add_column("asset")
        table.add_column("degree")
        table.add_column("eligible")
        table.add_column("reasons")
        for d in sorted(rows, key=lambda d: (not d.eligible, d.degree != "exact", d.asset)):
            colour = colours[d.degree]
            table.add_row(
                _short(d.asset),
                f"[{colour}]{d.degree}[/]",
                "[green]yes[/]" if d.eligible else "[red]no[/]",
                "\n".join(
                    ("✓ " if r.code in ("exact", "plugin", "constraint-met") else "✗ ") + r.message
                    for r in d.reasons
                ),
            )
        if not rows:
            table.add_row("-", "-", "-", "no asset of this category in the catalogs")
        console.print(table)


def _render_triplet(verdict: Any, decisions: list[Any]) -> None:
    head = "[green]compatible[/]" if verdict.compatible else "[red]not compatible[/]"
    console.print(
        f"triplet {_short(verdict.data)} + {_short(verdict.algorithm)} + "
        f"{_short(verdict.infrastructure)}: {head}"
    )
    for r in verdict.reasons:
        mark = "[green]✓[/]" if r.code == "triplet-met" else "[red]✗[/]"
        console.print(f"  {mark} {r.message}", highlight=False)
    for d in decisions:
        state = "[green]eligible[/]" if d.eligible else "[red]not eligible[/]"
        console.print(f"  {d.category}: {_short(d.asset)} is {d.degree}, {state}", highlight=False)
