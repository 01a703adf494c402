"""Marketplaces for the command tests.

`market` (with the root `home`): a fresh embedded chain per test and helpers that act as the
providers directly through the chain API, so the client's commands are tested on their own.
`opened`: the hospital auction created once per session and copied for each test, for the
provider's commands."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
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


class Market:
    """Direct access to the embedded chain of the test's SAIAAS_HOME."""

    fitting = FITTING
    misfit_data = MISFIT_DATA

    def session(self):
        from saiaas.market import Marketplace, resolve

        return Marketplace.open(resolve())

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
                bidder = s.chain.accounts[account]
                cid = s.store.put(asset_description(graph, asset, bidder))
                handle.bid(bidder, category, price, cid)
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


def _load_contract_checker() -> Any:
    import importlib.util

    path = Path(__file__).with_name("_json_contract.py")
    spec = importlib.util.spec_from_file_location("saiaas_tests_json_contract", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_CHECKER = _load_contract_checker()


@pytest.fixture(autouse=True)
def json_contract(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every JSON document a command prints in these tests is checked against the README's
    contract (tests/cli/_json_contract.py); a test whose commands print one that breaks it
    fails, naming what broke. A document with a transaction must name the acting account."""
    from saiaas.cli import output

    broken: list[str] = []
    shaped = output.contract

    def checked(obj: Any) -> Any:
        doc = shaped(obj)
        sends = isinstance(doc, dict) and bool(doc.get("tx_hash"))
        broken.extend(_CHECKER.violations(doc, sends))
        return doc

    monkeypatch.setattr(output, "contract", checked)
    yield broken
    assert not broken, "JSON contract broken:\n" + "\n".join(broken)


@pytest.fixture
def market(home):
    return Market()


@pytest.fixture
def request_file():
    from saiaas.ontologies import example_path

    return example_path(REQUEST)


CLIENT_INDEX = 9  # the hospital's account; providers use the others


class OpenAuction:
    """One test's marketplace: its data folder and the hospital auction's address."""

    def __init__(self, home: Path, auction: str) -> None:
        self.home = home
        self.auction = auction

    def session(self) -> Any:
        from saiaas.market import Marketplace, resolve

        return Marketplace.open(resolve())

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

    def manifest(self, auction: str, path: Path, model: bytes = b"weights") -> Path:
        """A delivery manifest `provider deliver` accepts: signed by the auction's infrastructure
        winner (an embedded dev key) for this auction and chain, its sealed parts stored."""
        from saiaas.learning import KeyPair, deliver_model
        from saiaas.learning.worker import Isolation, TrainingResult
        from saiaas.market.hospital import dev_key

        with self.session() as s:
            handle = s.auction(auction)
            winner = handle.sla().winners[2].bidder
            training = TrainingResult(model, {"features": 64}, Isolation("none", "same"), "0" * 64,
                                      "0" * 64, "start", "end", 0.0)
            delivery = deliver_model(
                s.store, training, code=b"def predict(m, X): return X", code_name="algo.py",
                data_cid="bafkreidata", algorithm_cid="bafkreialgo",
                client_public_key=KeyPair.generate().public_key,
                signer_key=dev_key(s.chain, winner), auction=handle.address,
                chain_id=int(s.chain.w3.eth.chain_id))
            path.write_bytes(s.store.get(delivery.manifest_cid))
        return path

    def bid_count(self, auction: str, category: int) -> int:
        with self.session() as s:
            return len(s.auction(auction).bids(category))


def _create_auction(requirements: bytes | None = None) -> str:
    """The hospital's auction, created as the client's workflow creates it."""
    from saiaas.market import Marketplace, Settings, client
    from saiaas.ontologies import example_path

    data = requirements or example_path("hospital-request.ttl").read_bytes()
    with Marketplace.open(Settings()) as market:
        hospital = market.acting_as(market.chain.accounts[CLIENT_INDEX])
        return client.create_auction(hospital, data, "hospital-request.ttl").auction.address


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
def opened(
    market_template: tuple[Path, str], home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> OpenAuction:
    template, address = market_template
    shutil.copytree(template, home, ignore=shutil.ignore_patterns("*.lock"))
    return OpenAuction(home, address)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
