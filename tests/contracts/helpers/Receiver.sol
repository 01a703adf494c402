// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice A contract party for the payout tests: forwards calls, refuses or re-enters on payment.
contract Receiver {
    bool public accept;
    bool public reenter;
    uint256 public reentryFailures;

    function setMode(bool accept_, bool reenter_) external {
        accept = accept_;
        reenter = reenter_;
    }

    function forward(address to, bytes calldata data) external payable {
        (bool ok, bytes memory reply) = to.call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(reply, 32), mload(reply))
            }
        }
    }

    receive() external payable {
        require(accept, "refused");
        if (reenter) {
            (bool ok,) = msg.sender.call(abi.encodeWithSignature("withdraw()"));
            if (!ok) reentryFailures += 1;
        }
    }
}
