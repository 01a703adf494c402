"""Reads on the embedded chain answer from the chain file's state (issue 15 point 6).

`auction status` and `auction list` keep their answer under the SHA-256 of the chain file; the
next identical read, while the file is unchanged, answers without loading the chain. These tests
check that such an answer is the answer (same output as a fresh read, the time left still
counting down), that any transaction makes the next read fresh, and that a damaged file or an
unreachable IPFS node is never answered around.
"""

from __future__ import annotations

import time

import pytest

ETHER = 10**18


def _create(cli, request_file, *extra: str) -> str:
    created = cli("auction", "create", request_file, "--json", *extra)
    assert created.exit_code == 0, created.stderr
    return str(created.json()["address"])


class _Opened(Exception):
    pass


def _forbid_opening(monkeypatch: pytest.MonkeyPatch) -> None:
    from saiaas.market import Marketplace

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise _Opened("the chain was opened")

    monkeypatch.setattr(Marketplace, "open", refuse)


def test_a_second_read_answers_the_same_without_opening_the_chain(
        cli, market, request_file, monkeypatch) -> None:
    auction = _create(cli, request_file, "--duration", "2h")
    market.bid_all(auction)
    fresh_status = cli("auction", "status", auction, "--json")
    fresh_list = cli("auction", "list", "--json")
    fresh_text = cli("auction", "status", auction)
    assert fresh_status.exit_code == fresh_list.exit_code == fresh_text.exit_code == 0
    _forbid_opening(monkeypatch)
    kept_status = cli("auction", "status", auction, "--json")
    kept_list = cli("auction", "list", "--json")
    kept_text = cli("auction", "status", auction)
    assert kept_status.exit_code == kept_list.exit_code == kept_text.exit_code == 0
    report, kept = fresh_status.json(), kept_status.json()
    # The time left is the one thing that moves between the two reads (a second may pass).
    for key in ("time_left", "time_left_seconds"):
        if key in report:
            assert 0 <= report[key] - kept[key] <= 2
            report.pop(key), kept.pop(key)
    assert kept == report
    assert [r["address"] for r in kept_list.json()] == [r["address"] for r in fresh_list.json()]
    assert kept_text.stdout.splitlines()[1:] == fresh_text.stdout.splitlines()[1:]
    assert len(report["categories"][0]["bids"]) == 2


def test_the_time_left_of_a_kept_answer_counts_down(cli, market, request_file,
                                                    monkeypatch) -> None:
    """Ten minutes later, the kept answer's time left is what a fresh read says."""
    auction = _create(cli, request_file, "--duration", "2h")
    first = cli("auction", "status", auction, "--json").json()
    key = "time_left_seconds" if "time_left_seconds" in first else "time_left"
    assert 7000 < first[key] <= 7200
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 600)
    kept = cli("auction", "status", auction, "--json").json()[key]
    listed = cli("auction", "list", "--json").json()[0][key]
    monkeypatch.setenv("SAIAAS_NO_READ_CACHE", "1")
    fresh = cli("auction", "status", auction, "--json").json()[key]
    assert 6500 < fresh < 6700
    assert 0 <= kept - fresh <= 1 and 0 <= listed - fresh <= 1
    monkeypatch.delenv("SAIAAS_NO_READ_CACHE")
    monkeypatch.setattr(time, "time", lambda: real() + 3 * 3600)  # past the deadline
    assert cli("auction", "status", auction, "--json").json()[key] == 0
    assert cli("auction", "list", "--json").json()[0][key] == 0


def test_a_transaction_makes_the_next_read_fresh(cli, market, request_file) -> None:
    auction = _create(cli, request_file, "--duration", "2h")
    assert cli("auction", "status", auction, "--json").json()["categories"][0]["bids"] == []
    assert len(cli("auction", "list", "--json").json()) == 1
    market.bid_all(auction)
    _create(cli, request_file)
    bids = cli("auction", "status", auction, "--json").json()["categories"][0]["bids"]
    assert len(bids) == 2
    assert len(cli("auction", "list", "--json").json()) == 2


def test_a_read_leaves_the_chain_file_as_it_was(cli, market, request_file, home) -> None:
    auction = _create(cli, request_file)
    assert cli("auction", "status", auction).exit_code == 0  # the first save gets its backup
    chain = home / "chain.bin"
    before = (chain.read_bytes(), chain.stat().st_mtime_ns)
    assert cli("auction", "status", auction, "--no-match").exit_code == 0
    assert cli("auction", "list").exit_code == 0
    assert (chain.read_bytes(), chain.stat().st_mtime_ns) == before


def test_a_damaged_chain_file_is_reported_even_with_a_kept_answer(cli, market, request_file,
                                                                   home) -> None:
    auction = _create(cli, request_file)
    assert cli("auction", "status", auction).exit_code == 0
    assert cli("auction", "status", auction).exit_code == 0  # kept now
    chain = home / "chain.bin"
    data = bytearray(chain.read_bytes())
    data[-10] ^= 0x01
    chain.write_bytes(bytes(data))
    result = cli("auction", "status", auction)
    assert result.exit_code == 4 and "is damaged" in result.stderr


def test_the_cache_can_be_turned_off(cli, market, request_file, monkeypatch) -> None:
    auction = _create(cli, request_file)
    assert cli("auction", "status", auction).exit_code == 0
    monkeypatch.setenv("SAIAAS_NO_READ_CACHE", "1")
    _forbid_opening(monkeypatch)
    refused = cli("auction", "status", auction)  # the error boundary reports the bug (70)
    assert refused.exit_code != 0 and "the chain was opened" in refused.stderr


def test_an_answer_kept_by_other_code_is_not_read_back(cli, market, request_file,
                                                        monkeypatch) -> None:
    """An upgrade (or an edited checkout) may shape the answer differently."""
    from saiaas.market import readcache

    auction = _create(cli, request_file)
    assert cli("auction", "status", auction).exit_code == 0  # kept under this code
    monkeypatch.setattr(readcache, "code_stamp", lambda: "another version")
    _forbid_opening(monkeypatch)
    refused = cli("auction", "status", auction)
    assert refused.exit_code != 0 and "the chain was opened" in refused.stderr
