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
from saiaas.cli._common import reports_errors
from saiaas.cli.app import store_app
from saiaas.ontologies.errors import EXIT_INPUT, SaiaasError

if TYPE_CHECKING:
    from saiaas.storage import Store

__all__ = ["IpfsApiOption", "StoreDirOption", "TimeoutOption", "open_cli_store", "put", "get"]

IpfsApiOption = Annotated[
    str | None,
    typer.Option(
        "--ipfs-api",
        envvar="SAIAAS_IPFS_API",
        help="Kubo RPC URL of an IPFS node (e.g. http://127.0.0.1:5001); default: embedded store.",
        show_default=False,
    ),
]
StoreDirOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="Folder of the embedded store (default: the user data folder, saiaas/store).",
        show_default=False,
    ),
]
TimeoutOption = Annotated[
    float,
    typer.Option("--timeout", help="Seconds the IPFS node may take to find a CID.", min=0.1),
]


class FileUnusable(SaiaasError):
    """A file named on the command line cannot be read or written."""

    exit_code = EXIT_INPUT


def open_cli_store(ipfs_api: str | None, store_dir: Path | None, timeout: float = 10.0) -> Store:
    """The store the options select; shared with every command that stores or fetches content."""
    from saiaas.storage import open_store

    return open_store(ipfs_api=ipfs_api or None, root=store_dir, timeout=timeout)


@store_app.command("put")
@reports_errors
def put(
    file: Annotated[
        Path, typer.Argument(help="File to store ('-' reads stdin).", show_default=False)
    ],
    ipfs_api: IpfsApiOption = None,
    store_dir: StoreDirOption = None,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Store FILE and print its CID (only the CID, on stdout)."""
    if str(file) == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            raise FileUnusable(f"{file}: no such file") from None
        except IsADirectoryError:
            raise FileUnusable(f"{file}: is a folder, not a file") from None
        except OSError as error:
            raise FileUnusable(f"{file}: cannot read it ({error.strerror or error})") from None
    cid = open_cli_store(ipfs_api, store_dir, timeout).put(data)
    sys.stdout.write(cid + "\n")


@store_app.command("get")
@reports_errors
def get(
    cid: Annotated[str, typer.Argument(help="CID of the content.", show_default=False)],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the bytes to this file instead of stdout."),
    ] = None,
    ipfs_api: IpfsApiOption = None,
    store_dir: StoreDirOption = None,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Write the bytes of CID to stdout (or -o FILE), after checking they hash to CID."""
    from saiaas.storage import parse_cid

    parse_cid(cid)  # a typo is reported as such before any store is opened
    data = open_cli_store(ipfs_api, store_dir, timeout).get(cid)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        output.write_bytes(data)
    except OSError as error:
        raise FileUnusable(f"{output}: cannot write it ({error.strerror or error})") from None
