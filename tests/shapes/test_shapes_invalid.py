"""Each invalid file fails with the violation a person needs to fix it, never with a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from saiaas.cli.errors import EXIT_USAGE, exit_code_of
from saiaas.ontologies.errors import SaiaasError
from saiaas.shapes import MAX_FILE_BYTES, FileMissingError, UnknownKindError, validate

DATA = Path(__file__).parent / "data"


def _only(path: str) -> list:
    report = validate(DATA / path)
    assert not report.conforms
    return report.violations


def _find(violations: list, prop: str | None, text: str):
    for v in violations:
        if (prop is None or v.property == prop) and text in v.message:
            return v
    raise AssertionError(
        f"no violation on {prop} containing {text!r} in "
        f"{[(v.property, v.message) for v in violations]}"
    )


# (file, property, text in the message, expected line or None)
CASES = [
    ("request-unknown-class.ttl", "saiaas:requestedClass", "did you mean saiaas:XRayDataset?", 14),
    (
        "request-over-reserve.ttl",
        "saiaas:reservePrice",
        "0.7 + 0.2 + 0.3 = 1.2 ether, above the reservePrice 1.0",
        7,
    ),
    (
        "request-maxprice-above-reserve.ttl",
        "saiaas:maxPrice",
        "maxPrice 1.5 of saiaas:dataSpec is above the reservePrice",
        15,
    ),
    (
        "request-missing-category.ttl",
        "saiaas:infrastructureSpec",
        "has no saiaas:infrastructureSpec",
        6,
    ),
    ("request-absurd-numbers.ttl", "saiaas:reservePrice", "must be at most 1000000", 7),
    ("request-absurd-numbers.ttl", "saiaas:biddingDuration", "must be longer than zero", 8),
    ("request-absurd-numbers.ttl", "saiaas:deliveryWindow", "longer than a year", 9),
    ("request-absurd-numbers.ttl", "saiaas:minAccuracy", "must be at most 1", 10),
    ("request-absurd-numbers.ttl", "saiaas:referencesRequired", "must be at least 0", 11),
    ("request-absurd-numbers.ttl", "saiaas:maxPrice", "must be greater than 0", 18),
    (
        "request-wrong-category.ttl",
        "saiaas:requestedClass",
        "saiaas:GPUNode, which is an infrastructure class",
        14,
    ),
    ("request-wrong-category.ttl", "saiaas:onProperty", "cannot constrain a data asset", 16),
    (
        "request-wrong-datatypes.ttl",
        "saiaas:reservePrice",
        "must be of type xsd:decimal or xsd:integer",
        7,
    ),
    ("request-wrong-datatypes.ttl", "saiaas:biddingDuration", "must be of type xsd:duration", 8),
    (
        "request-wrong-datatypes.ttl",
        "saiaas:maxPrice",
        "must be of type xsd:decimal or xsd:integer",
        15,
    ),
    ("request-bad-constraints.ttl", "saiaas:onProperty", "saiaas:hasFormat is not numeric", 17),
    ("request-bad-constraints.ttl", "saiaas:value", "saiaas:Image is not a saiaas:DataFormat", 18),
    ("request-bad-constraints.ttl", "rdf:type", "has no rdf:type", 19),
    ("request-unknown-prefix.ttl", None, 'Prefix "foo:" not bound', 7),
    ("request-syntax-error.ttl", None, "not valid Turtle", 7),
    ("catalog-bad-values.ttl", "saiaas:sampleCount", "must be at least 1, found -5", 11),
    ("catalog-bad-values.ttl", "saiaas:hasModality", "saiaas:PNG is not a saiaas:Modality", 12),
    ("catalog-bad-values.ttl", "saiaas:hasFormat", "did you mean saiaas:PNG?", 13),
    ("catalog-bad-values.ttl", "saiaas:isLabelled", "must be of type xsd:boolean", 14),
    ("catalog-bad-values.ttl", "saiaas:spdxLicense", "not an SPDX licence identifier", 15),
    ("catalog-unknown-terms.ttl", "rdf:type", "did you mean saiaas:ChestXRayDataset?", 8),
    ("catalog-unknown-terms.ttl", "saiaas:samplecount", "did you mean saiaas:sampleCount?", 11),
    ("catalog-unknown-terms.ttl", "saiaas:classCount", "did you mean xsd:integer?", 12),
    ("catalog-wrong-category.ttl", "saiaas:offeredBy", "has no saiaas:offeredBy", 8),
    (
        "catalog-wrong-category.ttl",
        "saiaas:acceleratorMemoryGB",
        "describes infrastructure assets",
        11,
    ),
    ("catalog-wrong-category.ttl", "rdf:type", "typed as both data and infrastructure", 13),
    (
        "request-empty-range.ttl",
        "saiaas:value",
        "minimum 80 of saiaas:acceleratorMemoryGB is above its maximum 40",
        24,
    ),
    ("comments-only.ttl", None, "no triples", None),
    ("empty.ttl", None, "file is empty", None),
    ("neither.ttl", None, "neither a requirement file nor a catalog", None),
    # data-use conditions (more in test_shapes_data_use.py)
    ("catalog-policy-disease-as-purpose.ttl", "odrl:rightOperand", "is not a purpose", 35),
    ("catalog-policy-unknown-purpose.ttl", "odrl:rightOperand", "DUO_0000066 is not in", 35),
    ("request-use-disease-as-purpose.ttl", "saiaas:usePurpose", "not a DUO purpose class", 17),
]


@pytest.mark.parametrize(("name", "prop", "text", "line"), CASES, ids=lambda x: str(x)[:40])
def test_invalid_file_reports_the_problem(
    name: str, prop: str | None, text: str, line: int | None
) -> None:
    v = _find(_only(name), prop, text)
    assert v.line == line
    assert v.file.endswith(name)
    assert v.severity == "Violation"


def test_every_invalid_file_is_covered() -> None:
    covered = {case[0] for case in CASES}
    assert covered == {p.name for p in DATA.glob("*.ttl")}


def test_unknown_terms_carry_a_suggestion_field() -> None:
    v = _find(_only("request-unknown-class.ttl"), "saiaas:requestedClass", "XrayDataset")
    assert v.suggestion == "saiaas:XRayDataset"
    assert v.found == "saiaas:XrayDataset"
    assert v.subject == ":dataSpec"


def test_mistyped_value_is_reported_once_not_also_as_out_of_range() -> None:
    violations = [
        v for v in _only("request-wrong-datatypes.ttl") if v.property == "saiaas:reservePrice"
    ]
    assert len(violations) == 1


def test_blank_constraint_is_named_by_its_parent() -> None:
    v = _find(_only("request-bad-constraints.ttl"), "saiaas:onProperty", "not numeric")
    assert v.subject == ":dataSpec saiaas:constraint [saiaas:MinInclusive on saiaas:hasFormat]"


def test_violations_serialize_to_json() -> None:
    report = validate(DATA / "catalog-bad-values.ttl")
    rows = json.loads(json.dumps(report.as_dicts()))
    assert {
        "file",
        "line",
        "subject",
        "property",
        "expected",
        "found",
        "message",
        "severity",
        "suggestion",
    } <= set(rows[0])


def test_binary_file_is_a_violation() -> None:
    report = validate(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert not report.conforms
    assert "binary" in report.violations[0].message


def test_non_utf8_file_is_a_violation_with_its_line() -> None:
    report = validate(b'@prefix : <https://e.org/#> .\n:a :b "caf\xe9" .\n')
    assert "not UTF-8" in report.violations[0].message
    assert report.violations[0].line == 2


def test_file_above_the_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.ttl"
    with big.open("wb") as handle:  # sparse: 50 MB on paper, nothing to read
        handle.truncate(50 * 1024 * 1024)
    report = validate(big)
    assert not report.conforms
    assert "50.0 MB" in report.violations[0].message
    assert str(MAX_FILE_BYTES) in (report.violations[0].expected or "")


def test_bytes_above_the_limit_are_refused() -> None:
    report = validate(b"#" * (MAX_FILE_BYTES + 1))
    assert "refused" in report.violations[0].message


def test_bytes_at_the_limit_are_parsed() -> None:
    report = validate(b"# " * (MAX_FILE_BYTES // 2))
    assert "no triples" in report.violations[0].message


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(FileMissingError) as caught:
        validate(tmp_path / "nope.ttl")
    assert exit_code_of(caught.value) == EXIT_USAGE
    assert "does not exist" in str(caught.value)
    with pytest.raises(FileMissingError):
        validate(tmp_path)


def test_unknown_kind_is_a_usage_error() -> None:
    with pytest.raises(UnknownKindError) as caught:
        validate(DATA / "empty.ttl", kind="auction")
    assert isinstance(caught.value, SaiaasError)
    assert exit_code_of(caught.value) == EXIT_USAGE


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_arbitrary_input_never_raises(data: bytes) -> None:
    report = validate(data)
    assert report.conforms is (not report.errors)
    for v in report.violations:
        assert v.message


PREFIXES = """@prefix saiaas: <https://w3id.org/saiaas#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix : <https://example.org/t#> .
"""


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_sample_count_bounds(count: int) -> None:
    data = (
        PREFIXES
        + f""":p a saiaas:Provider ; rdfs:label "P" .
:d a saiaas:ChestXRayDataset ; rdfs:label "D" ; saiaas:offeredBy :p ; saiaas:sampleCount {count} .
"""
    )
    report = validate(data.encode())
    assert report.conforms is (1 <= count <= 10**12)
    if not report.conforms:
        assert report.errors[0].property == "saiaas:sampleCount"
        assert report.errors[0].line == 6
