"""The handover: the content goes sealed to the trainer, the trained model sealed to the client.

Two steps, each run by its own party in its own process once the auction is adjudicated:
`send` (a data or algorithm winner seals its content to the infrastructure winner's transfer
key, after checking it is the saiaas:contentCID its winning description committed) and `train`
(the infrastructure winner unseals and checks both, confirms them on chain when the terms name
an arbitrator, trains in the isolated worker, seals the model to the client's published key,
signs the report and delivers the manifest). Each refuses before anything is stored for another
party or sent on chain, so a wrong account or wrong content costs nobody anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from saiaas.market.delivery_checks import check_manifest
from saiaas.market.learning_keys import open_transfer_key
from saiaas.market.learning_terms import (
    LearningRefused,
    categories_won,
    infrastructure_transfer_key,
    required_client_key,
    winning_sla,
)
from saiaas.market.views import CATEGORY_NAMES

if TYPE_CHECKING:
    from saiaas.contracts import Auction, TxResult
    from saiaas.market.marketplace import Marketplace

__all__ = ["send", "train", "Trained"]


# ------------------------------------------------------------------------------ send


def send(market: Marketplace, auction: Auction, content: bytes, where: str) -> dict[str, Any]:
    """A data or algorithm winner seals its content to the infrastructure winner's transfer key
    and stores it; refused unless the acting account won data or algorithm and the content is
    the saiaas:contentCID its winning description committed."""
    from saiaas.learning import committed_content_cid, send_to_infrastructure
    from saiaas.storage import cid_of, same_cid

    sla = winning_sla(auction)
    account = market.caller
    won = [i for i in categories_won(sla, account) if i < 2]
    if not won:
        raise LearningRefused(
            f"{account} did not win the data or algorithm category of {auction.address} "
            "(see `saiaas auction status`); nothing stored")
    content_cid = cid_of(content)
    committed = {i: committed_content_cid(market.store, sla.winners[i].asset_cid,  # type: ignore[index]
                                          f"{CATEGORY_NAMES[i]} asset") for i in won}
    matching = [i for i in won if same_cid(committed[i], content_cid)]
    if not matching:
        i = won[0]
        raise LearningRefused(
            f"{where} has CID {content_cid}, not the saiaas:contentCID {committed[i]} that your "
            f"winning {CATEGORY_NAMES[i]} description committed; nothing stored")
    index = matching[0]
    key = infrastructure_transfer_key(market, sla, auction.address)
    sealed = send_to_infrastructure(market.store, f"{CATEGORY_NAMES[index]} asset", content, key)
    flag = "--data" if index == 0 else "--algorithm"
    return {"auction": auction.address, "account": account, "category": CATEGORY_NAMES[index],
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
    """What `train` did: its result (JSON-ready), the delivery and, when the terms name an
    arbitrator, the confirmation of the inputs it sent first."""

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

    sla = winning_sla(auction)
    account = market.caller
    if 2 not in categories_won(sla, account):
        raise LearningRefused(
            f"{account} is not the infrastructure winner of {auction.address} "
            f"({sla.winners[2].bidder} is); nothing trained or sent")  # type: ignore[index]
    state = auction.state()
    if state is not AuctionState.ADJUDICATED:
        raise LearningRefused(f"auction {auction.address} is {state.name}, not ADJUDICATED: "
                              "nothing to deliver now; nothing trained or sent")
    client_key = required_client_key(
        market, auction, ", so no one could read the model; nothing trained or sent")
    keys = open_transfer_key(market, auction.address,
                             infrastructure_transfer_key(market, sla, auction.address))
    committed = [committed_content_cid(market.store, sla.winners[i].asset_cid,  # type: ignore[index]
                                       f"{CATEGORY_NAMES[i]} asset") for i in (0, 1)]
    from saiaas.storage import same_cid

    for i, given in enumerate((data_sealed_cid, algorithm_sealed_cid)):
        if same_cid(given, committed[i]):  # the send line names both: the wrong one was copied
            raise LearningRefused(
                f"--{CATEGORY_NAMES[i]} {given} is the {CATEGORY_NAMES[i]} winner's plain content "
                "CID (the one its bid committed), not the sealed one: pass the CID its `saiaas "
                "provider send` printed on standard output; nothing trained or sent")
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
