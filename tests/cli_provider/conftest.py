"""A marketplace on the embedded chain, built once per test session and copied for each test.

Deploying the Factory and creating the hospital auction on py-evm takes seconds; a copy of the
finished data folder (chain.bin, store, deployments.json) gives each test a fresh, private
marketplace in milliseconds.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

CLIENT_INDEX = 9  # the hospital's account; providers use the others


class Market:
    """One test's marketplace: its data folder and the hospital auction's address."""

    def __init__(self, home: Path, auction: str) -> None:
        self.home = home
        self.auction = auction

    def session(self) -> Any:
        from saiaas.cli.config import resolve
        from saiaas.cli.context import open_session

        return open_session(resolve())

    def create_auction(self, requirements: bytes | None = None) -> str:
        return _create_auction(requirements)

    def advance(self, seconds: int) -> None:
        with self.session() as s:
            s.chain.advance_time(seconds)

    def account(self, index: int) -> str:
        with self.session() as s:
            return str(s.chain.accounts[index])

    def nonce_and_balance(self, address: str) -> tuple[int, int]:
        with self.session() as s:
            return int(s.chain.w3.eth.get_transaction_count(address)), s.chain.balance(address)

    def bid_count(self, auction: str, category: int) -> int:
        with self.session() as s:
            return len(s.auction(auction).bids(category))


def _create_auction(requirements: bytes | None = None) -> str:
    from rdflib import Graph
    from saiaas.cli.config import resolve
    from saiaas.cli.context import open_session
    from saiaas.ontologies import example_path
    from saiaas.ontologies.requests import Category, parse_request

    data = requirements or example_path("hospital-request.ttl").read_bytes()
    request = parse_request(Graph().parse(data=data.decode(), format="turtle"))
    with open_session(resolve()) as s:
        cid = s.store.put(data)
        auction, _ = s.factory.create_auction(
            s.chain.accounts[CLIENT_INDEX],
            requirements_cid=cid,
            max_prices=tuple(request.specs[c].max_price_wei for c in Category),  # type: ignore[arg-type]
            reserve=request.reserve_wei,
            bidding_seconds=request.bidding_seconds,
            delivery_seconds=request.delivery_seconds or 86400,
            acknowledgment_seconds=request.acknowledgment_seconds or 86400,
            min_references=request.references_required,
        )
        return auction.address


@pytest.fixture(scope="session")
def market_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    home = tmp_path_factory.mktemp("market")
    before = os.environ.get("SAIAAS_HOME")
    os.environ["SAIAAS_HOME"] = str(home)
    try:
        address = _create_auction()
    finally:
        if before is None:
            del os.environ["SAIAAS_HOME"]
        else:
            os.environ["SAIAAS_HOME"] = before
    yield home, address


@pytest.fixture
def market(
    market_template: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Market:
    template, address = market_template
    home = tmp_path / "home"
    shutil.copytree(template, home, ignore=shutil.ignore_patterns("*.lock"))
    monkeypatch.setenv("SAIAAS_HOME", str(home))
    monkeypatch.setenv("SAIAAS_CONFIG", str(tmp_path / "no-config.toml"))
    for name in ("SAIAAS_RPC_URL", "SAIAAS_IPFS_API", "SAIAAS_FACTORY", "SAIAAS_ACCOUNT",
                 "SAIAAS_STORE", "SAIAAS_KEYSTORE", "SAIAAS_PASSWORD_FILE"):
        monkeypatch.delenv(name, raising=False)
    return Market(home, address)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
