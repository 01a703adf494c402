// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IArbitrator} from "./IArbitrator.sol";

/// @title IArbitrable
/// @notice ERC-792's arbitrable side: the arbitrator gives its ruling here.
interface IArbitrable {
    event Ruling(IArbitrator indexed _arbitrator, uint256 indexed _disputeID, uint256 _ruling);

    function rule(uint256 _disputeID, uint256 _ruling) external;
}
