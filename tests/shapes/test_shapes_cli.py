"""`saiaas validate`: readable output, JSON, exit codes 0 (valid), 1 (invalid), 2 (usage)."""

from __future__ import annotations

import json
from pathlib import Path

from saiaas.cli.app import app
from saiaas.ontologies import example_path
from typer.testing import CliRunner

DATA = Path(__file__).parent / "data"
runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["validate", *args])


def test_valid_files_exit_0() -> None:
    result = _run(
        str(example_path("hospital-request.ttl")), str(example_path("infra-plain-gpu.ttl"))
    )
    assert result.exit_code == 0, result.output
    assert "valid request" in result.output
    assert "valid catalog" in result.output


def test_invalid_file_exits_1_and_points_at_the_line() -> None:
    path = DATA / "request-unknown-class.ttl"
    result = _run(str(path))
    assert result.exit_code == 1
    assert f"{path}:14" in result.output
    assert "did you mean saiaas:XRayDataset?" in result.output
    assert "invalid request, 1 violation" in result.output


def test_one_invalid_among_valid_exits_1() -> None:
    result = _run(str(example_path("hospital-request.ttl")), str(DATA / "empty.ttl"))
    assert result.exit_code == 1
    assert "file is empty" in result.output


def test_json_lists_violation_objects() -> None:
    result = _run(
        "--json", str(DATA / "catalog-bad-values.ttl"), str(example_path("hospital-request.ttl"))
    )
    assert result.exit_code == 1
    rows = json.loads(result.output)
    assert isinstance(rows, list) and len(rows) == 5
    assert {r["property"] for r in rows} >= {"saiaas:sampleCount", "saiaas:hasFormat"}
    assert all(r["file"].endswith("catalog-bad-values.ttl") for r in rows)


def test_json_of_valid_files_is_an_empty_list() -> None:
    result = _run("--json", str(example_path("hospital-request.ttl")))
    assert result.exit_code == 0
    assert json.loads(result.output) == []


def test_missing_file_exits_3_before_validating_others(tmp_path: Path) -> None:
    result = _run(str(example_path("hospital-request.ttl")), str(tmp_path / "missing.ttl"))
    assert result.exit_code == 3
    assert "does not exist" in result.output
    assert "valid request" not in result.output


def test_bad_kind_exits_2() -> None:
    result = _run("--kind", "auction", str(example_path("hospital-request.ttl")))
    assert result.exit_code == 2
    assert "unknown --kind" in result.output


def test_forced_kind_is_used() -> None:
    result = _run("--kind", "catalog", str(example_path("hospital-request.ttl")))
    assert result.exit_code == 1
    assert "invalid catalog" in result.output


def test_markup_in_file_content_is_printed_literally(tmp_path: Path) -> None:
    path = tmp_path / "markup.ttl"
    path.write_text("@prefix : <https://e.org/#> .\n:a :b [bold] .\n")
    result = _run(str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert ":a :b [bold] ." in result.output  # shown as written, not eaten as rich markup


def test_no_arguments_is_a_usage_error() -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
