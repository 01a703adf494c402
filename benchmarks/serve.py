"""`saiaas bench serve`: indexing through a capped node, and the service under load.

Indexing: many auctions with bids on a fresh anvil, read through `CappedProxy`, a loopback
JSON-RPC proxy that refuses any `eth_getLogs` over more than `cap` blocks, as public providers
do; the figure is the time to index them all and the blocks per second. Load: `clients`
concurrent HTTP clients for `duration` seconds against the auction list, one auction's page and
a match, on a `saiaas serve` app over that index: p50/p99 latency, requests per second, errors.
Everything listens on 127.0.0.1 and is stopped by pid; counts and times are bounded.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["CappedProxy", "populate", "run", "render", "start_anvil"]

MAX_AUCTIONS = 5_000
MAX_DURATION_S = 120.0
MAX_BLOCKS = 20_000
ANVIL_ACCOUNTS = 16


class CappedProxy:
    """A JSON-RPC proxy on 127.0.0.1 that refuses eth_getLogs spans over `cap` blocks (the
    error text public providers use), optionally answers `latency` seconds late, and forwards
    everything else to `upstream`."""

    def __init__(self, upstream: str, cap: int = 1_000, latency: float = 0.0):
        self.upstream = upstream
        self.cap = cap
        self.latency = latency  # seconds added to each answer, as a distant provider's
        self.refused = 0
        self.get_logs = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                if proxy.latency:
                    time.sleep(proxy.latency)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = json.loads(body)
                items = request if isinstance(request, list) else [request]
                refusals = [proxy._refusal(item) for item in items]
                if any(refusals):
                    answers = [r or proxy._forward(item) for r, item in zip(
                        refusals, items, strict=True)]
                    out = json.dumps(answers if isinstance(request, list) else answers[0])
                    data = out.encode()
                else:
                    data = proxy._forward_raw(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _refusal(self, item: dict[str, Any]) -> dict[str, Any] | None:
        if item.get("method") != "eth_getLogs":
            return None
        self.get_logs += 1
        spec = (item.get("params") or [{}])[0]
        start, end = spec.get("fromBlock", "0x0"), spec.get("toBlock", "latest")
        if not (isinstance(start, str) and isinstance(end, str) and end.startswith("0x")
                and start.startswith("0x")):
            self.refused += 1
            return _error(item, "block range must be explicit numbers")
        if int(end, 16) - int(start, 16) + 1 > self.cap:
            self.refused += 1
            return _error(item, f"query exceeds max block range {self.cap}")
        return None

    def _forward_raw(self, body: bytes) -> bytes:
        request = urllib.request.Request(
            self.upstream, data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return bytes(response.read())

    def _forward(self, item: dict[str, Any]) -> Any:
        return json.loads(self._forward_raw(json.dumps(item).encode()))

    def __enter__(self) -> CappedProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _error(item: dict[str, Any], message: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": item.get("id"), "error": {"code": -32005, "message": message}}


def _rpc(url: str, calls: list[tuple[str, list[Any]]]) -> list[Any]:
    body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        replies = json.loads(response.read())
    by_id = {r["id"]: r for r in replies}
    out = []
    for i in range(len(calls)):
        if "error" in by_id[i]:
            raise RuntimeError(f"{calls[i][0]} failed: {by_id[i]['error']}")
        out.append(by_id[i]["result"])
    return out


def _spread(url: str, blocks: int) -> None:
    """Mine the pool's transactions (automine is off while populating), then `blocks` empty
    blocks, as a busy public chain spreads a marketplace's transactions over many blocks."""
    deadline = time.monotonic() + 60
    while True:
        _rpc(url, [("evm_mine", [])])
        status = _rpc(url, [("txpool_status", [])])[0]
        if int(status["pending"], 16) == 0 and int(status["queued"], 16) == 0:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"anvil's pool did not empty: {status}")
    for at in range(0, blocks, 500):  # anvil mines long runs slowly: a few hundred at a time
        _rpc(url, [("anvil_mine", [hex(min(500, blocks - at))])])


def populate(
    url: str, factory: str, requirements_cid: str, auctions: int, bids: int, batch: int = 200,
    spread: int = 0,
) -> list[str]:
    """Create `auctions` auctions (the paper's terms) with `bids` bids each on a dev node whose
    accounts sign (anvil), in batched eth_sendTransaction calls, with about `spread` empty
    blocks mined between the batches in all; returns the auctions."""
    from saiaas.contracts import Chain, Factory, encode_cid
    from saiaas.contracts._artifacts import abi
    from saiaas.market.scenario import _fake_cid, paper_terms

    chain = Chain.connect(url)
    accounts = chain.accounts
    client, bidders = accounts[1], accounts[2:]
    terms = paper_terms(requirements_cid)
    w3 = chain.w3
    factory_c = w3.eth.contract(address=w3.to_checksum_address(factory), abi=abi("Factory"))
    digest, kind = encode_cid(requirements_cid)
    create = factory_c.encode_abi(
        "createAuction",
        args=[digest, kind, list(terms.max_prices), list(terms.bonds), 30 * 86400,
              terms.delivery_seconds, terms.acknowledgment_seconds, 0, 0],
    )
    nonces = {a: int(n, 16) for a, n in zip(accounts, _rpc(
        url, [("eth_getTransactionCount", [a, "pending"]) for a in accounts]), strict=True)}

    def send(sender: str, tx: dict[str, Any]) -> tuple[str, list[Any]]:
        nonces[sender] += 1
        return ("eth_sendTransaction", [{"from": sender, "nonce": hex(nonces[sender] - 1), **tx}])

    _rpc(url, [("evm_setAutomine", [False])])  # a batch lands whole, nonces in order
    sends = [send(client, {"to": factory, "data": create, "value": hex(terms.reserve),
                           "gas": hex(400_000)}) for _ in range(auctions)]
    batches = -(-auctions // batch) + -(-auctions * bids // batch)
    gap = spread // max(1, batches)
    for at in range(0, auctions, batch):
        _rpc(url, sends[at:at + batch])
        _spread(url, gap)
    created = [e.auction for e in Factory(chain, factory).auctions()]
    auction_c = w3.eth.contract(abi=abi("Auction"))
    asset_digest, asset_kind = encode_cid(_fake_cid(1))
    calls = []
    for address in created:
        bonded: set[tuple[str, int]] = set()
        for n in range(bids):
            category = n % 3
            bidder = bidders[n % len(bidders)]
            price = terms.max_prices[category] - (n + 1) * 10**12
            data = auction_c.encode_abi("bid", args=[category, price, asset_digest, asset_kind, []])
            # a first bid in a category locks the category's bond; later ones send nothing
            bond = 0 if (bidder, category) in bonded else terms.bonds[category]
            bonded.add((bidder, category))
            calls.append(send(bidder, {"to": address, "data": data, "value": hex(bond),
                                       "gas": hex(300_000)}))
    for at in range(0, len(calls), batch):
        _rpc(url, calls[at:at + batch])
        _spread(url, gap)
    _rpc(url, [("evm_setAutomine", [True])])
    return created


@contextmanager
def start_anvil(accounts: int = ANVIL_ACCOUNTS) -> Iterator[str]:
    """The pinned anvil of node_modules on a free loopback port, stopped by pid on exit."""
    import socket

    binary = Path(__file__).resolve().parents[1] / "node_modules" / ".bin" / "anvil"
    if not binary.exists():
        binary = Path.cwd() / "node_modules" / ".bin" / "anvil"
    if not binary.exists():
        from saiaas.contracts import ChainError

        raise ChainError(f"no anvil at {binary}: run `npm ci` (it installs @foundry-rs/anvil)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [str(binary), "--hardfork", "prague", "--host", "127.0.0.1", "--port", str(port),
         "--accounts", str(accounts), "--balance", "10000000", "--silent",
         # no old states written to ~/.foundry/anvil/tmp (GBs for 1,000 auctions, left behind)
         "--max-persisted-states", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                _rpc(url, [("eth_chainId", [])])
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def _exchange(reader: Any, writer: Any, request: bytes) -> int:
    """One HTTP/1.1 request on a kept-alive connection: the status code (the body is read)."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    await reader.readexactly(length)
    return status


def _load(base: str, paths: list[tuple[str, str, bytes | None]], clients: int,
          duration: float) -> dict[str, Any]:
    """`clients` concurrent clients, each on its own kept-alive connection, cycling over
    `paths` for `duration` seconds. A minimal asyncio HTTP/1.1 client: a general-purpose one
    (httpx) spends more CPU per request than the service, and would measure itself."""
    import asyncio
    from urllib.parse import urlsplit

    where = urlsplit(base)
    host, port = str(where.hostname), int(where.port or 80)
    requests = []
    for name, path, body in paths:
        if body is None:
            raw = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
        else:
            raw = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json"
                   f"\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
        requests.append((name, raw))
    latencies: dict[str, list[float]] = {name: [] for name, _p, _b in paths}
    errors: dict[str, int] = {name: 0 for name, _p, _b in paths}
    kinds: dict[str, int] = {}

    async def client(n: int, stop: float) -> None:
        reader = writer = None
        i = n
        while time.perf_counter() < stop:
            name, raw = requests[i % len(requests)]
            i += 1
            started = time.perf_counter()
            why = ""
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                status = await asyncio.wait_for(_exchange(reader, writer, raw), timeout=30)
                why = "" if status == 200 else f"HTTP {status}"
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as e:
                why = type(e).__name__
                if writer is not None:
                    writer.close()
                reader = writer = None
            latencies[name].append(time.perf_counter() - started)
            if why:
                errors[name] += 1
                kinds[why] = kinds.get(why, 0) + 1
        if writer is not None:
            writer.close()

    async def main() -> float:
        started = time.perf_counter()
        stop = started + duration
        await asyncio.gather(*(client(n, stop) for n in range(clients)))
        return time.perf_counter() - started

    elapsed = asyncio.run(main())
    out: dict[str, Any] = {}
    for name in latencies:
        values = latencies[name]
        out[name] = {
            "requests": len(values),
            "errors": errors[name],
            "p50_ms": round(_percentile(values, 0.50) * 1000, 1),
            "p99_ms": round(_percentile(values, 0.99) * 1000, 1),
            "requests_per_s": round(len(values) / elapsed, 1),
        }
    every = [v for values in latencies.values() for v in values]
    out["all"] = {
        "requests": len(every),
        "errors": sum(errors.values()),
        "p50_ms": round(_percentile(every, 0.50) * 1000, 1),
        "p99_ms": round(_percentile(every, 0.99) * 1000, 1),
        "requests_per_s": round(len(every) / elapsed, 1),
        "error_kinds": kinds,
    }
    return out


_SERVER = """
import sys
from pathlib import Path

import uvicorn
from saiaas.service import create_app

app = create_app(index_file=Path(sys.argv[1]), indexing=False)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""


@contextmanager
def _serving(index_file: Path) -> Iterator[str]:
    """The service in a process of its own (the load generator must not share its GIL) on a
    free loopback port, over an index it only reads; stopped by pid."""
    import socket
    import sys

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-c", _SERVER, str(index_file), str(port)],
                               stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/api/status", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the service did not start within 60 s") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def run(auctions: int = 1_000, bids: int = 10, cap: int = 1_000, clients: int = 50,
        duration: float = 30.0, blocks: int = 5_000) -> dict[str, Any]:
    """Index `auctions` x `bids`, spread over about `blocks` blocks, through a node capped at
    `cap` blocks per eth_getLogs, then load the service with `clients` clients for `duration`
    seconds."""
    from saiaas.contracts import Chain, Factory
    from saiaas.market.indexer import Index
    from saiaas.ontologies import example_path, ontology_bytes
    from saiaas.storage import LocalStore

    auctions = max(1, min(auctions, MAX_AUCTIONS))
    bids = max(0, min(bids, 3 * (ANVIL_ACCOUNTS - 2)))
    duration = max(1.0, min(duration, MAX_DURATION_S))
    blocks = max(0, min(blocks, MAX_BLOCKS))
    with tempfile.TemporaryDirectory(prefix="saiaas-bench-serve-") as folder:
        home = Path(folder)
        os.environ["SAIAAS_HOME"] = str(home)  # this process only: the bench owns its data
        store = LocalStore(home / "store")
        request = example_path("hospital-request.ttl").read_bytes()
        requirements_cid = store.put(request)
        with start_anvil() as anvil:
            chain = Chain.connect(anvil)
            factory = Factory.deploy(chain, chain.accounts[0], store.put(ontology_bytes()))
            started = time.perf_counter()
            populate(anvil, factory.address, requirements_cid, auctions, bids, spread=blocks)
            populate_s = time.perf_counter() - started
            with CappedProxy(anvil, cap) as proxy:
                capped = Chain.connect(proxy.url)
                index = Index(home / "index.sqlite")
                started = time.perf_counter()
                report = index.sync(capped, factory.address)
                index_s = time.perf_counter() - started
                blocks = report.last_block - report.from_block + 1
                indexing = {
                    "auctions": auctions,
                    "bids_per_auction": bids,
                    "blocks": blocks,
                    "logs": report.logs,
                    "cap_blocks_per_get_logs": cap,
                    "get_logs_calls": proxy.get_logs,
                    "refused_pages": proxy.refused,
                    "final_span": report.span,
                    "seconds": round(index_s, 2),
                    "blocks_per_s": round(blocks / index_s, 1),
                    "populate_seconds": round(populate_s, 2),
                }
                index.close()
            load = _load_service(home, factory.address, request, clients, duration)
    return {"indexing": indexing, "load": load, "clients": clients, "duration_s": duration,
            "goal": {"p99_ms_reads": 100, "errors": 0}}


def _load_service(home: Path, factory: str, request: bytes, clients: int, duration: float
                  ) -> dict[str, Any]:
    from saiaas.market.indexer import Index
    from saiaas.ontologies import example_path

    index = Index(home / "index.sqlite")
    first = index.auctions()[0]["address"]
    index.close()
    catalog = example_path("data-chest-imaging-lab.ttl").read_text(encoding="utf-8")
    match_body = json.dumps({"request": request.decode("utf-8"), "catalogs": [catalog]}).encode()
    with _serving(home / "index.sqlite") as base:
        warm = urllib.request.Request(base + "/api/match", data=match_body,
                                      headers={"Content-Type": "application/json"})
        urllib.request.urlopen(warm, timeout=60).read()  # the matcher's first load
        paths = [
            ("auction_list", "/api/auctions", None),
            ("auction_page", f"/api/auctions/{first}", None),
            ("match", "/api/match", match_body),
        ]
        return _load(base, paths, clients, duration)


def render(result: dict[str, Any], console: Any) -> None:
    """The figures as two small tables."""
    from rich.table import Table

    i = result["indexing"]
    console.print(
        f"indexed {i['auctions']:,} auctions x {i['bids_per_auction']} bids ({i['logs']:,} logs, "
        f"{i['blocks']:,} blocks) through a node capped at {i['cap_blocks_per_get_logs']:,} "
        f"blocks per eth_getLogs: [bold]{i['seconds']} s[/], {i['blocks_per_s']:,} blocks/s "
        f"({i['get_logs_calls']} eth_getLogs, {i['refused_pages']} refused)"
    )
    table = Table(title=f"{result['clients']} clients for {result['duration_s']:g} s",
                  title_justify="left")
    for column in ("endpoint", "requests", "errors", "p50 ms", "p99 ms", "req/s"):
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    for name, row in result["load"].items():
        table.add_row(name, f"{row['requests']:,}", str(row["errors"]), f"{row['p50_ms']}",
                      f"{row['p99_ms']}", f"{row['requests_per_s']}")
    console.print(table)
