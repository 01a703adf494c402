"""The chain file, the deployments record and the journal: damage refused by name, backups
kept, leftovers removed, and a lost record never leading to a second Factory."""

from __future__ import annotations

import json
from pathlib import Path


def _create(cli, request: Path) -> str:
    created = cli("auction", "create", request, "--json")
    assert created.exit_code == 0, created.stderr
    return created.json()["address"]


def test_a_flipped_bit_in_the_chain_file_is_refused_with_a_backup_named(cli, home) -> None:
    from saiaas.ontologies import example_path

    auction = _create(cli, example_path("hospital-request.ttl"))
    assert cli("auction", "status", auction).exit_code == 0  # a second save: a backup exists
    chain = home / "chain.bin"
    data = bytearray(chain.read_bytes())
    data[len(data) // 2] ^= 0x10
    chain.write_bytes(bytes(data))
    result = cli("auction", "status", auction)
    assert result.exit_code == 4
    assert "chain.bin is damaged" in result.stderr and "chain.bin.bak" in result.stderr
    assert list(home.glob("chain.bin.damaged-*"))


def test_a_chain_file_of_the_first_format_is_still_read(home, tmp_path) -> None:
    from saiaas.contracts._persistent import _LENGTHS, _MAGIC_V1, read_state

    old = tmp_path / "chain.bin"
    old.write_bytes(_MAGIC_V1 + _LENGTHS.pack(1, 2) + b"k" + b"vv")
    assert read_state(old) == {b"k": b"vv"}


def test_an_emptied_deployments_record_is_never_a_new_factory(cli, home) -> None:
    from saiaas.ontologies import example_path

    auction = _create(cli, example_path("hospital-request.ttl"))
    factory = json.loads((home / "deployments.json").read_text())["embedded"]
    (home / "deployments.json").write_text("{}")
    listed = cli("auction", "list", "--json")
    assert listed.exit_code == 4
    assert f"holds one at {factory}" in listed.stderr and "--factory" in listed.stderr
    again = cli("auction", "list", "--json", "--factory", factory)
    assert again.exit_code == 0 and auction in again.stdout


def test_a_damaged_deployments_record_is_refused_and_its_backup_named(cli, home) -> None:
    from saiaas.ontologies import example_path

    _create(cli, example_path("hospital-request.ttl"))
    _create(cli, example_path("hospital-request.ttl"))  # a second write leaves a backup
    record = home / "deployments.json"
    entries = json.loads(record.read_text())
    entries["embedded"] = entries["embedded"][:-1] + ("1" if entries["embedded"][-1] != "1"
                                                      else "2")
    record.write_text(json.dumps(entries))
    result = cli("auction", "list")
    assert result.exit_code == 4 and "checksum" in result.stderr


def test_leftover_part_files_of_dead_processes_are_removed(home) -> None:
    from saiaas.market.marketplace import remove_leftovers

    (home / "store").mkdir(parents=True)
    dead = home / ".deployments.json.999999999.part"
    mine = home / "store" / f".put-p{__import__('os').getpid()}-x.part"
    for path in (dead, mine):
        path.write_text("half")
    remove_leftovers(home)
    assert not dead.exists() and mine.exists()


def test_damaged_keystores_are_listed_as_damaged(cli, tmp_path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "cut.json").write_text('{"address": "0x12')
    result = cli("account", "list", "--keystore", keys, "--json")
    assert result.exit_code == 0
    assert [row["name"] for row in result.json() if row.get("damaged")] == ["cut"]
    assert "cut.json is damaged" in result.stderr


def test_the_password_is_asked_before_the_chain_lock_is_taken(home, tmp_path) -> None:
    import fcntl

    from eth_account import Account
    from saiaas.market import Marketplace
    from saiaas.market.config import Settings

    keys = tmp_path / "keys"
    keys.mkdir()
    key = Account.create()
    (keys / "alice.json").write_text(json.dumps(Account.encrypt(key.key, "pw", iterations=2**4)))
    home.mkdir(parents=True, exist_ok=True)
    seen = []

    def ask(prompt: str) -> str:
        with open(home / "chain.lock", "w") as lock:  # another command could take it now
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(lock, fcntl.LOCK_UN)
        seen.append(prompt)
        return "pw"

    settings = Settings(keystore=keys, account="alice")
    with Marketplace.open(settings, password=ask, unlock_early=True) as market:
        assert market.sender_address == key.address
    assert len(seen) == 1
