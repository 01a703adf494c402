"""Turtle in, without rdflib's parser: pyoxigraph (Rust) reads a catalog or a requirement file
several times faster than rdflib (`saiaas bench match` prints both), and the matcher needs only
the triples. Requests are read by `ontologies.requests.parse_request` itself, through a small
graph view over the parsed triples (the two methods it calls), so the request model is still
written once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from saiaas.matcher._errors import MatcherError


class CatalogError(MatcherError):
    """A catalog or requirement file that cannot be read (not Turtle, unreadable)."""


def triples(data: bytes, where: str) -> list[Any]:
    """pyoxigraph triples of Turtle bytes; one readable line if they are not Turtle."""
    import pyoxigraph as ox

    try:
        return list(ox.parse(data, format=ox.RdfFormat.TURTLE))
    except SyntaxError as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else "syntax error"
        raise CatalogError(f"{where}: not valid Turtle: {first[:200]}") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise CatalogError(f"{where}: not valid Turtle: {str(error)[:200]}") from None


def rows(data: bytes, where: str) -> Iterator[tuple[str, str, Any, str | None, str | None]]:
    """(subject IRI, predicate IRI, object, literal datatype or None, kind) per triple whose
    subject is an IRI; kind is "iri", "literal" or "bnode" and object the IRI or lexical form."""
    return rows_of(triples(data, where))


def rows_of(parsed: list[Any]) -> Iterator[tuple[str, str, Any, str | None, str | None]]:
    """`rows` of already parsed triples."""
    import pyoxigraph as ox

    named, blank = ox.NamedNode, ox.BlankNode
    for t in parsed:
        s = t.subject
        if not isinstance(s, named):
            continue
        o = t.object
        if isinstance(o, named):
            yield s.value, t.predicate.value, o.value, None, "iri"
        elif isinstance(o, blank):
            yield s.value, t.predicate.value, None, None, "bnode"
        else:
            yield s.value, t.predicate.value, o.value, o.datatype.value, "literal"


_IRIS: dict[str, Any] = {}
_LITERALS: dict[tuple[str, str, str | None], Any] = {}


class TripleGraph:
    """The part of rdflib's Graph API that `parse_request` uses, over pyoxigraph triples. IRI
    and literal terms are interned across files (requirement files repeat the vocabulary)."""

    def __init__(self, parsed: list[Any]) -> None:
        import pyoxigraph as ox
        from rdflib import BNode, Literal, URIRef

        named, blank = ox.NamedNode, ox.BlankNode
        iris, literals = _IRIS, _LITERALS
        if len(iris) > 100_000:
            iris.clear()
        if len(literals) > 100_000:
            literals.clear()
        blanks: dict[str, Any] = {}

        def term(node: Any) -> Any:
            if isinstance(node, named):
                value = node.value
                hit = iris.get(value)
                if hit is None:
                    hit = iris[value] = URIRef(value)
                return hit
            if isinstance(node, blank):
                value = node.value
                hit = blanks.get(value)
                if hit is None:
                    hit = blanks[value] = BNode(value)
                return hit
            key = (node.value, node.datatype.value, node.language)
            hit = literals.get(key)
            if hit is None:
                hit = literals[key] = (
                    Literal(node.value, lang=node.language)
                    if node.language
                    else Literal(node.value, datatype=URIRef(key[1]))
                )
            return hit

        self._sp: dict[tuple[Any, Any], list[Any]] = {}
        self._po: dict[tuple[Any, Any], list[Any]] = {}
        self._triples = []
        for t in parsed:
            s, p, o = term(t.subject), term(t.predicate), term(t.object)
            self._triples.append((s, p, o))
            self._sp.setdefault((s, p), []).append(o)
            self._po.setdefault((p, o), []).append(s)

    def objects(self, subject: Any = None, predicate: Any = None) -> Iterator[Any]:
        if subject is None or predicate is None:
            return iter(
                [o for s, p, o in self._triples if subject in (None, s) and predicate in (None, p)]
            )
        return iter(self._sp.get((subject, predicate), ()))

    def subjects(self, predicate: Any = None, object: Any = None) -> Iterator[Any]:  # noqa: A002
        if predicate is None or object is None:
            return iter(
                [s for s, p, o in self._triples if predicate in (None, p) and object in (None, o)]
            )
        return iter(self._po.get((predicate, object), ()))

    def __iter__(self) -> Iterator[tuple[Any, Any, Any]]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)


def read_request(data: bytes, where: str, iri: str | None = None) -> Any:
    """The `Request` of a requirement file's Turtle bytes."""
    from saiaas.ontologies.requests import parse_request

    return parse_request(TripleGraph(triples(data, where)), iri)  # type: ignore[arg-type]
