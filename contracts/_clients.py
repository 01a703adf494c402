"""Factory and Auction clients: Python calls in, typed results out, CIDs as strings both ways."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import _types as t
from ._artifacts import abi, artifact
from ._chain import Chain, Sender
from ._cid import decode_cid, encode_cid
from ._errors import ChainError, ContractError
from ._events import decode_logs

_ZERO = "0x" + "00" * 20
#: Bytes of an auction clone: the EIP-1167 body (0x2d) and the immutable args (Auction.ARGS_LENGTH);
#: a clone whose terms have restitution terms (arbitrator, minimum reference value, required record)
#: carries a 39-byte tail.
CLONE_LENGTH = 0x2D + 145
CLONE_LENGTHS = (CLONE_LENGTH, CLONE_LENGTH + 39)


def _category(category: int) -> t.Category:
    try:
        return t.Category(category)
    except ValueError:
        raise ChainError(
            f"unknown category {category!r}: use 0 data, 1 algorithm, 2 infrastructure"
        ) from None


class Factory:
    """The marketplace's Factory: the ontology CID and the auctions it creates."""

    def __init__(self, chain: Chain, address: str, deploy_receipt: t.TxResult | None = None):
        self.chain = chain
        self.address = chain.w3.to_checksum_address(address)
        self.deploy_receipt = deploy_receipt
        self._c = chain.w3.eth.contract(address=self.address, abi=abi("Factory"))

    @classmethod
    def deploy(cls, chain: Chain, sender: Sender, ontology_cid: str) -> Factory:
        """Deploy a Factory (and its Auction implementation) under `ontology_cid`."""
        digest, kind = encode_cid(ontology_cid)
        art = artifact("Factory")
        contract = chain.w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
        receipt = chain.transact(contract.constructor(digest, kind), sender)
        return cls(chain, str(receipt.contract_address), receipt)

    @classmethod
    def at(cls, chain: Chain, address: str) -> Factory:
        """A client for an existing Factory; refuses an address without the Factory's code."""
        _require_address(chain, address)
        code = bytes(chain.w3.eth.get_code(chain.w3.to_checksum_address(address)))
        expected = bytes.fromhex(artifact("Factory")["deployedBytecode"][2:])
        # The deployed code embeds the implementation address (an immutable): compare the length
        # and the code around it rather than byte for byte.
        if len(code) != len(expected) or code[:64] != expected[:64]:
            raise ChainError(f"no saiaas Factory at {address}")
        return cls(chain, address)

    # ---------------------------------------------------------------- calls

    def ontology_cid(self) -> str:
        digest, kind, _version = self.chain.call(self._c.functions.ontology())
        return decode_cid(digest, kind)

    def ontology_version(self) -> int:
        return int(self.chain.call(self._c.functions.ontology())[2])

    def ontology_at(self, version: int) -> str:
        digest, kind = self.chain.call(self._c.functions.ontologyAt(version))
        return decode_cid(digest, kind)

    def owner(self) -> str:
        return self.chain.call(self._c.functions.owner())

    def pending_owner(self) -> str | None:
        """The address offered the ownership (Ownable2Step), None when no transfer is pending."""
        pending = self.chain.call(self._c.functions.pendingOwner())
        return None if int(pending, 16) == 0 else pending

    def transfer_ownership(self, sender: Sender, new_owner: str) -> t.TxResult:
        """Step one of two: offer the ownership; it moves when `new_owner` accepts."""
        new_owner = self.chain.w3.to_checksum_address(new_owner)
        return self.chain.transact(self._c.functions.transferOwnership(new_owner), sender)

    def accept_ownership(self, sender: Sender) -> t.TxResult:
        """Step two: the offered address takes the ownership."""
        return self.chain.transact(self._c.functions.acceptOwnership(), sender)

    def limits(self) -> dict[str, int]:
        """The Factory's caps on terms (seconds and wei), to show or check before creating."""
        f = self._c.functions
        return {
            "min_window": int(self.chain.call(f.MIN_WINDOW())),
            "max_bidding": int(self.chain.call(f.MAX_BIDDING())),
            "max_delivery": int(self.chain.call(f.MAX_DELIVERY())),
            "max_acknowledgment": int(self.chain.call(f.MAX_ACKNOWLEDGMENT())),
            "max_references": int(self.chain.call(f.MAX_REFERENCES())),
            "max_price": int(self.chain.call(f.MAX_PRICE())),
        }

    def implementation(self) -> str:
        return self.chain.call(self._c.functions.implementation())

    def auction_count(self) -> int:
        return int(self.chain.call(self._c.functions.auctionCount()))

    def publish_ontology(self, sender: Sender, cid: str) -> t.TxResult:
        digest, kind = encode_cid(cid)
        return self.chain.transact(self._c.functions.publishOntology(digest, kind), sender)

    def create_auction(
        self,
        sender: Sender,
        *,
        requirements_cid: str,
        max_prices: tuple[int, int, int],
        reserve: int,
        bidding_seconds: int,
        delivery_seconds: int,
        acknowledgment_seconds: int,
        min_references: int = 0,
        bonds: tuple[int, int, int] = (0, 0, 0),
        ontology_version: int | None = None,
        arbitrator: str | None = None,
        confirmation_seconds: int = 0,
        appeal_seconds: int = 0,
        min_reference_value: int = 0,
        min_record_completed: int = 0,
        max_disputes_lost: int | None = None,
    ) -> tuple[Auction, t.TxResult]:
        """Open an auction escrowing `reserve` wei; returns its client and the receipt.

        `bonds` (wei per category, each at most its max price) is what a bidder locks with its
        first bid there; `ontology_version` pins a published vocabulary (None: the current one).
        Restitution terms (all optional): the `arbitrator` disputes go to (None: no disputes,
        the timeouts decide) with its `confirmation_seconds` and `appeal_seconds` windows; the
        least price a reference must have paid (`min_reference_value`); the record a bidder
        needs at the Factory (`min_record_completed`, `max_disputes_lost`, None: any). With none
        of them the auction costs what it cost before (Factory.createAuction).
        """
        digest, kind = encode_cid(requirements_cid)
        if len(max_prices) != 3:
            raise ChainError(f"max_prices needs one price per category (3), got {len(max_prices)}")
        if len(bonds) != 3:
            raise ChainError(f"bonds needs one bond per category (3), got {len(bonds)}")
        lost_limit = 0 if max_disputes_lost is None else int(max_disputes_lost) + 1
        restitution = (
            self.chain.w3.to_checksum_address(arbitrator) if arbitrator else _ZERO,
            int(confirmation_seconds),
            int(appeal_seconds),
            int(min_reference_value),
            int(min_record_completed),
            lost_limit,
        )
        if restitution == (_ZERO, 0, 0, 0, 0, 0):
            call = self._c.functions.createAuction(
                digest,
                kind,
                [int(p) for p in max_prices],
                [int(b) for b in bonds],
                int(bidding_seconds),
                int(delivery_seconds),
                int(acknowledgment_seconds),
                int(min_references),
                int(ontology_version or 0),
            )
        else:
            call = self._c.functions.createAuctionWithRestitution(
                digest,
                kind,
                [int(p) for p in max_prices],
                [int(b) for b in bonds],
                [int(bidding_seconds), int(delivery_seconds), int(acknowledgment_seconds)],
                int(min_references),
                int(ontology_version or 0),
                restitution,
            )
        receipt = self.chain.transact(call, sender, value=int(reserve))
        created = [e for e in receipt.events if isinstance(e, t.AuctionCreated)]
        return Auction(self.chain, created[0].auction, factory=self), receipt

    def record_of(self, provider: str, category: int) -> t.Record:
        """`provider`'s record in `category`: auctions completed, value paid, disputes lost."""
        cat = _category(category)
        completed, value, lost = self.chain.call(
            self._c.functions.recordOf(self.chain.w3.to_checksum_address(provider), int(cat))
        )
        return t.Record(int(completed), int(value), int(lost))

    def is_auction(self, address: str) -> bool:
        _require_address(self.chain, address)
        return bool(
            self.chain.call(self._c.functions.isAuction(self.chain.w3.to_checksum_address(address)))
        )

    def auctions(self, from_block: int = 0) -> list[t.AuctionCreated]:
        """Every auction this Factory created since `from_block`, oldest first."""
        events = decode_logs(self.chain.logs(self.address, from_block), self.address)
        return [e for e in events if isinstance(e, t.AuctionCreated)]

    def events(self, from_block: int = 0) -> list[Any]:
        return decode_logs(self.chain.logs(self.address, from_block), self.address)


class Auction:
    """One auction (a clone): bids, adjudication, restitution and payouts."""

    def __init__(self, chain: Chain, address: str, factory: Factory | None = None):
        self.chain = chain
        self.address = chain.w3.to_checksum_address(address)
        self._c = chain.w3.eth.contract(address=self.address, abi=abi("Auction"))
        self._factory = factory
        self._bonds: tuple[int, int, int] | None = None

    @classmethod
    def at(cls, chain: Chain, address: str) -> Auction:
        """A client for an existing auction; refuses an address no Factory vouches for."""
        _require_address(chain, address)
        address = chain.w3.to_checksum_address(address)
        code = bytes(chain.w3.eth.get_code(address))
        if len(code) not in CLONE_LENGTHS or code[:10] != bytes.fromhex("363d3d373d3d3d363d73"):
            raise ChainError(f"no saiaas auction at {address}")
        implementation = chain.w3.to_checksum_address(code[10:30])
        impl = chain.w3.eth.contract(address=implementation, abi=abi("Auction"))
        try:
            factory = Factory(chain, impl.functions.factory().call())
            ok = factory.is_auction(address)
        except Exception:
            ok = False
        if not ok:
            raise ChainError(f"no saiaas auction at {address}")
        return cls(chain, address, factory)

    @property
    def factory(self) -> Factory:
        if self._factory is None:
            self._factory = Factory(self.chain, self.chain.call(self._c.functions.factory()))
        return self._factory

    # ---------------------------------------------------------------- transactions

    def bid(
        self,
        sender: Sender,
        category: int,
        price: int,
        asset_cid: str,
        references: Sequence[str] = (),
        *,
        bond: int | None = None,
    ) -> t.TxResult:
        """Bid `price` wei for `category` with the asset described at `asset_cid`.

        The sender's first bid in a category locks the category's bond (read from the terms and
        attached here unless `bond` says otherwise); later bids send nothing. References are
        sorted here (the contract wants them ascending and distinct).
        """
        digest, kind = encode_cid(asset_cid)
        refs = sorted(
            {self.chain.w3.to_checksum_address(r) for r in references}, key=lambda a: int(a, 16)
        )
        if bond is None:  # an unknown category is the contract's to refuse (UnknownCategory)
            bond = self.bond_due(category, _address(sender)) if 0 <= int(category) < 3 else 0
        call = self._c.functions.bid(int(category), int(price), digest, kind, refs)
        return self.chain.transact(call, sender, value=int(bond))

    def bond_due(self, category: int, bidder: str) -> int:
        """Wei `bidder`'s next bid in `category` must send: the bond unless it already bid there."""
        cat = _category(category)
        price = self.chain.call(
            self._c.functions.bidOf(int(cat), self.chain.w3.to_checksum_address(bidder))
        )[0]
        return 0 if price else self.bonds()[cat]

    def bonds(self) -> tuple[int, int, int]:
        """The bond per category (wei), from the terms."""
        if self._bonds is None:
            b = self.chain.call(self._c.functions.bonds())
            self._bonds = (int(b[0]), int(b[1]), int(b[2]))
        return self._bonds

    def disqualify(self, sender: Sender, category: int, bidder: str, reason_cid: str) -> t.TxResult:
        """Disqualify `bidder`'s bid in `category`, citing `reason_cid` (the matcher's report).

        When it is the best bid, the lowest other valid bid (read from the events) is nominated to
        take its place. Whatever other bidders send meanwhile, the disqualification lands; should
        the nominee have changed its bid, the category is left without a best and any lower
        standing bid can be `promote`d (bidding then lasts at least NOTICE more).
        """
        digest, kind = encode_cid(reason_cid)
        cat = int(category)
        bidder = self.chain.w3.to_checksum_address(bidder)
        nominee, next_asset = _ZERO, b"\x00" * 32
        best = self.chain.call(self._c.functions.bestBid(cat)) if 0 <= cat < 3 else None
        if best is not None and best[0] == bidder:
            fallback = self._lowest_valid(t.Category(cat), exclude=bidder)
            if fallback is not None:
                nominee, next_asset = fallback.bidder, encode_cid(fallback.asset_cid)[0]
        call = self._c.functions.disqualify(cat, bidder, digest, kind, nominee, next_asset)
        return self.chain.transact(call, sender)

    def promote(self, sender: Sender, category: int, bidder: str | None = None) -> t.TxResult:
        """Make a standing bid lower than the best the best (default: the lowest valid one)."""
        cat = _category(category)
        if bidder is None:
            chosen = self._lowest_valid(cat)
            if chosen is None:
                raise ChainError(f"no valid bid to promote in category {cat.name.lower()}")
        else:
            chosen = self.bid_of(cat, bidder)
            if chosen is None:
                raise ContractError("NoSuchBid", (int(cat), bidder), ("category", "bidder"))
        asset = encode_cid(chosen.asset_cid)[0]
        call = self._c.functions.promote(int(cat), chosen.bidder, asset)
        return self.chain.transact(call, sender)

    def adjudicate(self, sender: Sender) -> t.TxResult:
        """The client closes bidding early: bidding ends NOTICE seconds later (or at the deadline
        if sooner), then `settle` fixes the SLA; past the close this settles at once."""
        return self.chain.transact(self._c.functions.adjudicate(), sender)

    def closes_at(self) -> int:
        """When bidding ends now (the deadline, or an announced/pushed-back close)."""
        return int(self.chain.call(self._c.functions.closesAt()))

    def notice_seconds(self) -> int:
        """Least warning before bidding closes (Auction.NOTICE)."""
        return int(self.chain.call(self._c.functions.NOTICE()))

    def settle(self, sender: Sender) -> t.TxResult:
        return self.chain.transact(self._c.functions.settle(), sender)

    def deliver(self, sender: Sender, model_cid: str) -> t.TxResult:
        digest, kind = encode_cid(model_cid)
        return self.chain.transact(self._c.functions.deliver(digest, kind), sender)

    def acknowledge(self, sender: Sender) -> t.TxResult:
        return self.chain.transact(self._c.functions.acknowledge(), sender)

    def cancel(self, sender: Sender) -> t.TxResult:
        return self.chain.transact(self._c.functions.cancel(), sender)

    def claim(self, sender: Sender) -> t.TxResult:
        return self.chain.transact(self._c.functions.claim(), sender)

    def withdraw(self, sender: Sender) -> t.TxResult:
        return self.chain.transact(self._c.functions.withdraw(), sender)

    # ---------------------------------------------------------------- restitution and disputes

    def confirm_inputs(self, sender: Sender, data_cid: str, algorithm_cid: str) -> t.TxResult:
        """The infrastructure winner confirms it received the sealed data and algorithm (their
        CIDs): from then on their winners are owed their price whatever happens to the model."""
        data, data_kind = encode_cid(data_cid)
        algorithm, algorithm_kind = encode_cid(algorithm_cid)
        call = self._c.functions.confirmInputs(data, algorithm, data_kind | algorithm_kind << 1)
        return self.chain.transact(call, sender)

    def arbitration_fee(self) -> int:
        """What opening a dispute costs at the auction's arbitrator (0 without one)."""
        arbitrator = self.arbitrator()
        if arbitrator is None:
            return 0
        contract = self.chain.w3.eth.contract(
            address=self.chain.w3.to_checksum_address(arbitrator), abi=abi("CommitteeArbitrator")
        )
        return int(self.chain.call(contract.functions.arbitrationCost(b"")))

    def arbitrator(self) -> str | None:
        address = self.chain.call(self._c.functions.restitutionTerms())[0]
        return None if int(address, 16) == 0 else address

    def reject(self, sender: Sender, evidence_cid: str, fee: int | None = None) -> t.TxResult:
        """The client contests the delivered model, citing `evidence_cid` (its evaluation
        report); the arbitration fee (default: the arbitrator's cost) goes with it."""
        call = self._c.functions.reject(evidence_uri(evidence_cid))
        return self.chain.transact(call, sender, value=self._fee(fee))

    def appeal(
        self, sender: Sender, category: int, evidence_cid: str, fee: int | None = None
    ) -> t.TxResult:
        """A disqualified bidder contests its disqualification in `category`."""
        call = self._c.functions.appeal(int(category), evidence_uri(evidence_cid))
        return self.chain.transact(call, sender, value=self._fee(fee))

    def dispute_confirmation(
        self, sender: Sender, evidence_cid: str, fee: int | None = None
    ) -> t.TxResult:
        """A data or algorithm winner disputes the missing confirmation of its inputs."""
        call = self._c.functions.disputeConfirmation(evidence_uri(evidence_cid))
        return self.chain.transact(call, sender, value=self._fee(fee))

    def submit_evidence(self, sender: Sender, dispute_id: int, evidence_cid: str) -> t.TxResult:
        call = self._c.functions.submitEvidence(int(dispute_id), evidence_uri(evidence_cid))
        return self.chain.transact(call, sender)

    def _fee(self, fee: int | None) -> int:
        return self.arbitration_fee() if fee is None else int(fee)

    def confirmation(self) -> t.Confirmation:
        confirmed, open_disputes, disputed = self.chain.call(self._c.functions.confirmation())
        return t.Confirmation(int(confirmed) or None, int(open_disputes), bool(disputed))

    def appeal_of(self, category: int, bidder: str) -> tuple[bool, bool]:
        """(appealed, upheld) for `bidder`'s disqualification in `category`."""
        appealed, upheld = self.chain.call(
            self._c.functions.appealOf(int(category), self.chain.w3.to_checksum_address(bidder))
        )
        return bool(appealed), bool(upheld)

    def disputes(self) -> list[t.Dispute]:
        """Every dispute of this auction, in the order opened, with its evidence and ruling."""
        events = self.events()
        evidence: dict[int, list[str]] = {}
        for e in events:
            if isinstance(e, t.EvidenceSubmitted):
                evidence.setdefault(e.dispute_id, []).append(e.evidence)
        out = []
        for e in events:
            if not isinstance(e, t.DisputeOpened):
                continue
            kind, category, party, is_open, ruling = self.chain.call(
                self._c.functions.disputeOf(e.dispute_id)
            )
            out.append(t.Dispute(
                e.dispute_id, t.DisputeKind(kind), t.Category(category), party, bool(is_open),
                None if is_open else int(ruling), tuple(evidence.get(e.dispute_id, ())),
            ))
        return out

    # ---------------------------------------------------------------- views

    def info(self) -> t.AuctionInfo:
        (client, req, req_kind, version, max_prices, reserve, deadline, delivery, ack, min_refs) = (
            self.chain.call(self._c.functions.terms())
        )
        digest, kind = self.chain.call(self._c.functions.ontology())
        closes = self.closes_at()
        arbitrator, confirm, appeal, min_ref_value, min_completed, lost_limit = self.chain.call(
            self._c.functions.restitutionTerms()
        )
        has_arbitrator = int(arbitrator, 16) != 0
        return t.AuctionInfo(
            address=self.address,
            client=client,
            factory=self.factory.address,
            requirements_cid=decode_cid(req, req_kind),
            ontology_cid=decode_cid(digest, kind),
            ontology_version=int(version),
            max_prices=(int(max_prices[0]), int(max_prices[1]), int(max_prices[2])),
            reserve=int(reserve),
            bidding_deadline=int(deadline),
            delivery_window=int(delivery),
            acknowledgment_window=int(ack),
            min_references=int(min_refs),
            bonds=self.bonds(),
            closes_at=closes,
            notice_seconds=self.notice_seconds(),
            arbitrator=arbitrator if has_arbitrator else None,
            confirmation_window=int(confirm),
            appeal_window=int(appeal),
            arbitration_fee=self.arbitration_fee() if has_arbitrator else 0,
            min_reference_value=int(min_ref_value),
            min_record_completed=int(min_completed),
            max_disputes_lost=int(lost_limit) - 1 if lost_limit else None,
        )

    def state(self) -> t.AuctionState:
        return t.AuctionState(self.chain.call(self._c.functions.state()))

    def bid_of(self, category: int, bidder: str) -> t.Bid | None:
        """`bidder`'s standing bid in `category`, None if it never bid there."""
        cat = _category(category)
        bidder = self.chain.w3.to_checksum_address(bidder)
        return self._standing(cat, bidder, self._latest_assets(cat))

    def bids(self, category: int) -> list[t.Bid]:
        """Standing bids of `category` (one per bidder, its latest), lowest price first."""
        cat = _category(category)
        latest = self._latest_assets(cat)
        found = [b for b in (self._standing(cat, a, latest) for a in latest) if b is not None]
        return sorted(found, key=lambda b: (b.price, b.seq))

    def best_bid(self, category: int) -> t.Bid | None:
        """The lowest valid bid (ties: the earlier), None when the category has no valid bid."""
        cat = _category(category)
        bidder, price, asset, kind = self.chain.call(self._c.functions.bestBid(int(cat)))
        if int(bidder, 16) == 0:
            return None
        _price, disqualified, _commitment, _kind, returned = self.chain.call(
            self._c.functions.bidOf(int(cat), bidder)
        )
        seq = self._latest_assets(cat).get(bidder, ("", 0))[1]
        cid = decode_cid(asset, kind)
        return t.Bid(bidder, cat, int(price), cid, bool(disqualified), seq, bool(returned))

    def shared_assets(self, category: int) -> dict[str, list[str]]:
        """Asset CIDs of `category` that more than one account has bid with, each with its
        bidders in the order of their first bid with it: a borrowed asset description shows up
        here (the audit then checks which bidder the description names as its provider)."""
        cat = _category(category)
        users: dict[str, list[str]] = {}
        for event in self.events():
            if isinstance(event, t.BidPlaced) and event.category == cat:
                seen = users.setdefault(event.asset_cid, [])
                if event.bidder not in seen:
                    seen.append(event.bidder)
        return {asset: bidders for asset, bidders in users.items() if len(bidders) > 1}

    def _lowest_valid(self, cat: t.Category, exclude: str | None = None) -> t.Bid | None:
        """The lowest standing valid bid of `cat` (ties: the earlier), from the events and state."""
        valid = [b for b in self.bids(cat) if not b.disqualified and b.bidder != exclude]
        return min(valid, key=lambda b: (b.price, b.seq)) if valid else None

    def _latest_assets(self, cat: t.Category) -> dict[str, tuple[str, int]]:
        """Each bidder's latest asset CID in `cat` and that bid's order in the category (1, 2, ...),
        from the BidPlaced events (storage keeps a hash of the asset, and no counter)."""
        latest: dict[str, tuple[str, int]] = {}
        seq = 0
        for event in self.events():
            if isinstance(event, t.BidPlaced) and event.category == cat:
                seq += 1
                latest[event.bidder] = (event.asset_cid, seq)
        return latest

    def _standing(
        self, cat: t.Category, bidder: str, latest: dict[str, tuple[str, int]]
    ) -> t.Bid | None:
        from eth_utils import keccak

        price, disqualified, commitment, _kind, returned = self.chain.call(
            self._c.functions.bidOf(int(cat), bidder)
        )
        if price == 0:
            return None
        asset, seq = latest.get(bidder, ("", 0))
        if not asset or keccak(encode_cid(asset)[0])[:20] != bytes(commitment):
            raise ChainError(f"the bid events of {bidder} in {self.address} do not match its bid")
        return t.Bid(bidder, cat, int(price), asset, bool(disqualified), seq, bool(returned))

    def sla(self) -> t.SLA | None:
        """The adjudicated SLA, None while bidding or when the auction failed."""
        state = self.state()
        if state in (t.AuctionState.BIDDING, t.AuctionState.FAILED):
            return None
        winners: dict[t.Category, t.Winner] = {}
        for cat in t.Category:
            bidder, price, asset, kind = self.chain.call(self._c.functions.bestBid(int(cat)))
            if int(bidder, 16) != 0:
                winners[cat] = t.Winner(bidder, int(price), decode_cid(asset, kind))
        if len(winners) != 3:  # a failed auction later cancelled
            return None
        adjudicated, delivery_deadline, delivered, ack_deadline, model, model_kind = (
            self.chain.call(self._c.functions.restitution())
        )
        return t.SLA(
            winners=winners,
            adjudicated_at=int(adjudicated),
            delivery_deadline=int(delivery_deadline),
            model_cid=decode_cid(model, model_kind) if delivered else None,
            delivered_at=int(delivered) or None,
            acknowledgment_deadline=int(ack_deadline) or None,
        )

    def owed(self, address: str) -> int:
        return int(
            self.chain.call(self._c.functions.owed(self.chain.w3.to_checksum_address(address)))
        )

    def time_left(self) -> int:
        return int(self.chain.call(self._c.functions.timeLeft()))

    def won_completed(self, bidder: str, category: int) -> bool:
        return bool(
            self.chain.call(
                self._c.functions.wonCompleted(
                    self.chain.w3.to_checksum_address(bidder), int(category)
                )
            )
        )

    def balance(self) -> int:
        return self.chain.balance(self.address)

    def events(self, from_block: int = 0) -> list[Any]:
        return decode_logs(self.chain.logs(self.address, from_block), self.address)


def evidence_uri(cid: str) -> str:
    """The ERC-1497 URI of a stored document."""
    return f"/ipfs/{cid}"


def _address(sender: Sender) -> str:
    return sender if isinstance(sender, str) else str(sender.address)


def _require_address(chain: Chain, address: str) -> None:
    if not isinstance(address, str) or not chain.w3.is_address(address):
        raise ChainError(f"{address!r} is not an EVM address")
