"""The shipped examples validate, and the kind of each file is detected from its content."""

from __future__ import annotations

from pathlib import Path

import pytest
from saiaas.ontologies import example_path, example_paths
from saiaas.shapes import validate

EXAMPLES = example_paths()


def test_examples_are_shipped() -> None:
    names = {p.name for p in EXAMPLES}
    assert "hospital-request.ttl" in names
    for prefix in ("data-", "algo-", "infra-"):
        assert len([n for n in names if n.startswith(prefix)]) >= 3, prefix


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_shipped_example_is_valid(path: Path) -> None:
    report = validate(path)
    assert report.conforms, [v.message for v in report.violations]
    assert report.errors == []
    assert report.kind == ("request" if "request" in path.name else "catalog")


def test_bytes_are_validated_like_files() -> None:
    data = example_path("hospital-request.ttl").read_bytes()
    report = validate(data, name="hospital.ttl")
    assert report.conforms
    assert report.kind == "request"
    assert report.file == "hospital.ttl"


def test_forcing_the_wrong_kind_fails_for_a_visible_reason() -> None:
    report = validate(example_path("hospital-request.ttl"), kind="catalog")
    assert not report.conforms
    assert any("no asset in the catalog" in v.message for v in report.violations)
    report = validate(example_path("data-radiology-archive.ttl"), kind="request")
    assert not report.conforms
    assert any("no saiaas:Request" in v.message for v in report.violations)


def test_warm_path_gives_the_same_answers_again() -> None:
    """Shapes and the ontology index are cached per process: results must not leak between files."""
    bad = Path(__file__).parent / "data" / "request-absurd-numbers.ttl"
    good = example_path("hospital-request.ttl")
    first = validate(bad).as_dicts()
    assert validate(good).conforms
    assert validate(bad).as_dicts() == first
    assert validate(good).conforms
