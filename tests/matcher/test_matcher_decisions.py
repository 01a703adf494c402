"""Degrees, constraints, reasons and triplets on the fixture ontology (no JVM after the
session's one classification)."""

# ruff: noqa: E501  (Turtle fixtures read best one statement a line)

from __future__ import annotations

from decimal import Decimal

import pytest
from saiaas.matcher import AssetContradictionError, UnknownTermError
from saiaas.ontologies.requests import AssetSpecification, Category, Constraint
from saiaas.ontologies.requests import ConstraintKind as K

S = "https://w3id.org/saiaas#"
EX = "https://example.org/c#"

CATALOG = """
:p a saiaas:Provider .
:chest a saiaas:ChestXRayDataset ; saiaas:offeredBy :p ; saiaas:labelledSampleCount 5000 ;
    saiaas:isLabelled true ; saiaas:hasPrimaryFormat saiaas:PNG ; saiaas:spdxLicense "CC-BY-4.0" ;
    saiaas:requiresConfidentiality saiaas:TEERequired .
:radio a saiaas:RadiographDataset ; saiaas:sampleCount 80 .
:img a saiaas:ImageDataset ; saiaas:sampleCount 100 .
:big saiaas:sampleCount 60000 ; saiaas:hasModality saiaas:CTImaging .
:med a saiaas:MedicalImageDataset .
:tab a saiaas:TabularDataset ; saiaas:sampleCount 1000 ; saiaas:spdxLicense "MIT", "CC0-1.0" .
:resnet a saiaas:ResNet ; saiaas:solvesTask saiaas:ImageClassification ;
    saiaas:requiresAcceleratorKind saiaas:GPU ; saiaas:minAcceleratorMemoryGB 16 ;
    saiaas:minRamGB 32 ; saiaas:runsOnFramework saiaas:PyTorch .
:gb a saiaas:GradientBoosting ; saiaas:acceptsModality saiaas:Tabular ; saiaas:solvesTask saiaas:Regression .
:sgx a saiaas:SGXNode ; saiaas:acceleratorKind saiaas:GPU ; saiaas:acceleratorMemoryGB 40.0 ;
    saiaas:ramGB 64 ; saiaas:supportsFramework saiaas:PyTorch .
:plain a saiaas:InfrastructureAsset ; saiaas:acceleratorKind saiaas:GPU ; saiaas:acceleratorMemoryGB 8 ;
    saiaas:ramGB 64 ; saiaas:supportsFramework saiaas:PyTorch .
:cpu a saiaas:CPUNode ; saiaas:acceleratorKind saiaas:NoAccelerator ; saiaas:teeTechnology saiaas:IntelTDX .
"""


@pytest.fixture(scope="module")
def assets(mini, make_catalog):  # noqa: ANN001, ANN201
    return make_catalog(mini, CATALOG)


def spec(
    cls: str, *constraints: Constraint, category: Category = Category.DATA
) -> AssetSpecification:
    return AssetSpecification(
        iri=EX + "spec", category=category, requested_class=S + cls, constraints=tuple(constraints)
    )


def test_inferred_types_and_facts(assets) -> None:  # noqa: ANN001
    chest = assets["chest"]
    assert {
        S + "MedicalImageDataset",
        S + "LabelledDataset",
        S + "RadiographDataset",
    } <= chest.types
    assert chest.values(S + "hasModality") == {S + "XRayImaging"}  # class-implied
    assert chest.values(S + "hasFormat") == {S + "PNG"}  # sub-property
    assert chest.values(S + "sampleCount") == {5000}
    big = assets["big"]  # untyped: domain typing, oneOf and facet definitions
    assert big.category == "data"
    assert {S + "LargeDataset", S + "MedicalImageDataset"} <= big.types
    assert S + "ConfidentialNode" in assets["sgx"].types and S + "GPUNode" in assets["sgx"].types
    assert S + "ConfidentialNode" in assets["cpu"].types  # teeTechnology some TEETechnology
    assert S + "CNN" in assets["resnet"].types and S + "ImageClassifier" in assets["resnet"].types
    assert assets["resnet"].values(S + "acceptsModality") == {S + "Image"}
    assert "p" not in assets  # the provider is not an asset


@pytest.mark.parametrize(
    ("requested", "name", "degree"),
    [
        ("ChestXRayDataset", "chest", "exact"),
        ("XRayDataset", "radio", "exact"),  # RadiographDataset == XRayDataset
        ("RadiographDataset", "chest", "plugin"),
        ("ImageDataset", "chest", "plugin"),
        ("MedicalImageDataset", "big", "exact"),  # defined class, most specific with LargeDataset
        ("ImageDataset", "big", "plugin"),  # inferred MedicalImageDataset < ImageDataset
        ("XRayDataset", "img", "subsumes"),
        ("XRayDataset", "med", "subsumes"),
        ("ChestXRayDataset", "tab", "fail"),
        ("ChestXRayDataset", "sgx", "fail"),
        ("DataAsset", "tab", "plugin"),
    ],
)
def test_degrees(mini, assets, requested: str, name: str, degree: str) -> None:  # noqa: ANN001
    decision = mini.match(spec(requested), assets[name])
    assert decision.degree == degree
    assert decision.eligible == (degree in ("exact", "plugin"))
    assert decision.reasons[0].code == degree


def test_plugin_reason_carries_the_class_path(mini, assets) -> None:  # noqa: ANN001
    reason = mini.match(spec("ImageDataset"), assets["chest"]).reasons[0]
    assert reason.path[0] == S + "ChestXRayDataset" and reason.path[-1] == S + "ImageDataset"
    assert S + "XRayDataset" in reason.path or S + "RadiographDataset" in reason.path
    assert "strictly below ImageDataset" in reason.message


def test_min_constraint_reason_names_both_numbers(mini, assets) -> None:  # noqa: ANN001
    d = mini.match(
        spec("XRayDataset", Constraint(K.MIN_INCLUSIVE, S + "sampleCount", value=100)),
        assets["radio"],
    )
    assert (d.degree, d.eligible) == ("exact", False)
    assert d.reasons[1].message == "sampleCount 80 < required 100"
    assert (d.reasons[1].required, d.reasons[1].actual) == (100, 80)
    ok = mini.match(
        spec("XRayDataset", Constraint(K.MIN_INCLUSIVE, S + "sampleCount", value=80)),
        assets["radio"],
    )
    assert ok.eligible


def test_constraints_on_inferred_facts(mini, assets) -> None:  # noqa: ANN001
    chest = assets["chest"]
    required = [
        Constraint(K.REQUIRED_VALUE, S + "hasFormat", value=S + "PNG"),  # via hasPrimaryFormat
        Constraint(K.REQUIRED_VALUE, S + "hasModality", value=S + "Image"),  # implied + narrower
        Constraint(K.MIN_INCLUSIVE, S + "sampleCount", value=1000),  # via labelledSampleCount
        Constraint(
            K.ALLOWED_VALUES, S + "spdxLicense", allowed=frozenset({"CC-BY-4.0", "CC0-1.0"})
        ),
        Constraint(K.REQUIRED_VALUE, S + "isLabelled", value=True),
    ]
    d = mini.match(spec("ChestXRayDataset", *required), chest)
    assert d.eligible, [r.message for r in d.reasons]
    assert "XRayImaging is narrower than Image" in d.reasons[2].message


def test_class_implied_existentials_satisfy_constraints(mini, assets) -> None:  # noqa: ANN001
    med = assets["med"]  # MedicalImageDataset: hasModality some {MedicalImaging, XRay, CT}
    d = mini.match(
        spec("DataAsset", Constraint(K.REQUIRED_VALUE, S + "hasModality", value=S + "Image")), med
    )
    assert d.eligible and "by" not in d.reasons[1].code
    d = mini.match(
        spec("DataAsset", Constraint(K.REQUIRED_VALUE, S + "hasModality", value=S + "XRayImaging")),
        med,
    )
    assert not d.eligible  # could be CT: not entailed


def test_max_and_allowed_are_every_value(mini, assets) -> None:  # noqa: ANN001
    tab = assets["tab"]
    d = mini.match(
        spec(
            "TabularDataset",
            Constraint(K.ALLOWED_VALUES, S + "spdxLicense", allowed=frozenset({"MIT"})),
        ),
        tab,
    )
    assert not d.eligible and "CC0-1.0 not in allowed {MIT}" in d.reasons[1].message
    d = mini.match(
        spec("TabularDataset", Constraint(K.MAX_INCLUSIVE, S + "sampleCount", value=999)), tab
    )
    assert not d.eligible and d.reasons[1].message == "sampleCount 1000 > allowed maximum 999"
    d = mini.match(
        spec("TabularDataset", Constraint(K.MAX_INCLUSIVE, S + "sampleCount", value=1000)), tab
    )
    assert d.eligible
    d = mini.match(
        spec("ImageDataset", Constraint(K.MAX_INCLUSIVE, S + "sampleCount", value=10**9)),
        assets["med"],
    )
    assert not d.eligible and d.reasons[1].message.startswith("no sampleCount")


def test_decimal_and_integer_values_compare_as_numbers(mini, assets) -> None:  # noqa: ANN001
    c = Constraint(K.MIN_INCLUSIVE, S + "acceleratorMemoryGB", value=Decimal("39.5"))
    d = mini.match(spec("GPUNode", c, category=Category.INFRASTRUCTURE), assets["sgx"])
    assert d.eligible and d.reasons[1].actual == 40


def test_index_agrees_with_pairwise_decisions(mini, assets) -> None:  # noqa: ANN001
    listed = list(assets.values())
    index = mini.index(listed)
    specs = [
        spec("ImageDataset", Constraint(K.MIN_INCLUSIVE, S + "sampleCount", value=100)),
        spec(
            "DataAsset",
            Constraint(K.ALLOWED_VALUES, S + "spdxLicense", allowed=frozenset({"MIT", "CC0-1.0"})),
        ),
        spec("XRayDataset"),
        spec(
            "MedicalImageDataset",
            Constraint(K.REQUIRED_VALUE, S + "hasModality", value=S + "MedicalImaging"),
        ),
        spec("DataAsset", Constraint(K.MAX_INCLUSIVE, S + "sampleCount", value=5000)),
    ]
    for s in specs:
        result = index.evaluate(s)
        for i, a in enumerate(listed):
            d = mini.match(s, a)
            assert d.eligible == bool(result.eligible >> i & 1), (s, a.iri)
            assert (d.degree == "exact") == bool(result.exact >> i & 1), (s, a.iri)
            assert (d.degree == "plugin") == bool(result.plugin >> i & 1), (s, a.iri)
            assert (d.degree == "subsumes") == bool(result.subsumes >> i & 1), (s, a.iri)


def test_triplet_compatible_and_reasons(mini, assets) -> None:  # noqa: ANN001
    verdict = mini.triplet(assets["chest"], assets["resnet"], assets["sgx"])
    assert verdict.compatible, [r.message for r in verdict.reasons]
    assert verdict.as_dict()["compatible"] is True


@pytest.mark.parametrize(
    ("data", "algo", "infra", "fragment"),
    [
        ("tab", "resnet", "sgx", "algorithm accepts modality Image"),  # Tabular is not an Image
        ("chest", "resnet", "plain", "acceleratorMemoryGB 8 < minAcceleratorMemoryGB 16"),
        ("chest", "resnet", "plain", "TEE duty unmet: data policy TEERequired accepts"),  # no TEE
        ("chest", "resnet", "cpu", "requires accelerator GPU; infrastructure has NoAccelerator"),
        ("chest", "gb", "sgx", "algorithm accepts modality Tabular"),
        ("chest", "sgx", "resnet", "is not a algorithm asset"),
    ],
)
def test_triplet_incompatible(
    mini, assets, data: str, algo: str, infra: str, fragment: str
) -> None:  # noqa: ANN001
    verdict = mini.triplet(assets[data], assets[algo], assets[infra])
    assert not verdict.compatible
    unmet = [r.message for r in verdict.reasons if r.code == "triplet-unmet"]
    assert any(fragment in m for m in unmet), unmet


def test_unknown_terms_in_a_spec_are_named(mini, assets) -> None:  # noqa: ANN001
    with pytest.raises(UnknownTermError, match="ChestXRayDatset"):
        mini.match(spec("ChestXRayDatset"), assets["chest"])
    with pytest.raises(UnknownTermError, match="sampleCounts"):
        mini.match(
            spec("DataAsset", Constraint(K.MIN_INCLUSIVE, S + "sampleCounts", value=1)),
            assets["chest"],
        )
    with pytest.raises(UnknownTermError, match="PNGG"):
        mini.match(
            spec("DataAsset", Constraint(K.REQUIRED_VALUE, S + "hasFormat", value=S + "PNGG")),
            assets["chest"],
        )


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (":x a saiaas:DataAsset, saiaas:InfrastructureAsset .", "disjoint"),
        (":x saiaas:sampleCount 5 ; saiaas:ramGB 4 .", "disjoint"),  # domains clash
        (
            ":x a saiaas:DataAsset ; saiaas:isLabelled true, false .",
            "functional property isLabelled",
        ),
        (
            ":x a saiaas:GPUNode ; saiaas:acceleratorKind saiaas:NoAccelerator .",
            "two different values",
        ),
        (':x a saiaas:DataAsset ; saiaas:sampleCount "many" .', "not an xsd:integer"),
        (':x a saiaas:DataAsset ; saiaas:sampleCount "1.5"^^xsd:integer .', "not an xsd:integer"),
    ],
)
def test_contradictory_assets_are_reported_by_iri(
    mini, make_catalog, body: str, fragment: str
) -> None:  # noqa: ANN001
    with pytest.raises(AssetContradictionError, match=fragment) as info:
        make_catalog(mini, body)
    assert info.value.asset == EX + "x"
    assert str(info.value).startswith(f"asset {EX}x: ")


def test_unknown_class_of_an_asset_is_named(mini, make_catalog) -> None:  # noqa: ANN001
    with pytest.raises(UnknownTermError, match="XRayDatasett"):
        make_catalog(mini, ":x a saiaas:XRayDatasett .")


def test_decision_as_dict_is_json(mini, assets) -> None:  # noqa: ANN001
    import json

    d = mini.match(
        spec("ImageDataset", Constraint(K.MIN_INCLUSIVE, S + "sampleCount", value=100)),
        assets["chest"],
    ).as_dict()
    again = json.loads(json.dumps(d))
    assert again["degree"] == "plugin" and again["eligible"] is True
    assert again["reasons"][1]["required"] == 100 and again["reasons"][1]["actual"] == 5000
