"""CLI commands: match (registered on the groups of saiaas.cli.app).

`saiaas match REQUIREMENTS CATALOG...` decides every asset of the catalogs against the spec of
its category; `saiaas match REQUIREMENTS --triplet DATA ALGO INFRA --catalog FILE...` (the
catalogs given with --catalog, or as extra arguments) judges one triplet, the assets named by IRI,
`prefix:local` or local name. Offline: no chain, no storage; exit 0 whatever matched.

Catalogs go through the matcher's fast path (`Matcher.catalog`): parsed with pyoxigraph and
inferred once, their index cached by the catalog's sha256; the eligible assets come ranked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from saiaas.cli.output import console, print_json, reports_errors
from saiaas.ontologies.errors import InputError, UsageError

_InputError = InputError
_UsageError = UsageError


@reports_errors
def match(
    requirements: Annotated[Path, typer.Argument(help="Requirement file (Turtle).")],
    catalogs: Annotated[list[Path] | None, typer.Argument(help="Catalog files (Turtle).")] = None,
    triplet: Annotated[
        tuple[str, str, str] | None,
        typer.Option(
            "--triplet",
            metavar="DATA ALGORITHM INFRASTRUCTURE",
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
    rows: Annotated[
        int,
        typer.Option(
            "--rows", min=0, help="Table rows per category, best first (0: all). JSON lists all."
        ),
    ] = 20,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Which catalog assets match each category of a request: degree, eligibility, reasons;
    the eligible ones ranked (degree, then the closest fit) with their score."""
    from saiaas.market.reasoning import match_files, triplet_files
    from saiaas.matcher import Matcher

    files = list(catalogs or []) + list(catalog or [])
    with (
        console.status("loading the classified ontology...", spinner="dots")
        if not json_output
        else _null()
    ):
        matcher = Matcher.for_ontology()
    request = (str(requirements), _read(requirements))
    given = [(str(path), _read(path)) for path in files]
    if triplet is not None:
        verdict, decisions = triplet_files(matcher, request, given, triplet)
        if json_output:
            print_json({**verdict.as_dict(), "decisions": [d.as_dict() for d in decisions]})
        else:
            _render_triplet(verdict, decisions)
        return
    limit = None if json_output or rows == 0 else rows
    matched = match_files(matcher, request, given, show_all, limit)
    if json_output:
        print_json(matched.as_json())
    else:
        _render([(t.category, t.spec, t.rows, t.total) for t in matched.tables])


def _read(path: Path) -> bytes:
    from saiaas.cli.files import read_file

    return read_file(path, "Turtle")


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def _short(iri: str) -> str:
    from saiaas.ontologies.requests import local_name

    return local_name(iri)


#: Reason codes shown with a check mark.
_MET = ("exact", "plugin", "constraint-met", "condition-met")


def _render(tables: list[tuple[Any, Any, list[Any], int]]) -> None:
    from rich.table import Table

    colours = {"exact": "green", "plugin": "green", "subsumes": "yellow", "fail": "red"}
    for category, spec, rows, total in tables:
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
        table.add_column("rank", justify="right")
        table.add_column("asset")
        table.add_column("degree")
        table.add_column("eligible")
        table.add_column("reasons")
        for row in rows:
            d = getattr(row, "decision", row)
            colour = colours[d.degree]
            rank = f"{row.rank} ({row.score})" if hasattr(row, "rank") else "-"
            table.add_row(
                rank,
                _short(d.asset),
                f"[{colour}]{d.degree}[/]",
                "[green]yes[/]" if d.eligible else "[red]no[/]",
                "\n".join(
                    ("✓ " if r.code in _MET else "✗ ") + r.message
                    for r in d.reasons
                ),
            )
        if not rows:
            table.add_row("-", "-", "-", "-", "no asset of this category in the catalogs")
        console.print(table)
        if total > len(rows):
            console.print(
                f"[dim]{total - len(rows)} more assets not shown (--rows 0 or --json for all)[/]"
            )


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
