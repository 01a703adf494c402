"""CLI command `saiaas devnet`: a local anvil node with the marketplace deployed on it.

The embedded chain lives inside each command; a devnet is a real JSON-RPC node that several
processes (a client, providers, a wallet) can share, so the integration path is the production
path. Its state is kept on disk by anvil itself (`--state`: loaded at start, dumped on exit), and
the Factory address is recorded for its URL, so `saiaas --rpc-url URL ...` needs no --factory and a
restart finds the same marketplace.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from saiaas.cli.options import JsonOption, option
from saiaas.cli.output import console, err_console, print_json, reports_errors
from saiaas.contracts import ChainError
from saiaas.market.config import data_dir, resolve
from saiaas.ontologies.errors import InputError

__all__ = ["devnet_app", "DevnetError", "find_anvil", "start", "stop"]

devnet_app = typer.Typer(
    help="A local anvil node (state kept on disk) with the marketplace Factory deployed.",
    invoke_without_command=True,
    no_args_is_help=False,
)

#: How long anvil may take to answer its first request.
START_TIMEOUT_S = 20.0
#: How long a stopped anvil may take to dump its state and exit before it is killed.
STOP_TIMEOUT_S = 10.0
PID_FILE = "anvil.json"
STATE_FILE = "anvil-state.json"
LOG_FILE = "anvil.log"


class DevnetError(ChainError):
    """The devnet cannot be started, reached or stopped."""



class AnvilMissing(InputError):
    """No anvil binary where saiaas looks for one."""



StateOption = Annotated[
    Path | None,
    typer.Option(
        "--state",
        help="Folder of the devnet's chain state, pid and log; default: <data dir>/devnet.",
        show_default=False,
    ),
]


def find_anvil() -> Path:
    """$SAIAAS_ANVIL, else anvil from node_modules in the working folder or the saiaas checkout
    (or one of their parents)."""
    if given := os.environ.get("SAIAAS_ANVIL"):
        path = Path(given)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise AnvilMissing(f"SAIAAS_ANVIL={given} is not an executable file")
    roots = [Path.cwd(), Path(__file__).resolve().parent]
    tried = []
    for root in roots:
        for folder in (root, *root.parents):
            modules = folder / "node_modules"
            # The platform package's native binary first: .bin/anvil is a node wrapper that
            # spawns it, and stopping the wrapper by pid would leave the node running.
            candidates = [*sorted(modules.glob("@foundry-rs/anvil-*/bin/anvil")),
                          modules / ".bin" / "anvil"]
            for candidate in candidates:
                if candidate.is_file() and os.access(candidate, os.X_OK):
                    return candidate
        tried.append(str(root))
    raise AnvilMissing(
        "anvil not found in node_modules/.bin above " + " or ".join(tried)
        + ": run `npm ci` in the saiaas checkout or set SAIAAS_ANVIL to the binary"
    )


def _rpc(url: str, method: str, timeout: float = 1.0) -> Any:
    """One JSON-RPC call with the standard library (no web3 import while waiting for a node)."""
    import urllib.request

    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": []}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())["result"]


def _answers(url: str) -> bool:
    try:
        _rpc(url, "eth_chainId")
        return True
    except Exception:
        return False


def _alive(pid: int) -> bool:
    """Whether `pid` is a running anvil (a recycled pid of another program does not count)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True  # no /proc (macOS): trust the pid
    return b"anvil" in cmdline


def _read_pid_file(folder: Path) -> dict[str, Any] | None:
    try:
        return dict(json.loads((folder / PID_FILE).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise DevnetError(f"{folder / PID_FILE} is unreadable ({error}); delete it") from None


def _free_port(port: int) -> bool:
    """Nothing listens on the port (a connect test: closed connections in TIME_WAIT from a
    previous node do not keep anvil from binding, but would fail a plain bind)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _start_anvil(anvil: Path, port: int, folder: Path, detach: bool) -> subprocess.Popen[bytes]:
    url = f"http://127.0.0.1:{port}"
    if not _free_port(port):
        raise DevnetError(f"port {port} on 127.0.0.1 is in use: pass another --port")
    log = (folder / LOG_FILE).open("ab")
    process = subprocess.Popen(
        [
            str(anvil),
            "--hardfork", "prague",
            "--host", "127.0.0.1",
            "--port", str(port),
            "--state", str(folder / STATE_FILE),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=detach,  # a detached node outlives the terminal's Ctrl-C
    )
    log.close()
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (folder / LOG_FILE).read_text(errors="replace").strip().splitlines()[-1:]
            raise DevnetError(
                f"anvil exited with code {process.returncode}: {' '.join(tail) or 'no output'}"
                f" (log: {folder / LOG_FILE})"
            )
        if _answers(url):
            return process
        time.sleep(0.05)
    _terminate(process.pid)
    raise DevnetError(f"anvil did not answer at {url} within {START_TIMEOUT_S:.0f} s")


def _terminate(pid: int) -> None:
    """SIGTERM (anvil dumps its state), then SIGKILL if it lingers."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return
        except ChildProcessError:  # not our child: poll for its disappearance
            if not _alive(pid):
                return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _ensure_factory(url: str, ipfs_api: str | None, store: Path | None) -> tuple[str, bool]:
    """The Factory recorded for `url` if its code is there, else a fresh one: (address, new)."""
    from saiaas.contracts import Factory
    from saiaas.market import Marketplace
    from saiaas.market.marketplace import record_factory, recorded_factory
    from saiaas.ontologies import ontology_bytes

    settings = resolve(rpc_url=url, ipfs_api=ipfs_api, store=store)
    with Marketplace.open(settings) as session:
        recorded = recorded_factory(url)
        if recorded:
            try:
                return Factory.at(session.chain, recorded).address, False
            except ChainError:
                pass  # the node's state was reset: deploy again
        ontology_cid = session.store.put(ontology_bytes())
        deployed = Factory.deploy(session.chain, session.chain.accounts[0], ontology_cid)
        record_factory(url, deployed.address)
        return deployed.address, True


@devnet_app.callback()
@reports_errors
def start(
    ctx: typer.Context,
    port: Annotated[
        int, typer.Option("--port", help="Port on 127.0.0.1.", min=1, max=65535)
    ] = 8545,
    state: StateOption = None,
    detach: Annotated[
        bool,
        typer.Option(
            "--detach/--foreground",
            help="Leave anvil running in the background, or run until Ctrl-C (default).",
        ),
    ] = False,
    ipfs_api: option("ipfs_api") = None,  # type: ignore[valid-type]
    store: option("store") = None,  # type: ignore[valid-type]
    as_json: JsonOption = False,
) -> None:
    """Start anvil on 127.0.0.1 (Prague, state on disk), deploy the Factory, print URL and address.

    A devnet already running from the same --state folder is reused. `saiaas devnet stop` stops
    a detached one. Exit codes: 0 ok, 3 anvil not found, 4 anvil failed or the port is taken.
    """
    if ctx.invoked_subcommand is not None:
        return
    folder = (state or data_dir() / "devnet").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    running = _read_pid_file(folder)
    process: subprocess.Popen[bytes] | None = None
    if running and _alive(int(running["pid"])) and _answers(running["url"]):
        url, pid, reused = str(running["url"]), int(running["pid"]), True
        if not detach:
            raise DevnetError(
                f"a devnet from {folder} already runs at {url} (pid {pid}): use it, or stop it "
                "with `saiaas devnet stop` first"
            )
    else:
        anvil = find_anvil()
        process = _start_anvil(anvil, port, folder, detach)
        url, pid, reused = f"http://127.0.0.1:{port}", process.pid, False
        (folder / PID_FILE).write_text(
            json.dumps({"pid": pid, "url": url, "port": port}) + "\n", encoding="utf-8"
        )
    # From here on a foreground node is ours to stop, whatever happens (Ctrl-C included).
    try:
        factory, deployed = _ensure_factory(url, ipfs_api, store)
        _report(url, factory, deployed, pid, folder, state, detach, reused, as_json)
        if detach or process is None:
            process = None  # leave it running
            return
        sys.stdout.flush()
        process.wait()
        err_console.print(f"anvil exited with code {process.returncode}")
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a foreground devnet is meant to end
    finally:
        if process is not None:
            _terminate(process.pid)
            (folder / PID_FILE).unlink(missing_ok=True)


def _report(
    url: str, factory: str, deployed: bool, pid: int, folder: Path, state: Path | None,
    detach: bool, reused: bool, as_json: bool,
) -> None:
    info = {
        "rpc_url": url,
        "factory": factory,
        "factory_deployed": deployed,
        "pid": pid,
        "state": str(folder / STATE_FILE),
        "detached": detach,
        "reused": reused,
    }
    if as_json:
        print_json(info)
        return
    console.print(f"RPC URL   {url}", highlight=False)
    console.print(f"Factory   {factory}{' (deployed)' if deployed else ''}", highlight=False)
    console.print(f"State     {escape(str(folder / STATE_FILE))}", highlight=False)
    if detach:
        console.print(
            f"anvil runs as pid {pid}; stop it with `saiaas devnet stop"
            f"{'' if state is None else ' --state ' + escape(str(state))}`",
            highlight=False,
        )
    else:
        console.print("Ctrl-C stops the node (its state is saved).", highlight=False)


@devnet_app.command("stop")
@reports_errors
def stop(state: StateOption = None, as_json: JsonOption = False) -> None:
    """Stop the detached devnet of the --state folder (its state is saved on the way out)."""
    folder = (state or data_dir() / "devnet").resolve()
    running = _read_pid_file(folder)
    if running is None:
        raise DevnetError(f"no devnet runs from {folder} (no {PID_FILE} there)")
    pid = int(running["pid"])
    was_running = _alive(pid)
    if was_running:
        _terminate(pid)
    (folder / PID_FILE).unlink(missing_ok=True)
    if as_json:
        print_json({"pid": pid, "stopped": was_running, "state": str(folder / STATE_FILE)})
    elif was_running:
        console.print(f"Stopped anvil (pid {pid}); state saved in {folder / STATE_FILE}")
    else:
        console.print(f"anvil (pid {pid}) was not running; forgot it")
