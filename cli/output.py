"""What every command shares for output: consoles, JSON, progress, and errors as exits.

Errors: a library error (`SaiaasError`) ends the command with one readable line on stderr and
the exit code of its kind (`saiaas.cli.errors`); under `--json` the same error is also one JSON
object on stdout ({"error": {"message", "exit_code", "kind"}}), so a script reading stdout always
gets a document. Any other exception ends the same way (a node's or a store's library failure
keeps its kind, exit 4 or 5; anything else is a bug, exit 70): a traceback is shown only under
`saiaas --debug` (or SAIAAS_DEBUG=1).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from saiaas.ontologies.errors import SaiaasError

__all__ = [
    "console",
    "err_console",
    "print_json",
    "print_json_line",
    "contract",
    "announce_account",
    "progress",
    "waiting",
    "iri_tail",
    "fail",
    "reports_errors",
    "prompt_password",
    "amount",
]

#: Columns of output that goes to a pipe or a file: wide enough that a line is never wrapped
#: inside an address or a CID (rich would otherwise assume 80 columns).
PIPED_WIDTH = 240


def _console(stderr: bool = False) -> Console:
    """A terminal gets rich's usual console; a pipe or a file gets unwrapped lines."""
    stream = sys.stderr if stderr else sys.stdout
    if os.environ.get("COLUMNS") or (hasattr(stream, "isatty") and stream.isatty()):
        return Console(stderr=stderr)
    return Console(stderr=stderr, width=PIPED_WIDTH, soft_wrap=True)


console = _console()
err_console = _console(stderr=True)

#: Whether the running command was asked for --json (set by the error boundary).
_JSON_MODE: ContextVar[bool] = ContextVar("saiaas_json_mode", default=False)
#: The account the running command acts as, once it is known (`announce_account`).
_ACTING: ContextVar[str | None] = ContextVar("saiaas_acting", default=None)

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

#: Set by `saiaas --debug`: errors re-raise with their traceback instead of one line.
DEBUG = False

#: Scans of at least this many items show a progress bar (shorter ones finish before it draws).
PROGRESS_FROM = 5


def print_json(obj: Any) -> None:
    """Machine-readable output: plain JSON on stdout, no colours, one document.

    The JSON contract (README, "JSON output") is kept here too: a value under a key ending in
    `_wei` is written as a decimal string, and a command that acts on the chain says who acted
    (`account`)."""
    acting = _ACTING.get()
    if isinstance(obj, dict) and acting is not None and "error" not in obj:
        obj = {"account": acting, **{k: v for k, v in obj.items() if k != "account"}}
    sys.stdout.write(json.dumps(contract(obj), indent=2, default=str) + "\n")


def print_json_line(obj: Any) -> None:
    """One JSON document on one line (a stream of events), under the same contract."""
    sys.stdout.write(json.dumps(contract(obj), default=str) + "\n")
    sys.stdout.flush()


def contract(obj: Any) -> Any:
    """A document as the contract prints it: every integer under a `..._wei` key (or inside
    one, such as the per-category amounts) turned into its decimal string, since JSON readers
    round integers above 2**53."""
    return _stringify_wei(obj, False)


def _stringify_wei(obj: Any, wei_key: bool) -> Any:
    if isinstance(obj, dict):
        return {k: _stringify_wei(v, wei_key or (isinstance(k, str) and k.endswith("_wei")))
                for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_stringify_wei(v, wei_key) for v in obj]
    if wei_key and isinstance(obj, int) and not isinstance(obj, bool):
        return str(obj)
    return obj


def announce_account(address: str, label: str | None = None) -> str:
    """Say which account acts: one line on stderr (`acting as 0x... (alice)`), and `account` in
    the command's JSON. Every command that sends a transaction calls this before sending."""
    _ACTING.set(address)
    if not _JSON_MODE.get():
        err_console.print(f"[dim]acting as {address}" + (f" ({escape(label)})" if label else "")
                          + "[/]", highlight=False, soft_wrap=True)
    return address


def progress(quiet: bool) -> Callable[[Sequence[T], str], Iterable[T]]:
    """A progress function for the market's scans: a transient bar on stderr when the scan is
    long enough to wait on (stdout stays clean for --json)."""

    def track(items: Sequence[T], description: str) -> Iterable[T]:
        if quiet or len(items) < PROGRESS_FROM:
            return items
        from rich.progress import track as rich_track

        return rich_track(items, description=description, console=err_console, transient=True)

    return track


#: Seconds a wait lasts before `waiting` shows its spinner (shorter ones finish before it).
WAIT_SHOWN_AFTER = 1.0


@contextmanager
def waiting(description: str, quiet: bool = False) -> Iterator[None]:
    """A transient spinner on stderr for a wait that lasts over WAIT_SHOWN_AFTER seconds, only
    when stderr is a terminal (never in a pipe, a log, or --json's stdout)."""
    if quiet or not err_console.is_terminal:
        yield
        return
    import threading

    from rich.status import Status

    spinner = Status(description, console=err_console)
    lock = threading.Lock()
    state = {"done": False, "shown": False}

    def show() -> None:
        with lock:
            if not state["done"]:
                spinner.start()
                state["shown"] = True

    timer = threading.Timer(WAIT_SHOWN_AFTER, show)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            if state["shown"]:
                spinner.stop()


def iri_tail(iri: str) -> str:
    """What follows the IRI's last # (else its last /): the short name tables show."""
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rsplit("/", 1)[-1]


def amount(wei: int | str | None) -> str:
    """An amount for people ('0.35 ETH'), from wei as an int or as the JSON's decimal string."""
    from saiaas.cli.units import format_amount

    return "-" if wei is None else format_amount(int(wei))


def fail(message: str, exit_code: int) -> typer.Exit:
    """Print one readable error line on stderr and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(exit_code)


def debugging() -> bool:
    return DEBUG or os.environ.get("SAIAAS_DEBUG", "") not in ("", "0")


def reports_errors(command: F) -> F:
    """The error boundary of a command: whatever it raises ends as one line on stderr and the
    exit code of its kind (and a JSON error object on stdout when the command was asked for
    JSON); `--debug` shows the traceback instead."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from saiaas.cli.errors import EXIT_INTERRUPTED, classify, exit_code_of

        _JSON_MODE.set(bool(kwargs.get("json_output") or kwargs.get("as_json")))
        _ACTING.set(None)
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except SaiaasError as error:
            if debugging():
                raise
            message, code, kind = str(error), exit_code_of(error), type(error).__name__
        except KeyboardInterrupt:
            message, code, kind = "interrupted", EXIT_INTERRUPTED, "KeyboardInterrupt"
        except Exception as error:  # noqa: BLE001 (the boundary: no traceback past this line)
            if _is_click(error) or debugging():
                raise
            message, code, kind = classify(error)
        if kwargs.get("json_output") or kwargs.get("as_json"):
            print_json({"error": {"message": message, "exit_code": code, "kind": kind}})
        raise fail(message, code) from None

    return wrapper  # type: ignore[return-value]


def _is_click(error: BaseException) -> bool:
    """typer's own exits and usage errors (typer vendors click as typer._click): typer prints
    and maps them itself."""
    return type(error).__module__.split(".")[0] in ("typer", "click")


def prompt_password(prompt: str) -> str:
    """Ask a person for a keystore password, on a terminal only."""
    from saiaas.market.accounts import AccountError

    if not sys.stdin.isatty():
        raise AccountError(
            "a keystore password is needed: pass --password-file or set SAIAAS_PASSWORD"
        )
    import getpass

    return getpass.getpass(f"{prompt}: ")
