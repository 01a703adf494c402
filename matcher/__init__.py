"""The matcher: reasoned compatibility of assets with requested asset specifications and of
triplets, with readable reasons.

HermiT (through owlready2) classifies an ontology once per version; the result is cached on disk
keyed by the ontology bytes' sha256, and every decision afterwards runs in Python on that cache
(`Matcher.match` for one pair with reasons, `Matcher.index(...).evaluate` for a spec against many
assets at once), never starting a JVM.
"""

from __future__ import annotations

from saiaas.matcher._assets import Asset
from saiaas.matcher._decide import EXACT, FAIL, PLUGIN, SUBSUMES, Decision, Reason
from saiaas.matcher._errors import (
    AssetContradictionError,
    MatcherError,
    OntologyError,
    UnknownTermError,
)
from saiaas.matcher._index import AssetIndex, SpecResult
from saiaas.matcher._triplet import TripletVerdict
from saiaas.matcher.matcher import Matcher

__all__ = [
    "Matcher",
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
]
