"""The reasoning service: validate, match, judge a triplet; Turtle in, the CLI's JSON out.

Each function takes the Turtle texts a client posted and returns exactly what the matching
command prints with `--json` (`saiaas validate`, `saiaas match`, `saiaas match --triplet`,
`saiaas provider match`), raising the same library errors with the same texts, the file names
being the names the client gave (or "request", "catalog-1", ...).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from saiaas.ontologies.errors import InputError, SaiaasError, UsageError

if TYPE_CHECKING:
    from rdflib import Graph
    from saiaas.market import Marketplace
    from saiaas.market.indexer import Index

__all__ = ["validate", "match", "triplet", "provider_matches", "run", "warm", "KINDS"]

KINDS = ("request", "catalog")
#: The matcher caches lazily: one decision at a time per process.
_LOCK = threading.RLock()


def _turtle(text: str, name: str) -> Graph:
    from rdflib import Graph

    graph = Graph()
    try:
        graph.parse(data=text, format="turtle")
    except Exception as error:  # rdflib's parsers raise many types
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise InputError(f"{name}: not valid Turtle: {first[:200]}") from None
    return graph


def validate(data: bytes, kind: str | None, name: str) -> tuple[bool, list[dict[str, Any]]]:
    """(conforms, violations as `saiaas validate --json` lists them)."""
    from saiaas.shapes import validate as shacl

    if kind is not None and kind not in KINDS:
        raise UsageError(f"unknown --kind {kind!r}; expected 'request' or 'catalog'")
    with _LOCK:
        report = shacl(data, kind, name=name)
    return report.conforms, list(report.as_dicts())


def match(request: tuple[str, str], catalogs: list[tuple[str, str]], show_all: bool = False
          ) -> list[dict[str, Any]]:
    """`saiaas match REQUEST CATALOG... --json`: every decision, the eligible ones ranked."""
    from saiaas.market.reasoning import match_files
    from saiaas.matcher import Matcher

    with _LOCK:
        matched = match_files(Matcher.for_ontology(), _encoded(request), _all_encoded(catalogs),
                              show_all)
    return matched.as_json()


def triplet(request: tuple[str, str], catalogs: list[tuple[str, str]],
            names: tuple[str, str, str]) -> dict[str, Any]:
    """`saiaas match REQUEST --triplet DATA ALGO INFRA --catalog ... --json`."""
    from saiaas.market.reasoning import triplet_files
    from saiaas.matcher import Matcher

    with _LOCK:
        verdict, decisions = triplet_files(Matcher.for_ontology(), _encoded(request),
                                           _all_encoded(catalogs), names)
    return {**verdict.as_dict(), "decisions": [d.as_dict() for d in decisions]}


def _encoded(named: tuple[str, str]) -> tuple[str, bytes]:
    return named[0], named[1].encode("utf-8")


def _all_encoded(catalogs: list[tuple[str, str]]) -> list[tuple[str, bytes]]:
    return [_encoded(c) for c in catalogs]


def run(name: str, *args: Any) -> tuple[int, Any]:
    """One reasoning call as the service answers it, (HTTP status, JSON body): what a worker
    process runs, so the decisions' CPU time never holds the serving process's GIL."""
    from saiaas.service.errors import error_body

    functions: dict[str, Any] = {"validate": validate, "match": match, "triplet": triplet}
    try:
        result = functions[name](*args)
    except SaiaasError as error:
        return error_body(error)
    if name == "validate":
        conforms, violations = result
        return (200 if conforms else 422), violations
    return 200, result


def warm() -> None:
    """Load the classified ontology now (a worker's first decision would otherwise pay it)."""
    from saiaas.matcher import Matcher

    Matcher.for_ontology()



def provider_matches(market: Marketplace, index: Index, catalogs: list[tuple[str, str]],
                     show_all: bool = False, now: int | None = None) -> dict[str, Any]:
    """`saiaas provider match --json` over the index's open auctions: {"factory", "matches",
    "skipped"}; every row also carries its reasons (the dashboard shows them)."""
    from saiaas.contracts import AuctionInfo
    from saiaas.market.provider import SATISFIED, load_catalogs
    from saiaas.market.requirements import Requirements, UnusableAuction
    from saiaas.matcher import MatcherError
    from saiaas.ontologies.requests import Category
    from saiaas.service.readmodel import auction_detail
    from saiaas.storage import StorageError, StoreUnreachable

    now = index.now() if now is None else now
    rows: list[dict[str, Any]] = []
    skipped: list[dict[str, str]] = []
    with _LOCK:
        given = load_catalogs((name, text.encode("utf-8")) for name, text in catalogs)
        for auction in index.auctions():
            terms = auction["terms"]
            if auction["state"] not in (None, "BIDDING") or auction["deadline"] <= now or not terms:
                continue
            info = AuctionInfo(
                address=terms["address"], client=terms["client"], factory=terms["factory"],
                requirements_cid=terms["requirements_cid"], ontology_cid=terms["ontology_cid"],
                ontology_version=terms["ontology_version"],
                max_prices=tuple(int(terms["max_prices_wei"][c.value]) for c in Category),  # type: ignore[arg-type]
                reserve=int(terms["reserve_wei"]), bidding_deadline=terms["deadline_at"],
                delivery_window=terms["delivery_window_seconds"],
                acknowledgment_window=terms["acknowledgment_window_seconds"],
                min_references=terms["min_references"],
                bonds=tuple(int(terms.get("bonds_wei", {}).get(c.value) or 0) for c in Category),  # type: ignore[arg-type]
            )
            try:
                request = Requirements(market, info).request
                _, indexes = given.indexes(market, info.ontology_cid)
                decisions = [d for spec in request.specs.values() for ix in indexes
                             for d in ix.decisions(spec)]
            except StoreUnreachable:
                raise
            except (UnusableAuction, InputError, StorageError, MatcherError) as error:
                skipped.append({"auction": auction["address"], "reason": str(error)})
                continue
            detail = auction_detail(index, auction["address"], now) or {}
            best = {c["category"]: c["best"] for c in detail.get("categories", [])}
            labels = {a.iri: a.label for ix in indexes for a in ix.assets}
            for decision in decisions:
                if not (decision.eligible or show_all):
                    continue
                order = Category(decision.category).order
                base = best.get(decision.category)
                rows.append({
                    "auction": auction["address"],
                    "category": decision.category,
                    "asset": decision.asset,
                    "label": labels.get(decision.asset),
                    "degree": decision.degree,
                    "eligible": decision.eligible,
                    "max_price_wei": str(info.max_prices[order]),
                    "base_price_wei": base["price_wei"] if base else None,
                    "time_left_seconds": max(0, auction["deadline"] - now),
                    "why": [{"met": r.code in SATISFIED, "message": r.message}
                            for r in decision.reasons],
                    **({"reasons": [r.message for r in decision.reasons
                                    if r.code not in SATISFIED]} if show_all else {}),
                })
    return {"factory": index.status()["factory"], "matches": rows, "skipped": skipped}
