"""Phase 3: software attestation signed by the infrastructure winner; hardware mode refused."""

from __future__ import annotations

import pytest
from eth_account import Account
from saiaas.learning import (
    DOES_NOT_PROVE,
    HARDWARE_REFUSAL,
    AttestationError,
    AttestationSignerMismatch,
    AttestationVerifier,
    HardwareAttestation,
    HardwareAttestationUnavailable,
    SignedReport,
    SoftwareAttestation,
    attestation_for,
)

REPORT = {"inputs": {"data": "bafkreidata", "algorithm": "bafkreialgo"},
          "model": {"cid": "bafkreimodel"}, "metrics": {"training_accuracy": 0.98}}


@pytest.fixture(scope="module")
def winner():
    return Account.create()


def test_report_signed_by_the_winner_verifies_and_says_what_it_proves(winner):
    software = SoftwareAttestation()
    signed = software.sign(REPORT, winner.key)
    verified = software.verify(signed, winner.address.lower())
    assert verified.signer == winner.address
    assert verified.report["inputs"] == REPORT["inputs"]
    assert verified.mode == "software" and verified.report_sha256 == signed.sha256
    assert "who ran what" in verified.proves
    assert "could see the data" in verified.does_not_prove == DOES_NOT_PROVE
    assert isinstance(software, AttestationVerifier)


def test_report_signed_by_someone_else_is_refused(winner):
    intruder = Account.create()
    signed = SoftwareAttestation().sign(REPORT, intruder.key)
    with pytest.raises(AttestationSignerMismatch) as caught:
        SoftwareAttestation().verify(signed, winner.address)
    assert intruder.address in str(caught.value) and winner.address in str(caught.value)


def test_a_report_altered_after_signing_is_refused(winner):
    signed = SoftwareAttestation().sign(REPORT, winner.key)
    forged = SignedReport({**signed.report, "metrics": {"training_accuracy": 1.0}},
                          signed.signature)
    with pytest.raises(AttestationSignerMismatch, match="not by the infrastructure winner"):
        SoftwareAttestation().verify(forged, winner.address)


def test_malformed_signature_and_address_are_refused(winner):
    signed = SoftwareAttestation().sign(REPORT, winner.key)
    with pytest.raises(AttestationError, match="does not parse as an Ethereum signature"):
        SoftwareAttestation().verify(SignedReport(signed.report, "0x1234"), winner.address)
    with pytest.raises(AttestationError, match="not an Ethereum address"):
        SoftwareAttestation().verify(signed, "0xnot-an-address")
    with pytest.raises(AttestationError, match="not"):
        SignedReport.from_json({"report": "text", "signature": 5})


@pytest.mark.parametrize("mode", ["hardware", "SGX", "tdx"])
def test_hardware_mode_is_refused_plainly(mode, winner):
    with pytest.raises(HardwareAttestationUnavailable) as caught:
        attestation_for(mode)
    assert str(caught.value) == HARDWARE_REFUSAL
    assert "not available on this machine" in HARDWARE_REFUSAL


def test_hardware_verifier_never_accepts_and_software_refuses_a_hardware_report(winner):
    signed = SoftwareAttestation().sign(REPORT, winner.key)
    with pytest.raises(HardwareAttestationUnavailable, match="SGX/TDX"):
        HardwareAttestation().verify(signed, winner.address)
    with pytest.raises(HardwareAttestationUnavailable):
        HardwareAttestation().sign(REPORT, winner.key)
    claimed = SignedReport({**signed.report, "mode": "hardware"}, signed.signature, "hardware")
    with pytest.raises(HardwareAttestationUnavailable):
        SoftwareAttestation().verify(claimed, winner.address)
    with pytest.raises(AttestationError, match="unknown attestation mode"):
        attestation_for("trust-me")
