"""What every command shares: consoles, JSON and progress output, and turning project errors
into exits."""

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
    "track_progress",
    "iri_tail",
    "fail",
    "reports_errors",
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


def track_progress(items: Sequence[T], description: str, quiet: bool) -> Iterable[T]:
    """The items, behind a transient progress bar on stderr when the scan is long enough to wait
    on (stdout stays clean for --json)."""
    if quiet or len(items) < PROGRESS_FROM:
        return items
    from rich.progress import track

    return track(items, description=description, console=err_console, transient=True)


def iri_tail(iri: str) -> str:
    """What follows the IRI's last # (else its last /): the short name tables show."""
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rsplit("/", 1)[-1]


def fail(message: str, exit_code: int) -> typer.Exit:
    """Print one readable error line on stderr and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(exit_code)


def reports_errors(command: F) -> F:
    """Turn a `SaiaasError` raised by a command into one line on stderr and its exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SaiaasError as error:
            raise fail(str(error), error.exit_code) from None

    return wrapper  # type: ignore[return-value]
