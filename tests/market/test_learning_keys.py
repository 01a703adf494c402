"""`saiaas.market.learning_keys` and `learning_terms` without a chain: the key files and the
client key published in the request."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from saiaas.market.accounts import AccountError
from saiaas.market.learning_keys import KeyFileError, generate_client_key, key_from_file_or_name
from saiaas.market.learning_terms import CLIENT_PUBLIC_KEY, publish_client_key
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


def _auction_publishing(request: bytes) -> tuple[Any, Any]:
    """A marketplace and an auction whose stored request is `request` (no chain needed: the
    client key is read from the request alone)."""
    from types import SimpleNamespace

    market = SimpleNamespace(store=SimpleNamespace(get={"request-cid": request}.__getitem__),
                             password=lambda what: "secret")
    auction = SimpleNamespace(address="0x" + "12" * 20,
                              info=lambda: SimpleNamespace(requirements_cid="request-cid"))
    return market, auction


def test_every_step_refuses_a_request_that_publishes_no_single_client_key(home: Path) -> None:
    from saiaas.market.learning_terms import (
        LearningRefused,
        load_client_key,
        published_client_key,
        required_client_key,
    )

    market, auction = _auction_publishing(_request())
    assert published_client_key(market, auction) is None
    with pytest.raises(LearningRefused, match="publishes no saiaas:clientPublicKey, so no one"):
        required_client_key(market, auction, ", so no one could read the model")
    with pytest.raises(LearningRefused, match=r"no saiaas:clientPublicKey \(create the auction"):
        load_client_key(market, auction, "mine")
    twice = publish_client_key(_request(), "request", KEY) + (
        f'\n<urn:other> <{CLIENT_PUBLIC_KEY}> "{"cd" * 32}" .\n').encode()
    market, auction = _auction_publishing(twice)
    with pytest.raises(LearningRefused, match="publishes 2 client keys"):
        required_client_key(market, auction, "")


def test_the_client_key_for_an_auction_is_the_one_its_request_publishes(home: Path) -> None:
    from saiaas.market.learning_terms import LearningRefused, load_client_key

    _, public = generate_client_key(lambda what: "secret", "mine")
    generate_client_key(lambda what: "secret", "other")
    market, auction = _auction_publishing(publish_client_key(_request(), "request", public))
    name, keys = load_client_key(market, auction, None)  # found by its public half
    assert name == "mine" and keys.public_hex == public
    with pytest.raises(LearningRefused, match="'other' .* is not the key auction"):
        load_client_key(market, auction, "other")
    market, auction = _auction_publishing(publish_client_key(_request(), "request", KEY))
    with pytest.raises(KeyFileError, match="no client key in .* has the public key abab"):
        load_client_key(market, auction, None)


def test_importing_the_learning_modules_loads_neither_typer_nor_rich() -> None:
    import subprocess
    import sys

    code = (
        "import sys, saiaas.market.learning_keys, saiaas.market.learning_terms, "
        "saiaas.market.handover, saiaas.market.delivery_checks, saiaas.market.example_files\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'rich', 'click')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"
