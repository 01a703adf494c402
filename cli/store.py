"""CLI commands: `saiaas store put|get`, content by CID on the embedded store or an IPFS node.

`put` prints only the CID on stdout so it composes in shell pipelines (`cid=$(saiaas store put
f)`); `get` writes the raw bytes, binary-safe. Which store is used follows one rule for every
command: `--ipfs-api` (or SAIAAS_IPFS_API) selects a node, otherwise the embedded store under
`--store` (default: the user data folder).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from saiaas.cli.options import STORE, connection
from saiaas.cli.output import reports_errors
from saiaas.ontologies.errors import InputError

if TYPE_CHECKING:
    from saiaas.market import Settings
    from saiaas.storage import Store

__all__ = ["store_app", "TimeoutOption", "open_store", "put", "get"]

store_app = typer.Typer(
    help="Content-addressed storage: put and get files by CID.", no_args_is_help=True
)

TimeoutOption = Annotated[
    float,
    typer.Option("--timeout", help="Seconds the IPFS node may take to find a CID.", min=0.1),
]


def open_store(settings: Settings, timeout: float = 10.0) -> Store:
    """The store the settings select: an IPFS node, else the embedded store of the data folder
    (SAIAAS_HOME and SAIAAS_STORE move it, as for every command)."""
    from saiaas.storage import open_store as open_any

    return open_any(ipfs_api=settings.ipfs_api, root=settings.store_dir, timeout=timeout)


@store_app.command("put")
@reports_errors
@connection(*STORE)
def put(
    file: Annotated[
        Path, typer.Argument(help="File to store ('-' reads stdin).", show_default=False)
    ],
    timeout: TimeoutOption = 10.0,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Store FILE and print its CID (only the CID, on stdout)."""
    from saiaas.cli.files import MAX_CONTENT_BYTES, read_file

    data = read_file(file, "", MAX_CONTENT_BYTES, missing=InputError)
    cid = open_store(settings, timeout).put(data)
    sys.stdout.write(cid + "\n")


@store_app.command("get")
@reports_errors
@connection(*STORE)
def get(
    cid: Annotated[str, typer.Argument(help="CID of the content.", show_default=False)],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the bytes to this file instead of stdout."),
    ] = None,
    timeout: TimeoutOption = 10.0,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Write the bytes of CID to stdout (or -o FILE), after checking they hash to CID."""
    from saiaas.storage import parse_cid

    parse_cid(cid)  # a typo is reported as such before any store is opened
    data = open_store(settings, timeout).get(cid)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as error:
        raise InputError(f"{output}: cannot write it ({error.strerror or error})") from None
