"""CLI command `saiaas devnet`: a local anvil node with the marketplace deployed on it, and with
`--ipfs` a local js-ipfs node next to it.

The embedded chain lives inside each command; a devnet is a real JSON-RPC node that several
processes (a client, providers, a wallet) can share, so the integration path is the production
path. Its state is kept on disk by anvil itself (`--state`: loaded at start, dumped on exit), and
the Factory address is recorded for its URL (with its chain id), so `saiaas --rpc-url URL ...`
needs no --factory and a restart finds the same marketplace. The IPFS node (js-ipfs from the
toolchain's node_modules, the only daemon that installs here) keeps its repository in the same
folder, listens on 127.0.0.1 only with its API on a known port (`jsipfs init` would pick a random
one), and is stopped with the devnet by its pid. `saiaas devnet env` prints the export lines that
point every other command at both nodes.
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
#: The js-ipfs repository folder and log, inside the devnet's folder.
IPFS_REPO = "ipfs"
IPFS_LOG = "ipfs.log"
#: How long js-ipfs may take to init and to answer its first request (~5 s on a quiet machine).
IPFS_START_TIMEOUT_S = 90.0


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


def _alive(pid: int, program: bytes = b"anvil") -> bool:
    """Whether `pid` is a running anvil (or `program`: a recycled pid of another program does not
    count)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True  # no /proc (macOS): trust the pid
    return program in cmdline


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
            # old blocks' states go to the devnet's folder, not ~/.foundry/anvil/tmp where
            # anvil leaves them behind when stopped (gigabytes over a long run)
            "--cache-path", str(folder / "anvil-cache"),
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


def _terminate(pid: int, group: bool = False, program: bytes = b"anvil") -> None:
    """SIGTERM (anvil dumps its state), then SIGKILL if it lingers; `group`: the process group
    the pid leads (js-ipfs was started in its own session), so no helper it spawned survives."""
    kill = os.killpg if group else os.kill
    try:
        kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return
        except ChildProcessError:  # not our child: poll for its disappearance
            if not _alive(pid, program):
                return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        kill(pid, signal.SIGKILL)


def find_jsipfs() -> Path:
    """$SAIAAS_JSIPFS, else jsipfs from node_modules/.bin in the working folder or the saiaas
    checkout (or one of their parents)."""
    if given := os.environ.get("SAIAAS_JSIPFS"):
        path = Path(given)
        if path.is_file() and os.access(path, os.X_OK):
            return path
        raise AnvilMissing(f"SAIAAS_JSIPFS={given} is not an executable file")
    roots = [Path.cwd(), Path(__file__).resolve().parent]
    for root in roots:
        for folder in (root, *root.parents):
            candidate = folder / "node_modules" / ".bin" / "jsipfs"
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return candidate
    raise AnvilMissing(
        "jsipfs not found in node_modules/.bin above " + " or ".join(map(str, roots))
        + ": run `npm ci` in the saiaas checkout or set SAIAAS_JSIPFS to the binary"
    )


def _ipfs_answers(api: str) -> bool:
    import urllib.request

    try:
        request = urllib.request.Request(f"{api}/api/v0/version", data=b"", method="POST")
        with urllib.request.urlopen(request, timeout=2.0) as response:
            return bool(response.status == 200)
    except Exception:
        return False


def _free_ports(count: int, taken: int) -> list[int]:
    """`count` ports of 127.0.0.1 that nothing listens on, other than `taken`."""
    import socket

    ports: list[int] = []
    while len(ports) < count:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port != taken and port not in ports:
            ports.append(port)
    return ports


def configure_ipfs(repo: Path, api_port: int) -> None:
    """Every listener of the repository on 127.0.0.1: the API on `api_port`, the gateway, the
    RPC and the swarm on free ports; no bootstrap peers, no mDNS, no delegates (a local node
    that talks to nobody else). The tests' js-ipfs nodes are configured by this too, so the
    recipe a person runs is the one tested."""
    path = repo / "config"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DevnetError(
            f"{path} is unreadable ({error}); delete {repo} to start afresh"
        ) from None
    gateway, rpc, swarm = _free_ports(3, api_port)
    addresses = config.setdefault("Addresses", {})
    addresses["API"] = f"/ip4/127.0.0.1/tcp/{api_port}"
    addresses["Gateway"] = f"/ip4/127.0.0.1/tcp/{gateway}"
    addresses["RPC"] = f"/ip4/127.0.0.1/tcp/{rpc}"
    addresses["Swarm"] = [f"/ip4/127.0.0.1/tcp/{swarm}"]
    addresses["Delegates"] = []
    config["Bootstrap"] = []
    config.setdefault("Discovery", {}).setdefault("MDNS", {})["Enabled"] = False
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")


def _start_ipfs(port: int, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """js-ipfs with its repository in `folder`/ipfs (made on first start) and its API at
    http://127.0.0.1:`port`, in its own session (stopped by its pid's group)."""
    jsipfs = find_jsipfs()
    api = f"http://127.0.0.1:{port}"
    if not _free_port(port):
        raise DevnetError(f"port {port} on 127.0.0.1 is in use: pass another --ipfs-port")
    repo = folder / IPFS_REPO
    env = {**os.environ, "IPFS_PATH": str(repo)}
    if not (repo / "config").exists():
        try:
            init = subprocess.run(
                [str(jsipfs), "init", "--profile", "test", "--emptyRepo"],
                env=env, capture_output=True, timeout=IPFS_START_TIMEOUT_S,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise DevnetError(f"jsipfs init did not finish within {IPFS_START_TIMEOUT_S:.0f} s"
                              ) from None
        if init.returncode != 0:
            tail = (init.stdout + init.stderr).decode(errors="replace").strip().splitlines()[-1:]
            raise DevnetError(f"jsipfs init exited with code {init.returncode}: "
                              f"{' '.join(tail) or 'no output'}")
    configure_ipfs(repo, port)
    log = (folder / IPFS_LOG).open("ab")
    process = subprocess.Popen(
        [str(jsipfs), "daemon", "--enable-preload=false"],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own group: stopped as one, and not by the terminal's Ctrl-C
    )
    log.close()
    try:
        deadline = time.monotonic() + IPFS_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = (folder / IPFS_LOG).read_text(errors="replace").strip().splitlines()[-1:]
                raise DevnetError(
                    f"jsipfs daemon exited with code {process.returncode}: "
                    f"{' '.join(tail) or 'no output'} (log: {folder / IPFS_LOG})"
                )
            if _ipfs_answers(api):
                return process, api
            time.sleep(0.2)
        raise DevnetError(f"jsipfs did not answer at {api} within {IPFS_START_TIMEOUT_S:.0f} s")
    except BaseException:  # Ctrl-C while it starts included: never leave it running
        _terminate(process.pid, group=True, program=b"ipfs")
        raise


def _ensure_factory(url: str, ipfs_api: str | None, store: Path | None) -> tuple[str, bool]:
    """The Factory recorded for `url` if its code is there, else a fresh one: (address, new)."""
    from saiaas.contracts import Factory
    from saiaas.market import Marketplace
    from saiaas.market.marketplace import record_factory, recorded_chain_id, recorded_factory
    from saiaas.ontologies import ontology_bytes

    settings = resolve(rpc_url=url, ipfs_api=ipfs_api, store=store, profiles=False)
    session = Marketplace(settings)  # its own node: no profile, no chain id record to check
    chain_id = session.chain_id
    recorded = recorded_factory(url)
    if recorded and recorded_chain_id(url) in (None, chain_id):
        try:
            address = Factory.at(session.chain, recorded).address
        except ChainError:
            pass  # the node's state was reset: deploy again
        else:
            record_factory(url, address, chain_id)
            if ipfs_api:  # an IPFS node started after the Factory was: give it the ontology
                session.store.put(ontology_bytes())
            return address, False
    ontology_cid = session.store.put(ontology_bytes())
    from saiaas.cli.output import announce_account

    deployer = announce_account(str(session.chain.accounts[0]), "the dev chain's first account")
    deployed = Factory.deploy(session.chain, deployer, ontology_cid)
    record_factory(url, deployed.address, chain_id)
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
    ipfs: Annotated[
        bool,
        typer.Option(
            "--ipfs/--no-ipfs",
            help="Also start a local js-ipfs node (API on 127.0.0.1:--ipfs-port, repository in "
            "the --state folder) and store the marketplace's content there.",
        ),
    ] = False,
    ipfs_port: Annotated[
        int, typer.Option("--ipfs-port", help="Port of the IPFS node's API.", min=1, max=65535)
    ] = 5001,
    ipfs_api: option("ipfs_api") = None,  # type: ignore[valid-type]
    store: option("store") = None,  # type: ignore[valid-type]
    as_json: JsonOption = False,
) -> None:
    """Start anvil on 127.0.0.1 (Prague, state on disk), deploy the Factory, print URL and address.

    With --ipfs a js-ipfs node starts too and its API URL is printed next to the RPC URL;
    `saiaas devnet env` prints both as export lines. A devnet already running from the same
    --state folder is reused. `saiaas devnet stop` stops a detached one (both nodes). Exit codes:
    0 ok, 2 --ipfs with --ipfs-api, 3 anvil or jsipfs not found, 4 a node failed or a port is
    taken.
    """
    if ctx.invoked_subcommand is not None:
        return
    if ipfs and ipfs_api:
        from saiaas.ontologies.errors import UsageError

        raise UsageError("--ipfs starts a local IPFS node; --ipfs-api names another: give one")
    folder = (state or data_dir() / "devnet").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    running = _read_pid_file(folder)
    process: subprocess.Popen[bytes] | None = None
    ipfs_process: subprocess.Popen[bytes] | None = None
    record: dict[str, Any]
    if running and _alive(int(running["pid"])) and _answers(running["url"]):
        url, pid, reused = str(running["url"]), int(running["pid"]), True
        record = dict(running)
        if not detach:
            raise DevnetError(
                f"a devnet from {folder} already runs at {url} (pid {pid}): use it, or stop it "
                "with `saiaas devnet stop` first"
            )
    else:
        anvil = find_anvil()
        process = _start_anvil(anvil, port, folder, detach)
        url, pid, reused = f"http://127.0.0.1:{port}", process.pid, False
        record = {"pid": pid, "url": url, "port": port}
        _write_pid_file(folder, record)
    # From here on a foreground node is ours to stop, whatever happens (Ctrl-C included).
    try:
        if ipfs:
            known = record.get("ipfs_pid")
            if not (known and _alive(int(known), b"ipfs") and _ipfs_answers(record["ipfs_api"])):
                ipfs_process, api = _start_ipfs(ipfs_port, folder)
                record |= {"ipfs_pid": ipfs_process.pid, "ipfs_api": api}
                _write_pid_file(folder, record)
        node_api = record.get("ipfs_api") if ipfs else ipfs_api
        factory, deployed = _ensure_factory(url, node_api, store)
        record["factory"] = factory
        _write_pid_file(folder, record)
        _report(record, deployed, folder, state, detach, reused, as_json)
        if detach or process is None:
            process = ipfs_process = None  # leave them running
            return
        sys.stdout.flush()
        process.wait()
        err_console.print(f"anvil exited with code {process.returncode}")
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a foreground devnet is meant to end
    finally:
        if ipfs_process is not None:
            _terminate(ipfs_process.pid, group=True, program=b"ipfs")
            if process is None:  # a reused anvil: forget only the IPFS node we started
                record.pop("ipfs_pid", None)
                record.pop("ipfs_api", None)
                _write_pid_file(folder, record)
        if process is not None:
            _terminate(process.pid)
            (folder / PID_FILE).unlink(missing_ok=True)


def _write_pid_file(folder: Path, record: dict[str, Any]) -> None:
    (folder / PID_FILE).write_text(json.dumps(record) + "\n", encoding="utf-8")


def _report(
    record: dict[str, Any], deployed: bool, folder: Path, state: Path | None,
    detach: bool, reused: bool, as_json: bool,
) -> None:
    info = {
        "rpc_url": record["url"],
        "ipfs_api": record.get("ipfs_api"),
        "factory": record["factory"],
        "factory_deployed": deployed,
        "pid": record["pid"],
        "ipfs_pid": record.get("ipfs_pid"),
        "state": str(folder / STATE_FILE),
        "detached": detach,
        "reused": reused,
    }
    if as_json:
        print_json(info)
        return
    console.print(f"RPC URL   {record['url']}", highlight=False)
    if record.get("ipfs_api"):
        console.print(f"IPFS API  {record['ipfs_api']}", highlight=False)
    console.print(f"Factory   {record['factory']}{' (deployed)' if deployed else ''}",
                  highlight=False)
    console.print(f"State     {escape(str(folder))}", highlight=False)
    import shlex

    # --state always: a terminal with its own SAIAAS_HOME (a party's folder) finds it too
    flag = " --state " + escape(shlex.quote(str(folder)))
    console.print(f"Point other terminals at it: eval \"$(saiaas devnet env{flag})\"",
                  highlight=False, soft_wrap=True)
    if detach:
        nodes = "anvil" + (" and js-ipfs run" if record.get("ipfs_pid") else " runs")
        console.print(f"{nodes} in the background; stop with `saiaas devnet stop{flag}`",
                      highlight=False)
    else:
        console.print("Ctrl-C stops the node(s) (the chain's state is saved).", highlight=False)


def _export_lines(record: dict[str, Any]) -> dict[str, str]:
    lines = {"SAIAAS_RPC_URL": str(record["url"])}
    if record.get("ipfs_api"):
        lines["SAIAAS_IPFS_API"] = str(record["ipfs_api"])
    if record.get("factory"):
        lines["SAIAAS_FACTORY"] = str(record["factory"])
    return lines


@devnet_app.command("env")
@reports_errors
def env(state: StateOption = None, as_json: JsonOption = False) -> None:
    """Print the export lines that point other commands at the running devnet (RPC URL, IPFS
    API, Factory): `eval "$(saiaas devnet env)"`. Exit code 4 when no devnet runs."""
    import shlex

    folder = (state or data_dir() / "devnet").resolve()
    running = _read_pid_file(folder)
    if running is None or not _alive(int(running["pid"])):
        raise DevnetError(
            f"no devnet runs from {folder}: start one with `saiaas devnet --detach`, or name "
            "the state folder of the one that runs (another SAIAAS_HOME's devnet) with --state")
    lines = _export_lines(running)
    if as_json:
        print_json({"rpc_url": running["url"], "ipfs_api": running.get("ipfs_api"),
                    "factory": running.get("factory"), "variables": lines})
        return
    for name, value in lines.items():
        console.print(f"export {name}={shlex.quote(value)}", highlight=False, soft_wrap=True)


@devnet_app.command("stop")
@reports_errors
def stop(state: StateOption = None, as_json: JsonOption = False) -> None:
    """Stop the detached devnet of the --state folder (its state is saved on the way out)."""
    folder = (state or data_dir() / "devnet").resolve()
    running = _read_pid_file(folder)
    if running is None:
        raise DevnetError(f"no devnet runs from {folder} (no {PID_FILE} there)")
    pid = int(running["pid"])
    ipfs_pid = int(running.get("ipfs_pid") or 0)
    ipfs_running = bool(ipfs_pid) and _alive(ipfs_pid, b"ipfs")
    if ipfs_running:
        _terminate(ipfs_pid, group=True, program=b"ipfs")
    was_running = _alive(pid)
    if was_running:
        _terminate(pid)
    (folder / PID_FILE).unlink(missing_ok=True)
    if as_json:
        print_json({"pid": pid, "stopped": was_running, "ipfs_pid": ipfs_pid or None,
                    "ipfs_stopped": ipfs_running, "state": str(folder / STATE_FILE)})
        return
    if ipfs_running:
        console.print(f"Stopped js-ipfs (pid {ipfs_pid})")
    if was_running:
        console.print(f"Stopped anvil (pid {pid}); state saved in {folder / STATE_FILE}")
    else:
        console.print(f"anvil (pid {pid}) was not running; forgot it")
