"""A provider's catalog, parsed and inferred once: its assets and their bitset index, cached on
disk next to the classification cache and keyed by the sha256 of the catalog's bytes and of the
ontology's, so a scan of many requests is index lookups from the first decision on.

The cache file is a small JSON header line (keys, layout version, the payload's sha256) and a
pickled payload. It is used only when every key matches and the payload hashes to the recorded
digest; anything else (missing, truncated, foreign, corrupted) is ignored and rebuilt, and
writes are atomic (temp + rename). The payload is unpickled only after its digest checks out,
from the user's own cache folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from saiaas.matcher._assets import Asset, assets_from_rows
from saiaas.matcher._decide import EXACT, PLUGIN, Decision, check_spec, decide
from saiaas.matcher._index import AssetIndex, as_float
from saiaas.matcher._parse import rows_of, triples
from saiaas.matcher._policy import ox_policies
from saiaas.matcher._values import is_number
from saiaas.ontologies.requests import (
    AssetSpecification,
    ConstraintKind,
    Request,
    local_name,
)

if TYPE_CHECKING:
    from saiaas.matcher.matcher import Matcher

#: Bump when the cached payload's layout (Asset, AssetIndex) changes.
CATALOG_VERSION = 3


@dataclass(frozen=True)
class Ranked:
    """One eligible asset for a spec, with its place among the catalog's eligible assets.

    `rank_key` sorts best first: degree (exact before plugin), then the closest fit: fewest
    levels below the requested class, then the smallest total relative margin over the numeric
    constraints (an asset that barely meets them is the closer fit), then the IRI."""

    decision: Decision
    rank: int
    score: float
    levels_below: int
    margin: float
    score_reasons: tuple[str, ...] = field(default=())

    @property
    def asset(self) -> str:
        return self.decision.asset

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.decision.as_dict(),
            "rank": self.rank,
            "score": self.score,
            "score_reasons": list(self.score_reasons),
        }


class Catalog:
    """One catalog's assets under one ontology version; build it with `Matcher.catalog`."""

    def __init__(
        self,
        matcher: Matcher,
        name: str,
        sha256: str,
        assets: Sequence[Asset],
        index: AssetIndex,
        from_cache: bool,
        seconds: float,
    ) -> None:
        self.matcher = matcher
        self.name = name
        self.sha256 = sha256
        self.assets = assets
        self.index = index
        self.from_cache = from_cache
        self.seconds = seconds
        self._level_memo: dict[tuple[str, str], int] = {}
        self._groups: dict[str, list[tuple[int, int]]] = {}
        self.iris: list[str] = (
            assets.iris if isinstance(assets, LazyAssets) else [a.iri for a in assets]
        )
        self._by_category: dict[str, int] = {}
        for cat, bits in index.categories().items():
            self._by_category[cat] = bits

    def __len__(self) -> int:
        return len(self.assets)

    # ------------------------------------------------------------------ decisions
    def eligible_bits(self, spec: AssetSpecification) -> int:
        """Bitset (bit i = `assets[i]`) of the assets of the spec's category that are eligible."""
        return self.index.evaluate(spec).eligible & self._by_category.get(spec.category.value, 0)

    def decisions(self, spec: AssetSpecification, every_category: bool = False) -> list[Decision]:
        """Every asset of the spec's category (or of any category) with degree and reasons."""
        check_spec(self.matcher.model, spec)
        mask = (1 << len(self.assets)) - 1 if every_category else self.category_bits(spec)
        return [
            decide(self.matcher.model, spec, a) for i, a in enumerate(self.assets) if mask >> i & 1
        ]

    def match(self, spec: AssetSpecification, limit: int | None = None) -> list[Ranked]:
        """The eligible assets for `spec`, best first (see `Ranked`); reasons are built for the
        first `limit` only (all when None)."""
        check_spec(self.matcher.model, spec)
        model = self.matcher.model
        eligible = self.eligible_bits(spec)
        uniform = False
        if limit is not None:
            front = self._front(spec, eligible)
            if front.bit_count() >= limit:
                eligible, uniform = front, True
        positions = _bits(eligible)
        if uniform and positions:
            # the front shares its degree and its levels: only the margins differ
            head = _class_key(model, spec, self.assets[positions[0]], self._levels)
            keyed = [((*head, self._margin(spec, i)), self.iris[i], i) for i in positions]
        else:
            keyed = [
                (
                    (*_class_key(model, spec, self.assets[i], self._levels), self._margin(spec, i)),
                    self.iris[i],
                    i,
                )
                for i in positions
            ]
        keyed.sort()
        out = []
        for rank, (key, _iri, i) in enumerate(keyed[: limit if limit is not None else None], 1):
            degree_rank, levels, margin = key
            asset = self.assets[i]
            decision = decide(model, spec, asset)
            out.append(
                Ranked(
                    decision,
                    rank,
                    _score(degree_rank, levels, margin),
                    levels,
                    margin,
                    _score_reasons(spec, decision.degree, levels, margin),
                )
            )
        return out

    def _front(self, spec: AssetSpecification, eligible: int) -> int:
        """The eligible assets that can rank first: the exact ones if any, else the plugin ones
        fewest levels below the requested class (bitsets, before any per-asset work)."""
        exact, _plugin, _ = self.index.degrees(spec.requested_class)
        if eligible & exact:
            return eligible & exact
        for _level, bits in self._level_groups(spec.requested_class):
            if bits & eligible:
                return bits & eligible
        return eligible

    def _level_groups(self, requested: str) -> list[tuple[int, int]]:
        """The catalog's assets strictly below `requested`, grouped by how many levels below
        their most specific class is, nearest first (memoized per requested class)."""
        hit = self._groups.get(requested)
        if hit is None:
            model = self.matcher.model
            by_level: dict[int, int] = {}
            for t in model.descendants.get(requested, ()):
                bits = self.index.specific.get(t, 0)
                if bits and model.strictly_below(t, requested):
                    level = self._levels(requested, t)
                    by_level[level] = by_level.get(level, 0) | bits
            hit = self._groups[requested] = sorted(by_level.items())
        return hit

    def _margin(self, spec: AssetSpecification, i: int) -> float:
        """Total relative margin of asset i beyond the spec's numeric bounds (index tables)."""
        return _margin_of(self._bounds(spec), i)

    def _bounds(self, spec: AssetSpecification) -> list[tuple[bool, dict[int, float], float]]:
        out = []
        for c in spec.constraints:
            if c.kind is ConstraintKind.MIN_INCLUSIVE and is_number(c.value):
                out.append((True, self.index.low_of.get(c.property, {}), as_float(c.value)))  # type: ignore[arg-type]
            elif c.kind is ConstraintKind.MAX_INCLUSIVE and is_number(c.value):
                out.append((False, self.index.stated_max.get(c.property, {}), as_float(c.value)))  # type: ignore[arg-type]
        return out

    def _levels(self, requested: str, t: str) -> int:
        key = (requested, t)
        hit = self._level_memo.get(key)
        if hit is None:
            model = self.matcher.model
            hit = self._level_memo[key] = len(
                {
                    model.equivalents.get(a, frozenset({a}))
                    for a in model.ancestors.get(t, ())
                    if model.strictly_below(a, requested)
                }
            )
        return hit

    def best_iri(self, spec: AssetSpecification) -> str | None:
        """The IRI of the asset `best` would return, without building its reasons (the scan's
        hot path: bitsets, and per-asset margins only within the front)."""
        eligible = self.eligible_bits(spec)
        if not eligible:
            return None
        front = self._front(spec, eligible)
        if not any(
            c.kind in (ConstraintKind.MIN_INCLUSIVE, ConstraintKind.MAX_INCLUSIVE)
            for c in spec.constraints
        ):
            first = front & -front  # margins all 0: the first IRI (assets are sorted by IRI)
            return self.iris[first.bit_length() - 1]
        bounds = self._bounds(spec)
        return min((_margin_of(bounds, i), self.iris[i]) for i in _bits(front))[1]

    def best(self, spec: AssetSpecification) -> Ranked | None:
        """The asset a provider should bid with for `spec`, or None if none is eligible."""
        ranked = self.match(spec, limit=1)
        return ranked[0] if ranked else None

    def match_request(self, request: Request, limit: int | None = None) -> dict[str, list[Ranked]]:
        """Per category of the request, its eligible assets best first."""
        self.matcher.check(request)
        return {c.value: self.match(spec, limit) for c, spec in request.specs.items()}

    def find(self, name: str) -> Asset:
        """An asset by IRI, `prefix:local` or local name (one clear error otherwise), loading
        only that asset from a cached catalog."""
        from saiaas.matcher._errors import UnknownTermError

        local = name.split(":", 1)[1] if ":" in name and "://" not in name else name
        hits = [i for i, iri in enumerate(self.iris) if iri == name] or [
            i for i, iri in enumerate(self.iris) if iri.endswith(("#" + local, "/" + local))
        ]
        if len(hits) != 1:
            why = "no asset" if not hits else f"{len(hits)} assets"
            raise UnknownTermError(f"{why} named {name!r} in {self.name}")
        return self.assets[hits[0]]

    def category_bits(self, spec: AssetSpecification) -> int:
        """Bitset of the assets of the spec's category (an asset of no category is in all)."""
        return self._by_category.get(spec.category.value, 0)


class LazyAssets(Sequence[Asset]):
    """A cached catalog's assets, each unpickled on first use: a scan touches the index and
    the few assets it ranks, so loading 10,000 of them eagerly would cost more than the scan."""

    def __init__(self, blobs: list[bytes], iris: list[str]) -> None:
        self._blobs = blobs
        self._items: list[Asset | None] = [None] * len(blobs)
        self.iris = iris

    def __len__(self) -> int:
        return len(self._blobs)

    @overload
    def __getitem__(self, i: int) -> Asset: ...

    @overload
    def __getitem__(self, i: slice) -> list[Asset]: ...

    def __getitem__(self, i: int | slice) -> Asset | list[Asset]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        hit = self._items[i]
        if hit is None:
            hit = self._items[i] = pickle.loads(self._blobs[i])  # noqa: S301 (digest-checked)
        return hit


# ---------------------------------------------------------------------------- ranking
def _bits(bits: int) -> list[int]:
    """Positions of the set bits, lowest first (cost per set bit, not per asset)."""
    out = []
    while bits:
        low = bits & -bits
        out.append(low.bit_length() - 1)
        bits ^= low
    return out


def _class_key(
    model: Any, spec: AssetSpecification, asset: Asset, levels_of: Any
) -> tuple[int, int]:
    """(0, 0) for an exact match, (1, levels below the requested class) for a plugin one."""
    requested = spec.requested_class
    below = [t for t in asset.most_specific if model.strictly_below(t, requested)]
    if below:
        return 1, min(levels_of(requested, t) for t in below)
    return 0, 0


def _margin_of(bounds: list[tuple[bool, dict[int, float], float]], i: int) -> float:
    margin = 0.0
    for is_min, table, bound in bounds:
        value = table.get(i)
        if value is not None:
            high, low = (value, bound) if is_min else (bound, value)
            margin += (high - low) / max(abs(low), abs(high), 1.0)
    return round(margin, 6)


def _score(degree_rank: int, levels: int, margin: float) -> float:
    """One number for display, higher is better, consistent with `rank_key` (degree first)."""
    return round((1.0 if degree_rank == 0 else 0.5) / (1 + levels) / (1 + margin), 4)


def _score_reasons(
    spec: AssetSpecification, degree: str, levels: int, margin: float
) -> tuple[str, ...]:
    requested = local_name(spec.requested_class)
    out = [
        f"{degree}: "
        + (
            "the requested class itself"
            if degree == EXACT
            else f"{levels} level{'s' if levels != 1 else ''} below {requested}"
        )
    ]
    if any(
        c.kind in (ConstraintKind.MIN_INCLUSIVE, ConstraintKind.MAX_INCLUSIVE)
        for c in spec.constraints
    ):
        out.append(f"numeric margin {margin:.0%} beyond the bounds (smaller is a closer fit)")
    assert degree in (EXACT, PLUGIN)
    return tuple(out)


# ---------------------------------------------------------------------------- building, cache
def catalog_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_catalog(
    matcher: Matcher, data: bytes, name: str, cache_dir: Path | None, use_cache: bool = True
) -> Catalog:
    started = time.perf_counter()
    key = catalog_key(data)
    path = (
        cache_dir / f"catalog-v{CATALOG_VERSION}-{matcher.key[:16]}-{key}.bin"
        if cache_dir is not None
        else None
    )
    header = {
        "catalog_sha256": key,
        "ontology_sha256": matcher.key,
        "version": CATALOG_VERSION,
    }
    if use_cache and path is not None:
        loaded = _load(path, header)
        if loaded is not None:
            assets, index = loaded
            index.model = matcher.model
            index.assets = assets
            return Catalog(matcher, name, key, assets, index, True, time.perf_counter() - started)
    parsed = triples(data, name)
    assets = assets_from_rows(matcher.model, rows_of(parsed), ox_policies(parsed))
    index = AssetIndex(matcher.model, assets)
    if use_cache and path is not None:
        blobs = [pickle.dumps(a, protocol=pickle.HIGHEST_PROTOCOL) for a in assets]
        _store(path, header, (blobs, [a.iri for a in assets], index))
    return Catalog(matcher, name, key, assets, index, False, time.perf_counter() - started)


def _load(path: Path, header: dict[str, Any]) -> tuple[LazyAssets, AssetIndex] | None:
    try:
        with open(path, "rb") as handle:
            first = handle.readline()
            payload = handle.read()
        stored = json.loads(first)
        if any(stored.get(k) != v for k, v in header.items()):
            return None
        if stored.get("payload_sha256") != hashlib.sha256(payload).hexdigest():
            return None
        blobs, iris, index = pickle.loads(payload)  # noqa: S301 (digest-checked, own cache)
        if not isinstance(index, AssetIndex) or len(blobs) != len(iris):
            return None
        return LazyAssets(blobs, iris), index
    except Exception:  # missing, truncated, foreign layout: rebuild
        return None


def _store(path: Path, header: dict[str, Any], payload_obj: Any) -> None:
    try:
        payload = pickle.dumps(payload_obj, protocol=pickle.HIGHEST_PROTOCOL)
        record = {**header, "payload_sha256": hashlib.sha256(payload).hexdigest()}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(json.dumps(record).encode() + b"\n")
                handle.write(payload)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a read-only cache folder costs a rebuild per process, never a wrong answer
