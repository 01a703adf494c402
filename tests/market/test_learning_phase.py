"""`saiaas.market.learning_phase` without a chain: the published client key and the key files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from saiaas.market.accounts import AccountError
from saiaas.market.learning_phase import (
    CLIENT_PUBLIC_KEY,
    KeyFileError,
    generate_client_key,
    key_from_file_or_name,
    publish_client_key,
)
from saiaas.ontologies import example_path
from saiaas.ontologies.errors import UsageError

KEY = "ab" * 32


def _request() -> bytes:
    return example_path("hospital-request.ttl").read_bytes()


def test_the_published_key_is_one_appended_triple_that_validates_and_changes_no_match() -> None:
    from saiaas.market.requirements import parse_request_bytes
    from saiaas.shapes import validate

    original = _request()
    published = publish_client_key(original, "request", KEY)
    assert published.startswith(original.rstrip(b"\n"))  # the person's lines are kept
    assert published.count(CLIENT_PUBLIC_KEY.encode()) == 1 and KEY.encode() in published
    assert validate(published, "request", name="request").conforms
    before, after = parse_request_bytes(original, "a"), parse_request_bytes(published, "b")
    assert before.specs == after.specs and before.min_accuracy == after.min_accuracy
    assert publish_client_key(published, "request", KEY) == published  # the same key: as is
    with pytest.raises(UsageError, match="already states saiaas:clientPublicKey"):
        publish_client_key(published, "request", "cd" * 32)


def test_key_files_open_with_their_password_only(home: Path) -> None:
    path, public = generate_client_key(lambda what: "secret", "mine")
    assert key_from_file_or_name(lambda what: "secret", "mine").public_hex == public
    assert key_from_file_or_name(lambda what: "secret", str(path)).public_hex == public
    with pytest.raises(AccountError, match="wrong password"):
        key_from_file_or_name(lambda what: "other", "mine")
    damaged = home / "damaged.json"
    damaged.write_text(json.dumps({"kind": "saiaas-x25519-key", "public_key": public,
                                   "kdf": "argon2id", "salt": "zz"}))
    with pytest.raises(KeyFileError):
        key_from_file_or_name(lambda what: "secret", str(damaged))
    with pytest.raises(KeyFileError, match="neither a key file nor the name"):
        key_from_file_or_name(lambda what: "secret", "nobody")
