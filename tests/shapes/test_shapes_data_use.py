"""Malformed data-use conditions and client uses: each violation points at its line and, where a
term is wrong, suggests the nearest one of the right kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from saiaas.shapes import validate

DATA = Path(__file__).parent / "data"


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


# (file, property, text in the message, line containing, suggestion)
CASES = [
    (
        "catalog-policy-disease-as-purpose.ttl",
        "odrl:rightOperand",
        "obo:MONDO_0005249 is not a purpose",
        "odrl:rightOperand obo:MONDO_0005249",
        "obo:DUO_0000042",
    ),
    (
        "catalog-policy-unknown-purpose.ttl",
        "odrl:rightOperand",
        "obo:DUO_0000066 is not in the ontology; did you mean obo:DUO_",
        "odrl:rightOperand obo:DUO_0000066",
        "obo:DUO_",
    ),
    (
        "catalog-policy-unknown-purpose.ttl",
        "odrl:action",
        "odrl:use is not allowed for odrl:action",
        "odrl:duty [ odrl:action odrl:use ]",
        None,
    ),
    (
        "request-use-disease-as-purpose.ttl",
        "saiaas:usePurpose",
        "obo:MONDO_0005249 is not a DUO purpose class",
        "saiaas:usePurpose",
        "obo:DUO_0000042",
    ),
    (
        "request-use-disease-as-purpose.ttl",
        "saiaas:useDisease",
        "obo:MONDO_0005429 is not in the ontology; did you mean obo:MONDO_0005249?",
        "saiaas:useDisease",
        "obo:MONDO_0005249",
    ),
]


@pytest.mark.parametrize(("name", "prop", "text", "line_text", "suggestion"), CASES)
def test_a_malformed_policy_points_at_its_line(name, prop, text, line_text, suggestion) -> None:  # noqa: ANN001
    path = DATA / name
    report = validate(path)
    assert not report.conforms
    hits = [v for v in report.violations if v.property == prop and text in v.message]
    assert hits, [(v.property, v.message) for v in report.violations]
    assert hits[0].line == _line_of(path, line_text)
    if suggestion is None:
        assert hits[0].suggestion is None
    else:  # the nearest term of the right kind (a DUO purpose, a MONDO disease)
        assert (hits[0].suggestion or "").startswith(suggestion)


def test_a_disease_specific_purpose_without_its_disease_is_a_warning(tmp_path: Path) -> None:
    from saiaas.ontologies import example_path

    text = example_path("hospital-request.ttl").read_text()
    path = tmp_path / "request.ttl"
    path.write_text(text.replace("    saiaas:useDisease obo:MONDO_0005249 ;\n", ""))
    report = validate(path)
    assert report.conforms
    (warning,) = [v for v in report.violations if v.property == "saiaas:usePurpose"]
    assert "no useDisease" in warning.message


def test_every_shipped_catalog_with_conditions_is_valid() -> None:
    from saiaas.ontologies import example_path

    for name in (
        "data-chest-imaging-lab.ttl",
        "data-radiology-archive.ttl",
        "data-small-xray-clinic.ttl",
        "data-clinical-notes.ttl",
        "data-covid-xray-registry.ttl",
        "hospital-request.ttl",
    ):
        report = validate(example_path(name))
        assert report.conforms, (name, report.violations)
