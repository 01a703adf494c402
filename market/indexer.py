"""The chain index: the Factory's and its auctions' events in SQLite, read without a node.

Public RPC providers refuse an `eth_getLogs` over too many blocks or results, every scan from
block 0 re-reads the whole chain, and a node that prunes logs forgets history. So the readers
(`auction list`, `provider match|watch`, `saiaas serve`) read this index, and `sync` fills it:

- paged `eth_getLogs` (the Factory's address, then the known auctions' addresses, per page) whose
  block span adapts to the node: halved on any refusal of a page, doubled back after a run of
  successes (never past a span refused recently);
- each page is one SQLite transaction that also moves the cursor, so a crash loses at most the
  page in flight and the next sync resumes after the last committed block;
- reorganisations: every sync re-reads the last `confirmations` blocks (what vanished is dropped),
  and checks the hash of the last committed block; a changed hash rewinds to the newest stored
  block whose hash still holds (a node restarted on a fresh chain rewinds to the start);
- logs are stored generically: decoded with the contracts' decoders (`event_json` shape) where
  known, raw (topics, data) otherwise, so a new event kind never breaks a sync;
- immutable terms of each auction are read once; its state is re-read when one of its events is
  indexed or its bidding deadline passes.

The database lives in <data dir>/index/<chain id>-<factory>.sqlite (WAL mode: the service and the
command line may read and sync it at the same time). No typer, no rich.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from saiaas.contracts import ChainError

if TYPE_CHECKING:
    from saiaas.contracts import Chain
    from saiaas.market.marketplace import Marketplace

__all__ = [
    "Index",
    "SyncReport",
    "Node",
    "RpcNode",
    "Web3Node",
    "RangeRefused",
    "index_path",
    "node_for",
    "index_status",
    "lag_text",
]

#: Blocks re-read on every sync (a reorganisation shallower than this is repaired by it).
CONFIRMATIONS = 12
#: First and largest block span of one eth_getLogs page.
FIRST_SPAN = 2_000
MAX_SPAN = 50_000
#: Successful pages at one span before it doubles; pages a refused span is remembered for.
GROW_AFTER = 4
CEILING_PAGES = 32
#: JSON-RPC calls per HTTP batch (blocks, receipts).
BATCH = 100
#: Addresses per eth_getLogs call (providers cap the filter's size too).
ADDRESSES_PER_CALL = 500

#: The shapes of the JSON stored with logs and auctions (`saiaas.market.views`): an index
#: written with other shapes is emptied and rebuilt when opened.
FORMAT = "json-contract-1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS logs(
    block INTEGER NOT NULL, log_index INTEGER NOT NULL, tx_hash TEXT NOT NULL,
    address TEXT NOT NULL, name TEXT, event TEXT NOT NULL,
    PRIMARY KEY(block, log_index));
CREATE INDEX IF NOT EXISTS logs_by_address ON logs(address, block, log_index);
CREATE TABLE IF NOT EXISTS blocks(number INTEGER PRIMARY KEY, hash TEXT NOT NULL,
    timestamp INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS txs(hash TEXT PRIMARY KEY, block INTEGER NOT NULL, sender TEXT,
    gas_used INTEGER NOT NULL, gas_price INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS auctions(
    address TEXT PRIMARY KEY, block INTEGER NOT NULL, idx INTEGER NOT NULL, client TEXT NOT NULL,
    requirements_cid TEXT NOT NULL, ontology_version INTEGER NOT NULL, deadline INTEGER NOT NULL,
    terms TEXT, state TEXT, state_at INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS auctions_by_block ON auctions(block);
"""


class RangeRefused(ChainError):
    """The node refused one eth_getLogs page (range, result or size cap): shrink and retry."""


# ------------------------------------------------------------------------------ nodes


class Node(Protocol):
    """What the indexer asks of a chain node: four reads, each for many items at once."""

    def head(self) -> int: ...

    def logs(self, start: int, end: int, addresses: Sequence[str]) -> list[dict[str, Any]]: ...

    def blocks(self, numbers: Sequence[int]) -> dict[int, tuple[str, int]]: ...

    def receipts(self, hashes: Sequence[str]) -> dict[str, tuple[int, int, str]]: ...

    def calls(self, calls: Sequence[tuple[str, str]]) -> list[bytes | None]: ...


def _norm_log(log: Any) -> dict[str, Any]:
    """A log with plain values: ints, 0x-hex strings."""

    def hexed(value: Any) -> str:
        if isinstance(value, str):
            return value.lower() if value.startswith("0x") else "0x" + value.lower()
        return "0x" + bytes(value).hex()

    def number(value: Any) -> int:
        return int(value, 16) if isinstance(value, str) else int(value)

    return {
        "block": number(log["blockNumber"]),
        "log_index": number(log["logIndex"]),
        "tx_hash": hexed(log["transactionHash"]),
        "block_hash": hexed(log["blockHash"]),
        "address": _checksum(str(log["address"])),
        "topics": [hexed(t) for t in log["topics"]],
        "data": hexed(log["data"]),
    }


def _checksum(address: str) -> str:
    from eth_utils import to_checksum_address

    return str(to_checksum_address(address))


class Web3Node:
    """A node reached through web3 (the embedded py-evm chain): no batching needed in-process."""

    def __init__(self, w3: Any):
        self.w3 = w3

    def head(self) -> int:
        return int(self.w3.eth.block_number)

    def logs(self, start: int, end: int, addresses: Sequence[str]) -> list[dict[str, Any]]:
        found = []
        for at in range(0, len(addresses), ADDRESSES_PER_CALL):
            chunk = [self.w3.to_checksum_address(a) for a in addresses[at:at + ADDRESSES_PER_CALL]]
            found += self.w3.eth.get_logs({"fromBlock": start, "toBlock": end, "address": chunk})
        return [_norm_log(x) for x in found]

    def blocks(self, numbers: Sequence[int]) -> dict[int, tuple[str, int]]:
        out = {}
        for n in numbers:
            block = self.w3.eth.get_block(n)
            out[n] = ("0x" + bytes(block["hash"]).hex(), int(block["timestamp"]))
        return out

    def receipts(self, hashes: Sequence[str]) -> dict[str, tuple[int, int, str]]:
        out = {}
        for h in hashes:
            r = self.w3.eth.get_transaction_receipt(h)
            price = int(r.get("effectiveGasPrice") or 0)
            out[h] = (int(r["gasUsed"]), price, str(r["from"]))
        return out

    def calls(self, calls: Sequence[tuple[str, str]]) -> list[bytes | None]:
        out: list[bytes | None] = []
        for to, data in calls:
            try:
                out.append(bytes(self.w3.eth.call({"to": self.w3.to_checksum_address(to),
                                                   "data": data})))
            except Exception:  # a revert or an unreachable view: unknown for now
                out.append(None)
        return out


class RpcNode:
    """A JSON-RPC node over HTTP, with batched requests for blocks and receipts."""

    def __init__(self, url: str, timeout: float = 30.0):
        import httpx

        self.url = url
        self._http = httpx.Client(timeout=timeout)
        self._batches = True
        self._id = 0

    def close(self) -> None:
        self._http.close()

    def _post(self, body: Any) -> Any:
        import httpx

        try:
            response = self._http.post(self.url, json=body)
        except httpx.HTTPError as error:
            raise ChainError(f"no JSON-RPC node answers at {self.url}: {error}") from None
        if response.status_code in (413, 414) or (
            response.status_code >= 400 and "limit" in response.text.lower()
        ):
            raise RangeRefused(f"HTTP {response.status_code}: {response.text[:160]}")
        if response.status_code >= 400:
            raise ChainError(f"{self.url} answered HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise ChainError(f"{self.url} answered something that is not JSON") from None

    def call(self, method: str, params: list[Any]) -> Any:
        self._id += 1
        reply = self._post({"jsonrpc": "2.0", "id": self._id, "method": method, "params": params})
        if not isinstance(reply, dict):
            raise ChainError(f"{self.url}: unexpected reply to {method}")
        if "error" in reply:
            error = reply["error"] or {}
            raise ChainError(f"{method} refused: {error.get('message', error)}")
        return reply.get("result")

    def batch(self, calls: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        """Results in order; a node that refuses batches is asked one call at a time."""
        results: list[Any] = []
        for at in range(0, len(calls), BATCH):
            chunk = calls[at:at + BATCH]
            reply = None
            if self._batches and len(chunk) > 1:
                body = [
                    {"jsonrpc": "2.0", "id": i, "method": m, "params": p}
                    for i, (m, p) in enumerate(chunk)
                ]
                try:
                    reply = self._post(body)
                except RangeRefused:
                    reply = None
                if not isinstance(reply, list) or len(reply) != len(chunk) or any(
                    "error" in r for r in reply
                ):
                    self._batches = isinstance(reply, list)
                    reply = None
            if reply is None:
                results += [self.call(m, p) for m, p in chunk]
            else:
                by_id = {r["id"]: r.get("result") for r in reply}
                results += [by_id[i] for i in range(len(chunk))]
        return results

    def head(self) -> int:
        return int(self.call("eth_blockNumber", []), 16)

    def logs(self, start: int, end: int, addresses: Sequence[str]) -> list[dict[str, Any]]:
        found: list[Any] = []
        for at in range(0, len(addresses), ADDRESSES_PER_CALL):
            chunk = list(addresses[at:at + ADDRESSES_PER_CALL])
            params = [{"fromBlock": hex(start), "toBlock": hex(end), "address": chunk}]
            try:
                found += self.call("eth_getLogs", params) or []
            except RangeRefused:
                raise
            except ChainError as error:
                if "no JSON-RPC node answers" in str(error):
                    raise
                raise RangeRefused(str(error)) from None
        return [_norm_log(x) for x in found]

    def blocks(self, numbers: Sequence[int]) -> dict[int, tuple[str, int]]:
        got = self.batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])
        out = {}
        for n, block in zip(numbers, got, strict=True):
            if block is None:
                raise ChainError(f"{self.url} does not know block {n}")
            out[n] = (str(block["hash"]).lower(), int(block["timestamp"], 16))
        return out

    def receipts(self, hashes: Sequence[str]) -> dict[str, tuple[int, int, str]]:
        got = self.batch([("eth_getTransactionReceipt", [h]) for h in hashes])
        out = {}
        for h, r in zip(hashes, got, strict=True):
            if r is None:
                continue
            price = int(r.get("effectiveGasPrice") or "0x0", 16)
            out[h] = (int(r["gasUsed"], 16), price, str(r.get("from")))
        return out

    def calls(self, calls: Sequence[tuple[str, str]]) -> list[bytes | None]:
        requests = [("eth_call", [{"to": to, "data": data}, "latest"]) for to, data in calls]
        out: list[bytes | None] = []
        for at in range(0, len(requests), BATCH):
            chunk = requests[at:at + BATCH]
            try:
                answers = self.batch(chunk)
            except ChainError:  # one reverted view spoils a batch on some nodes: one by one
                answers = []
                for method, params in chunk:
                    try:
                        answers.append(self.call(method, params))
                    except ChainError:
                        answers.append(None)
            out += [bytes.fromhex(a[2:]) if isinstance(a, str) else None for a in answers]
        return out


def node_for(chain: Chain) -> Node:
    """The indexer's view of a Chain: batched JSON-RPC over HTTP, web3 in-process."""
    if chain.is_embedded:
        return Web3Node(chain.w3)
    url = getattr(chain.w3.provider, "endpoint_uri", None)
    return RpcNode(str(url)) if url else Web3Node(chain.w3)


def index_status(market: Marketplace) -> dict[str, Any]:
    """Where the market's index stands (no sync): last block, head seen, blocks behind."""
    with Index.for_market(market) as index:
        return index.status()


def lag_text(status: dict[str, Any]) -> str:
    """One line for a person: how far behind the chain head the index is."""
    behind = status["behind"]
    where = "at the chain head" if behind == 0 else (
        f"{behind} block{'s' if behind != 1 else ''} behind the chain head ({status['head']})")
    return f"chain index at block {status['last_block']}, {where}"


# ------------------------------------------------------------------------------ views


@lru_cache(maxsize=1)
def _views() -> dict[str, tuple[str, list[str]]]:
    """Calldata and output types of the Auction's argument-less views the index reads."""
    from eth_utils import keccak
    from saiaas.contracts._artifacts import abi

    def canonical(item: dict[str, Any]) -> str:
        if item["type"].startswith("tuple"):
            inner = ",".join(canonical(c) for c in item["components"])
            return f"({inner}){item['type'][5:]}"
        return str(item["type"])

    found = {}
    for item in abi("Auction"):
        if item.get("type") == "function" and item["name"] in (
            "state", "terms", "ontology", "bonds", "restitutionTerms"
        ):
            selector = keccak(text=f"{item['name']}()")[:4]
            found[item["name"]] = ("0x" + selector.hex(), [canonical(o) for o in item["outputs"]])
    return found


def _read_auctions(node: Node, factory: str, addresses: Sequence[str], with_terms: bool
                   ) -> dict[str, tuple[dict[str, Any] | None, str | None]]:
    """(terms as `terms_json`, state name) of many auctions from raw eth_calls of their views
    (JSON-RPC batches over HTTP); an auction the node cannot answer for gets (None, None)."""
    from eth_abi import decode
    from saiaas.contracts import AuctionInfo, AuctionState, decode_cid
    from saiaas.market.views import terms_json

    if not addresses:
        return {}
    views = _views()
    names = (["state", "terms", "ontology", "bonds", "restitutionTerms"] if with_terms
             else ["state"])
    calls = [(address, views[name][0]) for address in addresses for name in names]
    answers = node.calls(calls)
    out: dict[str, tuple[dict[str, Any] | None, str | None]] = {}
    for n, address in enumerate(addresses):
        raw = answers[n * len(names):(n + 1) * len(names)]
        try:
            got = [decode(views[name][1], data) for name, data in zip(names, raw, strict=True)
                   if data is not None]
        except Exception:  # not an auction's answer: unknown for now
            got = []
        if len(got) != len(names):
            out[address] = (None, None)
            continue
        state = AuctionState(int(got[0][0])).name
        terms = None
        if with_terms:
            client, req, req_kind, version, prices, reserve, deadline, delivery, ack, refs = got[1]
            digest, kind = got[2][0], got[2][1]
            bonds = got[3][0]
            arbitrator, confirm, appeal, min_ref, min_done, lost_limit = got[4]
            terms = terms_json(AuctionInfo(
                address=_checksum(address), client=_checksum(client),
                factory=_checksum(factory) if factory else "",
                requirements_cid=decode_cid(req, req_kind),
                ontology_cid=decode_cid(digest, kind), ontology_version=int(version),
                max_prices=(int(prices[0]), int(prices[1]), int(prices[2])),
                reserve=int(reserve), bidding_deadline=int(deadline),
                delivery_window=int(delivery), acknowledgment_window=int(ack),
                min_references=int(refs),
                bonds=(int(bonds[0]), int(bonds[1]), int(bonds[2])),
                arbitrator=_checksum(arbitrator) if int(arbitrator, 16) else None,
                confirmation_window=int(confirm), appeal_window=int(appeal),
                min_reference_value=int(min_ref), min_record_completed=int(min_done),
                max_disputes_lost=int(lost_limit) - 1 if lost_limit else None))
        out[address] = (terms, state)
    return out


# ------------------------------------------------------------------------------ the index


def index_path(chain_id: int, factory: str, root: Path | None = None) -> Path:
    from saiaas.market.config import data_dir

    return (root or data_dir() / "index") / f"{chain_id}-{factory.lower()}.sqlite"


@dataclass
class SyncReport:
    """What one sync did, and how far behind the head the index still is."""

    from_block: int
    last_block: int
    head: int
    pages: int
    logs: int
    refused_pages: int
    span: int
    rewound_to: int | None
    seconds: float

    @property
    def behind(self) -> int:
        return max(0, self.head - self.last_block)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "behind": self.behind}


def _event_row(log: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """(name, JSON) of one log: the typed event's JSON where the decoders know it, else raw."""
    from hexbytes import HexBytes
    from saiaas.contracts._events import decode_log
    from saiaas.market.views import event_json

    typed = None
    try:
        typed = decode_log(
            {
                "topics": [HexBytes(t) for t in log["topics"]],
                "data": HexBytes(log["data"]),
                "blockNumber": log["block"],
                "address": log["address"],
            }
        )
    except Exception:  # a log this version cannot decode is kept raw, never fatal
        typed = None
    if typed is None:
        return None, {"event": None, "topics": log["topics"], "data": log["data"],
                      "block_number": log["block"]}
    return type(typed).__name__, event_json(typed)


class Index:
    """One SQLite index of one Factory on one chain."""

    def __init__(self, path: Path, *, confirmations: int = CONFIRMATIONS,
                 first_span: int = FIRST_SPAN, max_span: int = MAX_SPAN):
        self.path = Path(path)
        self.confirmations = confirmations
        self.first_span = first_span
        self.max_span = max_span
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None,
                                  check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        if self._meta("format") != FORMAT:  # stored with older JSON shapes: index anew
            self.db.executescript("DELETE FROM logs; DELETE FROM blocks; DELETE FROM txs; "
                                  "DELETE FROM auctions; DELETE FROM meta;")
            self._set_meta("format", FORMAT)
        self._ceiling: int | None = None
        self._ceiling_pages = 0

    @classmethod
    def for_market(cls, market: Marketplace, **options: Any) -> Index:
        """The index of the market's Factory on its chain (in the data folder)."""
        chain_id = int(market.chain.w3.eth.chain_id)
        return cls(index_path(chain_id, market.factory.address), **options)

    @classmethod
    def synced(cls, market: Marketplace, **options: Any) -> tuple[Index, SyncReport]:
        """The market's index, brought up to the chain head (what the commands read)."""
        index = cls.for_market(market, **options)
        return index, index.sync(market.chain, market.factory.address)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- meta

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, str(value)))

    @property
    def last_block(self) -> int:
        """The last block whose logs are all committed (-1: none yet)."""
        value = self._meta("last_block")
        return -1 if value is None else int(value)

    @property
    def span(self) -> int:
        value = self._meta("span")
        return self.first_span if value is None else int(value)

    def version(self) -> tuple[str | None, ...]:
        """Changes whenever a sync commits or ends: what a reader's cache is keyed on."""
        rows = dict(self.db.execute(
            "SELECT key, value FROM meta WHERE key IN ('last_block', 'synced_at', 'head')"
        ).fetchall())
        return (rows.get("last_block"), rows.get("synced_at"), rows.get("head"))

    def status(self) -> dict[str, Any]:
        """Where the index stands: last block, the head seen at the last sync, how far behind."""
        head = int(self._meta("head") or -1)
        last = self.last_block
        return {
            "path": str(self.path),
            "factory": self._meta("factory"),
            "chain_id": int(self._meta("chain_id") or 0) or None,
            "last_block": last,
            "head": head,
            "behind": max(0, head - last),
            "synced_at": int(self._meta("synced_at") or 0) or None,
            "span": self.span,
            "auctions": int(self.db.execute("SELECT count(*) FROM auctions").fetchone()[0]),
            "logs": int(self.db.execute("SELECT count(*) FROM logs").fetchone()[0]),
        }

    # ---------------------------------------------------------------- sync

    def sync(
        self,
        chain: Chain,
        factory: str,
        *,
        node: Node | None = None,
        max_pages: int | None = None,
        max_seconds: float | None = None,
        start_block: int | None = None,
        on_page: Callable[[int, int], None] | None = None,
    ) -> SyncReport:
        """Index from the last committed block to the head (or until `max_pages` pages or
        `max_seconds` have passed: what is committed stays, the next sync resumes there)."""
        started = time.monotonic()
        node = node or node_for(chain)
        factory = chain.w3.to_checksum_address(factory)
        known = self._meta("factory")
        if known is not None and known.lower() != factory.lower():
            raise ChainError(f"{self.path} indexes Factory {known}, not {factory}")
        if known is None:
            self._set_meta("factory", factory)
            self._set_meta("chain_id", int(chain.w3.eth.chain_id))
        head = node.head()
        rewound = self._repair(node, head, start_block)
        first = self.last_block + 1
        if self.last_block < 0:
            first = self._start_block(chain, factory, head, start_block)
        at, pages, logs, refused = first, 0, 0, 0
        span = self.span
        while at <= head:
            if max_pages is not None and pages >= max_pages:
                break
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                break
            end = min(head, at + span - 1)
            try:
                found = self._page(node, chain, factory, at, end)
            except RangeRefused:
                refused += 1
                if span == 1:
                    raise ChainError(
                        f"the node refuses eth_getLogs even for block {at} alone"
                    ) from None
                self._ceiling, self._ceiling_pages = span, CEILING_PAGES
                span = max(1, span // 2)
                self._streak = 0
                continue
            self._commit(chain, node, factory, at, end, head, found, span)
            pages += 1
            logs += len(found)
            if on_page is not None:
                on_page(at, end)
            at = end + 1
            span = self._next_span(span)
        self._refresh_states(chain, node)
        with self._transaction():
            self._set_meta("head", head)
            self._set_meta("synced_at", int(time.time()))
            self._set_meta("span", span)
        return SyncReport(first, self.last_block, head, pages, logs, refused, span, rewound,
                          round(time.monotonic() - started, 3))

    _streak = 0

    def _next_span(self, span: int) -> int:
        self._streak += 1
        if self._ceiling is not None:
            self._ceiling_pages -= 1
            if self._ceiling_pages <= 0:
                self._ceiling = None
        if self._streak >= GROW_AFTER:
            self._streak = 0
            grown = min(self.max_span, span * 2)
            if self._ceiling is not None:  # halfway to the span refused last: a bisection
                grown = min(grown, max(span, (span + self._ceiling) // 2))
            return grown
        return span

    def _start_block(self, chain: Chain, factory: str, head: int, given: int | None) -> int:
        """Where a fresh index starts: the given block, else the Factory's deployment block
        (bisection on its code; a node without history answers 0)."""
        if given is not None:
            return max(0, given)
        w3 = chain.w3
        try:
            if not bytes(w3.eth.get_code(factory, head)):
                return head + 1
            low, high = 0, head
            while low < high:
                mid = (low + high) // 2
                if bytes(w3.eth.get_code(factory, mid)):
                    high = mid
                else:
                    low = mid + 1
            return low
        except Exception:
            return 0

    def _known_auctions(self) -> list[str]:
        return [str(r[0]) for r in self.db.execute("SELECT address FROM auctions ORDER BY block")]

    def _page(self, node: Node, chain: Chain, factory: str, start: int, end: int
              ) -> list[dict[str, Any]]:
        """Every log of the Factory and of its auctions in [start, end], in chain order."""
        from_factory = node.logs(start, end, [factory])
        new = []
        for log in from_factory:
            log["decoded"] = name, event = _event_row(log)  # decoded once, stored by _commit
            if name == "AuctionCreated":
                new.append(event["auction"])
        addresses = list(dict.fromkeys(self._known_auctions() + new))
        from_auctions = node.logs(start, end, addresses) if addresses else []
        found = {(x["block"], x["log_index"]): x for x in from_factory + from_auctions}
        return [found[k] for k in sorted(found)]

    def _transaction(self) -> Any:
        db = self.db

        class _Tx:
            def __enter__(self) -> None:
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self, kind: Any, *rest: Any) -> None:
                db.execute("ROLLBACK" if kind else "COMMIT")

        return _Tx()

    def _commit(self, chain: Chain, node: Node, factory: str, start: int, end: int, head: int,
                found: list[dict[str, Any]], span: int) -> None:
        """One page: logs, their blocks and transactions, new auctions' terms, and the cursor,
        in one transaction."""
        numbers = sorted({x["block"] for x in found} | {end})
        blocks = node.blocks(numbers)
        hashes = sorted({x["tx_hash"] for x in found})
        receipts = node.receipts(hashes) if hashes else {}
        rows, created = [], []
        for log in found:
            name, event = log.get("decoded") or _event_row(log)
            event["block_number"] = log["block"]
            rows.append((log["block"], log["log_index"], log["tx_hash"], log["address"], name,
                         json.dumps(event)))
            if name == "AuctionCreated" and log["address"].lower() == factory.lower():
                created.append(event)
        terms = {a: t for a, (t, _s) in _read_auctions(
            node, factory, [e["auction"] for e in created], with_terms=True).items()}
        with self._transaction():
            if self.last_block >= end:
                return  # another process committed this page meanwhile
            for table, column in (("logs", "block"), ("blocks", "number"), ("txs", "block"),
                                  ("auctions", "block")):
                self.db.execute(f"DELETE FROM {table} WHERE {column} BETWEEN ? AND ?",
                                (start, end))
            self.db.executemany("INSERT OR REPLACE INTO logs VALUES (?, ?, ?, ?, ?, ?)", rows)
            self.db.executemany(
                "INSERT OR REPLACE INTO blocks VALUES (?, ?, ?)",
                [(n, h, ts) for n, (h, ts) in blocks.items()],
            )
            block_of = {x["tx_hash"]: x["block"] for x in found}
            self.db.executemany(
                "INSERT OR REPLACE INTO txs VALUES (?, ?, ?, ?, ?)",
                [(h, block_of[h], r[2], r[0], r[1]) for h, r in receipts.items()],
            )
            for e in created:
                self.db.execute(
                    "INSERT OR REPLACE INTO auctions VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 0)",
                    (e["auction"], e["block_number"], e["index"], e["client"],
                     e["requirements_cid"], e["ontology_version"], e["bidding_deadline_at"],
                     json.dumps(terms[e["auction"]]) if terms.get(e["auction"]) else None),
                )
            touched = {r[3] for r in rows}
            self.db.executemany("UPDATE auctions SET state_at = 0 WHERE address = ?",
                                [(a,) for a in touched])
            self._set_meta("last_block", end)
            self._set_meta("span", span)
            self._set_meta("head", max(head, end))

    def _repair(self, node: Node, head: int, start_block: int | None) -> int | None:
        """Undo what a reorganisation changed: a changed hash at the cursor rewinds to the newest
        stored block that still holds; then the last `confirmations` blocks are re-read."""
        last = self.last_block
        if last < 0:
            return None
        target = last
        stored = self.db.execute("SELECT hash FROM blocks WHERE number = ?", (last,)).fetchone()
        if last > head or (stored is not None and node.blocks([min(last, head)]).get(
                min(last, head), ("", 0))[0] != stored[0]):
            target = -1
            rows = self.db.execute(
                "SELECT number, hash FROM blocks WHERE number <= ? ORDER BY number DESC LIMIT 256",
                (head,),
            ).fetchall()
            for at in range(0, len(rows), BATCH):
                chunk = rows[at:at + BATCH]
                seen = node.blocks([int(r[0]) for r in chunk])
                hit = next((int(r[0]) for r in chunk if seen[int(r[0])][0] == r[1]), None)
                if hit is not None:
                    target = hit
                    break
        if target < last:  # the chain changed under the index: forget what followed the fork
            self._rewind(target, forget=True)
        keep = min(target, head - self.confirmations)
        if keep >= last:
            return None if target == last else target
        # The confirmation window: only the cursor moves back; each re-read page replaces its
        # blocks in one transaction, so readers never see the window empty.
        self._rewind(keep, forget=False)
        return keep

    def _rewind(self, keep: int, forget: bool) -> None:
        """Move the cursor back to `keep`; with `forget`, drop every row after it too."""
        with self._transaction():
            if forget:
                self.db.execute(
                    "UPDATE auctions SET state_at = 0 WHERE address IN "
                    "(SELECT DISTINCT address FROM logs WHERE block > ?)", (keep,))
                self.db.execute("DELETE FROM logs WHERE block > ?", (keep,))
                self.db.execute("DELETE FROM blocks WHERE number > ?", (keep,))
                self.db.execute("DELETE FROM txs WHERE block > ?", (keep,))
                self.db.execute("DELETE FROM auctions WHERE block > ?", (keep,))
            if keep < 0:
                self.db.execute("DELETE FROM meta WHERE key = 'last_block'")
            else:
                self._set_meta("last_block", keep)

    def _refresh_states(self, chain: Chain, node: Node) -> None:
        """Re-read the state (and missing terms) of the auctions whose events changed, and of
        those read as BIDDING at a chain time before their deadline that has passed since
        (views read the settled state then). `state_at` is the chain's time of the read."""
        now = int(time.time())
        try:
            head_time = chain.now()
        except Exception:
            head_time = now
        due = self.db.execute(
            "SELECT address, deadline, terms FROM auctions WHERE state_at = 0 OR terms IS NULL "
            "OR (state = 'BIDDING' AND deadline <= ? AND state_at < deadline)",
            (max(now, head_time),),
        ).fetchall()
        if not due:
            return
        factory = self._meta("factory") or ""
        missing = [r["address"] for r in due if r["terms"] is None]
        read = _read_auctions(node, factory, [r["address"] for r in due], with_terms=False)
        read_terms = _read_auctions(node, factory, missing, with_terms=True) if missing else {}
        updates = []
        for row in due:
            state = read.get(row["address"], (None, None))[1]
            if state is None:
                continue  # the node could not answer now: the next sync asks again
            terms = row["terms"]
            if terms is None and read_terms.get(row["address"], (None, None))[0]:
                terms = json.dumps(read_terms[row["address"]][0])
            updates.append((state, head_time, terms, row["address"]))
        with self._transaction():
            self.db.executemany(
                "UPDATE auctions SET state = ?, state_at = ?, terms = ? WHERE address = ?",
                updates,
            )

    def now(self) -> int:
        """The time reads are judged at: the clock, or the newest indexed block's time when the
        chain runs ahead of it (a dev chain that travelled in time)."""
        row = self.db.execute("SELECT max(timestamp) FROM blocks").fetchone()
        return max(int(time.time()), int(row[0] or 0))

    # ---------------------------------------------------------------- reads

    def auctions(self, since_block: int = 0) -> list[dict[str, Any]]:
        """The Factory's auctions, oldest first, as indexed: creation event, terms, last state."""
        rows = self.db.execute(
            "SELECT a.*, (SELECT count(*) FROM logs l WHERE l.address = a.address AND "
            "l.name = 'BidPlaced') AS bid_count FROM auctions a WHERE block >= ? "
            "ORDER BY block, idx",
            (since_block,),
        ).fetchall()
        return [self._auction_row(r) for r in rows]

    def auction(self, address: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT a.*, (SELECT count(*) FROM logs l WHERE l.address = a.address AND "
            "l.name = 'BidPlaced') AS bid_count FROM auctions a WHERE address = ?",
            (_checksum(address),),
        ).fetchone()
        return None if row is None else self._auction_row(row)

    @staticmethod
    def _auction_row(r: sqlite3.Row) -> dict[str, Any]:
        return {
            "address": r["address"],
            "index": r["idx"],
            "client": r["client"],
            "requirements_cid": r["requirements_cid"],
            "ontology_version": r["ontology_version"],
            "deadline": r["deadline"],
            "block_number": r["block"],
            "state": r["state"],
            "terms": json.loads(r["terms"]) if r["terms"] else None,
            "bid_count": r["bid_count"],
        }

    def events(self, address: str | None = None, names: Iterable[str] | None = None
               ) -> list[dict[str, Any]]:
        """Indexed events (of one contract), oldest first, with tx hash and block time."""
        query = ("SELECT l.*, b.timestamp FROM logs l LEFT JOIN blocks b ON b.number = l.block")
        args: list[Any] = []
        where = []
        if address is not None:
            where.append("l.address = ?")  # stored checksummed: the index serves this
            args.append(_checksum(address))
        wanted = list(names or [])
        if wanted:
            where.append(f"l.name IN ({','.join('?' * len(wanted))})")
            args += wanted
        if where:
            query += " WHERE " + " AND ".join(where)
        query += " ORDER BY l.block, l.log_index"
        out = []
        for r in self.db.execute(query, args):
            event = json.loads(r["event"])
            event.update({"tx_hash": r["tx_hash"], "log_index": r["log_index"],
                          "timestamp": r["timestamp"], "address": r["address"]})
            out.append(event)
        return out

    def creation(self, address: str) -> dict[str, Any] | None:
        """The AuctionCreated event of an indexed auction (with tx hash and block time)."""
        row = self.auction(address)
        if row is None:
            return None
        for r in self.db.execute(
            "SELECT l.*, b.timestamp FROM logs l LEFT JOIN blocks b ON b.number = l.block "
            "WHERE l.block = ? AND l.name = 'AuctionCreated'", (row["block_number"],)
        ):
            event = json.loads(r["event"])
            if event.get("auction", "").lower() == row["address"].lower():
                event.update({"tx_hash": r["tx_hash"], "log_index": r["log_index"],
                              "timestamp": r["timestamp"], "address": r["address"]})
                return dict(event)
        return None

    def transactions(self, hashes: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Gas used and price paid of indexed transactions, by hash."""
        wanted = list(dict.fromkeys(hashes))
        out: dict[str, dict[str, Any]] = {}
        for at in range(0, len(wanted), 500):
            chunk = wanted[at:at + 500]
            for r in self.db.execute(
                f"SELECT * FROM txs WHERE hash IN ({','.join('?' * len(chunk))})", chunk
            ):
                out[r["hash"]] = {"tx_hash": r["hash"], "block_number": r["block"],
                                  "from": r["sender"], "gas_used": r["gas_used"],
                                  "gas_price": r["gas_price"]}
        return out

    def fingerprint(self) -> list[tuple[Any, ...]]:
        """Every indexed log (block, index, tx, address, event): what two indexes of the same
        chain must agree on."""
        return [tuple(r) for r in self.db.execute(
            "SELECT block, log_index, tx_hash, address, event FROM logs ORDER BY block, log_index"
        )]
