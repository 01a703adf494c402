"""`saiaas devnet`: a real anvil with the Factory deployed, state kept on disk, stopped by pid."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from saiaas.cli.app import app
from saiaas.ontologies import ontology_bytes
from saiaas.storage import cid_of
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
ANVIL = ROOT / "node_modules" / ".bin" / "anvil"
SAIAAS = [sys.executable, "-c", "from saiaas.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def alive(pid: int) -> bool:
    try:
        return b"anvil" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.fixture
def devnet_home(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """The test's private data folder (root `home`); any anvil a test leaves running is stopped
    by its pid."""
    started: list[int] = []
    monkeypatch.setattr(sys.modules[__name__], "STARTED", started, raising=False)
    yield tmp_path
    for pid_file in tmp_path.rglob("anvil.json"):
        started.append(int(json.loads(pid_file.read_text())["pid"]))
    for pid in started:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def need_anvil() -> None:
    if not ANVIL.exists():
        pytest.fail(f"anvil missing at {ANVIL}: run `npm ci`", pytrace=False)


@pytest.mark.anvil
def test_detached_devnet_deploys_once_survives_a_restart_and_stops(devnet_home: Path) -> None:
    home = devnet_home
    need_anvil()
    state, port = home / "devnet", free_port()
    first = invoke("devnet", "--detach", "--port", str(port), "--state", str(state), "--json")
    assert first.exit_code == 0, first.stderr
    info = json.loads(first.stdout)
    STARTED.append(info["pid"])  # noqa: F821 (set by the fixture)
    url = f"http://127.0.0.1:{port}"
    assert info["rpc_url"] == url and info["factory_deployed"] is True and alive(info["pid"])
    assert info["account"] == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # deployed the Factory
    recorded = json.loads((home / "home" / "deployments.json").read_text())
    assert recorded[url] == {"address": info["factory"], "chain_id": 31337}
    assert (home / "home" / "store" / cid_of(ontology_bytes())).exists()
    # Commands reach it by URL alone: the Factory comes from deployments.json.
    catalog = ROOT / "ontologies" / "examples" / "data-radiology-archive.ttl"
    listed = invoke("provider", "match", str(catalog), "--rpc-url", url, "--json")
    assert listed.exit_code == 0, listed.stderr
    report = json.loads(listed.stdout)
    assert report.pop("index")["behind"] == 0  # the chain index's lag, added by issue 14
    assert report == {"factory": info["factory"], "matches": [], "skipped": []}
    again = json.loads(invoke("devnet", "--detach", "--state", str(state), "--json").stdout)
    assert again["reused"] is True and again["pid"] == info["pid"]
    assert again["factory"] == info["factory"] and again["factory_deployed"] is False
    assert "account" not in again  # nothing was sent
    shown = invoke("devnet", "--detach", "--state", str(state))  # a party with its own folder
    hint = f'eval "$(saiaas devnet env --state {state.resolve()})"'  # finds it with this line
    assert shown.exit_code == 0 and hint in shown.stdout
    stopped = invoke("devnet", "stop", "--state", str(state), "--json")
    assert stopped.exit_code == 0 and json.loads(stopped.stdout)["stopped"] is True
    deadline = time.monotonic() + 10
    while alive(info["pid"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(info["pid"])
    assert (state / "anvil-state.json").stat().st_size > 0
    # Restarted from its state file, the node still holds the same Factory.
    restarted = invoke("devnet", "--detach", "--port", str(port), "--state", str(state), "--json")
    assert restarted.exit_code == 0, restarted.stderr
    second = json.loads(restarted.stdout)
    STARTED.append(second["pid"])  # noqa: F821
    assert second["factory"] == info["factory"] and second["factory_deployed"] is False
    assert invoke("devnet", "stop", "--state", str(state)).exit_code == 0
    nothing = invoke("devnet", "stop", "--state", str(state))
    assert nothing.exit_code == 4 and "no devnet runs from" in nothing.stderr


@pytest.mark.anvil
def test_foreground_devnet_stops_anvil_on_ctrl_c(devnet_home: Path) -> None:
    home = devnet_home
    need_anvil()
    state, port = home / "fg", free_port()
    process = subprocess.Popen(
        [*SAIAAS, "devnet", "--port", str(port), "--state", str(state), "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=os.environ.copy(),
    )
    try:
        assert process.stdout is not None
        text = ""
        while not text.rstrip().endswith("}"):
            line = process.stdout.readline().decode()
            assert line, process.stderr.read().decode() if process.stderr else ""
            text += line
        info = json.loads(text)
        STARTED.append(info["pid"])  # noqa: F821
        assert info["detached"] is False and alive(info["pid"])
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        assert not alive(info["pid"])
        assert not (state / "anvil.json").exists()
        assert (state / "anvil-state.json").stat().st_size > 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_missing_anvil_is_a_clear_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAIAAS_ANVIL", str(home / "no-anvil"))
    result = invoke("devnet", "--detach", "--state", str(home / "d"))
    assert result.exit_code == 3
    expected = f"error: SAIAAS_ANVIL={home / 'no-anvil'} is not an executable file"
    assert result.stderr.strip() == expected


@pytest.mark.anvil
def test_a_taken_port_is_refused(devnet_home: Path) -> None:
    home = devnet_home
    need_anvil()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = invoke("devnet", "--detach", "--port", str(port), "--state", str(home / "d"))
    assert result.exit_code == 4 and f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "Traceback" not in result.stderr


def _ipfs_version(api: str) -> int:
    import urllib.request

    request = urllib.request.Request(f"{api}/api/v0/version", data=b"", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=2.0) as response:
            return int(response.status)
    except OSError:
        return 0


@pytest.mark.anvil
@pytest.mark.ipfs
@pytest.mark.slow
def test_devnet_with_ipfs_starts_both_nodes_prints_their_urls_and_stops_both(
    devnet_home: Path,
) -> None:
    need_anvil()
    state, port, ipfs_port = devnet_home / "both", free_port(), free_port()
    ipfs_pid = 0
    try:
        started = invoke("devnet", "--detach", "--ipfs", "--port", str(port),
                         "--ipfs-port", str(ipfs_port), "--state", str(state), "--json")
        assert started.exit_code == 0, started.stdout + started.stderr
        info = json.loads(started.stdout)
        STARTED.append(info["pid"])  # noqa: F821
        ipfs_pid = info["ipfs_pid"]
        api = f"http://127.0.0.1:{ipfs_port}"
        assert info["ipfs_api"] == api and _ipfs_version(api) == 200
        # Its repository is in the devnet's folder, every listener on 127.0.0.1.
        config = json.loads((state / "ipfs" / "config").read_text())
        assert config["Addresses"]["API"] == f"/ip4/127.0.0.1/tcp/{ipfs_port}"
        assert all(a.startswith("/ip4/127.0.0.1/") for a in config["Addresses"]["Swarm"])
        # The ontology the Factory names is on the node.
        cid = cid_of(ontology_bytes())
        fetched = invoke("store", "get", cid, "--ipfs-api", api)
        assert fetched.exit_code == 0 and fetched.stdout.encode() == ontology_bytes()
        # `devnet env` prints what other terminals export.
        exports = invoke("devnet", "env", "--state", str(state))
        assert exports.exit_code == 0
        assert exports.stdout.splitlines() == [
            f"export SAIAAS_RPC_URL=http://127.0.0.1:{port}",
            f"export SAIAAS_IPFS_API={api}",
            f"export SAIAAS_FACTORY={info['factory']}",
        ]
        as_json = json.loads(invoke("devnet", "env", "--state", str(state), "--json").stdout)
        assert as_json["variables"]["SAIAAS_IPFS_API"] == api
        # Started again, both are reused.
        again = json.loads(invoke("devnet", "--detach", "--ipfs", "--state", str(state),
                                  "--json").stdout)
        assert again["reused"] and again["ipfs_pid"] == ipfs_pid and again["ipfs_api"] == api
        stopped = invoke("devnet", "stop", "--state", str(state), "--json")
        assert stopped.exit_code == 0
        assert json.loads(stopped.stdout)["ipfs_stopped"] is True
        deadline = time.monotonic() + 15
        while _ipfs_version(api) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _ipfs_version(api) == 0 and not alive(info["pid"])
        assert not Path(f"/proc/{ipfs_pid}").exists()
        gone = invoke("devnet", "env", "--state", str(state))
        assert gone.exit_code == 4 and "no devnet runs from" in gone.stderr
    finally:
        if ipfs_pid and Path(f"/proc/{ipfs_pid}").exists():
            os.killpg(ipfs_pid, signal.SIGKILL)


def test_devnet_ipfs_and_ipfs_api_together_are_a_usage_error(home: Path) -> None:
    result = invoke("devnet", "--ipfs", "--ipfs-api", "http://127.0.0.1:5001",
                    "--state", str(home / "d"))
    assert result.exit_code == 2 and "give one" in result.stderr
    assert not (home / "d" / "anvil.json").exists()


@pytest.mark.anvil
def test_a_failing_jsipfs_leaves_no_node_running(
    devnet_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need_anvil()
    broken = devnet_home / "jsipfs"
    broken.write_text("#!/bin/sh\necho 'repo locked' >&2\nexit 7\n")
    broken.chmod(0o755)
    monkeypatch.setenv("SAIAAS_JSIPFS", str(broken))
    state, port = devnet_home / "broken", free_port()
    result = invoke("devnet", "--detach", "--ipfs", "--port", str(port), "--state", str(state))
    assert result.exit_code == 4
    assert result.stderr.strip() == "error: jsipfs init exited with code 7: repo locked"
    assert not (state / "anvil.json").exists()
    with socket.socket() as sock:  # the anvil it started is stopped again
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def test_env_without_a_devnet_here_points_to_state_for_another_data_folder(cli) -> None:
    # a party with its own SAIAAS_HOME runs `eval "$(saiaas devnet env)"`: the devnet was
    # started from the first party's folder, so say how to name it
    result = cli("devnet", "env")
    assert result.exit_code == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no devnet runs from" in lines[0] and "--state" in lines[0]
    assert result.stdout == ""  # nothing for eval to run
