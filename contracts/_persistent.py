"""An embedded py-evm chain whose state survives between processes.

The CLI runs each role as a separate command (`auction create`, then `provider bid`, ...), so the
embedded default chain must outlive one process. py-evm keeps the whole chain (headers, blocks,
state trie) in one key-value store; we write that store to a file after each command and read it
back before the next, under an exclusive lock so two commands never interleave. The file format
is length-prefixed key/value pairs (no pickle: the file is data, never code), behind a SHA-256 of
them: a damaged file (truncated, a flipped bit) is refused by name, never read as another state.

Each save keeps the previous file as `<file>.bak` (a hard link, so there is no moment without a
chain file), and a refused file is copied aside before anything else happens. Temporary files a
killed command left behind are removed when the next command takes the lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import struct
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ._chain import Chain
from ._errors import ChainError

__all__ = ["persistent_embedded_chain", "ChainFileDamaged", "read_state", "write_state"]

_MAGIC_V1 = b"saiaas-pyevm-1\n"
_MAGIC = b"saiaas-pyevm-2\n"
_DIGEST = hashlib.sha256().digest_size
_LENGTHS = struct.Struct(">II")


class ChainFileDamaged(ChainError):
    """The embedded chain's file does not hold what was written (checksum, length or format)."""


@contextmanager
def persistent_embedded_chain(state_file: Path) -> Iterator[Chain]:
    """An embedded Chain loaded from `state_file` (created on first use) and saved on exit.

    The state is saved even when the command fails after some transactions were mined: those
    transactions happened, and forgetting them would forget escrowed ether.
    """
    from eth.db.atomic import AtomicDB
    from eth.db.backends.memory import MemoryDB
    from eth_tester import EthereumTester, PyEVMBackend
    from web3 import EthereumTesterProvider, Web3

    state_file.parent.mkdir(parents=True, exist_ok=True)
    with open(state_file.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        remove_leftovers(state_file)
        backend = PyEVMBackend()
        loaded: bytes | None = None  # the SHA-256 of the state as read
        if state_file.exists():
            state, loaded = _read_state(state_file)
            memory = MemoryDB(state)
            backend.chain = type(backend.chain)(AtomicDB(memory))
        elif _backup(state_file).exists():
            raise ChainFileDamaged(
                f"{state_file} is missing but its backup {_backup(state_file)} exists: refused "
                "rather than starting an empty chain (restore it with `cp "
                f"{_backup(state_file)} {state_file}`, or delete the backup to start afresh)"
            )
        chain = Chain(Web3(EthereumTesterProvider(EthereumTester(backend))), embedded=True)
        chain.file_digest = loaded.hex() if loaded is not None else None
        try:
            yield chain
        finally:
            body = _body(backend.chain.chaindb.db.wrapped_db.kv_store)
            digest = hashlib.sha256(body).digest()
            # A read changes nothing: no rewrite, no fsync (unless no backup exists yet).
            if digest != loaded or not _backup(state_file).exists():
                _write_body(state_file, body, digest)
            chain.file_digest = digest.hex()


def _backup(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def remove_leftovers(state_file: Path) -> list[Path]:
    """Delete the temporary files of saves that a killed process never finished (called under the
    lock, so no save is running)."""
    removed = []
    for leftover in state_file.parent.glob(".chain-*.part"):
        with suppress(OSError):
            leftover.unlink()
            removed.append(leftover)
    return removed


def read_state(path: Path) -> dict[bytes, bytes]:
    """The key-value store a chain file holds; a damaged file is copied aside and refused."""
    return _read_state(path)[0]


def _read_state(path: Path) -> tuple[dict[bytes, bytes], bytes | None]:
    """read_state, and the SHA-256 of the content read (None for a file of the old format)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ChainFileDamaged(f"{path}: cannot read the chain file ({error.strerror})") from None
    try:
        if data.startswith(_MAGIC):
            digest, body = data[len(_MAGIC) : len(_MAGIC) + _DIGEST], data[len(_MAGIC) + _DIGEST :]
            if len(digest) != _DIGEST or hashlib.sha256(body).digest() != digest:
                raise ValueError("its checksum does not match its content")
            return _pairs(body), digest
        if data.startswith(_MAGIC_V1):  # written before checksums: read strictly
            return _pairs(data[len(_MAGIC_V1) :]), None
        raise ValueError("it does not start like a saiaas embedded chain file")
    except ValueError as why:
        kept = _keep_damaged(path)
        backup = _backup(path)
        restore = (
            f"the state before the last save is in {backup}: `cp {backup} {path}` returns to it "
            "(losing what the last command did)"
            if backup.exists()
            else f"no backup exists: delete {path} to start an empty chain"
        )
        raise ChainFileDamaged(
            f"{path} is damaged ({why}); refused, nothing was read; a copy is kept as {kept}; "
            f"{restore}"
        ) from None


def _pairs(body: bytes) -> dict[bytes, bytes]:
    store: dict[bytes, bytes] = {}
    at = 0
    while at < len(body):
        if at + _LENGTHS.size > len(body):
            raise ValueError("it is truncated")
        key_len, value_len = _LENGTHS.unpack_from(body, at)
        at += _LENGTHS.size
        if at + key_len + value_len > len(body):
            raise ValueError("it is truncated")
        store[body[at : at + key_len]] = body[at + key_len : at + key_len + value_len]
        at += key_len + value_len
    return store


def _keep_damaged(path: Path) -> Path:
    kept = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
    with suppress(OSError):
        shutil.copy2(path, kept)
    return kept


def write_state(path: Path, store: dict[bytes, bytes]) -> None:
    """Atomic: a crash leaves the previous state, never half of the new one; the previous file
    stays as the backup."""
    body = _body(store)
    _write_body(path, body, hashlib.sha256(body).digest())


def _body(store: dict[bytes, bytes]) -> bytes:
    parts = []
    for key, value in store.items():
        parts += [_LENGTHS.pack(len(key), len(value)), key, value]
    return b"".join(parts)


def _write_body(path: Path, body: bytes, digest: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".chain-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(_MAGIC + digest + body)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            _link_backup(path)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _link_backup(path: Path) -> None:
    """Make `<path>.bak` the current file, without a moment where `path` is missing."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".chain-", suffix=".part")
    os.close(fd)
    os.unlink(temp)
    try:
        os.link(path, temp)
    except OSError:
        shutil.copy2(path, temp)
    os.replace(temp, _backup(path))
