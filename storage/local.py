"""The embedded default store: one file per CID under a data folder, no daemon needed.

Writes go to a temporary file in the same folder, are fsynced, then renamed over the final name,
so a crash or a full disk never leaves a partial file under a CID. Reads re-hash the file: a
corrupted file is reported, never served.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from saiaas.storage.cid import canonical_cid, cid_of
from saiaas.storage.errors import CIDMismatch, NotFound, StorageError

__all__ = ["LocalStore", "default_root"]


def default_root() -> Path:
    """The per-user data folder of the embedded store (platformdirs' user data dir)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("saiaas")) / "store"


class LocalStore:
    """Files named by their CID under `root`; the store never collects garbage, so all is pinned."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    def _path(self, cid: str) -> Path:
        return self.root / canonical_cid(cid)

    def put(self, data: bytes) -> str:
        cid = cid_of(data)
        target = self.root / cid
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StorageError(
                f"cannot create the store folder {self.root}: {error.strerror}"
            ) from None
        fd, temp_name = tempfile.mkstemp(
            dir=self.root, prefix=f".put-p{os.getpid()}-", suffix=".part"
        )
        try:
            with os.fdopen(fd, "wb") as temp:
                temp.write(data)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, target)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise StorageError(f"cannot write {target}: {error.strerror or error}") from None
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
        self._sync_folder()
        return cid

    def _sync_folder(self) -> None:
        """Make the rename durable too (POSIX only; elsewhere the rename is what we get)."""
        try:
            fd = os.open(self.root, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)

    def get(self, cid: str) -> bytes:
        path = self._path(cid)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"{cid} is not in the local store {self.root}") from None
        except OSError as error:
            raise StorageError(f"cannot read {path}: {error.strerror or error}") from None
        actual = cid_of(data)
        if actual != path.name:
            raise CIDMismatch(
                f"the stored file {path} is corrupted: its bytes hash to {actual}, not {path.name}"
            )
        return data

    def pin(self, cid: str) -> None:
        if not self.has(cid):
            raise NotFound(f"cannot pin {cid}: it is not in the local store {self.root}")

    def has(self, cid: str) -> bool:
        return self._path(cid).is_file()
