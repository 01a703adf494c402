"""What the ontology and an asset's description entail about one property's values: the one
semantics every constraint and triplet rule is decided by (VOCABULARY.md, "Matching
semantics").

An asset's values of a property are its stated values, the values its classes imply
(`p value v`, already among `Asset.facts`), and the anonymous values its classes' existentials
imply (`p some {a, b}`, `p some xsd:integer[>= n]`): "there is a value in this set / range".
A rule that asks for *some* value (MinInclusive, RequiredValue, the triplet's modality rule)
holds when such a value is entailed; a rule that bounds *every* value (MaxInclusive,
AllowedValues) holds when a value within is entailed and no value outside is. Both questions
are HermiT instance checks (`p some X`, `p some not X`), which the cross-check asks.

Numeric witnesses are (number, tie) keys so that exclusive facets compare exactly:
a lower witness (v, 0) means "a value >= v", (b, 1) "a value > b"; an upper witness (v, 0)
"a value <= v", (b, -1) "a value < b".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from saiaas.matcher._assets import Asset
from saiaas.matcher._model import OntologyModel
from saiaas.matcher._values import Value, is_number

Key = tuple[Any, int]


def lower_witness(asset: Asset, prop: str) -> Key | None:
    """The strongest entailed "some value >= / > x" (stated numbers, implied min facets)."""
    keys: list[Key] = [(v, 0) for v in asset.values(prop) if is_number(v)]
    for c in asset.implied_some.get(prop, ()):
        if c.datatype is None:
            continue
        for facet, b in c.facets:
            if facet == "minInclusive" and is_number(b):
                keys.append((b, 0))
            elif facet == "minExclusive" and is_number(b):
                keys.append((b, 1))
    return max(keys) if keys else None


def upper_witness(asset: Asset, prop: str) -> Key | None:
    """The strongest entailed "some value <= / < x" (stated numbers, implied max facets)."""
    keys: list[Key] = [(v, 0) for v in asset.values(prop) if is_number(v)]
    for c in asset.implied_some.get(prop, ()):
        if c.datatype is None:
            continue
        for facet, b in c.facets:
            if facet == "maxInclusive" and is_number(b):
                keys.append((b, 0))
            elif facet == "maxExclusive" and is_number(b):
                keys.append((b, -1))
    return min(keys) if keys else None


def non_numeric(asset: Asset, prop: str) -> list[Value]:
    return [v for v in asset.values(prop) if not is_number(v)]


def implied_sets(asset: Asset, prop: str) -> list[frozenset[Value]]:
    """Sets an implied existential (p some {a, b}) says one value of prop lies in."""
    return [c.one_of for c in asset.implied_some.get(prop, ()) if c.one_of]


def some_value(
    asset: Asset, prop: str, ok: Callable[[Value], bool]
) -> tuple[Value | None, frozenset[Value] | None]:
    """A witness that some value of prop satisfies `ok`: a stated/class-implied value, or an
    implied set whose every member satisfies it. (None, None) when none is entailed."""
    for v in sorted(asset.values(prop), key=str):
        if ok(v):
            return v, None
    for one_of in implied_sets(asset, prop):
        if all(ok(v) for v in one_of):
            return None, one_of
    return None, None


def entailed(witness: tuple[Value | None, frozenset[Value] | None]) -> bool:
    return witness[0] is not None or witness[1] is not None


def satisfying_set(model: OntologyModel, wanted: Any) -> frozenset[Value]:
    """Every value that satisfies one of `wanted` (itself, or narrowerThan it)."""
    out: set[Value] = set()
    for w in wanted:
        out.add(w)
        if isinstance(w, str):
            out |= model.satisfying.get(w, frozenset())
    return frozenset(out)


def outside(model: OntologyModel, prop: str, inside: frozenset[Value]) -> Callable[[Value], bool]:
    """Whether a value is provably none of `inside`: a literal by value, an individual by an
    owl:AllDifferent / differentFrom axiom or disjoint types (no unique-name assumption)."""
    if model.property_kinds.get(prop) == "datatype":
        return lambda v: not any(_same_literal(v, w) for w in inside)
    return lambda v: v not in inside and all(model.different_individuals(v, w) for w in inside)


def _same_literal(a: Value, b: Value) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b
