"""CLI commands: `saiaas ontology publish`, the vocabulary put into storage under its CID.

Auctions refer to the ontology they were created under by CID, so publishing must store the exact
packaged bytes (`ontology_bytes()`), making the CID reproducible by anyone from the same release.
When a Factory is configured or known for the chain, the CID is also recorded in it (owner only),
so auctions created from then on are matched under this vocabulary; `--no-chain` only stores.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from saiaas.cli._common import err_console, print_json, reports_errors
from saiaas.cli.app import ontology_app
from saiaas.cli.config import (
    AccountOption,
    FactoryOption,
    KeystoreOption,
    PasswordFileOption,
    RpcUrlOption,
    Settings,
    data_dir,
    resolve,
)
from saiaas.cli.store import IpfsApiOption, StoreDirOption, TimeoutOption, open_cli_store
from saiaas.ontologies.errors import EXIT_CHAIN, EXIT_INPUT, SaiaasError

__all__ = ["publish"]


class OntologyMissing(SaiaasError):
    """The packaged ontology file is absent (a broken install or checkout)."""

    exit_code = EXIT_INPUT


class NotFactoryOwner(SaiaasError):
    """Only the Factory's owner may record an ontology: refused before sending."""

    exit_code = EXIT_CHAIN


def _record_on_chain(settings: Settings, cid: str) -> dict[str, Any]:
    """Make `cid` the Factory's current ontology; no transaction when it already is."""
    from saiaas.cli.context import open_session

    with open_session(settings) as session:
        factory = session.factory
        if factory.ontology_cid() == cid:
            return {"factory": factory.address, "version": factory.ontology_version(),
                    "already_current": True, "gas_used": None, "tx_hash": None}
        owner, me = factory.owner(), session.sender_address
        if owner.lower() != me.lower():
            raise NotFactoryOwner(
                f"only the Factory's owner {owner} may publish an ontology in {factory.address}, "
                f"not {me}; stored, nothing sent (pass --account or --no-chain)"
            )
        tx = factory.publish_ontology(session.sender, cid)
        return {"factory": factory.address, "version": factory.ontology_version(),
                "already_current": False, "gas_used": tx.gas_used, "tx_hash": tx.tx_hash}


@ontology_app.command("publish")
@reports_errors
def publish(
    ipfs_api: IpfsApiOption = None,
    store_dir: StoreDirOption = None,
    timeout: TimeoutOption = 10.0,
    no_chain: Annotated[
        bool, typer.Option("--no-chain", help="Only store it; record nothing in the Factory.")
    ] = False,
    rpc_url: RpcUrlOption = None,
    factory: FactoryOption = None,
    keystore: KeystoreOption = None,
    account: AccountOption = None,
    password_file: PasswordFileOption = None,
    as_json: bool = typer.Option(False, "--json", help="Print a JSON object instead of the CID."),
) -> None:
    """Store the packaged ontology, record its CID in the Factory (if one is known), print the CID.

    Recording needs the Factory's owner account. Exit codes: 0 ok, 3 ontology file missing,
    4 not the owner or chain unreachable (the bytes are stored all the same), 5 store error.
    """
    from saiaas.ontologies import ontology_bytes, ontology_path

    try:
        data = ontology_bytes()
    except OSError as error:
        raise OntologyMissing(
            f"cannot read the packaged ontology {ontology_path()}: {error.strerror or error}"
        ) from None
    settings = resolve(
        rpc_url=rpc_url, ipfs_api=ipfs_api, factory=factory, store=store_dir, keystore=keystore,
        account=account, password_file=password_file,
    )
    store_root = settings.store or data_dir() / "store"
    store = open_cli_store(settings.ipfs_api, store_root, timeout)
    cid = store.put(data)
    # Only after the store accepted the bytes: an on-chain CID nobody can fetch is useless.
    chain: dict[str, Any] | None = None
    if not no_chain:
        from saiaas.cli.context import known_factory

        if known_factory(settings):
            chain = _record_on_chain(settings, cid)
        elif not as_json:
            err_console.print(
                "note: no Factory is known for this chain, so the CID was only stored "
                "(`saiaas devnet` or the first auction deploys one; --factory names one)",
                highlight=False,
            )
    recorded_on_chain = chain is not None
    if as_json:
        print_json(
            {
                "cid": cid,
                "bytes": len(data),
                "file": str(ontology_path()),
                "store": settings.ipfs_api or str(store_root),
                "recorded_on_chain": recorded_on_chain,
                **(chain or {}),
            }
        )
        return
    sys.stdout.write(cid + "\n")
