"""What the ontology defines, indexed once per process for the checks that SHACL cannot make.

The index is structural (told axioms only, no reasoner): the categories of named classes follow
rdfs:subClassOf and owl:equivalentClass between named classes, which the ontology states for
every defined class, so no JVM is needed to validate a file.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from saiaas.ontologies import SAIAAS, ontology_graph

if TYPE_CHECKING:
    from rdflib import Graph, URIRef

__all__ = ["Vocabulary", "vocabulary", "CATEGORIES", "STANDARD_NAMESPACES"]

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"

#: Namespaces whose terms are checked against their published term lists, not the ontology.
STANDARD_NAMESPACES = (RDF_NS, RDFS_NS, OWL_NS, XSD_NS)

#: The three categories of an auction, by the name of the request property that asks for them.
CATEGORIES = {
    "dataSpec": SAIAAS + "DataAsset",
    "algorithmSpec": SAIAAS + "AlgorithmAsset",
    "infrastructureSpec": SAIAAS + "InfrastructureAsset",
}


@dataclass(frozen=True)
class Vocabulary:
    classes: frozenset[str]
    object_properties: frozenset[str]
    datatype_properties: frozenset[str]
    annotation_properties: frozenset[str]
    individuals: dict[str, frozenset[str]]  # individual -> its told classes
    superclasses: dict[str, frozenset[str]]  # class -> every told superclass, itself included
    domains: dict[str, str]
    ranges: dict[str, str]
    standard: frozenset[str]  # rdf, rdfs, owl, xsd terms
    shacl_triples: tuple  # what SHACL needs of the ontology: class tree and value types

    @property
    def properties(self) -> frozenset[str]:
        return self.object_properties | self.datatype_properties | self.annotation_properties

    def known(self, iri: str) -> bool:
        return (
            iri in self.classes
            or iri in self.properties
            or iri in self.individuals
            or iri in self.standard
        )

    def is_a(self, cls: str, ancestor: str) -> bool:
        return ancestor in self.superclasses.get(cls, frozenset({cls}))

    def category_of(self, cls: str) -> str | None:
        for category in CATEGORIES.values():
            if self.is_a(cls, category):
                return category
        return None

    def property_category(self, prop: str) -> str | None:
        """The category of a property's domain (None for Asset-wide or non-asset properties)."""
        domain = self.domains.get(prop)
        return self.category_of(domain) if domain else None

    def individual_is_a(self, individual: str, cls: str) -> bool:
        return any(self.is_a(c, cls) for c in self.individuals.get(individual, ()))

    def suggest(self, iri: str, pool: str = "any") -> str | None:
        """The known term whose local name is closest to `iri`'s (case-insensitive), if close."""
        candidates = {
            "class": self.classes,
            "property": self.properties | {t for t in self.standard if _local(t)[:1].islower()},
            "individual": frozenset(self.individuals),
        }.get(pool) or (self.classes | self.properties | frozenset(self.individuals))
        by_name: dict[str, str] = {}
        for term in sorted(candidates):
            by_name.setdefault(_local(term).lower(), term)
        # a term in the saiaas namespace first, so that saiaas:label suggests rdfs:label only when
        # no saiaas term is close
        best = difflib.get_close_matches(_local(iri).lower(), list(by_name), n=1, cutoff=0.6)
        return by_name[best[0]] if best else None


def _local(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1] or iri
    return iri


def _standard_terms() -> frozenset[str]:
    from rdflib.namespace import OWL, RDF, RDFS, XSD

    terms = {str(t) for ns in (RDF, RDFS, OWL, XSD) for t in dir(ns) if isinstance(t, str)}
    return frozenset(t for t in terms if t.startswith(STANDARD_NAMESPACES))


def _build(graph: Graph) -> Vocabulary:
    from rdflib import OWL, RDF, RDFS, URIRef

    def iris(subjects: object) -> set[str]:
        return {str(s) for s in subjects if isinstance(s, URIRef)}  # type: ignore[attr-defined]

    classes = iris(graph.subjects(RDF.type, OWL.Class)) | iris(graph.subjects(RDF.type, RDFS.Class))
    object_properties = iris(graph.subjects(RDF.type, OWL.ObjectProperty))
    datatype_properties = iris(graph.subjects(RDF.type, OWL.DatatypeProperty))
    annotation_properties = iris(graph.subjects(RDF.type, OWL.AnnotationProperty))
    individuals: dict[str, set[str]] = {}
    for ind in iris(graph.subjects(RDF.type, OWL.NamedIndividual)):
        individuals[ind] = {
            str(c) for c in graph.objects(URIRef(ind), RDF.type) if str(c) in classes
        }

    parents: dict[str, set[str]] = {c: set() for c in classes}
    for s, o in graph.subject_objects(RDFS.subClassOf):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            parents.setdefault(str(s), set()).add(str(o))
    for s, o in graph.subject_objects(OWL.equivalentClass):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            parents.setdefault(str(s), set()).add(str(o))
            parents.setdefault(str(o), set()).add(str(s))
    superclasses: dict[str, frozenset[str]] = {}
    for cls in parents:
        seen, todo = {cls}, [cls]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        superclasses[cls] = frozenset(seen)

    domains = {
        str(s): str(o) for s, o in graph.subject_objects(RDFS.domain) if isinstance(o, URIRef)
    }
    ranges = {str(s): str(o) for s, o in graph.subject_objects(RDFS.range) if isinstance(o, URIRef)}

    shacl_triples = tuple(
        (s, p, o)
        for s, p, o in graph
        if isinstance(s, URIRef)
        and isinstance(o, URIRef)
        and (p == RDFS.subClassOf or (p == RDF.type and str(s) in individuals))
    )
    return Vocabulary(
        classes=frozenset(classes),
        object_properties=frozenset(object_properties),
        datatype_properties=frozenset(datatype_properties),
        annotation_properties=frozenset(annotation_properties),
        individuals={k: frozenset(v) for k, v in individuals.items()},
        superclasses=superclasses,
        domains=domains,
        ranges=ranges,
        standard=_standard_terms(),
        shacl_triples=shacl_triples,
    )


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The index of the packaged ontology, built once per process."""
    return _build(ontology_graph())


def is_saiaas(iri: URIRef | str) -> bool:
    return str(iri).startswith(SAIAAS)
