// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IArbitrable} from "./IArbitrable.sol";
import {IArbitrator} from "./IArbitrator.sol";

/// @title CommitteeArbitrator
/// @notice An m-of-n committee behind ERC-792: the first ruling `threshold` members vote for is given to the
///         arbitrable contract. The simplest arbitrator an auction can name; Kleros or a DAO plug in the same way.
/// @dev Members, threshold and fee are fixed at deployment, so the arbitration terms a bidder reads cannot
///      change under it. The fee of a dispute goes, by pull, to the members who voted for the final ruling
///      (equal shares, the dust to the last of them). No appeals: a ruling is final.
contract CommitteeArbitrator is IArbitrator, ReentrancyGuardTransient {
    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    error InvalidCommittee(uint256 members, uint256 threshold);
    error DuplicateMember(address member);
    error WrongFee(uint256 sent, uint256 required);
    error InvalidChoices(uint256 choices);
    error NotMember(address caller);
    error UnknownDispute(uint256 disputeID);
    error DisputeAlreadySolved(uint256 disputeID);
    error AlreadyVoted(uint256 disputeID, address member);
    error InvalidRuling(uint256 ruling, uint256 choices);
    error NotAppealable(uint256 disputeID);
    error NoFeesOwed(address caller);
    error FeeTransferFailed(address to, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A member's vote; the ruling is given when one ruling has `threshold` votes.
    event Voted(uint256 indexed disputeID, address indexed member, uint256 ruling);

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev One slot: arbitrable (160) | choices (8) | solved (8) | ruling (8) | fee (72) = 256 bits.
    struct Case {
        address arbitrable;
        uint8 choices;
        bool solved;
        uint8 ruling;
        uint72 fee;
    }

    /// @notice Votes needed for a ruling.
    uint256 public immutable threshold;
    /// @notice What opening a dispute costs (wei), fixed at deployment.
    uint256 public immutable fee;

    address[] internal _members;
    /// @dev Member index + 1 (0: not a member); at most 256 members (votes are bitmaps).
    mapping(address member => uint256 indexPlusOne) internal _memberIndex;
    Case[] internal _cases;
    /// @dev Per dispute, a bitmap of the members who voted, and per ruling a bitmap of its voters.
    mapping(uint256 disputeID => uint256 voters) internal _voted;
    mapping(uint256 disputeID => mapping(uint256 ruling => uint256 voters)) internal _votes;
    mapping(address member => uint256 amount) public feesOwed;

    constructor(address[] memory committee, uint256 threshold_, uint256 fee_) {
        if (committee.length == 0 || committee.length > 256 || threshold_ == 0 || threshold_ > committee.length) {
            revert InvalidCommittee(committee.length, threshold_);
        }
        for (uint256 i; i < committee.length; ++i) {
            if (_memberIndex[committee[i]] != 0 || committee[i] == address(0)) revert DuplicateMember(committee[i]);
            _memberIndex[committee[i]] = i + 1;
        }
        _members = committee;
        threshold = threshold_;
        fee = fee_;
    }

    /*//////////////////////////////////////////////////////////////
                                  LOGIC
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IArbitrator
    function createDispute(uint256 choices, bytes calldata) external payable returns (uint256 disputeID) {
        if (msg.value != fee) revert WrongFee(msg.value, fee);
        if (choices == 0 || choices > 255) revert InvalidChoices(choices);
        disputeID = _cases.length;
        _cases.push(Case(msg.sender, uint8(choices), false, 0, uint72(msg.value)));
        emit DisputeCreation(disputeID, IArbitrable(msg.sender));
    }

    /// @notice A member votes `ruling` (0 refuses to arbitrate); the threshold-th vote for one ruling gives it.
    function vote(uint256 disputeID, uint256 ruling) external {
        uint256 index = _memberIndex[msg.sender];
        if (index == 0) revert NotMember(msg.sender);
        if (disputeID >= _cases.length) revert UnknownDispute(disputeID);
        Case memory c = _cases[disputeID];
        if (c.solved) revert DisputeAlreadySolved(disputeID);
        if (ruling > c.choices) revert InvalidRuling(ruling, c.choices);
        uint256 bit = 1 << (index - 1);
        if (_voted[disputeID] & bit != 0) revert AlreadyVoted(disputeID, msg.sender);
        _voted[disputeID] |= bit;
        uint256 voters = _votes[disputeID][ruling] | bit;
        _votes[disputeID][ruling] = voters;
        emit Voted(disputeID, msg.sender, ruling);
        if (_popcount(voters) < threshold) return;
        _cases[disputeID].solved = true;
        _cases[disputeID].ruling = uint8(ruling);
        uint256 share = c.fee / threshold;
        uint256 last;
        for (uint256 i; i < _members.length; ++i) {
            if (voters & (1 << i) == 0) continue;
            feesOwed[_members[i]] += share;
            last = i;
        }
        feesOwed[_members[last]] += c.fee - share * threshold;
        IArbitrable(c.arbitrable).rule(disputeID, ruling);
    }

    /// @notice A member takes the fees it earned by voting with the final rulings.
    function withdrawFees() external nonReentrant {
        uint256 amount = feesOwed[msg.sender];
        if (amount == 0) revert NoFeesOwed(msg.sender);
        feesOwed[msg.sender] = 0;
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert FeeTransferFailed(msg.sender, amount);
    }

    /// @inheritdoc IArbitrator
    function appeal(uint256 disputeID, bytes calldata) external payable {
        revert NotAppealable(disputeID);
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IArbitrator
    function arbitrationCost(bytes calldata) external view returns (uint256) {
        return fee;
    }

    /// @inheritdoc IArbitrator
    function appealCost(uint256, bytes calldata) external pure returns (uint256) {
        return type(uint256).max;
    }

    /// @inheritdoc IArbitrator
    function appealPeriod(uint256) external pure returns (uint256 start, uint256 end) {
        return (0, 0);
    }

    /// @inheritdoc IArbitrator
    function disputeStatus(uint256 disputeID) external view returns (DisputeStatus) {
        if (disputeID >= _cases.length) revert UnknownDispute(disputeID);
        return _cases[disputeID].solved ? DisputeStatus.Solved : DisputeStatus.Waiting;
    }

    /// @inheritdoc IArbitrator
    function currentRuling(uint256 disputeID) external view returns (uint256) {
        if (disputeID >= _cases.length) revert UnknownDispute(disputeID);
        return _cases[disputeID].ruling;
    }

    /// @notice A dispute: who opened it, whether it is solved and its ruling, and the votes per ruling so far.
    function dispute(uint256 disputeID)
        external
        view
        returns (address arbitrable, uint256 choices, bool solved, uint256 ruling, uint256[] memory votes)
    {
        if (disputeID >= _cases.length) revert UnknownDispute(disputeID);
        Case memory c = _cases[disputeID];
        votes = new uint256[](uint256(c.choices) + 1);
        for (uint256 r; r <= c.choices; ++r) {
            votes[r] = _popcount(_votes[disputeID][r]);
        }
        return (c.arbitrable, c.choices, c.solved, c.ruling, votes);
    }

    function members() external view returns (address[] memory) {
        return _members;
    }

    function disputeCount() external view returns (uint256) {
        return _cases.length;
    }

    function _popcount(uint256 x) internal pure returns (uint256 n) {
        for (; x != 0; x &= x - 1) {
            ++n;
        }
    }
}
