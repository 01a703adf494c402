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

from saiaas.market import arbitration, client, provider, views
from saiaas.market.config import Settings, data_dir, resolve
from saiaas.market.marketplace import Marketplace, NoFactoryError
from saiaas.market.requirements import BidVerdict, Requirements

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
