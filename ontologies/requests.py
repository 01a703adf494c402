"""The request model: what a client asks for, read from a requirement file's RDF graph.

The matcher, the CLI and the chain side all need the same reading of a requirement file (which
class per category, which constraints, the auction terms in wei and seconds), so it lives here,
below them, as plain frozen dataclasses with no RDF left in them except term IRIs (strings).
Ether amounts are converted with `Decimal` so that "0.3" ether is exactly 3 * 10**17 wei.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import TYPE_CHECKING, Any

from saiaas.ontologies import SAIAAS
from saiaas.ontologies.errors import InputError

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

__all__ = [
    "Category",
    "ConstraintKind",
    "Constraint",
    "AssetSpecification",
    "DataUse",
    "Request",
    "RequestError",
    "parse_request",
    "ether_to_wei",
    "duration_seconds",
]

WEI_PER_ETHER = 10**18
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class RequestError(InputError):
    """A requirement file that cannot be read as a request (missing spec, bad amount, ...)."""


class Category(str, Enum):  # noqa: UP042 (str mixin: JSON and == "data" work)
    """The three asset categories, in the order the contracts use (DATA=0, ALGORITHM=1, INFRA=2)."""

    DATA = "data"
    ALGORITHM = "algorithm"
    INFRASTRUCTURE = "infrastructure"

    @property
    def order(self) -> int:
        """Position in the contracts' enum (DATA=0, ALGORITHM=1, INFRASTRUCTURE=2)."""
        return list(Category).index(self)

    @property
    def asset_class(self) -> str:
        """The ontology class every asset of this category belongs to."""
        return (
            SAIAAS
            + {
                "data": "DataAsset",
                "algorithm": "AlgorithmAsset",
                "infrastructure": "InfrastructureAsset",
            }[self.value]
        )

    @property
    def spec_property(self) -> str:
        """The request property that links a request to its spec of this category."""
        return SAIAAS + self.value + "Spec"


class ConstraintKind(str, Enum):  # noqa: UP042
    MIN_INCLUSIVE = "MinInclusive"
    MAX_INCLUSIVE = "MaxInclusive"
    REQUIRED_VALUE = "RequiredValue"
    ALLOWED_VALUES = "AllowedValues"


#: A constraint value: an IRI (str, for value individuals) or a Python literal value.
Value = str | int | bool | Decimal


@dataclass(frozen=True)
class Constraint:
    """One requirement on one property of the asset. `value` for Min/Max/Required, `allowed` for
    AllowedValues; IRIs are strings, numbers are int or Decimal, never float."""

    kind: ConstraintKind
    property: str
    value: Value | None = None
    allowed: frozenset[Value] = frozenset()
    iri: str | None = None

    def describe(self) -> str:
        name = local_name(self.property)
        if self.kind is ConstraintKind.MIN_INCLUSIVE:
            return f"{name} >= {self.value}"
        if self.kind is ConstraintKind.MAX_INCLUSIVE:
            return f"{name} <= {self.value}"
        if self.kind is ConstraintKind.REQUIRED_VALUE:
            return f"{name} = {show_value(self.value)}"
        return f"{name} in {{{', '.join(sorted(show_value(v) for v in self.allowed))}}}"


@dataclass(frozen=True)
class DataUse:
    """What the client says about its use of the data (VOCABULARY.md, "Data-use conditions"):
    the purpose (a DUO class IRI), the disease it studies (a MONDO class IRI), whether the use is
    commercial and whether it holds ethics approval. None: the file does not say, and a
    condition that depends on it is not known to be met."""

    purpose: str | None = None
    disease: str | None = None
    commercial: bool | None = None
    ethics_approval: bool | None = None

    def describe(self) -> str:
        parts = [local_name(self.purpose) if self.purpose else "no purpose stated"]
        if self.disease:
            parts.append(f"on {local_name(self.disease)}")
        return " ".join(parts)


@dataclass(frozen=True)
class AssetSpecification:
    iri: str
    category: Category
    requested_class: str
    max_price_wei: int | None = None
    constraints: tuple[Constraint, ...] = ()
    #: What a first bid locks; None when the file is silent (the auction then takes a tenth of
    #: the max price, see `bond_or_default`).
    bond_wei: int | None = None
    #: The request's data use, on the data specification only (a dataset's data-use conditions
    #: are decided against it); None on the other categories.
    data_use: DataUse | None = None

    @property
    def bond_or_default(self) -> int:
        """The bond the auction asks: the stated one, else a tenth of the max price."""
        if self.bond_wei is not None:
            return self.bond_wei
        return (self.max_price_wei or 0) // 10


@dataclass(frozen=True)
class Request:
    iri: str
    reserve_wei: int
    bidding_seconds: int
    delivery_seconds: int | None = None
    acknowledgment_seconds: int | None = None
    references_required: int = 0
    min_accuracy: Decimal | None = None
    specs: dict[Category, AssetSpecification] = field(default_factory=dict)
    #: restitution terms (issue 11): the ERC-792 arbitrator's address (None: the timeouts
    #: decide), its confirmation and appeal windows, the least price a reference must have
    #: paid, and the record a bidder needs at the Factory
    arbitrator: str | None = None
    confirmation_seconds: int | None = None
    appeal_seconds: int | None = None
    min_reference_value_wei: int = 0
    min_completed_auctions: int = 0
    max_disputes_lost: int | None = None
    data_use: DataUse = field(default_factory=DataUse)


def local_name(iri: str) -> str:
    """The readable tail of an IRI (after # or the last /) for messages."""
    return re.split(r"[#/]", iri)[-1] or iri


def show_value(value: object) -> str:
    return local_name(value) if isinstance(value, str) and "://" in value else str(value)


def ether_to_wei(text: str, where: str = "") -> int:
    """Exact conversion of a decimal ether amount to wei; refuses negatives and sub-wei digits."""
    try:
        amount = Decimal(str(text).strip())
    except InvalidOperation:
        raise RequestError(f"{where}: {text!r} is not a decimal ether amount") from None
    if not amount.is_finite() or amount < 0:
        raise RequestError(f"{where}: ether amount {text!r} must be a non-negative number")
    wei = amount * WEI_PER_ETHER
    if wei != wei.to_integral_value():
        raise RequestError(f"{where}: {text!r} ether has more decimals than wei allows (18)")
    return int(wei)


_DURATION = re.compile(
    r"^P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


def duration_seconds(text: str, where: str = "") -> int:
    """xsd:duration to seconds; years and months are refused (their length is not fixed)."""
    match = _DURATION.match(str(text).strip())
    if not match or str(text).strip() in ("P", "PT") or str(text).strip().endswith("T"):
        raise RequestError(
            f"{where}: {text!r} is not a duration in days/hours/minutes/seconds (e.g. P3D, PT12H)"
        )
    parts = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
    return parts["days"] * 86400 + parts["hours"] * 3600 + parts["minutes"] * 60 + parts["seconds"]


def _python_value(node: Node) -> Value:
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import XSD

    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, BNode):
        raise RequestError("a constraint value is a blank node; name a value or write a literal")
    assert isinstance(node, Literal)
    if node.datatype in (XSD.boolean,):
        return str(node).strip().lower() in ("true", "1")
    if node.datatype in (XSD.decimal, XSD.double, XSD.float):
        try:
            number = Decimal(str(node))
        except InvalidOperation:
            raise RequestError(f"constraint value {str(node)!r} is not a number") from None
        return int(number) if number == number.to_integral_value() else number
    if (
        node.datatype is not None
        and str(node.datatype).startswith(str(XSD))
        and any(
            str(node.datatype).endswith(t) for t in ("integer", "int", "long", "Integer", "short")
        )
    ):
        try:
            return int(str(node))
        except ValueError:
            raise RequestError(f"constraint value {str(node)!r} is not an integer") from None
    return str(node)


_PROPERTIES: dict[str, Any] = {}


def _property(name: str) -> Any:
    """The saiaas: property's URIRef, made once: a matcher scan reads a thousand requirement
    files, each asking for some thirty properties."""
    found = _PROPERTIES.get(name)
    if found is None:
        from rdflib import URIRef

        found = _PROPERTIES[name] = URIRef(SAIAAS + name)
    return found


def parse_request(graph: Graph, iri: str | None = None) -> Request:
    """Read the one `saiaas:Request` of a requirement file (or the one named by `iri`)."""
    from rdflib import RDF, Literal, URIRef

    s = SAIAAS
    requests = [r for r in graph.subjects(RDF.type, URIRef(s + "Request"))]
    if iri is not None:
        requests = [r for r in requests if str(r) == iri]
    if not requests:
        raise RequestError(
            "no saiaas:Request in the requirement file" + (f" named {iri}" if iri else "")
        )
    if len(requests) > 1:
        names = ", ".join(sorted(str(r) for r in requests))
        raise RequestError(
            f"more than one saiaas:Request in the requirement file ({names}); name one"
        )
    node = requests[0]
    where = str(node)

    def one(subject: Node, prop: str, required: bool, what: str) -> Node | None:
        values = list(graph.objects(subject, _property(prop)))
        if not values:
            if required:
                raise RequestError(f"{subject}: missing saiaas:{prop} ({what})")
            return None
        if len(values) > 1:
            raise RequestError(f"{subject}: saiaas:{prop} given {len(values)} times, expected once")
        return values[0]

    def literal(subject: Node, prop: str, required: bool, what: str) -> str | None:
        value = one(subject, prop, required, what)
        if value is None:
            return None
        if not isinstance(value, Literal):
            raise RequestError(f"{subject}: saiaas:{prop} must be a literal ({what}), got {value}")
        return str(value)

    reserve = ether_to_wei(
        literal(node, "reservePrice", True, "ether") or "", f"{where} reservePrice"
    )
    bidding = duration_seconds(
        literal(node, "biddingDuration", True, "xsd:duration") or "", f"{where} biddingDuration"
    )
    delivery_text = literal(node, "deliveryWindow", False, "xsd:duration")
    ack_text = literal(node, "acknowledgmentWindow", False, "xsd:duration")
    refs_text = literal(node, "referencesRequired", False, "integer")
    try:
        refs = int(refs_text) if refs_text is not None else 0
    except ValueError:
        raise RequestError(f"{where}: referencesRequired {refs_text!r} is not an integer") from None
    if refs < 0:
        raise RequestError(f"{where}: referencesRequired must not be negative")
    accuracy_text = literal(node, "minAccuracy", False, "decimal in [0, 1]")
    accuracy = None
    if accuracy_text is not None:
        try:
            accuracy = Decimal(accuracy_text)
        except InvalidOperation:
            raise RequestError(f"{where}: minAccuracy {accuracy_text!r} is not a decimal") from None
        if not Decimal(0) <= accuracy <= Decimal(1):
            raise RequestError(f"{where}: minAccuracy {accuracy_text} is outside [0, 1]")

    arbitrator = literal(node, "arbitrator", False, "an EVM address")
    if arbitrator is not None and not re.fullmatch(r"0x[0-9a-fA-F]{40}", arbitrator):
        raise RequestError(f"{where}: saiaas:arbitrator {arbitrator!r} is not an EVM address")
    confirm_text = literal(node, "confirmationWindow", False, "xsd:duration")
    appeal_text = literal(node, "appealWindow", False, "xsd:duration")
    ref_value_text = literal(node, "minReferenceValue", False, "ether")

    def count(prop: str) -> int | None:
        text = literal(node, prop, False, "integer")
        if text is None:
            return None
        try:
            value = int(text)
        except ValueError:
            raise RequestError(f"{where}: {prop} {text!r} is not an integer") from None
        if value < 0:
            raise RequestError(f"{where}: {prop} must not be negative")
        return value

    min_completed = count("minCompletedAuctions")
    max_lost = count("maxDisputesLost")

    data_use = _parse_data_use(node, one, literal)
    specs: dict[Category, AssetSpecification] = {}
    for category in Category:
        spec_node = one(node, category.value + "Spec", True, f"the {category.value} specification")
        assert spec_node is not None
        specs[category] = _parse_spec(graph, spec_node, category, one, literal)
        if category is Category.DATA:
            from dataclasses import replace

            specs[category] = replace(specs[category], data_use=data_use)

    return Request(
        iri=where,
        reserve_wei=reserve,
        bidding_seconds=bidding,
        delivery_seconds=duration_seconds(delivery_text, f"{where} deliveryWindow")
        if delivery_text is not None
        else None,
        acknowledgment_seconds=duration_seconds(ack_text, f"{where} acknowledgmentWindow")
        if ack_text is not None
        else None,
        references_required=refs,
        min_accuracy=accuracy,
        specs=specs,
        arbitrator=arbitrator,
        confirmation_seconds=duration_seconds(confirm_text, f"{where} confirmationWindow")
        if confirm_text is not None
        else None,
        appeal_seconds=duration_seconds(appeal_text, f"{where} appealWindow")
        if appeal_text is not None
        else None,
        min_reference_value_wei=ether_to_wei(ref_value_text, f"{where} minReferenceValue")
        if ref_value_text is not None
        else 0,
        min_completed_auctions=min_completed or 0,
        max_disputes_lost=max_lost,
        data_use=data_use,
    )


def _parse_data_use(node, one, literal) -> DataUse:  # type: ignore[no-untyped-def]
    """The client's use of the data: saiaas:usePurpose, useDisease (classes, by IRI),
    clientIsCommercial and holdsEthicsApproval (booleans); each optional."""
    from rdflib import URIRef

    terms: dict[str, str | None] = {}
    for prop, what in (("usePurpose", "a DUO purpose class"), ("useDisease", "a disease class")):
        value = one(node, prop, False, what)
        if value is not None and not isinstance(value, URIRef):
            raise RequestError(f"{node}: saiaas:{prop} must name {what} by IRI")
        terms[prop] = str(value) if value is not None else None
    flags: dict[str, bool | None] = {}
    for prop in ("clientIsCommercial", "holdsEthicsApproval"):
        text = literal(node, prop, False, "true or false")
        if text is not None and text.strip().lower() not in ("true", "false", "1", "0"):
            raise RequestError(f"{node}: saiaas:{prop} {text!r} is not true or false")
        flags[prop] = None if text is None else text.strip().lower() in ("true", "1")
    return DataUse(
        purpose=terms["usePurpose"],
        disease=terms["useDisease"],
        commercial=flags["clientIsCommercial"],
        ethics_approval=flags["holdsEthicsApproval"],
    )


def _parse_spec(graph, spec_node, category, one, literal) -> AssetSpecification:  # type: ignore[no-untyped-def]
    from rdflib import RDF, URIRef

    s = SAIAAS
    requested = one(spec_node, "requestedClass", True, "an ontology class")
    if not isinstance(requested, URIRef):
        raise RequestError(f"{spec_node}: saiaas:requestedClass must name a class by IRI")
    price_text = literal(spec_node, "maxPrice", False, "ether")
    price = ether_to_wei(price_text, f"{spec_node} maxPrice") if price_text is not None else None
    bond_text = literal(spec_node, "bond", False, "ether")
    bond = ether_to_wei(bond_text, f"{spec_node} bond") if bond_text is not None else None
    constraints = []
    for c_node in graph.objects(spec_node, URIRef(s + "constraint")):
        kinds = [str(t)[len(s) :] for t in graph.objects(c_node, RDF.type) if str(t).startswith(s)]
        kinds = [k for k in kinds if k in ConstraintKind._value2member_map_]
        label = f"constraint of {spec_node}"
        if len(kinds) != 1:
            raise RequestError(
                f"{label}: type it with exactly one of saiaas:MinInclusive, MaxInclusive, "
                "RequiredValue, AllowedValues"
            )
        kind = ConstraintKind(kinds[0])
        prop = one(c_node, "onProperty", True, "the constrained property")
        if not isinstance(prop, URIRef):
            raise RequestError(f"{label}: saiaas:onProperty must name a property by IRI")
        c_iri = None if not isinstance(c_node, URIRef) else str(c_node)
        if kind is ConstraintKind.ALLOWED_VALUES:
            allowed = frozenset(
                _python_value(v) for v in graph.objects(c_node, URIRef(s + "allowedValue"))
            )
            if not allowed:
                raise RequestError(
                    f"{label} on {local_name(str(prop))}: AllowedValues lists no "
                    "saiaas:allowedValue"
                )
            constraints.append(Constraint(kind, str(prop), allowed=allowed, iri=c_iri))
            continue
        raw = one(c_node, "value", True, "the constraint's value")
        value = _python_value(raw)
        if kind in (ConstraintKind.MIN_INCLUSIVE, ConstraintKind.MAX_INCLUSIVE) and (
            isinstance(value, bool) or not isinstance(value, int | Decimal)
        ):
            raise RequestError(
                f"{label} on {local_name(str(prop))}: {kind.value} needs a number, got {raw}"
            )
        constraints.append(Constraint(kind, str(prop), value=value, iri=c_iri))
    constraints.sort(
        key=lambda c: (c.property, c.kind.value, str(c.value), sorted(map(str, c.allowed)))
    )
    return AssetSpecification(
        iri=str(spec_node),
        category=category,
        requested_class=str(requested),
        max_price_wei=price,
        constraints=tuple(constraints),
        bond_wei=bond,
    )
