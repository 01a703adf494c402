"""The marketplace as a library: each party's workflow, written once.

`Marketplace` is one party's view of the marketplace (chain, Factory, content store, matchers,
account), opened on the embedded defaults or on a JSON-RPC node and a Kubo RPC endpoint. The
workflows are functions over it, one module per party: `saiaas.market.client` (create an auction
from a requirement file, audit, disqualify, settle, acknowledge, cancel, withdraw) and
`saiaas.market.provider` (scan auctions with a catalog, bid after a match, deliver, claim,
withdraw), `saiaas.market.arbitration` (confirm inputs, reject, appeal, dispute, rule: restitution
for every party); `saiaas.market.views` shapes chain values as JSON-ready data;
`saiaas.market.scenario` states the paper's scenario once, `saiaas.market.hospital` runs it end
to end and `saiaas.market.demos` runs the restitution scenarios. It imports
neither typer nor rich: the command line, a service or a notebook sit on top of it alike.

    from saiaas.market import Marketplace, Settings, client, provider
    with Marketplace.open(Settings()) as market:
        created = client.create_auction(market, request_bytes, "request.ttl")
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from saiaas.market.config import Settings, data_dir, resolve

if TYPE_CHECKING:
    from saiaas.market import arbitration, client, provider, views
    from saiaas.market.marketplace import Marketplace, NoFactoryError
    from saiaas.market.requirements import BidVerdict, Requirements

#: Imported on first use (PEP 562), so that a command needing only the settings (every command
#: imports them to declare its options) does not import the contract clients and workflows.
_LAZY = {
    "Marketplace": "saiaas.market.marketplace",
    "NoFactoryError": "saiaas.market.marketplace",
    "Requirements": "saiaas.market.requirements",
    "BidVerdict": "saiaas.market.requirements",
    "arbitration": None,
    "client": None,
    "provider": None,
    "views": None,
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = _LAZY[name]
    value = (import_module(f"{__name__}.{name}") if module is None
             else getattr(import_module(module), name))
    globals()[name] = value
    return value

__all__ = [
    "Marketplace",
    "Settings",
    "resolve",
    "data_dir",
    "NoFactoryError",
    "Requirements",
    "BidVerdict",
    "arbitration",
    "client",
    "provider",
    "views",
]
