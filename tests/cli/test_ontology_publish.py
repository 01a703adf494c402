"""`saiaas ontology publish` records the CID in the Factory when one is known (owner only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from saiaas.cli.app import app
from saiaas.ontologies import ontology_bytes
from saiaas.storage import cid_of
from typer.testing import CliRunner

PACKAGED = cid_of(ontology_bytes())
OLD = cid_of(b"an earlier vocabulary")


def publish(runner: CliRunner, *args: str) -> Any:
    return runner.invoke(app, ["ontology", "publish", "--json", *args], catch_exceptions=False)


def _factory_under_old_ontology(opened: Any, owner_index: int = 0) -> str:
    """A Factory recorded for the embedded chain whose current ontology is not the packaged one."""
    from saiaas.contracts import Factory
    from saiaas.market.marketplace import EMBEDDED, record_factory

    with opened.session() as s:
        factory = Factory.deploy(s.chain, s.chain.accounts[owner_index], OLD)
    record_factory(EMBEDDED, factory.address)
    return factory.address


def test_publish_records_the_cid_in_the_known_factory(runner: CliRunner, opened: Any) -> None:
    address = _factory_under_old_ontology(opened)
    result = publish(runner)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ontology_cid"] == PACKAGED and report["recorded_on_chain"] is True
    assert report["factory"] == address and report["already_current"] is False
    assert report["gas_used"] > 21000
    with opened.session() as s:
        from saiaas.contracts import Factory

        factory = Factory.at(s.chain, address)
        assert factory.ontology_cid() == PACKAGED
        assert factory.ontology_at(report["version"]) == PACKAGED
    again = json.loads(publish(runner).stdout)
    assert again["already_current"] is True and again["tx_hash"] is None
    assert again["version"] == report["version"]


def test_only_the_owner_may_publish_and_nothing_is_sent_otherwise(
    runner: CliRunner, opened: Any
) -> None:
    address = _factory_under_old_ontology(opened, owner_index=0)
    other = opened.account(1)
    before = opened.nonce_and_balance(other)
    result = publish(runner, "--account", other)
    assert result.exit_code == 4
    assert "only the Factory's owner" in result.stderr and "nothing sent" in result.stderr
    assert "Traceback" not in result.stderr
    assert opened.nonce_and_balance(other) == before
    assert (opened.home / "store" / PACKAGED).read_bytes() == ontology_bytes()  # stored anyway
    with opened.session() as s:
        from saiaas.contracts import Factory

        assert Factory.at(s.chain, address).ontology_cid() == OLD


def test_no_chain_only_stores(runner: CliRunner, opened: Any) -> None:
    _factory_under_old_ontology(opened)
    report = json.loads(publish(runner, "--no-chain").stdout)
    assert report["recorded_on_chain"] is False and "factory" not in report


def test_without_a_known_factory_nothing_is_deployed(
    runner: CliRunner, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("SAIAAS_HOME", str(tmp_path))
    monkeypatch.setenv("SAIAAS_CONFIG", str(tmp_path / "none.toml"))
    for name in ("SAIAAS_RPC_URL", "SAIAAS_FACTORY", "SAIAAS_IPFS_API", "SAIAAS_STORE"):
        monkeypatch.delenv(name, raising=False)
    report = json.loads(publish(runner).stdout)
    assert report["recorded_on_chain"] is False
    assert (tmp_path / "store" / PACKAGED).exists()
    assert not (tmp_path / "chain.bin").exists()
    plain = runner.invoke(app, ["ontology", "publish"], catch_exceptions=False)
    assert plain.stdout == PACKAGED + "\n" and "no Factory is known" in plain.stderr
