"""Running the SHACL shapes with pyshacl and turning its results into readable violations.

The data graph is the file plus the part of the ontology SHACL reads (rdf:type and
rdfs:subClassOf between named terms): sh:targetClass follows rdfs:subClassOf and sh:class reads
the types of value individuals, so without them valid files fail and invalid ones pass. Copying
only that part (not the whole ontology, never an asset base) keeps a warm validation in
milliseconds; no inference is run.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from saiaas.shapes._context import Context
from saiaas.shapes._report import VIOLATION, WARNING

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = ["SHAPES_FILE", "shapes_path", "shapes_graph", "check_shapes"]

SHAPES_FILE = "shapes.ttl"
_SH = "http://www.w3.org/ns/shacl#"


def shapes_path() -> Path:
    return Path(str(resources.files("saiaas.shapes").joinpath(SHAPES_FILE)))


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The shapes parsed once per process; callers must not mutate it."""
    from rdflib import Graph

    return Graph().parse(shapes_path(), format="turtle")


def check_shapes(ctx: Context, kind: str, skip_values: set[str]) -> None:
    """Validate `ctx.graph` against the shapes and add a violation per SHACL result.

    Results whose value is an unknown term (already reported with a suggestion) are skipped.
    """
    from rdflib import Graph, URIRef

    data = Graph()
    data.addN((s, p, o, data) for s, p, o in ctx.vocab.shacl_triples)
    data.addN((s, p, o, data) for s, p, o in ctx.graph)
    results = _run(data, kind)
    sh = _Sh()
    shapes = _compiled_shapes(kind)[0]
    rows = []
    for result in results.subjects(sh.type, sh.ValidationResult):
        focus = results.value(result, sh.focusNode)
        path = results.value(result, sh.resultPath)
        value = results.value(result, sh.value)
        component = results.value(result, sh.sourceConstraintComponent)
        shape = results.value(result, sh.sourceShape)
        severity = results.value(result, sh.resultSeverity)
        message = results.value(result, sh.resultMessage)
        if isinstance(value, URIRef) and str(value) in skip_values:
            continue
        rows.append((focus, path, value, component, shape, severity, message))
    rows = _drop_bounds_of_mistyped(rows)
    rows.sort(key=lambda r: (str(r[0]), str(r[1]), str(r[3])))
    for focus, path, value, component, shape, severity, message in rows:
        expected, text = _explain(ctx, shapes, focus, path, value, component, shape, message)
        ctx.add(
            focus,
            text,
            prop=path if isinstance(path, URIRef) else None,
            value=value if isinstance(value, URIRef) else None,
            expected=expected,
            found=_found(ctx, focus, path, value, component),
            severity=VIOLATION if str(severity) == _SH + "Violation" else WARNING,
        )


_KIND = "https://w3id.org/saiaas/shapes#kind"


@lru_cache(maxsize=2)
def _compiled_shapes(kind: str) -> tuple[Graph, Any]:
    """The node shapes for one kind of file (marked shapes:kind), as an rdflib graph and as
    pyshacl's harvested shapes, kept across validations: harvesting costs ~10 ms a call, and
    catalog shapes only cost time on a request file."""
    from pyshacl.shapes_graph import ShapesGraph
    from rdflib import BNode, Graph, Literal, URIRef

    full = shapes_graph()
    part = Graph()
    for prefix, namespace in full.namespaces():
        part.bind(prefix, namespace)
    todo = list(full.subjects(URIRef(_KIND), Literal(kind)))
    seen: set[Any] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in full.triples((node, None, None)):
            part.add(triple)
            if isinstance(triple[2], BNode):
                todo.append(triple[2])
    _speed_up_pyshacl()
    return part, ShapesGraph(part)


class _FastMembership(list):  # type: ignore[type-arg]
    """A list whose `in` is a set lookup; copies are plain lists, so appends stay safe."""

    def __init__(self, items: list[Any]) -> None:
        super().__init__(items)
        self._members = frozenset(items)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def _speed_up_pyshacl() -> None:
    """pyshacl scans a 40-item list of constraint parameters for each predicate of each shape
    on every validation (a third of its time here); give it the same list with set lookup.
    Only the cache pyshacl itself keeps on its module is filled; if that changes, nothing
    happens."""
    try:
        import pyshacl.shape as shape_module
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    except ImportError:
        return
    current = getattr(shape_module, "CONSTRAINT_PARAMS", None)
    if isinstance(current, tuple) and isinstance(current[0], _FastMembership):
        return
    shape_module.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
        _FastMembership(list(ALL_CONSTRAINT_PARAMETERS)),
        CONSTRAINT_PARAMETERS_MAP,
    )


def _run(data: Graph, kind: str) -> Graph:
    """Validate in place, reusing the harvested shapes; falls back to the plain entry point if
    pyshacl's Validator internals ever change."""
    import pyshacl

    part, compiled = _compiled_shapes(kind)
    try:
        from pyshacl.graph_abstraction import DataGraph

        validator = pyshacl.Validator(
            DataGraph.from_rdflib(data),
            shacl_graph=part,
            options={"inplace": True, "inference": "none", "advanced": False},
        )
        validator.shacl_graph = compiled
    except (ImportError, AttributeError, TypeError):
        _conforms, results, _text = pyshacl.validate(
            data, shacl_graph=part, inference="none", inplace=True, advanced=False
        )
        return results
    _conforms, results, _text = validator.run()
    return results


_TYPE_KINDS = ("DatatypeConstraintComponent", "OrConstraintComponent")
_BOUND_KINDS = ("MinInclusive", "MaxInclusive", "MinExclusive", "MaxExclusive")


def _drop_bounds_of_mistyped(rows: list[tuple]) -> list[tuple]:
    """A value of the wrong type also fails every numeric bound; report only the type."""
    mistyped = {(r[0], r[1], r[2]) for r in rows if str(r[3]).endswith(_TYPE_KINDS)}
    return [
        r
        for r in rows
        if (r[0], r[1], r[2]) not in mistyped
        or not str(r[3]).rsplit("#", 1)[-1].startswith(_BOUND_KINDS)
    ]


class _Sh:
    def __getattr__(self, name: str) -> Any:
        from rdflib import RDF, URIRef

        return RDF.type if name == "type" else URIRef(_SH + name)


def _param(shapes: Graph, shape: Any, name: str) -> Any:
    from rdflib import URIRef

    return shapes.value(shape, URIRef(_SH + name))


def _found(ctx: Context, focus: Any, path: Any, value: Any, component: Any) -> str | None:
    kind = str(component).rsplit("#", 1)[-1]
    if kind in ("MinCountConstraintComponent", "MaxCountConstraintComponent"):
        count = len(set(ctx.graph.objects(focus, path))) if path is not None else 0
        return "none" if count == 0 else f"{count} values"
    if value is None:
        return None
    found = ctx.name(value)
    from rdflib import Literal

    if isinstance(value, Literal) and value.datatype is not None and value.ill_typed:
        found = f"{found} (not a valid {ctx.source.qname(str(value.datatype))})"
    return found


def _explain(
    ctx: Context,
    shapes: Graph,
    focus: Any,
    path: Any,
    value: Any,
    component: Any,
    shape: Any,
    message: Any,
) -> tuple[str | None, str]:
    """(expected, message) for one SHACL result, in the words of the constraint that failed."""
    from rdflib import URIRef

    kind = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    prop = ctx.name(path) if isinstance(path, URIRef) else "the value"
    subject = ctx.name(focus)
    shown = ctx.name(value) if value is not None else None
    p = lambda name: _param(shapes, shape, name)  # noqa: E731
    if kind == "MinCount":
        n = int(p("minCount"))
        if n == 1:
            return "a value", f"{subject} has no {prop}; it is required"
        return f"at least {n} values", f"{subject} needs at least {n} values of {prop}"
    if kind == "MaxCount":
        n = int(p("maxCount"))
        if n == 0:
            return "no value", f"{prop} does not belong on {subject}"
        return f"at most {n} value{'s' if n > 1 else ''}", f"{subject} has more than {n} {prop}"
    if kind == "Datatype":
        dt = ctx.source.qname(str(p("datatype")))
        return dt, f"{prop} must be of type {dt}, found {shown}"
    if kind == "Or":
        members = [_param(shapes, m, "datatype") for m in _list(shapes, p("or"))]
        names = " or ".join(ctx.source.qname(str(m)) for m in members if m is not None)
        return (
            names or "one of the allowed shapes",
            f"{prop} must be of type {names or 'a valid value'}, found {shown}",
        )
    bounds = {
        "MinInclusive": ("minInclusive", ">=", "at least"),
        "MaxInclusive": ("maxInclusive", "<=", "at most"),
        "MinExclusive": ("minExclusive", ">", "greater than"),
        "MaxExclusive": ("maxExclusive", "<", "less than"),
    }
    if kind in bounds:
        param, op, words = bounds[kind]
        bound = p(param)
        return f"{op} {bound}", f"{prop} must be {words} {bound}, found {value}"
    if kind == "Class":
        cls = ctx.name(p("class"))
        return f"a {cls}", f"{shown} is not a {cls}, as {prop} requires"
    if kind == "NodeKind":
        nk = str(p("nodeKind")).rsplit("#", 1)[-1]
        kinds = {
            "IRI": "an IRI (a prefixed name)",
            "Literal": "a literal",
            "BlankNodeOrIRI": "a node (IRI or [ ... ])",
        }
        want = kinds.get(nk, nk)
        return want, f"{prop} must be {want}, found {shown}"
    if kind == "Pattern":
        want = str(p("description") or f"text matching {p('pattern')}")
        return want, f"{prop} {shown} is not {want}"
    if kind == "In":
        allowed = ", ".join(ctx.name(m) or "" for m in _list(shapes, p("in")))
        return f"one of {allowed}", f"{shown} is not allowed for {prop}; expected one of {allowed}"
    return None, str(message) if message else f"{subject} does not conform ({kind})"


def _list(graph: Graph, head: Any) -> list[Any]:
    from rdflib.collection import Collection

    return list(Collection(graph, head)) if head is not None else []
