"""A fresh SAIAAS_HOME per test (own embedded chain, store and keystore) and helpers that act as
the providers directly through the chain API, so the client commands are tested on their own."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from typer.testing import CliRunner

REQUEST = "hospital-request.ttl"
#: (catalog file, asset IRI) per category: two that fit the hospital request, then misfits.
FITTING = {
    0: [("data-radiology-archive.ttl", "https://example.org/radiology-archive#chest-xray-5k"),
        ("data-chest-imaging-lab.ttl", "https://example.org/chest-imaging-lab#chest-xray-60k")],
    1: [("algo-densenet-chexnet.ttl", "https://example.org/densenet-lab#densenet121-chexnet"),
        ("algo-vit-medical.ttl", "https://example.org/vision-transformers#vit-b16-medical")],
    2: [("infra-confidential-gpu-cloud.ttl",
         "https://example.org/confidential-gpu-cloud#h100-tdx"),
        ("infra-sev-gpu-hosting.ttl", "https://example.org/sev-gpu-hosting#a100-sevsnp")],
}
MISFIT_DATA = ("data-small-xray-clinic.ttl", "https://example.org/small-xray-clinic#chest-xray-300")


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("SAIAAS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SAIAAS_CONFIG", str(tmp_path / "no-config.toml"))
    for name in ("SAIAAS_RPC_URL", "SAIAAS_IPFS_API", "SAIAAS_FACTORY", "SAIAAS_KEYSTORE",
                 "SAIAAS_ACCOUNT", "SAIAAS_STORE", "SAIAAS_PASSWORD", "SAIAAS_PASSWORD_FILE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "home"


@pytest.fixture
def cli(home):
    """Run `saiaas ARGS...` in-process; stdout and stderr apart."""
    from saiaas.cli.app import app

    runner = CliRunner()

    def invoke(*args: str) -> Result:
        result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return invoke


class Market:
    """Direct access to the embedded chain of the test's SAIAAS_HOME."""

    fitting = FITTING
    misfit_data = MISFIT_DATA

    def session(self):
        from saiaas.cli.config import resolve
        from saiaas.cli.context import open_session

        return open_session(resolve())

    def accounts(self) -> list[str]:
        with self.session() as s:
            return s.chain.accounts

    def balance(self, address: str) -> int:
        with self.session() as s:
            return s.chain.balance(address)

    def nonce(self, address: str) -> int:
        with self.session() as s:
            return s.chain.w3.eth.get_transaction_count(address)

    def auctions(self) -> list[str]:
        with self.session() as s:
            return [e.auction for e in s.factory.auctions()]

    def bid(self, auction: str, account: int, category: int, price: int,
            catalog: str, asset: str) -> str:
        return self.bids(auction, [(account, category, price, catalog, asset)])[0]

    def bids(self, auction: str, offers: list[tuple[int, int, int, str, str]]) -> list[str]:
        """Each offer (account index, category, price, catalog, asset IRI), in one session."""
        from rdflib import Graph
        from saiaas.ontologies import example_path
        from saiaas.ontologies.descriptions import asset_description

        cids = []
        with self.session() as s:
            handle = s.auction(auction)
            for account, category, price, catalog, asset in offers:
                graph = Graph().parse(example_path(catalog), format="turtle")
                cid = s.store.put(asset_description(graph, asset))
                handle.bid(s.chain.accounts[account], category, price, cid)
                cids.append(cid)
        return cids

    def bid_all(self, auction: str) -> None:
        """Two fitting bids per category from accounts 1..6 (the later one lower)."""
        ether = 10**18
        self.bids(auction, [
            (1 + 2 * category + k, category, ether // 10 - k * ether // 100, catalog, asset)
            for category, offers in FITTING.items()
            for k, (catalog, asset) in enumerate(offers)
        ])

    def advance(self, seconds: int) -> None:
        with self.session() as s:
            s.chain.advance_time(seconds)

    def deliver(self, auction: str, model_cid: str) -> None:
        with self.session() as s:
            a = s.auction(auction)
            a.deliver(a.sla().winners[2].bidder, model_cid)


@pytest.fixture
def market(home):
    return Market()


@pytest.fixture
def request_file():
    from saiaas.ontologies import example_path

    return example_path(REQUEST)
