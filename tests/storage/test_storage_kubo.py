"""KuboStore without a daemon: a node that lies is refused, a node that is down is reported.

These use httpx's MockTransport in place of the network so the refusals are checked on every run;
test_storage_ipfs.py talks to a real js-ipfs daemon.
"""

from __future__ import annotations

import json
import socket

import httpx
import pytest
from saiaas.cli.errors import exit_code_of
from saiaas.storage import (
    CIDMismatch,
    InvalidCID,
    KuboStore,
    NotFound,
    StorageError,
    StoreUnreachable,
    cid_of,
)

HELLO = "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"


def fake_node(handler) -> KuboStore:  # type: ignore[no-untyped-def]
    store = KuboStore("http://127.0.0.1:5001", timeout=1.0)
    store._client = httpx.Client(
        base_url="http://127.0.0.1:5001/api/v0/", transport=httpx.MockTransport(handler)
    )
    return store


def test_node_serving_other_bytes_is_refused() -> None:
    store = fake_node(lambda request: httpx.Response(200, content=b"HELLO\n"))
    with pytest.raises(CIDMismatch, match="refused"):
        store.get(HELLO)


def test_node_answering_another_cid_on_add_is_refused() -> None:
    answer = json.dumps({"Name": "x", "Hash": cid_of(b"other"), "Size": "5"})
    store = fake_node(lambda request: httpx.Response(200, text=answer + "\n"))
    with pytest.raises(CIDMismatch, match="hash to"):
        store.put(b"hello\n")


def test_add_sends_kubos_chunking_parameters_and_accepts_base58() -> None:
    seen: dict[str, str] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/cat"):  # the read-back after add
            return httpx.Response(200, content=b"hello\n")
        seen.update(request.url.params)
        seen["path"] = request.url.path
        answer = {"Hash": "zb2rhcc1wJn2GHDLT2YkmPq5b69cXc2xfRZZmyufbjFUfBkxr"}
        return httpx.Response(200, text=json.dumps(answer) + "\n")

    assert fake_node(handler).put(b"hello\n") == HELLO
    assert seen["path"] == "/api/v0/add"
    assert seen["cid-version"] == "1" and seen["raw-leaves"] == "true"
    assert seen["chunker"] == "size-262144" and seen["pin"] == "true"
    assert seen["timeout"] == "1s"


def test_node_timeout_on_cat_is_not_found() -> None:
    body = {"Message": "Failed to cat file: request timed out", "Code": 0, "Type": "error"}
    store = fake_node(lambda request: httpx.Response(500, json=body))
    with pytest.raises(NotFound, match="was not found by the IPFS node"):
        store.get(HELLO)
    assert store.has(HELLO) is False
    with pytest.raises(NotFound):
        store.pin(HELLO)


def test_other_node_errors_are_storage_errors_with_the_nodes_message() -> None:
    body = {"Message": "repo is locked", "Code": 0, "Type": "error"}
    store = fake_node(lambda request: httpx.Response(500, json=body))
    with pytest.raises(StorageError, match="refused add: HTTP 500 repo is locked"):
        store.put(b"x")


def test_something_that_is_not_an_ipfs_api_is_said_so() -> None:
    store = fake_node(lambda request: httpx.Response(404, text="404 page not found"))
    with pytest.raises(StoreUnreachable, match="does not look like an IPFS RPC API"):
        store.version()


def test_malformed_cid_never_reaches_the_node() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the node must not be asked")

    with pytest.raises(InvalidCID):
        fake_node(handler).get("bafy-not-a-cid")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_api_is_one_readable_line() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    store = KuboStore(url, timeout=1.0)
    for call in (lambda: store.put(b"x"), lambda: store.get(HELLO), store.version):
        with pytest.raises(StoreUnreachable) as caught:
            call()
        assert str(caught.value) == f"cannot reach the IPFS API at {url}: connection refused"
        assert exit_code_of(caught.value) == 5


@pytest.mark.parametrize("url", ["", "127.0.0.1:5001", "ftp://x", "http://"])
def test_bad_api_url_is_refused_up_front(url: str) -> None:
    with pytest.raises(StorageError, match="not an IPFS API URL"):
        KuboStore(url)
