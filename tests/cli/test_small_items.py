"""The smaller items of issue 15 (point 7), each met on the way by a new user: --version, -h,
flags without a type, the --triplet syntax, "did you mean" for an asset, unwrapped piped output,
the exit code of a missing request file, `python -m saiaas`, a quiet install, and the reason of
a disqualification in `auction status`."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAIAAS = Path(sys.executable).with_name("saiaas")


def _commands() -> list[list[str]]:
    """Every command path of the application (groups and their commands)."""
    import typer
    from saiaas.cli.app import app

    def walk(command: Any, path: list[str]) -> list[list[str]]:
        found = [path]
        for name, sub in getattr(command, "commands", {}).items():
            found += walk(sub, [*path, name])
        return found

    return walk(typer.main.get_command(app), [])


def test_version_prints_the_package_version(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("--version")
    assert result.exit_code == 0 and result.stdout == f"saiaas {version('saiaas')}\n"


@pytest.mark.parametrize("path", _commands(), ids=lambda p: " ".join(p) or "saiaas")
def test_every_command_takes_h_and_shows_no_bool_type(cli, path: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = cli(*path, "-h")
    assert result.exit_code == 0, result.stderr
    assert "Usage:" in result.stdout
    assert "<bool>" not in result.stdout  # `--json true` is refused: a flag takes no value


def test_the_triplet_option_shows_its_real_syntax(cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COLUMNS", "200")  # the metavar on one line
    shown = cli("match", "-h").stdout
    assert "DATA ALGORITHM INFRASTRUCTURE" in shown and "str,str" not in shown


def test_a_mistyped_asset_gets_did_you_mean(cli, market, request_file) -> None:  # type: ignore[no-untyped-def]
    from saiaas.ontologies import example_path

    auction = cli("auction", "create", request_file, "--json").json()["address"]
    catalog, _asset = market.fitting[0][0]
    result = cli("provider", "bid", auction, "--asset", "chest-xray-5kk", "--price", "0.1ether",
                 "--catalog", example_path(catalog))
    assert result.exit_code == 3
    assert "did you mean 'chest-xray-5k'?" in result.stderr
    nothing = cli("provider", "bid", auction, "--asset", "zzzz", "--price", "0.1ether",
                  "--catalog", example_path(catalog))
    assert nothing.exit_code == 3 and "did you mean" not in nothing.stderr


def test_piped_output_is_not_wrapped_at_80_columns(cli, request_file) -> None:  # type: ignore[no-untyped-def]
    created = cli("auction", "create", request_file, "--json").json()
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    piped = subprocess.run([str(SAIAAS), "auction", "list"], capture_output=True, text=True,
                           env=env, timeout=120, check=True)
    line = next(x for x in piped.stdout.splitlines() if created["address"] in x)
    assert created["client"] in line and len(line) > 80  # one line, address to client


def test_python_m_saiaas_runs_the_command_line() -> None:
    ran = subprocess.run([sys.executable, "-m", "saiaas", "--version"], capture_output=True,
                         text=True, timeout=120, cwd="/")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == f"saiaas {version('saiaas')}\n"


def test_the_package_configuration_installs_without_setuptools_warnings() -> None:
    """setuptools >= 77 warns (a boxed paragraph each) about a license table and about data
    folders that are not listed packages; `make demo` printed ~200 such lines."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert isinstance(config["project"]["license"], str)
    tool = config["tool"]["setuptools"]
    packages, folders = set(tool["packages"]), tool["package-dir"]
    for package, globs in tool["package-data"].items():
        assert package in packages, package
        assert all("/" not in g for g in globs), (package, globs)  # a folder: its own package
    for package in packages:
        parent, _, child = package.rpartition(".")
        folder = Path(folders[package]) if package in folders else Path(folders[parent]) / child
        assert (ROOT / folder).is_dir(), package


def test_status_shows_why_a_bid_was_disqualified(cli, market, request_file) -> None:  # type: ignore[no-untyped-def]
    auction = cli("auction", "create", request_file, "--json").json()["address"]
    market.bid(auction, 5, 0, 5 * 10**16, *market.misfit_data)
    done = cli("auction", "disqualify", auction, "--category", "data", "--bidder",
               market.accounts()[5], "--json")
    assert done.exit_code == 0, done.stderr
    reason = done.json()["reason_cid"]
    text = cli("auction", "status", auction, "--no-match").stdout
    assert f"disqualified (reason {reason})" in text
