"""The hospital case of the paper, run for real off-chain: phases 1-4 with real images.

scikit-learn's bundled digits (1,797 8x8 grayscale images, labels 0-9, shipped inside the
package, no download) stand in for the chest X-rays: the client (the hospital) holds 100 labelled
images plus a 101st to label, the data provider sells 1,500 more labelled images of the same kind
(an .npz whose bytes its CID covers), the algorithm provider sells a numpy softmax classifier
(examples/digits_classifier.py), and the infrastructure provider trains it in the isolated worker.
The phases are separate steps so a caller that holds a chain (`saiaas demo`) can interleave them
with it: `build_hospital_assets` first (each provider's content, so its CID can go into the asset
description as saiaas:contentCID before the bid), `send_to_infrastructure` by each content winner,
`train_and_deliver` by the infrastructure winner with the content CIDs read from the winning bids'
descriptions (saiaas.learning.commitments), Auction.deliver of the manifest CID by the caller, then
`evaluate_and_label` by the client, whose verdict says whether to acknowledge.
`run_hospital_case` chains them without a chain (its commitments are the contents' own CIDs).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

from saiaas.learning.datasets import load_digits_arrays, pack_dataset
from saiaas.learning.delivery import Delivery, deliver_model
from saiaas.learning.errors import LearningError
from saiaas.learning.evaluation import ModelVerdict, ReceivedModel, evaluate, label, receive_model
from saiaas.learning.keys import KeyPair
from saiaas.learning.transfer import receive_asset, send_asset
from saiaas.learning.worker import Limits, TrainingResult, train_isolated
from saiaas.storage import Store

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "run_hospital_case",
    "example_algorithm",
    "DATASET_NOTE",
    "ALGORITHM_FILE",
    "ClientImages",
    "HospitalAssets",
    "build_hospital_assets",
    "send_to_infrastructure",
    "Trained",
    "train_and_deliver",
    "Evaluated",
    "evaluate_and_label",
]

DATASET_NOTE = (
    "scikit-learn's bundled digits (8x8 grayscale images of handwritten digits, 10 classes) "
    "stand in for the hospital's chest X-rays: real images shipped inside a package, no download"
)
ALGORITHM_FILE = "digits_classifier.py"


def example_algorithm(defaults: dict[str, Any] | None = None) -> bytes:
    """The algorithm provider's training script of the hospital case (package data); with
    `defaults`, the same script with the provider's own default params (other bytes, other CID)."""
    code = resources.files("saiaas.learning").joinpath("examples", ALGORITHM_FILE).read_bytes()
    if not defaults:
        return code
    import json

    text = code.decode("utf-8")
    line = re.search(r"^DEFAULTS = (\{.*\})$", text, flags=re.MULTILINE)
    if line is None:  # the shipped script always has it; a guard for edits
        raise LearningError(f"{ALGORITHM_FILE} has no DEFAULTS line to set")
    merged = {**json.loads(line.group(1)), **defaults}
    literal = json.dumps(merged, sort_keys=True)
    return (text[: line.start(1)] + literal + text[line.end(1):]).encode("utf-8")


@dataclass(frozen=True)
class ClientImages:
    """The hospital's own images: the labelled held-out set it evaluates on, and a 101st to label.
    It never sends them to anyone."""

    X: np.ndarray
    y: np.ndarray
    x_new: np.ndarray
    y_new: int


@dataclass(frozen=True)
class HospitalAssets:
    """Every party's content before the auction: one .npz per data provider (disjoint slices of
    the digits), one script per algorithm provider, and the client's images."""

    datasets: tuple[bytes, ...]
    algorithms: tuple[bytes, ...]
    client: ClientImages
    dataset_sizes: tuple[int, ...]


def build_hospital_assets(
    *,
    client_images: int = 100,
    provider_images: tuple[int, ...] = (1500,),
    algorithm_defaults: tuple[dict[str, Any] | None, ...] = (None,),
    seed: int = 7,
) -> HospitalAssets:
    """Split the digits among the parties (seeded, so every run gives the same bytes and CIDs):
    the client's `client_images` + 1, then one consecutive slice per data provider."""
    import numpy as np

    X, y = load_digits_arrays()
    needed = client_images + 1 + sum(provider_images)
    if client_images < 1 or any(n < 1 for n in provider_images) or needed > len(y):
        raise LearningError(
            f"the digits hold {len(y)} images; cannot give the client {client_images} + 1 and the "
            f"data providers {', '.join(map(str, provider_images))}"
        )
    order = np.random.default_rng(seed).permutation(len(y))
    held, new = order[:client_images], order[client_images]
    datasets, at = [], client_images + 1
    for count in provider_images:
        sold = order[at: at + count]
        datasets.append(pack_dataset(X[sold], y[sold]))
        at += count
    client = ClientImages(X[held], y[held], X[new], int(y[new]))
    return HospitalAssets(tuple(datasets), tuple(example_algorithm(d) for d in algorithm_defaults),
                          client, tuple(provider_images))


def send_to_infrastructure(
    store: Store, name: str, content: bytes, infrastructure_public_key: str | bytes
) -> str:
    """What a data or algorithm winner does after the SLA: seal its content to the infrastructure
    winner's per-auction key and store the sealed box; returns the sealed box's CID."""
    return store.put(send_asset(name, content, infrastructure_public_key).blob)


@dataclass(frozen=True)
class Trained:
    """The infrastructure winner's work: the checked inputs' sizes, the run, the delivery."""

    training: TrainingResult
    delivery: Delivery
    data_bytes: int
    algorithm_bytes: int


def train_and_deliver(
    store: Store,
    *,
    keys: KeyPair,
    data_blob_cid: str,
    algorithm_blob_cid: str,
    data_cid: str,
    algorithm_cid: str,
    client_public_key: str | bytes,
    signer_key: Any,
    params: dict[str, Any] | None = None,
    limits: Limits | None = None,
    auction: str | None = None,
    code_name: str = ALGORITHM_FILE,
    chain_id: int | None = None,
) -> Trained:
    """Open both sealed assets and refuse either whose bytes are not the CID its winning bid
    committed (`data_cid`, `algorithm_cid`: read from the bids' descriptions, not from the bytes),
    train in the isolated worker, seal the model to the client, sign and store the manifest.
    Raises a LearningError subclass before anything is stored for the client if a check fails."""
    data = receive_asset(store.get(data_blob_cid), keys, data_cid, "data asset")
    algorithm = receive_asset(store.get(algorithm_blob_cid), keys, algorithm_cid,
                              "algorithm asset")
    training = train_isolated(algorithm, data, params, code_name=code_name, limits=limits)
    delivery = deliver_model(
        store, training, code=algorithm, code_name=code_name, data_cid=data_cid,
        algorithm_cid=algorithm_cid, client_public_key=client_public_key, signer_key=signer_key,
        auction=auction, chain_id=chain_id)
    return Trained(training, delivery, len(data), len(algorithm))


@dataclass(frozen=True)
class Evaluated:
    """The client's side: the checked delivery, the verdict on its own images, the 101st label."""

    received: ReceivedModel
    verdict: ModelVerdict
    predicted: Any
    actual: int


def evaluate_and_label(
    store: Store,
    manifest_cid: str,
    client_keys: KeyPair,
    expected_infrastructure_address: str,
    images: ClientImages,
    min_accuracy: Any = None,
    *,
    limits: Limits | None = None,
) -> Evaluated:
    """Check the delivery (signer = the chain's infrastructure winner, model decrypts with the
    client's key and is the attested one), measure accuracy on the client's held-out images
    against `min_accuracy`, and label the 101st image. Acknowledging is the caller's, on the
    verdict."""
    received = receive_model(store, manifest_cid, client_keys, expected_infrastructure_address)
    verdict = evaluate(received.model, received.predict_code, images.X, images.y, min_accuracy,
                       code_name=received.code_name, limits=limits)
    predicted = label(received.model, received.predict_code, images.x_new,
                      code_name=received.code_name, limits=limits)
    return Evaluated(received, verdict, predicted, images.y_new)


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
    from eth_account import Account
    from saiaas.storage import cid_of

    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 3)
        return now

    account = Account.from_key(infrastructure_key) if infrastructure_key is not None \
        else Account.create()
    required = _hospital_min_accuracy() if min_accuracy == "request" else min_accuracy

    # The world: who holds which images. Without a chain the commitments are the contents' own
    # CIDs; a caller with bids reads them from the winning descriptions (see the module doc).
    assets = build_hospital_assets(client_images=client_images,
                                   provider_images=(provider_images,), seed=seed)
    data_asset, code = assets.datasets[0], assets.algorithms[0]
    data_cid, code_cid = cid_of(data_asset), cid_of(code)
    since = lap("prepare", clock)

    # Phase 1: keys, sealed transfer.
    infra_keys, client_keys = KeyPair.generate(), KeyPair.generate()
    transfer_key_cid = store.put(infra_keys.public_hex.encode("ascii"))
    data_blob_cid = send_to_infrastructure(store, "data asset", data_asset, infra_keys.public_key)
    code_blob_cid = send_to_infrastructure(store, "algorithm asset", code, infra_keys.public_key)
    since = lap("transfer", since)

    # Phases 1-3 on the infrastructure's side: CID checks on arrival, training, delivery.
    trained = train_and_deliver(
        store, keys=infra_keys, data_blob_cid=data_blob_cid, algorithm_blob_cid=code_blob_cid,
        data_cid=data_cid, algorithm_cid=code_cid, client_public_key=client_keys.public_key,
        signer_key=account.key, params=params, limits=limits, auction=auction)
    training, delivery = trained.training, trained.delivery
    since = lap("training_and_delivery", since)

    # Phase 4: the client checks, evaluates on its own 100 images, labels the 101st.
    evaluated = evaluate_and_label(store, delivery.manifest_cid, client_keys,
                                   expected_infrastructure_address or account.address,
                                   assets.client, required, limits=limits)
    received, verdict, predicted = evaluated.received, evaluated.verdict, evaluated.predicted
    lap("client", since)
    timings["total"] = round(time.perf_counter() - clock, 3)

    return {
        "dataset": {"note": DATASET_NOTE, "client_images": client_images,
                    "provider_images": provider_images, "seed": seed},
        "transfer": {
            "infrastructure_public_key": infra_keys.public_hex,
            "transfer_key_cid": transfer_key_cid,
            "data": {"cid": data_cid, "sealed_cid": data_blob_cid, "bytes": len(data_asset)},
            "algorithm": {"cid": code_cid, "sealed_cid": code_blob_cid, "bytes": len(code)},
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
            "label_101": {"predicted": predicted, "actual": evaluated.actual},
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
