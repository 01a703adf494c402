"""A real IPFS node as the store, through the Kubo RPC (js-ipfs speaks it too), over httpx.

Only the handful of POST endpoints the store needs: add, cat, pin/add, block/stat, version. Every
call carries the node-side `timeout` argument, because asking a node for a CID nobody serves
blocks until it gives up. The node's answer is never trusted: added CIDs are compared with
`cid_of` and fetched bytes are re-hashed.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from saiaas.storage.cid import CHUNK_SIZE, canonical_cid, cid_of, same_cid
from saiaas.storage.errors import CIDMismatch, NotFound, StorageError, StoreUnreachable

if TYPE_CHECKING:  # httpx costs ~100 ms to import: only a store that talks to a node pays
    import httpx

__all__ = ["KuboStore", "DEFAULT_API"]

#: Kubo's default RPC address.
DEFAULT_API = "http://127.0.0.1:5001"

#: Parameters that make the node chunk and hash exactly like `cid_of`.
_ADD_PARAMS = {
    "cid-version": "1",
    "raw-leaves": "true",
    "chunker": f"size-{CHUNK_SIZE}",
    "hash": "sha2-256",
    "pin": "true",
    "cid-base": "base32",
}

#: Attempts of a read (version, cat, block/stat) whose connection failed, with exponential backoff
#: from RETRY_BACKOFF seconds. A deadline that passed is not retried: the node is slow, and the
#: command must end within its limit.
READ_ATTEMPTS = 3
RETRY_BACKOFF = 0.2
#: Seconds an answer may take beyond the node-side timeout, from the request to its last byte (at
#: most; a short timeout gets a grace as long as itself).
GRACE = 5.0
#: The largest answer read from a node (a node that streams forever is cut here).
MAX_ANSWER_BYTES = 256 * 1024 * 1024
_READS = ("version", "cat", "block/stat")

#: Words nodes use when they gave up looking for a CID (Kubo and js-ipfs).
_NOT_FOUND_HINTS = ("timed out", "timeout", "deadline", "not found", "could not find")


def _reason(error: httpx.HTTPError) -> str:
    """A short cause for a transport failure ("connection refused" rather than errno prose)."""
    text = str(error) or type(error).__name__
    if "refused" in text.lower():
        return "connection refused"
    return text.splitlines()[0]


class _Retryable(Exception):
    """A connection that failed in a way another attempt may not."""


class KuboStore:
    """Content on an IPFS node reached at `api_url` (e.g. http://127.0.0.1:5001)."""

    def __init__(self, api_url: str = DEFAULT_API, timeout: float = 10.0) -> None:
        url = api_url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")) or len(url.split("://", 1)[1]) == 0:
            raise StorageError(f"not an IPFS API URL: {api_url!r} (expected http://HOST:PORT)")
        if timeout <= 0:
            raise StorageError(f"the IPFS timeout must be positive, got {timeout}")
        self.api_url = url
        self.timeout = float(timeout)
        self.grace = max(1.0, min(GRACE, self.timeout))
        import httpx

        # The HTTP timeout outlives the node-side one, so the node's own answer arrives first.
        self._client = httpx.Client(
            base_url=f"{url}/api/v0/",
            timeout=httpx.Timeout(self.timeout + self.grace, connect=self.grace),
        )

    def __repr__(self) -> str:
        return f"KuboStore({self.api_url!r})"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> KuboStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport ---------------------------------------------------------------------------

    def _post(self, command: str, params: dict[str, str], **kwargs: Any) -> httpx.Response:
        """POST to the node; the whole answer must arrive within `timeout + GRACE` seconds
        (a node that drips bytes is cut at that deadline) and reads are retried on a failed
        connection."""
        attempts = READ_ATTEMPTS if command in _READS else 1
        for attempt in range(attempts):
            try:
                return self._post_once(command, params, **kwargs)
            except _Retryable as error:
                if attempt == attempts - 1:
                    raise StoreUnreachable(str(error)) from None
                time.sleep(RETRY_BACKOFF * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _post_once(self, command: str, params: dict[str, str], **kwargs: Any) -> httpx.Response:
        import httpx

        params = {**params, "timeout": f"{self.timeout:g}s"}
        limit = self.timeout + self.grace
        deadline = time.monotonic() + limit
        late = StoreUnreachable(
            f"the IPFS API at {self.api_url} did not answer {command} within {limit:g} s"
        )
        try:
            with self._client.stream("POST", command, params=params, **kwargs) as response:
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > MAX_ANSWER_BYTES:
                        raise StorageError(
                            f"the IPFS node at {self.api_url} answered {command} with more than "
                            f"{MAX_ANSWER_BYTES} bytes: refused"
                        )
                    if time.monotonic() > deadline:
                        raise late
                return httpx.Response(
                    response.status_code, headers=response.headers, content=b"".join(chunks)
                )
        except httpx.TimeoutException:
            raise late from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as error:
            raise _Retryable(
                f"cannot reach the IPFS API at {self.api_url}: {_reason(error)}"
            ) from None
        except httpx.HTTPError as error:
            raise StoreUnreachable(
                f"cannot reach the IPFS API at {self.api_url}: {_reason(error)}"
            ) from None

    @staticmethod
    def _message(response: httpx.Response) -> str:
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return response.text.strip().splitlines()[0] if response.text.strip() else ""
        if isinstance(body, dict) and "Message" in body:
            return str(body["Message"])
        return response.text.strip()[:200]

    def _refused(
        self, command: str, response: httpx.Response, cid: str | None = None
    ) -> StorageError:
        message = self._message(response)
        if cid is not None and any(hint in message.lower() for hint in _NOT_FOUND_HINTS):
            return NotFound(
                f"{cid} was not found by the IPFS node at {self.api_url} "
                f"within {self.timeout:g} s ({message})"
            )
        if response.status_code in (404, 405) and not message.lower().startswith("failed"):
            return StoreUnreachable(
                f"{self.api_url} does not look like an IPFS RPC API "
                f"({command}: HTTP {response.status_code} {message})".rstrip()
            )
        return StorageError(
            f"the IPFS node at {self.api_url} refused {command}: "
            f"HTTP {response.status_code} {message}".rstrip()
        )

    # -- Store -------------------------------------------------------------------------------

    def version(self) -> str:
        """The node's version string; the cheapest proof that the API answers."""
        response = self._post("version", {})
        if response.status_code != 200:
            raise self._refused("version", response)
        return str(response.json().get("Version", ""))

    def put(self, data: bytes) -> str:
        expected = cid_of(data)
        response = self._post(
            "add", _ADD_PARAMS, files={"file": ("data", data, "application/octet-stream")}
        )
        if response.status_code != 200:
            raise self._refused("add", response)
        lines = [line for line in response.text.splitlines() if line.strip()]
        try:
            answered = json.loads(lines[-1])["Hash"]
        except (IndexError, KeyError, TypeError, json.JSONDecodeError):
            raise StorageError(
                f"the IPFS node at {self.api_url} gave no CID for add: {response.text[:200]!r}"
            ) from None
        if not same_cid(answered, expected):
            raise CIDMismatch(
                f"the IPFS node at {self.api_url} stored the bytes as {answered}, "
                f"but they hash to {expected}"
            )
        self._read_back(expected)
        return expected

    def _read_back(self, cid: str) -> None:
        """Fetch what was just added, so content published on chain is content others can
        fetch: a node that accepts `add` but serves other bytes is caught here, not by them."""
        try:
            self.get(cid)
        except CIDMismatch as error:
            raise CIDMismatch(
                f"the IPFS node at {self.api_url} accepted the content as {cid} but serves other "
                f"bytes for it ({error}): refused, nothing published"
            ) from None
        except NotFound as error:
            raise StorageError(
                f"the IPFS node at {self.api_url} accepted the content as {cid} but cannot serve "
                f"it back ({error}): refused, nothing published"
            ) from None

    def get(self, cid: str) -> bytes:
        wanted = canonical_cid(cid)
        response = self._post("cat", {"arg": wanted})
        if response.status_code != 200:
            raise self._refused("cat", response, cid)
        data = response.content
        actual = cid_of(data)
        if actual != wanted:
            raise CIDMismatch(
                f"the IPFS node at {self.api_url} answered {len(data)} bytes for {cid} "
                f"that hash to {actual}: refused"
            )
        return data

    def pin(self, cid: str) -> None:
        wanted = canonical_cid(cid)
        response = self._post("pin/add", {"arg": wanted})
        if response.status_code != 200:
            raise self._refused("pin/add", response, cid)

    def has(self, cid: str) -> bool:
        wanted = canonical_cid(cid)
        # `offline` makes Kubo answer from its own blockstore at once; js-ipfs ignores it and
        # gives up at the timeout instead.
        response = self._post("block/stat", {"arg": wanted, "offline": "true"})
        if response.status_code == 200:
            return True
        error = self._refused("block/stat", response, cid)
        if isinstance(error, NotFound):
            return False
        raise error
