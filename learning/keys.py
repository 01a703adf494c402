"""X25519 key pairs and sealed boxes (PyNaCl / libsodium `crypto_box_seal`).

A sealed box encrypts to a public key with a fresh ephemeral key pair and authenticates the
ciphertext (XSalsa20-Poly1305), so the sender needs nothing but the recipient's published key and
the recipient learns nothing about the sender from the box itself. That is the shape of both
transfers here: providers -> infrastructure winner (per-auction key), infrastructure -> client.
Sender authentication is not the box's job: the CID the provider committed on-chain in its bid is
what proves the plaintext is the asset that won.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from saiaas.learning.errors import DecryptionError, KeyFormatError

__all__ = ["KeyPair", "public_key_from_hex", "seal", "unseal", "KEY_SIZE"]

#: Size of an X25519 public or private key in bytes (hex text: twice that).
KEY_SIZE = 32


def _key_bytes(text: str | bytes, what: str) -> bytes:
    if isinstance(text, bytes) and len(text) == KEY_SIZE:
        return text
    raw = text.decode("ascii", "replace") if isinstance(text, bytes) else text
    raw = raw.strip().removeprefix("0x")
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        raise KeyFormatError(
            f"{what} is not a hex X25519 key ({KEY_SIZE * 2} hex digits): {raw[:20]!r}"
        ) from None
    if len(key) != KEY_SIZE:
        raise KeyFormatError(
            f"{what} has {len(key)} bytes, an X25519 key has {KEY_SIZE} ({KEY_SIZE * 2} hex digits)"
        )
    return key


def public_key_from_hex(text: str | bytes) -> bytes:
    """The 32 bytes of a published public key (hex, with or without 0x), or KeyFormatError."""
    return _key_bytes(text, "public key")


@dataclass(frozen=True)
class KeyPair:
    """One X25519 key pair. The infrastructure winner makes one per auction, the client one per
    request; only `public_key` is ever published (stored by CID, or put on chain by the caller)."""

    private_key: bytes
    public_key: bytes

    @classmethod
    def generate(cls) -> KeyPair:
        from nacl.public import PrivateKey

        private = PrivateKey.generate()
        return cls(bytes(private), bytes(private.public_key))

    @classmethod
    def from_private(cls, private: str | bytes) -> KeyPair:
        from nacl.public import PrivateKey

        secret = _key_bytes(private, "private key")
        return cls(secret, bytes(PrivateKey(secret).public_key))

    @classmethod
    def load(cls, path: Path) -> KeyPair:
        """Read a private key file written by `save` (hex text)."""
        try:
            text = Path(path).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as error:
            raise KeyFormatError(f"cannot read the key file {path}: {error}") from None
        return cls.from_private(text)

    def save(self, path: Path) -> None:
        """Write the private key as hex, readable by its owner only (mode 0600)."""
        import os

        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(self.private_key.hex() + "\n")

    @property
    def public_hex(self) -> str:
        return self.public_key.hex()

    def __repr__(self) -> str:  # never print the private half
        return f"KeyPair(public={self.public_hex})"


def seal(data: bytes, public_key: str | bytes) -> bytes:
    """Encrypt `data` so that only the holder of the private half of `public_key` can read it."""
    from nacl.public import PublicKey, SealedBox

    return bytes(SealedBox(PublicKey(public_key_from_hex(public_key))).encrypt(bytes(data)))


def unseal(blob: bytes, keys: KeyPair, what: str = "sealed blob") -> bytes:
    """Open a sealed box with `keys`; DecryptionError naming `what` and the key when it fails."""
    from nacl.exceptions import CryptoError
    from nacl.public import PrivateKey, SealedBox

    try:
        return bytes(SealedBox(PrivateKey(keys.private_key)).decrypt(bytes(blob)))
    except CryptoError:
        raise DecryptionError(
            f"{what} does not decrypt with the key {keys.public_hex[:16]}...: it was sealed to "
            "another key or altered in transit"
        ) from None
