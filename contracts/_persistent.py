"""An embedded py-evm chain whose state survives between processes.

The CLI runs each role as a separate command (`auction create`, then `provider bid`, ...), so the
embedded default chain must outlive one process. py-evm keeps the whole chain (headers, blocks,
state trie) in one key-value store; we write that store to a file after each command and read it
back before the next, under an exclusive lock so two commands never interleave. The file format
is length-prefixed key/value pairs (no pickle: the file is data, never code).
"""

from __future__ import annotations

import fcntl
import os
import struct
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ._chain import Chain
from ._errors import ChainError

__all__ = ["persistent_embedded_chain"]

_MAGIC = b"saiaas-pyevm-1\n"
_LENGTHS = struct.Struct(">II")


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
        backend = PyEVMBackend()
        memory = MemoryDB(_read(state_file)) if state_file.exists() else None
        if memory is not None:
            backend.chain = type(backend.chain)(AtomicDB(memory))
        chain = Chain(Web3(EthereumTesterProvider(EthereumTester(backend))), embedded=True)
        try:
            yield chain
        finally:
            _write(state_file, backend.chain.chaindb.db.wrapped_db.kv_store)


def _read(path: Path) -> dict[bytes, bytes]:
    data = path.read_bytes()
    if not data.startswith(_MAGIC):
        raise ChainError(f"{path} is not a saiaas embedded chain file (delete it to start afresh)")
    store: dict[bytes, bytes] = {}
    at = len(_MAGIC)
    try:
        while at < len(data):
            key_len, value_len = _LENGTHS.unpack_from(data, at)
            at += _LENGTHS.size
            store[data[at : at + key_len]] = data[at + key_len : at + key_len + value_len]
            at += key_len + value_len
    except struct.error:
        raise ChainError(f"{path} is truncated (delete it to start afresh)") from None
    return store


def _write(path: Path, store: dict[bytes, bytes]) -> None:
    """Atomic: a crash leaves the previous state, never half of the new one."""
    parts = [_MAGIC]
    for key, value in store.items():
        parts += [_LENGTHS.pack(len(key), len(value)), key, value]
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".chain-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(b"".join(parts))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
