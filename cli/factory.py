"""`saiaas factory deploy`: the marketplace's Factory on a node other than `saiaas devnet`'s.

The embedded chain deploys its Factory on first use and `saiaas devnet` on its own anvil; a
public testnet needs one deployed once, by a named account, under the packaged ontology's CID.
Glue only: the workflow is `saiaas.market.marketplace.deploy_factory`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from saiaas.cli.options import JsonOption, connection, open_market
from saiaas.cli.output import console, print_json, reports_errors

if TYPE_CHECKING:
    from saiaas.market import Settings

__all__ = ["factory_app"]

factory_app = typer.Typer(
    help="The marketplace Factory: deploy one on a node (a public testnet).", no_args_is_help=True
)


@factory_app.command("deploy")
@reports_errors
@connection()
def deploy(settings: Settings = None, json_output: JsonOption = False) -> None:  # type: ignore[assignment]
    """Store the packaged ontology, deploy a Factory under its CID, record it for the node.

    Put the printed address in the network profile (`factory = "0x..."`) for other machines; on
    this one the record in <data dir>/deployments.json already names it. Exit codes: 0 ok, 1 a
    Factory is already known for the chain, 2 no account named on a chain that is not a dev
    chain, 4 chain, 5 storage.
    """
    from saiaas.market.marketplace import deploy_factory
    from saiaas.market.views import tx_json

    with open_market(settings) as market:
        factory, tx = deploy_factory(market)
        account, chain_id = market.sender_address, market.chain_id
        ontology_cid = factory.ontology_cid()
    out = {
        "factory": factory.address,
        "ontology_cid": ontology_cid,
        "chain_id": chain_id,
        "account": account,
        **tx_json(tx),
    }
    if json_output:
        print_json(out)
        return
    console.print(f"Factory {factory.address} deployed on chain id {chain_id} by {account} "
                  f"(tx {tx.tx_hash}, gas {tx.gas_used}, block {tx.block_number})",
                  highlight=False, soft_wrap=True)
    console.print(f'In a network profile: factory = "{factory.address}"', highlight=False)
