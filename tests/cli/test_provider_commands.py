"""`saiaas provider match|watch|bid|deliver|claim|withdraw` on the embedded marketplace."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from saiaas.cli.app import app
from saiaas.ontologies import example_path
from saiaas.storage import cid_of
from typer.testing import CliRunner

ETHER = 10**18
RADIOLOGY = "https://example.org/radiology-archive#chest-xray-5k"
LAB = "https://example.org/chest-imaging-lab#chest-xray-60k"
SMALL = "https://example.org/small-xray-clinic#chest-xray-300"


def catalog(name: str) -> str:
    return str(example_path(name))


ALL_CATALOGS = [
    catalog(n)
    for n in (
        "data-radiology-archive.ttl", "data-chest-imaging-lab.ttl", "data-small-xray-clinic.ttl",
        "algo-densenet-chexnet.ttl", "algo-vit-medical.ttl", "algo-tabular-xgboost.ttl",
        "infra-confidential-gpu-cloud.ttl", "infra-sev-gpu-hosting.ttl", "infra-plain-gpu.ttl",
    )
]


def invoke(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def error_line(result: Any) -> str:
    """The one `error:` line of a failed command (reasons may precede it), never a traceback."""
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bid(runner: CliRunner, opened: Any, account: str, asset: str, price: str, *catalogs: str,
        auction: str | None = None) -> Any:
    args = ["provider", "bid", auction or opened.auction, "--asset", asset, "--price", price,
            "--account", account, "--json"]
    for c in catalogs:
        args += ["--catalog", c]
    return invoke(runner, *args)


# ------------------------------------------------------------------------------ match


def test_match_lists_the_eligible_assets_per_category(runner: CliRunner, opened: Any) -> None:
    result = invoke(runner, "provider", "match", *ALL_CATALOGS, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    found = {(r["category"], r["asset"].rsplit("#", 1)[1]) for r in report["matches"]}
    assert found == {
        ("data", "chest-xray-5k"), ("data", "chest-xray-60k"),
        ("algorithm", "densenet121-chexnet"), ("algorithm", "vit-b16-medical"),
        ("infrastructure", "h100-tdx"), ("infrastructure", "a100-sevsnp"),
    }
    data_row = next(r for r in report["matches"] if r["asset"] == RADIOLOGY)
    assert data_row["auction"] == opened.auction
    assert data_row["max_price_wei"] == str(35 * ETHER // 100)
    assert data_row["base_price_wei"] is None
    assert 0 < data_row["time_left_seconds"] <= 3 * 86400
    assert data_row["degree"] in ("exact", "plugin") and data_row["eligible"] is True
    assert report["skipped"] == []


def test_match_all_shows_the_misfits_with_reasons(runner: CliRunner, opened: Any) -> None:
    result = invoke(runner, "provider", "match", catalog("data-small-xray-clinic.ttl"),
                    "--all", "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["matches"]
    small = [r for r in rows if r["asset"] == SMALL]
    assert len(small) == 1 and small[0]["eligible"] is False
    assert any("300" in reason and "1000" in reason for reason in small[0]["reasons"])
    plain = invoke(runner, "provider", "match", catalog("data-small-xray-clinic.ttl"))
    assert plain.exit_code == 0 and "No open auction fits your assets (1 auction" in plain.stdout


def test_match_prints_a_table_without_json(runner: CliRunner, opened: Any) -> None:
    result = invoke(runner, "provider", "match", catalog("data-radiology-archive.ttl"))
    assert result.exit_code == 0, result.stderr
    assert "chest-xray-5k" in result.stdout and "0.35 ETH" in result.stdout
    assert "no bid" in result.stdout


def test_match_refuses_an_invalid_catalog_with_its_violations(
    runner: CliRunner, opened: Any, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix saiaas: <https://w3id.org/saiaas#> .\n@prefix : <https://example.org/bad#> .\n"
        ":d a saiaas:ChestXRayDataset ; saiaas:sampleCount \"lots\" .\n"
    )
    result = invoke(runner, "provider", "match", str(bad))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "not a valid catalog" in error_line(result)
    assert "sampleCount" in result.stderr


def test_a_requirement_file_that_no_longer_resolves_is_skipped_not_fatal(
    runner: CliRunner, opened: Any
) -> None:
    with opened.session() as s:
        lost_cid = s.auction(opened.auction).info().requirements_cid
    second = opened.create_auction(
        example_path("hospital-request.ttl").read_bytes() + b"\n# a second hospital\n"
    )
    (opened.home / "store" / lost_cid).unlink()
    result = invoke(runner, "provider", "match", catalog("data-radiology-archive.ttl"), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [s["auction"] for s in report["skipped"]] == [opened.auction]
    assert lost_cid in report["skipped"][0]["reason"]
    assert {r["auction"] for r in report["matches"]} == {second}
    text = invoke(runner, "provider", "match", catalog("data-radiology-archive.ttl"))
    assert text.exit_code == 0 and "warning: skipped auction" in text.stderr
    refused = bid(runner, opened, opened.account(1), RADIOLOGY, "0.3ether",
                  catalog("data-radiology-archive.ttl"))
    assert refused.exit_code == 5
    assert lost_cid in error_line(refused)


def test_unreachable_rpc_and_ipfs_endpoints_are_one_line_errors(
    runner: CliRunner, opened: Any
) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    chain = invoke(runner, "provider", "match", catalog("data-radiology-archive.ttl"),
                   "--rpc-url", url)
    assert chain.exit_code == 4 and url in error_line(chain)
    ipfs = invoke(runner, "provider", "match", catalog("data-radiology-archive.ttl"),
                  "--ipfs-api", url)
    assert ipfs.exit_code == 5 and "cannot reach the IPFS API" in error_line(ipfs)
    provider = opened.account(1)
    before = opened.nonce_and_balance(provider)
    placed = invoke(runner, "provider", "bid", opened.auction, "--asset", RADIOLOGY, "--price",
                    "0.3ether", "--catalog", catalog("data-radiology-archive.ttl"),
                    "--account", provider, "--ipfs-api", url)
    assert placed.exit_code == 5 and "cannot reach the IPFS API" in error_line(placed)
    assert opened.nonce_and_balance(provider) == before


# ------------------------------------------------------------------------------ bid


def test_bid_stores_the_description_and_lowers_the_base_price(
    runner: CliRunner, opened: Any
) -> None:
    from rdflib import Graph
    from saiaas.ontologies.descriptions import asset_description

    provider = opened.account(1)
    result = bid(runner, opened, provider, "chest-xray-5k", "0.3ether",
                 catalog("data-radiology-archive.ttl"))
    assert result.exit_code == 0, result.stderr
    placed = json.loads(result.stdout)
    described = asset_description(  # the description names the account that bids with it
        Graph().parse(catalog("data-radiology-archive.ttl"), format="turtle"), RADIOLOGY, provider
    )
    assert f'"{provider}"'.encode() in described
    assert placed["asset"] == RADIOLOGY and placed["category"] == "data"
    assert placed["asset_cid"] == cid_of(described)
    assert (opened.home / "store" / placed["asset_cid"]).read_bytes() == described
    assert placed["price_wei"] == placed["base_price_wei"] == str(3 * ETHER // 10)
    assert placed["bidder"] == provider and placed["gas_used"] > 21000
    other = bid(runner, opened, opened.account(2), LAB, "0.25ether",
                catalog("data-chest-imaging-lab.ttl"))
    assert other.exit_code == 0, other.stderr
    assert json.loads(other.stdout)["base_price_wei"] == str(25 * ETHER // 100)
    lower = bid(runner, opened, provider, RADIOLOGY, "0.2ether",
                catalog("data-radiology-archive.ttl"))
    assert json.loads(lower.stdout)["base_price_wei"] == str(2 * ETHER // 10)
    assert opened.bid_count(opened.auction, 0) == 2
    rows = json.loads(invoke(runner, "provider", "match", catalog("data-radiology-archive.ttl"),
                             "--json").stdout)["matches"]
    assert rows[0]["base_price_wei"] == str(2 * ETHER // 10)


def test_a_non_matching_asset_is_refused_before_any_transaction(
    runner: CliRunner, opened: Any
) -> None:
    provider = opened.account(3)
    before = opened.nonce_and_balance(provider)
    result = bid(runner, opened, provider, SMALL, "0.1ether", catalog("data-small-xray-clinic.ttl"))
    assert result.exit_code == 1
    assert "not eligible" in error_line(result) and "nothing sent" in error_line(result)
    assert "sampleCount 300 < required 1000" in result.stderr
    assert opened.nonce_and_balance(provider) == before
    assert opened.bid_count(opened.auction, 0) == 0
    plain_gpu = bid(runner, opened, provider, "l4-node", "0.1ether", catalog("infra-plain-gpu.ttl"))
    assert plain_gpu.exit_code == 1 and opened.nonce_and_balance(provider) == before


@pytest.mark.parametrize(
    ("price", "why"),
    [("0.36ether", "the price 0.36 ETH is above the category's maximum 0.35 ETH"),
     ("0", "above zero")],
)
def test_a_price_outside_the_rules_is_refused_before_sending(
    runner: CliRunner, opened: Any, price: str, why: str
) -> None:
    provider = opened.account(1)
    before = opened.nonce_and_balance(provider)
    result = bid(runner, opened, provider, RADIOLOGY, price, catalog("data-radiology-archive.ttl"))
    assert result.exit_code == 4
    assert why in error_line(result) and "nothing sent" in error_line(result)
    assert opened.nonce_and_balance(provider) == before


def test_a_bid_not_below_your_own_is_refused(runner: CliRunner, opened: Any) -> None:
    provider = opened.account(1)
    args = (RADIOLOGY, "0.3ether", catalog("data-radiology-archive.ttl"))
    assert bid(runner, opened, provider, *args).exit_code == 0
    before = opened.nonce_and_balance(provider)
    again = bid(runner, opened, provider, *args)
    assert again.exit_code == 4
    assert "not below your previous bid 0.3 ETH" in error_line(again)
    assert opened.nonce_and_balance(provider) == before


def test_the_client_cannot_bid_on_its_own_auction(runner: CliRunner, opened: Any) -> None:
    client = opened.account(9)
    result = bid(runner, opened, client, RADIOLOGY, "0.3ether",
                 catalog("data-radiology-archive.ttl"))
    assert result.exit_code == 4 and "client" in error_line(result)


def test_a_bid_on_an_ended_auction_is_refused_before_sending(
    runner: CliRunner, opened: Any
) -> None:
    provider = opened.account(1)
    opened.advance(3 * 86400 + 1)
    before = opened.nonce_and_balance(provider)
    result = bid(runner, opened, provider, RADIOLOGY, "0.3ether",
                 catalog("data-radiology-archive.ttl"))
    assert result.exit_code == 4
    assert "bidding has ended" in error_line(result)
    assert opened.nonce_and_balance(provider) == before
    listed = json.loads(invoke(runner, "provider", "match", catalog("data-radiology-archive.ttl"),
                               "--json").stdout)
    assert listed["matches"] == []


def test_unknown_auction_asset_and_amount_are_named(runner: CliRunner, opened: Any) -> None:
    provider = opened.account(1)
    nothing = bid(runner, opened, provider, RADIOLOGY, "0.3ether",
                  catalog("data-radiology-archive.ttl"), auction="0x" + "12" * 20)
    assert nothing.exit_code == 4 and "no saiaas auction at" in error_line(nothing)
    not_address = bid(runner, opened, provider, RADIOLOGY, "0.3ether",
                      catalog("data-radiology-archive.ttl"), auction="0x1234")
    assert not_address.exit_code == 2  # a malformed address is a usage error, as in `auction`
    assert "'0x1234' is not an EVM address" in error_line(not_address)
    no_asset = bid(runner, opened, provider, "chest-xray-9", "0.3ether",
                   catalog("data-radiology-archive.ttl"))
    assert no_asset.exit_code == 3 and "chest-xray-9" in error_line(no_asset)
    bad_price = bid(runner, opened, provider, RADIOLOGY, "lots",
                    catalog("data-radiology-archive.ttl"))
    assert bad_price.exit_code == 2 and "'lots'" in error_line(bad_price)


# ------------------------------------------------------------------------------ watch


def test_watch_prints_new_fitting_auctions_and_resumes_where_it_stopped(
    runner: CliRunner, opened: Any
) -> None:
    args = ["provider", "watch", catalog("data-radiology-archive.ttl"), "--poll", "0",
            "--max-polls", "1", "--json"]
    first = invoke(runner, *args)
    assert first.exit_code == 0, first.stderr
    seen = [json.loads(line) for line in first.stdout.splitlines()]
    assert [(r["auction"], r["asset"]) for r in seen] == [(opened.auction, RADIOLOGY)]
    with opened.session() as s:
        state_file = opened.home / f"watch-{s.factory.address.lower()}.json"
        head = s.chain.w3.eth.block_number
    assert json.loads(state_file.read_text())["last_block"] == head
    assert invoke(runner, *args).stdout == ""  # nothing new since the last block scanned
    newer = opened.create_auction()
    third = invoke(runner, *args)
    assert [json.loads(line)["auction"] for line in third.stdout.splitlines()] == [newer]
    text = invoke(runner, "provider", "watch", catalog("data-radiology-archive.ttl"),
                  "--poll", "0", "--max-polls", "2")
    assert text.exit_code == 0 and text.stdout == ""


# ------------------------------------------------------------------------------ restitution


def test_deliver_claim_and_withdraw_pay_the_winners(
    runner: CliRunner, opened: Any, tmp_path: Path
) -> None:
    data, algo, infra = opened.account(1), opened.account(2), opened.account(3)
    assert bid(runner, opened, data, RADIOLOGY, "0.3ether",
               catalog("data-radiology-archive.ttl")).exit_code == 0
    assert bid(runner, opened, algo, "vit-b16-medical", "0.2ether",
               catalog("algo-vit-medical.ttl")).exit_code == 0
    assert bid(runner, opened, infra, "h100-tdx", "0.4ether",
               catalog("infra-confidential-gpu-cloud.ttl")).exit_code == 0
    model = tmp_path / "model.bin"
    model.write_bytes(b"encrypted weights")
    early = invoke(runner, "provider", "deliver", opened.auction, "--model", str(model),
                   "--account", infra)
    assert early.exit_code == 4 and "BIDDING, not ADJUDICATED" in error_line(early)
    opened.advance(3 * 86400 + 1)
    wrong = invoke(runner, "provider", "deliver", opened.auction, "--model", str(model),
                   "--account", data)
    assert wrong.exit_code == 4 and "only the infrastructure winner" in error_line(wrong)
    nothing_yet = invoke(runner, "provider", "withdraw", opened.auction, "--account", data)
    assert nothing_yet.exit_code == 4 and "owes" in error_line(nothing_yet)
    fake = invoke(runner, "provider", "deliver", opened.auction, "--model", str(model),
                  "--account", infra)  # not a manifest a client could check: refused
    assert fake.exit_code == 1 and "not JSON" in error_line(fake)
    manifest = opened.manifest(opened.auction, tmp_path / "manifest.json")
    delivered = invoke(runner, "provider", "deliver", opened.auction, "--model", str(manifest),
                       "--account", infra, "--json")
    assert delivered.exit_code == 0, delivered.stderr
    assert json.loads(delivered.stdout)["model_cid"] == cid_of(manifest.read_bytes())
    too_soon = invoke(runner, "provider", "claim", opened.auction, "--account", data)
    assert too_soon.exit_code == 4 and "may still acknowledge" in error_line(too_soon)
    opened.advance(2 * 86400 + 1)
    outsider = invoke(runner, "provider", "claim", opened.auction, "--account", opened.account(4))
    assert outsider.exit_code == 4 and "only a winner" in error_line(outsider)
    claimed = invoke(runner, "provider", "claim", opened.auction, "--account", data, "--json")
    assert claimed.exit_code == 0, claimed.stderr
    bond = 35 * ETHER // 1000  # the data bond comes back with the pay
    assert json.loads(claimed.stdout)["owed_wei"] == str(3 * ETHER // 10 + bond)
    before = opened.nonce_and_balance(infra)[1]
    paid = invoke(runner, "provider", "withdraw", opened.auction, "--account", infra, "--json")
    assert paid.exit_code == 0, paid.stderr
    receipt = json.loads(paid.stdout)
    assert receipt["amount_wei"] == str(4 * ETHER // 10 + 4 * ETHER // 100)
    assert opened.nonce_and_balance(infra)[1] > before
    twice = invoke(runner, "provider", "withdraw", opened.auction, "--account", infra)
    assert twice.exit_code == 4 and "nothing sent" in error_line(twice)
