// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IFactory} from "./IFactory.sol";

/// @title Auction
/// @notice One client's request for a model: a descending-price auction per category, the escrowed
///         reserve, the resulting SLA and pull-based payouts.
/// @dev Deployed once as the implementation; each auction is an EIP-1167 clone whose terms are the
///      clone's immutable args (read from its own code, so creating an auction writes no storage).
///      CIDs are stored as their sha2-256 digest plus a kind: 0 = raw leaf (bafkrei...), 1 = dag-pb (bafybei...).
contract Auction is ReentrancyGuardTransient {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Life cycle; Bidding past its deadline is settled by the first state-changing call.
    enum State {
        Bidding,
        Failed,
        Adjudicated,
        Delivered,
        Completed,
        Cancelled,
        Claimed
    }

    /// @dev Slot 0: state (8) | adjudicatedAt (40) | deliveredAt (40) | withdrawn (8) | modelKind (8) = 104 bits.
    ///      Untouched until something happens after bidding (its first write is the costly one), so
    ///      `state` here is only Delivered and later; Bidding/Failed/Adjudicated live in the Best slots.
    ///      adjudicatedAt is written only by an early adjudication (otherwise it is the deadline).
    ///      withdrawn: bit c = winner of category c has withdrawn, bit 3 = client has withdrawn.
    struct Status {
        State state;
        uint40 adjudicatedAt;
        uint40 deliveredAt;
        uint8 withdrawn;
        uint8 modelKind;
    }

    /// @dev One slot per category: bidder (160) | price (72) | seq (16) | meta (8) = 256 bits.
    ///      `bidder` is the lowest valid bid (the base price), zero when there is none; `seq` counts bids.
    ///      meta: phase (2 bits: 0 Bidding, 1 Failed, 2 Adjudicated; an early adjudication writes it into
    ///      all three slots so a bid reads one slot, a settlement after the deadline only into slot 0)
    ///      | best asset is dag-pb (1) | bidders (5).
    struct Best {
        address bidder;
        uint72 price;
        uint16 seq;
        uint8 meta;
    }

    /// @dev One slot per (category, bidder): price (72) | seq (16) | flags (8) | asset (160) = 256 bits.
    ///      flags: bit 0 = disqualified, bit 1 = asset is dag-pb. `asset` commits to the bid's asset
    ///      digest (first 20 bytes of its keccak): the digest itself is in the BidPlaced event, and in
    ///      storage only for the best bid, so a fallback winner's digest is supplied and checked here.
    struct Node {
        uint72 price;
        uint16 seq;
        uint8 flags;
        bytes20 asset;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    error UnknownCategory(uint256 category);
    error UnsupportedCid(uint256 kind);
    error BiddingClosed(uint256 deadline);
    error BiddingStillOpen(uint256 deadline);
    error ClientCannotBid(address client);
    error PriceZero();
    error PriceAboveMax(uint256 price, uint256 maxPrice);
    error BidNotLower(uint256 price, uint256 previous);
    error BidderDisqualified(uint256 category, address bidder);
    error TooManyBidders(uint256 category, uint256 cap);
    error TooManyBids(uint256 category);
    error TooFewReferences(uint256 given, uint256 required);
    error ReferencesNotAscending(uint256 index);
    error ReferenceNotAuction(address ref);
    error ReferenceNotWon(address ref);
    error NotClient(address caller);
    error NoSuchBid(uint256 category, address bidder);
    error AlreadyDisqualified(uint256 category, address bidder);
    error BidderListIncomplete(uint256 given, uint256 bidders);
    error BidderListNotAscending(uint256 index);
    error AssetMismatch(address bidder, bytes32 asset);
    error WrongState(State state);
    error NotInfrastructureWinner(address caller);
    error DeliveryDeadlinePassed(uint256 deadline);
    error DeliveryWindowOpen(uint256 deadline);
    error AcknowledgmentWindowOpen(uint256 deadline);
    error NotWinner(address caller);
    error NothingOwed(address caller);
    error TransferFailed(address to, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Every bid, in full: the chain keeps only each bidder's last price and the best bid.
    /// @dev `bid` packs bidder (bits 0-159) | price (160-231) | category (232-239) | assetKind (240-247):
    ///      two unindexed words instead of two topics and three words (~1k gas a bid); the chain layer
    ///      reads logs by address and decodes them itself, it never filters on a topic.
    event BidPlaced(uint256 bid, bytes32 asset);
    event BidDisqualified(uint8 indexed category, address indexed bidder, bytes32 reason, uint8 reasonKind);
    /// @notice The SLA (or the failure): winners, prices and asset CIDs per category, in one event.
    /// @dev winners[c] packs winner (bits 0-159, zero: none) | price (160-231) | state (232-239, the
    ///      outcome, the same in all three) | assetKind (240-247); assets[c] is the asset's digest.
    event AuctionSettled(uint256[3] winners, bytes32[3] assets);
    event ModelDelivered(address indexed by, bytes32 model, uint8 modelKind);
    event DeliveryAcknowledged(address indexed client);
    event AuctionCancelled(address indexed client);
    event PaymentClaimed(address indexed by);
    event Withdrawn(address indexed to, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Bidders per category: bounds the ring walk when the best bid is disqualified (~2.2k gas each).
    uint256 public constant MAX_BIDDERS = 31;
    uint256 internal constant CATEGORIES = 3;
    uint256 internal constant INFRASTRUCTURE = 2;
    uint8 internal constant DISQUALIFIED = 1;
    uint8 internal constant DAG_PB = 2;
    uint8 internal constant CLIENT_BIT = 8;
    uint8 internal constant PHASE = 3; // meta bits 0-1
    uint8 internal constant BEST_DAG_PB = 4; // meta bit 2
    uint8 internal constant ONE_BIDDER = 8; // meta bits 3-7 count bidders
    uint256 internal constant BIDDER_PRICE = (1 << 232) - 1; // bidder | price of a raw Best word

    /// @dev Offsets of the immutable args inside the clone's code (after the 0x2d-byte EIP-1167 body).
    uint256 internal constant ARGS = 0x2d;
    uint256 internal constant A_CLIENT = 0; // address, 20
    uint256 internal constant A_DEADLINE = 20; // uint40, 5
    uint256 internal constant A_DELIVERY = 25; // uint32, 4
    uint256 internal constant A_ACK = 29; // uint32, 4
    uint256 internal constant A_MIN_REFS = 33; // uint8, 1
    uint256 internal constant A_REQ_KIND = 34; // uint8, 1
    uint256 internal constant A_ONTOLOGY = 35; // uint32, 4
    uint256 internal constant A_INDEX = 39; // uint64, 8
    uint256 internal constant A_RESERVE = 47; // uint96, 12
    uint256 internal constant A_MAX_PRICE = 59; // 3 x uint72, 9 each
    uint256 internal constant A_REQUIREMENTS = 86; // bytes32
    uint256 internal constant ARGS_LENGTH = 118;

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @notice The Factory that deployed this implementation, hence every clone of it.
    address public immutable factory;

    Status internal _status;
    bytes32 internal _model;
    Best[3] internal _best;
    mapping(uint256 category => mapping(address bidder => Node)) internal _nodes;
    /// @dev The best bid's asset digest per category (the SLA's asset once settled).
    bytes32[3] internal _bestAsset;

    constructor() {
        factory = msg.sender;
    }

    /*//////////////////////////////////////////////////////////////
                              BIDDING LOGIC
    //////////////////////////////////////////////////////////////*/

    /// @notice Offer `asset` for `category` at `price`; a bidder's later bid must undercut its own earlier one.
    /// @dev References are completed auctions of the same Factory in which the bidder won this category,
    ///      given in strictly ascending address order so none counts twice.
    function bid(uint8 category, uint256 price, bytes32 asset, uint8 assetKind, address[] calldata references)
        external
    {
        if (category >= CATEGORIES) revert UnknownCategory(category);
        if (assetKind > 1) revert UnsupportedCid(assetKind);
        // Raw slot words (see Best and Node for the layouts): one SLOAD and one SSTORE each, no field copies.
        uint256 b;
        assembly ("memory-safe") {
            b := sload(add(_best.slot, category))
        }
        uint256 meta = b >> 248;
        _checkTerms(category, price, references.length, meta);
        if (references.length != 0) _checkReferences(category, references);

        // _nodes[category][msg.sender] and the asset commitment, hashed in the scratch space.
        uint256 slot;
        uint256 commitment;
        uint256 n;
        assembly ("memory-safe") {
            mstore(0x00, category)
            mstore(0x20, _nodes.slot)
            mstore(0x20, keccak256(0x00, 0x40))
            mstore(0x00, caller())
            slot := keccak256(0x00, 0x40)
            n := sload(slot)
            mstore(0x00, asset)
            // = uint160(_commit(asset)) << 96: the hash's first 20 bytes where Node keeps `asset`
            commitment := and(keccak256(0x00, 0x20), not(0xffffffffffffffffffffffff))
        }
        uint256 previous = uint72(n);
        if (previous != 0) {
            if ((n >> 88) & DISQUALIFIED != 0) revert BidderDisqualified(category, msg.sender);
            if (price >= previous) revert BidNotLower(price, previous);
        } else {
            if (meta >> 3 >= MAX_BIDDERS) revert TooManyBidders(category, MAX_BIDDERS);
            unchecked {
                meta += ONE_BIDDER; // at most MAX_BIDDERS (31) in the top 5 bits: no carry out
            }
        }
        uint256 seq = uint16(b >> 232);
        if (seq == type(uint16).max) revert TooManyBids(category);
        unchecked {
            ++seq;
        }
        uint256 flags = assetKind == 1 ? DAG_PB : 0;
        n = price | seq << 72 | flags << 88 | commitment;
        assembly ("memory-safe") {
            sstore(slot, n)
        }
        if (uint160(b) == 0 || price < uint72(b >> 160)) {
            meta = assetKind == 1 ? meta | BEST_DAG_PB : meta & ~uint256(BEST_DAG_PB);
            b = uint256(uint160(msg.sender)) | price << 160;
            _bestAsset[category] = asset;
        } else {
            b &= BIDDER_PRICE;
        }
        b |= seq << 232 | meta << 248;
        assembly ("memory-safe") {
            sstore(add(_best.slot, category), b)
        }
        // price <= maxPrice < 2**72, category < 3 and assetKind <= 1 were checked above.
        emit BidPlaced(
            uint256(uint160(msg.sender)) | price << 160 | uint256(category) << 232 | uint256(assetKind) << 240, asset
        );
    }

    /// @notice The client rejects a bid whose asset does not match, citing a public reason (the matcher's report).
    /// @dev A disqualified bidder cannot bid again in that category: it protects the client from re-spam.
    ///      When the best bid is disqualified, the lowest valid bid (ties: the earlier) takes its place;
    ///      the caller lists every bidder of the category in ascending order (checked complete against
    ///      the count, at most MAX_BIDDERS) and the new best's asset digest (checked against its
    ///      commitment), so no bidder list is kept in storage. Otherwise both may be empty.
    function disqualify(
        uint8 category,
        address bidder,
        bytes32 reason,
        uint8 reasonKind,
        address[] calldata bidders,
        bytes32 nextAsset
    ) external {
        if (category >= CATEGORIES) revert UnknownCategory(category);
        if (reasonKind > 1) revert UnsupportedCid(reasonKind);
        if (msg.sender != _client()) revert NotClient(msg.sender);
        uint256 deadline = _arg(A_DEADLINE, 40);
        Best memory best = _best[category];
        if (best.meta & PHASE != 0 || block.timestamp >= deadline) revert BiddingClosed(deadline);
        Node storage node = _nodes[category][bidder];
        if (node.price == 0) revert NoSuchBid(category, bidder);
        if (node.flags & DISQUALIFIED != 0) revert AlreadyDisqualified(category, bidder);
        node.flags |= DISQUALIFIED;
        if (best.bidder == bidder) {
            if (bidders.length != best.meta >> 3) revert BidderListIncomplete(bidders.length, best.meta >> 3);
            address winner;
            uint256 lowest = type(uint256).max;
            Node memory chosen;
            for (uint256 i; i < bidders.length; ++i) {
                address cur = bidders[i];
                if (i != 0 && cur <= bidders[i - 1]) revert BidderListNotAscending(i);
                Node memory other = _nodes[category][cur];
                if (other.price == 0) revert NoSuchBid(category, cur);
                if (other.flags & DISQUALIFIED == 0) {
                    uint256 key = (uint256(other.price) << 16) | other.seq;
                    if (key < lowest) (lowest, winner, chosen) = (key, cur, other);
                }
            }
            best.bidder = winner;
            best.price = chosen.price;
            best.meta = chosen.flags & DAG_PB != 0 ? best.meta | BEST_DAG_PB : best.meta & ~BEST_DAG_PB;
            _best[category] = best;
            if (winner != address(0)) {
                if (_commit(nextAsset) != chosen.asset) revert AssetMismatch(winner, nextAsset);
                _bestAsset[category] = nextAsset;
            }
        }
        emit BidDisqualified(category, bidder, reason, reasonKind);
    }

    /*//////////////////////////////////////////////////////////////
                            ADJUDICATION LOGIC
    //////////////////////////////////////////////////////////////*/

    /// @notice The client closes bidding early and fixes the SLA.
    function adjudicate() external {
        if (msg.sender != _client()) revert NotClient(msg.sender);
        Status memory s = _requireBidding();
        uint256 deadline = _arg(A_DEADLINE, 40);
        _settle(s, block.timestamp < deadline ? block.timestamp : deadline, deadline);
    }

    /// @notice Anyone settles the auction once bidding has ended (the paper's automatic adjudication).
    function settle() external {
        Status memory s = _requireBidding();
        uint256 deadline = _arg(A_DEADLINE, 40);
        if (block.timestamp < deadline) revert BiddingStillOpen(deadline);
        _settle(s, deadline, deadline);
    }

    /*//////////////////////////////////////////////////////////////
                            RESTITUTION LOGIC
    //////////////////////////////////////////////////////////////*/

    /// @notice The infrastructure winner hands over the trained (encrypted) model before the delivery deadline.
    function deliver(bytes32 model, uint8 modelKind) external {
        if (modelKind > 1) revert UnsupportedCid(modelKind);
        Status memory s = _current();
        if (s.state != State.Adjudicated) revert WrongState(s.state);
        if (msg.sender != _best[INFRASTRUCTURE].bidder) revert NotInfrastructureWinner(msg.sender);
        uint256 due = s.adjudicatedAt + _arg(A_DELIVERY, 32);
        if (block.timestamp >= due) revert DeliveryDeadlinePassed(due);
        s.state = State.Delivered;
        s.deliveredAt = uint40(block.timestamp);
        s.modelKind = modelKind;
        _status = s;
        _model = model;
        emit ModelDelivered(msg.sender, model, modelKind);
    }

    /// @notice The client accepts the model: winners' prices and the unspent reserve become withdrawable.
    /// @dev Allowed after the acknowledgment window too, as long as no winner has claimed yet.
    function acknowledge() external {
        if (msg.sender != _client()) revert NotClient(msg.sender);
        Status memory s = _effective();
        if (s.state != State.Delivered) revert WrongState(s.state);
        _status.state = State.Completed;
        emit DeliveryAcknowledged(msg.sender);
    }

    /// @notice The client recovers the reserve when nothing was delivered in time, or when the auction failed.
    function cancel() external {
        if (msg.sender != _client()) revert NotClient(msg.sender);
        Status memory s = _current();
        if (s.state == State.Adjudicated) {
            uint256 due = s.adjudicatedAt + _arg(A_DELIVERY, 32);
            if (block.timestamp < due) revert DeliveryWindowOpen(due);
        } else if (s.state != State.Failed) {
            revert WrongState(s.state);
        }
        _status.state = State.Cancelled;
        emit AuctionCancelled(msg.sender);
    }

    /// @notice A winner gets paid when the client stays silent past the acknowledgment window.
    /// @dev Protects providers, who have no other recourse; the unspent reserve still returns to the client.
    function claim() external {
        Status memory s = _effective();
        if (s.state != State.Delivered) revert WrongState(s.state);
        if (!_isWinner(msg.sender)) revert NotWinner(msg.sender);
        uint256 due = s.deliveredAt + _arg(A_ACK, 32);
        if (block.timestamp < due) revert AcknowledgmentWindowOpen(due);
        _status.state = State.Claimed;
        emit PaymentClaimed(msg.sender);
    }

    /// @notice Pull payment of everything the caller is owed now (settles first when bidding has ended).
    function withdraw() external nonReentrant {
        Status memory s = _current();
        (uint256 amount, uint8 bits) = _owed(s, msg.sender);
        if (amount == 0) revert NothingOwed(msg.sender);
        _status.withdrawn = s.withdrawn | bits;
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice The state as the next call would see it (Bidding past its deadline reads as settled).
    function state() external view returns (State) {
        return _effective().state;
    }

    /// @notice The auction's terms, decoded from the clone's immutable args.
    function terms()
        external
        view
        returns (
            address client,
            bytes32 requirements,
            uint8 requirementsKind,
            uint32 ontologyVersion,
            uint256[3] memory maxPrices,
            uint256 reserve,
            uint256 biddingDeadline,
            uint256 deliveryWindow,
            uint256 acknowledgmentWindow,
            uint256 minReferences
        )
    {
        client = _client();
        requirements = bytes32(_arg(A_REQUIREMENTS, 256));
        requirementsKind = uint8(_arg(A_REQ_KIND, 8));
        ontologyVersion = uint32(_arg(A_ONTOLOGY, 32));
        for (uint256 c; c < CATEGORIES; ++c) {
            maxPrices[c] = _arg(A_MAX_PRICE + 9 * c, 72);
        }
        reserve = _arg(A_RESERVE, 96);
        biddingDeadline = _arg(A_DEADLINE, 40);
        deliveryWindow = _arg(A_DELIVERY, 32);
        acknowledgmentWindow = _arg(A_ACK, 32);
        minReferences = _arg(A_MIN_REFS, 8);
    }

    /// @notice The ontology CID current when this auction was created.
    function ontology() external view returns (bytes32 digest, uint8 kind) {
        return IFactory(factory).ontologyAt(uint32(_arg(A_ONTOLOGY, 32)));
    }

    /// @notice A bidder's standing bid in a category (price 0: none).
    function bidOf(uint8 category, address bidder)
        external
        view
        returns (uint256 price, uint256 seq, bool disqualified, bytes20 assetCommitment, uint8 assetKind)
    {
        if (category >= CATEGORIES) revert UnknownCategory(category);
        Node memory node = _nodes[category][bidder];
        return (
            node.price,
            node.seq,
            node.flags & DISQUALIFIED != 0,
            node.asset,
            node.flags & DAG_PB != 0 ? 1 : 0
        );
    }

    /// @notice The lowest valid bid of a category (after settlement: the SLA's winner), zero address if none.
    function bestBid(uint8 category)
        external
        view
        returns (address bidder, uint256 price, bytes32 asset, uint8 assetKind, uint256 bidders, uint256 bids)
    {
        if (category >= CATEGORIES) revert UnknownCategory(category);
        Best memory best = _best[category];
        return (
            best.bidder,
            best.price,
            _bestAsset[category],
            best.meta & BEST_DAG_PB != 0 ? 1 : 0,
            best.meta >> 3,
            best.seq
        );
    }

    /// @notice Timestamps of the restitution phase and the delivered model (zero until they happen).
    function restitution()
        external
        view
        returns (
            uint256 adjudicatedAt,
            uint256 deliveryDeadline,
            uint256 deliveredAt,
            uint256 acknowledgmentDeadline,
            bytes32 model,
            uint8 modelKind
        )
    {
        Status memory s = _effective();
        if (s.state == State.Bidding) return (0, 0, 0, 0, 0, 0);
        adjudicatedAt = s.adjudicatedAt;
        if (s.state != State.Failed) deliveryDeadline = s.adjudicatedAt + _arg(A_DELIVERY, 32);
        deliveredAt = s.deliveredAt;
        if (s.deliveredAt != 0) acknowledgmentDeadline = s.deliveredAt + _arg(A_ACK, 32);
        model = _model;
        modelKind = s.modelKind;
    }

    /// @notice What `withdraw()` would pay `account` now.
    function owed(address account) external view returns (uint256 amount) {
        (amount,) = _owed(_effective(), account);
    }

    /// @notice Seconds until bidding closes (0 once closed).
    function timeLeft() external view returns (uint256) {
        uint256 deadline = _arg(A_DEADLINE, 40);
        if (_best[0].meta & PHASE != 0 || block.timestamp >= deadline) return 0;
        return deadline - block.timestamp;
    }

    /// @notice Whether `bidder` won `category` here and the client acknowledged: a valid reference elsewhere.
    function wonCompleted(address bidder, uint8 category) external view returns (bool) {
        return category < CATEGORIES && _status.state == State.Completed && _best[category].bidder == bidder;
    }

    /*//////////////////////////////////////////////////////////////
                             INTERNAL LOGIC
    //////////////////////////////////////////////////////////////*/

    /// @dev The checks against the auction's terms, apart so that `bid` keeps its variables on the stack
    ///      (spilling them to memory would make every call of the contract pay for the reserved memory).
    function _checkTerms(uint256 category, uint256 price, uint256 refCount, uint256 meta) internal view {
        // The first 64 bytes of the args (client, deadline, windows, min references) in one EXTCODECOPY
        // into the scratch space, instead of one per field.
        uint256 w0;
        uint256 w1;
        assembly ("memory-safe") {
            extcodecopy(address(), 0x00, ARGS, 0x40)
            w0 := mload(0x00)
            w1 := mload(0x20)
        }
        uint256 deadline = uint40(w0 >> (256 - 8 * A_DEADLINE - 40));
        if (meta & PHASE != 0 || block.timestamp >= deadline) revert BiddingClosed(deadline);
        if (msg.sender == address(uint160(w0 >> 96))) revert ClientCannotBid(msg.sender);
        if (price == 0) revert PriceZero();
        uint256 maxPrice = _arg(A_MAX_PRICE + 9 * category, 72);
        if (price > maxPrice) revert PriceAboveMax(price, maxPrice);
        uint256 required = uint8(w1 >> (256 - 8 * (A_MIN_REFS - 32) - 8));
        if (refCount < required) revert TooFewReferences(refCount, required);
    }

    function _checkReferences(uint8 category, address[] calldata references) internal view {
        IFactory f = IFactory(factory);
        for (uint256 i; i < references.length; ++i) {
            address ref = references[i];
            if (i != 0 && ref <= references[i - 1]) revert ReferencesNotAscending(i);
            if (!f.isAuction(ref)) revert ReferenceNotAuction(ref);
            if (!Auction(ref).wonCompleted(msg.sender, category)) revert ReferenceNotWon(ref);
        }
    }

    /// @dev Settles when bidding has ended, so that any later call acts on the SLA (automatic adjudication).
    function _current() internal returns (Status memory s) {
        s = _load();
        if (s.state == State.Bidding) {
            uint256 deadline = _arg(A_DEADLINE, 40);
            if (block.timestamp >= deadline) s = _settle(s, deadline, deadline);
        }
    }

    /// @dev The stored state: Status once past adjudication, else the phase kept in the Best slots.
    /// @dev The stored state: Status once past adjudication, else the phase kept in the Best slots.
    function _load() internal view returns (Status memory s) {
        s = _status;
        if (s.state == State.Bidding) s.state = State(_best[0].meta & PHASE);
        if (s.adjudicatedAt == 0 && s.state != State.Bidding) s.adjudicatedAt = uint40(_arg(A_DEADLINE, 40));
    }

    /// @dev Reverts unless bidding is still the phase. While slot 0 of Best says Bidding nothing after
    ///      bidding has happened (every write to `_status` follows a settlement, which sets the phase
    ///      first), so `_status` is all zero and is not read: a cold slot less for settling.
    function _requireBidding() internal view returns (Status memory s) {
        if (_best[0].meta & PHASE != 0) {
            s = _load();
            revert WrongState(s.state);
        }
    }

    function _effective() internal view returns (Status memory s) {
        s = _load();
        if (s.state == State.Bidding) {
            uint256 deadline = _arg(A_DEADLINE, 40);
            if (block.timestamp >= deadline) {
                s.state = State.Adjudicated;
                for (uint256 c; c < CATEGORIES; ++c) {
                    if (_best[c].bidder == address(0)) s.state = State.Failed;
                }
                s.adjudicatedAt = uint40(deadline);
            }
        }
    }

    /// @dev Works on the raw Best words (bidder | price | seq | meta, low bits first): the low 232 bits
    ///      are already the event's bidder | price, so a winner word is one mask and two ORs. Unrolled,
    ///      and the event written directly, because this runs once per auction on someone's dime.
    function _settle(Status memory s, uint256 closedAt, uint256 deadline) internal returns (Status memory) {
        uint256 w0;
        uint256 w1;
        uint256 w2;
        assembly ("memory-safe") {
            w0 := sload(_best.slot)
            w1 := sload(add(_best.slot, 1))
            w2 := sload(add(_best.slot, 2))
        }
        uint256 outcome = uint160(w0) == 0 || uint160(w1) == 0 || uint160(w2) == 0
            ? uint256(State.Failed)
            : uint256(State.Adjudicated);
        bytes32 a0 = uint160(w0) != 0 ? _bestAsset[0] : bytes32(0);
        bytes32 a1 = uint160(w1) != 0 ? _bestAsset[1] : bytes32(0);
        bytes32 a2 = uint160(w2) != 0 ? _bestAsset[2] : bytes32(0);
        uint256 cleared = ~(uint256(PHASE) << 248);
        uint256 phase = outcome << 248;
        if (closedAt == deadline) {
            // Past the deadline no bid or disqualification can land: marking one slot is enough.
            assembly ("memory-safe") {
                sstore(_best.slot, or(and(w0, cleared), phase))
            }
        } else {
            assembly ("memory-safe") {
                sstore(_best.slot, or(and(w0, cleared), phase))
                sstore(add(_best.slot, 1), or(and(w1, cleared), phase))
                sstore(add(_best.slot, 2), or(and(w2, cleared), phase))
            }
            _status.adjudicatedAt = uint40(closedAt);
        }
        s.state = State(outcome);
        s.adjudicatedAt = uint40(closedAt);
        // emit AuctionSettled([winner words], [a0, a1, a2]), ABI-encoded by hand (six static words).
        bytes32 topic = AuctionSettled.selector;
        uint256 tag = outcome << 232;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, or(or(and(w0, BIDDER_PRICE), tag), shl(240, and(shr(250, w0), 1))))
            mstore(add(p, 0x20), or(or(and(w1, BIDDER_PRICE), tag), shl(240, and(shr(250, w1), 1))))
            mstore(add(p, 0x40), or(or(and(w2, BIDDER_PRICE), tag), shl(240, and(shr(250, w2), 1))))
            mstore(add(p, 0x60), a0)
            mstore(add(p, 0x80), a1)
            mstore(add(p, 0xa0), a2)
            log1(p, 0xc0, topic)
        }
        return s;
    }

    function _isWinner(address account) internal view returns (bool) {
        for (uint256 c; c < CATEGORIES; ++c) {
            if (_best[c].bidder == account) return true;
        }
        return false;
    }

    /// @dev Amount and the withdrawn bits it consumes; the client gets the reserve minus the prices paid.
    function _owed(Status memory s, address account) internal view returns (uint256 amount, uint8 bits) {
        bool isClient = account == _client() && s.withdrawn & CLIENT_BIT == 0;
        if (s.state == State.Failed || s.state == State.Cancelled) {
            if (isClient) return (_arg(A_RESERVE, 96), CLIENT_BIT);
            return (0, 0);
        }
        if (s.state != State.Completed && s.state != State.Claimed) return (0, 0);
        uint256 spent;
        for (uint256 c; c < CATEGORIES; ++c) {
            Best memory best = _best[c];
            spent += best.price;
            if (best.bidder == account && s.withdrawn & (1 << c) == 0) {
                amount += best.price;
                bits |= uint8(1 << c);
            }
        }
        if (isClient) {
            amount += _arg(A_RESERVE, 96) - spent;
            bits |= CLIENT_BIT;
        }
    }

    /// @dev Commitment to an asset digest kept in a bidder's slot.
    function _commit(bytes32 asset) internal pure returns (bytes20) {
        return bytes20(keccak256(abi.encode(asset)));
    }

    function _client() internal view returns (address) {
        return address(uint160(_arg(A_CLIENT, 160)));
    }

    /// @dev Reads `bits` bits at `offset` of the immutable args, from this clone's own code.
    function _arg(uint256 offset, uint256 bits) internal view returns (uint256 value) {
        assembly ("memory-safe") {
            extcodecopy(address(), 0x00, add(ARGS, offset), 0x20)
            value := shr(sub(256, bits), mload(0x00))
        }
    }
}
