"""What every command shares for output: consoles, JSON, progress, and errors as exits.

Errors: a library error (`SaiaasError`) ends the command with one readable line on stderr and
the exit code of its kind (`saiaas.cli.errors`); under `--json` the same error is also one JSON
object on stdout ({"error": {"message", "exit_code", "kind"}}), so a script reading stdout always
gets a document.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from saiaas.ontologies.errors import SaiaasError

__all__ = [
    "console",
    "err_console",
    "print_json",
    "progress",
    "iri_tail",
    "fail",
    "reports_errors",
    "prompt_password",
    "amount",
]

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

#: Scans of at least this many items show a progress bar (shorter ones finish before it draws).
PROGRESS_FROM = 5


def print_json(obj: Any) -> None:
    """Machine-readable output: plain JSON on stdout, no colours, one document."""
    sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")


def progress(quiet: bool) -> Callable[[Sequence[T], str], Iterable[T]]:
    """A progress function for the market's scans: a transient bar on stderr when the scan is
    long enough to wait on (stdout stays clean for --json)."""

    def track(items: Sequence[T], description: str) -> Iterable[T]:
        if quiet or len(items) < PROGRESS_FROM:
            return items
        from rich.progress import track as rich_track

        return rich_track(items, description=description, console=err_console, transient=True)

    return track


def iri_tail(iri: str) -> str:
    """What follows the IRI's last # (else its last /): the short name tables show."""
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rsplit("/", 1)[-1]


def amount(wei: int | None) -> str:
    from saiaas.cli.units import format_amount

    return "-" if wei is None else format_amount(wei)


def fail(message: str, exit_code: int) -> typer.Exit:
    """Print one readable error line on stderr and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(exit_code)


def reports_errors(command: F) -> F:
    """Turn a `SaiaasError` raised by a command into one line on stderr and its exit code (and
    a JSON error object on stdout when the command was asked for JSON)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SaiaasError as error:
            from saiaas.cli.errors import exit_code_of

            code = exit_code_of(error)
            if kwargs.get("json_output") or kwargs.get("as_json"):
                print_json({"error": {"message": str(error), "exit_code": code,
                                      "kind": type(error).__name__}})
            raise fail(str(error), code) from None

    return wrapper  # type: ignore[return-value]


def prompt_password(prompt: str) -> str:
    """Ask a person for a keystore password, on a terminal only."""
    from saiaas.market.accounts import AccountError

    if not sys.stdin.isatty():
        raise AccountError(
            "a keystore password is needed: pass --password-file or set SAIAAS_PASSWORD"
        )
    import getpass

    return getpass.getpass(f"{prompt}: ")
