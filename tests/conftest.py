"""What every test folder shares: an isolated data folder, the CLI run in-process, a real anvil.

`home` gives a test its own SAIAAS_HOME (chain, store, keystores, deployments) and clears every
SAIAAS_* variable, so a developer's configuration never leaks into a test. The anvil fixtures
start the pinned binary from node_modules on a free loopback port and stop it by pid; a missing
binary is a failure, not a skip: CI installs it with `npm ci`, and a skip would hide a broken
install.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAIAAS_VARIABLES = ("SAIAAS_RPC_URL", "SAIAAS_IPFS_API", "SAIAAS_FACTORY", "SAIAAS_KEYSTORE",
                    "SAIAAS_ACCOUNT", "SAIAAS_STORE", "SAIAAS_PASSWORD", "SAIAAS_PASSWORD_FILE",
                    "SAIAAS_ANVIL", "SAIAAS_NETWORK", "SAIAAS_JSIPFS")


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data folder for every test, and no SAIAAS_* setting from outside: no test
    reads or writes a person's own data folder."""
    monkeypatch.setenv("SAIAAS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SAIAAS_CONFIG", str(tmp_path / "no-config.toml"))
    for name in SAIAAS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "home"


@dataclass
class Result:
    """One in-process CLI run: exit code, stdout and stderr apart."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def cli(home: Path) -> Any:
    """Run `saiaas ARGS...` in-process in the test's own home."""
    from saiaas.cli.app import app
    from typer.testing import CliRunner

    runner = CliRunner()

    def invoke(*args: Any, input: str | None = None) -> Result:
        result = runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return invoke


ANVIL = ROOT / "node_modules" / ".bin" / "anvil"
#: anvil's default dev mnemonic; fixed so the accounts (and thus the gas of the first
#: transactions, which depends on zero bytes in addresses) are the same on every run.
MNEMONIC = "test test test test test test test test test test test junk"
#: Ether per dev account: enough for any reserve a test escrows.
BALANCE_ETH = 1_000_000
ACCOUNTS = 12
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 5.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rpc(url: str, method: str, params: list | None = None, timeout: float = 2.0) -> object:
    """One JSON-RPC call with the standard library, so the fixture does not depend on web3."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []})
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        answer = json.loads(response.read())
    if "error" in answer:
        raise RuntimeError(f"{method} failed: {answer['error']}")
    return answer["result"]


class AnvilNode:
    """A started anvil process and where to reach it."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.log = log

    @property
    def pid(self) -> int:
        return self.process.pid


def start_anvil(tmp_dir: Path, binary: Path = ANVIL, extra: tuple[str, ...] = ()) -> AnvilNode:
    """Start anvil on a free port and return once it answers eth_chainId; `extra` arguments
    (e.g. `--chain-id 11155111`, `--block-time 1`) are passed on."""
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.fail(
            f"anvil binary not found at {binary}: run `npm ci` in {ROOT} "
            "(it installs @foundry-rs/anvil with its platform package)",
            pytrace=False,
        )
    last_error: Exception | None = None
    for _ in range(3):  # another process may grab the port between free_port() and bind
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = tmp_dir / f"anvil-{port}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    str(binary),
                    "--hardfork", "prague",
                    "--host", "127.0.0.1",
                    "--port", str(port),
                    "--mnemonic", MNEMONIC,
                    "--accounts", str(ACCOUNTS),
                    "--balance", str(BALANCE_ETH),
                    # anvil otherwise writes old blocks' states to ~/.foundry/anvil/tmp and
                    # leaves them there when stopped (~0.4 GB for the 2,000-block test)
                    "--cache-path", str(tmp_dir / "anvil-cache"),
                    *extra,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own group: the wrapper and the real binary
            )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                last_error = RuntimeError(
                    f"anvil exited with {process.returncode}: {log.read_text(errors='replace')}"
                )
                break
            try:
                rpc(url, "eth_chainId", timeout=0.5)
                return AnvilNode(process, url, log)
            except (OSError, urllib.error.URLError) as error:
                last_error = error
                time.sleep(0.05)
        else:
            stop_anvil(process)
            last_error = TimeoutError(f"no answer to eth_chainId within {START_TIMEOUT_S} s")
    pytest.fail(f"could not start anvil: {last_error}", pytrace=False)


def stop_anvil(process: subprocess.Popen[bytes]) -> None:
    """Stop exactly the processes we started: node_modules/.bin/anvil is a Node wrapper that
    spawns the real binary, so the whole process group is terminated (killed if it lingers) and
    waited for; stopping the wrapper alone left the real anvil holding its port for a moment."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


class AnvilTools:
    """The fixture's helpers, handed to tests as a fixture (conftest is not importable under
    pytest's importlib import mode)."""

    start = staticmethod(start_anvil)
    stop = staticmethod(stop_anvil)
    rpc = staticmethod(rpc)
    balance_eth = BALANCE_ETH


@pytest.fixture
def anvil_tools() -> type[AnvilTools]:
    return AnvilTools


@pytest.fixture(scope="module")
def anvil_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnvilNode]:
    """One anvil per test module; tests isolate themselves with snapshots."""
    node = start_anvil(tmp_path_factory.mktemp("anvil"))
    try:
        yield node
    finally:
        stop_anvil(node.process)


@pytest.fixture(scope="module")
def anvil_url(anvil_node: AnvilNode) -> str:
    """The HTTP JSON-RPC URL of a running anvil (Prague, 127.0.0.1, free port)."""
    return anvil_node.url
