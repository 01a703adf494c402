"""Phase 1: sealed transfer to the infrastructure winner, refused when bytes and bid CID differ."""

from __future__ import annotations

import io

import numpy as np
import pytest
from saiaas.learning import (
    AssetMismatch,
    DatasetFormatError,
    DecryptionError,
    KeyFormatError,
    KeyPair,
    LearningError,
    pack_dataset,
    public_key_from_hex,
    receive_asset,
    seal,
    send_asset,
    unpack_dataset,
    unseal,
)
from saiaas.ontologies.errors import SaiaasError
from saiaas.storage import cid_of


def test_sealed_asset_opens_with_the_recipient_key_and_matches_its_cid():
    infra = KeyPair.generate()
    asset = send_asset("data asset", b"1,500 labelled images", infra.public_hex)
    assert asset.committed_cid == cid_of(b"1,500 labelled images")
    assert b"labelled" not in asset.blob
    assert receive_asset(asset.blob, infra, asset.committed_cid, asset.name) == \
        b"1,500 labelled images"


def test_sealing_twice_gives_different_blobs():
    infra = KeyPair.generate()
    assert seal(b"same", infra.public_key) != seal(b"same", infra.public_key)


def test_asset_whose_bytes_differ_from_the_bid_cid_is_refused_naming_both_cids():
    infra = KeyPair.generate()
    committed = cid_of(b"the asset that won the auction")
    blob = seal(b"something else entirely", infra.public_key)
    with pytest.raises(AssetMismatch) as caught:
        receive_asset(blob, infra, committed, "data asset of provider 0xabc")
    message = str(caught.value)
    assert "data asset of provider 0xabc" in message
    assert committed in message and cid_of(b"something else entirely") in message
    assert isinstance(caught.value, SaiaasError) and "\n" not in message


def test_asset_sealed_to_another_key_does_not_open():
    intended, other = KeyPair.generate(), KeyPair.generate()
    blob = seal(b"data", other.public_key)
    with pytest.raises(DecryptionError, match="does not decrypt with the key"):
        receive_asset(blob, intended, cid_of(b"data"), "algorithm asset")


def test_altered_blob_does_not_open():
    keys = KeyPair.generate()
    blob = bytearray(seal(b"data", keys.public_key))
    blob[-1] ^= 1
    with pytest.raises(DecryptionError, match="altered"):
        unseal(bytes(blob), keys, "model")


@pytest.mark.parametrize("text", ["", "zz" * 32, "ab" * 31, "0x" + "ab" * 33])
def test_malformed_public_key_is_refused(text):
    with pytest.raises(KeyFormatError):
        public_key_from_hex(text)


def test_key_pair_round_trips_through_a_private_file(tmp_path):
    keys = KeyPair.generate()
    path = tmp_path / "transfer.key"
    keys.save(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert KeyPair.load(path) == keys
    assert keys.private_key.hex() not in repr(keys)
    (tmp_path / "bad.key").write_text("not a key")
    with pytest.raises(KeyFormatError, match="not a hex X25519 key"):
        KeyPair.load(tmp_path / "bad.key")


def test_dataset_bytes_are_reproducible_so_the_cid_can_be_committed_early(digits):
    X, y = digits
    first, second = pack_dataset(X[:50], y[:50]), pack_dataset(X[:50].copy(), y[:50].copy())
    assert first == second
    X2, y2 = unpack_dataset(first)
    assert np.array_equal(X2, X[:50]) and np.array_equal(y2, y[:50])


def test_dataset_with_wrong_shapes_or_format_is_refused():
    with pytest.raises(DatasetFormatError, match="one label a sample"):
        pack_dataset(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(DatasetFormatError, match="not an .npz"):
        unpack_dataset(b"PK not really a zip")
    buffer = io.BytesIO()
    np.savez(buffer, X=np.zeros((2, 2)))
    with pytest.raises(DatasetFormatError, match="no array"):
        unpack_dataset(buffer.getvalue())
    buffer = io.BytesIO()
    np.savez(buffer, X=np.array([{"a": 1}], dtype=object), y=np.zeros(1))
    with pytest.raises(LearningError):
        unpack_dataset(buffer.getvalue())


def test_a_lone_npy_or_a_text_file_is_refused_for_what_it_is():
    # the hospital case's image-101.npy passed as --held-out crashed as a bug (exit 70), and a
    # Turtle file was called "pickled (object) data"
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(64))
    with pytest.raises(DatasetFormatError, match=r"held-out.*it is a single NumPy array \(.npy\)"):
        unpack_dataset(buffer.getvalue(), "held-out")
    with pytest.raises(DatasetFormatError) as refused:
        unpack_dataset(b"@prefix saiaas: <https://example.org/> .\n", "request.ttl")
    assert str(refused.value) == (
        "request.ttl is not an .npz with arrays X and y (it is not a zip archive)"
    )
