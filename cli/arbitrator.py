"""`saiaas arbitrator ...`: the committee arbitrator (ERC-792, m of n): deploy one, rule, show.

Glue only: the workflow is `saiaas.market.arbitration`; the committee's rules (members, threshold,
fee) are the contract's and refusals come from its dry run, before anything is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from saiaas.cli.options import READ, JsonOption, connection, open_market
from saiaas.cli.output import console, print_json, reports_errors
from saiaas.cli.units import format_amount, parse_address, parse_amount
from saiaas.ontologies.errors import UsageError

if TYPE_CHECKING:
    from saiaas.market import Settings

__all__ = ["arbitrator_app"]

arbitrator_app = typer.Typer(
    help="The arbitration committee: deploy one, rule on disputes, show a dispute.",
    no_args_is_help=True,
)

ArbitratorArg = Annotated[
    str, typer.Argument(help="Address of the committee arbitrator (0x...).", show_default=False)
]


@arbitrator_app.command("deploy")
@reports_errors
@connection("rpc_url", "factory", "keystore", "account", "password_file")
def deploy(
    members: Annotated[
        list[str], typer.Option("--member", help="A member: address or keystore name (repeat).")
    ],
    threshold: Annotated[int, typer.Option("--threshold", min=1, help="Votes a ruling needs.")],
    fee: Annotated[
        str, typer.Option("--fee", help="Fee per dispute (e.g. 0.001ether, 10gwei, 0).")
    ] = "0",
    settings: Settings = None,  # type: ignore[assignment]
    json_output: JsonOption = False,
) -> None:
    """Deploy an m-of-n committee arbitrator; name it in a requirement file (saiaas:arbitrator)."""
    from saiaas.market import arbitration
    from saiaas.market.views import tx_json

    fee_wei = parse_amount(fee, "--fee")
    addresses = [parse_address(m, "--member", settings.keystore_dir) for m in members]
    with open_market(settings) as market:
        committee, gas = arbitration.deploy_committee(market, addresses, threshold, fee_wei)
        listed = committee.members()
    out = {"arbitrator": committee.address, "members": listed,
           "threshold": threshold, "fee_wei": fee_wei, **tx_json(committee.deployment)}
    if json_output:
        print_json(out)
        return
    console.print(f"committee {committee.address}: {threshold} of {len(members)} members, fee "
                  f"{format_amount(fee_wei)} per dispute (gas {gas})", highlight=False)


@arbitrator_app.command("rule")
@reports_errors
@connection("rpc_url", "factory", "keystore", "account", "password_file")
def rule(
    arbitrator: ArbitratorArg,
    dispute_id: Annotated[int, typer.Argument(help="The dispute's id (auction status shows it).")],
    ruling: Annotated[
        str, typer.Argument(help="for (the party that opened it), against, or refuse.")
    ],
    settings: Settings = None,  # type: ignore[assignment]
    json_output: JsonOption = False,
) -> None:
    """Vote on a dispute (committee members only); the threshold-th vote gives the ruling.

    Exit codes: 0 voted, 4 refused (not a member, voted already, dispute solved; nothing sent).
    """
    from saiaas.contracts import Committee
    from saiaas.market import arbitration
    from saiaas.market.views import tx_json

    wanted = ruling.strip().lower()
    if wanted not in arbitration.RULINGS and wanted not in ("0", "1", "2"):
        raise UsageError(f"ruling {ruling!r}: use for, against or refuse (or 1, 2, 0)")
    value = arbitration.RULINGS.get(wanted, int(wanted) if wanted.isdigit() else 0)
    arbitrator = parse_address(arbitrator, "ARBITRATOR")
    with open_market(settings) as market:
        tx = arbitration.rule(market, arbitrator, dispute_id, value)
        case = Committee.at(market.chain, arbitrator).dispute(dispute_id)
    out = {"arbitrator": arbitrator, "dispute_id": dispute_id, "ruling": value,
           "solved": case.solved, "final_ruling": case.ruling, "votes": list(case.votes),
           **tx_json(tx)}
    if json_output:
        print_json(out)
        return
    state = (f"ruled {case.ruling}, given to the auction" if case.solved
             else "waiting for more votes")
    console.print(f"voted {value} on dispute {dispute_id}: {state} (gas {tx.gas_used})",
                  highlight=False)


@arbitrator_app.command("show")
@reports_errors
@connection(*READ)
def show(
    arbitrator: ArbitratorArg,
    dispute_id: Annotated[int, typer.Argument(help="The dispute's id.")],
    settings: Settings = None,  # type: ignore[assignment]
    json_output: JsonOption = False,
) -> None:
    """A dispute at the committee: who opened it, the votes per ruling, the ruling."""
    from saiaas.contracts import Committee

    arbitrator = parse_address(arbitrator, "ARBITRATOR")
    with open_market(settings) as market:
        committee = Committee.at(market.chain, arbitrator)
        case = committee.dispute(dispute_id)
        members, threshold = committee.members(), committee.threshold()
    out = {"arbitrator": committee.address, "dispute_id": dispute_id,
           "arbitrable": case.arbitrable, "solved": case.solved, "ruling": case.ruling,
           "votes": list(case.votes), "members": members, "threshold": threshold}
    if json_output:
        print_json(out)
        return
    console.print(f"dispute {dispute_id} of {case.arbitrable}: "
                  + (f"ruled {case.ruling}" if case.solved else "open")
                  + f"; votes refuse/for/against {list(case.votes)}, {threshold} of "
                  f"{len(members)} needed", highlight=False)
