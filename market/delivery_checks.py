"""The client's checks of a delivery, so that nothing is paid for a model no one can use.

A manifest on chain proves nothing by itself: a text file, or a genuine manifest copied from
another auction or another chain, would be paid like a real one. So before a provider delivers
and before the client acknowledges, the manifest is checked against the SLA (`check_manifest`:
the report's signer is the infrastructure winner, it names this auction and this chain, its
sealed files are in the store); the client then decrypts it with its own key, evaluates it on
its held-out images against the request's minAccuracy and records the verdict
(`evaluate`), and `auction acknowledge` reads all of it back (`delivery_findings`).
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from saiaas.market.accounts import AccountError
from saiaas.market.config import data_dir
from saiaas.market.learning_keys import KeyFileError
from saiaas.market.learning_terms import LearningRefused, load_client_key, winning_sla

if TYPE_CHECKING:
    from saiaas.contracts import SLA, Auction
    from saiaas.learning import VerifiedAttestation
    from saiaas.market.marketplace import Marketplace

__all__ = [
    "check_manifest",
    "decrypt_model",
    "evaluate",
    "evaluation_report",
    "recorded_evaluation",
    "delivery_findings",
]


def check_manifest(
    market: Marketplace, auction: Auction, data: bytes, signer: str
) -> VerifiedAttestation:
    """A delivery manifest this auction can take: saiaas delivery JSON whose report is signed by
    `signer`, names this auction and this chain, and whose sealed model and predictor are in the
    store. LearningRefused (or a ManifestError / AttestationError) naming what is wrong."""
    from saiaas.learning import ManifestError, SoftwareAttestation
    from saiaas.learning.attestation import SignedReport
    from saiaas.learning.delivery import MANIFEST_KIND

    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ManifestError("the file is not a delivery manifest (not JSON); a manifest is what "
                            "`saiaas provider train` makes") from None
    if not isinstance(manifest, dict) or manifest.get("kind") != MANIFEST_KIND:
        raise ManifestError(f"not a saiaas delivery manifest (kind {MANIFEST_KIND!r} expected)")
    for key in ("model_cid", "predictor_cid", "attestation"):
        if not isinstance(manifest.get(key), str if key != "attestation" else dict):
            raise ManifestError(f"the delivery manifest has no {key!r}")
    attested = SoftwareAttestation().verify(SignedReport.from_json(manifest["attestation"]),
                                            signer)
    report = attested.report
    named = str(report.get("auction") or "")
    if named.lower() != auction.address.lower():
        raise LearningRefused(f"the manifest's report is for auction {named or 'none'}, not "
                              f"{auction.address}; refused")
    chain_id = int(market.chain.w3.eth.chain_id)
    if report.get("chain_id") != chain_id:
        raise LearningRefused(f"the manifest's report is for chain id "
                              f"{report.get('chain_id')}, not {chain_id}; refused")
    for key in ("model_cid", "predictor_cid"):
        if not market.store.has(manifest[key]):
            raise LearningRefused(f"the manifest's {key} {manifest[key]} is not in the store: the "
                                  "client could not fetch it; refused")
    return attested


def _delivered(market: Marketplace, auction: Auction) -> tuple[SLA, str]:
    from saiaas.contracts import Category

    sla = winning_sla(auction)
    if sla.model_cid is None:
        raise LearningRefused(f"auction {auction.address}: no model has been delivered yet")
    check_manifest(market, auction, bytes(market.store.get(sla.model_cid)),
                   sla.winners[Category.INFRASTRUCTURE].bidder)
    return sla, sla.model_cid


def _received(market: Marketplace, auction: Auction, key_name: str | None) -> tuple[Any, str]:
    from saiaas.contracts import Category
    from saiaas.learning import receive_model

    sla, manifest_cid = _delivered(market, auction)
    name, keys = load_client_key(market, auction, key_name)
    received = receive_model(market.store, manifest_cid, keys,
                             sla.winners[Category.INFRASTRUCTURE].bidder)
    return received, name


def decrypt_model(market: Marketplace, auction: Auction, key_name: str | None) -> dict[str, Any]:
    """The delivered model, checked (manifest, signer, auction, chain) and decrypted."""
    received, name = _received(market, auction, key_name)
    return {"auction": auction.address, "manifest_cid": received.manifest_cid,
            "model_cid": received.model_cid, "key": name, "signer": received.attestation.signer,
            "model": received.model}


def _evaluations_file(market: Marketplace, auction: str) -> Path:
    chain = hashlib.sha256(market.chain_key.encode()).hexdigest()[:12]
    return data_dir() / "evaluations" / f"{chain}-{auction.lower()}.json"


def evaluate(
    market: Marketplace, auction: Auction, held_out: bytes, where: str, key_name: str | None
) -> dict[str, Any]:
    """The client checks and decrypts the delivery, measures its accuracy on its held-out
    labelled images (.npz with X and y) against the request's minAccuracy, and records the
    verdict for `auction acknowledge`."""
    from saiaas.learning import evaluate as evaluate_model
    from saiaas.learning import unpack_dataset
    from saiaas.market.marketplace import write_state
    from saiaas.market.requirements import Requirements

    X, y = unpack_dataset(held_out, where)
    received, name = _received(market, auction, key_name)
    features = (received.attestation.report.get("metrics") or {}).get("features")
    if isinstance(features, int) and X.shape[1] != features:  # else the worker's broadcast error
        from saiaas.learning.errors import DatasetFormatError

        raise DatasetFormatError(
            f"{where}: X has {X.shape[1]} feature(s) a row, the delivered model takes {features}: "
            "is it the held-out file of this request?")
    required = Requirements(market, auction.info()).request.min_accuracy
    verdict = evaluate_model(received.model, received.predict_code, X, y, required,
                             code_name=received.code_name)
    result = {
        "auction": auction.address, "manifest_cid": received.manifest_cid,
        "model_cid": received.model_cid, "key": name, "signer": received.attestation.signer,
        "accuracy": verdict.accuracy, "correct": verdict.correct, "total": verdict.total,
        "required_accuracy": verdict.required, "passed": verdict.acknowledge,
        "reason": verdict.reason, "evaluated_at": int(time.time()),
        "chain_id": int(market.chain.w3.eth.chain_id),
    }
    write_state(_evaluations_file(market, auction.address), json.dumps(result))
    return result


def evaluation_report(result: dict[str, Any]) -> bytes:
    """The evaluation as a document `auction reject --reason-file` can cite."""
    from saiaas.market.arbitration import evaluation_report as report_of

    body = report_of(result["auction"], result["accuracy"],
                     result["required_accuracy"] if result["required_accuracy"] is not None
                     else 0.0,
                     {k: result[k] for k in ("manifest_cid", "model_cid", "correct", "total",
                                              "reason", "signer", "chain_id")})
    return (json.dumps(body, indent=2, sort_keys=True) + "\n").encode("utf-8")


def recorded_evaluation(market: Marketplace, auction: str) -> dict[str, Any] | None:
    from saiaas.market.marketplace import read_state

    return read_state(_evaluations_file(market, auction))


def delivery_findings(
    market: Marketplace, auction: Auction, key_name: str | None
) -> list[dict[str, Any]]:
    """What `auction acknowledge` checks before paying, each {check, ok, detail}: the manifest
    verifies against the SLA (signer, auction, chain), it decrypts with the client's key, and a
    passing evaluation of that very manifest is recorded."""
    from saiaas.learning import LearningError
    from saiaas.storage import StorageError

    findings: list[dict[str, Any]] = []
    try:
        sla, manifest_cid = _delivered(market, auction)
        findings.append({"check": "manifest", "ok": True,
                         "detail": f"{manifest_cid} signed by the infrastructure winner "
                                   f"{sla.winners[2].bidder} for this auction and chain"})  # type: ignore[index]
    except (LearningError, LearningRefused, StorageError) as error:
        findings.append({"check": "manifest", "ok": False, "detail": str(error)})
        return findings
    try:
        received, name = _received(market, auction, key_name)
        findings.append({"check": "decrypts", "ok": True,
                         "detail": f"model {received.model_cid} decrypts with client key "
                                   f"{name!r} and is the attested one"})
    except (LearningError, LearningRefused, KeyFileError, AccountError, StorageError) as error:
        findings.append({"check": "decrypts", "ok": False, "detail": str(error)})
    recorded = recorded_evaluation(market, auction.address)
    if recorded is None or recorded.get("manifest_cid") != manifest_cid:
        findings.append({"check": "evaluation", "ok": False,
                         "detail": "no evaluation of this delivery is recorded (run `saiaas "
                                   f"client evaluate {auction.address} --held-out FILE`)"})
    else:
        findings.append({"check": "evaluation", "ok": bool(recorded.get("passed")),
                         "detail": str(recorded.get("reason"))})
    return findings
