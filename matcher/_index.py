"""Bulk decisions for marketplace scale: assets indexed once as bitsets (Python ints, bit i =
asset i) per class, per property value and per numeric threshold, so one spec against every
asset is a handful of big-int ANDs instead of a loop over assets. Reasons are not built here:
`Matcher.match` gives them for the pairs a person looks at; the two paths must agree (tested)."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

from saiaas.matcher._assets import Asset
from saiaas.matcher._entail import (
    Key,
    implied_sets,
    lower_witness,
    outside,
    satisfying_set,
    upper_witness,
)
from saiaas.matcher._model import OntologyModel
from saiaas.matcher._policy import Policy, permitted
from saiaas.matcher._values import Value, is_number
from saiaas.ontologies.requests import AssetSpecification, Category, ConstraintKind, DataUse

_CATEGORIES = tuple(c.value for c in Category)


@dataclass(frozen=True)
class SpecResult:
    """Bitsets over the index's assets (bit i = `index.assets[i]`)."""

    exact: int
    plugin: int
    subsumes: int
    eligible: int

    def count(self, bits: int) -> int:
        return bits.bit_count()


class AssetIndex:
    def __init__(self, model: OntologyModel, assets: list[Asset]) -> None:
        self.model, self.assets = model, assets
        self.instances: dict[str, int] = {}
        self.specific: dict[str, int] = {}
        self.by_value: dict[str, dict[Value, int]] = {}
        self.has: dict[str, int] = {}
        self.non_numeric: dict[str, int] = {}
        lows: dict[str, dict[Key, int]] = {}  # entailed "some value >= x" per asset
        ups: dict[str, dict[Key, int]] = {}  # entailed "some value <= x" per asset
        #: per property: (set an implied existential puts a value in, assets)
        self.implied_sets: dict[str, dict[frozenset[Value], int]] = {}
        #: per property, per asset position: the entailed lower bound, the largest stated number
        #: (floats: they only rank, they never decide)
        self.low_of: dict[str, dict[int, float]] = {}
        self.stated_max: dict[str, dict[int, float]] = {}
        for i, asset in enumerate(assets):
            bit = 1 << i
            for t in asset.types:
                self.instances[t] = self.instances.get(t, 0) | bit
            for t in asset.most_specific:
                self.specific[t] = self.specific.get(t, 0) | bit
            numeric_props = set(asset.implied_some)
            for p, values in asset.facts.items():
                self.has[p] = self.has.get(p, 0) | bit
                table = self.by_value.setdefault(p, {})
                for v in values:
                    table[v] = table.get(v, 0) | bit
                if any(not is_number(v) for v in values):
                    self.non_numeric[p] = self.non_numeric.get(p, 0) | bit
                numeric_props.add(p)
            for p in numeric_props:
                low, up = lower_witness(asset, p), upper_witness(asset, p)
                if low is not None:
                    _add(lows, p, low, bit)
                    self.low_of.setdefault(p, {})[i] = as_float(low[0])
                stated = [v for v in asset.values(p) if is_number(v)]
                if stated:
                    self.stated_max.setdefault(p, {})[i] = as_float(max(stated))
                if up is not None:
                    _add(ups, p, up, bit)
            for p in asset.implied_some:
                for one_of in implied_sets(asset, p):
                    table2 = self.implied_sets.setdefault(p, {})
                    table2[one_of] = table2.get(one_of, 0) | bit
        # per property: sorted distinct witnesses and suffix (lows) / prefix (ups) unions
        self._low = {p: _suffixes(t) for p, t in lows.items()}
        self._up = {p: _prefixes(t) for p, t in ups.items()}
        self._degrees: dict[str, tuple[int, int, int]] = {}
        self._memo: dict[tuple[str, str, frozenset[Value]], int] = {}
        #: the data-use policies of the assets that state one, by position (decided per data
        #: use on the model: few assets state one, and each verdict is memoized)
        self.policies: dict[int, Policy] = {
            i: a.policy for i, a in enumerate(assets) if a.policy is not None
        }
        self._policy_memo: dict[tuple[Any, Any], bool] = {}
        #: assets per category; an asset of no category counts in every one
        self.by_category: dict[str, int] = {}
        for i, asset in enumerate(assets):
            for cat in (asset.category,) if asset.category else _CATEGORIES:
                self.by_category[cat] = self.by_category.get(cat, 0) | (1 << i)

    def categories(self) -> dict[str, int]:
        return dict(self.by_category)

    def __getstate__(self) -> dict[str, object]:
        """Pickled without the model (the catalog cache re-attaches it) or memos."""
        state = dict(self.__dict__)
        state.pop("model", None)
        state.pop("assets", None)
        state["_degrees"], state["_memo"] = {}, {}
        state["_policy_memo"] = {}
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)

    def _at_least(self, p: str, key: Key) -> int:
        """Assets with an entailed value of p >= key (lower witness >= key)."""
        keys, suffix = self._low.get(p, ([], [0]))
        return suffix[bisect_left(keys, key)] if keys else 0

    def _above(self, p: str, key: Key) -> int:
        """Assets with an entailed value of p > key."""
        keys, suffix = self._low.get(p, ([], [0]))
        return suffix[bisect_right(keys, key)] if keys else 0

    def _at_most(self, p: str, key: Key) -> int:
        """Assets with an entailed value of p <= key (upper witness <= key)."""
        keys, prefix = self._up.get(p, ([], [0]))
        return prefix[bisect_right(keys, key)] if keys else 0

    def _satisfying(self, p: str, wanted: frozenset[Value]) -> int:
        """Assets with a stated value of p satisfying one of `wanted`, or an implied set of
        values that all satisfy one of them."""
        key = ("sat", p, wanted)
        hit = self._memo.get(key)
        if hit is None:

            def ok(v: Value) -> bool:
                return any(self.model.satisfies_value(v, w) for w in wanted)

            hit = 0
            for v, b in self.by_value.get(p, {}).items():
                if ok(v):
                    hit |= b
            for one_of, b in self.implied_sets.get(p, {}).items():
                if all(ok(v) for v in one_of):
                    hit |= b
            self._memo[key] = hit
        return hit

    def _allowed(self, p: str, allowed: frozenset[Value]) -> int:
        key = ("allowed", p, allowed)
        hit = self._memo.get(key)
        if hit is None:
            inside = satisfying_set(self.model, allowed)
            is_outside = outside(self.model, p, inside)
            bad = present = 0
            for v, b in self.by_value.get(p, {}).items():
                if v in inside:
                    present |= b
                elif is_outside(v):
                    bad |= b
            for one_of, b in self.implied_sets.get(p, {}).items():
                if one_of <= inside:
                    present |= b
                elif all(is_outside(v) for v in one_of):
                    bad |= b
            hit = self._memo[key] = present & ~bad
        return hit

    def degrees(self, requested: str) -> tuple[int, int, int]:
        hit = self._degrees.get(requested)
        if hit is None:
            model = self.model
            inside = self.instances.get(requested, 0)
            plugin = 0
            for d in model.descendants.get(requested, ()):
                if d not in model.equivalents.get(requested, ()):
                    plugin |= self.instances.get(d, 0)
            subsumes = 0
            for a in model.ancestors.get(requested, ()):
                if a not in model.equivalents.get(requested, ()):
                    subsumes |= self.specific.get(a, 0)
            hit = self._degrees[requested] = (inside & ~plugin, plugin & inside, subsumes & ~inside)
        return hit

    def evaluate(self, spec: AssetSpecification) -> SpecResult:
        exact, plugin, subsumes = self.degrees(spec.requested_class)
        eligible = exact | plugin
        for c in spec.constraints:
            if not eligible:
                break
            p = c.property
            if c.kind is ConstraintKind.MIN_INCLUSIVE:
                eligible &= self._at_least(p, (c.value, 0))
            elif c.kind is ConstraintKind.MAX_INCLUSIVE:
                eligible &= (
                    self._at_most(p, (c.value, 0))
                    & ~self._above(p, (c.value, 0))
                    & ~self.non_numeric.get(p, 0)
                )
            elif c.kind is ConstraintKind.REQUIRED_VALUE:
                eligible &= self._satisfying(p, frozenset([c.value]))  # type: ignore[list-item]
            else:
                eligible &= self._allowed(p, c.allowed)
        if eligible and self.policies and spec.category is Category.DATA:
            eligible &= ~self._refused_by_policy(spec.data_use)
        return SpecResult(exact, plugin, subsumes, eligible)

    def _refused_by_policy(self, use: DataUse | None) -> int:
        """Bits of the assets whose data-use conditions refuse this use."""
        bits = 0
        for i, policy in self.policies.items():
            key = (use, policy)
            ok = self._policy_memo.get(key)
            if ok is None:
                ok = self._policy_memo[key] = permitted(self.model, use, policy)
            if not ok:
                bits |= 1 << i
        return bits

    def eligible_assets(self, spec: AssetSpecification) -> list[Asset]:
        bits = self.evaluate(spec).eligible
        return [a for i, a in enumerate(self.assets) if bits >> i & 1]


def _add(table: dict[str, dict[Key, int]], p: str, value: Key, bit: int) -> None:
    inner = table.setdefault(p, {})
    inner[value] = inner.get(value, 0) | bit


def _prefixes(table: dict[Key, int]) -> tuple[list[Key], list[int]]:
    """Sorted keys and, for each count j, the union of the assets at the first j keys."""
    keys = sorted(table)
    prefix = [0] * (len(keys) + 1)
    for j, k in enumerate(keys):
        prefix[j + 1] = prefix[j] | table[k]
    return keys, prefix


def _suffixes(table: dict[Key, int]) -> tuple[list[Key], list[int]]:
    """Sorted keys and, for each position, the union of the assets at that key or above."""
    keys = sorted(table)
    suffix = [0] * (len(keys) + 1)
    for j in range(len(keys) - 1, -1, -1):
        suffix[j] = suffix[j + 1] | table[keys[j]]
    return keys, suffix


def as_float(value: Any) -> float:
    """A number as a float for ranking margins; one too large for a float (a hostile
    5,000-digit literal) ranks as infinitely far, it does not crash the index."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
