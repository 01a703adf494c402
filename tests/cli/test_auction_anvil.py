"""The client's commands against a real node (anvil over HTTP): a keystore account signs locally."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

ANVIL = Path(__file__).resolve().parents[2] / "node_modules" / ".bin" / "anvil"
pytestmark = pytest.mark.anvil


@pytest.fixture
def anvil_url():
    if not ANVIL.exists():
        pytest.fail(f"{ANVIL} is missing: run `npm ci` (make test does)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [str(ANVIL), "--hardfork", "prague", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_keystore_client_on_anvil(cli, home, anvil_url, tmp_path, request_file, monkeypatch):
    from saiaas.contracts import Chain, Factory
    from saiaas.ontologies import ontology_bytes
    from saiaas.storage import LocalStore

    chain = Chain.connect(anvil_url)
    cid = LocalStore(home / "store").put(ontology_bytes())
    factory = Factory.deploy(chain, chain.accounts[0], cid)
    monkeypatch.setenv("SAIAAS_RPC_URL", anvil_url)
    monkeypatch.setenv("SAIAAS_FACTORY", factory.address)
    password = tmp_path / "password"
    password.write_text("anvil client\n")
    monkeypatch.setenv("SAIAAS_PASSWORD_FILE", str(password))

    from eth_account import Account

    key = Account.create()
    exported = tmp_path / "hospital.json"  # light scrypt: fast to unlock
    exported.write_text(json.dumps(Account.encrypt(key.key, "anvil client", iterations=2**12)))
    made = cli("account", "import", "--name", "hospital", "--keystore-file", exported)
    assert made.exit_code == 0, made.stderr
    client = made.stdout.strip()
    assert client == key.address
    assert cli("account", "fund", "hospital", "2ether").exit_code == 0
    created = cli("auction", "create", request_file, "--account", "hospital", "--json")
    assert created.exit_code == 0, created.stderr
    auction = created.json()["address"]
    assert created.json()["client"] == client
    assert Chain.connect(anvil_url).balance(auction) == 10**18

    stranger = chain.accounts[1]
    nonce = chain.w3.eth.get_transaction_count(stranger)
    refused = cli("auction", "adjudicate", auction, "--account", stranger)
    assert refused.exit_code == 4 and "only the auction's client" in refused.stderr
    assert chain.w3.eth.get_transaction_count(stranger) == nonce
    listed = cli("auction", "list", "--json")
    assert [(r["address"], r["state"]) for r in listed.json()] == [(auction, "BIDDING")]
    assert os.environ["SAIAAS_RPC_URL"] == anvil_url
    assert int(json.loads(cli("account", "list", "--json").stdout)[0]["balance_wei"]) < 10**18
