"""Issue 12's four misses: values an asset's class implies count in every rule, for and against
(MaxInclusive, AllowedValues, the triplet's modality rule), on the packaged ontology, where
the outside check compared the matcher with HermiT. Each case failed before the fix."""

from __future__ import annotations

import pytest
from saiaas.ontologies.requests import AssetSpecification, Category, Constraint
from saiaas.ontologies.requests import ConstraintKind as K

S = "https://w3id.org/saiaas#"
EX = "https://example.org/c#"

CATALOG = """
:large a saiaas:LargeDataset ; saiaas:sampleCount 500 .
:small a saiaas:ImageDataset ; saiaas:sampleCount 500 .
:medtext a saiaas:MedicalImageDataset ; saiaas:hasModality saiaas:Text .
:text a saiaas:TextDataset .
:med a saiaas:MedicalImageDataset .
:cnn a saiaas:CNN .
:gpu a saiaas:GPUNode ; saiaas:acceleratorMemoryGB 80 ; saiaas:ramGB 512 .
"""


@pytest.fixture(scope="module")
def packaged(cache_dir):  # noqa: ANN001, ANN201
    from saiaas.matcher import Matcher

    return Matcher.for_ontology(None, cache_dir=cache_dir)


@pytest.fixture(scope="module")
def assets(packaged, make_catalog):  # noqa: ANN001, ANN201
    return make_catalog(packaged, CATALOG)


def spec(cls: str, *constraints: Constraint) -> AssetSpecification:
    return AssetSpecification(
        iri=EX + "spec",
        category=Category.DATA,
        requested_class=S + cls,
        constraints=tuple(constraints),
    )


def both_paths(matcher, s, asset):  # noqa: ANN001, ANN201
    """The per-pair decision and the bitset index must say the same."""
    decision = matcher.match(s, asset)
    bits = matcher.index([asset]).evaluate(s).eligible
    assert bool(bits) == decision.eligible, decision
    return decision


def test_max_counts_the_class_implied_lower_bound(packaged, assets) -> None:  # noqa: ANN001
    cap = Constraint(K.MAX_INCLUSIVE, S + "sampleCount", value=1000)
    d = both_paths(packaged, spec("DataAsset", cap), assets["large"])
    assert not d.eligible
    assert "sampleCount >= 50000 by the asset's class" in d.reasons[1].message
    # the same asset meets MinInclusive 40000 by its class: no contradiction between the rules
    floor = Constraint(K.MIN_INCLUSIVE, S + "sampleCount", value=40000)
    assert both_paths(packaged, spec("DataAsset", floor), assets["large"]).eligible
    # and without the class, 500 <= 1000 holds
    assert both_paths(packaged, spec("DataAsset", cap), assets["small"]).eligible


def test_allowed_values_counts_the_class_implied_set(packaged, assets) -> None:  # noqa: ANN001
    only_text = Constraint(K.ALLOWED_VALUES, S + "hasModality", allowed=frozenset({S + "Text"}))
    d = both_paths(packaged, spec("DataAsset", only_text), assets["medtext"])
    assert not d.eligible
    assert "none in allowed {Text}" in d.reasons[1].message
    assert both_paths(packaged, spec("DataAsset", only_text), assets["text"]).eligible


def test_allowed_values_met_by_a_class_implied_set_inside(packaged, assets) -> None:  # noqa: ANN001
    images = Constraint(K.ALLOWED_VALUES, S + "hasModality", allowed=frozenset({S + "Image"}))
    assert both_paths(packaged, spec("DataAsset", images), assets["med"]).eligible
    # a set that may fall outside is neither "within" nor "outside": not entailed, not met
    xray = Constraint(
        K.ALLOWED_VALUES, S + "hasModality", allowed=frozenset({S + "XRayImaging", S + "Text"})
    )
    d = both_paths(packaged, spec("DataAsset", xray), assets["med"])
    assert not d.eligible and "no hasModality stated or implied" in d.reasons[1].message


def test_triplet_modality_counts_the_class_implied_set(packaged, assets) -> None:  # noqa: ANN001
    verdict = packaged.triplet(assets["med"], assets["cnn"], assets["gpu"])
    modality = next(r for r in verdict.reasons if "modality" in r.message)
    assert modality.code == "triplet-met", modality.message
    assert "by its class" in modality.message
    text = packaged.triplet(assets["text"], assets["cnn"], assets["gpu"])
    assert not text.compatible
