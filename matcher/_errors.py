"""The matcher's errors: each names the term, the asset or the file that is wrong."""

from __future__ import annotations

from saiaas.ontologies.errors import InputError


class MatcherError(InputError):
    """The matcher cannot use its input (ontology, request or asset)."""


class OntologyError(MatcherError):
    """The ontology cannot be classified (inconsistent, unreadable, bytes missing)."""


class UnknownTermError(MatcherError):
    """A request or a lookup names a class, property or asset the ontology/catalogs lack."""


class AssetContradictionError(MatcherError):
    """An asset's facts contradict the ontology (disjoint types, two values of a functional
    property, a literal outside its datatype): HermiT would call the ABox inconsistent."""

    def __init__(self, asset: str, why: str) -> None:
        super().__init__(f"asset {asset}: {why}")
        self.asset = asset
        self.why = why
