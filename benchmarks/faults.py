"""Fault injection against the CLI: `saiaas bench faults` and the tests/faults suite.

Each experiment runs real commands (in this process, each in its own data folder, cut after a
time limit) under one fault and classifies the outcome:

- survived: ended with a documented exit code and one readable line (no traceback, no hang);
- traceback: a Python traceback, or the internal-error exit (70);
- hang: still running at the limit;
- silent wrong state: the command said it succeeded (exit 0) while the state is not what it said
  (a bid not on chain, an auction whose requirement file cannot be fetched, damage read as data);
- outcome lost: a transaction landed on chain while the command failed without saying so and the
  next command did not report it either.

Fault kinds: `node` (anvil behind a proxy that closes, hangs, answers garbage, drips, or loses
the answer to a sent transaction after N requests), `ipfs` (a fake Kubo RPC that does the same,
or serves other bytes than it accepted), `corrupt` (damaged chain file, deployments record,
keystore, config), `leftovers` (temporary files of killed commands), `hostile` (a corpus of
hostile files and values through every command that reads a file).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from saiaas.benchmarks._faultkit import (
    FakeKubo,
    FaultyProxy,
    Outcome,
    hostile_corpus,
    run_cli,
)

__all__ = ["run", "render", "KINDS", "SIZES"]

KINDS = ("hostile", "corrupt", "leftovers", "ipfs", "node")
#: "ci": about a minute on 2 cores; "thorough": the issue's sizes (several minutes).
SIZES = ("ci", "thorough")

_REQUEST = "hospital-request.ttl"
_CATALOG = "data-radiology-archive.ttl"
_ASSET = "https://example.org/radiology-archive#chest-xray-5k"


class _Tally:
    def __init__(self) -> None:
        self.kinds: dict[str, dict[str, Any]] = {}

    def count(self, kind: str, name: str) -> None:
        counters = self.kinds.setdefault(kind, {}).setdefault("counters", {})
        counters[name] = counters.get(name, 0) + 1

    def add(self, kind: str, outcome: Outcome, wrong: bool = False, lost: bool = False,
            case: str = "") -> None:
        row = self.kinds.setdefault(kind, {})
        for name, zero in (("runs", 0), ("survived", 0), ("tracebacks", 0), ("hangs", 0),
                           ("silent_wrong_states", 0), ("outcomes_lost", 0),
                           ("max_seconds", 0.0), ("failures", []), ("counters", {})):
            row.setdefault(name, zero)
        row["runs"] += 1
        row["max_seconds"] = max(row["max_seconds"], round(outcome.seconds, 2))
        row.setdefault("slowest", []).append((round(outcome.seconds, 2), case))
        row["slowest"] = sorted(row["slowest"], reverse=True)[:5]
        bad = []
        if outcome.hung:
            row["hangs"] += 1
            bad.append("hang")
        elif outcome.crashed:
            row["tracebacks"] += 1
            bad.append("traceback")
        if wrong:
            row["silent_wrong_states"] += 1
            bad.append("silent wrong state")
        if lost:
            row["outcomes_lost"] += 1
            bad.append("outcome lost")
        if bad:
            row["failures"].append({"case": case, "why": bad, **outcome.short()})
        else:
            row["survived"] += 1


def run(size: str = "ci", kinds: tuple[str, ...] = KINDS, limit: float = 60.0,
        anvil: str | None = None) -> dict[str, Any]:
    """Run the experiments of `kinds` at `size`; each command is cut after `limit` seconds.
    `anvil`: the anvil binary (default: found like `saiaas devnet` finds it; no anvil, no
    `node` experiments, said in the result)."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}")
    thorough = size == "thorough"
    tally = _Tally()
    notes: list[str] = []
    started = time.monotonic()
    hostile_count = 0
    with tempfile.TemporaryDirectory(prefix="saiaas-faults-") as scratch:
        root = Path(scratch)
        if "hostile" in kinds:
            hostile_count = _hostile(tally, root / "hostile", thorough, limit)
        if "corrupt" in kinds:
            _corrupt(tally, root / "corrupt", thorough, limit)
        if "leftovers" in kinds:
            _leftovers(tally, root / "leftovers", limit)
        if "ipfs" in kinds:
            _ipfs(tally, root / "ipfs", thorough, limit)
        if "node" in kinds:
            binary = anvil or _find_anvil()
            if binary is None:
                notes.append("node: anvil not found (npm ci), node faults not run")
            else:
                _node(tally, root / "node", thorough, limit, binary)
    totals = {k: sum(row[k] for row in tally.kinds.values())
              for k in ("runs", "survived", "tracebacks", "hangs", "silent_wrong_states",
                        "outcomes_lost")}
    return {"size": size, "limit_s": limit, "seconds": round(time.monotonic() - started, 1),
            "kinds": tally.kinds, "totals": totals, "hostile_corpus": hostile_count,
            "notes": notes}


def render(result: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    table = Table(title=f"fault injection ({result['size']}, limit {result['limit_s']:g} s, "
                  f"{result['seconds']:g} s in all)", title_justify="left")
    columns = ("runs", "survived", "tracebacks", "hangs", "silent_wrong_states",
               "outcomes_lost", "max_seconds")
    table.add_column("kind")
    for column in columns:
        table.add_column(column.replace("_", " "), justify="right")
    for kind, row in result["kinds"].items():
        table.add_row(kind, *(str(row[c]) for c in columns))
    console.print(table)
    console.print(f"hostile corpus: {result['hostile_corpus']} files and values",
                  highlight=False)
    for kind, row in result["kinds"].items():
        for name, value in row["counters"].items():
            console.print(f"{kind}: {name.replace('_', ' ')}: {value}", highlight=False)
    for kind, row in result["kinds"].items():
        for failure in row["failures"][:10]:
            console.print(f"[red]{kind}[/] {failure}", highlight=False, soft_wrap=True)
    for note in result["notes"]:
        console.print(f"[yellow]{note}[/]", highlight=False)


# ------------------------------------------------------------------------------ helpers


def _example(name: str) -> str:
    from saiaas.ontologies import example_path

    return str(example_path(name))


def _env(home: Path, **extra: str) -> dict[str, str | None]:
    """The environment of one run: its own data folder, short timeouts, no outside setting."""
    env: dict[str, str | None] = {
        "SAIAAS_HOME": str(home), "SAIAAS_CONFIG": str(home / "no-config.toml"),
        "SAIAAS_RPC_TIMEOUT": "1", "SAIAAS_RECEIPT_TIMEOUT": "5", "SAIAAS_IPFS_TIMEOUT": "1",
        "SAIAAS_DEBUG": None,
    }
    for name in ("SAIAAS_RPC_URL", "SAIAAS_IPFS_API", "SAIAAS_FACTORY", "SAIAAS_KEYSTORE",
                 "SAIAAS_ACCOUNT", "SAIAAS_STORE", "SAIAAS_PASSWORD", "SAIAAS_PASSWORD_FILE"):
        env[name] = None
    env.update(extra)
    return env


def _find_anvil() -> str | None:
    from saiaas.cli.devnet import find_anvil

    try:
        return str(find_anvil())
    except Exception:  # noqa: BLE001 (no anvil: said in the result)
        return None


# ------------------------------------------------------------------------------ hostile


def _hostile(tally: _Tally, folder: Path, thorough: bool, limit: float) -> int:
    """Every hostile file through every command that reads one; hostile values too."""
    corpus = hostile_corpus(folder / "files", thorough)
    home = folder / "home"
    request, catalog = _example(_REQUEST), _example(_CATALOG)
    nobody = "0x000000000000000000000000000000000000dEaD"
    commands: dict[str, Callable[[str], list[str]]] = {
        "validate": lambda f: ["validate", f],
        "match-request": lambda f: ["match", f, catalog],
        "match-catalog": lambda f: ["match", request, f],
        "store-put": lambda f: ["store", "put", f],
        "auction-create": lambda f: ["auction", "create", f],
        "provider-bid": lambda f: ["provider", "bid", nobody, "--asset", "x", "--price",
                                   "0.1ether", "--catalog", f],
        "provider-match": lambda f: ["provider", "match", f],
    }
    regular_ok = {"empty", "whitespace", "binary", "not-utf8", "bom", "bad-syntax",
                  "unbound-prefix", "over-1MB", "deep-list", "deep-blank", "5000-digits",
                  "huge-exponent", "long-line", "many-prefixes", "invalid-catalog",
                  "stdin-garbage", "stdin-too-big", "invalid-catalog-250KB", "catalog-1MB"}
    if not thorough:  # the same reader serves them all; the thorough size runs every pair
        for name in ("match-request", "provider-match"):
            del commands[name]
    for case in corpus:
        for command, make in commands.items():
            outcome = run_cli(make(case.path), _env(home), limit, case.stdin)
            if command == "store-put":
                wrong = (outcome.exit_code == 0) != (case.name in regular_ok)
            elif command == "match-catalog":  # offline and lenient by design: a catalog with
                wrong = False  # no usable asset is reported as "no asset of this category"
            else:  # no hostile file is a valid requirement file or catalog
                wrong = outcome.exit_code == 0
            tally.add("hostile", outcome, wrong=wrong, case=f"{command}:{case.name}")
    values = [["--duration", "²"], ["--duration", "1" * 5000], ["--duration", "1d" * 20000],
              ["--duration", "-5s"], ["--reserve", "9" * 5000], ["--reserve", "1e999ether"],
              ["--reserve", "NaN"], ["--duration", "99999999999999999999d"]]
    for value in values:
        outcome = run_cli(["auction", "create", request, *value], _env(home), limit)
        tally.add("hostile", outcome, wrong=outcome.exit_code != 2, case=f"value:{value[1][:12]}")
    outcome = run_cli(["auction", "list", "--rpc-url", ""], _env(home), limit)
    tally.add("hostile", outcome, wrong=outcome.exit_code != 2, case="empty --rpc-url")
    return len(corpus) + len(values) + 1


# ------------------------------------------------------------------------------ corruption


def _base_home(folder: Path, limit: float) -> tuple[Path, str]:
    """A data folder holding an embedded chain with one auction (1 ETH in escrow)."""
    home = folder / "base"
    created = run_cli(["auction", "create", _example(_REQUEST), "--json"], _env(home), limit)
    if created.exit_code != 0:
        raise RuntimeError(f"could not create the base auction: {created.stderr}")
    return home, json.loads(created.stdout)["address"]


def _damaged_copies(chain_file: bytes, count: int, rng: random.Random) -> list[tuple[str, bytes]]:
    copies = [("empty", b""), ("magic-only", chain_file[:15]),
              ("truncated-half", chain_file[: len(chain_file) // 2]),
              ("truncated-1", chain_file[:-1])]
    while len(copies) < count:
        data = bytearray(chain_file)
        choice = rng.choice(("flip", "bytes", "cut"))
        at = rng.randrange(15, len(data))
        if choice == "flip":
            data[at] ^= 1 << rng.randrange(8)
        elif choice == "bytes":
            data[at : at + 16] = rng.randbytes(16)
        else:
            del data[at:]
        copies.append((f"{choice}@{at}", bytes(data)))
    return copies[:count]


def _corrupt(tally: _Tally, folder: Path, thorough: bool, limit: float) -> None:
    base, auction = _base_home(folder, limit)
    rng = random.Random(16)
    original = (base / "chain.bin").read_bytes()
    for index, (name, data) in enumerate(_damaged_copies(original, 23 if thorough else 6, rng)):
        home = folder / f"chain-{index}"
        shutil.copytree(base, home)
        (home / "chain.bin").write_bytes(data)
        for args in (["auction", "status", auction, "--json"], ["auction", "list", "--json"]):
            outcome = run_cli(args, _env(home), limit)
            tally.add("corrupt", outcome, wrong=outcome.exit_code == 0,
                      case=f"chain.bin {name}: {args[1]}")
    record = json.loads((base / "deployments.json").read_text())
    factory = record["embedded"]
    damaged_records = {
        "emptied": "{}", "deleted": None, "truncated": json.dumps(record)[:20],
        "address-changed": json.dumps({**record, "embedded": factory[:-1] + (
            "0" if factory[-1] != "0" else "1")}),
        "not-json": "\x00\x01", "a-list": "[]",
    }
    for name, text in damaged_records.items():
        home = folder / f"record-{name}"
        shutil.copytree(base, home)
        if text is None:
            (home / "deployments.json").unlink()
        else:
            (home / "deployments.json").write_text(text)
        (home / "deployments.json.bak").unlink(missing_ok=True)
        outcome = run_cli(["auction", "list", "--json"], _env(home), limit)
        # exit 0 is right only if the old auction is listed (never a new, empty Factory)
        wrong = outcome.exit_code == 0 and auction not in outcome.stdout
        tally.add("corrupt", outcome, wrong=wrong, case=f"deployments {name}")
    keystores = folder / "keys"
    keystores.mkdir()
    (keystores / "truncated.json").write_text('{"address": "0x12')
    (keystores / "binary.json").write_bytes(b"\x00\xff" * 10)
    (keystores / "wrong-shape.json").write_text("[1, 2]")
    outcome = run_cli(["account", "list", "--json", "--keystore", str(keystores)],
                      _env(folder / "k-home"), limit)
    listed = outcome.stdout.count('"damaged"') if outcome.exit_code == 0 else 0
    tally.add("corrupt", outcome, wrong=outcome.exit_code == 0 and listed != 3,
              case="keystores damaged")
    for name, text in {"table": "store = {a = 1}\n", "not-toml": "[[[\n", "binary": "\x00",
                       "unknown-key": 'nope = "x"\n', "int": "rpc_url = 5\n"}.items():
        config = folder / f"config-{name}.toml"
        config.write_text(text)
        home = folder / f"c-home-{name}"
        outcome = run_cli(["store", "put", "-"], _env(home, SAIAAS_CONFIG=str(config)), limit,
                          b"x")
        tally.add("corrupt", outcome, wrong=outcome.exit_code == 0, case=f"config {name}")


# ------------------------------------------------------------------------------ leftovers


def _leftovers(tally: _Tally, folder: Path, limit: float) -> None:
    """Temporary files of killed commands (a dead pid in their name) are gone after the next
    command; a running command's are kept."""
    base, _auction = _base_home(folder, limit)
    dead = _dead_pid()
    made = [base / ".chain-abc123.part", base / f".deployments.json.{dead}.part",
            base / "store" / f".put-p{dead}-xyz.part"]
    alive = base / "store" / f".put-p{os.getpid()}-keep.part"
    for path in [*made, alive]:
        path.write_bytes(b"half")
    outcome = run_cli(["auction", "list", "--json"], _env(base), limit)
    wrong = any(p.exists() for p in made) or not alive.exists()
    tally.add("leftovers", outcome, wrong=wrong, case="leftover .part files")
    alive.unlink(missing_ok=True)


def _dead_pid() -> int:
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait(timeout=30)
    return process.pid


# ------------------------------------------------------------------------------ IPFS


def _ipfs(tally: _Tally, folder: Path, thorough: bool, limit: float) -> None:
    kubo = FakeKubo()
    url = kubo.start()
    try:
        from saiaas.storage import cid_of

        sample = folder / "sample.bin"
        folder.mkdir(parents=True, exist_ok=True)
        sample.write_bytes(b"fault injection sample\n")
        cid = cid_of(sample.read_bytes())
        base, _auction = _base_home(folder, limit)  # the Factory exists before the faults
        modes = ["close", "hang", "garbage", "drip", "other-bytes"]
        afters = [0, 1, 2] if thorough else [0, 1]
        for mode in modes:
            slow = mode in ("hang", "drip")
            for after in afters if thorough or not slow else [1]:
                for name, args, stdin in (
                    ("store-put", ["store", "put", str(sample), "--timeout", "1"], None),
                    ("store-get", ["store", "get", cid, "--timeout", "1"], None),
                    ("auction-create", ["auction", "create", _example(_REQUEST), "--json"],
                     None),
                ):
                    kubo.heal()
                    kubo.blocks[cid] = sample.read_bytes()
                    home = folder / f"{mode}-{after}-{name}"
                    shutil.copytree(base, home)
                    kubo.fail(mode, after)
                    outcome = run_cli(args, _env(home, SAIAAS_IPFS_API=url), limit, stdin)
                    served_other = kubo.served_other
                    kubo.heal()
                    wrong = False
                    if mode == "other-bytes" and name in ("store-put", "auction-create"):
                        # published although the node served other bytes for it meanwhile
                        wrong = outcome.exit_code == 0 and served_other > 0
                    if name == "store-get" and outcome.exit_code == 0:
                        wrong = outcome.stdout.encode() != sample.read_bytes()
                    tally.add("ipfs", outcome, wrong=wrong, case=f"{name} {mode} after {after}")
    finally:
        kubo.stop()


# ------------------------------------------------------------------------------ node


def _node(tally: _Tally, folder: Path, thorough: bool, limit: float, binary: str) -> None:
    import subprocess

    from saiaas.benchmarks._faultkit import free_port, wait_for

    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    anvil_url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([binary, "--hardfork", "prague", "--host", "127.0.0.1", "--port",
                                str(port), "--max-persisted-states", "0"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL)
    proxy = FaultyProxy(anvil_url)
    try:
        from saiaas.contracts import Chain, Factory
        from saiaas.ontologies import ontology_bytes
        from saiaas.storage import LocalStore

        if not wait_for(lambda: Chain.connect(anvil_url, timeout=1) is not None, 15):
            raise RuntimeError("anvil did not start")
        chain = Chain.connect(anvil_url)
        store = folder / "store"
        factory = Factory.deploy(chain, chain.accounts[0], LocalStore(store).put(ontology_bytes()))
        proxy_url = proxy.start()
        setup = _env(folder / "setup", SAIAAS_RPC_URL=anvil_url, SAIAAS_FACTORY=factory.address,
                     SAIAAS_STORE=str(store))
        created = run_cli(["auction", "create", _example(_REQUEST), "--json"], setup, limit)
        if created.exit_code != 0:
            raise RuntimeError(f"could not create the auction on anvil: {created.stderr}")
        auction = json.loads(created.stdout)["address"]
        from saiaas.contracts import Auction

        handle = Auction.at(chain, auction)
        bidder = chain.accounts[1]
        modes = ["close", "hang", "garbage", "drip", "lose", "lose-send", "close-after-send"]
        afters = list(range(0, 30, 3)) if thorough else [1, 8]
        for mode in modes:
            for after in afters if not mode.endswith("send") else [0]:
                snapshot = chain.snapshot()
                home = folder / f"{mode}-{after}"
                env = _env(home, SAIAAS_RPC_URL=proxy_url, SAIAAS_FACTORY=factory.address,
                           SAIAAS_STORE=str(store))
                proxy.fail(mode, after)
                outcome = run_cli(["provider", "bid", auction, "--asset", _ASSET, "--price",
                                   "0.3ether", "--catalog", _example(_CATALOG), "--account",
                                   bidder, "--json"], env, limit)
                proxy.heal()
                landed = handle.bid_of(0, bidder) is not None
                wrong = outcome.exit_code == 0 and not landed
                lost = False
                if landed and outcome.exit_code != 0:
                    said = "may have reached" in outcome.stderr or "was sent" in outcome.stderr
                    follow = run_cli(["auction", "status", auction], env, limit)
                    found = "was mined" in follow.stderr
                    lost = not (said and found)
                    tally.count("node", "landed_while_the_command_failed")
                    if not lost:
                        tally.count("node", "landed_and_reported_by_the_next_command")
                    shown = run_cli(["account", "journal", "--json"], env, limit)
                    if shown.exit_code == 0 and any(
                        row["status"] in ("succeeded", "mined") for row in json.loads(shown.stdout)
                    ):
                        tally.count("node", "journal_shows_it_mined")
                tally.add("node", outcome, wrong=wrong, lost=lost, case=f"bid {mode} after {after}")
                chain.revert(snapshot)
        for mode in ("close", "hang", "garbage", "drip"):
            home = folder / f"status-{mode}"
            env = _env(home, SAIAAS_RPC_URL=proxy_url, SAIAAS_FACTORY=factory.address,
                       SAIAAS_STORE=str(store))
            proxy.fail(mode, 0)
            outcome = run_cli(["auction", "status", auction, "--json"], env, limit)
            proxy.heal()
            tally.add("node", outcome, wrong=outcome.exit_code == 0, case=f"status {mode}")
    finally:
        proxy.stop()
        process.terminate()
        with contextlib.suppress(Exception):
            process.wait(timeout=10)
        if process.poll() is None:
            process.kill()


