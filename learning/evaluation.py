"""Phase 4, the client side: open the delivery, check it, evaluate the model, label new inputs.

The client trusts nothing it fetched until it has checked it: the attestation against the
infrastructure winner's on-chain address, the sealed model against the CID in the report, the
decrypted model and code against the plaintext CIDs in the report. Then it measures accuracy on
its own held-out data, which it never sent anyone, and decides whether to acknowledge. The model
and the provider's predict code run in the same isolated worker as training (the client runs
code it did not write).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from saiaas.learning.attestation import (
    AttestationVerifier,
    SignedReport,
    SoftwareAttestation,
    VerifiedAttestation,
)
from saiaas.learning.delivery import MANIFEST_KIND
from saiaas.learning.errors import LearningError, ManifestError
from saiaas.learning.keys import KeyPair, unseal
from saiaas.learning.worker import Limits, predict_isolated
from saiaas.storage import Store

if TYPE_CHECKING:
    import numpy as np

__all__ = ["ReceivedModel", "ModelVerdict", "receive_model", "evaluate", "label"]


@dataclass(frozen=True)
class ReceivedModel:
    model: bytes
    predict_code: bytes
    code_name: str
    attestation: VerifiedAttestation
    manifest_cid: str
    model_cid: str


@dataclass(frozen=True)
class ModelVerdict:
    """Whether to acknowledge on chain, with the figure it rests on."""

    acknowledge: bool
    accuracy: float
    correct: int
    total: int
    required: float | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"acknowledge": self.acknowledge, "accuracy": self.accuracy,
                "correct": self.correct, "total": self.total, "required": self.required,
                "reason": self.reason}


def _manifest(store: Store, manifest_cid: str) -> dict[str, Any]:
    try:
        manifest = json.loads(store.get(manifest_cid).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ManifestError(f"delivery manifest {manifest_cid} is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != MANIFEST_KIND:
        raise ManifestError(f"{manifest_cid} is not a saiaas delivery manifest (kind "
                            f"{MANIFEST_KIND!r} expected)")
    for key in ("model_cid", "predictor_cid", "attestation"):
        if key not in manifest:
            raise ManifestError(f"delivery manifest {manifest_cid} has no {key!r}")
    return manifest


def receive_model(
    store: Store,
    manifest_cid: str,
    client_keys: KeyPair,
    expected_signer_address: str,
    verifier: AttestationVerifier | None = None,
) -> ReceivedModel:
    """Fetch and check a delivery: attestation signed by the winner, model and code decrypted with
    the client's key and equal to what the report attests. Any mismatch raises; nothing partial."""
    from saiaas.storage import cid_of, same_cid

    manifest = _manifest(store, manifest_cid)
    signed = SignedReport.from_json(manifest["attestation"])
    attested = (verifier or SoftwareAttestation()).verify(signed, expected_signer_address)
    report = attested.report
    model_info, code_info = report.get("model") or {}, report.get("code") or {}
    if not same_cid(str(model_info.get("cid")), manifest["model_cid"]) or not same_cid(
            str(report.get("predictor_cid")), manifest["predictor_cid"]):
        raise ManifestError(
            f"delivery manifest {manifest_cid} names model {manifest['model_cid']} but its "
            f"attestation report covers {model_info.get('cid')}; refused"
        )
    model = unseal(store.get(manifest["model_cid"]), client_keys,
                   what=f"model {manifest['model_cid']} (with the client's key)")
    if not same_cid(cid_of(model), str(model_info.get("plaintext_cid"))):
        raise ManifestError(
            f"decrypted model has CID {cid_of(model)}, the report attests "
            f"{model_info.get('plaintext_cid')}; refused"
        )
    code = unseal(store.get(manifest["predictor_cid"]), client_keys,
                  what=f"predictor code {manifest['predictor_cid']} (with the client's key)")
    if not same_cid(cid_of(code), str(code_info.get("cid"))):
        raise ManifestError(
            f"decrypted predictor code has CID {cid_of(code)}, the report attests "
            f"{code_info.get('cid')}; refused"
        )
    return ReceivedModel(model, code, str(code_info.get("name") or "algo.py"), attested,
                         manifest_cid, manifest["model_cid"])


def _required(required: Any) -> Decimal | None:
    """A minimum accuracy from a Request (its min_accuracy), a number, a decimal text, or None."""
    if required is None:
        return None
    value = getattr(required, "min_accuracy", required)
    if value is None:
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise LearningError(f"minimum accuracy {value!r} is not a number") from None
    if not amount.is_finite() or not Decimal(0) <= amount <= Decimal(1):
        raise LearningError(f"minimum accuracy {value} must be between 0 and 1")
    return amount


def evaluate(
    model: bytes,
    predict_code: bytes,
    X: np.ndarray,
    y: np.ndarray,
    required: Any = None,
    *,
    code_name: str = "algo.py",
    limits: Limits | None = None,
) -> ModelVerdict:
    """Accuracy of the model on the client's own labelled data, and whether it meets `required`
    (a Request, whose min_accuracy is used, or a number in [0, 1]; None: any accuracy is fine)."""
    import numpy as np

    minimum = _required(required)
    y = np.asarray(y)
    if len(y) == 0 or len(y) != len(X):
        raise LearningError(f"evaluation needs one label per input; got {len(X)} inputs, "
                            f"{len(y)} labels")
    predicted = predict_isolated(predict_code, model, X, code_name=code_name, limits=limits)
    correct, total = int(np.sum(predicted == y)), len(y)
    accuracy = correct / total
    if minimum is None:
        return ModelVerdict(True, accuracy, correct, total, None,
                       f"accuracy {accuracy:.3f} ({correct}/{total}); no minimum was asked")
    ok = Decimal(correct) >= minimum * total  # exact: 90/100 meets 0.90
    sign = ">=" if ok else "<"
    return ModelVerdict(ok, accuracy, correct, total, float(minimum),
                   f"accuracy {accuracy:.3f} ({correct}/{total}) {sign} required {minimum} on the "
                   "client's held-out data" + ("" if ok else "; do not acknowledge"))


def label(
    model_bytes: bytes,
    predict_code: bytes,
    x: Any,
    *,
    code_name: str = "algo.py",
    limits: Limits | None = None,
) -> Any:
    """The model's label for one new input (a flat feature vector), as a plain Python value."""
    import numpy as np

    row = np.asarray(x).reshape(1, -1)
    predicted = predict_isolated(predict_code, model_bytes, row, code_name=code_name,
                                 limits=limits)
    return predicted.reshape(-1)[0].item()
