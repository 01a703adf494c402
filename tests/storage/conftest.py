"""A real js-ipfs daemon on 127.0.0.1, started once per test session, for the `ipfs` tests.

No Kubo binary installs on this machine (TOOLCHAIN.md); js-ipfs from npm speaks the same Kubo RPC,
so it is the real node these tests talk to. The daemon listens on free loopback ports only, keeps
its repository in a temporary folder, and is stopped by its pid at teardown.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
JSIPFS = ROOT / "node_modules" / ".bin" / "jsipfs"
READY_TIMEOUT_S = 60.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _configure(repo: Path) -> str:
    """Point every listener of the fresh repository at a loopback port (the recipe of `saiaas
    devnet --ipfs`); return the API URL."""
    from saiaas.cli.devnet import configure_ipfs

    api = _free_port()
    configure_ipfs(repo, api)
    return f"http://127.0.0.1:{api}"


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the daemon's process group by its pid; kill it if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def start_jsipfs(repo: Path, log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Init a repository in `repo`, start the daemon, and wait until its RPC answers."""
    if not JSIPFS.exists():
        pytest.fail(f"{JSIPFS} is missing: run `npm ci` in {ROOT} to install js-ipfs")
    env = {**os.environ, "IPFS_PATH": str(repo)}
    init = subprocess.run(
        [str(JSIPFS), "init", "--profile", "test", "--emptyRepo"],
        env=env, capture_output=True, timeout=120,
    )
    if init.returncode != 0:
        tail = (init.stdout + init.stderr).decode(errors="replace")[-2000:]
        pytest.fail(f"jsipfs init failed with {init.returncode}: {tail}")
    api_url = _configure(repo)
    log = log_path.open("wb")
    process = subprocess.Popen(
        [str(JSIPFS), "daemon", "--enable-preload=false"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.close()
            tail = log_path.read_text()[-2000:]
            pytest.fail(f"jsipfs daemon exited with {process.returncode}: {tail}")
        try:
            if httpx.post(f"{api_url}/api/v0/version", timeout=2.0).status_code == 200:
                log.close()
                return process, api_url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    _stop(process)
    log.close()
    pytest.fail(f"jsipfs daemon did not answer on {api_url} within {READY_TIMEOUT_S:.0f} s")


@pytest.fixture(scope="session")
def ipfs_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The RPC URL of a js-ipfs daemon that lives for the whole test session."""
    base = tmp_path_factory.mktemp("jsipfs")
    process, api_url = start_jsipfs(base / "repo", base / "daemon.log")
    try:
        yield api_url
    finally:
        _stop(process)
