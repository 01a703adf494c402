"""The matcher: reasoned compatibility of assets with requested asset specifications and of
triplets, with readable reasons.

HermiT (through owlready2) classifies an ontology once per version; the result is cached on disk
keyed by the ontology bytes' sha256, and every decision afterwards runs in Python on that cache
(`Matcher.match` for one pair with reasons, `Matcher.index(...).evaluate` for a spec against many
assets at once), never starting a JVM.

The fast path for a provider's scan: `Matcher.catalog(bytes_or_path)` parses (pyoxigraph) and
infers a catalog once and caches its index by the catalog's sha256; `Catalog.match(spec)` ranks
the eligible assets with reasons, `Catalog.best(spec)` is the one to bid with.
"""

from __future__ import annotations

from saiaas.matcher._assets import Asset
from saiaas.matcher._catalog import Catalog, Ranked
from saiaas.matcher._decide import EXACT, FAIL, PLUGIN, SUBSUMES, Decision, Reason
from saiaas.matcher._errors import (
    AssetContradictionError,
    MatcherError,
    OntologyError,
    UnknownTermError,
)
from saiaas.matcher._index import AssetIndex, SpecResult
from saiaas.matcher._parse import CatalogError
from saiaas.matcher._triplet import TripletVerdict
from saiaas.matcher.matcher import Matcher

__all__ = [
    "Matcher",
    "Catalog",
    "Ranked",
    "Asset",
    "Decision",
    "Reason",
    "TripletVerdict",
    "AssetIndex",
    "SpecResult",
    "EXACT",
    "PLUGIN",
    "SUBSUMES",
    "FAIL",
    "MatcherError",
    "OntologyError",
    "UnknownTermError",
    "AssetContradictionError",
    "CatalogError",
]
