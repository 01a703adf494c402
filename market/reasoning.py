"""The reasoning service's workflow: a requirement file against catalogs, or one triplet.

`saiaas match` and `saiaas serve`'s `/api/match` and `/api/triplet` answer from here, so the
same files give the same JSON wherever they are asked. Catalogs go through the matcher's fast
path (`Matcher.catalog`: parsed with pyoxigraph and inferred once, the index cached by the
bytes' sha256); the eligible assets come ranked, best first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from saiaas.ontologies.errors import InputError, UsageError

if TYPE_CHECKING:
    from saiaas.matcher import Matcher
    from saiaas.ontologies.requests import AssetSpecification, Category, Request

__all__ = ["Table", "Matched", "match_files", "triplet_files"]


@dataclass(frozen=True)
class Table:
    """One category of a request: its spec, the rows shown (ranked eligible assets first, then
    the others by IRI) and how many assets there were in all."""

    category: Category
    spec: AssetSpecification
    rows: list[Any]
    total: int


@dataclass(frozen=True)
class Matched:
    request: Request
    tables: list[Table]

    def as_json(self) -> list[dict[str, Any]]:
        """`saiaas match --json`: every row of every category."""
        return [row.as_dict() for table in self.tables for row in table.rows]


def _load(
    matcher: Matcher, request: tuple[str, bytes], catalogs: list[tuple[str, bytes]]
) -> tuple[Request, list[Any]]:
    if not catalogs:
        raise UsageError("give at least one catalog file (as an argument or with --catalog)")
    name, data = request
    parsed = matcher.read_request(data, name)
    loaded = []
    seen: dict[str, str] = {}
    for catalog_name, catalog_data in catalogs:
        index = matcher.catalog(catalog_data, catalog_name)
        for iri in index.iris:
            if iri in seen:
                raise InputError(f"{catalog_name}: asset {iri} is also described in {seen[iri]}")
            seen[iri] = catalog_name
        loaded.append(index)
    return parsed, loaded


def match_files(
    matcher: Matcher,
    request: tuple[str, bytes],
    catalogs: list[tuple[str, bytes]],
    show_all: bool = False,
    limit: int | None = None,
) -> Matched:
    """Every asset of the catalogs against the spec of its category (of every category with
    `show_all`), the eligible ones ranked together across catalogs; `limit` rows per category
    (None: all)."""
    parsed, loaded = _load(matcher, request, catalogs)
    tables = []
    for category, spec in parsed.specs.items():
        ranked = _ranked(loaded, spec, limit)
        total = sum(index.eligible_bits(spec).bit_count() for index in loaded)
        room = None if limit is None else max(limit - len(ranked), 0)
        others: list[Any] = []
        for index in loaded:
            mask = (1 << len(index.assets)) - 1 if show_all else index.category_bits(spec)
            mask &= ~index.eligible_bits(spec)
            total += mask.bit_count()
            if room is None or len(others) < room:
                others += [index.assets[i] for i in _positions(mask, room)]
        others.sort(key=lambda a: a.iri)
        rest = [matcher.match(spec, a) for a in (others if room is None else others[:room])]
        tables.append(Table(category, spec, ranked + rest, total))
    return Matched(parsed, tables)


def triplet_files(
    matcher: Matcher,
    request: tuple[str, bytes],
    catalogs: list[tuple[str, bytes]],
    names: tuple[str, str, str],
) -> tuple[Any, list[Any]]:
    """(the triplet's verdict, each asset's decision against its category's spec)."""
    parsed, loaded = _load(matcher, request, catalogs)
    assets = [a for index in loaded for a in index.assets]
    data, algorithm, infra = (matcher.find(assets, name) for name in names)
    verdict = matcher.triplet(data, algorithm, infra)
    decisions = [
        matcher.match(parsed.specs[category], asset)
        for category, asset in zip(parsed.specs, (data, algorithm, infra), strict=True)
    ]
    return verdict, decisions


def _ranked(loaded: list[Any], spec: Any, limit: int | None) -> list[Any]:
    """The eligible assets of every catalog for one spec, ranked together (global ranks); the
    first `limit` only when given (each catalog's own first `limit`, merged)."""
    ranked = [r for index in loaded for r in index.match(spec, limit)]
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
