"""Classify an ontology once with HermiT and extract everything the decisions need, as JSON.

This is the only module that starts a JVM. Its output (the "model") is a plain dict that the
cache writes to disk and `_model.OntologyModel` reads back. HermiT gives the inferred class
hierarchy (equivalences, defined classes, subsumptions implied by restrictions) and the types of
the vocabulary's value individuals; the told axioms that decisions evaluate on an asset's facts
(definitions, class-implied values, domains, ranges, sub-properties, narrowerThan, acceptsTEE,
disjointness, functional properties) are read with rdflib from the same graph.

Every restriction that appears in a class definition gets a private helper class equivalent to
it before HermiT runs, so the model also knows which named classes imply that restriction (an
asset of such a class satisfies it even without a fact that shows it).
"""

from __future__ import annotations

import io
from typing import Any

from saiaas.matcher._errors import OntologyError
from saiaas.matcher._values import literal_value, to_json, to_json_any

OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
THING = OWL + "Thing"
NOTHING = OWL + "Nothing"
HELPER = "urn:saiaas:matcher:component:"
#: Bump when the model's layout changes: caches of other layouts are rebuilt, never misread.
MODEL_VERSION = 5


def _list(graph: Any, node: Any) -> list[Any]:
    from rdflib.collection import Collection

    return list(Collection(graph, node))


def _value(node: Any) -> Any:
    from rdflib import Literal

    if isinstance(node, Literal):
        return to_json_any(literal_value(str(node), str(node.datatype) if node.datatype else None))
    return str(node)


def _component(
    graph: Any, node: Any, helpers: dict[str, Any], components: dict[str, Any]
) -> dict[str, Any]:
    """One conjunct of a definition, in the small language the fast path evaluates; restriction
    components are also recorded under their helper IRI."""
    out = _component_of(graph, node, helpers)
    if "helper" in out:
        components[out["helper"]] = out
    return out


def _component_of(graph: Any, node: Any, helpers: dict[str, Any]) -> dict[str, Any]:
    from rdflib import RDF as R
    from rdflib import BNode, URIRef
    from rdflib.namespace import OWL as O

    if isinstance(node, URIRef):
        return {"kind": "class", "class": str(node)}
    helper = HELPER + str(len(helpers))
    helpers[helper] = node
    prop = graph.value(node, O.onProperty)
    if prop is None or not isinstance(prop, URIRef):
        return {"kind": "opaque", "helper": helper}
    has_value = graph.value(node, O.hasValue)
    if has_value is not None:
        return {
            "kind": "value",
            "helper": helper,
            "property": str(prop),
            "value": _value(has_value),
        }
    filler = graph.value(node, O.someValuesFrom)
    if filler is None:
        return {"kind": "opaque", "helper": helper}
    base = {"kind": "some", "helper": helper, "property": str(prop)}
    if isinstance(filler, URIRef):
        if (
            str(filler).startswith("http://www.w3.org/2001/XMLSchema#")
            or str(filler) == RDFS + "Literal"
        ):
            return {**base, "datatype": str(filler), "facets": {}}
        return {**base, "class": str(filler)}
    assert isinstance(filler, BNode)
    one_of = graph.value(filler, O.oneOf)
    if one_of is not None:
        return {**base, "oneOf": [_value(v) for v in _list(graph, one_of)]}
    on_datatype = graph.value(filler, O.onDatatype)
    restrictions = graph.value(filler, O.withRestrictions)
    if on_datatype is not None and restrictions is not None:
        facets: dict[str, Any] = {}
        for facet_node in _list(graph, restrictions):
            for facet, bound in graph.predicate_objects(facet_node):
                name = str(facet).rsplit("#", 1)[-1]
                if name not in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
                    return {"kind": "opaque", "helper": helper}
                facets[name] = to_json(literal_value(str(bound), str(bound.datatype or "")))
        return {**base, "datatype": str(on_datatype), "facets": facets}
    if (filler, R.type, O.Class) in graph and graph.value(filler, O.intersectionOf) is None:
        return {"kind": "opaque", "helper": helper}
    return {"kind": "opaque", "helper": helper}


def classify(graph: Any) -> dict[str, Any]:
    """Run HermiT over the ontology graph and return the model (JSON-ready)."""
    from rdflib import RDF as R
    from rdflib import BNode, Graph, URIRef
    from rdflib.namespace import OWL as O
    from rdflib.namespace import RDFS as RS

    classes = {str(c) for c in graph.subjects(R.type, O.Class) if isinstance(c, URIRef)}
    classes |= {str(c) for c in graph.subjects(R.type, RS.Class) if isinstance(c, URIRef)}
    classes -= {THING, NOTHING}

    # Definitions: named class == intersection (or a single restriction).
    helpers: dict[str, Any] = {}
    components: dict[str, Any] = {}
    definitions: dict[str, list[list[dict[str, Any]]]] = {}
    for cls, eq in graph.subject_objects(O.equivalentClass):
        for named, other in ((cls, eq), (eq, cls)):
            if not isinstance(named, URIRef) or not isinstance(other, BNode):
                continue
            members = graph.value(other, O.intersectionOf)
            if members is not None:
                parts = [_component(graph, m, helpers, components) for m in _list(graph, members)]
            elif graph.value(other, O.onProperty) is not None:
                parts = [_component(graph, other, helpers, components)]
            else:
                continue  # unions etc.: only HermiT's hierarchy speaks for them
            definitions.setdefault(str(named), []).append(parts)

    # Class-implied values: C subClassOf (p value v), or C == (... and p value v ...). Every
    # superclass restriction also gets a helper, so implied existentials (p some {..},
    # p some xsd:integer[>= n]) are known per class after classification.
    implied: dict[str, list[list[Any]]] = {}
    for cls, sup in graph.subject_objects(RS.subClassOf):
        if isinstance(cls, URIRef) and isinstance(sup, BNode):
            prop, val = graph.value(sup, O.onProperty), graph.value(sup, O.hasValue)
            if prop is not None and val is not None:
                implied.setdefault(str(cls), []).append([str(prop), _value(val)])
            elif prop is not None:
                _component(graph, sup, helpers, components)
    for cls, defs in definitions.items():
        for parts in defs:
            for part in parts:
                if part["kind"] == "value":
                    implied.setdefault(cls, []).append([part["property"], part["value"]])

    # Reason over the ontology plus one helper class per definition component.
    work = Graph()
    for triple in graph:
        work.add(triple)
    for helper, node in helpers.items():
        work.add((URIRef(helper), R.type, O.Class))
        work.add((URIRef(helper), O.equivalentClass, node))
    closure, individual_types, unsatisfiable = _hermit(work, classes | set(helpers))

    # Properties: kinds, sub-property closure, domains, ranges, functional.
    kinds: dict[str, str] = {}
    for kind, rdf_type in (
        ("object", O.ObjectProperty),
        ("datatype", O.DatatypeProperty),
        ("annotation", O.AnnotationProperty),
        ("object", R.Property),
    ):
        for p in graph.subjects(R.type, rdf_type):
            if isinstance(p, URIRef):
                kinds.setdefault(str(p), kind)
    functional = sorted(str(p) for p in graph.subjects(R.type, O.FunctionalProperty))
    supers: dict[str, set[str]] = {p: {p} for p in kinds}
    edges = [(str(a), str(b)) for a, b in graph.subject_objects(RS.subPropertyOf)]
    edges += [(str(a), str(b)) for a, b in graph.subject_objects(O.equivalentProperty)]
    edges += [
        (b, a) for a, b in edges if (a, b) in set(graph.subject_objects(O.equivalentProperty))
    ]
    for a, b in edges:
        supers.setdefault(a, {a}).add(b)
        supers.setdefault(b, {b})
    changed = True
    while changed:
        changed = False
        for p, ups in supers.items():
            new = set().union(*(supers.get(u, {u}) for u in ups))
            if new != ups:
                supers[p], changed = new, True
    domains = {
        str(p): sorted({str(d) for d in graph.objects(p, RS.domain) if isinstance(d, URIRef)})
        for p in graph.subjects(RS.domain, None)
    }
    ranges = {
        str(p): sorted({str(r) for r in graph.objects(p, RS.range) if isinstance(r, URIRef)})
        for p in graph.subjects(RS.range, None)
    }

    # Disjointness (told; the closure turns it into "any ancestor pair").
    disjoint: set[tuple[str, str]] = set()
    for a, b in graph.subject_objects(O.disjointWith):
        disjoint.add((str(a), str(b)))
    for node in graph.subjects(R.type, O.AllDisjointClasses):
        members = [str(m) for m in _list(graph, graph.value(node, O.members))]
        disjoint |= {(a, b) for a in members for b in members if a != b}
    different: set[tuple[str, str]] = {
        (str(a), str(b)) for a, b in graph.subject_objects(O.differentFrom)
    }
    for node in graph.subjects(R.type, O.AllDifferent):
        lst = graph.value(node, O.distinctMembers) or graph.value(node, O.members)
        members = [str(m) for m in _list(graph, lst)] if lst is not None else []
        different |= {(a, b) for a in members for b in members if a != b}

    # narrowerThan closure and acceptsTEE, by their vocabulary names.
    from saiaas.ontologies import SAIAAS

    narrower: dict[str, set[str]] = {}
    for a, b in graph.subject_objects(URIRef(SAIAAS + "narrowerThan")):
        narrower.setdefault(str(a), set()).add(str(b))
    changed = True
    while changed:
        changed = False
        for a, ups in narrower.items():
            new = ups.union(*(narrower.get(u, set()) for u in ups))
            if new != ups:
                narrower[a], changed = new, True
    accepts: dict[str, list[str]] = {}
    for a, b in graph.subject_objects(URIRef(SAIAAS + "acceptsTEE")):
        accepts.setdefault(str(a), []).append(str(b))

    return {
        "version": MODEL_VERSION,
        "classes": sorted(classes),
        "ancestors": {c: sorted(a) for c, a in closure.items()},
        "unsatisfiable": sorted(unsatisfiable),
        "individual_types": {i: sorted(t) for i, t in individual_types.items()},
        "definitions": definitions,
        "implied_values": implied,
        "components": components,
        "property_kinds": kinds,
        "functional": functional,
        "super_properties": {p: sorted(s) for p, s in supers.items()},
        "domains": domains,
        "ranges": ranges,
        "disjoint": sorted([a, b] for a, b in disjoint),
        "different": sorted([a, b] for a, b in different),
        "narrower_than": {a: sorted(b) for a, b in narrower.items()},
        "accepts_tee": {a: sorted(b) for a, b in accepts.items()},
        # readable names for reasons (data-use conditions name DUO and MONDO terms by label)
        "labels": {
            str(s): str(o)
            for s, o in sorted(graph.subject_objects(RS.label))
            if isinstance(s, URIRef)
        },
    }


def _hermit(
    graph: Any, classes: set[str]
) -> tuple[dict[str, set[str]], dict[str, set[str]], set[str]]:
    """Inferred named ancestors (self and equivalents included) of every class, and the inferred
    types of every named individual, from one HermiT run in a private owlready2 world."""
    import owlready2

    data = graph.serialize(format="nt", encoding="utf-8")
    world = owlready2.World()
    try:
        onto = world.get_ontology("urn:saiaas:matcher:classification#").load(
            fileobj=io.BytesIO(data), format="ntriples"
        )
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        raise OntologyError("the ontology is inconsistent: HermiT finds no model of it") from None
    except owlready2.OwlReadyJavaError as error:
        raise OntologyError(
            f"HermiT could not classify the ontology: {str(error)[-300:]}"
        ) from None

    unsatisfiable = {c.iri for c in world.inconsistent_classes() if hasattr(c, "iri")}
    closure: dict[str, set[str]] = {}
    for iri in classes:
        entity = world[iri]
        if entity is None or not hasattr(entity, "ancestors"):
            closure[iri] = {iri}
            continue
        closure[iri] = {a.iri for a in entity.ancestors() if hasattr(a, "iri")} - {THING}
        closure[iri].add(iri)
    individual_types: dict[str, set[str]] = {}
    for individual in world.individuals():
        types: set[str] = set()
        for t in individual.is_a:
            if hasattr(t, "ancestors"):
                types |= {a.iri for a in t.ancestors() if hasattr(a, "iri")}
        individual_types[individual.iri] = types - {THING}
    world.close()
    return closure, individual_types, unsatisfiable
