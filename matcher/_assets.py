"""Assets as the matcher sees them: an individual's asserted facts plus what the ontology
implies (types from domains/ranges and definitions, values from sub-properties and classes),
computed to a fixpoint on the cached model without a reasoner."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from saiaas.matcher._errors import AssetContradictionError, UnknownTermError
from saiaas.matcher._model import ASSET, CATEGORY_CLASSES, Component, OntologyModel
from saiaas.matcher._policy import Policy, rdflib_terms, read_policies
from saiaas.matcher._values import BadLiteral, Value, is_number, literal_value
from saiaas.ontologies import SAIAAS
from saiaas.ontologies.requests import local_name

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_IGNORED_TYPES = {
    "http://www.w3.org/2002/07/owl#NamedIndividual",
    "http://www.w3.org/2002/07/owl#Thing",
}
_NUMERIC_RANGES = {
    "integer",
    "decimal",
    "int",
    "long",
    "nonNegativeInteger",
    "positiveInteger",
    "double",
    "float",
}


@dataclass(frozen=True)
class Asset:
    """One individual of a catalog with its asserted and inferred types and facts."""

    iri: str
    category: str | None
    asserted_types: frozenset[str]
    types: frozenset[str]
    most_specific: frozenset[str]
    asserted_facts: dict[str, frozenset[Value]] = field(hash=False, compare=False)
    facts: dict[str, frozenset[Value]] = field(hash=False, compare=False)
    label: str | None = None
    #: existentials implied by the asset's classes: values it has without naming them
    implied_some: dict[str, tuple[Component, ...]] = field(
        default_factory=dict, hash=False, compare=False
    )
    #: the data-use conditions it states (odrl:hasPolicy); None: it states none
    policy: Policy | None = field(default=None, hash=False, compare=False)

    def values(self, prop: str) -> frozenset[Value]:
        return self.facts.get(prop, frozenset())

    def as_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "category": self.category,
            "label": self.label,
            "asserted_types": sorted(self.asserted_types),
            "types": sorted(self.types),
            "most_specific": sorted(self.most_specific),
            "facts": {p: sorted(map(str, v)) for p, v in sorted(self.facts.items())},
            **({"policy": self.policy.as_dict()} if self.policy is not None else {}),
        }


def infer(
    model: OntologyModel,
    iri: str,
    asserted_types: set[str],
    asserted_facts: dict[str, set[Value]],
    other_types: dict[str, frozenset[str]] | None = None,
    label: str | None = None,
    memo: dict[Any, frozenset[str]] | None = None,
) -> Asset:
    """Types and facts of one individual under the model; raises on a contradiction. `memo`
    (one per catalog: `other_types` must not change) shares the type fixpoint between
    individuals with the same asserted types, fact properties and definition-relevant facts."""
    for t in asserted_types:
        if t not in model.ancestors:
            raise UnknownTermError(f"asset {iri}: type {t} is not a class of the ontology")
    for p in asserted_facts:
        if p not in model.property_kinds:
            raise UnknownTermError(f"asset {iri}: property {p} is not in the ontology")
    other_types = other_types or {}
    key = None
    if memo is not None:
        relevant = model.definition_properties
        key = (
            frozenset(asserted_types),
            model.domains_of(frozenset(asserted_facts)),
            frozenset((p, frozenset(v)) for p, v in asserted_facts.items() if p in relevant),
        )
        hit = memo.get(key)
    else:
        hit = None
    facts: dict[str, set[Value]] = {}

    def add_fact(prop: str, value: Value) -> None:
        for q in model.super_properties.get(prop, (prop,)):
            facts.setdefault(q, set()).add(value)

    for p, values in asserted_facts.items():
        for v in values:
            add_fact(p, v)
    if hit is None:
        types = _fixpoint(model, asserted_types, asserted_facts, other_types)
        if memo is not None:
            memo[key] = types
    else:
        types = hit
    for t in types:
        for p, v in model.implied_values.get(t, ()):
            add_fact(p, v)
    frozen_types = types
    frozen_facts = {p: frozenset(v) for p, v in facts.items()}
    _check_consistent(model, iri, frozen_types, frozen_facts)
    categories = [k for k, c in CATEGORY_CLASSES.items() if c in frozen_types]
    return Asset(
        iri=iri,
        category=categories[0] if len(categories) == 1 else None,
        asserted_types=frozenset(asserted_types),
        types=frozen_types,
        most_specific=model.most_specific_cached(frozen_types),
        asserted_facts={p: frozenset(v) for p, v in asserted_facts.items()},
        facts=frozen_facts,
        label=label,
        implied_some=model.implied_some_cached(frozen_types),
    )


def _fixpoint(
    model: OntologyModel,
    asserted_types: set[str],
    asserted_facts: dict[str, set[Value]],
    other_types: dict[str, frozenset[str]],
) -> frozenset[str]:
    """The individual's types: asserted and their ancestors, domains of its facts, classes its
    facts and implied values satisfy the definition of, to a fixpoint."""
    types: set[str] = set(model.close(asserted_types))
    facts: dict[str, set[Value]] = {}

    def add_fact(prop: str, value: Value) -> None:
        for q in model.super_properties.get(prop, (prop,)):
            facts.setdefault(q, set()).add(value)
        types.update(model.fact_domains.get(prop, ()))

    for p, values in asserted_facts.items():
        for v in values:
            add_fact(p, v)
    seen_implied: set[str] = set()
    while True:
        before = len(types), sum(len(v) for v in facts.values())
        for t in list(types - seen_implied):
            seen_implied.add(t)
            for p, v in model.implied_values.get(t, ()):
                add_fact(p, v)
        helpers = set().union(*(model.implied_helpers.get(t, ()) for t in types))
        for cls, defs in model.definitions.items():
            if cls in types:
                continue
            if any(
                all(_satisfied(model, c, types, helpers, facts, other_types) for c in parts)
                for parts in defs
            ):
                types |= model.close([cls])
        if (len(types), sum(len(v) for v in facts.values())) == before:
            break
    return frozenset(types)


def _satisfied(
    model: OntologyModel,
    comp: Component,
    types: set[str],
    helpers: set[str],
    facts: dict[str, set[Value]],
    other_types: dict[str, frozenset[str]],
) -> bool:
    if comp.helper is not None and comp.helper in helpers:
        return True  # one of the asset's classes implies this restriction
    if comp.kind == "class":
        return comp.cls in types
    if comp.kind == "opaque":
        return False
    values = facts.get(comp.property or "", set())
    if comp.kind == "value":
        return comp.value in values
    if comp.one_of is not None:
        return not values.isdisjoint(comp.one_of)
    if comp.some_class is not None:
        ranges = model.fact_ranges.get(comp.property or "", frozenset())
        return any(
            comp.some_class in ranges
            or comp.some_class in model.close(model.individual_types.get(v, ()))
            or comp.some_class in other_types.get(v, ())
            for v in values
            if isinstance(v, str)
        )
    return any(_in_datatype(v, comp.datatype or "", comp.facets) for v in values)


def _in_datatype(value: Value, datatype: str, facets: tuple[tuple[str, Value], ...]) -> bool:
    name = datatype.rsplit("#", 1)[-1]
    if name == "Literal":
        return True
    if name in ("string",):
        ok = isinstance(value, str)
    elif name == "boolean":
        ok = isinstance(value, bool)
    elif name in ("integer", "int", "long", "nonNegativeInteger", "positiveInteger"):
        ok = is_number(value) and (isinstance(value, int) or value == int(value))
        if ok and name == "nonNegativeInteger":
            ok = value >= 0  # type: ignore[operator]
        if ok and name == "positiveInteger":
            ok = value > 0  # type: ignore[operator]
    else:
        ok = is_number(value)
    if not ok:
        return False
    for facet, bound in facets:
        v, b = Decimal(value), Decimal(bound)  # type: ignore[arg-type]
        if (facet == "minInclusive" and not v >= b) or (facet == "maxInclusive" and not v <= b):
            return False
        if (facet == "minExclusive" and not v > b) or (facet == "maxExclusive" and not v < b):
            return False
    return True


_CLASHES: dict[tuple[int, frozenset[str]], str] = {}


def _types_clash(model: OntologyModel, types: frozenset[str]) -> str:
    """Why these types cannot hold together ("" when they can), memoized per model."""
    key = (id(model), types)
    hit = _CLASHES.get(key)
    if hit is None:
        hit = ""
        for t in sorted(types):
            if t in model.unsatisfiable:
                hit = f"class {local_name(t)} is unsatisfiable"
                break
            clash = model.disjoint_with.get(t, frozenset()) & types
            if clash:
                other = sorted(clash)[0]
                hit = f"it is both {local_name(t)} and {local_name(other)}, which are disjoint"
                break
        if len(_CLASHES) > 50_000:
            _CLASHES.clear()
        _CLASHES[key] = hit
    return hit


def _check_consistent(
    model: OntologyModel, iri: str, types: frozenset[str], facts: dict[str, frozenset[Value]]
) -> None:
    why = _types_clash(model, types)
    if why:
        raise AssetContradictionError(iri, why)
    for p in model.functional & facts.keys():
        values = facts[p]
        if len(values) < 2:
            continue
        if model.property_kinds.get(p) == "datatype":
            raise AssetContradictionError(
                iri,
                f"functional property {local_name(p)} has {len(values)} values "
                f"({', '.join(sorted(map(str, values)))})",
            )
        pairs = [(a, b) for a in values for b in values if (a, b) in model.different]
        if pairs:
            a, b = pairs[0]
            raise AssetContradictionError(
                iri,
                f"functional property {local_name(p)} has two different values "
                f"{local_name(str(a))} and {local_name(str(b))}",
            )
    xsd_ranges = model.xsd_ranges
    for p, values in facts.items():
        for name in xsd_ranges.get(p, ()):
            for v in values:
                if (
                    (name in _NUMERIC_RANGES and not is_number(v))
                    or (name == "integer" and is_number(v) and v != int(v))
                    or (name == "boolean" and not isinstance(v, bool))
                ):
                    raise AssetContradictionError(
                        iri, f"{local_name(p)} value {v!r} is not an xsd:{name}"
                    )


def extract_assets(model: OntologyModel, graph: Any) -> list[Asset]:
    """Every individual of the graph that is (or is inferred to be) an Asset, sorted by IRI."""
    from rdflib import BNode, Literal, URIRef

    def rows() -> Any:
        for s, p, o in graph:
            if not isinstance(s, URIRef):
                continue
            if isinstance(o, URIRef):
                yield str(s), str(p), str(o), None, "iri"
            elif isinstance(o, BNode):
                yield str(s), str(p), None, None, "bnode"
            elif isinstance(o, Literal):
                yield str(s), str(p), str(o), str(o.datatype) if o.datatype else None, "literal"

    return assets_from_rows(model, rows(), read_policies(rdflib_terms(graph)))


RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def assets_from_rows(
    model: OntologyModel, rows: Any, policies: dict[str, Policy] | None = None
) -> list[Asset]:
    """Assets from (subject, predicate, object, datatype, kind) rows (see `_parse.rows`), with
    the data-use policies read from the same file (`_policy.read_policies`)."""
    individuals: dict[str, tuple[set[str], dict[str, set[Value]]]] = {}
    labels: dict[str, str] = {}
    kinds = model.property_kinds
    for subject, prop, obj, datatype, kind in rows:
        if prop == RDF_TYPE:
            if kind == "iri" and obj not in _IGNORED_TYPES:
                individuals.setdefault(subject, (set(), {}))[0].add(obj)
            continue
        if prop == RDFS_LABEL and kind == "literal":
            labels[subject] = obj
            continue
        if kind == "bnode" or kinds.get(prop) == "annotation":
            continue
        if prop not in kinds and not prop.startswith(SAIAAS):
            continue  # rdfs:comment, dcterms:title, ...: no matching meaning
        if kind == "iri":
            value: Value = obj
        else:
            try:
                value = literal_value(obj, datatype)
            except BadLiteral as error:
                raise AssetContradictionError(subject, f"{local_name(prop)}: {error}") from None
        individuals.setdefault(subject, (set(), {}))[1].setdefault(prop, set()).add(value)
    # Types of the non-asset individuals (providers), for someValuesFrom a class.
    other_types = {
        i: model.close(t for t in types if t in model.ancestors)
        for i, (types, _) in individuals.items()
    }
    assets = []
    memo: dict[Any, frozenset[str]] = {}
    for iri in sorted(individuals):
        types, facts = individuals[iri]
        for term in sorted(types - model.ancestors.keys()):
            if term.startswith(SAIAAS):
                raise UnknownTermError(f"{iri}: type {term} is not a class of the ontology")
        for term in sorted(facts.keys() - model.property_kinds.keys()):
            if term.startswith(SAIAAS):
                raise UnknownTermError(f"{iri}: property {term} is not in the ontology")
        if iri in model.individual_types and not facts:
            continue  # a vocabulary individual repeated in the catalog
        candidate_types = model.close(t for t in types if t in model.ancestors)
        domain_types = (
            set().union(*(model.fact_domains.get(p, ()) for p in facts)) if facts else set()
        )
        if ASSET not in candidate_types and ASSET not in model.close(domain_types):
            continue
        asset = infer(model, iri, types, facts, other_types, labels.get(iri), memo)
        if policies and iri in policies:
            asset = replace(asset, policy=policies[iri])
        assets.append(asset)
    return assets
