"""`saiaas store` finds its store as every command does: SAIAAS_HOME, SAIAAS_STORE, --store."""

from __future__ import annotations

from pathlib import Path

import pytest
from saiaas.storage import cid_of

DATA = b"the same bytes, wherever they are kept\n"


def _put(cli, tmp_path: Path, *options: str) -> str:
    source = tmp_path / "file.bin"
    source.write_bytes(DATA)
    result = cli("store", "put", source, *options)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_saiaas_home_moves_the_store(cli, home: Path, tmp_path: Path) -> None:
    cid = _put(cli, tmp_path)
    assert cid == cid_of(DATA)
    assert (home / "store" / cid).read_bytes() == DATA
    assert cli("store", "get", cid).stdout == DATA.decode()


def test_saiaas_store_moves_it_again(
    cli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("SAIAAS_STORE", str(elsewhere))
    cid = _put(cli, tmp_path)
    assert (elsewhere / cid).read_bytes() == DATA
    assert not (home / "store" / cid).exists()


def test_the_flag_wins_over_the_environment(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAIAAS_STORE", str(tmp_path / "from-env"))
    cid = _put(cli, tmp_path, "--store", str(tmp_path / "from-flag"))
    assert (tmp_path / "from-flag" / cid).exists() and not (tmp_path / "from-env" / cid).exists()


def test_an_empty_rpc_url_is_refused_not_read_as_the_embedded_chain(cli, home: Path) -> None:
    result = cli("auction", "list", "--rpc-url", "")
    assert result.exit_code == 2 and "--rpc-url is empty" in result.stderr
    assert not (home / "chain.bin").exists()
