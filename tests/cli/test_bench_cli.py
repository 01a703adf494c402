"""`saiaas bench cli`: its figures' shape (with the processes replaced by a fake clock), and one
real run (slow: the scenario, then every command as its own process)."""

from __future__ import annotations

import itertools

import pytest

COMMANDS = ["auction status", "auction list", "validate", "provider match", "--help",
            "account fund"]


def test_the_figures_are_medians_in_seconds_with_targets(cli, monkeypatch) -> None:
    from saiaas.benchmarks import cli as bench

    ticks = itertools.count(1)
    runs: list[tuple[str, ...]] = []

    def timed(argv, env):  # type: ignore[no-untyped-def]
        runs.append(tuple(argv[1:]))
        assert env["SAIAAS_HOME"].endswith("home")
        return 0.1 * (next(ticks) % 7)

    monkeypatch.setattr(bench, "_timed", timed)
    monkeypatch.setattr(bench, "_setup", lambda home: ("0x" + "ab" * 20, 12.5))
    monkeypatch.setattr(bench, "_compile", lambda: True)
    result = cli("bench", "cli", "--repeats", "3", "--json")
    assert result.exit_code == 0, result.stderr
    figures = result.json()
    assert figures["repeats"] == 3 and figures["setup_seconds"] == 12.5
    assert figures["bytecode_compiled"] is True
    assert [c["command"] for c in figures["commands"]] == COMMANDS
    for row in figures["commands"]:
        assert row["argv"].startswith("saiaas ")
        assert row["min_seconds"] <= row["median_seconds"] <= row["max_seconds"]
        assert row["runs"] == 4
        if row["target_seconds"] is not None:
            assert row["within_target"] == (row["median_seconds"] <= row["target_seconds"])
            assert row["first_within_target"] == (row["first_seconds"] <= row["target_seconds"])
        assert ("uncached_median_seconds" in row) == (
            row["command"] in ("auction status", "auction list", "validate"))
    assert figures["commands"][0]["argv"] == "saiaas auction status 0x" + "ab" * 20
    assert figures["within_targets"] == all(
        row[key] is not False for row in figures["commands"]
        for key in ("within_target", "first_within_target"))
    # the state-changing command runs last: the reads before it keep their answers
    assert runs[-1][:2] == ("account", "fund")
    text = cli("bench", "cli", "--repeats", "1")
    assert text.exit_code == 0 and "--help" in text.stdout and "account fund" in text.stdout


@pytest.mark.slow
def test_a_real_run_measures_every_command() -> None:
    from saiaas.benchmarks import cli as bench

    figures = bench.run(repeats=1)
    assert [c["command"] for c in figures["commands"]] == COMMANDS
    assert all(c["median_seconds"] > 0 for c in figures["commands"])
