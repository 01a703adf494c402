"""The embedded store: round trips, atomic writes, refusing bytes that do not match their CID."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from saiaas.cli.errors import exit_code_of
from saiaas.storage import (
    CHUNK_SIZE,
    CIDMismatch,
    InvalidCID,
    LocalStore,
    NotFound,
    StorageError,
    Store,
    cid_of,
    default_root,
    open_store,
)

HELLO = "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "store")


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE, CHUNK_SIZE * 3 + 17])
def test_round_trip(store: LocalStore, size: int) -> None:
    data = os.urandom(size)
    cid = store.put(data)
    assert cid == cid_of(data)
    assert store.has(cid)
    assert store.get(cid) == data
    assert (store.root / cid).read_bytes() == data


def test_put_twice_is_idempotent(store: LocalStore) -> None:
    assert store.put(b"hello\n") == store.put(b"hello\n") == HELLO
    assert [p.name for p in store.root.iterdir()] == [HELLO]


def test_get_accepts_any_base_of_the_same_cid(store: LocalStore) -> None:
    store.put(b"hello\n")
    assert store.get("zb2rhcc1wJn2GHDLT2YkmPq5b69cXc2xfRZZmyufbjFUfBkxr") == b"hello\n"


def test_unknown_cid_is_not_found(store: LocalStore) -> None:
    assert not store.has(HELLO)
    with pytest.raises(NotFound, match=f"{HELLO} is not in the local store"):
        store.get(HELLO)
    with pytest.raises(NotFound, match="cannot pin"):
        store.pin(HELLO)


def test_pin_of_stored_content_succeeds(store: LocalStore) -> None:
    cid = store.put(b"pinned")
    store.pin(cid)
    assert store.get(cid) == b"pinned"


def test_malformed_cid_is_an_input_error(store: LocalStore) -> None:
    for call in (store.get, store.has, store.pin):
        with pytest.raises(InvalidCID):
            call("not-a-cid")


def test_corrupted_file_is_reported_not_served(store: LocalStore) -> None:
    cid = store.put(b"hello\n")
    (store.root / cid).write_bytes(b"hellO\n")
    with pytest.raises(CIDMismatch) as caught:
        store.get(cid)
    assert "corrupted" in str(caught.value)
    assert cid_of(b"hellO\n") in str(caught.value)
    assert exit_code_of(caught.value) == 5
    # storing the right bytes again repairs it
    store.put(b"hello\n")
    assert store.get(cid) == b"hello\n"


def test_truncated_multichunk_file_is_refused(store: LocalStore) -> None:
    data = os.urandom(CHUNK_SIZE * 2 + 1)
    cid = store.put(data)
    (store.root / cid).write_bytes(data[:-1])
    with pytest.raises(CIDMismatch):
        store.get(cid)


def test_failed_write_leaves_no_file(store: LocalStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that dies before the rename leaves neither the CID's file nor a temporary file."""

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    store.put(b"first")  # the folder exists and holds one good file
    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(StorageError, match="No space left on device"):
        store.put(b"second")
    monkeypatch.undo()
    assert sorted(p.name for p in store.root.iterdir()) == [cid_of(b"first")]
    assert not store.has(cid_of(b"second"))


def test_interrupted_write_keeps_the_previous_file(
    store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = store.put(b"hello\n")

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.put(b"hello\n")
    monkeypatch.undo()
    assert [p.name for p in store.root.iterdir()] == [cid]
    assert store.get(cid) == b"hello\n"


def test_unwritable_root_is_a_storage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_bytes(b"")
    with pytest.raises(StorageError, match="cannot create the store folder"):
        LocalStore(blocker / "store").put(b"x")


def test_default_root_is_the_user_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_root() == tmp_path / "saiaas" / "store"
    assert LocalStore().root == tmp_path / "saiaas" / "store"


def test_open_store_picks_the_backend(tmp_path: Path) -> None:
    local = open_store(root=tmp_path)
    assert isinstance(local, LocalStore) and local.root == tmp_path
    assert isinstance(local, Store)
    remote = open_store(ipfs_api="http://127.0.0.1:5001")
    assert type(remote).__name__ == "KuboStore"
    assert isinstance(remote, Store)
