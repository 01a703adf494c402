"""The one way a command reads a file a person names: bounded, typed, pipes included.

Every command that reads a file (`validate`, `match`, `store put`, `auction create`, `auction
disqualify --reason-file`, `provider match|watch|bid --catalog`, `provider deliver --model`,
`client label`) reads it here, so they all refuse the same things with the same words:

- a path that does not exist, or names a folder (the caller picks the error kind: a usage error
  for commands that check their arguments first, an input error otherwise);
- a device (`/dev/zero`, `/dev/random`), a socket, or a named pipe in the file system (opening
  one blocks until some other process writes to it);
- more bytes than the command's limit: Turtle files `MAX_TURTLE_BYTES` (1 MB, the cap validation
  has always had), content to store `MAX_CONTENT_BYTES`.

What a shell hands over as a pipe is read, bounded by the same limit: `-` and `/dev/stdin` read
standard input, and a process substitution (`validate <(curl ...)`, i.e. /dev/fd/N) reads its pipe.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO

from saiaas.ontologies.errors import InputError, SaiaasError
from saiaas.shapes import MAX_FILE_BYTES

__all__ = [
    "MAX_TURTLE_BYTES",
    "MAX_CONTENT_BYTES",
    "FileRefused",
    "TooBig",
    "read_file",
    "is_stdin",
]

#: Requirement files, catalogs, reasons: the validation cap (see saiaas.shapes.MAX_FILE_BYTES).
MAX_TURTLE_BYTES = MAX_FILE_BYTES
#: Content stored by CID (`store put`, a delivered model): read into memory whole, so bounded.
MAX_CONTENT_BYTES = 256 * 1024 * 1024

_CHUNK = 1024 * 1024


class FileRefused(InputError):
    """A named file cannot be read as a file: a device, a socket, a named pipe, unreadable."""


class TooBig(FileRefused):
    """A file (or a pipe) holds more bytes than the command accepts."""

    def __init__(self, message: str, size: int | None):
        super().__init__(message)
        self.size = size


def is_stdin(path: Path | str) -> bool:
    return str(path) in ("-", "/dev/stdin")


def _is_pipe_handle(text: str) -> bool:
    """A path through which a shell hands a pipe (process substitution, an inherited fd)."""
    return text.startswith(("/dev/fd/", "/proc/self/fd/")) or text == "/dev/stdin"


def read_file(
    path: Path | str,
    what: str = "",
    limit: int = MAX_TURTLE_BYTES,
    missing: type[SaiaasError] = InputError,
) -> bytes:
    """The bytes of `path` (`-`: standard input), at most `limit` of them; `what` names the kind
    of file in messages ("catalog", "model"); `missing` is the error kind of a path that does
    not exist or is a folder."""
    kind = f"{what} " if what else ""
    text = str(path)
    if text == "-":
        return _bounded(sys.stdin.buffer, "standard input", limit)
    try:
        info = os.stat(text)
    except FileNotFoundError:
        raise missing(f"cannot read {text}: no such {kind}file (it does not exist)") from None
    except PermissionError:
        raise FileRefused(f"cannot read {text}: permission denied") from None
    except OSError as error:
        raise FileRefused(f"cannot read {text}: {error.strerror or error}") from None
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise missing(f"cannot read {text}: it is a folder (a directory), not a {kind}file")
    if stat.S_ISREG(mode):
        if info.st_size > limit:
            raise TooBig(
                f"{text} is {_size(info.st_size)}; a {kind}file may hold at most {_size(limit)}",
                info.st_size,
            )
    elif stat.S_ISFIFO(mode):
        if not _is_pipe_handle(text):
            raise FileRefused(
                f"cannot read {text}: it is a named pipe (FIFO), not a {kind}file; "
                f"pipe its content to `-` instead"
            )
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise FileRefused(f"cannot read {text}: it is a device, not a {kind}file")
    else:
        raise FileRefused(f"cannot read {text}: it is not a regular {kind}file")
    try:
        with open(text, "rb") as handle:
            return _bounded(handle, text, limit, kind)
    except PermissionError:
        raise FileRefused(f"cannot read {text}: permission denied") from None
    except IsADirectoryError:
        raise missing(
            f"cannot read {text}: it is a folder (a directory), not a {kind}file"
        ) from None
    except OSError as error:
        raise FileRefused(f"cannot read {text}: {error.strerror or error}") from None


def _bounded(stream: BinaryIO, name: str, limit: int, kind: str = "") -> bytes:
    """Read at most limit + 1 bytes, refusing more than `limit` (a file may grow after stat)."""
    parts, size = [], 0
    while size <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    if size > limit:
        raise TooBig(
            f"{name} holds more than {_size(limit)}; a {kind}file may hold at most {_size(limit)}",
            None,
        )
    return b"".join(parts)


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.1f} KB"
    return f"{count} bytes"
