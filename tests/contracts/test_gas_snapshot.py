"""The committed gas snapshot: a regression of any scenario transaction fails the build."""

from __future__ import annotations

import json

import pytest
from saiaas.benchmarks import gas

REFRESH = "refresh it with: .venv/bin/python -m saiaas.benchmarks.gas --update-snapshot"


@pytest.fixture(scope="module")
def result() -> dict:
    """One run of the scenario (~10 s on py-evm) shared by the tests below."""
    return gas.run(gas_price_gwei=100, eth_usd=2000)


@pytest.fixture(scope="module")
def measured(result: dict) -> dict:
    return gas.snapshot_of(result)


def test_no_transaction_of_the_scenario_costs_more_than_the_snapshot(measured):
    committed = json.loads(gas.SNAPSHOT_PATH.read_text())
    assert set(measured["transactions"]) == set(committed["transactions"]), (
        f"the scenario's transactions changed; {REFRESH}"
    )
    worse = {
        label: (committed["transactions"][label], used)
        for label, used in measured["transactions"].items()
        if used > committed["transactions"][label]
    }
    assert not worse, f"gas regressed (snapshot, now): {worse}; if intended, {REFRESH}"
    assert measured["scenario_total"] <= committed["scenario_total"], REFRESH


def test_the_scenario_is_the_papers(result, measured):
    rows = result["transactions"]
    in_total = [r for r in rows if r["in_scenario"]]
    assert [r["operation"] for r in in_total].count("Auction creation") == 1
    assert sum(1 for r in in_total if "bid" in r["operation"].lower()) == 9
    assert in_total[-1]["operation"] == "Adjudication"
    assert sum(r["gas"] for r in in_total) == measured["scenario_total"]


def test_run_reports_the_fields_the_cli_promises(result):
    assert isinstance(result["scenario_total"], int)
    names = [op["operation"] for op in result["operations"]]
    assert names[:6] == list(gas.PAPER)[:6]
    assert {"Deliver model", "Acknowledge", "Withdraw"} <= set(names)
    for op in result["operations"]:
        assert {"operation", "gas", "paper_gas"} <= set(op) and op["gas"] > 0
    first = result["operations"][1]
    assert first["usd"] == round(first["gas"] * 100e-9 * 2000, 2)


def test_cli_prints_the_json_object(measured):
    from saiaas.cli.app import app
    from typer.testing import CliRunner

    out = CliRunner().invoke(app, ["bench", "gas", "--json"])
    assert out.exit_code == 0, out.output
    printed = json.loads(out.stdout)
    assert printed["scenario_total"] == measured["scenario_total"]  # receipts are deterministic
    assert [op["operation"] for op in printed["operations"]][:2] == [
        "Factory deployment",
        "Auction creation",
    ]
