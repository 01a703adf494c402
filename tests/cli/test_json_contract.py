"""The JSON contract, checked mechanically on every command that has --json.

One scenario on the embedded chain (accounts, a committee, two auctions: bids, audit, a
disqualification, settlement, confirmation, a rejection and the committee's votes; a claim and
the withdrawals), every command run with --json, and each document checked against the
README's "JSON output": snake_case keys; every `_wei` value a decimal string (or a
per-category object of them); no JSON integer above 2**53; `_at` whole numbers and `_seconds`
numbers (a measured time may have decimals); a transaction as tx_hash, gas_used,
block_number; `account` (EIP-55) on every command that sends; an error as
{"error": {message, exit_code, kind}} with the exit code of the process.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

_CHECKER = Path(__file__).with_name("_json_contract.py")
_spec = importlib.util.spec_from_file_location("saiaas_tests_json_contract", _CHECKER)
assert _spec is not None and _spec.loader is not None
_contract = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_contract)
violations = _contract.violations


# ---------------------------------------------------------------- the checker itself


@pytest.mark.parametrize(
    ("doc", "sends", "expected"),
    [
        ({"price_wei": 3 * 10**17}, False, "not a decimal string"),
        ({"price_wei": "0.3"}, False, "not a decimal string"),
        ({"max_prices_wei": {"data": 10**17}}, False, "not a decimal string"),
        ({"gasUsed": 1}, False, "not snake_case"),
        ({"balance": 1999817954316936189}, False, "above 2**53"),
        ({"tx_hash": "0x" + "ab" * 32, "gas_used": 21000}, False, "without ['block_number']"),
        ({"closes_at": "soon"}, False, "not a whole number"),
        ({"delivery_window_seconds": "7d"}, False, "not a number of seconds"),
        ({"tx_hash": "0x" + "ab" * 32, "gas_used": 1, "block_number": 2}, True, "`account`"),
        ({"account": "0x" + "ab" * 20}, True, "`account`"),  # not EIP-55
        ({"error": {"message": "x", "exit_code": 2}}, False, "message, exit_code, kind"),
        ({"error": {"message": "x", "exit_code": 2, "kind": "K"}, "extra": 1}, False, "other"),
    ],
)
def test_the_checker_finds_each_breach(doc: Any, sends: bool, expected: str) -> None:
    found = violations(doc, sends)
    assert found and expected in found[0], found


def test_the_checker_passes_a_document_that_keeps_the_contract() -> None:
    from eth_utils import to_checksum_address

    doc = {
        "account": to_checksum_address("0x" + "ab" * 20),
        "reserve_wei": str(10**18), "max_prices_wei": {"data": "1", "algorithm": None},
        "deadline_at": 1_700_000_000, "delivery_window_seconds": 86400, "model_cid": None,
        "tx_hash": "0x" + "ab" * 32, "gas_used": 21000, "block_number": 7,
        "rows": [{"price_wei": "300000000000000000", "degree": "exact"}],
    }
    assert violations(doc, sends=True) == []


# ---------------------------------------------------------------- every command


class Session:
    """Runs commands and checks every document they print; collects what breaks."""

    def __init__(self, cli: Any) -> None:
        self.cli = cli
        self.seen: set[str] = set()
        self.broken: list[str] = []

    def run(self, *args: Any, sends: bool = False, code: int = 0, lines: bool = False) -> Any:
        result = self.cli(*args, "--json")
        name = " ".join(str(a) for a in args[:2] if not str(a).startswith(("0x", "-", "/")))
        self.seen.add(name)
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        docs = ([json.loads(line) for line in result.stdout.splitlines() if line.strip()]
                if lines else [json.loads(result.stdout)])
        for doc in docs:
            if code >= 2:  # 1 is a refusal that still reports (violations, a failing audit)
                assert isinstance(doc, dict) and "error" in doc, (args, doc)
                assert doc["error"]["exit_code"] == code, (args, doc)
            self.broken += [f"{name}: {v}" for v in violations(doc, sends and code == 0)]
        return docs if lines else docs[0]


def _request_with(request_file: Path, tmp_path: Path, arbitrator: str | None) -> Path:
    text = request_file.read_text()
    if arbitrator:
        text = text.replace(
            "    saiaas:referencesRequired 0 ;\n",
            f'    saiaas:referencesRequired 0 ;\n    saiaas:arbitrator "{arbitrator}" ;\n',
        )
    path = tmp_path / ("arbitrated.ttl" if arbitrator else "request.ttl")
    path.write_text(text)
    return path


def test_every_command_keeps_the_json_contract(cli, market, request_file, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from saiaas.ontologies import example_path

    s = Session(cli)
    acc = market.accounts()
    password = tmp_path / "password"
    password.write_text("correct horse\n")

    # accounts and content
    s.run("account", "new", "--name", "alice", "--password-file", password)
    s.run("account", "fund", "alice", "2ether", sends=True)
    s.run("account", "list")
    s.run("account", "fund", "alice", "2", code=2)  # a bare number: which unit?
    s.run("ontology", "publish")  # no Factory yet: only stored, nobody acts
    s.run("validate", request_file)
    broken = tmp_path / "broken.ttl"
    broken.write_text(request_file.read_text().replace("saiaas:reservePrice", "saiaas:reserve"))
    s.run("validate", broken, code=1)
    s.run("auction", "create", broken, code=1)
    s.run("account", "journal", code=2)  # the embedded chain journals nothing
    catalogs = [example_path(c) for offers in market.fitting.values() for c, _ in offers]
    s.run("match", request_file, *catalogs[:2])

    # an auction with a committee: bids, audit, disqualification, settlement, restitution
    committee = s.run("arbitrator", "deploy", "--member", acc[6], "--member", acc[7],
                      "--member", acc[8], "--threshold", "2", "--fee", "0.001ether", sends=True)
    arbitrated = s.run("auction", "create", _request_with(request_file, tmp_path,
                       committee["arbitrator"]), "--account", acc[9], sends=True)["address"]
    s.run("auction", "list")
    s.run("ontology", "publish", sends=True)  # the Factory's owner, already current
    s.run("provider", "match", *catalogs)
    s.run("provider", "watch", *catalogs, "--max-polls", "1", "--poll", "0", lines=True)
    for category, offers in market.fitting.items():
        catalog, asset = offers[0]
        s.run("provider", "bid", arbitrated, "--asset", asset, "--price", "0.1ether",
              "--catalog", example_path(catalog), "--account", acc[2 + category], sends=True)
    market.bid(arbitrated, 5, 0, 5 * 10**16, *market.misfit_data)
    s.run("provider", "bid", arbitrated, "--asset", "nothing-like-it", "--price", "1ether",
          "--catalog", example_path(market.fitting[0][0][0]), "--account", acc[2], code=3)
    s.run("auction", "audit", arbitrated, code=1)  # the misfit is not disqualified yet
    s.run("auction", "disqualify", arbitrated, "--category", "data", "--bidder", acc[5],
          "--account", acc[9], sends=True)
    s.run("auction", "status", arbitrated)
    s.run("auction", "watch", arbitrated, "--once", lines=True)
    market.advance(3 * 86400 + 1)
    s.run("auction", "settle", arbitrated, sends=True)
    s.run("provider", "confirm-inputs", arbitrated, "--account", acc[4], sends=True)
    with market.session() as session:
        session.auction(arbitrated).deliver(acc[4], session.store.put(b"a useless model"))
    report = tmp_path / "evaluation.json"
    report.write_text('{"accuracy": 0.4, "required": 0.9}\n')
    s.run("auction", "reject", arbitrated, "--reason-file", report, "--account", acc[9],
          sends=True)
    status = s.run("auction", "status", arbitrated)
    dispute = status["restitution"]["disputes"][0]["dispute_id"]
    s.run("arbitrator", "rule", committee["arbitrator"], dispute, "for", "--account", acc[6],
          sends=True)
    s.run("arbitrator", "show", committee["arbitrator"], dispute)
    s.run("provider", "appeal", arbitrated, "data", "--account", acc[5], sends=True)
    s.run("provider", "dispute", arbitrated, "--account", acc[2], code=4)

    # an auction without one: the client stays silent, the winners claim and withdraw
    plain = s.run("auction", "create", request_file, "--account", acc[9], sends=True)["address"]
    for category, offers in market.fitting.items():
        catalog, asset = offers[0]
        market.bid(plain, 2 + category, category, 10**17, catalog, asset)
    market.advance(3 * 86400 + 1)
    s.run("auction", "adjudicate", plain, "--account", acc[9], sends=True)
    market.deliver(plain, "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy")
    s.run("auction", "acknowledge", plain, "--account", acc[5], code=4)  # not the client
    market.advance(2 * 86400 + 1)
    s.run("provider", "claim", plain, "--account", acc[4], sends=True)
    s.run("provider", "withdraw", plain, "--account", acc[4], sends=True)
    s.run("auction", "withdraw", plain, "--account", acc[9], sends=True)
    s.run("auction", "cancel", plain, "--account", acc[9], code=4)
    s.run("provider", "deliver", plain, "--model", tmp_path / "missing.bin", code=3)

    for scenario in ("non-delivery", "bad-model", "unfair-disqualification", "lock-out"):
        s.run("demo", "--scenario", scenario)

    assert s.broken == [], "\n".join(s.broken)
    assert {"account new", "account fund", "account list", "ontology publish", "validate",
            "match", "arbitrator deploy", "auction create", "auction list", "provider match",
            "provider bid", "auction audit", "auction disqualify", "auction status",
            "auction watch", "auction settle", "provider confirm-inputs", "auction reject",
            "arbitrator rule", "arbitrator show", "provider appeal", "provider dispute",
            "auction adjudicate", "auction acknowledge", "provider claim", "provider withdraw",
            "auction withdraw", "auction cancel", "provider deliver", "demo"} <= s.seen


@pytest.mark.slow
def test_the_papers_demo_keeps_the_json_contract(cli) -> None:  # type: ignore[no-untyped-def]
    s = Session(cli)
    out = s.run("demo")
    assert s.broken == [], "\n".join(s.broken)
    assert out["reserve_wei"] == str(10**18) and out["total_gas"] > 0
    assert all(t["tx_hash"] and t["block_number"] for t in out["transactions"])
