"""Checks that SHACL expresses poorly: what kind of file this is, prices that add up, durations
in range, requested classes in the right category, constraints that make sense for the
property they constrain, and assets whose facts belong to their category."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from saiaas.ontologies import SAIAAS
from saiaas.shapes._context import Context
from saiaas.shapes._report import WARNING
from saiaas.shapes._vocabulary import CATEGORIES

if TYPE_CHECKING:
    from rdflib.term import Node

__all__ = ["detect_kind", "check_request", "check_catalog", "MAX_DURATION_DAYS"]

#: Bidding, delivery and acknowledgment windows must lie in (0, 365 days].
MAX_DURATION_DAYS = 365

_S = SAIAAS
_NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#integer",
    "http://www.w3.org/2001/XMLSchema#decimal",
    "http://www.w3.org/2001/XMLSchema#double",
    "http://www.w3.org/2001/XMLSchema#float",
    "http://www.w3.org/2001/XMLSchema#nonNegativeInteger",
    "http://www.w3.org/2001/XMLSchema#positiveInteger",
}
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_CATEGORY_WORD = {
    _S + "DataAsset": "data",
    _S + "AlgorithmAsset": "algorithm",
    _S + "InfrastructureAsset": "infrastructure",
}


def _u(local: str) -> Any:
    from rdflib import URIRef

    return URIRef(_S + local)


def _article(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _typed(ctx: Context, cls: str) -> list[Node]:
    """Subjects whose told type is `cls` or one of its subclasses in the ontology."""
    from rdflib import RDF, URIRef

    return sorted(
        {
            s
            for s, o in ctx.graph.subject_objects(RDF.type)
            if isinstance(o, URIRef) and ctx.vocab.is_a(str(o), cls)
        },
        key=str,
    )


def detect_kind(ctx: Context) -> str | None:
    """'request' when the file has a saiaas:Request, 'catalog' when it has assets or providers."""
    if _typed(ctx, _S + "Request"):
        return "request"
    if _typed(ctx, _S + "Asset") or _typed(ctx, _S + "Provider"):
        return "catalog"
    return None


def _number(node: Any) -> Decimal | None:
    from rdflib import Literal

    if not isinstance(node, Literal) or node.ill_typed or str(node.datatype) not in _NUMERIC:
        return None
    try:
        return Decimal(str(node))
    except InvalidOperation:
        return None


# ---------------------------------------------------------------- requests


def check_request(ctx: Context, unknown: set[str]) -> None:
    requests = _typed(ctx, _S + "Request")
    if not requests:
        ctx.add(
            None,
            "no saiaas:Request in the file; a requirement file describes one request",
            expected="one subject of type saiaas:Request",
            found="none",
        )
        return
    if len(requests) > 1:
        ctx.add(
            requests[1],
            "more than one saiaas:Request in the file; put each request in its own file",
            expected="one saiaas:Request",
            found=f"{len(requests)}",
        )
    for request in requests:
        _check_durations(ctx, request)
        _check_prices(ctx, request)
        _check_data_use(ctx, request, unknown)
        for prop_name, category in CATEGORIES.items():
            for spec in ctx.graph.objects(request, _u(prop_name)):
                _check_spec(ctx, spec, prop_name, category, unknown)


def _check_durations(ctx: Context, request: Node) -> None:
    from rdflib import Literal

    for name in ("biddingDuration", "deliveryWindow", "acknowledgmentWindow"):
        for node in ctx.graph.objects(request, _u(name)):
            if (
                not isinstance(node, Literal)
                or node.ill_typed
                or not hasattr(node.value, "days")
                and not hasattr(node.value, "years")
            ):
                continue  # wrong datatype: the shapes report it
            days = _days(node.value)
            if days is None:
                continue
            if days <= 0:
                ctx.add(
                    request,
                    f"{ctx.name(_u(name))} must be longer than zero, found {node}",
                    prop=_u(name),
                    expected="> P0D",
                    found=str(node),
                )
            elif days > MAX_DURATION_DAYS:
                ctx.add(
                    request,
                    f"{ctx.name(_u(name))} {node} is longer than a year ({MAX_DURATION_DAYS} days)",
                    prop=_u(name),
                    expected=f"<= P{MAX_DURATION_DAYS}D",
                    found=str(node),
                )


def _days(value: Any) -> float | None:
    """Length of an xsd:duration in days (a month counts 30 days, a year 365)."""
    years = getattr(value, "years", 0) or 0
    months = getattr(value, "months", 0) or 0
    delta = getattr(value, "tdelta", value)
    try:
        seconds = delta.total_seconds()
    except AttributeError:
        return None
    return float(years) * 365 + float(months) * 30 + seconds / 86400


def _check_prices(ctx: Context, request: Node) -> None:
    reserve = _number(ctx.graph.value(request, _u("reservePrice")))
    if reserve is None:
        return
    total = Decimal(0)
    parts = []
    for prop_name in CATEGORIES:
        spec = ctx.graph.value(request, _u(prop_name))
        if spec is None:
            continue
        price = _number(ctx.graph.value(spec, _u("maxPrice")))
        if price is None:
            continue
        total += price
        parts.append(str(price))
        if price > reserve:
            ctx.add(
                spec,
                f"maxPrice {price} of {ctx.name(_u(prop_name))} "
                f"is above the reservePrice {reserve}",
                prop=_u("maxPrice"),
                expected=f"<= {reserve} (the reserve)",
                found=str(price),
            )
    if total > reserve and len(parts) > 1:
        ctx.add(
            request,
            f"the max prices add up to {' + '.join(parts)} = {total} ether, "
            f"above the reservePrice {reserve}",
            prop=_u("reservePrice"),
            expected=f"sum of maxPrice <= {reserve}",
            found=str(total),
        )


def _check_spec(ctx: Context, spec: Node, prop_name: str, category: str, unknown: set[str]) -> None:
    from rdflib import URIRef

    vocab = ctx.vocab
    word = _CATEGORY_WORD[category]
    for cls in ctx.graph.objects(spec, _u("requestedClass")):
        if not isinstance(cls, URIRef) or str(cls) in unknown:
            continue
        if str(cls) not in vocab.classes:
            ctx.add(
                spec,
                f"requestedClass {ctx.name(cls)} is not a class of the ontology",
                prop=_u("requestedClass"),
                value=cls,
                expected=f"a subclass of {ctx.name(URIRef(category))}",
                found=ctx.name(cls),
            )
        elif not vocab.is_a(str(cls), category):
            actual = vocab.category_of(str(cls))
            where = f"{_article(_CATEGORY_WORD[actual])} class" if actual else "not an asset class"
            ctx.add(
                spec,
                f"{ctx.name(_u(prop_name))} asks for {ctx.name(cls)}, which is {where}; "
                f"the {word} specification needs a subclass of {ctx.name(URIRef(category))}",
                prop=_u("requestedClass"),
                value=cls,
                expected=f"a subclass of {ctx.name(URIRef(category))}",
                found=ctx.name(cls),
            )
    for constraint in ctx.graph.objects(spec, _u("constraint")):
        _check_constraint(ctx, constraint, category, unknown)
    _check_bounds_overlap(ctx, spec)


def _check_bounds_overlap(ctx: Context, spec: Node) -> None:
    """A minimum above a maximum on the same property is a request no asset can meet."""
    from rdflib import RDF

    lows: dict[Node, tuple[Decimal, Node]] = {}
    highs: dict[Node, tuple[Decimal, Node]] = {}
    for constraint in ctx.graph.objects(spec, _u("constraint")):
        on = ctx.graph.value(constraint, _u("onProperty"))
        bound = _number(ctx.graph.value(constraint, _u("value")))
        if on is None or bound is None:
            continue
        kinds = set(ctx.graph.objects(constraint, RDF.type))
        if _u("MinInclusive") in kinds and (on not in lows or bound > lows[on][0]):
            lows[on] = (bound, constraint)
        if _u("MaxInclusive") in kinds and (on not in highs or bound < highs[on][0]):
            highs[on] = (bound, constraint)
    for on, (low, constraint) in lows.items():
        if on in highs and low > highs[on][0]:
            ctx.add(
                constraint,
                f"minimum {low} of {ctx.name(on)} is above its maximum {highs[on][0]}; "
                "no asset can meet both",
                prop=_u("value"),
                expected=f"<= {highs[on][0]}",
                found=str(low),
            )


def _check_constraint(ctx: Context, constraint: Node, category: str, unknown: set[str]) -> None:
    from rdflib import RDF, Literal, URIRef

    vocab = ctx.vocab
    on = ctx.graph.value(constraint, _u("onProperty"))
    if not isinstance(on, URIRef) or str(on) in unknown:
        return
    prop = str(on)
    if prop not in vocab.object_properties and prop not in vocab.datatype_properties:
        ctx.add(
            constraint,
            f"onProperty {ctx.name(on)} is not an asset property of the ontology",
            prop=_u("onProperty"),
            value=on,
            expected="an object or datatype property",
            found=ctx.name(on),
        )
        return
    prop_category = vocab.property_category(prop)
    if prop_category is not None and prop_category != category:
        ctx.add(
            constraint,
            f"{ctx.name(on)} describes {_CATEGORY_WORD[prop_category]} assets; "
            f"it cannot constrain {_article(_CATEGORY_WORD[category])} asset",
            prop=_u("onProperty"),
            value=on,
            expected=f"a property of {ctx.name(URIRef(category))}",
            found=ctx.name(on),
        )
        return
    kinds = {str(t) for t in ctx.graph.objects(constraint, RDF.type)}
    is_object = prop in vocab.object_properties
    value_range = vocab.ranges.get(prop)
    if kinds & {_S + "MinInclusive", _S + "MaxInclusive"}:
        if is_object or value_range not in _NUMERIC:
            ctx.add(
                constraint,
                f"{ctx.name(on)} is not numeric; a minimum or maximum needs a numeric property",
                prop=_u("onProperty"),
                value=on,
                expected="a numeric property",
                found=ctx.name(on),
            )
        return
    values = list(ctx.graph.objects(constraint, _u("value"))) + list(
        ctx.graph.objects(constraint, _u("allowedValue"))
    )
    for value in values:
        if isinstance(value, URIRef) and str(value) in unknown:
            continue
        if is_object:
            if not isinstance(value, URIRef):
                ctx.add(
                    constraint,
                    f"{ctx.name(on)} takes values of the ontology, "
                    f"found the literal {ctx.name(value)}",
                    prop=_u("value"),
                    expected=f"a {ctx.name(URIRef(value_range)) if value_range else 'named value'}",
                    found=ctx.name(value),
                )
            elif value_range and not vocab.individual_is_a(str(value), value_range):
                ctx.add(
                    constraint,
                    f"{ctx.name(value)} is not a {ctx.name(URIRef(value_range))}, "
                    f"the values of {ctx.name(on)}",
                    prop=_u("value"),
                    value=value,
                    expected=f"a {ctx.name(URIRef(value_range))}",
                    found=ctx.name(value),
                )
        else:
            if not isinstance(value, Literal):
                ctx.add(
                    constraint,
                    f"{ctx.name(on)} takes literal values, found {ctx.name(value)}",
                    prop=_u("value"),
                    value=value,
                    expected="a literal",
                    found=ctx.name(value),
                )
            elif value_range == _BOOLEAN and str(value.datatype) != _BOOLEAN:
                ctx.add(
                    constraint,
                    f"{ctx.name(on)} is true or false, found {ctx.name(value)}",
                    prop=_u("value"),
                    expected="true or false",
                    found=ctx.name(value),
                )
            elif value_range in _NUMERIC and _number(value) is None:
                ctx.add(
                    constraint,
                    f"{ctx.name(on)} is a number, found {ctx.name(value)}",
                    prop=_u("value"),
                    expected="a number",
                    found=ctx.name(value),
                )


# ---------------------------------------------------------------- catalogs


def check_catalog(ctx: Context, unknown: set[str]) -> None:
    from rdflib import RDF, URIRef

    vocab = ctx.vocab
    assets = _typed(ctx, _S + "Asset")
    unknown_types = {str(t) for t in ctx.graph.objects(None, RDF.type)} & unknown
    if not assets and not unknown_types:
        ctx.add(
            None,
            "no asset in the catalog; type each asset with a class of the ontology "
            "(e.g. saiaas:ChestXRayDataset)",
            expected="at least one saiaas:Asset",
            found="none",
        )
    for asset in assets:
        categories = {
            vocab.category_of(str(t))
            for t in ctx.graph.objects(asset, RDF.type)
            if isinstance(t, URIRef)
        } - {None}
        if len(categories) > 1:
            words = " and ".join(sorted(_CATEGORY_WORD[c] for c in categories if c))
            ctx.add(
                asset,
                f"{ctx.name(asset)} is typed as both {words} asset; the categories are disjoint",
                prop=RDF.type,
                expected="classes of one category",
                found=words,
            )
            continue
        if not categories:
            ctx.add(
                asset,
                f"{ctx.name(asset)} is a saiaas:Asset of no category; "
                "use a data, algorithm or infrastructure class",
                prop=RDF.type,
                expected="a subclass of DataAsset, AlgorithmAsset or InfrastructureAsset",
                found=ctx.name(ctx.graph.value(asset, RDF.type)),
            )
            continue
        category = next(iter(categories))
        for p in sorted(set(ctx.graph.predicates(asset, None)), key=str):
            if str(p) in unknown:
                continue
            prop_category = vocab.property_category(str(p))
            if prop_category is not None and category is not None and prop_category != category:
                ctx.add(
                    asset,
                    f"{ctx.name(p)} describes {_CATEGORY_WORD[prop_category]} assets, "
                    f"but {ctx.name(asset)} is {_article(_CATEGORY_WORD[category])} asset",
                    prop=p,
                    expected=f"a property of {ctx.name(URIRef(category))}",
                    found=ctx.name(p),
                )
        if category == _S + "DataAsset":
            _check_counts(ctx, asset)
        for policy in ctx.graph.objects(asset, _ODRL_U("hasPolicy")):
            _check_policy(ctx, asset, policy, unknown)


def _check_counts(ctx: Context, asset: Node) -> None:
    total = _number(ctx.graph.value(asset, _u("sampleCount")))
    labelled = _number(ctx.graph.value(asset, _u("labelledSampleCount")))
    if total is not None and labelled is not None and labelled > total:
        ctx.add(
            asset,
            f"labelledSampleCount {labelled} is above sampleCount {total}",
            prop=_u("labelledSampleCount"),
            expected=f"<= {total}",
            found=str(labelled),
        )
    if (
        total is None
        and labelled is None
        and ctx.graph.value(asset, _u("sampleCount")) is None
        and ctx.graph.value(asset, _u("labelledSampleCount")) is None
    ):
        ctx.add(
            asset,
            f"{ctx.name(asset)} states no sampleCount; "
            "requests that ask for a minimum will not match it",
            prop=_u("sampleCount"),
            expected="a sample count",
            found="none",
            severity=WARNING,
        )


# ---------------------------------------------------------------------------- data-use conditions
_ODRL = "http://www.w3.org/ns/odrl/2/"
_OBO = "http://purl.obolibrary.org/obo/"
_PURPOSE_ROOTS = (_OBO + "DUO_0000001", "https://w3id.org/dpv#Purpose")
_DISEASE_ROOT = _OBO + "MONDO_0000001"
_DISEASE_SPECIFIC = _OBO + "DUO_0000007"
_LEFT_ROOTS = {
    _ODRL + "purpose": (
        _PURPOSE_ROOTS,
        "a purpose (a DUO data use permission or dpv:CommercialPurpose)",
    ),
    "https://w3id.org/duodrl#Disease": ((_DISEASE_ROOT,), "a disease (a MONDO class)"),
}


def _ODRL_U(local: str) -> Any:  # noqa: N802 (reads like the prefix)
    from rdflib import URIRef

    return URIRef(_ODRL + local)


def _under(ctx: Context, iri: str, roots: tuple[str, ...]) -> bool:
    return any(ctx.vocab.is_a(iri, root) for root in roots)


def _nearest_under(ctx: Context, iri: str, roots: tuple[str, ...]) -> str | None:
    """The class under one of `roots` whose local name or spelling is closest to `iri`'s."""
    import difflib

    pool = sorted(c for c in ctx.vocab.classes if _under(ctx, c, roots))
    names = {c.rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower(): c for c in pool}
    local = iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower()
    best = difflib.get_close_matches(local, list(names), n=1, cutoff=0.5)
    return names[best[0]] if best else (pool[0] if pool else None)


def _wrong_kind(
    ctx: Context, subject: Node, prop: Any, value: Any, roots: tuple[str, ...], what: str
) -> None:
    guess = _nearest_under(ctx, str(value), roots)
    suggestion = ctx.source.qname(guess) if guess else None
    message = f"{ctx.name(value)} is not {what}"
    if suggestion:
        message += f"; did you mean {suggestion}?"
    ctx.add(
        subject,
        message,
        prop=prop,
        value=value,
        expected=what,
        found=ctx.name(value),
        suggestion=suggestion,
    )


def _check_data_use(ctx: Context, request: Node, unknown: set[str]) -> None:
    """The client's use of the data: a DUO purpose, a MONDO disease, and a disease for DS."""
    from rdflib import URIRef

    purposes = [p for p in ctx.graph.objects(request, _u("usePurpose")) if isinstance(p, URIRef)]
    diseases = [d for d in ctx.graph.objects(request, _u("useDisease")) if isinstance(d, URIRef)]
    for purpose in purposes:
        if str(purpose) not in unknown and not _under(ctx, str(purpose), _PURPOSE_ROOTS):
            _wrong_kind(
                ctx,
                request,
                _u("usePurpose"),
                purpose,
                (_PURPOSE_ROOTS[0],),
                "a DUO purpose class (a subclass of obo:DUO_0000001, data use permission)",
            )
    for disease in diseases:
        if str(disease) not in unknown and not _under(ctx, str(disease), (_DISEASE_ROOT,)):
            _wrong_kind(
                ctx,
                request,
                _u("useDisease"),
                disease,
                (_DISEASE_ROOT,),
                "a disease class (a subclass of obo:MONDO_0000001)",
            )
    if any(ctx.vocab.is_a(str(p), _DISEASE_SPECIFIC) for p in purposes) and not diseases:
        ctx.add(
            request,
            "usePurpose is disease specific research but no useDisease says which disease; "
            "a permission for a specific disease will not cover it",
            prop=_u("usePurpose"),
            expected="a saiaas:useDisease (a MONDO class)",
            found="none",
            severity=WARNING,
        )


def _check_policy(ctx: Context, asset: Node, policy: Node, unknown: set[str]) -> None:
    """A dataset's ODRL policy: each constraint's right operand of the kind its left operand
    is about, and at least one permission (else no use is permitted)."""
    from rdflib import URIRef

    graph = ctx.graph
    if not list(graph.objects(policy, _ODRL_U("permission"))):
        ctx.add(
            policy,
            f"the data-use policy of {ctx.name(asset)} has no odrl:permission, "
            "so it permits no use and every request is refused",
            prop=_ODRL_U("permission"),
            expected="at least one odrl:permission",
            found="none",
            severity=WARNING,
        )
    rules = [
        *graph.objects(policy, _ODRL_U("permission")),
        *graph.objects(policy, _ODRL_U("prohibition")),
    ]
    for rule in rules:
        for constraint in graph.objects(rule, _ODRL_U("constraint")):
            left = graph.value(constraint, _ODRL_U("leftOperand"))
            right = graph.value(constraint, _ODRL_U("rightOperand"))
            if left is None or right is None or not isinstance(right, URIRef):
                continue  # the shapes report a missing or literal operand
            if str(right) in unknown or str(left) not in _LEFT_ROOTS:
                continue
            roots, what = _LEFT_ROOTS[str(left)]
            if not _under(ctx, str(right), roots):
                _wrong_kind(ctx, constraint, _ODRL_U("rightOperand"), right, roots, what)
