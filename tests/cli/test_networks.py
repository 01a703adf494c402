"""Network profiles on anvil started with a public chain id (Sepolia's, 11155111): the chain id
checked against the node and the recorded Factory, the profile's EIP-1559 fees on the mined
transaction, confirmations waited for, and a named account required off dev chains."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SEPOLIA = 11155111
#: anvil's first two dev accounts (the root conftest's fixed mnemonic).
FIRST = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
SECOND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
MEMBERS = ["--member", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", "--threshold", "1"]


@pytest.fixture
def sepolia(anvil_tools: Any, tmp_path: Path) -> Iterator[str]:
    """An anvil that answers chain id 11155111 (mining on demand)."""
    node = anvil_tools.start(tmp_path, extra=("--chain-id", str(SEPOLIA)))
    try:
        yield node.url
    finally:
        anvil_tools.stop(node.process)


def write_config(path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SAIAAS_CONFIG", str(path))


def head(rpc: Any, url: str) -> int:
    return int(rpc(url, "eth_blockNumber"), 16)


def nonce(rpc: Any, url: str, address: str) -> int:
    return int(rpc(url, "eth_getTransactionCount", [address, "latest"]), 16)


def last_tx_of(rpc: Any, url: str, sender: str, since: int) -> dict[str, Any]:
    """The newest transaction `sender` sent in a block after `since`, with its block number."""
    for number in range(head(rpc, url), since, -1):
        block = rpc(url, "eth_getBlockByNumber", [hex(number), True])
        for tx in block["transactions"]:
            if tx["from"].lower() == sender.lower():
                return dict(tx)
    raise AssertionError(f"no transaction from {sender} after block {since}")


@pytest.mark.anvil
def test_a_profile_sends_type_2_transactions_with_its_fees_on_its_chain(
    cli: Any, sepolia: str, anvil_tools: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rpc = anvil_tools.rpc
    monkeypatch.setenv("TEST_SEPOLIA_URL", sepolia)
    write_config(tmp_path / "config.toml", f"""
[networks.sepolia]
rpc_url = "${{TEST_SEPOLIA_URL}}"
chain_id = {SEPOLIA}
account = "{SECOND}"
max_fee = "30gwei"
max_priority_fee = "1.5gwei"
""", monkeypatch)
    before = head(rpc, sepolia)
    result = cli("arbitrator", "deploy", *MEMBERS, "--network", "sepolia", "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    tx = last_tx_of(rpc, sepolia, SECOND, before)
    assert tx["type"] == "0x2"
    assert int(tx["maxFeePerGas"], 16) == 30 * 10**9
    assert int(tx["maxPriorityFeePerGas"], 16) == 15 * 10**8
    assert int(tx["chainId"], 16) == SEPOLIA
    # SAIAAS_NETWORK selects it too, and a flag still wins over the profile's value.
    monkeypatch.setenv("SAIAAS_NETWORK", "sepolia")
    again = cli("arbitrator", "deploy", *MEMBERS, "--account", FIRST, "--json")
    assert again.exit_code == 0, again.stdout + again.stderr
    assert int(last_tx_of(rpc, sepolia, FIRST, before)["maxFeePerGas"], 16) == 30 * 10**9


@pytest.mark.anvil
def test_confirmations_are_waited_for_before_the_transaction_is_reported(
    cli: Any, anvil_tools: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rpc = anvil_tools.rpc
    node = anvil_tools.start(tmp_path, extra=("--chain-id", str(SEPOLIA), "--block-time", "1"))
    try:
        write_config(tmp_path / "config.toml", f"""
network = "slow"
[networks.slow]
rpc_url = "{node.url}"
chain_id = {SEPOLIA}
account = "{SECOND}"
confirmations = 2
""", monkeypatch)
        before = head(rpc, node.url)
        result = cli("arbitrator", "deploy", *MEMBERS, "--json")
        reported_at = head(rpc, node.url)
        assert result.exit_code == 0, result.stdout + result.stderr
        mined_in = int(last_tx_of(rpc, node.url, SECOND, before)["blockNumber"], 16)
        assert reported_at >= mined_in + 2
    finally:
        anvil_tools.stop(node.process)


@pytest.mark.anvil
def test_a_node_on_another_chain_than_the_profile_says_is_refused_by_both_ids(
    cli: Any, sepolia: str, anvil_tools: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path / "config.toml", f"""
[networks.mainnet]
rpc_url = "{sepolia}"
chain_id = 1
account = "{SECOND}"
""", monkeypatch)
    before = nonce(anvil_tools.rpc, sepolia, SECOND)
    result = cli("arbitrator", "deploy", *MEMBERS, "--network", "mainnet", "--json")
    assert result.exit_code == 4
    error = result.json()["error"]
    assert error["exit_code"] == 4
    assert f"answers chain id {SEPOLIA}" in error["message"]
    assert "'mainnet'" in error["message"] and "expects chain id 1" in error["message"]
    assert nonce(anvil_tools.rpc, sepolia, SECOND) == before  # nothing sent


@pytest.mark.anvil
def test_a_recorded_factory_of_another_chain_is_refused(
    cli: Any, sepolia: str, home: Path
) -> None:
    from saiaas.market.marketplace import record_factory

    deployed = cli("factory", "deploy", "--rpc-url", sepolia, "--account", SECOND, "--json")
    assert deployed.exit_code == 0, deployed.stdout + deployed.stderr
    factory = deployed.json()["factory"]
    assert cli("auction", "list", "--rpc-url", sepolia).exit_code == 0
    record_factory(sepolia, factory, 31337)  # as if a devnet had run on this URL before
    result = cli("auction", "list", "--rpc-url", sepolia)
    assert result.exit_code == 4
    line = result.stderr.strip()
    assert "deployed on chain id 31337" in line and f"now answers chain id {SEPOLIA}" in line
    assert "--factory" in line and len(line.splitlines()) == 1
    # Naming the Factory is what the line suggests, and works (another address than the
    # record's; the recorded one, named, is still refused).
    other = cli("factory", "deploy", "--rpc-url", sepolia, "--account", SECOND,
                "--factory", "0x" + "22" * 20, "--json")
    assert other.exit_code == 0, other.stdout + other.stderr
    record_factory(sepolia, factory, 31337)
    named = cli("auction", "list", "--rpc-url", sepolia, "--factory", other.json()["factory"])
    assert named.exit_code == 0, named.stderr
    assert cli("auction", "list", "--rpc-url", sepolia, "--factory", factory).exit_code == 4


@pytest.mark.anvil
def test_a_non_dev_chain_needs_a_named_account(
    cli: Any, sepolia: str, anvil_tools: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rpc = anvil_tools.rpc
    before = nonce(rpc, sepolia, FIRST)
    result = cli("arbitrator", "deploy", *MEMBERS, "--rpc-url", sepolia)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert f"chain id {SEPOLIA}" in line and "not a dev chain" in line
    assert "--account" in line and "SAIAAS_ACCOUNT" in line and "nothing sent" in line
    as_json = cli("arbitrator", "deploy", *MEMBERS, "--rpc-url", sepolia, "--json")
    assert as_json.exit_code == 2 and as_json.json()["error"]["exit_code"] == 2
    assert nonce(rpc, sepolia, FIRST) == before  # the node's first account did not act
    # Named by the environment, it acts.
    monkeypatch.setenv("SAIAAS_ACCOUNT", FIRST)
    assert cli("arbitrator", "deploy", *MEMBERS, "--rpc-url", sepolia).exit_code == 0
    assert nonce(rpc, sepolia, FIRST) == before + 1
    monkeypatch.delenv("SAIAAS_ACCOUNT")
    # A profile marked dev lets the first account act, as on anvil's own chain id.
    write_config(tmp_path / "config.toml", f"""
[networks.mydev]
rpc_url = "{sepolia}"
dev = true
""", monkeypatch)
    assert cli("arbitrator", "deploy", *MEMBERS, "--network", "mydev").exit_code == 0
    assert nonce(rpc, sepolia, FIRST) == before + 2


@pytest.mark.anvil
def test_on_a_dev_chain_id_the_first_account_still_acts(cli: Any, anvil_url: str) -> None:
    result = cli("arbitrator", "deploy", *MEMBERS, "--rpc-url", anvil_url, "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["threshold"] == 1


@pytest.mark.anvil
def test_factory_deploy_on_a_public_chain_id_records_it_with_its_chain_id(
    cli: Any, sepolia: str, anvil_tools: Any, home: Path
) -> None:
    from saiaas.market.marketplace import recorded_chain_id, recorded_factory

    refused = cli("factory", "deploy", "--rpc-url", sepolia)
    assert refused.exit_code == 2 and "not a dev chain" in refused.stderr
    assert recorded_factory(sepolia) is None and not (home / "store").exists()
    result = cli("factory", "deploy", "--rpc-url", sepolia, "--account", SECOND, "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    out = result.json()
    assert out["chain_id"] == SEPOLIA and out["account"] == SECOND
    assert set(out) >= {"factory", "ontology_cid", "tx_hash", "gas_used", "block_number"}
    assert recorded_factory(sepolia) == out["factory"] and recorded_chain_id(sepolia) == SEPOLIA
    # Commands now find it by URL; a second deployment is refused, naming the first.
    listed = cli("auction", "list", "--rpc-url", sepolia, "--json")
    assert listed.exit_code == 0, listed.stdout + listed.stderr
    again = cli("factory", "deploy", "--rpc-url", sepolia, "--account", SECOND)
    assert again.exit_code == 1 and out["factory"] in again.stderr
    assert cli("factory", "deploy").exit_code == 2  # the embedded chain deploys its own


@pytest.mark.anvil
def test_a_keystore_account_signs_type_2_transactions_with_the_profile_fees(
    cli: Any, sepolia: str, anvil_tools: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rpc = anvil_tools.rpc
    monkeypatch.setenv("SAIAAS_PASSWORD", "correct horse")
    made = cli("account", "new", "--name", "bob", "--json")
    assert made.exit_code == 0, made.stdout + made.stderr
    bob = made.json()["address"]
    rpc(sepolia, "anvil_setBalance", [bob, hex(10**18)])
    write_config(tmp_path / "config.toml", f"""
network = "sepolia"
[networks.sepolia]
rpc_url = "{sepolia}"
chain_id = {SEPOLIA}
account = "bob"
max_fee = "7gwei"
max_priority_fee = "2gwei"
""", monkeypatch)
    before = head(rpc, sepolia)
    deployed = cli("factory", "deploy", "--json")
    assert deployed.exit_code == 0, deployed.stdout + deployed.stderr
    assert deployed.json()["account"] == bob
    tx = last_tx_of(rpc, sepolia, bob, before)
    assert tx["type"] == "0x2" and int(tx["chainId"], 16) == SEPOLIA
    assert (int(tx["maxFeePerGas"], 16), int(tx["maxPriorityFeePerGas"], 16)) == (7 * 10**9,
                                                                                2 * 10**9)
