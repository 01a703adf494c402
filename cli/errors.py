"""Exit codes: which kind of library error ends a command with which code.

The libraries raise `SaiaasError` subclasses that say what is wrong; only the command line turns
their kind into a number, so the mapping is written once, here, and the README's table follows
it. The first kind found along an error's class hierarchy decides (an invalid CID is an input
error before it is a storage error).
"""

from __future__ import annotations

from saiaas.ontologies.errors import InputError, InvalidError, SaiaasError, UsageError

__all__ = [
    "EXIT_INVALID",
    "EXIT_USAGE",
    "EXIT_INPUT",
    "EXIT_CHAIN",
    "EXIT_STORAGE",
    "exit_code_of",
]

#: The checked thing is invalid or refused (violations found, asset not eligible for a bid).
EXIT_INVALID = 1
#: The command line itself is wrong (typer uses 2 for its own usage errors too).
EXIT_USAGE = 2
#: An input file or value is unusable (not Turtle, unknown term, missing file, bad CID).
EXIT_INPUT = 3
#: The chain refused or could not be reached (revert, unknown auction, RPC down).
EXIT_CHAIN = 4
#: The content store refused or could not be reached (bytes do not match CID, IPFS down).
EXIT_STORAGE = 5


def _kinds() -> dict[type, int]:
    from saiaas.contracts import ChainError
    from saiaas.storage import StorageError

    return {
        InvalidError: EXIT_INVALID,
        UsageError: EXIT_USAGE,
        InputError: EXIT_INPUT,
        ChainError: EXIT_CHAIN,
        StorageError: EXIT_STORAGE,
    }


def exit_code_of(error: SaiaasError) -> int:
    """The exit code of an error's kind (3, an unusable input, when it names none)."""
    kinds = _kinds()
    for cls in type(error).__mro__:
        if cls in kinds:
            return kinds[cls]
    return EXIT_INPUT
