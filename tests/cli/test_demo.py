"""`saiaas demo`: the paper's scenario end to end, checked against the chain it ran on.

The demo runs once per module through the CLI (`--json`) on an in-process chain the test keeps a
handle on (Chain.embedded is patched to hand it over), so every claim of the JSON can be checked
against the chain itself: who sent what, balances, and the gas of each receipt.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from saiaas.cli.app import app
from saiaas.contracts import Chain
from typer.testing import CliRunner

pytestmark = pytest.mark.slow

SCENARIO = ["Auction creation", "First bid of contract", *["First bid of user"] * 5,
            *["Modify existing bid"] * 3, "Adjudication"]
CATEGORIES = ["data", "algorithm", "infrastructure"]


def _calldata_gas(data: bytes) -> int:
    """What a transaction's input costs (EIP-2028): the only part of gas that depends on the
    bytes of prices and CIDs rather than on what the contract executes."""
    return sum(4 if byte == 0 else 16 for byte in data)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], Chain, Path]]:
    """(the --json object, the chain it ran on, the store folder it kept)."""
    home = tmp_path_factory.mktemp("home")
    store = tmp_path_factory.mktemp("store")
    chain = Chain.embedded()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAIAAS_HOME", str(home))
        patch.setattr(Chain, "embedded", classmethod(lambda cls: chain))
        result = CliRunner().invoke(app, ["demo", "--json", "--store", str(store)])
    assert result.exit_code == 0, result.output
    yield json.loads(result.stdout), chain, store


def test_json_has_the_documented_keys(demo) -> None:  # type: ignore[no-untyped-def]
    out, _, _ = demo
    for key in ("auction", "sla", "total_gas", "refused_bids", "operations", "triplet", "scenario",
                "payouts", "disputes"):
        assert key in out
    assert out["scenario"] == "paper" and out["disputes"] == []
    assert all({"address", "role", "received_wei"} <= set(p) for p in out["payouts"])
    assert [row["category"] for row in out["sla"]] == CATEGORIES
    for row in out["sla"]:
        assert {"category", "provider", "price_wei", "asset_cid"} <= set(row)


def test_nine_bids_in_the_papers_order(demo) -> None:  # type: ignore[no-untyped-def]
    out, _, _ = demo
    bids = out["bids"]
    assert len(bids) == 9
    assert [b["category"] for b in bids] == CATEGORIES * 3
    assert [b["operation"] for b in bids] == SCENARIO[1:-1]
    first, second, third = bids[:3], bids[3:6], bids[6:]
    assert len({b["provider"] for b in bids}) == 6
    for a, b, c in zip(first, second, third, strict=True):
        assert c["provider"] == a["provider"] != b["provider"]
        assert int(a["price_wei"]) > int(b["price_wei"]) > int(c["price_wei"])  # B outbids A
        assert c["asset_cid"] == a["asset_cid"]  # the same description CID, re-used


def test_winners_are_the_first_three_providers(demo) -> None:  # type: ignore[no-untyped-def]
    out, chain, _ = demo
    first_round = out["bids"][:3]
    last_round = out["bids"][6:]
    for row, first, last in zip(out["sla"], first_round, last_round, strict=True):
        assert row["provider"] == first["provider"]
        assert row["price_wei"] == last["price_wei"]
        assert row["asset_cid"] == first["asset_cid"]
    from saiaas.contracts import Auction

    sla = Auction(chain, out["auction"]).sla()
    assert sla is not None
    assert [(w.bidder, w.price, w.asset_cid) for w in sla.winners.values()] == [
        (r["provider"], int(r["price_wei"]), r["asset_cid"]) for r in out["sla"]
    ]


def test_the_misfit_is_refused_with_reasons_and_sends_nothing(demo) -> None:  # type: ignore[no-untyped-def]
    out, chain, _ = demo
    refused, _ = out["refused_bids"]
    assert refused["asset_iri"].endswith("#l4-node")
    assert refused["category"] == "infrastructure"
    text = " ".join(refused["reasons"])
    assert "region" in text and "teeTechnology" in text
    # no transaction ever came from that account
    assert chain.w3.eth.get_transaction_count(refused["provider"]) == 0
    assert refused["provider"] not in {b["provider"] for b in out["bids"]}


def test_the_dataset_refused_for_its_data_use_conditions_sends_nothing(demo) -> None:  # type: ignore[no-untyped-def]
    out, chain, _ = demo
    _, refused = out["refused_bids"]
    assert refused["asset_iri"].endswith("#covid-chest-xray-8k")
    assert refused["category"] == "data" and refused["degree"] == "exact"
    # the only reason is the permission: the hospital's pneumonia research is not COVID-19's
    (reason,) = refused["reasons"]
    assert reason.startswith("data use not permitted")
    assert "pneumonia" in reason and "COVID-19" in reason
    assert chain.w3.eth.get_transaction_count(refused["provider"]) == 0
    assert refused["provider"] not in {b["provider"] for b in out["bids"]}
    row = next(p for p in out["providers"] if p["provider"] == refused["provider"])
    assert row["eligible"] is False and row["category"] == "data"
    # the six others still fit and bid 9 times; the SLA's data winner states conditions too
    assert len(out["bids"]) == 9
    assert sum(p["eligible"] for p in out["providers"]) == 6


def test_scenario_gas_is_the_benchmarks_scenario(demo) -> None:  # type: ignore[no-untyped-def]
    """Same operations, same executed gas per transaction as `saiaas bench gas`; the totals may
    differ only by the calldata of different prices and CIDs (zero bytes cost 4, others 16)."""
    from saiaas.benchmarks import gas as bench

    out, chain, _ = demo
    ours = [t for t in out["transactions"] if t["in_scenario"]]
    assert [t["operation"] for t in ours] == SCENARIO
    assert out["total_gas"] == sum(t["gas_used"] for t in ours)
    for t in ours:  # gas is the receipt's
        receipt = chain.w3.eth.get_transaction_receipt(t["tx_hash"])
        assert receipt["gasUsed"] == t["gas_used"]
        assert receipt["blockNumber"] == t["block_number"]

    bench_chain = Chain.embedded()
    rows = bench.scenario(bench_chain)
    sent = [bench_chain.w3.eth.get_transaction(h)
            for n in range(bench_chain.w3.eth.block_number + 1)
            for h in bench_chain.w3.eth.get_block(n)["transactions"]]
    theirs = [(row, tx) for row, tx in zip(rows, sent, strict=False) if row["in_scenario"]]
    assert [row["operation"] for row, _ in theirs] == SCENARIO
    calldata_ours = calldata_theirs = 0
    for t, (row, tx) in zip(ours, theirs, strict=True):
        assert bench_chain.w3.eth.get_transaction_receipt(tx["hash"])["gasUsed"] == row["gas"]
        mine = _calldata_gas(bytes(chain.w3.eth.get_transaction(t["tx_hash"])["input"]))
        other = _calldata_gas(bytes(tx["input"]))
        assert t["gas_used"] - mine == row["gas"] - other, t["label"]
        calldata_ours, calldata_theirs = calldata_ours + mine, calldata_theirs + other
    bench_total = sum(row["gas"] for row in rows if row["in_scenario"])
    assert out["total_gas"] - calldata_ours == bench_total - calldata_theirs
    assert abs(out["total_gas"] - bench_total) < 0.001 * bench_total


def test_cost_table_uses_the_papers_figures_and_prices(demo) -> None:  # type: ignore[no-untyped-def]
    from saiaas.benchmarks.gas import PAPER

    out, _, _ = demo
    names = [op["operation"] for op in out["operations"]]
    assert names[:6] == [n for n in PAPER if n != "Scenario total"]
    for op in out["operations"]:
        assert op["paper_gas"] == PAPER.get(op["operation"])
        assert Decimal(op["ether"]) == Decimal(op["gas"]) * 124 / 10**9
        assert op["usd"] == pytest.approx(op["gas"] * 124e-9 * 1683, abs=0.006)
    assert out["costs"]["paper_scenario_total"] == PAPER["Scenario total"]
    assert out["costs"]["usd"] == pytest.approx(out["total_gas"] * 124e-9 * 1683, abs=0.006)


def test_money_ends_where_it_should(demo) -> None:  # type: ignore[no-untyped-def]
    out, chain, _ = demo
    assert out["state"] == "COMPLETED"
    assert out["auction_balance_wei"] == "0"
    assert chain.balance(out["auction"]) == 0
    total = sum(int(row["price_wei"]) for row in out["sla"])
    owed = {w["address"]: int(w["owed_wei"]) for w in out["withdrawals"]}
    bonds = {c: int(b) for c, b in out["terms"]["bonds_wei"].items()}
    for row in out["sla"]:  # a winner's pay comes with its bond back
        assert owed[row["provider"]] == int(row["price_wei"]) + bonds[row["category"]]
    for bid in out["bids"][3:6]:  # the losers take their bonds back
        assert owed[bid["provider"]] == bonds[bid["category"]]
    client = next(w for w in out["withdrawals"] if w["who"].startswith("client"))
    assert int(client["owed_wei"]) == int(out["reserve_wei"]) - total
    for w in out["withdrawals"]:
        assert int(w["balance_change_wei"]) == int(w["owed_wei"]) - int(w["fee_wei"]) and w["ok"]
    assert all(check["ok"] for check in out["checks"])


def test_triplet_verdict_is_on_the_winning_assets(demo) -> None:  # type: ignore[no-untyped-def]
    out, _, _ = demo
    verdict = out["triplet"]
    assert verdict["compatible"] is True
    assert [verdict[c] for c in CATEGORIES] == [row["asset_iri"] for row in out["sla"]]
    assert verdict["reasons"] and all(r["code"] == "triplet-met" for r in verdict["reasons"])


def test_store_holds_what_the_chain_names(demo) -> None:  # type: ignore[no-untyped-def]
    from saiaas.storage import LocalStore

    out, _, store_dir = demo
    store = LocalStore(store_dir)
    for row in out["sla"]:  # each asset description re-hashes to its CID and names the asset
        assert f"<{row['asset_iri']}>" in store.get(row["asset_cid"]).decode()
    manifest = json.loads(store.get(out["model"]["manifest_cid"]))
    assert manifest["kind"] == "saiaas-delivery" and "placeholder" not in manifest
    assert manifest["model_cid"] == out["model"]["model_cid"]
    report = manifest["attestation"]["report"]
    assert report["auction"] == out["auction"]
    assert report["inputs"] == {"data": out["model"]["data_cid"],
                                "algorithm": out["model"]["algorithm_cid"]}
    assert b"saiaas:Request" in store.get(out["requirements_cid"])


def test_bids_commit_the_content_the_winners_sent(demo) -> None:  # type: ignore[no-untyped-def]
    """The data and algorithm descriptions on chain name the CIDs of the very bytes the demo's
    providers sell; the infrastructure winner checked against those, so the report names them."""
    from saiaas.learning import committed_content_cid
    from saiaas.market.hospital import hospital_assets, provider_content
    from saiaas.market.scenario import PROVIDERS
    from saiaas.storage import LocalStore, cid_of

    out, _, store_dir = demo
    store = LocalStore(store_dir)
    assets = hospital_assets()
    contents = {cid_of(c) for p in PROVIDERS if (c := provider_content(p, assets)) is not None}
    assert len(contents) == 4  # two data slices and two scripts, all different
    data_row, algorithm_row, infra_row = out["sla"]
    assert committed_content_cid(store, data_row["asset_cid"]) == out["model"]["data_cid"]
    assert committed_content_cid(store, algorithm_row["asset_cid"]) == out["model"]["algorithm_cid"]
    assert {out["model"]["data_cid"], out["model"]["algorithm_cid"]} <= contents
    assert "contentCID" not in store.get(infra_row["asset_cid"]).decode()  # a service: no content
    for bid in out["bids"]:  # every data/algorithm bid commits content, before the first one
        text = store.get(bid["asset_cid"]).decode()
        assert ("contentCID" in text) == (bid["category"] != "infrastructure")


def test_the_model_is_trained_delivered_evaluated_and_labels_the_101st(demo) -> None:  # type: ignore[no-untyped-def]
    from saiaas.contracts import Auction
    from saiaas.storage import same_cid

    out, chain, _ = demo
    model = out["model"]
    assert {"model_cid", "accuracy", "label_101", "attestation", "manifest_cid"} <= set(model)
    assert model["accuracy"] >= 0.90 and model["required"] == 0.9 and model["total"] == 100
    assert model["acknowledged"] is True
    label = model["label_101"]
    assert set(label) == {"predicted", "actual"}
    assert type(label["predicted"]) is int and type(label["actual"]) is int
    assert label["actual"] in range(10) and label["predicted"] in range(10)
    infra_winner = out["sla"][2]["provider"]
    assert model["attestation"]["signer"] == infra_winner and model["attestation"]["verified"]
    assert model["attestation"]["mode"] == "software"
    sla = Auction(chain, out["auction"]).sla()
    assert sla is not None and sla.model_cid is not None
    assert same_cid(sla.model_cid, model["manifest_cid"])  # what went on chain is the manifest
    assert "stand in for" in model["dataset_note"]
    delivered = [t for t in out["transactions"] if t["operation"] == "Deliver model"]
    assert len(delivered) == 1
    sender = chain.w3.eth.get_transaction(delivered[0]["tx_hash"])["from"]
    assert sender == infra_winner


def test_the_printed_label_command_labels_the_101st_again(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import os
    import shlex
    import stat

    out, _, _ = demo
    command = out["model"]["label_command"]
    key_file = Path(out["model"]["key_file"])
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    argv = shlex.split(command)
    assert argv[:3] == ["saiaas", "client", "label"]
    result = CliRunner(env={"SAIAAS_HOME": str(tmp_path)}).invoke(app, [*argv[1:], "--json"])
    assert result.exit_code == 0, result.output
    labelled = json.loads(result.stdout)
    assert labelled["predicted"] == out["model"]["label_101"]["predicted"]
    assert labelled["signer"] == out["sla"][2]["provider"]
    assert labelled["signer_checked_against"] == "--signer"


def test_human_output_tells_the_sla_and_the_table(tmp_path: Path, demo) -> None:  # type: ignore[no-untyped-def]
    out, _, _ = demo
    result = CliRunner(env={"SAIAAS_HOME": str(tmp_path), "COLUMNS": "120"}).invoke(
        app, ["demo", "--gas-price-gwei", "10", "--eth-usd", "2000"]
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    for needle in ("SLA", "triplet compatibility: compatible", "refused before any transaction",
                   "region is USEast", "stand in for the hospital's chest X-rays",
                   "accuracy on the client's own 100 images", "101st image labelled",
                   "the client acknowledges", "Paper gas",
                   "Scenario total", "3,180,058", "10 gwei", "the auction ends with balance 0"):
        assert needle in text, needle
    for row in out["sla"]:  # same deterministic run: the same winners and asset CIDs
        assert row["asset_cid"] in text and row["provider"] in text
    assert f"{out['total_gas']:,}" in text
    assert f"{out['total_gas'] * 10e-9 * 2000:.2f}" in text
    assert "Traceback" not in result.output
    assert "placeholder" not in text
    assert "--store DIR to keep the model" in text  # no --store: nothing kept, said so


def test_store_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = CliRunner(env={"SAIAAS_HOME": str(tmp_path)}).invoke(
        app, ["demo", "--store", str(blocker)]
    )
    assert result.exit_code == 2
    assert "is a file" in result.output and str(blocker) in result.output
    assert "Traceback" not in result.output and "Publish" not in result.output


def test_negative_gas_price_is_refused(tmp_path: Path) -> None:
    result = CliRunner(env={"SAIAAS_HOME": str(tmp_path)}).invoke(
        app, ["demo", "--gas-price-gwei", "-1"]
    )
    assert result.exit_code == 2
    assert "--gas-price-gwei" in result.output


def test_the_printed_demo_shows_the_data_use_refusal_before_any_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAIAAS_HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    text = result.output
    refusal = text.index("refused before any transaction: COVID X-ray Registry for data")
    assert "data use not permitted" in text[refusal:]
    assert refusal < text.index("The auction ends")
