// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IArbitrator} from "./IArbitrator.sol";

/// @title IEvidence
/// @notice ERC-1497's evidence events: what an arbitrator's interface reads to show a dispute and its evidence
///         (URIs such as /ipfs/<cid>).
interface IEvidence {
    event MetaEvidence(uint256 indexed _metaEvidenceID, string _evidence);
    event Evidence(
        IArbitrator indexed _arbitrator, uint256 indexed _evidenceGroupID, address indexed _party, string _evidence
    );
    event Dispute(
        IArbitrator indexed _arbitrator, uint256 indexed _disputeID, uint256 _metaEvidenceID, uint256 _evidenceGroupID
    );
}
