// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title LvmTestToken
/// @notice A plain OpenZeppelin ERC-20 the L2 tests deploy over the node's JSON-RPC.
contract LvmTestToken is ERC20 {
    /// @param supply Minted to the deployer.
    constructor(uint256 supply) ERC20("LVM Test Token", "LVMT") {
        _mint(msg.sender, supply);
    }
}
