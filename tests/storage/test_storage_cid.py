"""CIDs must equal Kubo's `ipfs add --cid-version=1` bit for bit, or others cannot check them.

The expected CIDs were answered by a js-ipfs 0.66 daemon (POST /api/v0/add, cid-version=1,
raw-leaves=true, chunker=size-262144) for the deterministic bytes of `sample(n)`, so these tests
check the embedded implementation without a daemon. test_storage_ipfs.py re-checks them live.
"""

from __future__ import annotations

import hashlib

import pytest
from saiaas.cli.errors import exit_code_of
from saiaas.storage import (
    CHUNK_SIZE,
    MAX_LINKS,
    InvalidCID,
    canonical_cid,
    cid_of,
    parse_cid,
    same_cid,
)
from saiaas.storage._dagpb import pb_node, unixfs_file_data, varint


def sample(n: int) -> bytes:
    """Deterministic, incompressible test bytes (identical to those the daemon hashed)."""
    return hashlib.shake_256(b"saiaas-cid-vectors").digest(n)


#: size in bytes -> CID answered by js-ipfs for sample(size)
VECTORS = {
    0: "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
    1: "bafkreicbxac6u6wactrdkvxjrozxi4bkba2ee2hzese2alyiqccjhffb4q",
    CHUNK_SIZE: "bafkreieaq4ns2o5fo3q2mkbm7o4u2ycvdyg44tswwuoqqlczfjqgitqtue",
    CHUNK_SIZE + 1: "bafybeicc3zbyb4ibwkjjfiqe4sa6zdbucorpixs24kwrdabsny5x5zmtym",
    1_048_583: "bafybeieaduhltsv46gqynebngk3z3azu2wg2gxhlmdnlpokgarrqhop4wa",
    # exactly one full internal node, then one chunk more: the tree grows a second level
    MAX_LINKS * CHUNK_SIZE: "bafybeiakesc63l6j2nk7rsaf474ykfrpe2knvnz3fdkhmpvh4gu7644wmy",
    MAX_LINKS * CHUNK_SIZE + 1: "bafybeifukvnmigl35im2vaql3rxsynbrctprbvtedzg6itz672d5wgwura",
    46_000_000: "bafybeifhupb2mt2ki3hrfxlp6ibdptspwnxmddl2n5o5gneyvfyvo4qbnq",
}

#: b"hello\n" as Kubo and js-ipfs add it (js-ipfs answered it in base58btc: zb2rhcc1...)
HELLO = "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am"


@pytest.mark.parametrize("size", sorted(VECTORS), ids=lambda n: f"{n}B")
def test_cid_of_equals_the_daemons_cid(size: int) -> None:
    assert cid_of(sample(size)) == VECTORS[size]


def test_one_chunk_is_a_raw_cid_and_more_is_a_dag_pb_root() -> None:
    assert cid_of(sample(CHUNK_SIZE)).startswith("bafkrei")
    assert cid_of(sample(CHUNK_SIZE + 1)).startswith("bafybei")
    assert parse_cid(cid_of(sample(CHUNK_SIZE))).codec.name == "raw"
    assert parse_cid(cid_of(sample(CHUNK_SIZE + 1))).codec.name == "dag-pb"


def test_cid_of_accepts_bytearray_and_memoryview() -> None:
    data = sample(CHUNK_SIZE * 2 + 5)
    assert cid_of(bytearray(data)) == cid_of(memoryview(data)) == cid_of(data)


def test_one_changed_byte_changes_the_cid() -> None:
    data = bytearray(sample(CHUNK_SIZE * 3))
    before = cid_of(bytes(data))
    data[CHUNK_SIZE * 2 + 7] ^= 1
    assert cid_of(bytes(data)) != before


def test_hello_and_its_base58_form_are_the_same_cid() -> None:
    assert cid_of(b"hello\n") == HELLO
    assert same_cid("zb2rhcc1wJn2GHDLT2YkmPq5b69cXc2xfRZZmyufbjFUfBkxr", HELLO)
    assert canonical_cid("zb2rhcc1wJn2GHDLT2YkmPq5b69cXc2xfRZZmyufbjFUfBkxr") == HELLO
    assert not same_cid(HELLO, VECTORS[1])


def test_dag_pb_root_bytes_match_kubos_layout() -> None:
    """Links before Data, empty Name present, blocksizes unpacked: the 104-byte root js-ipfs
    reported for a 262145-byte file (cumulative size 262249 = 262145 + 104)."""
    leaf = b"\x01\x55\x12\x20" + b"\x00" * 32
    data = unixfs_file_data(CHUNK_SIZE + 1, [CHUNK_SIZE, 1])
    node = pb_node([(leaf, CHUNK_SIZE), (leaf, 1)], data)
    assert len(node) == 104
    assert node[:2] == b"\x12\x2c"  # field 2 (Links) first, 44 bytes
    assert node[2:4] == b"\x0a\x24"  # PBLink.Hash, 36 bytes of CID
    assert node[40:42] == b"\x12\x00"  # PBLink.Name, empty but present
    assert node[-14:] == b"\x0a\x0c\x08\x02\x18" + varint(CHUNK_SIZE + 1) + b"\x20" + varint(
        CHUNK_SIZE
    ) + b"\x20\x01"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello",
        "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6a",  # truncated
        "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6ax",  # last char changed
        "Qm" + "1" * 44,
        "bafkrei!cysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am",
        "x" * 5000,
    ],
    ids=["empty", "blank", "word", "truncated", "typo", "bad-v0", "bad-char", "huge"],
)
def test_parse_cid_refuses_malformed_text_readably(text: str) -> None:
    with pytest.raises(InvalidCID) as caught:
        parse_cid(text)
    message = str(caught.value)
    assert message.startswith("not a CID")
    assert "\n" not in message
    assert len(message) < 200
    assert exit_code_of(caught.value) == 3


def test_parse_cid_refuses_hashes_and_codecs_it_cannot_verify() -> None:
    from multiformats import CID, multihash

    sha512 = CID("base32", 1, "raw", multihash.digest(b"x", "sha2-512"))
    with pytest.raises(InvalidCID, match="sha2-256"):
        parse_cid(str(sha512))
    dag_cbor = CID("base32", 1, "dag-cbor", multihash.digest(b"x", "sha2-256"))
    with pytest.raises(InvalidCID, match="codec dag-cbor"):
        parse_cid(str(dag_cbor))


def test_cidv0_is_accepted_and_canonicalised_to_v1() -> None:
    v0 = "QmWATWQ7fVPP2EFGu71UkfnqhYXDYH566qy47CnJDgvs8u"
    assert canonical_cid(v0).startswith("bafybei")
    assert same_cid(v0, canonical_cid(v0))


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("model.bin", "'.' cannot appear in a CID"),  # the file `client decrypt` wrote
        ("0x6beE27c798aF6a4A4135caf8AE8F8BC709E78342", "that is an address"),  # an auction
        ("bafybeibhvzxb3fjvxyntr72lhsdmrbu3fq6xpw3wow7ijsvbhbmfdeuyjn", "copy it again"),
        ("Qm111", "a CIDv0 is 46 characters"),
    ],
    ids=["file-name", "address", "last-char-typo", "short-v0"],
)
def test_parse_cid_says_what_a_newcomer_copied_wrong(text: str, said: str) -> None:
    with pytest.raises(InvalidCID) as caught:
        parse_cid(text)
    message = str(caught.value)
    assert message.startswith(f"not a CID: {text!r} (") and said in message
    assert "StringAlphabet" not in message and len(message) < 200
