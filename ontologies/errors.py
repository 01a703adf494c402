"""The one base class of every error saiaas reports to a person, and the kinds of error.

It lives in the bottom package so that every other package can subclass it while importing
downward only. A library error says what is wrong and where, in one line; it carries no exit
code: which kind of error ends a command with which exit code is the command line's business
(`saiaas.cli.errors`). The kinds are the ways a caller can react: fix the thing checked
(`InvalidError`), fix the call (`UsageError`), fix an input file or value (`InputError`); chain and
storage errors (`saiaas.contracts.ChainError`, `saiaas.storage.StorageError`) are kinds too.
"""

from __future__ import annotations

__all__ = ["SaiaasError", "InvalidError", "UsageError", "InputError"]


class SaiaasError(Exception):
    """An error whose message is meant for a person: what is wrong and where, in one line."""


class InvalidError(SaiaasError):
    """The checked thing is invalid or refused (violations found, an asset not eligible)."""


class UsageError(SaiaasError):
    """The call itself is wrong (a bad option value, a malformed address or category)."""


class InputError(SaiaasError):
    """An input file or value is unusable (not Turtle, unknown term, missing file, bad CID)."""
