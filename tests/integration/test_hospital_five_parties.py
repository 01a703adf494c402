"""The hospital case, learning included, as five parties in separate processes on anvil + js-ipfs.

What the README's "The hospital case by hand, five terminals" does, as `python -m saiaas.cli`
processes: the client, the data, algorithm and infrastructure winners and two losing providers
each have their own data folder (their keys stay there) and share only the node URLs and the
Factory address. The client makes its key and publishes it with the auction; the providers bid
from the files `saiaas example hospital` writes; after settlement the content winners seal their
files to the infrastructure winner's per-auction key, which trains and delivers; the client is
refused an acknowledgment before it evaluates, evaluates on its held-out images, acknowledges,
and everyone withdraws until the auction holds nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.anvil, pytest.mark.ipfs, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


class Party:
    """One party: its own data folder and password, the shared node URLs and Factory."""

    def __init__(self, name: str, account: str, shared: dict[str, str], root: Path) -> None:
        self.name, self.account = name, account
        home = root / name
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAIAAS_")}
        self.env = env | shared | {"SAIAAS_HOME": str(home),
                                   "SAIAAS_CONFIG": str(home / "none.toml"),
                                   "SAIAAS_PASSWORD": f"{name} password",
                                   "SAIAAS_ACCOUNT": account, "COLUMNS": "200"}
        self.home = home

    def __call__(self, *args: Any, expect: int = 0) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "saiaas.cli", *(str(a) for a in args)]
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=240,
                              cwd=ROOT)
        assert done.returncode == expect, (
            f"{self.name}: saiaas {' '.join(argv[3:])} exited {done.returncode}, expected "
            f"{expect}\nstdout: {done.stdout[-3000:]}\nstderr: {done.stderr[-3000:]}")
        assert "Traceback" not in done.stderr
        return done

    def json(self, *args: Any, expect: int = 0) -> Any:
        return json.loads(self(*args, "--json", expect=expect).stdout)


def test_the_hospital_case_as_five_parties(
    anvil_url: str, ipfs_node: str, tmp_path: Path
) -> None:
    from saiaas.contracts import Auction, Chain, Factory
    from saiaas.ontologies import ontology_bytes
    from saiaas.storage import KuboStore

    chain = Chain.connect(anvil_url)
    accounts = chain.accounts
    factory = Factory.deploy(chain, accounts[0], KuboStore(ipfs_node).put(ontology_bytes()))
    shared = {"SAIAAS_RPC_URL": anvil_url, "SAIAAS_IPFS_API": ipfs_node,
              "SAIAAS_FACTORY": factory.address}
    names = ("client", "data", "algorithm", "infrastructure", "data-loser", "infra-loser")
    client, data, algorithm, infra, data_loser, infra_loser = (
        Party(n, a, shared, tmp_path) for n, a in zip(names, accounts[1:7], strict=True))
    files = tmp_path / "files"
    client("example", "hospital", files)

    # the client: its key, published with the auction
    key = client.json("client", "generate-key", "--name", "hospital")["public_key"]
    created = client.json("auction", "create", files / "hospital-request.ttl",
                          "--client-key", "hospital")
    address = created["address"]

    # the providers, each in its own process, from its own catalog
    def bid(party: Party, catalog: str, asset: str, price: str) -> Any:
        return party.json("provider", "bid", address, "--catalog", files / catalog,
                          "--asset", asset, "--price", price)

    bid(data, "data-chest-imaging-lab.ttl", "chest-xray-60k", "0.30ether")
    bid(algorithm, "algo-densenet-chexnet.ttl", "densenet121-chexnet", "0.15ether")
    placed = bid(infra, "infra-sev-gpu-hosting.ttl", "a100-sevsnp", "0.28ether")
    assert len(placed["transfer_public_key"]) == 64
    bid(data_loser, "data-radiology-archive.ttl", "chest-xray-5k", "0.25ether")
    bid(infra_loser, "infra-confidential-gpu-cloud.ttl", "h100-tdx", "0.32ether")
    bid(data, "data-chest-imaging-lab.ttl", "chest-xray-60k", "0.20ether")  # lowers, wins
    chain.advance_time(created["deadline_at"] - chain.now() + 1)
    client.json("auction", "settle", address)
    auction = Auction(chain, address, factory)
    sla = auction.sla()
    assert sla is not None
    assert [sla.winners[i].bidder for i in range(3)] == [  # type: ignore[index]
        data.account, algorithm.account, infra.account]

    # learning: the losers cannot send, the winners seal their files to the infrastructure key
    refused = data_loser("provider", "send", address, "--content",
                         files / "data-radiology-archive.npz", expect=1)
    assert "did not win" in refused.stderr
    wrong = data("provider", "send", address, "--content", files / "algo-densenet-chexnet.py",
                 expect=1)
    assert "not the saiaas:contentCID" in wrong.stderr
    sealed_data = data.json("provider", "send", address, "--content",
                            files / "data-chest-imaging-lab.npz")["sealed_cid"]
    sealed_algorithm = algorithm.json("provider", "send", address, "--content",
                                      files / "algo-densenet-chexnet.py")["sealed_cid"]
    trained = infra.json("provider", "train", address, "--data", sealed_data,
                         "--algorithm", sealed_algorithm)
    assert trained["client_public_key"] == key and trained["account"] == infra.account
    assert auction.state().name == "DELIVERED" and auction.sla().model_cid == trained[  # type: ignore[union-attr]
        "manifest_cid"]
    # only the infrastructure winner's data folder holds the transfer key
    assert list((infra.home / "transfer-keys").rglob("*.json"))
    assert not (data.home / "transfer-keys").exists()

    # the client: no acknowledgment before an evaluation; evaluate; acknowledge
    early = client("auction", "acknowledge", address, expect=1)
    assert "no evaluation" in early.stderr and auction.state().name == "DELIVERED"
    verdict = client.json("client", "evaluate", address, "--held-out", files / "held-out.npz")
    assert verdict["passed"] and verdict["accuracy"] >= 0.9 and verdict["signer"] == infra.account
    acked = client.json("auction", "acknowledge", address)
    assert acked["state"] == "COMPLETED" and all(c["ok"] for c in acked["checks"])

    # withdrawals: winners their price and bond, losers their bond, the client the rest
    for party in (data, algorithm, infra, data_loser, infra_loser):
        paid = party.json("provider", "withdraw", address)
        assert int(paid["amount_wei"]) > 0
    client.json("auction", "withdraw", address)
    assert auction.balance() == 0
