"""The demo's scenario as separate CLI processes against a real anvil and a real js-ipfs node.

Each party is its own `python -m saiaas.cli` process that only shares the node URLs and the
Factory address (through SAIAAS_* variables, as a person would configure them): the client's
process validates and creates the auction, each provider's process scans the Factory and matches
its catalog, then bids with its own anvil dev account; the misfit's bid is refused before any
transaction. The SLA read back by the client must be the one `saiaas demo` reaches on the
embedded chain: same winning assets, prices and asset CIDs, and the same gas per transaction.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from saiaas.market.hospital import hospital_assets, provider_catalog
from saiaas.market.scenario import PROVIDERS, REFUSED, REQUEST_FILE
from saiaas.ontologies import example_path

pytestmark = [pytest.mark.anvil, pytest.mark.ipfs, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
CATEGORIES = ["data", "algorithm", "infrastructure"]


def _reap(process: subprocess.Popen[str]) -> None:
    """Stop the process we started (by its handle) if a failure left it running."""
    if process.poll() is None:
        process.kill()
        process.communicate()


class Cli:
    """Runs `saiaas` as a separate process with the marketplace's shared settings."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.calls: list[list[str]] = []

    def __call__(self, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "saiaas.cli", *args]
        self.calls.append(list(args))
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=180,
                              cwd=ROOT)
        assert done.returncode == expect, (
            f"saiaas {' '.join(args)} exited {done.returncode}, expected {expect}\n"
            f"stdout: {done.stdout[-3000:]}\nstderr: {done.stderr[-3000:]}"
        )
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)


@pytest.fixture(scope="module")
def marketplace(
    anvil_url: str, ipfs_node: str, tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> dict[str, Any]:
    """The whole flow, run once; tests below check what it left on chain and in the store."""
    from saiaas.contracts import Chain, Factory
    from saiaas.ontologies import ontology_bytes
    from saiaas.storage import KuboStore

    chain = Chain.connect(anvil_url)
    accounts = chain.accounts
    operator, client = accounts[0], accounts[1]
    # `saiaas devnet`-like setup: the operator publishes the ontology and deploys the Factory
    ontology_cid = KuboStore(ipfs_node).put(ontology_bytes())
    factory = Factory.deploy(chain, operator, ontology_cid)

    home = tmp_path_factory.mktemp("saiaas-home")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAIAAS_")}
    env |= {
        "SAIAAS_HOME": str(home),
        "SAIAAS_CONFIG": str(home / "no-config.toml"),
        "SAIAAS_RPC_URL": anvil_url,
        "SAIAAS_IPFS_API": ipfs_node,
        "SAIAAS_FACTORY": factory.address,
        "COLUMNS": "200",
    }
    cli = Cli(env)

    # the embedded run to compare with: its own process, on its own in-process chain, running
    # while the marketplace processes below do their work
    demo_process = subprocess.Popen(
        [sys.executable, "-m", "saiaas.cli", "demo", "--json"],
        env={k: v for k, v in env.items() if k != "SAIAAS_RPC_URL"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )
    request.addfinalizer(lambda: _reap(demo_process))

    created = cli.json("auction", "create", str(example_path(REQUEST_FILE)), "--account", client)

    providers = [*PROVIDERS, REFUSED]
    # each provider bids from its catalog with the contentCID of what it sells, as in the demo
    catalogs_dir = tmp_path_factory.mktemp("catalogs")
    assets = hospital_assets()
    catalog_of = {}
    for provider in providers:
        catalog_of[provider] = catalogs_dir / provider.catalog
        catalog_of[provider].write_bytes(provider_catalog(provider, assets))
    who = dict(zip(providers, accounts[2 : 2 + len(providers)], strict=True))

    def scan(provider: Any) -> list[dict[str, Any]]:
        found = cli.json("provider", "match", str(catalog_of[provider]), "--all")
        return [m for m in found["matches"] if m["auction"] == created["address"]]

    with ThreadPoolExecutor(max_workers=4) as pool:  # providers scan independently
        matches = dict(zip(providers, pool.map(scan, providers), strict=True))

    bids: list[dict[str, Any]] = []

    def bid(provider: Any, price: str) -> None:
        (row,) = [m for m in matches[provider] if m["eligible"]]
        bids.append(cli.json(
            "provider", "bid", created["address"], "--asset", row["asset"],
            "--price", f"{price}ether", "--catalog", str(catalog_of[provider]),
            "--account", who[provider],
        ) | {"catalog": provider.catalog})

    first, second = PROVIDERS[:3], PROVIDERS[3:]
    for provider in first:
        bid(provider, provider.prices[0])
    for provider in second:
        bid(provider, provider.prices[0])
    for provider in first:
        bid(provider, provider.prices[1])

    misfit = who[REFUSED]
    nonce_before = chain.w3.eth.get_transaction_count(misfit)
    (misfit_row,) = matches[REFUSED]
    refusal = cli(
        "provider", "bid", created["address"], "--asset", misfit_row["asset"],
        "--price", f"{REFUSED.prices[0]}ether", "--catalog", str(catalog_of[REFUSED]),
        "--account", misfit, expect=1,
    )
    nonce_after = chain.w3.eth.get_transaction_count(misfit)

    # the bidding time passes on the node, then the client settles
    remaining = created["deadline_at"] - chain.now()
    chain.advance_time(max(remaining, 0) + 1)
    settled = cli.json("auction", "settle", created["address"], "--account", client)
    status = cli.json("auction", "status", created["address"], "--account", client)
    demo_out, demo_err = demo_process.communicate(timeout=300)
    assert demo_process.returncode == 0, demo_err[-3000:]
    demo = json.loads(demo_out)
    return {
        "demo": demo, "created": created, "matches": matches, "bids": bids, "who": who,
        "refusal": refusal, "misfit_row": misfit_row, "nonces": (nonce_before, nonce_after),
        "settled": settled, "status": status, "chain": chain, "ipfs": ipfs_node,
        "client": client,
    }


def test_each_provider_process_finds_the_auction(marketplace: dict[str, Any]) -> None:
    for provider in PROVIDERS:
        rows = marketplace["matches"][provider]
        eligible = [r for r in rows if r["eligible"]]
        assert len(eligible) == 1, (provider.catalog, rows)
        assert eligible[0]["category"] == provider.category
        assert eligible[0]["degree"] in ("exact", "plugin")
    (misfit,) = marketplace["matches"][REFUSED]
    assert misfit["eligible"] is False and misfit["reasons"]


def test_the_misfit_is_refused_before_any_transaction(marketplace: dict[str, Any]) -> None:
    before, after = marketplace["nonces"]
    assert before == after == 0
    refusal = marketplace["refusal"]
    assert "not eligible" in refusal.stderr and "nothing sent" in refusal.stderr
    assert "Traceback" not in refusal.stderr
    demo_reasons = marketplace["demo"]["refused_bids"][0]["reasons"]
    assert set(marketplace["misfit_row"]["reasons"]) == set(demo_reasons)


def test_sla_equals_the_embedded_demo(marketplace: dict[str, Any]) -> None:
    from saiaas.storage import same_cid

    demo_sla = marketplace["demo"]["sla"]
    winners = marketplace["status"]["sla"]["winners"]
    assert marketplace["status"]["state"] == "ADJUDICATED"
    assert [w["category"] for w in winners] == CATEGORIES
    account_of = {p.catalog: a for p, a in marketplace["who"].items()}
    for ours, theirs, provider in zip(winners, demo_sla, PROVIDERS[:3], strict=True):
        assert ours["category"] == theirs["category"]
        assert ours["price_wei"] == theirs["price_wei"]
        # the same description as the demo's, naming this run's bidder as its provider account
        # (and, for infrastructure, the transfer key `provider bid` made for this auction)
        assert same_cid(ours["asset_cid"], _description_cid(
            provider, theirs["asset_iri"], ours["provider"],
            _transfer_key(marketplace["ipfs"], ours["asset_cid"])))
        assert ours["provider"].lower() == account_of[provider.catalog].lower()
    assert marketplace["settled"]["sla"]["winners"] == winners


def test_bids_and_gas_equal_the_embedded_demo(marketplace: dict[str, Any]) -> None:
    """Same calldata (prices, CIDs) and same contract paths: receipts equal across py-evm and
    anvil, transaction by transaction, so the scenario total is the demo's."""
    demo = marketplace["demo"]
    assert len(marketplace["bids"]) == len(demo["bids"]) == 9
    for ours, theirs in zip(marketplace["bids"], demo["bids"], strict=True):
        assert ours["category"] == theirs["category"]
        assert ours["price_wei"] == theirs["price_wei"]
        # the descriptions name different bidders (anvil's accounts, not py-evm's): the gas may
        # differ only by the calldata of the CIDs' digests (a zero byte costs 4, others 16)
        assert (ours["gas_used"] - _digest_gas(ours["asset_cid"])
                == theirs["gas_used"] - _digest_gas(theirs["asset_cid"])), ours
    scenario = (marketplace["created"]["gas_used"] + sum(b["gas_used"] for b in marketplace["bids"])
                + marketplace["settled"]["gas_used"])
    digests = sum(_digest_gas(b["asset_cid"]) for b in marketplace["bids"])
    assert scenario - digests == demo["total_gas"] - sum(
        _digest_gas(b["asset_cid"]) for b in demo["bids"])


def _digest_gas(cid: str) -> int:
    from saiaas.contracts import encode_cid

    return sum(4 if byte == 0 else 16 for byte in encode_cid(cid)[0])


def _description_cid(provider: Any, asset_iri: str, account: str, key: str | None) -> str:
    from rdflib import Graph
    from saiaas.ontologies.descriptions import asset_description
    from saiaas.storage import cid_of

    catalog = Graph().parse(data=provider_catalog(provider), format="turtle")
    return cid_of(asset_description(catalog, asset_iri, account, key))


def _transfer_key(ipfs: str, description_cid: str) -> str | None:
    """The saiaas:transferPublicKey a stored description states (infrastructure bids)."""
    from rdflib import Graph, URIRef
    from saiaas.ontologies.descriptions import TRANSFER_PUBLIC_KEY
    from saiaas.storage import KuboStore

    graph = Graph().parse(data=KuboStore(ipfs).get(description_cid), format="nt")
    keys = [str(o) for o in graph.objects(None, URIRef(TRANSFER_PUBLIC_KEY))]
    return keys[0] if keys else None


def test_descriptions_on_the_ipfs_node_rehash(marketplace: dict[str, Any]) -> None:
    from saiaas.storage import KuboStore

    store = KuboStore(marketplace["ipfs"])
    for winner in marketplace["status"]["sla"]["winners"]:
        text = store.get(winner["asset_cid"]).decode()
        assert "https://w3id.org/saiaas#offeredBy" in text
    assert b"saiaas:Request" in store.get(marketplace["created"]["requirements_cid"])
