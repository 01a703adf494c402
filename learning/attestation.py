"""Phase 3: the attestation report of a training run, and the verifiers that check it.

Software mode (the only one these machines can offer): the infrastructure winner signs the report
(hashes of the training code and the runner, the inputs' CIDs, the model's CIDs, the isolation it
applied, the metrics, timestamps) with its Ethereum key (EIP-191 personal message, eth_account).
The verifier recovers the signer and compares it with the winner's on-chain address, which the
caller passes.

What software mode proves: WHO ran WHAT: the holder of the winner's key states, and cannot later
deny, that it ran this code (by hash) with this runner on these inputs (by CID) and produced this
model (by CID) with these metrics.
What it does NOT prove: confidentiality. Nothing stops the infrastructure provider from reading the
data, the code or the model, or from running something else and signing a false report; the
report is a signed statement, not a measurement. Only a hardware enclave (SGX/TDX) attests that
no one could see inside, and hardware mode is refused here rather than faked.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from saiaas.learning.errors import (
    AttestationError,
    AttestationSignerMismatch,
    HardwareAttestationUnavailable,
)

__all__ = [
    "PROVES",
    "DOES_NOT_PROVE",
    "HARDWARE_REFUSAL",
    "SignedReport",
    "VerifiedAttestation",
    "AttestationVerifier",
    "SoftwareAttestation",
    "HardwareAttestation",
    "attestation_for",
    "canonical_json",
]

PROVES = (
    "who ran what: the infrastructure winner's key signed that it ran this training code (sha256) "
    "with this runner on these inputs (CIDs) and produced this model (CID) with these metrics"
)
DOES_NOT_PROVE = (
    "confidentiality: the infrastructure provider could see the data, the code and the model, and "
    "the report is its own signed statement, not a hardware measurement"
)
HARDWARE_REFUSAL = (
    "hardware attestation (SGX/TDX) is not available on this machine; only software attestation, "
    "which proves who ran what, not that no one could see the data"
)


def canonical_json(obj: Any) -> str:
    """The one text of a JSON value that gets signed: sorted keys, no spaces, ASCII only."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


@dataclass(frozen=True)
class SignedReport:
    """A report and the signature over its canonical JSON, as it travels in the manifest."""

    report: dict[str, Any]
    signature: str
    mode: str = "software"

    @property
    def sha256(self) -> str:
        """sha256 of the canonical report: the hash a caller may put on chain beside the model."""
        return hashlib.sha256(canonical_json(self.report).encode("ascii")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {"mode": self.mode, "report": self.report, "signature": self.signature}

    @classmethod
    def from_json(cls, obj: Any) -> SignedReport:
        if not isinstance(obj, dict) or not isinstance(obj.get("report"), dict) \
                or not isinstance(obj.get("signature"), str):
            raise AttestationError(
                "the attestation is not {\"mode\", \"report\": {...}, \"signature\": \"0x...\"}"
            )
        return cls(obj["report"], obj["signature"], str(obj.get("mode", "software")))


@dataclass(frozen=True)
class VerifiedAttestation:
    """A report whose signature checked out against the expected signer, and what that means."""

    report: dict[str, Any]
    signer: str
    mode: str
    report_sha256: str
    proves: str = PROVES
    does_not_prove: str = DOES_NOT_PROVE
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"mode": self.mode, "signer": self.signer, "report_sha256": self.report_sha256,
                "verified": True, "proves": self.proves, "does_not_prove": self.does_not_prove}


@runtime_checkable
class AttestationVerifier(Protocol):
    """Checks a signed report against the address the chain says won the infrastructure slot."""

    mode: str

    def verify(self, report: SignedReport, expected_signer_address: str) -> VerifiedAttestation:
        ...


def _address(text: str, what: str) -> str:
    from eth_utils import is_address, to_checksum_address

    if not isinstance(text, str) or not is_address(text):
        raise AttestationError(f"{what} is not an Ethereum address: {text!r}")
    return str(to_checksum_address(text))


class SoftwareAttestation:
    """Reports signed with the infrastructure winner's Ethereum key (see the module docstring for
    what this proves and what it does not)."""

    mode = "software"

    def sign(self, report: dict[str, Any], private_key: Any) -> SignedReport:
        """Sign `report` (it gains "mode", "signer", "proves" and "does_not_prove")."""
        from eth_account import Account
        from eth_account.messages import encode_defunct

        account = Account.from_key(private_key)
        body = {**report, "mode": self.mode, "signer": account.address,
                "proves": PROVES, "does_not_prove": DOES_NOT_PROVE}
        signed = account.sign_message(encode_defunct(text=canonical_json(body)))
        return SignedReport(body, "0x" + bytes(signed.signature).hex(), self.mode)

    def verify(self, report: SignedReport, expected_signer_address: str) -> VerifiedAttestation:
        from eth_account import Account
        from eth_account.messages import encode_defunct

        if report.mode != self.mode or report.report.get("mode") != self.mode:
            if "hardware" in (report.mode, report.report.get("mode")):
                raise HardwareAttestationUnavailable(HARDWARE_REFUSAL)
            raise AttestationError(
                f"attestation mode {report.mode!r} is not software; this verifier checks software "
                "reports only"
            )
        expected = _address(expected_signer_address, "the expected signer")
        message = encode_defunct(text=canonical_json(report.report))
        try:
            signer = str(Account.recover_message(message, signature=report.signature))
        except Exception as error:  # eth_keys raises several types for malformed signatures
            raise AttestationError(
                f"the attestation signature does not parse as an Ethereum signature: {error}"
            ) from None
        if signer != expected:
            raise AttestationSignerMismatch(
                f"attestation report signed by {signer}, not by the infrastructure winner "
                f"{expected}; refused"
            )
        claimed = report.report.get("signer")
        if not isinstance(claimed, str) or claimed.lower() != signer.lower():
            raise AttestationError(
                f"the report names {claimed!r} as its signer but was signed by {signer}"
            )
        return VerifiedAttestation(report.report, signer, self.mode, report.sha256)


class HardwareAttestation:
    """SGX/TDX quotes: not available on these machines, so every use is refused, never accepted."""

    mode = "hardware"

    def __init__(self, technology: str = "SGX/TDX") -> None:
        self.technology = technology

    def sign(self, report: dict[str, Any], private_key: Any) -> SignedReport:
        raise HardwareAttestationUnavailable(HARDWARE_REFUSAL)

    def verify(self, report: SignedReport, expected_signer_address: str) -> VerifiedAttestation:
        raise HardwareAttestationUnavailable(HARDWARE_REFUSAL)


def attestation_for(mode: str) -> SoftwareAttestation:
    """The attestation to use for a requested mode: "software", or a refusal for hardware modes
    ("hardware", "sgx", "tdx", "sev-snp", ...) at the moment they are asked for."""
    wanted = (mode or "").strip().lower()
    if wanted == "software":
        return SoftwareAttestation()
    if wanted in {"hardware", "sgx", "tdx", "sev", "sev-snp", "sevsnp", "tee", "enclave"}:
        raise HardwareAttestationUnavailable(HARDWARE_REFUSAL)
    raise AttestationError(f"unknown attestation mode {mode!r}: use 'software'")
