"""CLI commands: `saiaas ontology publish`, the vocabulary put into storage under its CID.

Auctions refer to the ontology they were created under by CID, so publishing must store the exact
packaged bytes (`ontology_bytes()`), making the CID reproducible by anyone from the same release.
"""

from __future__ import annotations

import sys

import typer
from saiaas.cli._common import print_json, reports_errors
from saiaas.cli.app import ontology_app
from saiaas.cli.store import IpfsApiOption, StoreDirOption, TimeoutOption, open_cli_store
from saiaas.ontologies.errors import EXIT_INPUT, SaiaasError

__all__ = ["publish"]


class OntologyMissing(SaiaasError):
    """The packaged ontology file is absent (a broken install or checkout)."""

    exit_code = EXIT_INPUT


@ontology_app.command("publish")
@reports_errors
def publish(
    ipfs_api: IpfsApiOption = None,
    store_dir: StoreDirOption = None,
    timeout: TimeoutOption = 10.0,
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object instead of the CID."),
) -> None:
    """Store the packaged ontology and print its CID."""
    from saiaas.ontologies import ontology_bytes, ontology_path
    from saiaas.storage import default_root

    try:
        data = ontology_bytes()
    except OSError as error:
        raise OntologyMissing(
            f"cannot read the packaged ontology {ontology_path()}: {error.strerror or error}"
        ) from None
    store = open_cli_store(ipfs_api, store_dir, timeout)
    cid = store.put(data)
    # Recording the CID in the Factory (so new auctions are created under it) belongs to the
    # contracts' issue; it goes here, after the store accepted the bytes. Until then, say plainly
    # that nothing was recorded on-chain.
    recorded_on_chain = False
    if as_json:
        print_json(
            {
                "cid": cid,
                "bytes": len(data),
                "file": str(ontology_path()),
                "store": ipfs_api or str(store_dir or default_root()),
                "recorded_on_chain": recorded_on_chain,
            }
        )
        return
    sys.stdout.write(cid + "\n")
