"""Errors of the learning and restitution phases, each one line that names the asset, file or key.

Every one of them stops the phase before anything is delivered or acknowledged, so the caller
(which holds the chain) never releases a payment because of bytes it could not trust.
"""

from __future__ import annotations

from saiaas.ontologies.errors import InputError, InvalidError

__all__ = [
    "LearningError",
    "AssetMismatch",
    "DecryptionError",
    "KeyFormatError",
    "DatasetFormatError",
    "TrainingError",
    "TrainingCrashed",
    "TrainingTimeout",
    "TrainingResourceLimit",
    "NetworkRefused",
    "AttestationError",
    "AttestationSignerMismatch",
    "HardwareAttestationUnavailable",
    "ManifestError",
]


class LearningError(InvalidError):
    """The learning phase refused an input or could not finish; nothing may be delivered."""


class AssetMismatch(LearningError):
    """Decrypted asset bytes do not hash to the CID their provider committed in its bid."""


class DecryptionError(LearningError):
    """A sealed blob does not open with the key at hand (sealed to another key, or altered)."""


class KeyFormatError(InputError, LearningError):
    """A text or file that should be an X25519 key is not one (a typo, not a refusal)."""


class DatasetFormatError(InputError, LearningError):
    """A data asset is not the agreed .npz with arrays X (samples x features) and y (labels)."""


class TrainingError(LearningError):
    """The isolated worker did not produce a model (or predictions) from the provider's code."""


class TrainingCrashed(TrainingError):
    """The provider's code raised, or its process died, or it broke the runner's interface."""


class TrainingTimeout(TrainingError):
    """The worker ran past its wall-clock or CPU-time limit and was killed."""


class TrainingResourceLimit(TrainingError):
    """The worker ran out of the memory (address space) or output size it was allowed."""


class NetworkRefused(TrainingError):
    """The provider's code tried to reach the network from the worker, which has none."""


class AttestationError(LearningError):
    """An attestation report is malformed, its signature is invalid, or the mode is unavailable."""


class AttestationSignerMismatch(AttestationError):
    """The report was signed by someone other than the infrastructure winner."""


class HardwareAttestationUnavailable(AttestationError):
    """SGX/TDX attestation was asked for; these machines cannot produce or check it."""


class ManifestError(LearningError):
    """A delivery manifest is not the agreed JSON, or its parts do not agree with each other."""
