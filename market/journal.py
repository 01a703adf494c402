"""The journal of sent transactions: what a command sent to a node, so an outcome is never lost.

A node can fail between accepting a transaction and returning its receipt. The chain records each
transaction here before it is sent (sender and nonce), when it is sent (hash) and when its receipt
arrives (status); the next command on the same node looks up every entry still open and says what
became of it: mined (succeeded or reverted), still pending, or never received. The file is JSON
under the data folder (`journal.json`), changed under a lock, written atomically.
"""

from __future__ import annotations

import fcntl
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from saiaas.contracts import Chain

__all__ = ["TxJournal", "KEEP_SETTLED"]

#: Settled entries kept for `saiaas` to show; older ones are dropped.
KEEP_SETTLED = 50


class TxJournal:
    """The transactions sent to one node (`chain_key`), kept in `path`."""

    def __init__(self, path: Path, chain_key: str):
        self.path = path
        self.chain_key = chain_key

    # -- the chain's hooks (saiaas.contracts.Journal) -----------------------------------------

    def sending(self, sender: str, nonce: int, to: str | None, what: str) -> str:
        key = uuid.uuid4().hex
        with self._entries() as entries:
            entries.append({"key": key, "chain": self.chain_key, "from": sender, "nonce": nonce,
                            "to": to, "what": what, "hash": None, "status": "sending",
                            "at": int(time.time())})
        return key

    def sent(self, key: str, tx_hash: str) -> None:
        self._update(key, hash=tx_hash, status="sent")

    def settled(self, key: str, status: int) -> None:
        word = {1: "succeeded", 0: "reverted"}.get(status, "not sent")
        self._update(key, status=word)

    # -- what the next command does -----------------------------------------------------------

    def entries(self) -> list[dict[str, Any]]:
        """Every entry of this node, oldest first (settled ones: the last KEEP_SETTLED)."""
        return [e for e in self._load() if e.get("chain") == self.chain_key]

    def open_entries(self) -> list[dict[str, Any]]:
        return [e for e in self._load() if e.get("chain") == self.chain_key
                and e.get("status") in ("sending", "sent")]

    def reconcile(self, chain: Chain) -> list[str]:
        """Look up each open entry on the node; one sentence per entry whose outcome is now
        known (entries the node still holds as pending stay open)."""
        notes = []
        for entry in self.open_entries():
            found = _outcome(chain, entry)
            if found is None:
                continue
            status, sentence = found
            self._update(entry["key"], status=status)
            notes.append(sentence)
        return notes

    # -- file -----------------------------------------------------------------------------------

    def _load(self) -> list[dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError):
            return []  # a damaged journal is replaced: it only ever holds reminders
        return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []

    @contextmanager
    def _entries(self) -> Iterator[list[dict[str, Any]]]:
        from saiaas.market.marketplace import write_state

        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            entries = self._load()
            yield entries
            open_ = [e for e in entries if e.get("status") in ("sending", "sent")]
            done = [e for e in entries if e not in open_][-KEEP_SETTLED:]
            write_state(self.path, json.dumps(done + open_, indent=1) + "\n")

    def _update(self, key: str, **changes: Any) -> None:
        with self._entries() as entries:
            for entry in entries:
                if entry.get("key") == key:
                    entry.update(changes)


def _outcome(chain: Chain, entry: dict[str, Any]) -> tuple[str, str] | None:
    w3 = chain.w3
    what = (f"{entry.get('what', 'transaction')} from {entry.get('from')} "
            f"(nonce {entry.get('nonce')})")
    tx_hash = entry.get("hash")
    if tx_hash:
        try:
            receipt = w3.eth.get_transaction_receipt(tx_hash)
        except Exception:  # noqa: BLE001 (web3 raises TransactionNotFound, nodes vary)
            receipt = None
        if receipt is not None:
            ok = int(receipt["status"]) == 1
            return ("succeeded" if ok else "reverted",
                    f"an earlier {what}, {tx_hash}, was mined in block {receipt['blockNumber']}: "
                    + ("it succeeded" if ok else "it reverted"))
        try:
            w3.eth.get_transaction(tx_hash)
            return None  # the node still holds it: pending
        except Exception:  # noqa: BLE001
            pass
    used = int(w3.eth.get_transaction_count(entry["from"], "latest"))
    if used > int(entry.get("nonce", 0)):
        if tx_hash:
            return ("replaced", f"an earlier {what}, {tx_hash}, was not mined, but another "
                    "transaction used its nonce")
        return ("mined", f"an earlier {what} was mined (its hash never came back from the "
                "node); check its effect with `saiaas auction status`")
    if int(w3.eth.get_transaction_count(entry["from"], "pending")) > int(entry.get("nonce", 0)):
        return None  # in the node's pool: pending
    return ("not sent", f"an earlier {what} never reached the node: nothing happened, it is "
            "safe to send it again")
