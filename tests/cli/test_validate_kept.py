"""`saiaas validate` keeps each report under the SHA-256 of the file's bytes (with its kind, its
name and the fingerprint of the packaged ontology, shapes and code), so validating the same file
again answers without importing rdflib and pyshacl (issue 15 point 6: validate <= 0.5 s)."""

from __future__ import annotations

import pytest


@pytest.fixture
def bad_request(tmp_path, request_file):
    bad = tmp_path / "bad-request.ttl"
    bad.write_text(request_file.read_text().replace("saiaas:GPUNode", "saiaas:GPUNodez"))
    return bad


def _forbid_validating(monkeypatch: pytest.MonkeyPatch) -> None:
    import saiaas.shapes

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("validated again")

    monkeypatch.setattr(saiaas.shapes, "validate", refuse)


def test_a_kept_report_reads_as_the_fresh_one(cli, bad_request, request_file,
                                              monkeypatch) -> None:
    fresh = [cli("validate", bad_request), cli("validate", bad_request, "--json"),
             cli("validate", request_file)]
    assert [r.exit_code for r in fresh] == [1, 1, 0]
    assert "GPUNodez" in fresh[0].stdout
    _forbid_validating(monkeypatch)
    kept = [cli("validate", bad_request), cli("validate", bad_request, "--json"),
            cli("validate", request_file)]
    assert [(r.exit_code, r.stdout) for r in kept] == [(r.exit_code, r.stdout) for r in fresh]


def test_a_changed_file_or_another_name_is_validated_afresh(cli, bad_request, tmp_path,
                                                            request_file) -> None:
    assert cli("validate", bad_request).exit_code == 1
    bad_request.write_text(request_file.read_text())  # fixed in place
    fixed = cli("validate", bad_request)
    assert fixed.exit_code == 0 and "valid request" in fixed.stdout
    copy = tmp_path / "copy.ttl"
    copy.write_bytes(bad_request.read_bytes())
    again = cli("validate", copy)
    assert again.exit_code == 0 and "copy.ttl" in again.stdout
    assert "bad-request.ttl" not in again.stdout


def test_the_cache_can_be_turned_off(cli, request_file, monkeypatch) -> None:
    assert cli("validate", request_file).exit_code == 0
    monkeypatch.setenv("SAIAAS_NO_READ_CACHE", "1")
    _forbid_validating(monkeypatch)
    refused = cli("validate", request_file)  # the error boundary reports the bug
    assert refused.exit_code != 0 and "validated again" in refused.stderr
