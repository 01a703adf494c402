"""Phases 3-4 and the hospital case: delivery checked by the client, evaluation, labelling."""

from __future__ import annotations

import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from eth_account import Account
from saiaas.learning import (
    AttestationSignerMismatch,
    DecryptionError,
    KeyPair,
    LearningError,
    Limits,
    ManifestError,
    deliver_model,
    evaluate,
    example_algorithm,
    label,
    receive_model,
    run_hospital_case,
    train_isolated,
)
from saiaas.storage import LocalStore, cid_of

FAST = Limits(wall_seconds=30, cpu_seconds=30, memory_mib=2048)


@pytest.fixture(scope="module")
def delivered(tmp_path_factory, small_data):
    """One trained and delivered model: the store, the client's keys, the winner, the delivery."""
    store = LocalStore(tmp_path_factory.mktemp("store"))
    code = example_algorithm()
    training = train_isolated(code, small_data, {"epochs": 100}, limits=FAST)
    client, winner = KeyPair.generate(), Account.create()
    delivery = deliver_model(store, training, code=code, code_name="digits_classifier.py",
                             data_cid=cid_of(small_data), algorithm_cid=cid_of(code),
                             client_public_key=client.public_hex, signer_key=winner.key,
                             auction="0x" + "ab" * 20)
    return SimpleNamespace(store=store, client=client, winner=winner, delivery=delivery,
                           training=training, code=code)


def test_the_client_opens_a_delivery_that_matches_its_report(delivered):
    d = delivered
    received = receive_model(d.store, d.delivery.manifest_cid, d.client, d.winner.address)
    assert received.model == d.training.model and received.predict_code == d.code
    report = received.attestation.report
    assert report["inputs"]["data"] and report["code"]["cid"] == cid_of(d.code)
    assert report["runner"]["isolation"]["network"] == d.training.isolation.network
    assert report["auction"] == "0x" + "ab" * 20
    manifest = json.loads(d.store.get(d.delivery.manifest_cid))
    assert manifest["model_cid"] == d.delivery.model_cid


def test_a_model_that_does_not_decrypt_with_the_client_key_is_refused(delivered):
    d = delivered
    with pytest.raises(DecryptionError, match="model .* does not decrypt with the key"):
        receive_model(d.store, d.delivery.manifest_cid, KeyPair.generate(), d.winner.address)


def test_a_delivery_signed_by_someone_other_than_the_winner_is_refused(delivered):
    d = delivered
    with pytest.raises(AttestationSignerMismatch, match="not by the infrastructure winner"):
        receive_model(d.store, d.delivery.manifest_cid, d.client, Account.create().address)


def test_a_manifest_pointing_at_another_model_is_refused(delivered):
    d = delivered
    from saiaas.learning import seal
    from saiaas.learning.attestation import canonical_json

    other = d.store.put(seal(b"another model", d.client.public_key))
    manifest = {**d.delivery.manifest, "model_cid": other}
    swapped = d.store.put(canonical_json(manifest).encode())
    with pytest.raises(ManifestError, match="attestation report covers"):
        receive_model(d.store, swapped, d.client, d.winner.address)
    with pytest.raises(ManifestError, match="not a saiaas delivery manifest"):
        receive_model(d.store, d.store.put(b'{"kind": "other"}'), d.client, d.winner.address)


def test_evaluation_meets_or_misses_the_requested_accuracy_exactly(delivered, digits):
    d = delivered
    X, y = digits
    verdict = evaluate(d.training.model, d.code, X[1000:1100], y[1000:1100], None, limits=FAST)
    assert verdict.acknowledge and verdict.total == 100 and verdict.required is None
    exact = Decimal(verdict.correct) / 100
    at = evaluate(d.training.model, d.code, X[1000:1100], y[1000:1100],
                  SimpleNamespace(min_accuracy=exact), limits=FAST)
    assert at.acknowledge and at.accuracy == float(exact)
    above = evaluate(d.training.model, d.code, X[1000:1100], y[1000:1100],
                     exact + Decimal("0.01"), limits=FAST)
    assert not above.acknowledge and "do not acknowledge" in above.reason
    with pytest.raises(LearningError, match="between 0 and 1"):
        evaluate(d.training.model, d.code, X[:5], y[:5], 1.5, limits=FAST)
    with pytest.raises(LearningError, match="one label per input"):
        evaluate(d.training.model, d.code, X[:5], y[:4], None, limits=FAST)


def test_label_returns_a_plain_value_for_one_input(delivered, digits):
    X, _ = digits
    value = label(delivered.training.model, delivered.code, X[0], limits=FAST)
    assert isinstance(value, int) and 0 <= value <= 9


def test_hospital_case_trains_on_bought_images_and_labels_the_101st(tmp_path):
    store = LocalStore(tmp_path / "store")
    winner = Account.create()
    result = run_hospital_case(store, infrastructure_key=winner.key,
                               expected_infrastructure_address=winner.address)
    model = result["model"]
    assert model["total"] == 100 and model["accuracy"] >= 0.9
    assert result["verdict"]["acknowledge"] and result["verdict"]["required"] == 0.9
    assert set(model["label_101"]) == {"predicted", "actual"}
    assert model["label_101"]["actual"] in range(10)
    assert result["attestation"]["signer"] == winner.address
    assert "could see the data" in result["attestation"]["does_not_prove"]
    assert store.has(result["manifest_cid"]) and store.has(model["cid"])
    assert result["dataset"]["provider_images"] == 1500
    assert "stand in for" in result["dataset"]["note"]


def test_hospital_case_refuses_when_the_chain_names_another_winner(tmp_path):
    with pytest.raises(AttestationSignerMismatch):
        run_hospital_case(LocalStore(tmp_path / "s"), min_accuracy=None,
                          expected_infrastructure_address=Account.create().address,
                          params={"epochs": 5}, limits=FAST)
