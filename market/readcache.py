"""Answers of read commands on the embedded chain, kept per state of its chain file.

A read (`saiaas auction status`, `saiaas auction list`) on the embedded chain costs most of its
time in importing py-evm and web3, loading the chain file and executing some fifty calls in the
EVM. The chain file changes only when a transaction is mined, and carries the SHA-256 of its
content: an answer computed from one state of the file is the answer for as long as the file
holds that state. So a read stores its answer under that digest (and everything else that can
change it: the command, its arguments, the settings) and the next identical read, as long as the
file is unchanged, answers from it without importing the EVM. Stored CIDs are content-addressed,
so the judgement of a bid's asset by CID cannot change under a given state either.

What depends on the wall clock (the time left) is computed from a pinned `now` stored with the
answer, never cached as it was. The file is re-hashed on every look (a damaged file is never
answered from here: the slow path reports it); the look holds the chain's lock shared, so a read
waits for a running command exactly as the slow path does.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from saiaas.market.config import Settings, data_dir

__all__ = ["chain_digest", "lookup", "store", "answer", "usable", "TIME_LEFT_KEYS",
           "refresh_time_left", "keep_json", "code_stamp"]

#: The magic of the chain file format that carries a checksum (contracts._persistent).
_MAGIC = b"saiaas-pyevm-2\n"
_DIGEST = 32
#: Answers kept at most (the oldest are removed first).
KEEP = 64
#: Keys under which a row states its time left (seconds until bidding closes).
TIME_LEFT_KEYS = ("time_left", "time_left_seconds")
#: The shape of a kept answer: 2 since the JSON contract renamed the read model's keys (an
#: answer kept with the old names is never served).
_VERSION = 2


def _chain_file() -> Path:
    return data_dir() / "chain.bin"


def chain_digest() -> str | None:
    """The SHA-256 of the embedded chain file's content, verified (None: no file, an old format,
    or a file whose checksum fails: then only the slow path may answer)."""
    path = _chain_file()
    lock_path = path.with_suffix(".lock")
    if not lock_path.exists():
        return None
    try:
        with open(lock_path) as lock:
            fcntl.flock(lock, fcntl.LOCK_SH)
            data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(_MAGIC):
        return None
    digest = data[len(_MAGIC) : len(_MAGIC) + _DIGEST]
    if len(digest) != _DIGEST or hashlib.sha256(data[len(_MAGIC) + _DIGEST :]).digest() != digest:
        return None
    return digest.hex()


def _folder() -> Path:
    return data_dir() / "cache" / "reads"


def _account_stamp(settings: Settings) -> list[Any] | None:
    """An account named by keystore is whoever that file holds now: its size and time go into
    the key, so a replaced keystore is never answered for with the old address."""
    name = settings.account
    if not name or (name.startswith("0x") and len(name) == 42):
        return None
    path = settings.keystore_dir / f"{name}.json"
    try:
        stat = path.stat()
    except OSError:
        return [str(path), None]
    return [str(path), stat.st_size, stat.st_mtime_ns]


_PACKAGES = ("ontologies", "shapes", "matcher", "storage", "contracts", "learning", "market",
             "cli")


@lru_cache(maxsize=1)
def code_stamp() -> str:
    """The installed saiaas code (name, size and time of each source and data file): an answer
    kept by other code (an upgrade, an edited checkout) is never read back."""
    from importlib.util import find_spec

    digest = hashlib.sha256()
    for package in _PACKAGES:
        spec = find_spec(f"saiaas.{package}")
        for folder in (spec.submodule_search_locations or []) if spec else []:
            for root, dirs, names in os.walk(folder):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
                for name in sorted(names):
                    if name.endswith((".py", ".ttl", ".json")):
                        with contextlib.suppress(OSError):
                            stat = os.stat(os.path.join(root, name))
                            digest.update(f"{root}/{name}:{stat.st_size}:{stat.st_mtime_ns}\n"
                                          .encode())
    return digest.hexdigest()


def _key(digest: str, command: str, arguments: dict[str, Any], settings: Settings) -> str:
    described = json.dumps(
        [_VERSION, digest, command, arguments,
         {k: str(v) if v is not None else None for k, v in vars(settings).items()},
         _account_stamp(settings), code_stamp()],
        sort_keys=True, default=str,
    )
    return hashlib.sha256(described.encode()).hexdigest()


def usable(settings: Settings) -> bool:
    """Answers are kept only for the embedded chain and store (a node's state is its own
    business; an IPFS node that cannot be reached must be reported as such, not answered
    around); SAIAAS_NO_READ_CACHE=1 turns them off."""
    return (settings.embedded_chain and settings.ipfs_api is None
            and os.environ.get("SAIAAS_NO_READ_CACHE", "") in ("", "0"))


def lookup(command: str, arguments: dict[str, Any], settings: Settings) -> dict[str, Any] | None:
    """The stored answer of this read in the chain file's present state, or None."""
    if not usable(settings):
        return None
    digest = chain_digest()
    if digest is None:
        return None
    path = _folder() / f"{_key(digest, command, arguments, settings)}.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("digest") != digest:
        return None
    return entry


def store(command: str, arguments: dict[str, Any], settings: Settings, digest: str | None,
          value: Any, now: int, chain_now: int, **extra: Any) -> None:
    """Keep `value` (computed at the pinned time `now`, the last block's time being
    `chain_now`) as the answer in state `digest`."""
    if digest is None or not usable(settings):
        return
    keep_json(_folder() / f"{_key(digest, command, arguments, settings)}.json",
              {**extra, "digest": digest, "now": int(now), "chain_now": int(chain_now),
               "value": value}, KEEP)


def keep_json(path: Path, entry: Any, keep: int) -> None:
    """Write `entry` to `path` atomically (a reader sees the old file or the new one, never a
    part) and keep only the `keep` newest files of its folder. Best effort: a kept answer that
    cannot be written is computed again next time."""
    folder = path.parent
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=folder, prefix=".keep-", suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(entry, out)
        os.replace(temp, path)
        entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-keep]:
            with contextlib.suppress(OSError):
                old.unlink()


def answer(entry: dict[str, Any]) -> Any:
    """A kept answer as it reads now: every time left moved from the pinned time to now."""
    now = max(int(entry["chain_now"]), int(time.time()))
    value = entry["value"]
    for row in value if isinstance(value, list) else [value]:
        if isinstance(row, dict):
            refresh_time_left(row, int(entry["now"]), now)
    return value


def refresh_time_left(row: dict[str, Any], then: int, now: int) -> None:
    """Move a row's time left from the pinned time `then` to `now` (time left counts down to a
    fixed close and stops at 0; a row already at 0 stays there)."""
    for key in TIME_LEFT_KEYS:
        value = row.get(key)
        if isinstance(value, int) and value > 0:
            row[key] = max(0, value + then - now)

