"""The hospital case of the paper, run for real off-chain: phases 1-4 with real images.

scikit-learn's bundled digits (1,797 8x8 grayscale images, labels 0-9, shipped inside the
package, no download) stand in for the chest X-rays: the client (the hospital) holds 100 labelled
images plus a 101st to label, the data provider sells 1,500 more labelled images of the same kind
(an .npz whose bytes its CID covers), the algorithm provider sells a numpy softmax classifier
(examples/digits_classifier.py), and the infrastructure provider trains it in the isolated worker.
Chain calls (deliver the manifest CID, acknowledge) are the caller's: it passes the winner's key
and address it got from the SLA and acts on the verdict this returns.
"""

from __future__ import annotations

import time
from decimal import Decimal
from importlib import resources
from typing import Any

from saiaas.learning.client import evaluate, label, receive_model
from saiaas.learning.datasets import load_digits_arrays, pack_dataset
from saiaas.learning.delivery import deliver_model
from saiaas.learning.keys import KeyPair
from saiaas.learning.transfer import receive_asset, send_asset
from saiaas.learning.worker import Limits, train_isolated
from saiaas.storage import Store

__all__ = ["run_hospital_case", "example_algorithm", "DATASET_NOTE"]

DATASET_NOTE = (
    "scikit-learn's bundled digits (8x8 grayscale images of handwritten digits, 10 classes) "
    "stand in for the hospital's chest X-rays: real images shipped inside a package, no download"
)
ALGORITHM_FILE = "digits_classifier.py"


def example_algorithm() -> bytes:
    """The algorithm provider's training script of the hospital case (package data)."""
    return resources.files("saiaas.learning").joinpath("examples", ALGORITHM_FILE).read_bytes()


def _hospital_min_accuracy() -> Decimal | None:
    """The minimum accuracy of the shipped hospital requirement file (saiaas:minAccuracy)."""
    from rdflib import Graph
    from saiaas.ontologies import example_path
    from saiaas.ontologies.requests import parse_request

    graph = Graph()
    graph.parse(example_path("hospital-request.ttl"), format="turtle")
    return parse_request(graph).min_accuracy


def run_hospital_case(
    store: Store,
    *,
    infrastructure_key: Any = None,
    expected_infrastructure_address: str | None = None,
    min_accuracy: Any = "request",
    client_images: int = 100,
    provider_images: int = 1500,
    seed: int = 7,
    params: dict[str, Any] | None = None,
    limits: Limits | None = None,
    auction: str | None = None,
) -> dict[str, Any]:
    """Transfer, training, delivery and the client's evaluation and labelling, without the chain.

    `infrastructure_key`: the infrastructure winner's Ethereum private key (a fresh one if None);
    `expected_infrastructure_address`: the winner's address from the chain (default: the key's).
    `min_accuracy`: "request" reads the shipped hospital requirement file; or a Request, a number,
    or None. Returns {"model": {"cid", "accuracy", "label_101", ...}, "attestation", "manifest_cid",
    "verdict", ...}; raises a LearningError subclass if any check refuses.
    """
    import numpy as np
    from eth_account import Account

    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 3)
        return now

    account = Account.from_key(infrastructure_key) if infrastructure_key is not None \
        else Account.create()
    required = _hospital_min_accuracy() if min_accuracy == "request" else min_accuracy

    # The world: who holds which images.
    X, y = load_digits_arrays()
    if client_images + 1 + provider_images > len(y):
        raise ValueError(f"the digits hold {len(y)} images, fewer than "
                         f"{client_images} + 1 + {provider_images}")
    order = np.random.default_rng(seed).permutation(len(y))
    held, new, sold = (order[:client_images], order[client_images],
                       order[client_images + 1: client_images + 1 + provider_images])
    data_asset = pack_dataset(X[sold], y[sold])
    code = example_algorithm()
    since = lap("prepare", clock)

    # Phase 1: keys, sealed transfer, CID checks on arrival.
    infra_keys, client_keys = KeyPair.generate(), KeyPair.generate()
    transfer_key_cid = store.put(infra_keys.public_hex.encode("ascii"))
    sealed_data = send_asset("data asset", data_asset, infra_keys.public_key)
    sealed_code = send_asset("algorithm asset", code, infra_keys.public_key)
    data_blob_cid, code_blob_cid = store.put(sealed_data.blob), store.put(sealed_code.blob)
    data = receive_asset(store.get(data_blob_cid), infra_keys, sealed_data.committed_cid,
                         sealed_data.name)
    algorithm = receive_asset(store.get(code_blob_cid), infra_keys, sealed_code.committed_cid,
                              sealed_code.name)
    since = lap("transfer", since)

    # Phase 2: isolated training.
    training = train_isolated(algorithm, data, params, code_name=ALGORITHM_FILE, limits=limits)
    since = lap("training", since)

    # Phase 3: sealed model, signed report, manifest.
    delivery = deliver_model(
        store, training, code=algorithm, code_name=ALGORITHM_FILE,
        data_cid=sealed_data.committed_cid, algorithm_cid=sealed_code.committed_cid,
        client_public_key=client_keys.public_key, signer_key=account.key, auction=auction)
    since = lap("delivery", since)

    # Phase 4: the client checks, evaluates on its own 100 images, labels the 101st.
    received = receive_model(store, delivery.manifest_cid, client_keys,
                             expected_infrastructure_address or account.address)
    verdict = evaluate(received.model, received.predict_code, X[held], y[held], required,
                       code_name=received.code_name, limits=limits)
    predicted = label(received.model, received.predict_code, X[new],
                      code_name=received.code_name, limits=limits)
    lap("client", since)
    timings["total"] = round(time.perf_counter() - clock, 3)

    return {
        "dataset": {"note": DATASET_NOTE, "client_images": client_images,
                    "provider_images": provider_images, "seed": seed},
        "transfer": {
            "infrastructure_public_key": infra_keys.public_hex,
            "transfer_key_cid": transfer_key_cid,
            "data": {"cid": sealed_data.committed_cid, "sealed_cid": data_blob_cid,
                     "bytes": len(data_asset)},
            "algorithm": {"cid": sealed_code.committed_cid, "sealed_cid": code_blob_cid,
                          "bytes": len(code)},
        },
        "training": {"metrics": training.metrics, "wall_seconds": training.wall_seconds,
                     "isolation": {"network": training.isolation.network,
                                   "user": training.isolation.user,
                                   "limits": training.isolation.limits}},
        "model": {
            "cid": delivery.model_cid,
            "plaintext_cid": delivery.attestation.report["model"]["plaintext_cid"],
            "accuracy": verdict.accuracy,
            "correct": verdict.correct,
            "total": verdict.total,
            "label_101": {"predicted": predicted, "actual": int(y[new])},
        },
        "verdict": verdict.to_json(),
        "attestation": {**received.attestation.to_json(),
                        "runner_sha256": training.runner_sha256,
                        "code_sha256": training.code_sha256},
        "manifest_cid": delivery.manifest_cid,
        "client_public_key": client_keys.public_hex,
        "infrastructure_address": account.address,
        "timings_s": timings,
    }
