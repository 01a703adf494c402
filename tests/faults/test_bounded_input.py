"""The shared file reader, number and duration limits, and the error boundary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def test_the_reader_refuses_devices_fifos_and_folders_by_what_they_are(tmp_path: Path) -> None:
    from saiaas.cli.files import FileRefused, read_file
    from saiaas.ontologies.errors import UsageError

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(FileRefused, match="named pipe"):
        read_file(fifo)  # refused before open(), which would block
    with pytest.raises(FileRefused, match="is a device"):
        read_file("/dev/zero")
    with pytest.raises(UsageError, match="is a folder"):
        read_file(tmp_path, missing=UsageError)
    with pytest.raises(UsageError, match="does not exist"):
        read_file(tmp_path / "nope", missing=UsageError)


def test_the_reader_caps_regular_files_and_pipes_alike(tmp_path: Path) -> None:
    from saiaas.cli.files import TooBig, read_file

    big = tmp_path / "big"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(TooBig, match="at most 1000 bytes"):
        read_file(big, limit=1000)
    assert read_file(big, limit=2000) == b"x" * 2000
    read, write = os.pipe()
    os.write(write, b"y" * 3000)
    os.close(write)
    try:
        with pytest.raises(TooBig):
            read_file(f"/dev/fd/{read}", limit=1000)
    finally:
        os.close(read)


def test_validate_reads_a_process_substitution_and_stdin() -> None:
    from saiaas.ontologies import example_path

    request = example_path("hospital-request.ttl")
    script = Path(sys.executable).with_name("saiaas")
    piped = subprocess.run(["bash", "-c", f'"{script}" validate <(cat "{request}")'],
                           capture_output=True, text=True, timeout=60)
    assert piped.returncode == 0, piped.stderr
    assert "valid request" in piped.stdout
    stdin = subprocess.run([str(script), "validate", "-"], input=request.read_bytes(),
                           capture_output=True, timeout=60)
    assert stdin.returncode == 0, stdin.stderr
    assert b"<stdin>: valid request" in stdin.stdout


@pytest.mark.parametrize("text", ["\u00b2", "1" * 5000, "1d" * 20000, "1d1d", "99999999999d"])
def test_durations_that_are_not_durations_are_usage_errors(text: str) -> None:
    from saiaas.cli.units import UnitError, parse_duration

    with pytest.raises(UnitError):
        parse_duration(text)


@pytest.mark.parametrize("text", ["9" * 5000, "1e5ether", str(2**256) + "wei"])
def test_amounts_beyond_a_chain_are_usage_errors(text: str) -> None:
    from saiaas.cli.units import UnitError, parse_amount

    with pytest.raises(UnitError):
        parse_amount(text)


def test_a_bug_is_one_line_with_exit_70_and_debug_shows_the_traceback(cli, monkeypatch) -> None:
    import saiaas.cli.store as store_commands

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something nobody expected")

    monkeypatch.setattr(store_commands, "open_store", broken)
    result = cli("store", "put", "-", input="x")
    assert result.exit_code == 70
    assert "internal error (a bug in saiaas): RuntimeError" in result.stderr
    assert "--debug" in result.stderr and "Traceback" not in result.stderr
    with pytest.raises(RuntimeError, match="nobody expected"):
        cli("--debug", "store", "put", "-", input="x")


def test_validation_of_many_violations_is_bounded_and_counted(tmp_path: Path) -> None:
    import time

    from saiaas.shapes import MAX_VIOLATIONS, validate

    rows = "".join(f":a{i} a saiaas:ChestXRayDataset ; saiaas:sampleCount -{i} .\n"
                   for i in range(400))
    catalog = ("@prefix saiaas: <https://w3id.org/saiaas#> .\n@prefix : <https://e.org/c#> .\n"
               + rows).encode()
    start = time.perf_counter()
    report = validate(catalog, "catalog")
    assert time.perf_counter() - start < 30
    assert len(report.violations) == MAX_VIOLATIONS
    assert report.omitted_errors == 3 * 400 - MAX_VIOLATIONS and not report.conforms
