"""The learning and restitution phases, off-chain: what happens between the SLA and payment.

1. transfer: data and algorithm winners seal their assets to the infrastructure winner's
   per-auction X25519 key (PyNaCl sealed boxes); on arrival each is checked against the CID its
   provider committed in the bid: the saiaas:contentCID of the asset description whose CID the
   winning bid put on chain (commitments).
2. worker: the algorithm's code trains on the data in an isolated process (limits, no network,
   wiped scratch folder).
3. delivery + attestation: the model is sealed to the client's key and stored; a report of who
   ran what is signed with the infrastructure winner's Ethereum key (software attestation: it
   proves who ran what, not that no one could see the data; hardware SGX/TDX mode is refused);
   the manifest's CID is what the caller delivers on chain.
4. client: check and decrypt the delivery, evaluate on held-out data against the request's
   minimum accuracy, label new inputs.
The hospital case runs all four on real images, phase by phase (build_hospital_assets,
send_to_infrastructure, train_and_deliver, evaluate_and_label) or at once (run_hospital_case).
Chain calls stay with the caller: this package never imports saiaas.contracts or saiaas.cli.
"""

from __future__ import annotations

from saiaas.learning.attestation import (
    DOES_NOT_PROVE,
    HARDWARE_REFUSAL,
    PROVES,
    AttestationVerifier,
    HardwareAttestation,
    SignedReport,
    SoftwareAttestation,
    VerifiedAttestation,
    attestation_for,
)
from saiaas.learning.commitments import (
    CONTENT_CID,
    CommitmentError,
    add_content_cid,
    committed_content_cid,
)
from saiaas.learning.datasets import load_digits_arrays, pack_dataset, unpack_dataset
from saiaas.learning.delivery import Delivery, deliver_model
from saiaas.learning.errors import (
    AssetMismatch,
    AttestationError,
    AttestationSignerMismatch,
    DatasetFormatError,
    DecryptionError,
    HardwareAttestationUnavailable,
    KeyFormatError,
    LearningError,
    ManifestError,
    NetworkRefused,
    TrainingCrashed,
    TrainingError,
    TrainingResourceLimit,
    TrainingTimeout,
)
from saiaas.learning.evaluation import ModelVerdict, ReceivedModel, evaluate, label, receive_model
from saiaas.learning.hospital import (
    ALGORITHM_FILE,
    DATASET_NOTE,
    ClientImages,
    Evaluated,
    HospitalAssets,
    Trained,
    build_hospital_assets,
    evaluate_and_label,
    example_algorithm,
    run_hospital_case,
    send_to_infrastructure,
    train_and_deliver,
)
from saiaas.learning.keys import KeyPair, public_key_from_hex, seal, unseal
from saiaas.learning.transfer import SealedAsset, receive_asset, send_asset
from saiaas.learning.worker import (
    Isolation,
    Limits,
    TrainingResult,
    network_isolation,
    predict_isolated,
    train_isolated,
)

__all__ = [
    # phase 1
    "KeyPair", "public_key_from_hex", "seal", "unseal",
    "SealedAsset", "send_asset", "receive_asset",
    "pack_dataset", "unpack_dataset", "load_digits_arrays",
    # phase 2
    "Limits", "Isolation", "TrainingResult", "train_isolated", "predict_isolated",
    "network_isolation",
    # phase 3
    "AttestationVerifier", "SoftwareAttestation", "HardwareAttestation", "attestation_for",
    "SignedReport", "VerifiedAttestation", "PROVES", "DOES_NOT_PROVE", "HARDWARE_REFUSAL",
    "Delivery", "deliver_model",
    # phase 4
    "ReceivedModel", "ModelVerdict", "receive_model", "evaluate", "label",
    # what a bid commits: the content CID inside the asset description
    "CONTENT_CID", "add_content_cid", "committed_content_cid", "CommitmentError",
    # the hospital case, phase by phase and end to end
    "HospitalAssets", "ClientImages", "build_hospital_assets", "send_to_infrastructure",
    "Trained", "train_and_deliver", "Evaluated", "evaluate_and_label",
    "run_hospital_case", "example_algorithm", "DATASET_NOTE", "ALGORITHM_FILE",
    # errors
    "LearningError", "AssetMismatch", "DecryptionError", "KeyFormatError", "DatasetFormatError",
    "TrainingError", "TrainingCrashed", "TrainingTimeout", "TrainingResourceLimit",
    "NetworkRefused", "AttestationError", "AttestationSignerMismatch",
    "HardwareAttestationUnavailable", "ManifestError",
]
