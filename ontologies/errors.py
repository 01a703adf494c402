"""The one base class of every error saiaas reports to a person.

It lives in the bottom package so that every other package can subclass it while importing
downward only. The CLI catches `SaiaasError`, prints `str(error)` as one readable line and exits
with `error.exit_code`; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = ["SaiaasError", "EXIT_INVALID", "EXIT_USAGE", "EXIT_INPUT", "EXIT_CHAIN", "EXIT_STORAGE"]

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


class SaiaasError(Exception):
    """An error whose message is meant for a person: what is wrong and where, in one line."""

    exit_code: int = EXIT_INPUT
