"""One Python representation of RDF values, shared by the cache, the assets and the decisions.

IRIs are `str`; literals become `int` (integral numbers of any numeric datatype, as OWL 2 puts
integers and decimals in one value space), `Decimal`, `bool` or `str`. Floats never appear, so
"16" and "16.0" are the same value, as they are for HermiT.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

Value = str | int | bool | Decimal

XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {
    "integer",
    "int",
    "long",
    "short",
    "byte",
    "nonNegativeInteger",
    "positiveInteger",
    "nonPositiveInteger",
    "negativeInteger",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
    "decimal",
    "double",
    "float",
}
_INTEGER_TYPES = _NUMERIC - {"decimal", "double", "float"}


class BadLiteral(ValueError):
    """A literal whose lexical form is not in its datatype (HermiT calls that inconsistent)."""


#: Longer numeric literals are refused: no real quantity needs them, and Python cannot even print
#: an int of 4,300 digits (a hostile catalog would crash every reason that shows it).
MAX_NUMBER_CHARS = 200


def literal_value(lexical: str, datatype: str | None) -> Value:
    if datatype and datatype.startswith(XSD):
        name = datatype[len(XSD) :]
        if name == "boolean":
            text = lexical.strip()
            if text not in ("true", "false", "1", "0"):
                raise BadLiteral(f"{lexical!r} is not an xsd:boolean")
            return text in ("true", "1")
        if name in _NUMERIC:
            if len(lexical) > MAX_NUMBER_CHARS:
                raise BadLiteral(
                    f"a number of {len(lexical):,} characters is not a usable xsd:{name} (at most "
                    f"{MAX_NUMBER_CHARS}): {lexical[:20]}..."
                )
            try:
                number = Decimal(lexical.strip())
            except InvalidOperation:
                raise BadLiteral(f"{lexical!r} is not an xsd:{name}") from None
            if not number.is_finite():
                raise BadLiteral(f"{lexical!r} is not a finite xsd:{name}")
            if name in _INTEGER_TYPES and number != number.to_integral_value():
                raise BadLiteral(f"{lexical!r} is not an xsd:{name}")
            return int(number) if number == number.to_integral_value() else number
    return lexical


def node_value(node: Any) -> Value:
    """rdflib term to Value (URIRef -> IRI string, Literal -> literal_value)."""
    from rdflib import Literal

    if isinstance(node, Literal):
        return literal_value(str(node), str(node.datatype) if node.datatype else None)
    return str(node)


def is_number(value: object) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def to_json(value: Value) -> Any:
    if isinstance(value, bool):
        return {"b": value}
    if isinstance(value, int):
        return {"i": str(value)}
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, str):
        return value
    raise TypeError(value)


def from_json(data: Any) -> Value:
    if isinstance(data, str):
        return data
    if "b" in data:
        return bool(data["b"])
    if "i" in data:
        return int(data["i"])
    if "d" in data:
        return Decimal(data["d"])
    if "s" in data:
        return str(data["s"])
    raise ValueError(data)


def to_json_any(value: Value) -> Any:
    """Value to JSON where IRIs and strings must stay apart (cache of literals)."""
    if isinstance(value, str):
        return {"s": value}
    return to_json(value)
