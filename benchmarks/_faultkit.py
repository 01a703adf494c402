"""The fault-injection kit: a failing JSON-RPC proxy, a fake Kubo RPC node, a hostile corpus,
and a bounded in-process runner of CLI commands that classifies each outcome.

Everything listens on 127.0.0.1 only, on a port the OS picks, in daemon threads that stop with
`stop()`; every wait is bounded (a handler that "hangs" sleeps at most HANG_S and then closes).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import threading
import time
import traceback
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = [
    "FaultyProxy",
    "FakeKubo",
    "Outcome",
    "run_cli",
    "hostile_corpus",
    "DOCUMENTED_EXITS",
    "HANG_S",
]

#: The exit codes README documents (0 ok, 1 invalid, 2 usage, 3 input, 4 chain, 5 storage).
DOCUMENTED_EXITS = frozenset({0, 1, 2, 3, 4, 5})
#: How long a fault that "hangs" holds a connection before closing it.
HANG_S = 20.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up on a failing answer (a broken pipe) is the point, not news:
        socketserver's default prints a traceback into the stderr of the command under test."""
        return


class _Base:
    """A threaded HTTP server on 127.0.0.1 with a request counter and a fault mode."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.after = 0
        self.count = 0
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def start(self) -> str:
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.05})
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def fail(self, mode: str, after: int = 0) -> None:
        """From the `after`+1-th request on, fail in `mode`."""
        with self._lock:
            self.mode, self.after, self.count = mode, after, 0

    def heal(self) -> None:
        self.fail("ok")

    def _faulty(self) -> str | None:
        with self._lock:
            self.count += 1
            return self.mode if self.mode != "ok" and self.count > self.after else None

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _misbehave(handler: BaseHTTPRequestHandler, mode: str) -> None:
    """Answer (or not) the way a failing node does."""
    handler.close_connection = True
    if mode == "close":
        return  # no answer at all: the client sees the connection closed
    if mode == "hang":
        time.sleep(HANG_S)
        return
    if mode == "garbage":
        body = b"<html>502 bad gateway, or so</html>"
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
        return
    if mode == "drip":
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        deadline = time.monotonic() + HANG_S
        with contextlib.suppress(OSError):
            while time.monotonic() < deadline:
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(0.2)
        return
    raise ValueError(f"unknown fault mode {mode!r}")


class FaultyProxy(_Base):
    """A JSON-RPC proxy in front of a real node that fails on purpose after N requests.

    Modes: close (no answer), hang (hold the connection HANG_S), garbage (not JSON), drip (a byte
    every 0.2 s), lose (forward to the node, then close without its answer), lose-send (the same
    for transactions sent only: the node has it, the sender never hears), close-after-send (every
    request after a transaction was sent fails: its receipt never comes back)."""

    def __init__(self, upstream: str):
        super().__init__()
        self.upstream = upstream
        self.sent_seen = False

    def fail(self, mode: str, after: int = 0) -> None:
        super().fail(mode, after)
        self.sent_seen = False

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                sending = b"eth_send" in body
                mode = proxy._faulty()
                if mode == "lose-send":
                    mode = "lose" if sending else None
                elif mode == "close-after-send":
                    mode = "close" if proxy.sent_seen else None
                if mode is not None and mode != "lose":
                    _misbehave(self, mode)
                    return
                request = urllib.request.Request(
                    proxy.upstream, data=body, headers={"Content-Type": "application/json"}
                )
                with urllib.request.urlopen(request, timeout=10) as response:
                    answer = response.read()
                if sending:
                    proxy.sent_seen = True
                if mode == "lose":
                    self.close_connection = True
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        return Handler


class FakeKubo(_Base):
    """Enough of the Kubo RPC (add, cat, pin/add, block/stat, version) to be a store, with faults:
    close, hang, garbage, drip (on any request past N), and `other-bytes` (accepts add, serves
    other bytes on cat)."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: dict[str, bytes] = {}
        #: `cat` answers that served other bytes than the CID's (the faults that matter).
        self.served_other = 0

    def fail(self, mode: str, after: int = 0) -> None:
        super().fail(mode, after)
        self.served_other = 0

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        node = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                from urllib.parse import parse_qs, urlparse

                from saiaas.storage import canonical_cid, cid_of

                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                mode = node._faulty()
                if mode is not None and mode != "other-bytes":
                    _misbehave(self, mode)
                    return
                url = urlparse(self.path)
                arg = (parse_qs(url.query).get("arg") or [""])[0]
                command = url.path.removeprefix("/api/v0/")
                if command == "version":
                    self._answer(200, b'{"Version": "fake-kubo"}')
                elif command == "add":
                    data = _multipart_file(self.headers.get("Content-Type", ""), body)
                    cid = cid_of(data)
                    node.blocks[cid] = data
                    self._answer(200, json.dumps({"Name": "data", "Hash": cid}).encode() + b"\n")
                elif command in ("cat", "block/stat", "pin/add"):
                    try:
                        found = node.blocks.get(canonical_cid(arg))
                    except Exception:  # noqa: BLE001 (a fake: a bad CID is simply unknown)
                        found = None
                    if found is None:
                        self._answer(500, b'{"Message": "request timed out", "Type": "error"}')
                    elif command == "cat":
                        if mode == "other-bytes":
                            node.served_other += 1
                        self._answer(200, b"other bytes" if mode == "other-bytes" else found)
                    else:
                        self._answer(200, b"{}")
                else:
                    self._answer(404, b"404 page not found")

        return Handler


def _multipart_file(content_type: str, body: bytes) -> bytes:
    boundary = content_type.split("boundary=", 1)[-1].strip('"').encode()
    for part in body.split(b"--" + boundary):
        head, _, rest = part.partition(b"\r\n\r\n")
        if b"filename=" in head:
            return rest[:-2] if rest.endswith(b"\r\n") else rest
    return b""


# ------------------------------------------------------------------------------ the runner


@dataclass
class Outcome:
    """One command run under a fault: how it ended and how long it took."""

    args: list[str]
    exit_code: int | None
    seconds: float
    stdout: str = ""
    stderr: str = ""
    traceback: str | None = None
    hung: bool = False

    @property
    def crashed(self) -> bool:
        """A traceback, an undocumented exit code, or the internal-error line."""
        return (self.traceback is not None or (self.exit_code not in DOCUMENTED_EXITS
                                               and not self.hung)
                or "Traceback (most recent call last)" in self.stderr)

    @property
    def survived(self) -> bool:
        return not self.crashed and not self.hung

    def short(self) -> dict[str, Any]:
        return {"args": self.args[:3], "exit": self.exit_code, "s": round(self.seconds, 2),
                "error": self.stderr.strip().splitlines()[-1][:200] if self.stderr.strip() else "",
                "traceback": (self.traceback or "").strip().splitlines()[-1:]}


class _Hung(BaseException):
    pass


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Interrupt the main thread after `seconds` (a command that hangs is cut, and counted)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def ring(signum: int, frame: Any) -> None:
        raise _Hung()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_cli(args: list[str], env: dict[str, str | None], limit: float, stdin: bytes | None = None,
            ) -> Outcome:
    """Run `saiaas ARGS` in this process with `env` set, cut after `limit` seconds."""
    from saiaas.cli.app import app
    from typer.testing import CliRunner

    runner = CliRunner()
    start = time.monotonic()
    try:
        with _alarm(limit):
            result = runner.invoke(app, [str(a) for a in args], input=stdin, env=env,
                                   catch_exceptions=True)
    except _Hung:
        return Outcome(list(args), None, time.monotonic() - start, hung=True)
    seconds = time.monotonic() - start
    trace = None
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        if isinstance(result.exception, _Hung):
            return Outcome(list(args), None, seconds, hung=True)
        trace = "".join(traceback.format_exception(result.exception))
    return Outcome(list(args), result.exit_code, seconds, result.stdout, result.stderr, trace)


# ------------------------------------------------------------------------------ hostile files


@dataclass
class Hostile:
    """One hostile input: a path (made at run time) and, for stdin cases, the bytes to pipe."""

    name: str
    path: str
    stdin: bytes | None = None
    expected: frozenset[int] = field(default_factory=lambda: frozenset({1, 2, 3}))


def _catalog(n: int, bad: bool) -> str:
    head = ("@prefix saiaas: <https://w3id.org/saiaas#> .\n@prefix : <https://example.org/c#> .\n"
            ":p a saiaas:Provider .\n")
    if bad:
        rows = (f":a{i} a saiaas:ChestXRayDataset ; saiaas:sampleCount -{i} .\n" for i in range(n))
    else:
        rows = (f":d{i} a saiaas:ChestXRayDataset ; saiaas:offeredBy :p .\n" for i in range(n))
    return head + "".join(rows)


def hostile_corpus(folder: Path, thorough: bool = False) -> list[Hostile]:
    """The hostile files, made under `folder` (devices and pipes are named where they live)."""
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[Hostile] = []

    def write(name: str, data: bytes | str) -> str:
        path = folder / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return str(path)

    prefix = "@prefix saiaas: <https://w3id.org/saiaas#> .\n@prefix : <https://example.org/x#> .\n"
    cases += [
        Hostile("empty", write("empty.ttl", b"")),
        Hostile("whitespace", write("blank.ttl", "   \n\t\n")),
        Hostile("binary", write("binary.ttl", bytes(range(256)) * 64)),
        Hostile("not-utf8", write("latin1.ttl", "é".encode("latin-1") * 100)),
        Hostile("bom", write("bom.ttl", "\ufeff" + prefix + ":a a saiaas:Dataset .\n")),
        Hostile("bad-syntax", write("syntax.ttl", prefix + ":a a saiaas:Dataset ;; ] .\n")),
        Hostile("unbound-prefix", write("prefix.ttl", "nope:a a nope:B .\n")),
        Hostile("over-1MB", write("big.ttl", "# filler\n" * 150_000)),
        Hostile("deep-list", write("deep.ttl", prefix + ":a :b " + "(" * 3000 + ")" * 3000
                                   + " .\n")),
        Hostile("deep-blank", write("deepb.ttl", prefix + ":a :b " + "[ :c " * 3000 + "1"
                                    + " ]" * 3000 + " .\n")),
        Hostile("5000-digits", write("digits.ttl", prefix + ":a a saiaas:ChestXRayDataset ; "
                                     "saiaas:sampleCount " + "9" * 5000 + " .\n")),
        Hostile("huge-exponent", write("exp.ttl", prefix + ":a a saiaas:ChestXRayDataset ; "
                                       "saiaas:minimumPrice 1e999999 .\n")),
        Hostile("long-line", write("line.ttl", prefix + ":a :b \"" + "x" * 900_000 + "\" .\n")),
        Hostile("many-prefixes", write("prefixes.ttl", "".join(
            f"@prefix p{i}: <https://e.org/{i}#> .\n"
            for i in range(10_000 if thorough else 1000)))),
        Hostile("invalid-catalog", write("invalid.ttl", _catalog(3000 if thorough else 100,
                                                                 True))),
        Hostile("missing", str(folder / "does-not-exist.ttl")),
        Hostile("folder", str(folder)),
        Hostile("dev-zero", "/dev/zero"),
        Hostile("dev-null", "/dev/null"),
        Hostile("dev-urandom", "/dev/urandom"),
        Hostile("stdin-garbage", "-", stdin=b"\x00\x01garbage" * 100),
        Hostile("stdin-too-big", "-", stdin=b"# x\n" * 300_000),
    ]
    fifo = folder / "fifo.ttl"
    with contextlib.suppress(OSError):
        if not fifo.exists():
            os.mkfifo(fifo)
        cases.append(Hostile("fifo", str(fifo)))
    link = folder / "zero-link.ttl"
    with contextlib.suppress(OSError):
        if not link.exists():
            link.symlink_to("/dev/zero")
        cases.append(Hostile("symlink-to-device", str(link)))
    loop = folder / "loop.ttl"
    with contextlib.suppress(OSError):
        if not loop.is_symlink():
            loop.symlink_to(loop)
        cases.append(Hostile("symlink-loop", str(loop)))
    if thorough:
        cases.append(Hostile("invalid-catalog-250KB", write("invalid250.ttl",
                                                            _catalog(4000, True))))
        cases.append(Hostile("catalog-1MB", write("catalog1m.ttl", _catalog(16_000, False))))
    return cases


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return True
        time.sleep(0.05)
    return False
