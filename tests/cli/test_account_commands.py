"""Accounts: encrypted keystores, keys never shown, wrong passwords in one line, dev funding."""

from __future__ import annotations

import json
import stat
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

ETHER = 10**18
KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"


@pytest.fixture
def password(tmp_path):
    path = tmp_path / "password"
    path.write_text("correct horse\n")
    return path


def test_new_writes_a_private_keystore_that_decrypts_to_the_printed_address(cli, home, password):
    from eth_account import Account

    result = cli("account", "new", "--name", "alice", "--password-file", password)
    assert result.exit_code == 0, result.stderr
    address = result.stdout.strip()
    path = home / "keystore" / "alice.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    key = Account.decrypt(json.loads(path.read_text()), "correct horse")
    assert Account.from_key(key).address == address
    assert key.hex().removeprefix("0x") not in result.stdout + result.stderr
    twice = cli("account", "new", "--name", "alice", "--password-file", password)
    assert twice.exit_code == 3 and "exists already" in twice.stderr
    bad_name = cli("account", "new", "--name", "../evil", "--password-file", password)
    assert bad_name.exit_code == 2
    no_password = cli("account", "new")  # no terminal, no file, no $SAIAAS_PASSWORD
    assert no_password.exit_code == 2 and "--password-file" in no_password.stderr


def test_import_reads_the_key_from_a_file_and_never_shows_it(cli, home, password, tmp_path):
    from eth_account import Account

    key_file = tmp_path / "key.txt"
    key_file.write_text("0x" + KEY + "\n")
    result = cli("account", "import", "--name", "bob", "--key-file", key_file, "--json",
                 "--password-file", password)
    assert result.exit_code == 0, result.stderr
    expected = Account.from_key(bytes.fromhex(KEY)).address
    assert json.loads(result.stdout)["address"] == expected
    assert KEY not in result.stdout + result.stderr
    again = cli("account", "import", "--key-file", key_file, "--password-file", password)
    assert again.exit_code == 3 and "already in the keystore as 'bob'" in again.stderr
    junk = tmp_path / "junk.txt"
    junk.write_text("not a key")
    refused = cli("account", "import", "--key-file", junk, "--password-file", password)
    assert refused.exit_code == 3 and "not a private key" in refused.stderr
    assert "not a key" not in refused.stderr  # the file's content is not echoed either
    listed = cli("account", "list", "--json")
    assert listed.exit_code == 0
    rows = json.loads(listed.stdout)
    assert [(r["name"], r["address"], r["balance_wei"]) for r in rows] == [("bob", expected, "0")]


def test_import_of_a_keystore_file_checks_its_password(cli, home, tmp_path, password):
    from eth_account import Account

    outside = tmp_path / "exported.json"
    outside.write_text(json.dumps(Account.encrypt(bytes.fromhex(KEY), "correct horse",
                                                  iterations=2**12)))
    wrong = tmp_path / "wrong"
    wrong.write_text("battery staple")
    refused = cli("account", "import", "--keystore-file", outside, "--password-file", wrong)
    assert refused.exit_code == 3
    assert refused.stderr.count("\n") <= 2 and "wrong password" in refused.stderr
    assert not (home / "keystore").exists() or not list((home / "keystore").glob("*.json"))
    ok = cli("account", "import", "--keystore-file", outside, "--password-file", password,
             "--name", "carol")
    assert ok.exit_code == 0, ok.stderr
    assert json.loads((home / "keystore" / "carol.json").read_text()) == json.loads(
        outside.read_text())


def test_a_funded_keystore_account_creates_an_auction_and_a_wrong_password_is_one_line(
        cli, home, tmp_path, password):
    from eth_account import Account
    from saiaas.ontologies import example_path

    outside = tmp_path / "exported.json"
    outside.write_text(json.dumps(Account.encrypt(bytes.fromhex(KEY), "correct horse",
                                                  iterations=2**12)))
    assert cli("account", "import", "--keystore-file", outside, "--password-file", password,
               "--name", "dave").exit_code == 0
    address = Account.from_key(bytes.fromhex(KEY)).address
    funded = cli("account", "fund", "dave", "2ether", "--json")
    assert funded.exit_code == 0, funded.stderr
    assert json.loads(funded.stdout)["balance_wei"] == str(2 * ETHER)
    assert cli("account", "fund", "dave", "lots").exit_code == 2
    assert cli("account", "fund", "nobody", "1ether").exit_code == 3

    request = example_path("hospital-request.ttl")
    poor = cli("auction", "create", request, "--reserve", "3ether", "--account", "dave",
               "--password-file", password)
    assert poor.exit_code == 4 and "less than the reserve" in poor.stderr
    wrong = tmp_path / "wrong"
    wrong.write_text("battery staple")
    denied = cli("auction", "create", request, "--account", "dave", "--password-file", wrong)
    assert denied.exit_code == 3
    assert denied.stderr.strip().count("\n") == 0 and "wrong password" in denied.stderr
    created = cli("auction", "create", request, "--account", "dave", "--password-file", password,
                  "--json")
    assert created.exit_code == 0, created.stderr
    assert json.loads(created.stdout)["client"] == address


class _Geth(BaseHTTPRequestHandler):
    """Just enough JSON-RPC to look like a production node that is not a dev chain."""

    answers = {"eth_chainId": "0x1", "web3_clientVersion": "Geth/v1.14.0-stable",
               "eth_accounts": [], "net_version": "1"}

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        reply = json.dumps({"jsonrpc": "2.0", "id": body["id"],
                            "result": self.answers.get(body["method"])}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


def test_fund_refuses_a_node_that_is_not_a_dev_chain(cli):
    server = HTTPServer(("127.0.0.1", 0), _Geth)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        result = cli("account", "fund", "0x" + "11" * 20, "1ether", "--rpc-url", url)
        assert result.exit_code == 4
        assert "dev chains only" in result.stderr and "Geth" in result.stderr
    finally:
        server.shutdown()
        server.server_close()
