"""What every command shares: consoles, JSON output, and turning project errors into exits."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from saiaas.ontologies.errors import SaiaasError

__all__ = ["console", "err_console", "print_json", "fail", "reports_errors"]

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def print_json(obj: Any) -> None:
    """Machine-readable output: plain JSON on stdout, no colours, one document."""
    sys.stdout.write(json.dumps(obj, indent=2, default=str) + "\n")


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
