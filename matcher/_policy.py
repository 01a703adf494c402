"""Data-use conditions (VOCABULARY.md, "Data-use conditions"): a dataset's ODRL policy of DUO
terms, read from its description, and decided against the client's `DataUse` on the cached
classification, never with a reasoner.

The rules, each the answer to a HermiT instance question the cross-check asks (the client's use
as an individual of its purpose class, `DUO_0000010 some` its disease, `dpv:CommercialPurpose`
or its complement, `holdsEthicsApproval value true`):
- a permission applies when every constraint of it is entailed: `purpose isA Q` when the
  client's purpose is a subclass of Q; `duodrl:Disease isA E` when the client's disease is a
  subclass of E (or its purpose class implies `DUO_0000010 some C` with C below E); its duties
  must then be met (`duodrl:ProvideEthicalApproval`: the client holds ethics approval);
- a prohibition is avoided only when one of its constraints is entailed false: `purpose isA X`
  with the client's use provably outside X (a non-commercial client and X below
  dpv:CommercialPurpose, or a purpose class disjoint with X); unstated means it may apply;
- eligible: some permission applies with its duties met, and every prohibition is avoided. A
  dataset that states no policy states no conditions. The TEE duty (`requiresConfidentiality`)
  is decided on the triplet, where the infrastructure is known.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from saiaas.matcher._model import OntologyModel
from saiaas.ontologies.requests import DataUse

ODRL = "http://www.w3.org/ns/odrl/2/"
OBO = "http://purl.obolibrary.org/obo/"
DUODRL = "https://w3id.org/duodrl#"
DPV = "https://w3id.org/dpv#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

PURPOSE = ODRL + "purpose"
DISEASE = DUODRL + "Disease"
IS_A = ODRL + "isA"
USE = ODRL + "use"
ETHICS = DUODRL + "ProvideEthicalApproval"
COMMERCIAL = DPV + "CommercialPurpose"
RESTRICTED_TO = OBO + "DUO_0000010"
#: DUO shorthands, for reasons a person reads ("HMB", "DS", ...)
SHORTHAND = {
    OBO + "DUO_0000042": "GRU",
    OBO + "DUO_0000006": "HMB",
    OBO + "DUO_0000007": "DS",
    OBO + "DUO_0000046": "NCU",
    OBO + "DUO_0000021": "IRB",
}


@dataclass(frozen=True)
class Rule:
    """One ODRL permission or prohibition of odrl:use: (leftOperand, operator, rightOperand)
    constraints and, on a permission, the actions of its duties."""

    constraints: tuple[tuple[str, str, str], ...] = ()
    duties: tuple[str, ...] = ()
    action: str = USE


@dataclass(frozen=True)
class Policy:
    permissions: tuple[Rule, ...] = ()
    prohibitions: tuple[Rule, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        def rule(r: Rule) -> dict[str, Any]:
            return {
                "action": r.action,
                "constraints": [list(c) for c in r.constraints],
                "duties": list(r.duties),
            }

        return {
            "permissions": [rule(r) for r in self.permissions],
            "prohibitions": [rule(r) for r in self.prohibitions],
        }


# ---------------------------------------------------------------------------- reading
#: A term as the reader sees it: ("iri" | "bnode" | "literal", value).
Term = tuple[str, str]


def read_policies(triples: Iterable[tuple[Term, str, Term]]) -> dict[str, Policy]:
    """The policy of each subject IRI with odrl:hasPolicy (several policies merge their rules).
    `triples`: (subject, predicate IRI, object) with terms as (kind, value)."""
    out: dict[Term, dict[str, list[Term]]] = {}
    for s, p, o in triples:
        out.setdefault(s, {}).setdefault(p, []).append(o)

    def objects(node: Term, prop: str) -> list[Term]:
        return out.get(node, {}).get(prop, [])

    def iris(node: Term, prop: str) -> list[str]:
        return sorted(v for kind, v in objects(node, prop) if kind == "iri")

    def action_of(node: Term) -> str:
        acts = iris(node, ODRL + "action")
        if not acts:  # an action refined (rdf:value odrl:use)
            for kind, v in objects(node, ODRL + "action"):
                if kind == "bnode":
                    acts = iris(("bnode", v), "http://www.w3.org/1999/02/22-rdf-syntax-ns#value")
        return acts[0] if acts else ""

    def rule(node: Term, with_duties: bool) -> Rule:
        constraints = []
        for c in objects(node, ODRL + "constraint"):
            for left in iris(c, ODRL + "leftOperand") or [""]:
                for op in iris(c, ODRL + "operator") or [""]:
                    for right in iris(c, ODRL + "rightOperand") or [""]:
                        constraints.append((left, op, right))
        duties = [action_of(d) for d in objects(node, ODRL + "duty")] if with_duties else []
        return Rule(tuple(sorted(constraints)), tuple(sorted(duties)), action_of(node))

    policies: dict[str, Policy] = {}
    for subject, props in out.items():
        if subject[0] != "iri" or ODRL + "hasPolicy" not in props:
            continue
        permissions: list[Rule] = []
        prohibitions: list[Rule] = []
        for policy in props[ODRL + "hasPolicy"]:
            permissions += [rule(n, True) for n in objects(policy, ODRL + "permission")]
            prohibitions += [rule(n, False) for n in objects(policy, ODRL + "prohibition")]
        policies[subject[1]] = Policy(
            tuple(sorted(permissions, key=repr)), tuple(sorted(prohibitions, key=repr))
        )
    return policies


def ox_policies(parsed: list[Any]) -> dict[str, Policy]:
    """`read_policies` of pyoxigraph triples, cheap when the file states none (one equality
    scan); else only the triples that can belong to a policy (odrl:hasPolicy, and those of
    blank nodes and of the named policies) are read."""
    import pyoxigraph as ox

    has = ox.NamedNode(ODRL + "hasPolicy")
    heads = [t for t in parsed if t.predicate == has]
    if not heads:
        return {}
    named = {t.object for t in heads if isinstance(t.object, ox.NamedNode)}
    blank = ox.BlankNode
    relevant = [
        t
        for t in parsed
        if t.predicate == has or isinstance(t.subject, blank) or t.subject in named
    ]
    return read_policies(ox_terms(relevant))


def ox_terms(parsed: Iterable[Any]) -> Iterable[tuple[Term, str, Term]]:
    """pyoxigraph triples as reader terms."""
    import pyoxigraph as ox

    def term(node: Any) -> Term:
        if isinstance(node, ox.NamedNode):
            return ("iri", node.value)
        if isinstance(node, ox.BlankNode):
            return ("bnode", node.value)
        return ("literal", node.value)

    for t in parsed:
        yield term(t.subject), t.predicate.value, term(t.object)


def rdflib_terms(graph: Any) -> Iterable[tuple[Term, str, Term]]:
    """rdflib triples as reader terms."""
    from rdflib import BNode, URIRef

    def term(node: Any) -> Term:
        if isinstance(node, URIRef):
            return ("iri", str(node))
        if isinstance(node, BNode):
            return ("bnode", str(node))
        return ("literal", str(node))

    for s, p, o in graph:
        yield term(s), str(p), term(o)


# ---------------------------------------------------------------------------- deciding
@dataclass(frozen=True)
class Part:
    """One part of a data-use verdict: which condition, met or not, and why."""

    kind: str  # permission | prohibition | duty | policy
    met: bool
    message: str
    condition: str = ""


def name(model: OntologyModel, iri: str) -> str:
    label = model.label(iri)
    short = SHORTHAND.get(iri)
    return f"{label} ({short})" if short else label


def _use_classes(model: OntologyModel, use: DataUse) -> frozenset[str]:
    """The named classes the client's use is an instance of."""
    classes: set[str] = set()
    if use.purpose:
        classes |= model.ancestors.get(use.purpose, {use.purpose})
    if use.commercial:
        classes |= model.ancestors.get(COMMERCIAL, {COMMERCIAL})
    return frozenset(classes)


def _diseases(model: OntologyModel, use: DataUse) -> list[frozenset[str]]:
    """For each disease the use is entailed to be about, the classes it is an instance of: the
    stated one, and the fillers of `DUO_0000010 some C` its purpose class implies."""
    out = []
    if use.disease:
        out.append(model.ancestors.get(use.disease, frozenset({use.disease})))
    if use.purpose:
        for comp in model.implied_some(frozenset([use.purpose])).get(RESTRICTED_TO, ()):
            if comp.some_class:
                out.append(model.ancestors.get(comp.some_class, frozenset({comp.some_class})))
    return out


def _holds(model: OntologyModel, use: DataUse, constraint: tuple[str, str, str]) -> bool:
    """The constraint is entailed true of the client's use."""
    left, op, right = constraint
    if op != IS_A:
        return False
    if left == PURPOSE:
        return right in _use_classes(model, use)
    if left == DISEASE:
        return any(right in d for d in _diseases(model, use))
    return False


def _fails(model: OntologyModel, use: DataUse, constraint: tuple[str, str, str]) -> bool:
    """The constraint is entailed false of the client's use (so a prohibition is avoided)."""
    left, op, right = constraint
    if op != IS_A or left != PURPOSE:
        return False
    classes = _use_classes(model, use)
    if use.commercial is False and COMMERCIAL in model.ancestors.get(right, ()):
        return True
    return any(
        model.disjoint_with.get(c, frozenset()) & model.ancestors.get(right, {right})
        for c in classes
    )


def _show_constraint(model: OntologyModel, constraint: tuple[str, str, str]) -> str:
    left, _, right = constraint
    if left == DISEASE:
        return f"on {name(model, right)}"
    return name(model, right)


def _show_rule(model: OntologyModel, rule: Rule) -> str:
    purposes = [c for c in rule.constraints if c[0] == PURPOSE]
    others = [c for c in rule.constraints if c[0] != PURPOSE]
    words = [_show_constraint(model, c) for c in purposes + others] or ["any use"]
    return " ".join(words)


def _show_use(model: OntologyModel, use: DataUse) -> str:
    text = "no purpose stated" if not use.purpose else name(model, use.purpose)
    if use.disease:
        text += f" on {name(model, use.disease)}"
    return text


def decide_policy(model: OntologyModel, use: DataUse | None, policy: Policy) -> list[Part]:
    """Every condition of the policy against the client's use, one part each."""
    use = use or DataUse()
    parts: list[Part] = []
    shown = _show_use(model, use)
    permitted: list[Rule] = []
    for rule in policy.permissions:
        if rule.action == USE and all(_holds(model, use, c) for c in rule.constraints):
            permitted.append(rule)
    if permitted:
        parts.append(
            Part(
                "permission",
                True,
                f"data use permitted: the client's purpose {shown} is covered by the permitted "
                f"{_show_rule(model, permitted[0])}",
                "permission",
            )
        )
    else:
        allowed = "; ".join(_show_rule(model, r) for r in policy.permissions) or "nothing"
        parts.append(
            Part(
                "permission",
                False,
                f"data use not permitted: the client's purpose {shown} is not covered by "
                f"the dataset's permitted {allowed}",
                "permission",
            )
        )
    # duties: of the applicable permissions, the one with the fewest unmet duties counts
    if permitted:
        best = min(permitted, key=lambda r: sum(not _duty_met(use, d) for d in r.duties))
        for duty in best.duties:
            ok = _duty_met(use, duty)
            if duty == ETHICS:
                held = {True: "holds it", False: "holds none", None: "does not say"}[
                    use.ethics_approval
                ]
                message = (
                    f"duty {'met' if ok else 'unmet'}: {name(model, OBO + 'DUO_0000021')}, "
                    f"the client {held}"
                )
            else:
                message = f"duty unmet: {name(model, duty)} is not a duty the matcher can check"
            parts.append(Part("duty", ok, message, duty))
    for rule in policy.prohibitions:
        avoided = any(_fails(model, use, c) for c in rule.constraints)
        what = _show_rule(model, rule)
        if avoided:
            message = (
                f"prohibition avoided: {what} (the client is not commercial)"
                if any(c[2] == COMMERCIAL for c in rule.constraints)
                else f"prohibition avoided: {what}"
            )
        elif any(c[2] == COMMERCIAL for c in rule.constraints):
            why = "the client is commercial" if use.commercial else "the client does not say"
            message = f"prohibited: {what}, {name(model, OBO + 'DUO_0000046')} ({why})"
        else:
            message = f"prohibited: {what} may apply to the client's purpose {shown}"
        parts.append(Part("prohibition", avoided, message, "prohibition"))
    return parts


def _duty_met(use: DataUse, duty: str) -> bool:
    if duty == ETHICS:
        return use.ethics_approval is True
    return False


def permitted(model: OntologyModel, use: DataUse | None, policy: Policy) -> bool:
    return all(p.met for p in decide_policy(model, use, policy))
