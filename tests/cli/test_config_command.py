"""`saiaas config path|show` and the network profiles' resolution (no node needed): where
config.toml lives, where each setting came from, and bad profiles refused in one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

PROFILES = """
rpc_url = "http://127.0.0.1:1"
ipfs_api = "http://127.0.0.1:5001"
network = "sepolia"

[networks.sepolia]
rpc_url = "https://$TEST_HOST/v3/${TEST_KEY}"
chain_id = 11155111
factory = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
max_fee = "30gwei"
max_priority_fee = "0.5gwei"
confirmations = 2

[networks.local]
rpc_url = "http://127.0.0.1:8545"
dev = true
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir()
    monkeypatch.setenv("SAIAAS_CONFIG", str(path))
    return path


def test_config_path_says_where_the_file_and_the_data_folder_are(
    cli: Any, config: Path, home: Path
) -> None:
    plain = cli("config", "path")
    assert plain.exit_code == 0 and plain.stdout.strip() == str(config)
    shown = cli("config", "path", "--json").json()
    assert shown == {"config_file": str(config), "config_exists": False, "data_dir": str(home)}


def test_config_show_without_a_file_shows_every_default(cli: Any, config: Path) -> None:
    shown = cli("config", "show", "--json").json()
    assert shown["config_exists"] is False and shown["config_from"] == "env SAIAAS_CONFIG"
    assert shown["network"] is None and shown["networks"] == {}
    assert all(row["source"] == "default" and row["value"] is None
               for row in shown["settings"].values())
    text = cli("config", "show")
    assert text.exit_code == 0 and "absent" in text.stdout and "profiles     none" in text.stdout


def test_config_show_names_the_source_of_each_setting(
    cli: Any, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config.write_text(PROFILES)
    monkeypatch.setenv("TEST_HOST", "sepolia.example")
    monkeypatch.setenv("TEST_KEY", "k3y")
    monkeypatch.setenv("SAIAAS_KEYSTORE", "/tmp/keys")
    shown = cli("config", "show", "--json", "--account", "alice")
    assert shown.exit_code == 0, shown.stdout + shown.stderr
    out = shown.json()
    assert out["network"] == "sepolia" and out["network_from"] == "config"
    rows = {k: (v["value"], v["source"]) for k, v in out["settings"].items()}
    assert rows["rpc_url"] == ("https://sepolia.example/v3/k3y", "profile sepolia")
    assert rows["chain_id"] == (11155111, "profile sepolia")
    assert rows["max_fee_wei"] == ("30000000000", "profile sepolia")  # wei as a string
    assert rows["max_priority_fee_wei"] == ("500000000", "profile sepolia")
    assert rows["confirmations"] == (2, "profile sepolia")
    assert rows["ipfs_api"] == ("http://127.0.0.1:5001", "config")  # the top level fills in
    assert rows["account"] == ("alice", "flag")
    assert rows["keystore"] == ("/tmp/keys", "env SAIAAS_KEYSTORE")
    assert rows["store"] == (None, "default")
    assert sorted(out["networks"]) == ["local", "sepolia"]
    assert out["networks"]["sepolia"]["rpc_url"] == "https://$TEST_HOST/v3/${TEST_KEY}"
    # --network picks another profile; a flag wins over the profile's value.
    local = cli("config", "show", "--json", "--network", "local",
                "--rpc-url", "http://127.0.0.1:9").json()
    rows = {k: (v["value"], v["source"]) for k, v in local["settings"].items()}
    assert local["network_from"] == "flag"
    assert rows["rpc_url"] == ("http://127.0.0.1:9", "flag")
    assert rows["dev"] == (True, "profile local") and rows["chain_id"] == (None, "default")


def test_an_unset_variable_in_the_profile_is_refused_by_name(
    cli: Any, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config.write_text(PROFILES)
    monkeypatch.setenv("TEST_HOST", "sepolia.example")
    result = cli("auction", "list")
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "[networks.sepolia] rpc_url refers to $TEST_KEY, which is not set" in line
    monkeypatch.setenv("TEST_KEY", "")
    assert "which is empty" in cli("auction", "list").stderr
    # An unused profile's variables are not needed.
    assert cli("config", "show", "--network", "local").exit_code == 0


def test_an_unknown_network_lists_the_defined_ones(cli: Any, config: Path) -> None:
    config.write_text(PROFILES)
    result = cli("auction", "list", "--network", "sepolia2", "--json")
    assert result.exit_code == 2
    message = result.json()["error"]["message"]
    assert "no network profile 'sepolia2'" in message and "defined: local, sepolia" in message
    empty = cli("auction", "list", "--network", "")
    assert empty.exit_code == 2 and "--network is empty" in empty.stderr


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ('chain_id = "11155111"', "'chain_id' must be an int, not str"),
        ("confirmations = true", "'confirmations' must be an int, not bool"),
        ('dev = "yes"', "'dev' must be a bool, not str"),
        ('gas_price = "1gwei"', "unknown setting 'gas_price'"),
        ('max_fee = "30"', "max_fee = '30' is not an amount with a unit"),
        ('max_fee = "1gwei"\nmax_priority_fee = "2gwei"', "max_priority_fee (2000000000 wei) is "
                                                          "above max_fee (1000000000 wei)"),
        ("confirmations = -1", "confirmations = -1 must be between 0 and 7200"),
        ('rpc_url = ""', "rpc_url is empty"),
    ],
)
def test_a_bad_profile_is_refused_in_one_line(
    cli: Any, config: Path, profile: str, expected: str
) -> None:
    config.write_text(f'[networks.bad]\n{profile}\n')
    result = cli("auction", "list", "--network", "bad")
    assert result.exit_code == 3, result.stderr
    line = result.stderr.strip()
    assert expected in line and str(config) in line and len(line.splitlines()) == 1


def test_a_profile_that_is_not_a_table_is_refused(cli: Any, config: Path) -> None:
    config.write_text('networks = "sepolia"\n')
    result = cli("config", "show")
    assert result.exit_code == 3 and "'networks' must be tables" in result.stderr
