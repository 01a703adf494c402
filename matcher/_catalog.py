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
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from saiaas.matcher._assets import Asset, assets_from_rows
from saiaas.matcher._decide import EXACT, PLUGIN, Decision, check_spec, decide
from saiaas.matcher._entail import lower_witness
from saiaas.matcher._index import AssetIndex
from saiaas.matcher._parse import rows
from saiaas.matcher._values import is_number
from saiaas.ontologies.requests import (
    AssetSpecification,
    Category,
    ConstraintKind,
    Request,
    local_name,
)

if TYPE_CHECKING:
    from saiaas.matcher.matcher import Matcher

#: Bump when the cached payload's layout (Asset, AssetIndex) changes.
CATALOG_VERSION = 1


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
        assets: list[Asset],
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
        self._by_category: dict[str, int] = {}
        for i, a in enumerate(assets):
            for cat in (a.category,) if a.category else [c.value for c in Category]:
                self._by_category[cat] = self._by_category.get(cat, 0) | (1 << i)

    def __len__(self) -> int:
        return len(self.assets)

    # ------------------------------------------------------------------ decisions
    def eligible_bits(self, spec: AssetSpecification) -> int:
        """Bitset (bit i = `assets[i]`) of the assets of the spec's category that are eligible."""
        return self.index.evaluate(spec).eligible & self._by_category.get(spec.category.value, 0)

    def decisions(self, spec: AssetSpecification, every_category: bool = False) -> list[Decision]:
        """Every asset of the spec's category (or of any category) with degree and reasons."""
        check_spec(self.matcher.model, spec)
        mask = (1 << len(self.assets)) - 1 if every_category else self._mask(spec)
        return [
            decide(self.matcher.model, spec, a) for i, a in enumerate(self.assets) if mask >> i & 1
        ]

    def match(self, spec: AssetSpecification, limit: int | None = None) -> list[Ranked]:
        """The eligible assets for `spec`, best first (see `Ranked`); reasons are built for the
        first `limit` only (all when None)."""
        check_spec(self.matcher.model, spec)
        bits = self.eligible_bits(spec)
        model = self.matcher.model
        keyed = []
        i = 0
        while bits:
            if bits & 1:
                asset = self.assets[i]
                keyed.append((_rank_key(model, spec, asset), asset))
            bits >>= 1
            i += 1
        keyed.sort(key=lambda item: (item[0], item[1].iri))
        out = []
        for rank, (key, asset) in enumerate(keyed[: limit if limit is not None else None], 1):
            degree_rank, levels, margin = key
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

    def best(self, spec: AssetSpecification) -> Ranked | None:
        """The asset a provider should bid with for `spec`, or None if none is eligible."""
        ranked = self.match(spec, limit=1)
        return ranked[0] if ranked else None

    def match_request(self, request: Request, limit: int | None = None) -> dict[str, list[Ranked]]:
        """Per category of the request, its eligible assets best first."""
        self.matcher.check(request)
        return {c.value: self.match(spec, limit) for c, spec in request.specs.items()}

    def find(self, name: str) -> Asset:
        return self.matcher.find(self.assets, name)

    def _mask(self, spec: AssetSpecification) -> int:
        return self._by_category.get(spec.category.value, 0)


# ---------------------------------------------------------------------------- ranking
def _rank_key(model: Any, spec: AssetSpecification, asset: Asset) -> tuple[int, int, float]:
    requested = spec.requested_class
    below = [t for t in asset.most_specific if model.strictly_below(t, requested)]
    if below:
        degree_rank = 1
        levels = min(
            len(
                {
                    model.equivalents.get(a, frozenset({a}))
                    for a in model.ancestors.get(t, ())
                    if model.strictly_below(a, requested)
                }
            )
            for t in below
        )
    else:
        levels, degree_rank = 0, 0
    margin = 0.0
    for c in spec.constraints:
        if c.kind is ConstraintKind.MIN_INCLUSIVE and is_number(c.value):
            low = lower_witness(asset, c.property)
            if low is not None:
                margin += _relative(low[0], c.value)
        elif c.kind is ConstraintKind.MAX_INCLUSIVE and is_number(c.value):
            stated = [v for v in asset.values(c.property) if is_number(v)]
            if stated:
                margin += _relative(c.value, max(stated))
    return degree_rank, levels, round(margin, 6)


def _relative(high: Any, low: Any) -> float:
    diff = Decimal(high) - Decimal(low)
    scale = max(abs(Decimal(low)), abs(Decimal(high)), Decimal(1))
    return float(diff / scale)


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
            return Catalog(matcher, name, key, assets, index, True, time.perf_counter() - started)
    assets = assets_from_rows(matcher.model, rows(data, name))
    index = AssetIndex(matcher.model, assets)
    if use_cache and path is not None:
        _store(path, header, (assets, index))
    return Catalog(matcher, name, key, assets, index, False, time.perf_counter() - started)


def _load(path: Path, header: dict[str, Any]) -> tuple[list[Asset], AssetIndex] | None:
    try:
        with open(path, "rb") as handle:
            first = handle.readline()
            payload = handle.read()
        stored = json.loads(first)
        if any(stored.get(k) != v for k, v in header.items()):
            return None
        if stored.get("payload_sha256") != hashlib.sha256(payload).hexdigest():
            return None
        assets, index = pickle.loads(payload)  # noqa: S301 (digest-checked, own cache folder)
        if not isinstance(index, AssetIndex) or len(index.assets) != len(assets):
            return None
        return assets, index
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
