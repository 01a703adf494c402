"""`auction status` with the IPFS API unreachable (issue 15 point 6): it ends with exit 5 and one
line naming the node, within the configured SAIAAS_IPFS_TIMEOUT, instead of waiting silently and
then calling the best bids "not eligible" with exit 0."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest


@pytest.fixture
def silent_node() -> Iterator[str]:
    """An HTTP address that accepts connections and never answers (a hung IPFS daemon)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()


@pytest.fixture
def refused_node() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # closed again: nothing listens there


def _auction_with_bids(cli, market, request_file) -> str:
    created = cli("auction", "create", request_file, "--duration", "2h", "--json")
    assert created.exit_code == 0, created.stderr
    auction = str(created.json()["address"])
    market.bid_all(auction)
    return auction


def test_a_hung_ipfs_node_ends_status_with_exit_5_within_the_timeout(
        cli, market, request_file, silent_node, monkeypatch) -> None:
    auction = _auction_with_bids(cli, market, request_file)
    monkeypatch.setenv("SAIAAS_IPFS_TIMEOUT", "1")
    started = time.monotonic()
    result = cli("auction", "status", auction, "--ipfs-api", silent_node)
    took = time.monotonic() - started
    assert result.exit_code == 5, result.stdout + result.stderr
    assert silent_node in result.stderr and "did not answer" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "not eligible" not in result.stdout + result.stderr
    assert took < 8, f"took {took:.1f} s with SAIAAS_IPFS_TIMEOUT=1"


def test_a_refused_ipfs_node_ends_status_with_exit_5_and_a_json_error(
        cli, market, request_file, refused_node) -> None:
    auction = _auction_with_bids(cli, market, request_file)
    result = cli("auction", "status", auction, "--ipfs-api", refused_node, "--json")
    assert result.exit_code == 5
    error = result.json()["error"]
    assert error["exit_code"] == 5 and refused_node in error["message"]
    assert "connection refused" in error["message"]
    # without the judgement the status needs no store at all
    plain = cli("auction", "status", auction, "--ipfs-api", refused_node, "--no-match", "--json")
    assert plain.exit_code == 0, plain.stderr
    assert len(plain.json()["categories"]) == 3


def test_disqualify_without_a_reachable_store_sends_nothing(
        cli, market, request_file, refused_node) -> None:
    """A reason-less disqualification needs the audit's verdict: with no store, exit 5 and
    nothing sent (never a good bid disqualified as "not eligible")."""
    auction = _auction_with_bids(cli, market, request_file)
    client = market.accounts()[0]
    nonce = market.nonce(client)
    bidder = market.accounts()[1]
    result = cli("auction", "disqualify", auction, "--category", "data", "--bidder", bidder,
                 "--ipfs-api", refused_node)
    assert result.exit_code == 5, result.stdout + result.stderr
    assert market.nonce(client) == nonce


def test_a_hung_chain_node_ends_status_and_list_with_exit_4_within_the_timeout(
        cli, silent_node, monkeypatch) -> None:
    """The same for the chain: SAIAAS_RPC_TIMEOUT bounds each request (reads are retried a few
    times with backoff), then one line and exit 4."""
    monkeypatch.setenv("SAIAAS_RPC_TIMEOUT", "1")
    auction = "0x" + "11" * 20
    for args in (["auction", "status", auction], ["auction", "list"]):
        started = time.monotonic()
        result = cli(*args, "--rpc-url", silent_node, "--factory", "0x" + "22" * 20)
        took = time.monotonic() - started
        assert result.exit_code == 4, result.stdout + result.stderr
        assert silent_node in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert took < 10, f"{args[1]} took {took:.1f} s with SAIAAS_RPC_TIMEOUT=1"
