"""Phase 3, the infrastructure side: seal the model to the client, sign the report, write the
delivery manifest whose CID the caller puts on chain (Auction.deliver).

The manifest is canonical JSON: {"kind": "saiaas-delivery", "version": 1, "model_cid",
"predictor_cid", "attestation": {"mode", "report", "signature"}}. The model and the algorithm's
code (which the client needs to run the model) are each sealed to the client's X25519 key and
stored by CID; the report names both sealed CIDs and the plaintext CIDs, so the client can check
that what it decrypts is what was attested.
"""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass
from typing import Any

from saiaas.learning.attestation import SignedReport, SoftwareAttestation, canonical_json
from saiaas.learning.keys import public_key_from_hex, seal
from saiaas.learning.worker import TrainingResult
from saiaas.storage import Store

__all__ = ["MANIFEST_KIND", "Delivery", "deliver_model"]

MANIFEST_KIND = "saiaas-delivery"


@dataclass(frozen=True)
class Delivery:
    manifest_cid: str
    manifest: dict[str, Any]
    attestation: SignedReport
    model_cid: str
    predictor_cid: str


def deliver_model(
    store: Store,
    training: TrainingResult,
    *,
    code: bytes,
    code_name: str,
    data_cid: str,
    algorithm_cid: str,
    client_public_key: str | bytes,
    signer_key: Any,
    auction: str | None = None,
    attestation: SoftwareAttestation | None = None,
    chain_id: int | None = None,
) -> Delivery:
    """Seal the trained model and the predictor code to the client, store both, sign the report
    with the infrastructure winner's key, store the manifest; return its CID (for the chain).
    `chain_id`, when given, is signed into the report beside `auction`, so a manifest made for an
    auction on one chain is not accepted for the same address on another."""
    from saiaas.storage import cid_of

    client_key = public_key_from_hex(client_public_key)
    model_cid = store.put(seal(training.model, client_key))
    predictor_cid = store.put(seal(code, client_key))
    report = {
        "kind": "saiaas-attestation-report",
        "version": 1,
        "auction": auction,
        "code": {"name": code_name, "sha256": training.code_sha256, "cid": cid_of(code)},
        "inputs": {"data": data_cid, "algorithm": algorithm_cid},
        "runner": {"sha256": training.runner_sha256, "python": platform.python_version(),
                   "isolation": asdict(training.isolation)},
        "model": {"cid": model_cid, "plaintext_cid": cid_of(training.model),
                  "bytes": len(training.model)},
        "predictor_cid": predictor_cid,
        "client_public_key": client_key.hex(),
        "metrics": training.metrics,
        "started_at": training.started_at,
        "finished_at": training.finished_at,
        "wall_seconds": training.wall_seconds,
    }
    if chain_id is not None:
        report["chain_id"] = int(chain_id)
    signed = (attestation or SoftwareAttestation()).sign(report, signer_key)
    manifest = {"kind": MANIFEST_KIND, "version": 1, "model_cid": model_cid,
                "predictor_cid": predictor_cid, "attestation": signed.to_json()}
    manifest_cid = store.put(canonical_json(manifest).encode("ascii"))
    return Delivery(manifest_cid, manifest, signed, model_cid, predictor_cid)
