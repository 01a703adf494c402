"""KuboStore against a real js-ipfs daemon: the node's CIDs must equal the embedded store's."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from saiaas.storage import CHUNK_SIZE, MAX_LINKS, KuboStore, LocalStore, NotFound, cid_of, same_cid

pytestmark = pytest.mark.ipfs


def sample(n: int) -> bytes:
    return hashlib.shake_256(b"saiaas-cid-vectors").digest(n)


@pytest.fixture
def kubo(ipfs_api: str) -> KuboStore:
    with KuboStore(ipfs_api, timeout=2.0) as store:
        yield store  # type: ignore[misc]


def test_node_answers_its_version(kubo: KuboStore) -> None:
    assert kubo.version()


@pytest.mark.parametrize(
    "size",
    [0, 1, CHUNK_SIZE, CHUNK_SIZE + 1, 1_048_583, MAX_LINKS * CHUNK_SIZE + 1],
    ids=lambda n: f"{n}B",
)
def test_node_and_embedded_store_agree(kubo: KuboStore, tmp_path: Path, size: int) -> None:
    data = sample(size)
    cid = kubo.put(data)
    assert cid == LocalStore(tmp_path).put(data) == cid_of(data)
    assert kubo.has(cid)
    assert kubo.get(cid) == data
    kubo.pin(cid)


def test_node_default_add_gives_the_same_cid_in_base58(kubo: KuboStore) -> None:
    """js-ipfs answers base58btc unless asked; the CID is the same value."""
    response = kubo._client.post("add", params={"cid-version": "1"}, files={"file": b"hello\n"})
    answered = response.json()["Hash"]
    assert answered.startswith("z")
    assert same_cid(answered, cid_of(b"hello\n"))


def test_unknown_cid_is_not_found_within_the_timeout(kubo: KuboStore) -> None:
    unknown = cid_of(b"nobody stored this " + str(time.time()).encode())
    start = time.monotonic()
    with pytest.raises(NotFound, match="was not found by the IPFS node"):
        kubo.get(unknown)
    assert time.monotonic() - start < kubo.timeout + 3.0
    assert kubo.has(unknown) is False
