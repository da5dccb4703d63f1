// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title WrappedBTC
/// @notice Native L2 BTC as an ERC-20 (18 decimals, 1:1), for applications that take tokens
/// rather than the gas coin, as WETH does on Ethereum.
contract WrappedBTC is ERC20 {
    /// @notice Sending the native coin back failed.
    error UnwrapFailed(address to, uint256 amount);

    /// @notice `account` wrapped `amount` wei of native BTC.
    event Wrapped(address indexed account, uint256 amount);
    /// @notice `account` unwrapped `amount` wei back to native BTC.
    event Unwrapped(address indexed account, uint256 amount);

    constructor() ERC20("Wrapped BTC (LVM)", "WBTC") {}

    /// @notice Wraps the native BTC sent. Emits {Wrapped} and {Transfer}.
    function wrap() public payable {
        _mint(msg.sender, msg.value);
        emit Wrapped(msg.sender, msg.value);
    }

    /// @notice Burns `amount` tokens and sends as much native BTC. Emits {Unwrapped} and {Transfer}.
    function unwrap(uint256 amount) external {
        _burn(msg.sender, amount);
        emit Unwrapped(msg.sender, amount);
        (bool ok, ) = msg.sender.call{value: amount}("");
        if (!ok) revert UnwrapFailed(msg.sender, amount);
    }

    /// @notice Plain transfers wrap.
    receive() external payable {
        wrap();
    }
}
