"""The classified ontology as the decisions read it: frozen sets and dicts built once from the
cached JSON, so that a decision is set lookups and never touches RDF or a JVM."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from saiaas.matcher._classify import HELPER
from saiaas.matcher._values import Value, from_json
from saiaas.ontologies import SAIAAS

XSD_NS = "http://www.w3.org/2001/XMLSchema#"

#: The category classes named by VOCABULARY.md, in the contracts' order.
CATEGORY_CLASSES = {
    "data": SAIAAS + "DataAsset",
    "algorithm": SAIAAS + "AlgorithmAsset",
    "infrastructure": SAIAAS + "InfrastructureAsset",
}
ASSET = SAIAAS + "Asset"


@dataclass(frozen=True)
class Component:
    kind: str  # class | value | some | opaque
    helper: str | None = None
    cls: str | None = None
    property: str | None = None
    value: Value | None = None
    one_of: frozenset[Value] | None = None
    some_class: str | None = None
    datatype: str | None = None
    facets: tuple[tuple[str, Value], ...] = ()


class OntologyModel:
    """Everything decisions need, derived from `_classify.classify`'s output."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.classes: frozenset[str] = frozenset(data["classes"])
        anc = {c: frozenset(a) for c, a in data["ancestors"].items()}
        #: named ancestors of a class, itself and its equivalents included (no helpers)
        self.ancestors: dict[str, frozenset[str]] = {
            c: frozenset(x for x in a if not x.startswith(HELPER))
            for c, a in anc.items()
            if not c.startswith(HELPER)
        }
        #: the definition components (helpers) each named class implies
        self.implied_helpers: dict[str, frozenset[str]] = {
            c: frozenset(x for x in a if x.startswith(HELPER))
            for c, a in anc.items()
            if not c.startswith(HELPER)
        }
        self.equivalents: dict[str, frozenset[str]] = {
            c: frozenset(x for x in a if c in self.ancestors.get(x, ()))
            for c, a in self.ancestors.items()
        }
        descendants: dict[str, set[str]] = {c: set() for c in self.ancestors}
        for c, a in self.ancestors.items():
            for x in a:
                descendants.setdefault(x, set()).add(c)
        self.descendants = {c: frozenset(d) for c, d in descendants.items()}
        self.unsatisfiable = frozenset(data["unsatisfiable"])
        self.individual_types = {i: frozenset(t) for i, t in data["individual_types"].items()}
        self.definitions: dict[str, list[tuple[Component, ...]]] = {
            c: [tuple(_component(p) for p in parts) for parts in defs]
            for c, defs in data["definitions"].items()
        }
        self.implied_values: dict[str, tuple[tuple[str, Value], ...]] = {
            c: tuple((p, from_json(v)) for p, v in pairs)
            for c, pairs in data["implied_values"].items()
        }
        #: restriction of each helper class (definition conjuncts and superclass restrictions)
        self.helper_components = {h: _component(c) for h, c in data["components"].items()}
        self.property_kinds: dict[str, str] = data["property_kinds"]
        self.functional = frozenset(data["functional"])
        self.super_properties = {p: frozenset(s) for p, s in data["super_properties"].items()}
        self.domains = {p: tuple(d) for p, d in data["domains"].items()}
        self.ranges = {p: tuple(r) for p, r in data["ranges"].items()}
        #: the XML Schema datatypes a property's values must be in, by local name
        self.xsd_ranges = {
            p: names
            for p, r in self.ranges.items()
            if (names := tuple(x.rsplit("#", 1)[-1] for x in r if x.startswith(XSD_NS)))
        }
        self.disjoint = frozenset((a, b) for a, b in data["disjoint"])
        self.disjoint_with: dict[str, frozenset[str]] = {}
        for a, b in self.disjoint:
            self.disjoint_with[a] = self.disjoint_with.get(a, frozenset()) | {b}
        self.different = frozenset((a, b) for a, b in data["different"])
        self.narrower_than = {a: frozenset(b) for a, b in data["narrower_than"].items()}
        broader_or_equal: dict[str, set[str]] = {}
        for a, ups in self.narrower_than.items():
            for b in ups:
                broader_or_equal.setdefault(b, {b}).add(a)
        #: for a requested value v: every value that satisfies it (v and what is narrower than v)
        self.satisfying: dict[str, frozenset[str]] = {
            v: frozenset(s) for v, s in broader_or_equal.items()
        }
        self.accepts_tee = {a: frozenset(b) for a, b in data["accepts_tee"].items()}
        self.labels: dict[str, str] = data.get("labels", {})
        self._closure_cache: dict[frozenset[str], frozenset[str]] = {}
        self._specific_cache: dict[frozenset[str], frozenset[str]] = {}
        self._domains_cache: dict[frozenset[str], frozenset[str]] = {}
        self._some_cache: dict[frozenset[str], dict[str, tuple[Component, ...]]] = {}
        #: properties (and their sub-properties) whose values a class definition reads: the
        #: only facts that can change which defined classes an individual belongs to
        used = {
            c.property
            for defs in self.definitions.values()
            for parts in defs
            for c in parts
            if c.property
        }
        self.definition_properties = frozenset(
            p for p, ups in data["super_properties"].items() if set(ups) & used
        ) | frozenset(used)
        # properties whose domain/range types what they touch, super-properties included
        self.fact_domains: dict[str, frozenset[str]] = {}
        self.fact_ranges: dict[str, frozenset[str]] = {}
        for p, ups in self.super_properties.items():
            self.fact_domains[p] = self.close(d for u in ups for d in self.domains.get(u, ()))
            self.fact_ranges[p] = self.close(
                r for u in ups for r in self.ranges.get(u, ()) if r in self.ancestors
            )

    # ------------------------------------------------------------------ hierarchy
    def close(self, classes: Any) -> frozenset[str]:
        """Named classes and all their inferred ancestors (equivalents included)."""
        key = frozenset(classes)
        hit = self._closure_cache.get(key)
        if hit is None:
            out: set[str] = set()
            for c in key:
                out |= self.ancestors.get(c, {c})
            hit = self._closure_cache[key] = frozenset(out)
        return hit

    def is_subclass(self, sub: str, sup: str) -> bool:
        return sup in self.ancestors.get(sub, ())

    def strictly_below(self, sub: str, sup: str) -> bool:
        return self.is_subclass(sub, sup) and sub not in self.equivalents.get(sup, ())

    def most_specific(self, types: frozenset[str]) -> frozenset[str]:
        return frozenset(
            t
            for t in types
            if not any(
                u != t and t in self.ancestors.get(u, ()) and u not in self.equivalents.get(t, ())
                for u in types
            )
        )

    def satisfies_value(self, actual: Value, required: Value) -> bool:
        """`actual` equals `required` or is narrowerThan it (transitively)."""
        if actual == required:
            return True
        return isinstance(actual, str) and required in self.narrower_than.get(actual, ())

    def domains_of(self, props: frozenset[str]) -> frozenset[str]:
        """The classes the domains of these properties (and their super-properties) give."""
        hit = self._domains_cache.get(props)
        if hit is None:
            if len(self._domains_cache) > 50_000:
                self._domains_cache.clear()
            hit = self._domains_cache[props] = frozenset(
                d for p in props for d in self.fact_domains.get(p, ())
            )
        return hit

    def most_specific_cached(self, types: frozenset[str]) -> frozenset[str]:
        hit = self._specific_cache.get(types)
        if hit is None:
            if len(self._specific_cache) > 50_000:
                self._specific_cache.clear()
            hit = self._specific_cache[types] = self.most_specific(types)
        return hit

    def implied_some_cached(self, types: frozenset[str]) -> dict[str, tuple[Component, ...]]:
        """`implied_some`, shared between assets of the same types (do not mutate it)."""
        hit = self._some_cache.get(types)
        if hit is None:
            if len(self._some_cache) > 50_000:
                self._some_cache.clear()
            hit = self._some_cache[types] = self.implied_some(types)
        return hit

    def implied_some(self, types: frozenset[str]) -> dict[str, tuple[Component, ...]]:
        """Existential restrictions (p some {..}, p some xsd:integer[>= n]) that the asset's
        classes imply, per property and its super-properties: anonymous values the asset has."""
        out: dict[str, list[Component]] = {}
        for t in types:
            for h in self.implied_helpers.get(t, ()):
                comp = self.helper_components.get(h)
                if comp is None or comp.kind != "some" or comp.property is None:
                    continue
                for q in self.super_properties.get(comp.property, (comp.property,)):
                    if comp not in out.setdefault(q, []):
                        out[q].append(comp)
        return {p: tuple(c) for p, c in out.items()}

    def different_individuals(self, a: Value, b: Value) -> bool:
        """a and b are provably different individuals: a told owl:differentFrom/AllDifferent,
        or disjoint types (OWL has no unique-name assumption, so nothing else is)."""
        if a == b:
            return False
        if (a, b) in self.different or (b, a) in self.different:
            return True
        if not isinstance(a, str) or not isinstance(b, str):
            return True  # a literal is never an individual
        ta = self.individual_types.get(a, frozenset())
        tb = self.individual_types.get(b, frozenset())
        return any(self.disjoint_with.get(t, frozenset()) & tb for t in ta)

    def label(self, iri: str) -> str:
        """The term's rdfs:label, else its local name (for reasons a person reads)."""
        from saiaas.ontologies.requests import local_name

        return self.labels.get(iri) or local_name(iri)

    def property_known(self, prop: str) -> bool:
        return prop in self.property_kinds

    def is_known_term(self, iri: str) -> bool:
        return iri in self.classes or iri in self.property_kinds or iri in self.individual_types


def _component(data: dict[str, Any]) -> Component:
    kind = data["kind"]
    if kind == "class":
        return Component("class", cls=data["class"])
    common: dict[str, Any] = {"helper": data.get("helper"), "property": data.get("property")}
    if kind == "value":
        return Component("value", value=from_json(data["value"]), **common)
    if kind == "some":
        if "oneOf" in data:
            return Component(
                "some", one_of=frozenset(from_json(v) for v in data["oneOf"]), **common
            )
        if "class" in data:
            return Component("some", some_class=data["class"], **common)
        facets = tuple(sorted((k, from_json(v)) for k, v in data["facets"].items()))
        return Component("some", datatype=data["datatype"], facets=facets, **common)
    return Component("opaque", helper=data.get("helper"))
