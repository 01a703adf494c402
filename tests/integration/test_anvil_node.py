"""The anvil fixture itself: it must give a Prague node on 127.0.0.1 and leave nothing running."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.anvil


def test_node_answers_on_loopback(anvil_node: Any, anvil_tools: Any) -> None:
    rpc = anvil_tools.rpc
    assert urlparse(anvil_node.url).hostname == "127.0.0.1"
    assert rpc(anvil_node.url, "eth_chainId") == hex(31337)
    accounts = rpc(anvil_node.url, "eth_accounts")
    assert isinstance(accounts, list) and len(accounts) >= 8
    balance = int(str(rpc(anvil_node.url, "eth_getBalance", [accounts[0], "latest"])), 16)
    assert balance == anvil_tools.balance_eth * 10**18


def test_node_runs_prague(anvil_node: Any, anvil_tools: Any) -> None:
    rpc = anvil_tools.rpc
    # Prague blocks (EIP-7685) carry a requestsHash; a Cancun node would not report one.
    block = rpc(anvil_node.url, "eth_getBlockByNumber", ["latest", False])
    assert isinstance(block, dict)
    assert "requestsHash" in block
    # MCOPY (Cancun+) runs: PUSH1 32 PUSH1 0 PUSH1 0 MCOPY PUSH1 32 PUSH1 0 RETURN.
    code = "0x60206000600060005e60206000f3"
    assert rpc(anvil_node.url, "eth_call", [{"data": code}, "latest"]) == "0x" + "00" * 32


def test_stop_leaves_no_process_and_frees_the_port(tmp_path: Path, anvil_tools: Any) -> None:
    node = anvil_tools.start(tmp_path)
    port = urlparse(node.url).port
    assert port is not None
    anvil_tools.stop(node.process)
    assert node.process.poll() is not None
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
    anvil_tools.stop(node.process)  # a second stop must not raise


def test_missing_binary_fails_with_npm_ci_hint(tmp_path: Path, anvil_tools: Any) -> None:
    with pytest.raises(pytest.fail.Exception, match="npm ci"):
        anvil_tools.start(tmp_path, binary=tmp_path / "no-anvil-here")
