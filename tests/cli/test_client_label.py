"""`saiaas client label MODEL INPUT`: a good key labels, a wrong key, a wrong signer and a wrong
input are refused with one line and a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from eth_account import Account
from saiaas.cli.app import app
from saiaas.learning import (
    KeyPair,
    Limits,
    deliver_model,
    example_algorithm,
    load_digits_arrays,
    pack_dataset,
    train_isolated,
)
from saiaas.storage import LocalStore, cid_of
from typer.testing import CliRunner

FAST = Limits(wall_seconds=60, cpu_seconds=60, memory_mib=2048)


@pytest.fixture(scope="module")
def delivered(tmp_path_factory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("label")
    X, y = load_digits_arrays()
    data, code = pack_dataset(X[:400], y[:400]), example_algorithm()
    training = train_isolated(code, data, {"epochs": 150}, limits=FAST)
    store = LocalStore(root / "store")
    client, winner = KeyPair.generate(), Account.create()
    delivery = deliver_model(store, training, code=code, code_name="digits_classifier.py",
                             data_cid=cid_of(data), algorithm_cid=cid_of(code),
                             client_public_key=client.public_hex, signer_key=winner.key)
    client.save(root / "client.key")
    KeyPair.generate().save(root / "other.key")
    np.save(root / "image.npy", X[1500].reshape(8, 8))
    (root / "image.csv").write_text(",".join(f"{v:g}" for v in X[1500]) + "\n")
    np.save(root / "small.npy", np.zeros(10))
    return SimpleNamespace(root=root, manifest=delivery.manifest_cid, winner=winner.address,
                           actual=int(y[1500]))


def _label(d: SimpleNamespace, *args: str) -> object:
    return CliRunner(env={"SAIAAS_HOME": str(d.root / "home")}).invoke(
        app, ["client", "label", d.manifest, *args, "--store", str(d.root / "store")])


def test_a_good_key_labels_the_image_from_npy_and_csv(delivered) -> None:
    d = delivered
    result = _label(d, str(d.root / "image.npy"), "--key", str(d.root / "client.key"),
                    "--signer", d.winner, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["predicted"] in range(10) and out["signer"] == d.winner
    assert out["signer_checked_against"] == "--signer"
    assert out["attestation"]["verified"] is True
    again = _label(d, str(d.root / "image.csv"), "--key", str(d.root / "client.key"),
                   "--signer", d.winner, "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["predicted"] == out["predicted"]


def test_without_a_signer_the_output_says_what_was_not_checked(delivered) -> None:
    d = delivered
    result = _label(d, str(d.root / "image.npy"), "--key", str(d.root / "client.key"))
    assert result.exit_code == 0, result.output
    assert "predicted label:" in result.stdout
    assert "not checked against any chain" in result.stdout
    assert "not that it is the winner's" in result.stdout


def test_a_wrong_key_is_refused(delivered) -> None:
    d = delivered
    result = _label(d, str(d.root / "image.npy"), "--key", str(d.root / "other.key"),
                    "--signer", d.winner)
    assert result.exit_code == 1
    assert "does not decrypt with the key" in result.output
    assert "predicted" not in result.output and "Traceback" not in result.output


def test_a_key_file_that_is_not_a_key_is_an_input_error(delivered) -> None:
    d = delivered
    bad = d.root / "not-a-key.txt"
    bad.write_text("hello\n")
    result = _label(d, str(d.root / "image.npy"), "--key", str(bad), "--signer", d.winner)
    assert result.exit_code == 3
    assert "not a hex X25519 key" in result.output


def test_another_signer_than_the_one_named_is_refused(delivered) -> None:
    d = delivered
    other = Account.create().address
    result = _label(d, str(d.root / "image.npy"), "--key", str(d.root / "client.key"),
                    "--signer", other)
    assert result.exit_code == 1
    assert f"not by the infrastructure winner {other}" in result.output


def test_an_input_of_the_wrong_size_is_refused_before_running_anything(delivered) -> None:
    d = delivered
    result = _label(d, str(d.root / "small.npy"), "--key", str(d.root / "client.key"),
                    "--signer", d.winner)
    assert result.exit_code == 3
    assert "holds 10 numbers" in result.output and "64 features" in result.output
    words = d.root / "words.csv"
    words.write_text("1, 2, x\n")
    result = _label(d, str(words), "--key", str(d.root / "client.key"), "--signer", d.winner)
    assert result.exit_code == 3 and "'x' is not a number" in result.output
    missing = _label(d, str(d.root / "nope.npy"), "--key", str(d.root / "client.key"))
    assert missing.exit_code == 3 and "no such input file" in missing.output


def test_bad_usage_is_refused(delivered) -> None:
    d = delivered
    both = _label(d, str(d.root / "image.npy"), "--key", str(d.root / "client.key"),
                  "--signer", d.winner, "--auction", d.winner)
    assert both.exit_code == 2 and "not both" in both.output
    nonsense = _label(d, str(d.root / "image.npy"), "--key", str(d.root / "client.key"),
                      "--auction", "nonsense")
    assert nonsense.exit_code == 2 and "not an EVM address" in nonsense.output


def test_a_cid_that_is_not_a_manifest_is_refused(delivered, tmp_path: Path) -> None:
    d = delivered
    store = LocalStore(d.root / "store")
    other = store.put(b'{"kind": "something-else"}')
    result = CliRunner(env={"SAIAAS_HOME": str(tmp_path)}).invoke(app, [
        "client", "label", other, str(d.root / "image.npy"), "--key", str(d.root / "client.key"),
        "--store", str(d.root / "store")])
    assert result.exit_code == 1
    assert "not a saiaas delivery manifest" in result.output


def test_the_decrypted_model_file_instead_of_the_manifest_cid_is_a_usage_error(delivered) -> None:
    # after `client decrypt --out model.bin` a newcomer passes the file: say what MANIFEST is
    d = delivered
    (d.root / "model.bin").write_bytes(b"decrypted model")
    result = CliRunner(env={"SAIAAS_HOME": str(d.root / "home")}).invoke(
        app, ["client", "label", str(d.root / "model.bin"), str(d.root / "image.npy"), "--key",
              str(d.root / "client.key"), "--store", str(d.root / "store")])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "model.bin is a file: MANIFEST is the delivery manifest's CID" in lines[0]
