"""`saiaas serve` against anvil behind a node that caps eth_getLogs: it indexes, lists, and a
kill -9 in the middle of indexing loses nothing: the restarted service resumes at the last
committed block and ends with the same index as one read of the chain."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from saiaas.benchmarks.serve import CappedProxy, populate
from saiaas.contracts import Chain, Factory
from saiaas.market.indexer import Index, index_path
from saiaas.ontologies import example_path, ontology_bytes
from saiaas.storage import cid_of

pytestmark = [pytest.mark.anvil]

REQUEST_CID = cid_of(example_path("hospital-request.ttl").read_bytes())


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _status(base: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(base + "/api/status", timeout=2) as answer:
            return dict(json.loads(answer.read()))
    except OSError:
        return None


def _serve(proxy: str, factory: str, port: int, home: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SAIAAS_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "saiaas.cli", "serve", "--rpc-url", proxy, "--factory", factory,
         "--port", str(port), "--poll", "0.2"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the service and its reasoning workers
    )


def _crash(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the service's whole process group, as a machine crash would: killing only the
    service left its reasoning worker and multiprocessing's resource tracker running."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # whatever of its group is left
        os.killpg(process.pid, signal.SIGKILL)


def _wait(base: str, process: subprocess.Popen[bytes], ready: Any, limit: float = 90) -> Any:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        status = _status(base)
        if status is not None and status.get("index") and ready(status):
            return status
        time.sleep(0.05)
    raise AssertionError(f"not ready within {limit} s: {_status(base)}")


def test_a_kill_mid_indexing_loses_nothing(anvil_url: str, home: Path, tmp_path: Path) -> None:
    chain = Chain.connect(anvil_url)
    snapshot = chain.snapshot()
    try:
        factory = Factory.deploy(chain, chain.accounts[0], cid_of(ontology_bytes()))
        populate(anvil_url, factory.address, REQUEST_CID, auctions=3, bids=3)
        chain.w3.provider.make_request("anvil_mine", [hex(2_000)])
        populate(anvil_url, factory.address, REQUEST_CID, auctions=2, bids=2)
        with CappedProxy(anvil_url, cap=10, latency=0.01) as proxy:
            port = _port()
            base = f"http://127.0.0.1:{port}"
            first = _serve(proxy.url, factory.address, port, home)
            try:
                killed_at = _wait(
                    base, first, lambda s: s["index"]["last_block"] > 100 and s["behind"] > 0
                )
                assert killed_at["behind"] > 0  # mid-indexing
                _crash(first)
            finally:
                _stop(first)
            path = index_path(int(chain.w3.eth.chain_id), factory.address, home / "index")
            with Index(path) as index:
                committed = index.last_block
            assert committed >= killed_at["index"]["last_block"]
            second = _serve(proxy.url, factory.address, port, home)
            try:
                done = _wait(base, second, lambda s: s["behind"] == 0 and s["last_sync"])
                assert done["last_sync"]["from_block"] > committed - 20  # resumed, not restarted
                with urllib.request.urlopen(base + "/api/auctions", timeout=5) as answer:
                    listed = json.loads(answer.read())["auctions"]
                assert len(listed) == 5 and {r["state"] for r in listed} == {"BIDDING"}
            finally:
                _stop(second)
        with Index(path) as resumed, Index(tmp_path / "plain.sqlite") as plain:
            plain.sync(chain, factory.address)
            assert resumed.fingerprint() == plain.fingerprint()
    finally:
        chain.revert(snapshot)
