"""The learning phase as commands on the embedded chain: each party's step, its refusals.

`client generate-key`, `auction create --client-key`, an infrastructure `provider bid` (its
per-auction transfer key), `provider send`, `provider train`, `provider deliver` (a manifest it
cannot verify is refused), `client evaluate`, `client decrypt`, `auction acknowledge` (checks
first, `--force`) and `example hospital`. Two marketplaces are built once per module (an
adjudicated hospital auction, and the same after the sealed transfer and the training) and
copied into each test's own data folder.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

PASSWORD = "correct horse"


def run(*args: Any) -> Any:
    from saiaas.cli.app import app

    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in result.stderr
    return result


def ok_json(*args: Any) -> Any:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr + result.stdout
    return json.loads(result.stdout)


def error_line(result: Any) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def session() -> Any:
    from saiaas.market import Marketplace, resolve

    return Marketplace.open(resolve())


class Case:
    """The files of the hospital case and who plays which part."""

    def __init__(self, files: Path, state: dict[str, Any]) -> None:
        self.files = files
        self.__dict__.update(state)

    def file(self, name: str) -> Path:
        return self.files / name

    def state(self) -> str:
        with session() as s:
            return str(s.auction(self.auction).state().name)


def _build(root: Path) -> tuple[Path, Path, Path, dict[str, Any]]:
    """The adjudicated auction (client key published, four bids, settled), then the same after
    both content winners sent and the infrastructure winner trained and delivered."""
    files = root / "files"
    assert run("example", "hospital", files).exit_code == 0
    with session() as s:
        accounts = list(s.chain.accounts[:10])
    who = {"client": accounts[9], "data": accounts[1], "algorithm": accounts[2],
           "infra": accounts[3], "loser": accounts[4]}
    ok_json("client", "generate-key", "--name", "hospital")
    auction = ok_json("auction", "create", files / "hospital-request.ttl", "--client-key",
                      "hospital", "--account", who["client"])["address"]
    for account, asset, price, catalog in (
        (who["data"], "chest-xray-60k", "0.2ether", "data-chest-imaging-lab.ttl"),
        (who["algorithm"], "densenet121-chexnet", "0.15ether", "algo-densenet-chexnet.ttl"),
        (who["infra"], "a100-sevsnp", "0.28ether", "infra-sev-gpu-hosting.ttl"),
        (who["loser"], "h100-tdx", "0.32ether", "infra-confidential-gpu-cloud.ttl"),
    ):
        ok_json("provider", "bid", auction, "--asset", asset, "--price", price, "--catalog",
                files / catalog, "--account", account)
    with session() as s:
        s.chain.advance_time(3 * 86400 + 5)
    ok_json("auction", "settle", auction, "--account", who["client"])
    adjudicated = root / "adjudicated"
    shutil.copytree(os.environ["SAIAAS_HOME"], adjudicated, ignore=shutil.ignore_patterns("*.lock"))
    sealed = {
        "data": ok_json("provider", "send", auction, "--content",
                        files / "data-chest-imaging-lab.npz", "--account", who["data"]),
        "algorithm": ok_json("provider", "send", auction, "--content",
                             files / "algo-densenet-chexnet.py", "--account", who["algorithm"]),
    }
    trained = ok_json("provider", "train", auction, "--data", sealed["data"]["sealed_cid"],
                      "--algorithm", sealed["algorithm"]["sealed_cid"], "--account", who["infra"])
    delivered = root / "delivered"
    shutil.copytree(os.environ["SAIAAS_HOME"], delivered, ignore=shutil.ignore_patterns("*.lock"))
    state = {"auction": auction, **who, "sealed": sealed, "trained": trained}
    return files, adjudicated, delivered, state


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = tmp_path_factory.mktemp("learning")
    saved = {k: os.environ.get(k) for k in ("SAIAAS_HOME", "SAIAAS_CONFIG", "SAIAAS_PASSWORD")}
    os.environ.update({"SAIAAS_HOME": str(root / "home"),
                       "SAIAAS_CONFIG": str(root / "none.toml"), "SAIAAS_PASSWORD": PASSWORD})
    try:
        built = _build(root)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    yield built


def _case(built: Any, stage: int, home: Path, monkeypatch: pytest.MonkeyPatch) -> Case:
    files, *stages, state = built
    shutil.copytree(stages[stage], home, dirs_exist_ok=True)
    monkeypatch.setenv("SAIAAS_PASSWORD", PASSWORD)
    return Case(files, state)


@pytest.fixture
def adjudicated(built: Any, home: Path, monkeypatch: pytest.MonkeyPatch) -> Case:
    return _case(built, 0, home, monkeypatch)


@pytest.fixture
def delivered(built: Any, home: Path, monkeypatch: pytest.MonkeyPatch) -> Case:
    return _case(built, 1, home, monkeypatch)


# ------------------------------------------------------------------------------ keys


def test_generate_key_keeps_the_private_half_encrypted(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from saiaas.market.learning_keys import client_key_file

    no_password = run("client", "generate-key", "--name", "mine")
    assert no_password.exit_code == 3 and "password" in error_line(no_password)
    assert not client_key_file("mine").exists()
    monkeypatch.setenv("SAIAAS_PASSWORD", PASSWORD)
    made = ok_json("client", "generate-key", "--name", "mine")
    stored = json.loads(Path(made["file"]).read_text())
    assert stored["public_key"] == made["public_key"] and len(made["public_key"]) == 64
    assert stored["kdf"] == "argon2id" and "private_key" not in stored
    assert Path(made["file"]).stat().st_mode & 0o077 == 0
    again = run("client", "generate-key", "--name", "mine")
    assert again.exit_code == 2 and "exists already" in error_line(again)
    assert json.loads(Path(made["file"]).read_text()) == stored  # never overwritten
    bad = run("client", "generate-key", "--name", "../escape")
    assert bad.exit_code == 2


def test_the_request_and_the_infrastructure_bid_publish_their_keys(adjudicated: Case) -> None:
    from rdflib import Graph, URIRef
    from saiaas.market.learning_keys import client_public_key
    from saiaas.market.learning_terms import CLIENT_PUBLIC_KEY
    from saiaas.ontologies.descriptions import TRANSFER_PUBLIC_KEY

    with session() as s:
        handle = s.auction(adjudicated.auction)
        request = Graph().parse(data=s.store.get(handle.info().requirements_cid), format="turtle")
        infra = Graph().parse(data=s.store.get(handle.sla().winners[2].asset_cid), format="nt")
        data = Graph().parse(data=s.store.get(handle.sla().winners[0].asset_cid), format="nt")
    assert [str(o) for o in request.objects(None, URIRef(CLIENT_PUBLIC_KEY))] == [
        client_public_key("hospital")]
    (key,) = [str(o) for o in infra.objects(None, URIRef(TRANSFER_PUBLIC_KEY))]
    assert len(key) == 64
    assert not list(data.objects(None, URIRef(TRANSFER_PUBLIC_KEY)))  # infrastructure only
    from saiaas.market.config import data_dir

    (kept_key,) = (data_dir() / "transfer-keys" / adjudicated.auction.lower()).glob(
        f"{adjudicated.infra.lower()}-*.json")
    assert json.loads(kept_key.read_text())["kdf"] == "argon2id"


def test_create_refuses_an_unknown_client_key(home: Path) -> None:
    from saiaas.ontologies import example_path

    result = run("auction", "create", example_path("hospital-request.ttl"), "--client-key",
                 "nobody")
    assert result.exit_code == 3 and "no key file" in error_line(result)


def test_a_winner_withdrawing_before_the_acknowledgment_is_told_what_pays_it(
    adjudicated: Case,
) -> None:
    early = run("provider", "withdraw", adjudicated.auction, "--account", adjudicated.data)
    assert early.exit_code == 4
    line = error_line(early)
    assert "owes nothing" in line and "(state ADJUDICATED) (winners are paid once" in line
    assert line.endswith("; nothing sent")


def test_create_without_a_client_key_says_train_will_refuse(adjudicated: Case) -> None:
    # forgetting --client-key was found out only at `provider train`, bonds already locked
    bare = run("auction", "create", adjudicated.file("hospital-request.ttl"), "--account",
               adjudicated.client)
    assert bare.exit_code == 0 and bare.stdout.strip().startswith("0x")
    assert "note: no --client-key" in bare.stderr and "provider train` will refuse" in bare.stderr
    ok_json("client", "generate-key", "--name", "second")
    keyed = run("auction", "create", adjudicated.file("hospital-request.ttl"), "--client-key",
                "second", "--account", adjudicated.client)
    assert keyed.exit_code == 0 and "note:" not in keyed.stderr
    # a winner's step while bidding is still open says who acts next, and stores nothing
    early = run("provider", "send", keyed.stdout.strip(), "--content",
                adjudicated.file("data-chest-imaging-lab.npz"), "--account", adjudicated.data)
    assert early.exit_code == 1
    line = error_line(early)
    assert "(state BIDDING): no winners yet: the client settles it once bidding ends" in line


# ------------------------------------------------------------------------------ send


def test_send_seals_the_committed_content_to_the_transfer_key(adjudicated: Case) -> None:
    from saiaas.storage import cid_of

    content = adjudicated.file("data-chest-imaging-lab.npz").read_bytes()
    sent = ok_json("provider", "send", adjudicated.auction, "--content",
                   adjudicated.file("data-chest-imaging-lab.npz"), "--account", adjudicated.data)
    assert sent["account"] == adjudicated.data and sent["category"] == "data"
    assert sent["content_cid"] == cid_of(content)
    with session() as s:
        sealed = s.store.get(sent["sealed_cid"])
    assert content not in sealed and len(sealed) == len(content) + 48  # a sealed box


def test_send_refuses_a_non_winner_and_a_file_that_is_not_the_committed_one(
    adjudicated: Case,
) -> None:
    npz = adjudicated.file("data-chest-imaging-lab.npz")
    for account in (adjudicated.loser, adjudicated.infra, adjudicated.client):
        refused = run("provider", "send", adjudicated.auction, "--content", npz, "--account",
                      account)
        assert refused.exit_code == 1 and "did not win the data or algorithm" in error_line(refused)
    other = adjudicated.file("data-radiology-archive.npz")  # the losing data provider's file
    wrong = run("provider", "send", adjudicated.auction, "--content", other, "--account",
                adjudicated.data, "--json")
    assert wrong.exit_code == 1
    message = json.loads(wrong.stdout)["error"]["message"]
    from saiaas.storage import cid_of

    assert cid_of(other.read_bytes()) in message and cid_of(npz.read_bytes()) in message
    missing = run("provider", "send", adjudicated.auction, "--content", "nope.npz", "--account",
                  adjudicated.data)
    assert missing.exit_code == 3


def test_acknowledge_before_the_delivery_says_what_is_missing_and_sends_nothing(
    adjudicated: Case,
) -> None:
    early = run("auction", "acknowledge", adjudicated.auction, "--account", adjudicated.client)
    assert early.exit_code == 4
    line = error_line(early)
    assert "is ADJUDICATED: no model has been delivered" in line
    assert "saiaas provider train" in line and line.endswith("nothing sent")
    assert adjudicated.state() == "ADJUDICATED"
    other = run("auction", "acknowledge", adjudicated.auction, "--account", adjudicated.data)
    assert other.exit_code == 4 and "NotClient" in error_line(other)  # the contract's refusal


# ------------------------------------------------------------------------------ train


def test_train_refuses_other_accounts_and_inputs_that_are_not_the_committed_ones(
    adjudicated: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = ok_json("provider", "send", adjudicated.auction, "--content",
                   adjudicated.file("data-chest-imaging-lab.npz"),
                   "--account", adjudicated.data)["sealed_cid"]
    algorithm = ok_json("provider", "send", adjudicated.auction, "--content",
                        adjudicated.file("algo-densenet-chexnet.py"),
                        "--account", adjudicated.algorithm)["sealed_cid"]
    stranger = run("provider", "train", adjudicated.auction, "--data", data, "--algorithm",
                   algorithm, "--account", adjudicated.loser)
    assert stranger.exit_code == 1 and "not the infrastructure winner" in error_line(stranger)
    swapped = run("provider", "train", adjudicated.auction, "--data", algorithm, "--algorithm",
                  data, "--account", adjudicated.infra)
    assert swapped.exit_code == 1 and "committed in the bid" in error_line(swapped)
    from saiaas.storage import cid_of

    plain = cid_of(adjudicated.file("data-chest-imaging-lab.npz").read_bytes())
    copied_wrong = run("provider", "train", adjudicated.auction, "--data", plain, "--algorithm",
                       algorithm, "--account", adjudicated.infra)  # the send line names both
    assert copied_wrong.exit_code == 1
    assert f"--data {plain} is the data winner's plain content CID" in error_line(copied_wrong)
    monkeypatch.setenv("SAIAAS_PASSWORD", "wrong")
    wrong_password = run("provider", "train", adjudicated.auction, "--data", data,
                         "--algorithm", algorithm, "--account", adjudicated.infra)
    assert wrong_password.exit_code == 3 and "wrong password" in error_line(wrong_password)
    assert adjudicated.state() == "ADJUDICATED"  # nothing was delivered


def test_train_delivered_a_manifest_signed_for_this_auction_and_chain(delivered: Case) -> None:
    from saiaas.learning.attestation import SignedReport

    trained = delivered.trained
    assert trained["account"] == delivered.infra and trained["tx_hash"].startswith("0x")
    assert trained["metrics"]["training_samples"] == 1500
    with session() as s:
        handle = s.auction(delivered.auction)
        sla = handle.sla()
        manifest = json.loads(s.store.get(sla.model_cid))
        chain_id = s.chain.w3.eth.chain_id
    assert sla.model_cid == trained["manifest_cid"] and delivered.state() == "DELIVERED"
    report = SignedReport.from_json(manifest["attestation"]).report
    assert report["auction"] == delivered.auction and report["chain_id"] == chain_id
    assert report["signer"] == delivered.infra
    assert report["inputs"]["data"] == trained["data_cid"]


# ------------------------------------------------------------------------------ deliver


def _manifest(case: Case, path: Path, *, signer: str | None = None, auction: str | None = None,
              chain_id: int | None = None, drop_model: bool = False) -> Path:
    from saiaas.learning import KeyPair, deliver_model
    from saiaas.learning.worker import Isolation, TrainingResult
    from saiaas.market.hospital import dev_key

    with session() as s:
        training = TrainingResult(b"weights", {}, Isolation("none", "same"), "0" * 64, "0" * 64,
                                  "start", "end", 0.0)
        delivery = deliver_model(
            s.store, training, code=b"code", code_name="algo.py", data_cid="d",
            algorithm_cid="a", client_public_key=KeyPair.generate().public_key,
            signer_key=dev_key(s.chain, signer or case.infra), auction=auction or case.auction,
            chain_id=int(s.chain.w3.eth.chain_id) if chain_id is None else chain_id)
        if drop_model:
            (s.settings.store_dir / delivery.model_cid).unlink()
            assert not s.store.has(delivery.model_cid)
        path.write_bytes(s.store.get(delivery.manifest_cid))
    return path


def test_deliver_refuses_a_manifest_it_cannot_verify(adjudicated: Case, tmp_path: Path) -> None:
    text = tmp_path / "fake.bin"
    text.write_text("fake model")
    other_kind = tmp_path / "other.json"
    other_kind.write_text('{"kind": "something else"}')
    cases = {
        "not JSON": text,
        "not a saiaas delivery manifest": other_kind,
        f"not by the infrastructure winner {adjudicated.infra}":
            _manifest(adjudicated, tmp_path / "a.json", signer=adjudicated.data),
        "is for auction 0x": _manifest(adjudicated, tmp_path / "b.json",
                                       auction="0x" + "12" * 20),
        "is for chain id 1,": _manifest(adjudicated, tmp_path / "c.json", chain_id=1),
        "is not in the store": _manifest(adjudicated, tmp_path / "d.json", drop_model=True),
    }
    for expected, path in cases.items():
        refused = run("provider", "deliver", adjudicated.auction, "--model", path, "--account",
                      adjudicated.infra)
        assert refused.exit_code == 1, (expected, refused.stderr)
        assert expected.rstrip(",") in error_line(refused), expected
    assert adjudicated.state() == "ADJUDICATED"  # nothing was sent
    good = run("provider", "deliver", adjudicated.auction, "--model",
               _manifest(adjudicated, tmp_path / "ok.json"), "--account", adjudicated.infra)
    assert good.exit_code == 0, good.stderr
    assert adjudicated.state() == "DELIVERED"


# ------------------------------------------------------------------------------ the client


def _mislabelled(case: Case, path: Path) -> Path:
    from saiaas.learning import pack_dataset, unpack_dataset

    X, y = unpack_dataset(case.file("held-out.npz").read_bytes())
    path.write_bytes(pack_dataset(X, (y + 1) % 10))
    return path


def test_evaluate_records_a_verdict_that_acknowledge_uses(delivered: Case, tmp_path: Path) -> None:
    before = run("auction", "acknowledge", delivered.auction, "--account", delivered.client)
    assert before.exit_code == 1 and "no evaluation of this delivery" in error_line(before)
    assert delivered.state() == "DELIVERED"
    report = tmp_path / "report.json"
    passed = ok_json("client", "evaluate", delivered.auction, "--held-out",
                     delivered.file("held-out.npz"), "--report", report)
    assert passed["passed"] is True and passed["accuracy"] >= 0.9
    assert passed["required_accuracy"] == 0.9 and passed["signer"] == delivered.infra
    written = json.loads(report.read_text())
    assert written["verdict"] == "accepted" and written["auction"] == passed["auction"]
    assert written["auction"].lower() == delivered.auction.lower()
    acked = ok_json("auction", "acknowledge", delivered.auction, "--account", delivered.client)
    assert acked["state"] == "COMPLETED" and acked["account"] == delivered.client
    assert [c["check"] for c in acked["checks"]] == ["manifest", "decrypts", "evaluation"]
    assert all(c["ok"] for c in acked["checks"]) and acked["forced"] is False


def test_evaluate_refuses_held_out_images_of_another_shape_and_records_nothing(
    delivered: Case, tmp_path: Path
) -> None:
    import numpy as np

    other = tmp_path / "other.npz"
    np.savez(other, X=np.zeros((5, 3)), y=np.zeros(5, dtype=np.int64))
    refused = run("client", "evaluate", delivered.auction, "--held-out", other, "--report",
                  tmp_path / "r.json")
    assert refused.exit_code == 3
    assert "X has 3 feature(s) a row, the delivered model takes 64" in error_line(refused)
    assert not (tmp_path / "r.json").exists()
    still = run("auction", "acknowledge", delivered.auction, "--account", delivered.client)
    assert still.exit_code == 1 and "no evaluation of this delivery" in error_line(still)


def test_evaluate_below_min_accuracy_exits_1_and_acknowledge_refuses_unless_forced(
    delivered: Case, tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    below = run("client", "evaluate", delivered.auction, "--held-out",
                _mislabelled(delivered, tmp_path / "bad.npz"), "--report", report, "--json")
    assert below.exit_code == 1
    verdict = json.loads(below.stdout)
    assert verdict["passed"] is False and verdict["accuracy"] < 0.9
    assert json.loads(report.read_text())["verdict"].startswith("rejected")
    refused = run("auction", "acknowledge", delivered.auction, "--account", delivered.client)
    assert refused.exit_code == 1 and "nothing sent" in error_line(refused)
    assert delivered.state() == "DELIVERED"
    forced = ok_json("auction", "acknowledge", delivered.auction, "--force", "--account",
                     delivered.client)
    assert forced["forced"] is True and delivered.state() == "COMPLETED"


def test_evaluate_and_decrypt_refuse_a_key_that_is_not_the_published_one(
    delivered: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok_json("client", "generate-key", "--name", "other")
    for command in (["evaluate", "--held-out", delivered.file("held-out.npz")],
                    ["decrypt", "--out", tmp_path / "m.bin"]):
        wrong = run("client", command[0], delivered.auction, *command[1:], "--key", "other")
        assert wrong.exit_code == 1 and "is not the key" in error_line(wrong)
    monkeypatch.setenv("SAIAAS_PASSWORD", "wrong")
    bad = run("client", "decrypt", delivered.auction, "--out", tmp_path / "m.bin")
    assert bad.exit_code == 3 and "wrong password" in error_line(bad)
    assert not (tmp_path / "m.bin").exists()
    unreadable = run("client", "evaluate", delivered.auction, "--held-out",
                     delivered.file("hospital-request.ttl"))
    assert unreadable.exit_code == 3


def test_decrypt_writes_the_attested_model(delivered: Case, tmp_path: Path) -> None:
    from saiaas.storage import cid_of

    out = tmp_path / "model.bin"
    written = ok_json("client", "decrypt", delivered.auction, "--out", out)
    with session() as s:
        manifest = json.loads(s.store.get(written["manifest_cid"]))
    attested = manifest["attestation"]["report"]["model"]["plaintext_cid"]
    assert cid_of(out.read_bytes()) == attested and written["bytes"] == out.stat().st_size


# ------------------------------------------------------------------------------ files


def test_example_hospital_writes_every_party_file_once(tmp_path: Path) -> None:
    from rdflib import Graph, URIRef
    from saiaas.learning import CONTENT_CID
    from saiaas.storage import cid_of

    rows = ok_json("example", "hospital", tmp_path / "case")["files"]
    names = {Path(r["file"]).name for r in rows}
    assert {"hospital-request.ttl", "held-out.npz", "image-101.npy",
            "data-chest-imaging-lab.npz", "algo-densenet-chexnet.py",
            "infra-sev-gpu-hosting.ttl", "infra-plain-gpu.ttl"} <= names
    for row in rows:
        if "content_cid" in row:
            assert cid_of(Path(row["file"]).read_bytes()) == row["content_cid"]
            catalog = Path(row["file"]).with_suffix(".ttl")
            graph = Graph().parse(catalog, format="turtle")
            assert [str(o) for o in graph.objects(None, URIRef(CONTENT_CID))] == [
                row["content_cid"]]
    again = run("example", "hospital", tmp_path / "case")
    assert again.exit_code == 2 and "choose an empty folder" in error_line(again)


def test_label_takes_the_client_key_by_name(delivered: Case) -> None:
    with session() as s:
        manifest = s.auction(delivered.auction).sla().model_cid
    labelled = ok_json("client", "label", manifest, delivered.file("image-101.npy"), "--key",
                       "hospital", "--auction", delivered.auction)
    assert labelled["predicted"] in range(10) and labelled["signer"] == delivered.infra
    unknown = run("client", "label", manifest, delivered.file("image-101.npy"), "--key",
                  "nobody")
    assert unknown.exit_code == 3 and "neither a key file nor the name" in error_line(unknown)


def test_train_confirms_the_inputs_when_the_terms_name_an_arbitrator(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAIAAS_PASSWORD", PASSWORD)
    files = tmp_path / "files"
    run("example", "hospital", files)
    with session() as s:
        accounts = list(s.chain.accounts[:10])
    client, data, algorithm, infra = accounts[9], accounts[1], accounts[2], accounts[3]
    committee = ok_json("arbitrator", "deploy", "--member", accounts[6], "--member",
                        accounts[7], "--threshold", "1", "--fee", "0.001ether")["arbitrator"]
    request = files / "hospital-request.ttl"
    request.write_text(request.read_text().replace(
        "    saiaas:referencesRequired 0 ;\n",
        f'    saiaas:referencesRequired 0 ;\n    saiaas:arbitrator "{committee}" ;\n'))
    ok_json("client", "generate-key", "--name", "hospital")
    auction = ok_json("auction", "create", request, "--client-key", "hospital", "--account",
                      client)["address"]
    for account, asset, catalog in (
        (data, "chest-xray-60k", "data-chest-imaging-lab.ttl"),
        (algorithm, "densenet121-chexnet", "algo-densenet-chexnet.ttl"),
        (infra, "a100-sevsnp", "infra-sev-gpu-hosting.ttl"),
    ):
        ok_json("provider", "bid", auction, "--asset", asset, "--price", "0.1ether",
                "--catalog", files / catalog, "--account", account)
    with session() as s:
        s.chain.advance_time(3 * 86400 + 5)
    ok_json("auction", "settle", auction, "--account", client)
    sealed = [ok_json("provider", "send", auction, "--content", files / name, "--account",
                      who)["sealed_cid"]
              for who, name in ((data, "data-chest-imaging-lab.npz"),
                                (algorithm, "algo-densenet-chexnet.py"))]
    trained = ok_json("provider", "train", auction, "--data", sealed[0], "--algorithm",
                      sealed[1], "--account", infra)
    assert trained["confirm_inputs"]["tx_hash"].startswith("0x")
    with session() as s:
        assert s.auction(auction).confirmation().confirmed_at is not None
