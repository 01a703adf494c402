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
    from saiaas.matcher import Matcher

    files = list(catalogs or []) + list(catalog or [])
    if not files:
        raise _UsageError("give at least one catalog file (as an argument or with --catalog)")
    with (
        console.status("loading the classified ontology...", spinner="dots")
        if not json_output
        else _null()
    ):
        matcher = Matcher.for_ontology()
    request = matcher.read_request(requirements)
    loaded = []
    seen: dict[str, Path] = {}
    for path in files:
        cat = matcher.catalog(path)
        for iri in cat.iris:
            if iri in seen:
                raise _InputError(f"{path}: asset {iri} is also described in {seen[iri]}")
            seen[iri] = path
        loaded.append(cat)

    if triplet is not None:
        assets = [a for cat in loaded for a in cat.assets]
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

    out: list[dict[str, Any]] = []
    tables: list[tuple[Any, Any, list[Any], int]] = []
    limit = None if json_output or rows == 0 else rows
    for category, spec in request.specs.items():
        ranked = _ranked(loaded, spec, limit)
        eligible_count = sum(cat.eligible_bits(spec).bit_count() for cat in loaded)
        room = None if limit is None else max(limit - len(ranked), 0)
        others: list[Any] = []
        total = eligible_count
        for cat in loaded:
            mask = (1 << len(cat.assets)) - 1 if show_all else cat.category_bits(spec)
            mask &= ~cat.eligible_bits(spec)
            total += mask.bit_count()
            if room is None or len(others) < room:
                others += [cat.assets[i] for i in _positions(mask, room)]
        others.sort(key=lambda a: a.iri)
        rest = [matcher.match(spec, a) for a in (others if room is None else others[:room])]
        if json_output:
            out += [r.as_dict() for r in ranked] + [d.as_dict() for d in rest]
        else:
            tables.append((category, spec, ranked + rest, total))
    if json_output:
        print_json(out)
    else:
        _render(tables)


def _ranked(loaded: list[Any], spec: Any, limit: int | None) -> list[Any]:
    """The eligible assets of every catalog for one spec, ranked together (global ranks); the
    first `limit` only when given (each catalog's own first `limit`, merged)."""
    from dataclasses import replace

    ranked = [r for cat in loaded for r in cat.match(spec, limit)]
    ranked.sort(key=lambda r: (r.decision.degree != "exact", r.levels_below, r.margin, r.asset))
    if limit is not None:
        ranked = ranked[:limit]
    return [replace(r, rank=i) for i, r in enumerate(ranked, 1)]


def _positions(bits: int, most: int | None) -> list[int]:
    """Positions of the set bits, lowest first, at most `most` of them."""
    out: list[int] = []
    while bits and (most is None or len(out) < most):
        low = bits & -bits
        out.append(low.bit_length() - 1)
        bits ^= low
    return out


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
