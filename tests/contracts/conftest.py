"""Fixtures of the contract tests: one embedded chain and Factory per session, rewound per test.

Deploying costs ~0.3 s on py-evm; a snapshot/revert costs nothing, so every test starts from the
same freshly deployed Factory without redeploying it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pytest
from saiaas.contracts import Auction, Chain, Factory, decode_cid

ETHER = 10**18
MAX_PRICES = (3 * ETHER // 10, 3 * ETHER // 10, 4 * ETHER // 10)
RESERVE = ETHER
BIDDING = 3600
DELIVERY = 7200
ACK = 1800


def cid(tag: str, kind: int = 0) -> str:
    """A distinct CID per tag: raw (kind 0, bafkrei...) or dag-pb (kind 1, bafybei...)."""
    return decode_cid(hashlib.sha256(tag.encode()).digest(), kind)


ONTOLOGY = cid("ontology v1")
REQUIREMENTS = cid("requirements", 1)


@dataclass
class World:
    chain: Chain
    factory: Factory
    owner: str
    client: str
    providers: list[str]  # 7 funded accounts that are not the client

    def create(self, **overrides: Any) -> Auction:
        terms: dict[str, Any] = dict(
            requirements_cid=REQUIREMENTS,
            max_prices=MAX_PRICES,
            reserve=RESERVE,
            bidding_seconds=BIDDING,
            delivery_seconds=DELIVERY,
            acknowledgment_seconds=ACK,
            min_references=0,
        )
        sender = overrides.pop("sender", self.client)
        terms.update(overrides)
        auction, _tx = self.factory.create_auction(sender, **terms)
        return auction

    def fill(self, auction: Auction, prices: tuple[int, int, int] | None = None) -> list[str]:
        """One bid per category from providers 0, 1, 2; returns the bidders."""
        prices = prices or tuple(p // 2 for p in MAX_PRICES)  # type: ignore[assignment]
        for cat in range(3):
            auction.bid(self.providers[cat], cat, prices[cat], cid(f"asset {cat}"))  # type: ignore[index]
        return self.providers[:3]


@pytest.fixture(scope="session")
def _session_world() -> World:
    chain = Chain.embedded()
    owner, client, *providers = chain.accounts
    factory = Factory.deploy(chain, owner, ONTOLOGY)
    return World(chain, factory, owner, client, providers)


@pytest.fixture
def world(_session_world: World) -> Any:
    """The session's chain and Factory, rewound after the test."""
    chain = _session_world.chain
    snapshot = chain.snapshot()
    yield _session_world
    chain.revert(snapshot)


@pytest.fixture
def auction(world: World) -> Auction:
    """An auction of the default terms, created by the client, nothing bid yet."""
    return world.create()
