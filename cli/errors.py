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
    "EXIT_BUG",
    "EXIT_INTERRUPTED",
    "exit_code_of",
    "classify",
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
#: A bug in saiaas: an exception of none of the kinds above (sysexits' EX_SOFTWARE); the line
#: says so, and `saiaas --debug ...` shows the traceback.
EXIT_BUG = 70
#: Stopped with Ctrl-C (the shell's convention, 128 + SIGINT).
EXIT_INTERRUPTED = 130


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


def classify(error: BaseException) -> tuple[str, int, str]:
    """(one readable line, exit code, kind) for an exception that is no SaiaasError: failures
    of the libraries under the chain and the store keep their kind; the rest is a bug."""
    import errno

    name = type(error).__name__
    module = type(error).__module__.split(".")[0]
    detail = (str(error).strip().splitlines() or [name])[0][:200]
    if isinstance(error, MemoryError):
        return ("out of memory: an input is larger than this machine can hold", EXIT_INPUT,
                "MemoryError")
    if isinstance(error, RecursionError):
        return (f"an input is nested too deeply to read ({detail})", EXIT_INPUT, name)
    if module in ("requests", "urllib3", "web3", "eth_tester", "eth_utils", "eth_abi", "eth"):
        return (f"the chain node failed: {name}: {detail}", EXIT_CHAIN, name)
    if module in ("httpx", "httpcore"):
        return (f"the IPFS node failed: {name}: {detail}", EXIT_STORAGE, name)
    if isinstance(error, OSError):
        where = f"{error.filename}: " if getattr(error, "filename", None) else ""
        what = error.strerror or detail
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            what = "no space left on the device"
        return (f"{where}{what}", EXIT_INPUT, name)
    return (
        f"internal error (a bug in saiaas): {name}: {detail}; run `saiaas --debug ...` to see "
        "the traceback, and please report it",
        EXIT_BUG,
        name,
    )
