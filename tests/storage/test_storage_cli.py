"""`saiaas store put|get` and `saiaas ontology publish` as a person or a script uses them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from saiaas.cli.app import app
from saiaas.ontologies import ontology_bytes, ontology_path
from saiaas.storage import CHUNK_SIZE, cid_of
from typer.testing import CliRunner

HELLO = "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"
SAIAAS = [sys.executable, "-c", "from saiaas.cli import main; main()"]


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("SAIAAS_IPFS_API", raising=False)
    return CliRunner()


def _invoke(runner: CliRunner, *args: str, input: bytes | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


def test_put_prints_only_the_cid_and_get_returns_the_bytes(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = os.urandom(CHUNK_SIZE + 99)
    (tmp_path / "f.bin").write_bytes(data)
    store = str(tmp_path / "store")
    put = _invoke(runner, "store", "put", str(tmp_path / "f.bin"), "--store", store)
    assert put.exit_code == 0
    assert put.stdout == cid_of(data) + "\n"
    got = _invoke(runner, "store", "get", put.stdout.strip(), "--store", store)
    assert got.exit_code == 0
    assert got.stdout_bytes == data
    out = tmp_path / "out.bin"
    got = _invoke(runner, "store", "get", put.stdout.strip(), "--store", store, "-o", str(out))
    assert got.exit_code == 0 and got.stdout_bytes == b""
    assert out.read_bytes() == data


def test_put_reads_stdin(runner: CliRunner, tmp_path: Path) -> None:
    put = _invoke(runner, "store", "put", "-", "--store", str(tmp_path), input=b"hello\n")
    assert put.exit_code == 0 and put.stdout == HELLO + "\n"


def _one_error_line(result) -> str:  # type: ignore[no-untyped-def]
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def test_bad_cid_is_one_line_exit_3(runner: CliRunner, tmp_path: Path) -> None:
    result = _invoke(runner, "store", "get", "bafy-nonsense", "--store", str(tmp_path))
    assert result.exit_code == 3
    assert "not a CID: 'bafy-nonsense'" in _one_error_line(result)


def test_unknown_cid_is_one_line_exit_5(runner: CliRunner, tmp_path: Path) -> None:
    result = _invoke(runner, "store", "get", HELLO, "--store", str(tmp_path))
    assert result.exit_code == 5
    assert "is not in the local store" in _one_error_line(result)


def test_mismatching_bytes_are_refused_not_printed(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / HELLO).write_bytes(b"tampered\n")
    result = _invoke(runner, "store", "get", HELLO, "--store", str(tmp_path))
    assert result.exit_code == 5
    assert "corrupted" in _one_error_line(result)


def test_missing_file_and_folder_are_input_errors(runner: CliRunner, tmp_path: Path) -> None:
    missing = _invoke(runner, "store", "put", str(tmp_path / "nope"), "--store", str(tmp_path))
    assert missing.exit_code == 3
    assert "no such file" in _one_error_line(missing)
    folder = _invoke(runner, "store", "put", str(tmp_path), "--store", str(tmp_path))
    assert folder.exit_code == 3
    assert "is a folder" in _one_error_line(folder)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_api_from_option_or_environment(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "f").write_bytes(b"x")
    url = f"http://127.0.0.1:{_closed_port()}"
    result = _invoke(runner, "store", "put", str(tmp_path / "f"), "--ipfs-api", url)
    assert result.exit_code == 5
    expected = f"error: cannot reach the IPFS API at {url}: connection refused"
    assert _one_error_line(result) == expected
    monkeypatch.setenv("SAIAAS_IPFS_API", url)
    result = _invoke(runner, "store", "get", HELLO)
    assert result.exit_code == 5
    assert f"cannot reach the IPFS API at {url}" in _one_error_line(result)


def test_ontology_publish_prints_the_cid_of_the_packaged_bytes(
    runner: CliRunner, tmp_path: Path
) -> None:
    if not ontology_path().exists():
        pytest.fail(f"{ontology_path()} is missing: the ontology must ship with the package")
    result = _invoke(runner, "ontology", "publish", "--store", str(tmp_path))
    assert result.exit_code == 0
    assert result.stdout == cid_of(ontology_bytes()) + "\n"
    assert (tmp_path / result.stdout.strip()).read_bytes() == ontology_bytes()
    as_json = _invoke(runner, "ontology", "publish", "--store", str(tmp_path), "--json")
    report = json.loads(as_json.stdout)
    assert report["ontology_cid"] == result.stdout.strip()
    assert report["bytes"] == len(ontology_bytes())
    assert report["recorded_on_chain"] is False


def test_binary_round_trip_through_a_real_process(tmp_path: Path) -> None:
    """Through real pipes, so stdout stays binary-safe (no newline or encoding translation)."""
    data = bytes(range(256)) * 9 + b"\r\n\x00"
    env = {k: v for k, v in os.environ.items() if k != "SAIAAS_IPFS_API"}
    store = str(tmp_path / "store")
    put = subprocess.run(
        [*SAIAAS, "store", "put", "-", "--store", store],
        input=data, capture_output=True, check=True, env=env, timeout=60,
    )
    cid = put.stdout.decode().strip()
    assert cid == cid_of(data) and put.stdout == (cid + "\n").encode()
    got = subprocess.run(
        [*SAIAAS, "store", "get", cid, "--store", store],
        capture_output=True, check=True, env=env, timeout=60,
    )
    assert got.stdout == data


@pytest.mark.ipfs
def test_put_and_get_through_the_node(runner: CliRunner, ipfs_api: str, tmp_path: Path) -> None:
    data = os.urandom(3 * CHUNK_SIZE)
    (tmp_path / "f").write_bytes(data)
    put = _invoke(runner, "store", "put", str(tmp_path / "f"), "--ipfs-api", ipfs_api)
    assert put.exit_code == 0 and put.stdout == cid_of(data) + "\n"
    got = _invoke(runner, "store", "get", put.stdout.strip(), "--ipfs-api", ipfs_api)
    assert got.exit_code == 0 and got.stdout_bytes == data
    published = _invoke(runner, "ontology", "publish", "--ipfs-api", ipfs_api, "--json")
    assert json.loads(published.stdout)["ontology_cid"] == cid_of(ontology_bytes())
