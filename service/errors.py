"""HTTP status codes of the library's error kinds: the CLI's exit codes, said in HTTP.

The command line maps an error's kind to an exit code (`saiaas.cli.errors`); the service sits
beside the command line, not above it, so it keeps its own table keyed by the same kinds, and
answers the same JSON error object as `--json` does: {"error": {"message", "exit_code", "kind"}}.

| kind (exit code)       | HTTP |
| ---------------------- | ---- |
| invalid, refused (1)   | 422  |
| usage (2)              | 400  |
| unusable input (3)     | 422  |
| chain (4)              | 502; an auction this index does not know: 404 |
| storage (5)            | 502; a CID the store does not hold: 404 |
"""

from __future__ import annotations

from typing import Any

from saiaas.contracts import ChainError
from saiaas.ontologies.errors import InputError, InvalidError, SaiaasError, UsageError

__all__ = ["UnknownAuction", "TooLarge", "status_of", "error_body", "EXIT_CODES"]


class UnknownAuction(ChainError):
    """No auction of the indexed Factory has this address (or it is not indexed yet)."""


class TooLarge(UsageError):
    """A request body over the service's size limit."""


#: The CLI's exit codes by kind (README: "Exit codes"), first match along the class hierarchy.
def _kinds() -> list[tuple[type, int, int]]:
    from saiaas.storage import StorageError
    from saiaas.storage.errors import NotFound

    return [
        (UnknownAuction, 4, 404),
        (TooLarge, 2, 413),
        (NotFound, 5, 404),
        (InvalidError, 1, 422),
        (UsageError, 2, 400),
        (InputError, 3, 422),
        (ChainError, 4, 502),
        (StorageError, 5, 502),
    ]


EXIT_CODES = {"invalid": 1, "usage": 2, "input": 3, "chain": 4, "storage": 5}


def status_of(error: SaiaasError) -> tuple[int, int]:
    """(exit code, HTTP status) of an error; an unknown kind is an unusable input (3, 422)."""
    kinds = _kinds()
    for cls in type(error).__mro__:
        for kind, code, status in kinds:
            if cls is kind:
                return code, status
    return 3, 422


def error_body(error: SaiaasError) -> tuple[int, dict[str, Any]]:
    code, status = status_of(error)
    return status, {"error": {"message": str(error), "exit_code": code,
                              "kind": type(error).__name__}}
