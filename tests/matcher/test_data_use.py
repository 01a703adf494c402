"""Data-use conditions (DUO terms as ODRL rules) decided on the packaged ontology's cached
classification: a purpose permitted through the DUO and MONDO hierarchies, a prohibition, an
unmet duty (ethics approval, TEE), each refusal's reason, and the bitset index agreeing with the
per-pair decision."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from saiaas.ontologies import example_path
from saiaas.ontologies.requests import Category, DataUse

OBO = "http://purl.obolibrary.org/obo/"
GRU, HMB, DS = OBO + "DUO_0000042", OBO + "DUO_0000006", OBO + "DUO_0000007"
PNEUMONIA, LUNG, COVID, MELANOMA = (
    OBO + "MONDO_0005249",
    OBO + "MONDO_0005275",
    OBO + "MONDO_0100096",
    OBO + "MONDO_0005105",
)
HOSPITAL = DataUse(DS, PNEUMONIA, commercial=False, ethics_approval=True)

PERMIT = """odrl:permission [ odrl:action odrl:use ;
    odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:isA ;
                      odrl:rightOperand {purpose} ] {disease} {duty} ]"""
DISEASE = """, [ odrl:leftOperand duodrl:Disease ; odrl:operator odrl:isA ;
                      odrl:rightOperand {disease} ]"""
NCU = """odrl:prohibition [ odrl:action odrl:use ;
    odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:isA ;
                      odrl:rightOperand dpv:CommercialPurpose ] ]"""
IRB = "; odrl:duty [ odrl:action duodrl:ProvideEthicalApproval ]"


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    from saiaas.matcher import Matcher

    return Matcher.for_ontology(cache_dir=tmp_path_factory.mktemp("data-use"))


@pytest.fixture(scope="module")
def spec(matcher):  # noqa: ANN001, ANN201
    return matcher.read_request(example_path("hospital-request.ttl")).specs[Category.DATA]


def _catalog(matcher, rules: list[str], tmp: Path):  # noqa: ANN001, ANN201
    policy = " ; ".join(rules)
    text = f"""@prefix saiaas: <https://w3id.org/saiaas#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix dpv: <https://w3id.org/dpv#> .
@prefix duodrl: <https://w3id.org/duodrl#> .
@prefix : <https://example.org/d#> .
:p a saiaas:Provider ; rdfs:label "P" .
:x a saiaas:ChestXRayDataset ; rdfs:label "x" ; saiaas:offeredBy :p ;
    saiaas:sampleCount 5000 ; saiaas:isLabelled true ; saiaas:hasPrimaryFormat saiaas:PNG ;
    saiaas:spdxLicense "CC0-1.0" ; saiaas:requiresConfidentiality saiaas:TEERequired ;
    odrl:hasPolicy [ a odrl:Set ; {policy} ] .
"""
    path = tmp / "catalog.ttl"
    path.write_text(text)
    return matcher.catalog(path, cache=False)


def _permit(purpose: str, disease: str | None = None, duty: str = "") -> str:
    return PERMIT.format(
        purpose=f"<{purpose}>",
        disease=DISEASE.format(disease=f"<{disease}>") if disease else "",
        duty=duty,
    )


def _decide(matcher, spec, rules, use, tmp):  # noqa: ANN001, ANN201
    catalog = _catalog(matcher, rules, tmp)
    spec = replace(spec, data_use=use)
    decision = matcher.match(spec, catalog.assets[0])
    # the bitset index (what a provider's scan uses) agrees with the pair decision
    assert bool(catalog.eligible_bits(spec)) == decision.eligible
    unmet = [r.message for r in decision.reasons if r.code == "condition-unmet"]
    return decision, unmet


@pytest.mark.parametrize(
    ("rules", "eligible"),
    [
        ([_permit(GRU)], True),  # pneumonia research is research
        ([_permit(HMB)], True),  # ... and health/medical/biomedical research
        ([_permit(DS, PNEUMONIA)], True),
        ([_permit(DS, LUNG)], True),  # pneumonia is a lung disorder (MONDO)
        ([_permit(DS)], True),  # DS with no disease named: any disease specific research
        ([_permit(DS, COVID)], False),
        ([_permit(DS, MELANOMA)], False),
        ([_permit(DS, COVID), _permit(HMB)], True),  # one permission is enough
    ],
)
def test_the_purpose_is_permitted_through_the_hierarchies(
    matcher, spec, rules, eligible, tmp_path
) -> None:  # noqa: ANN001
    decision, unmet = _decide(matcher, spec, rules, HOSPITAL, tmp_path)
    assert decision.eligible is eligible, decision.reasons
    assert bool(unmet) is not eligible


def test_a_broader_purpose_is_not_covered_by_a_narrower_permission(matcher, spec, tmp_path):  # noqa: ANN001
    general = DataUse(GRU, None, commercial=False, ethics_approval=True)
    decision, unmet = _decide(matcher, spec, [_permit(HMB)], general, tmp_path)
    assert not decision.eligible
    assert unmet == [
        "data use not permitted: the client's purpose general research use (GRU) is not "
        "covered by the dataset's permitted health or medical or biomedical research (HMB)"
    ]


def test_disease_specific_permission_names_both_diseases_when_it_refuses(matcher, spec, tmp_path):  # noqa: ANN001
    _, unmet = _decide(matcher, spec, [_permit(DS, COVID)], HOSPITAL, tmp_path)
    assert unmet == [
        "data use not permitted: the client's purpose disease specific research (DS) on "
        "pneumonia is not covered by the dataset's permitted disease specific research (DS) "
        "on COVID-19"
    ]


def test_no_purpose_stated_is_not_permitted(matcher, spec, tmp_path):  # noqa: ANN001
    decision, unmet = _decide(matcher, spec, [_permit(GRU)], DataUse(), tmp_path)
    assert not decision.eligible
    assert "no purpose stated" in unmet[0]


@pytest.mark.parametrize(
    ("commercial", "eligible", "text"),
    [
        (
            True,
            False,
            "prohibited: commercial purpose (DPV), non-commercial use only (NCU) "
            "(the client is commercial)",
        ),
        (
            None,
            False,
            "prohibited: commercial purpose (DPV), non-commercial use only (NCU) "
            "(the client does not say)",
        ),
        (False, True, None),
    ],
)
def test_no_commercial_use_prohibits_a_commercial_or_unknown_client(
    matcher, spec, tmp_path, commercial, eligible, text
) -> None:  # noqa: ANN001
    use = replace(HOSPITAL, commercial=commercial)
    decision, unmet = _decide(matcher, spec, [_permit(HMB), NCU], use, tmp_path)
    assert decision.eligible is eligible
    assert unmet == ([text] if text else [])


@pytest.mark.parametrize(
    ("approval", "eligible", "text"),
    [
        (True, True, None),
        (False, False, "duty unmet: ethics approval required (IRB), the client holds none"),
        (None, False, "duty unmet: ethics approval required (IRB), the client does not say"),
    ],
)
def test_the_ethics_approval_duty(matcher, spec, tmp_path, approval, eligible, text) -> None:  # noqa: ANN001
    use = replace(HOSPITAL, ethics_approval=approval)
    decision, unmet = _decide(matcher, spec, [_permit(HMB, duty=IRB)], use, tmp_path)
    assert decision.eligible is eligible
    assert unmet == ([text] if text else [])


def test_a_dataset_without_conditions_states_none(matcher, spec) -> None:  # noqa: ANN001
    catalog = matcher.catalog(example_path("data-chest-imaging-lab.ttl"), cache=False)
    asset = catalog.assets[0]
    assert asset.policy is not None
    bare = replace(asset, policy=None)
    decision = matcher.match(replace(spec, data_use=DataUse()), bare)
    assert decision.eligible
    assert not [r for r in decision.reasons if r.path[:1] == ("data-use",)]


def test_the_tee_duty_is_decided_on_the_triplet(matcher) -> None:  # noqa: ANN001
    assets = {}
    for name in (
        "data-radiology-archive.ttl",
        "algo-densenet-chexnet.ttl",
        "infra-plain-gpu.ttl",
        "infra-sev-gpu-hosting.ttl",
    ):
        asset = matcher.catalog(example_path(name), cache=False).assets[0]
        assets[name.split("-", 1)[1]] = asset
    data, algo = assets["radiology-archive.ttl"], assets["densenet-chexnet.ttl"]
    plain = matcher.triplet(data, algo, assets["plain-gpu.ttl"])
    assert not plain.compatible
    assert any(
        r.message.startswith("TEE duty unmet: data policy TEERequired") for r in plain.reasons
    )
    sev = matcher.triplet(data, algo, assets["sev-gpu-hosting.ttl"])
    assert any(r.message.startswith("TEE duty met") for r in sev.reasons)


def test_the_hospital_request_states_its_use(matcher) -> None:  # noqa: ANN001
    request = matcher.read_request(example_path("hospital-request.ttl"))
    assert request.data_use == HOSPITAL
    assert request.specs[Category.DATA].data_use == HOSPITAL
    assert request.specs[Category.ALGORITHM].data_use is None


def test_the_demo_catalogs_permit_the_hospital_and_the_covid_registry_does_not(
    matcher, spec
) -> None:  # noqa: ANN001
    for name, eligible in (
        ("data-chest-imaging-lab.ttl", True),
        ("data-radiology-archive.ttl", True),
        ("data-covid-xray-registry.ttl", False),
    ):
        catalog = matcher.catalog(example_path(name), cache=False)
        decision = matcher.match(spec, catalog.assets[0])
        assert decision.eligible is eligible, (name, decision.reasons)
        assert bool(catalog.eligible_bits(spec)) is eligible


def test_an_unknown_purpose_is_refused_by_name(matcher, spec) -> None:  # noqa: ANN001
    from saiaas.matcher import UnknownTermError

    with pytest.raises(UnknownTermError, match="usePurpose .*DUO_0000066 is not a class"):
        matcher.check(replace(spec, data_use=DataUse(OBO + "DUO_0000066")))
