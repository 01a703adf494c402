"""The learning phase as each party's own step, for parties in separate processes.

`saiaas demo` runs the learning phase in one process (`market.hospital._learning`); here each
party does its part with nothing but the chain, the content store and its own local keys:

1. the client makes an X25519 key pair (`generate_client_key`, kept encrypted in the data folder
   like the account keystores) and publishes its public half with the request
   (`publish_client_key`: a saiaas:clientPublicKey triple in the requirement file it stores);
2. an infrastructure provider makes a key pair per auction when it bids (`new_transfer_key`,
   called by `market.provider.bid`): its public half goes into the stored asset description
   (saiaas:transferPublicKey), its private half stays here, encrypted;
3. the data and algorithm winners seal their content to that key (`send`), after checking that
   they won and that the content is the saiaas:contentCID their winning description committed;
4. the infrastructure winner (`train`) fetches, unseals and checks both against the committed
   CIDs, confirms the inputs on chain when the terms name an arbitrator, trains in the isolated
   worker, seals the model to the client's published key, signs the report (auction and chain id
   included) and delivers the manifest's CID on chain;
5. the client (`evaluate`, `decrypt_model`, `delivery_findings`) checks the manifest against the
   SLA (signer, auction, chain), decrypts with its key, evaluates on its own held-out images and
   records the verdict that `auction acknowledge` looks for.

Every refusal happens before anything is stored for another party or sent on chain.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from saiaas.market.accounts import AccountError
from saiaas.market.config import data_dir
from saiaas.ontologies.descriptions import TRANSFER_PUBLIC_KEY
from saiaas.ontologies.errors import InputError, InvalidError, UsageError

if TYPE_CHECKING:
    from saiaas.contracts import SLA, Auction, TxResult
    from saiaas.learning import KeyPair, VerifiedAttestation
    from saiaas.market.marketplace import Marketplace
    from saiaas.storage import Store

__all__ = [
    "CLIENT_PUBLIC_KEY",
    "TRANSFER_PUBLIC_KEY",
    "LearningRefused",
    "KeyFileError",
    "generate_client_key",
    "client_key_file",
    "client_public_key",
    "key_from_file_or_name",
    "load_client_key",
    "publish_client_key",
    "published_client_key",
    "new_transfer_key",
    "send",
    "train",
    "check_manifest",
    "evaluate",
    "decrypt_model",
    "recorded_evaluation",
    "delivery_findings",
]

CLIENT_PUBLIC_KEY = "https://w3id.org/saiaas#clientPublicKey"
KEY_KIND = "saiaas-x25519-key"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_CATEGORIES = ("data", "algorithm", "infrastructure")


class LearningRefused(InvalidError):
    """A party's learning step is refused (wrong account, wrong content, a delivery that does not
    check out, ...): nothing is stored for anyone else and nothing is sent."""


class KeyFileError(InputError):
    """An X25519 key file is missing, damaged, or does not open with the password."""


# ------------------------------------------------------------------------------ key files


def _encrypt(private: bytes, password: str | None) -> dict[str, Any]:
    """The private key under a password (argon2id + XSalsa20-Poly1305), or in clear when the
    party has no password at all (a node-held account: its data folder is its only secret)."""
    if password is None:
        return {"kdf": "none", "private_key": private.hex()}
    from nacl import pwhash, secret, utils

    salt = utils.random(pwhash.argon2id.SALTBYTES)
    ops, mem = pwhash.argon2id.OPSLIMIT_INTERACTIVE, pwhash.argon2id.MEMLIMIT_INTERACTIVE
    key = pwhash.argon2id.kdf(secret.SecretBox.KEY_SIZE, password.encode("utf-8"), salt,
                              opslimit=ops, memlimit=mem)
    box = secret.SecretBox(key).encrypt(private)
    return {"kdf": "argon2id", "opslimit": ops, "memlimit": mem, "salt": salt.hex(),
            "ciphertext": bytes(box).hex()}


def _decrypt(entry: dict[str, Any], password: Any, what: str, path: Path) -> bytes:
    if entry.get("kdf") == "none":
        return bytes.fromhex(str(entry["private_key"]))
    from nacl import pwhash, secret
    from nacl.exceptions import CryptoError

    try:
        key = pwhash.argon2id.kdf(
            secret.SecretBox.KEY_SIZE, password(what).encode("utf-8"),
            bytes.fromhex(entry["salt"]), opslimit=int(entry["opslimit"]),
            memlimit=int(entry["memlimit"]))
        return bytes(secret.SecretBox(key).decrypt(bytes.fromhex(entry["ciphertext"])))
    except CryptoError:
        raise AccountError(f"wrong password for {what} ({path})") from None
    except (KeyError, ValueError, TypeError) as error:
        raise KeyFileError(f"{path}: not a saiaas key file ({error})") from None


def _write_key(path: Path, keys: KeyPair, password: str | None, **extra: Any) -> None:
    """Write a key file (mode 0600, never replacing one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"kind": KEY_KIND, "version": 1, "public_key": keys.public_hex, **extra,
             "created_at": int(time.time()), **_encrypt(keys.private_key, password)}
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError(f"{path} exists already; a key is never overwritten") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, indent=2) + "\n")


def _read_key(path: Path) -> dict[str, Any]:
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyFileError(f"no key file {path}") from None
    except (OSError, ValueError) as error:
        raise KeyFileError(f"{path}: not a saiaas key file ({error})") from None
    if not isinstance(entry, dict) or entry.get("kind") != KEY_KIND \
            or not isinstance(entry.get("public_key"), str):
        raise KeyFileError(f"{path}: not a saiaas key file (kind {KEY_KIND!r} expected)")
    return entry


def _open_key(path: Path, password: Any, what: str) -> KeyPair:
    from saiaas.learning import KeyPair

    entry = _read_key(path)
    keys = KeyPair.from_private(_decrypt(entry, password, what, path))
    if keys.public_hex != entry["public_key"].lower():
        raise KeyFileError(f"{path}: its private key does not give the public key it names")
    return keys


def client_keys_dir() -> Path:
    return data_dir() / "client-keys"


def client_key_file(name: str) -> Path:
    if not _NAME.match(name):
        raise UsageError(f"key name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
    return client_keys_dir() / f"{name}.json"


def generate_client_key(market_password: Any, name: str) -> tuple[Path, str]:
    """Make the client's X25519 key pair and keep it encrypted under `name` (refused if the name
    is taken); returns the file and the public key (hex). `market_password(what)` gives the
    password (it must: the client key is never kept in clear)."""
    from saiaas.learning import KeyPair

    path = client_key_file(name)
    if path.exists():
        raise UsageError(f"a client key named {name!r} exists already ({path}); choose another "
                         "--name")
    password = market_password(f"client key {name!r}")
    keys = KeyPair.generate()
    _write_key(path, keys, password, name=name, role="client")
    return path, keys.public_hex


def key_from_file_or_name(market_password: Any, text: str) -> Any:
    """A client KeyPair from a path (a hex key file, as `saiaas demo` writes, or a saiaas key
    file) or from the name of a key `generate-key` made."""
    from saiaas.learning import KeyPair

    path = Path(text)
    if path.is_file():
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return KeyPair.load(path)  # a hex key file
        if isinstance(entry, dict) and entry.get("kind") == KEY_KIND:
            return _open_key(path, market_password, f"key file {path}")
        return KeyPair.load(path)
    if _NAME.match(text) and client_key_file(text).exists():
        return _open_key(client_key_file(text), market_password, f"client key {text!r}")
    raise KeyFileError(f"{text} is neither a key file nor the name of a client key in "
                       f"{client_keys_dir()} (see `saiaas client generate-key`)")


def client_public_key(name: str) -> str:
    """The public half of a client key (no password needed)."""
    return str(_read_key(client_key_file(name))["public_key"]).lower()


def _client_key_named_for(public_hex: str) -> str | None:
    """The name of the local client key whose public half is `public_hex`."""
    folder = client_keys_dir()
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            if str(_read_key(path)["public_key"]).lower() == public_hex.lower():
                return path.stem
        except KeyFileError:
            continue
    return None


def load_client_key(market: Marketplace, auction: Auction, name: str | None) -> tuple[str, Any]:
    """(name, KeyPair) of the client key for this auction: `name`, or by default the local key
    whose public half the auction's request publishes; refused when it is not the published one."""
    published = published_client_key(market, auction)
    if published is None:
        raise LearningRefused(
            f"auction {auction.address}: its request publishes no saiaas:clientPublicKey "
            "(create the auction with --client-key NAME)")
    if name is None:
        name = _client_key_named_for(published)
        if name is None:
            raise KeyFileError(
                f"no client key in {client_keys_dir()} has the public key {published[:16]}... "
                f"that auction {auction.address} publishes; pass --key NAME")
    public = client_public_key(name)
    if public != published:
        raise LearningRefused(
            f"client key {name!r} ({public[:16]}...) is not the key auction {auction.address} "
            f"publishes ({published[:16]}...): the model is sealed to that one")
    return name, _open_key(client_key_file(name), market.password, f"client key {name!r}")


def publish_client_key(data: bytes, where: str, public_hex: str) -> bytes:
    """The requirement file with the client's public key stated on its request
    (saiaas:clientPublicKey), appended as one triple so the person's file keeps its lines; a
    file that already states another key is refused."""
    from saiaas.market.requirements import parse_request_bytes
    from saiaas.ontologies.errors import SaiaasError

    try:
        request = parse_request_bytes(data, where)
    except SaiaasError:
        return data  # not a request: `auction create` validates it and says why
    stated = _request_values(data, CLIENT_PUBLIC_KEY)
    if stated and stated != [public_hex]:
        raise UsageError(f"{where} already states saiaas:clientPublicKey {stated[0][:16]}...; "
                         "remove it or leave out --client-key")
    if stated:
        return data
    line = f'\n<{request.iri}> <{CLIENT_PUBLIC_KEY}> "{public_hex}" .\n'
    return data.rstrip(b"\n") + b"\n" + line.encode("ascii")


def _request_values(data: bytes, predicate: str) -> list[str]:
    from rdflib import Graph, URIRef

    graph = Graph()
    try:
        graph.parse(data=data, format="turtle")
    except Exception:  # noqa: BLE001 - rdflib raises several parser types
        return []
    return sorted({str(o).lower() for o in graph.objects(None, URIRef(predicate))})


def published_client_key(market: Marketplace, auction: Auction) -> str | None:
    """The client's public key as the auction's stored request publishes it (fetched by CID)."""
    data = market.store.get(auction.info().requirements_cid)
    values = _request_values(data, CLIENT_PUBLIC_KEY)
    if len(values) > 1:
        raise LearningRefused(f"auction {auction.address}: its request publishes "
                              f"{len(values)} client keys; which one the model goes to is unclear")
    return values[0] if values else None


def transfer_keys_dir(auction: str) -> Path:
    return data_dir() / "transfer-keys" / auction.lower()


def new_transfer_key(market: Marketplace, auction: str) -> tuple[Any, str | None]:
    """An infrastructure provider's key pair for one auction, kept in the data folder before its
    public half is bid (encrypted with the party's password; in clear, with a warning returned,
    when the party has none: a node-held account without a password file)."""
    from saiaas.learning import KeyPair

    keys = KeyPair.generate()
    account = market.caller
    try:
        password: str | None = market.password(f"the transfer key for {auction}")
        warning = None
    except AccountError:
        password = None
        warning = ("the auction's transfer key is kept unencrypted (no password: pass "
                   "--password-file or set SAIAAS_PASSWORD to encrypt it)")
    path = transfer_keys_dir(auction) / f"{account.lower()}-{keys.public_hex[:16]}.json"
    _write_key(path, keys, password, role="transfer", auction=auction, account=account)
    return keys, warning


def _transfer_key(market: Marketplace, auction: str, public_hex: str) -> Any:
    folder = transfer_keys_dir(auction)
    account = market.caller.lower()
    for path in sorted(folder.glob(f"{account}-*.json")) if folder.is_dir() else []:
        entry = _read_key(path)
        if str(entry["public_key"]).lower() == public_hex.lower():
            return _open_key(path, market.password, f"the transfer key for {auction}")
    raise KeyFileError(
        f"no transfer key {public_hex[:16]}... for auction {auction} in {folder}: the winning "
        "bid was placed from another data folder (the key stays where `provider bid` ran)")


# ------------------------------------------------------------------------------ the SLA


def _sla(auction: Auction) -> SLA:
    sla = auction.sla()
    if sla is None:
        raise LearningRefused(f"auction {auction.address} has no SLA (state "
                              f"{auction.state().name}): no winners yet")
    return sla


def _description_values(store: Store, cid: str, predicate: str) -> list[str]:
    from rdflib import Graph, URIRef

    data = store.get(cid)
    graph = Graph()
    try:
        graph.parse(data=data, format="nt")
    except Exception as error:  # noqa: BLE001 - rdflib raises several parser types
        raise LearningRefused(f"the asset description {cid} is not N-Triples ({error})") from None
    return sorted({str(o) for o in graph.objects(None, URIRef(predicate))})


def _infrastructure_key(market: Marketplace, sla: SLA, auction: str) -> str:
    from saiaas.contracts import Category
    from saiaas.learning import public_key_from_hex

    winner = sla.winners[Category.INFRASTRUCTURE]
    values = _description_values(market.store, winner.asset_cid, TRANSFER_PUBLIC_KEY)
    if len(values) != 1:
        raise LearningRefused(
            f"auction {auction}: the infrastructure winner's description {winner.asset_cid} "
            f"states {len(values)} saiaas:transferPublicKey (one expected); nothing to seal to")
    return public_key_from_hex(values[0]).hex()


def _won(sla: SLA, account: str) -> list[int]:
    return [i for i in range(3) if sla.winners[i].bidder.lower() == account.lower()]  # type: ignore[index]


# ------------------------------------------------------------------------------ send


def send(market: Marketplace, auction: Auction, content: bytes, where: str) -> dict[str, Any]:
    """A data or algorithm winner seals its content to the infrastructure winner's transfer key
    and stores it; refused unless the acting account won data or algorithm and the content is
    the saiaas:contentCID its winning description committed."""
    from saiaas.learning import committed_content_cid, send_to_infrastructure
    from saiaas.storage import cid_of, same_cid

    sla = _sla(auction)
    account = market.caller
    won = [i for i in _won(sla, account) if i < 2]
    if not won:
        raise LearningRefused(
            f"{account} did not win the data or algorithm category of {auction.address} "
            "(see `saiaas auction status`); nothing stored")
    content_cid = cid_of(content)
    committed = {i: committed_content_cid(market.store, sla.winners[i].asset_cid,  # type: ignore[index]
                                          f"{_CATEGORIES[i]} asset") for i in won}
    matching = [i for i in won if same_cid(committed[i], content_cid)]
    if not matching:
        i = won[0]
        raise LearningRefused(
            f"{where} has CID {content_cid}, not the saiaas:contentCID {committed[i]} that your "
            f"winning {_CATEGORIES[i]} description committed; nothing stored")
    index = matching[0]
    key = _infrastructure_key(market, sla, auction.address)
    sealed = send_to_infrastructure(market.store, f"{_CATEGORIES[index]} asset", content, key)
    flag = "--data" if index == 0 else "--algorithm"
    return {"auction": auction.address, "account": account, "category": _CATEGORIES[index],
            "content_cid": content_cid, "sealed_cid": sealed, "bytes": len(content),
            "transfer_public_key": key,
            "infrastructure_winner": sla.winners[2].bidder,  # type: ignore[index]
            "next": f"the infrastructure winner runs `saiaas provider train {auction.address} "
                    f"{flag} {sealed} ...`"}


# ------------------------------------------------------------------------------ train


class _NodeAttestation:
    """Software attestation signed by the node that holds the account (eth_sign, EIP-191): for
    an account the node holds (anvil's dev accounts), whose key this process never sees."""

    mode = "software"

    def __init__(self, w3: Any, address: str) -> None:
        self.w3, self.address = w3, address

    def sign(self, report: dict[str, Any], private_key: Any) -> Any:
        from saiaas.learning.attestation import (
            DOES_NOT_PROVE,
            PROVES,
            SignedReport,
            canonical_json,
        )

        body = {**report, "mode": self.mode, "signer": self.address,
                "proves": PROVES, "does_not_prove": DOES_NOT_PROVE}
        signature = self.w3.eth.sign(self.address, text=canonical_json(body))
        return SignedReport(body, "0x" + bytes(signature).hex(), self.mode)


def _signer(market: Marketplace) -> tuple[Any, Any]:
    """(private key or None, attestation) the acting account signs its report with."""
    from saiaas.learning import SoftwareAttestation

    sender = market.sender
    if not isinstance(sender, str):
        return bytes(sender.key), SoftwareAttestation()
    if market.settings.embedded_chain:
        from saiaas.market.hospital import dev_key

        return dev_key(market.chain, sender), SoftwareAttestation()
    return None, _NodeAttestation(market.chain.w3, sender)


@dataclass(frozen=True)
class Trained:
    result: dict[str, Any]
    deliver_tx: TxResult
    confirm_tx: TxResult | None


def train(
    market: Marketplace,
    auction: Auction,
    data_sealed_cid: str,
    algorithm_sealed_cid: str,
    limits: Any = None,
) -> Trained:
    """The infrastructure winner's step: unseal and check both inputs against the committed
    content CIDs, confirm them on chain when the terms name an arbitrator, train in the isolated
    worker, seal the model to the client's published key, sign, store and deliver the manifest."""
    from saiaas.contracts import AuctionState
    from saiaas.learning import (
        ALGORITHM_FILE,
        committed_content_cid,
        deliver_model,
        receive_asset,
        train_isolated,
    )
    from saiaas.market import provider as provider_flow

    sla = _sla(auction)
    account = market.caller
    if 2 not in _won(sla, account):
        raise LearningRefused(
            f"{account} is not the infrastructure winner of {auction.address} "
            f"({sla.winners[2].bidder} is); nothing trained or sent")  # type: ignore[index]
    state = auction.state()
    if state is not AuctionState.ADJUDICATED:
        raise LearningRefused(f"auction {auction.address} is {state.name}, not ADJUDICATED: "
                              "nothing to deliver now; nothing trained or sent")
    client_key = published_client_key(market, auction)
    if client_key is None:
        raise LearningRefused(
            f"auction {auction.address}: its request publishes no saiaas:clientPublicKey, so "
            "no one could read the model; nothing trained or sent")
    keys = _transfer_key(market, auction.address,
                         _infrastructure_key(market, sla, auction.address))
    committed = [committed_content_cid(market.store, sla.winners[i].asset_cid,  # type: ignore[index]
                                       f"{_CATEGORIES[i]} asset") for i in (0, 1)]
    data = receive_asset(market.store.get(data_sealed_cid), keys, committed[0],
                         f"data asset {data_sealed_cid}")
    code = receive_asset(market.store.get(algorithm_sealed_cid), keys, committed[1],
                         f"algorithm asset {algorithm_sealed_cid}")
    private_key, attestation = _signer(market)
    confirm_tx = None
    if auction.arbitrator() is not None and auction.confirmation().confirmed_at is None:
        from saiaas.market import arbitration

        _, _, confirm_tx = arbitration.confirm_inputs(market, auction, data_sealed_cid,
                                                      algorithm_sealed_cid)
    training = train_isolated(code, data, None, code_name=ALGORITHM_FILE, limits=limits)
    chain_id = int(market.chain.w3.eth.chain_id)
    delivery = deliver_model(
        market.store, training, code=code, code_name=ALGORITHM_FILE, data_cid=committed[0],
        algorithm_cid=committed[1], client_public_key=client_key, signer_key=private_key,
        auction=auction.address, attestation=attestation, chain_id=chain_id)  # type: ignore[arg-type]
    manifest = bytes(market.store.get(delivery.manifest_cid))
    check_manifest(market, auction, manifest, account)
    manifest_cid, tx = provider_flow.deliver(market, auction, manifest)
    result = {
        "auction": auction.address, "account": account,
        "data_cid": committed[0], "algorithm_cid": committed[1],
        "data_sealed_cid": data_sealed_cid, "algorithm_sealed_cid": algorithm_sealed_cid,
        "model_cid": delivery.model_cid, "predictor_cid": delivery.predictor_cid,
        "manifest_cid": manifest_cid, "metrics": training.metrics,
        "training_ms": round(training.wall_seconds * 1000),
        "report_sha256": delivery.attestation.sha256,
        "client_public_key": client_key,
    }
    return Trained(result, tx, confirm_tx)


# ------------------------------------------------------------------------------ checks


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

    sla = _sla(auction)
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

    class _Named:
        address = result["auction"]

    body = report_of(_Named(), result["accuracy"],  # type: ignore[arg-type]
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


# ------------------------------------------------------------------------------ the files


def write_hospital_example(folder: Path) -> list[dict[str, Any]]:
    """The hospital case's files for five parties by hand: the client's request, held-out
    images and image to label; each provider's catalog (with the saiaas:contentCID of what it
    sells) and, for data and algorithm providers, the content itself. Existing files are never
    replaced. Returns one row per file: party, role, path, asset IRI (catalogs), CID (content)."""
    import io

    import numpy as np
    from saiaas.learning import pack_dataset
    from saiaas.market.hospital import (
        _offered_asset,
        hospital_assets,
        provider_catalog,
        provider_content,
    )
    from saiaas.market.scenario import PROVIDERS, REFUSALS, REQUEST_FILE
    from saiaas.ontologies import example_path
    from saiaas.storage import cid_of

    assets = hospital_assets()
    files: list[tuple[dict[str, Any], bytes]] = []
    request = example_path(REQUEST_FILE).read_bytes()
    files.append(({"party": "client", "role": "request", "file": REQUEST_FILE}, request))
    files.append(({"party": "client", "role": "held-out images (X, y)", "file": "held-out.npz"},
                  pack_dataset(assets.client.X, assets.client.y)))
    image = io.BytesIO()
    np.save(image, assets.client.x_new.reshape(8, 8), allow_pickle=False)
    files.append(({"party": "client", "role": "image to label", "file": "image-101.npy",
                   "label": assets.client.y_new}, image.getvalue()))
    for provider in (*PROVIDERS, *REFUSALS):
        party = provider.catalog.removesuffix(".ttl")
        eligible = provider in PROVIDERS
        content = provider_content(provider, assets) if eligible else None
        catalog = provider_catalog(provider, assets) if eligible else \
            example_path(provider.catalog).read_bytes()
        from rdflib import Graph

        graph = Graph().parse(data=catalog, format="turtle")
        files.append(({"party": party, "role": f"{provider.category} catalog",
                       "file": provider.catalog, "asset": _offered_asset(graph, party),
                       "prices_ether": list(provider.prices)}, catalog))
        if content is not None:
            suffix = ".npz" if provider.category == "data" else ".py"
            files.append(({"party": party, "role": f"{provider.category} content",
                           "file": party + suffix, "content_cid": cid_of(content)}, content))
    folder.mkdir(parents=True, exist_ok=True)
    taken = [row["file"] for row, _ in files if (folder / row["file"]).exists()]
    if taken:
        raise UsageError(f"{folder} already holds {', '.join(taken[:3])}"
                         f"{' ...' if len(taken) > 3 else ''}; choose an empty folder")
    rows = []
    for row, data in files:
        path = folder / row["file"]
        path.write_bytes(data)
        rows.append({**row, "file": str(path)})
    return rows
