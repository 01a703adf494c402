"""`saiaas bench validate` measures what it claims: a warm validation and a cold --help."""

from __future__ import annotations

import io
import json

from rich.console import Console
from saiaas.benchmarks import validation
from saiaas.cli.app import app
from typer.testing import CliRunner


def test_run_returns_the_figures_and_render_shows_them() -> None:
    result = validation.run(repeats=3, help_runs=1)
    assert result["request_file"] == "hospital-request.ttl"
    assert 0 < result["validate_request_min_ms"] <= result["validate_request_median_ms"]
    assert result["validate_request_median_ms"] <= result["validate_request_p90_ms"]
    assert result["help_cold_median_s"] > 0
    assert result["validate_within_target"] == (
        result["validate_request_median_ms"] <= validation.TARGET_VALIDATE_MS
    )
    out = io.StringIO()
    validation.render(result, Console(file=out, width=200))
    text = out.getvalue()
    assert f"{result['validate_request_median_ms']:.2f} ms" in text
    assert "saiaas --help" in text


def test_cli_prints_json() -> None:
    outcome = CliRunner().invoke(app, ["bench", "validate", "--json", "--repeats", "2"])
    assert outcome.exit_code == 0, outcome.output
    figures = json.loads(outcome.output)
    assert figures["repeats"] == 2
    assert figures["target_help_s"] == validation.TARGET_HELP_S
