"""Every class, property, value and datatype a file uses must exist in the ontology (or in the
RDF, RDFS, OWL and XSD vocabularies); an unknown one gets the nearest known name."""

from __future__ import annotations

from saiaas.ontologies import SAIAAS
from saiaas.shapes._context import Context
from saiaas.shapes._vocabulary import STANDARD_NAMESPACES

__all__ = ["check_terms"]

_TERM_OBJECTS = {
    SAIAAS + "requestedClass": "class",
    SAIAAS + "onProperty": "property",
    # data-use conditions name classes (DUO purposes, MONDO diseases) and ODRL individuals
    SAIAAS + "usePurpose": "class",
    SAIAAS + "useDisease": "class",
    "http://www.w3.org/ns/odrl/2/rightOperand": "class",
    "http://www.w3.org/ns/odrl/2/leftOperand": "individual",
    "http://www.w3.org/ns/odrl/2/operator": "individual",
    "http://www.w3.org/ns/odrl/2/action": "individual",
}
_VALUE_OBJECTS = {SAIAAS + "value", SAIAAS + "allowedValue"}
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _governed(iri: str) -> bool:
    """Terms of these namespaces are checked wherever they appear, not only in term positions."""
    return iri.startswith(SAIAAS) or iri.startswith(STANDARD_NAMESPACES)


def check_terms(ctx: Context) -> set[str]:
    """Report unknown terms; return them so other checks do not report them twice."""
    from rdflib import BNode, Literal, URIRef

    vocab = ctx.vocab
    reported: set[str] = set()

    def unknown(
        iri: str, role: str, subject: object, prop: object | None, value: object | None
    ) -> None:
        if iri in reported or vocab.known(iri):
            return
        reported.add(iri)
        guess = vocab.suggest(iri, role)
        name = ctx.source.qname(iri)
        what = {"class": "class", "property": "property", "individual": "value"}.get(role, "term")
        message = f"{name} is not in the ontology"
        suggestion = ctx.source.qname(guess) if guess else None
        if suggestion:
            message += f"; did you mean {suggestion}?"
        ctx.add(
            subject,  # type: ignore[arg-type]
            message,
            prop=prop,  # type: ignore[arg-type]
            value=value,  # type: ignore[arg-type]
            expected=f"a {what} of the saiaas ontology",
            found=name,
            suggestion=suggestion,
        )

    for s, p, o in ctx.graph:
        if isinstance(s, URIRef) and _governed(str(s)):
            unknown(str(s), "any", s, None, None)
        unknown(str(p), "property", s, p, p)
        if isinstance(o, URIRef):
            if str(p) == _RDF_TYPE:
                unknown(str(o), "class", s, p, o)
            elif str(p) in _TERM_OBJECTS:
                unknown(str(o), _TERM_OBJECTS[str(p)], s, p, o)
            elif _governed(str(o)):
                unknown(str(o), "individual", s, p, o)
        elif isinstance(o, Literal) and o.datatype is not None:
            datatype = str(o.datatype)
            if (
                datatype != _LANG_STRING
                and datatype not in vocab.standard
                and datatype not in reported
            ):
                reported.add(datatype)
                guess = vocab.suggest(datatype, "any") if not datatype.startswith(SAIAAS) else None
                xsd_guess = _nearest_xsd(datatype, vocab.standard)
                suggestion = (
                    ctx.source.qname(xsd_guess)
                    if xsd_guess
                    else (ctx.source.qname(guess) if guess else None)
                )
                message = f"datatype {ctx.source.qname(datatype)} is not an XSD datatype"
                if suggestion:
                    message += f"; did you mean {suggestion}?"
                ctx.add(
                    s,
                    message,
                    prop=p,
                    expected="an XSD datatype such as xsd:decimal",
                    found=ctx.name(o),
                    suggestion=suggestion,
                )
        elif isinstance(o, BNode):
            continue
    return reported


def _nearest_xsd(iri: str, standard: frozenset[str]) -> str | None:
    import difflib

    xsd = "http://www.w3.org/2001/XMLSchema#"
    local = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    names = {t[len(xsd) :].lower(): t for t in standard if t.startswith(xsd)}
    best = difflib.get_close_matches(local.lower(), list(names), n=1, cutoff=0.6)
    return names[best[0]] if best else None
