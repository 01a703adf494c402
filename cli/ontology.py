"""CLI commands: `saiaas ontology publish`, the vocabulary put into storage under its CID.

Auctions refer to the ontology they were created under by CID, so publishing must store the exact
packaged bytes (`ontology_bytes()`), making the CID reproducible by anyone from the same release.
When a Factory is configured or known for the chain, the CID is also recorded in it (owner only),
so auctions created from then on are matched under this vocabulary; `--no-chain` only stores.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from saiaas.cli.options import connection
from saiaas.cli.output import err_console, print_json, prompt_password, reports_errors
from saiaas.cli.store import TimeoutOption, open_store
from saiaas.ontologies.errors import InputError

if TYPE_CHECKING:
    from saiaas.market import Settings

__all__ = ["ontology_app", "publish"]

ontology_app = typer.Typer(
    help="The marketplace vocabulary: publish the ontology.", no_args_is_help=True
)


def _record_on_chain(settings: Settings, cid: str) -> dict[str, Any]:
    """Make `cid` the Factory's current ontology; no transaction when it already is (only the
    Factory's owner may record one: the contract refuses anyone else before anything is sent)."""
    from saiaas.cli.options import account_label
    from saiaas.cli.output import announce_account
    from saiaas.market import Marketplace
    from saiaas.market.views import tx_json

    with Marketplace.open(settings, password=prompt_password) as market:
        factory = market.factory
        announce_account(market.caller, account_label(settings))
        if factory.ontology_cid() == cid:
            return {"factory": factory.address, "version": factory.ontology_version(),
                    "already_current": True, "tx_hash": None, "gas_used": None,
                    "block_number": None}
        tx = factory.publish_ontology(market.sender, cid)
        return {"factory": factory.address, "version": factory.ontology_version(),
                "already_current": False, **tx_json(tx)}


@ontology_app.command("publish")
@reports_errors
@connection()
def publish(
    timeout: TimeoutOption = 10.0,
    no_chain: Annotated[
        bool, typer.Option("--no-chain", help="Only store it; record nothing in the Factory.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON object instead of the CID.")
    ] = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Store the packaged ontology, record its CID in the Factory (if one is known), print the CID.

    Recording needs the Factory's owner account. Exit codes: 0 ok, 3 ontology file missing,
    4 not the owner or chain unreachable (the bytes are stored all the same), 5 store error.
    """
    from saiaas.ontologies import ontology_bytes, ontology_path

    try:
        data = ontology_bytes()
    except OSError as error:
        raise InputError(
            f"cannot read the packaged ontology {ontology_path()}: {error.strerror or error}"
        ) from None
    store = open_store(settings, timeout)
    cid = store.put(data)
    # Only after the store accepted the bytes: an on-chain CID nobody can fetch is useless.
    chain: dict[str, Any] | None = None
    if not no_chain:
        from saiaas.market.marketplace import known_factory

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
                "ontology_cid": cid,
                "bytes": len(data),
                "file": str(ontology_path()),
                "store": settings.ipfs_api or str(settings.store_dir),
                "recorded_on_chain": recorded_on_chain,
                **(chain or {}),
            }
        )
        return
    sys.stdout.write(cid + "\n")
