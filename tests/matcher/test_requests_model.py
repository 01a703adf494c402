"""The request model: exact wei, durations in seconds, constraints, and refusals of bad files."""

# ruff: noqa: E501  (Turtle fixtures read best one statement a line)

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph
from saiaas.ontologies.errors import SaiaasError
from saiaas.ontologies.requests import (
    Category,
    ConstraintKind,
    RequestError,
    duration_seconds,
    ether_to_wei,
    parse_request,
)

S = "https://w3id.org/saiaas#"
HEAD = """@prefix saiaas: <https://w3id.org/saiaas#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix : <https://example.org/hospital#> .
"""
GOOD = (
    HEAD
    + """
:request a saiaas:Request ;
    saiaas:reservePrice "1.0"^^xsd:decimal ; saiaas:biddingDuration "P3D"^^xsd:duration ;
    saiaas:deliveryWindow "P7DT12H"^^xsd:duration ; saiaas:referencesRequired 2 ;
    saiaas:minAccuracy "0.90"^^xsd:decimal ;
    saiaas:dataSpec :d ; saiaas:algorithmSpec :a ; saiaas:infrastructureSpec :i .
:d a saiaas:AssetSpecification ; saiaas:requestedClass saiaas:ChestXRayDataset ;
    saiaas:maxPrice "0.3"^^xsd:decimal ;
    saiaas:constraint [ a saiaas:MinInclusive ; saiaas:onProperty saiaas:sampleCount ; saiaas:value 1000 ] ,
        [ a saiaas:RequiredValue ; saiaas:onProperty saiaas:hasFormat ; saiaas:value saiaas:PNG ] ,
        [ a saiaas:AllowedValues ; saiaas:onProperty saiaas:spdxLicense ; saiaas:allowedValue "CC-BY-4.0", "CC0-1.0" ] .
:a a saiaas:AssetSpecification ; saiaas:requestedClass saiaas:ImageClassifier .
:i a saiaas:AssetSpecification ; saiaas:requestedClass saiaas:GPUNode ;
    saiaas:constraint [ a saiaas:MaxInclusive ; saiaas:onProperty saiaas:ramGB ; saiaas:value 64.5 ] .
"""
)


def parse(text: str):  # noqa: ANN201
    return parse_request(Graph().parse(data=text, format="turtle"))


def test_parses_terms_exactly() -> None:
    r = parse(GOOD)
    assert r.reserve_wei == 10**18 and r.bidding_seconds == 3 * 86400
    assert r.delivery_seconds == 7 * 86400 + 12 * 3600 and r.acknowledgment_seconds is None
    assert r.references_required == 2 and r.min_accuracy == Decimal("0.90")
    assert list(r.specs) == [Category.DATA, Category.ALGORITHM, Category.INFRASTRUCTURE]
    d = r.specs[Category.DATA]
    assert d.max_price_wei == 3 * 10**17 and d.requested_class == S + "ChestXRayDataset"
    kinds = {c.kind: c for c in d.constraints}
    assert kinds[ConstraintKind.MIN_INCLUSIVE].value == 1000
    assert kinds[ConstraintKind.REQUIRED_VALUE].value == S + "PNG"
    assert kinds[ConstraintKind.ALLOWED_VALUES].allowed == {"CC-BY-4.0", "CC0-1.0"}
    assert r.specs[Category.INFRASTRUCTURE].constraints[0].value == Decimal("64.5")
    assert r.specs[Category.ALGORITHM].max_price_wei is None
    assert Category.ALGORITHM.order == 1 and Category.DATA.asset_class == S + "DataAsset"


def test_ether_and_durations() -> None:
    assert ether_to_wei("0.000000000000000001") == 1
    assert ether_to_wei("1.5") == 15 * 10**17
    for bad in ("-1", "abc", "0.0000000000000000001", "NaN"):
        with pytest.raises(RequestError):
            ether_to_wei(bad, "x")
    assert duration_seconds("PT90M") == 5400 and duration_seconds("P1DT1S") == 86401
    for bad in ("P1M", "P1Y", "3 days", "P", "PT"):
        with pytest.raises(RequestError):
            duration_seconds(bad, "x")


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (
            lambda t: t.replace(":request a saiaas:Request", ":request a saiaas:Thing"),
            "no saiaas:Request",
        ),
        (
            lambda t: t.replace(
                " saiaas:infrastructureSpec :i", " saiaas:infrastructureSpec :i, :d"
            ),
            "infrastructureSpec given 2 times",
        ),
        (lambda t: t.replace("saiaas:dataSpec :d ;", ""), "missing saiaas:dataSpec"),
        (lambda t: t.replace('"1.0"^^xsd:decimal', '"lots"'), "not a decimal ether amount"),
        (lambda t: t.replace('"P3D"^^xsd:duration', '"P1M"^^xsd:duration'), "not a duration"),
        (
            lambda t: t.replace(
                "saiaas:requestedClass saiaas:ImageClassifier", 'saiaas:requestedClass "x"'
            ),
            "requestedClass must name a class",
        ),
        (lambda t: t.replace("a saiaas:MinInclusive ;", "a saiaas:Bogus ;"), "exactly one of"),
        (
            lambda t: t.replace("saiaas:value 1000", 'saiaas:value "many"'),
            "MinInclusive needs a number",
        ),
        (
            lambda t: t.replace('saiaas:allowedValue "CC-BY-4.0", "CC0-1.0"', ""),
            "missing saiaas:onProperty|no saiaas:allowedValue",
        ),
        (lambda t: t.replace('"0.90"', '"1.5"'), "outside"),
        (
            lambda t: t.replace("saiaas:referencesRequired 2", "saiaas:referencesRequired -1"),
            "negative",
        ),
    ],
)
def test_malformed_requests_are_refused_readably(change, fragment: str) -> None:  # noqa: ANN001
    with pytest.raises(RequestError, match=fragment) as info:
        parse(change(GOOD))
    assert isinstance(info.value, SaiaasError) and "\n" not in str(info.value)
