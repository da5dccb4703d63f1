// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {WrappedBTC} from "../../../contracts/l2/WrappedBTC.sol";

contract Account {
    WrappedBTC internal immutable w;

    constructor(WrappedBTC w_) payable {
        w = w_;
    }

    receive() external payable {}

    function wrap(uint256 amount) external {
        w.wrap{value: amount}();
    }

    function unwrap(uint256 amount) external {
        w.unwrap(amount);
    }

    function send(address to, uint256 amount) external {
        require(w.transfer(to, amount), "transfer");
    }
}

/// @dev Refuses native BTC, so unwrapping to it must fail and keep its tokens.
contract Refuser {
    function wrapAndUnwrap(WrappedBTC w) external payable returns (bool ok) {
        w.wrap{value: msg.value}();
        (ok, ) = address(w).call(abi.encodeCall(WrappedBTC.unwrap, (msg.value)));
    }
}

contract WrappedBTCTest {
    WrappedBTC internal w = new WrappedBTC();

    function testFuzz_wrapTransferUnwrap(uint96 amount, uint96 sent) public {
        uint256 a = uint256(amount) % 10 ether;
        uint256 s = a == 0 ? 0 : uint256(sent) % (a + 1);
        Account alice = new Account{value: a}(w);
        Account bob = new Account(w);
        alice.wrap(a);
        require(w.balanceOf(address(alice)) == a && address(w).balance == a, "wrapped 1:1");
        alice.send(address(bob), s);
        bob.unwrap(s);
        require(address(bob).balance == s && w.balanceOf(address(bob)) == 0, "unwrapped");
        require(w.totalSupply() == address(w).balance, "backed");
    }

    function test_unwrapToRefuser_reverts() public {
        Refuser r = new Refuser();
        bool ok = r.wrapAndUnwrap{value: 1 ether}(w);
        require(!ok, "unwrap to a contract refusing BTC must revert");
        require(w.balanceOf(address(r)) == 1 ether, "tokens kept");
    }

    function test_unwrapMoreThanBalance_reverts() public {
        (bool ok, ) = address(w).call(abi.encodeCall(WrappedBTC.unwrap, (1)));
        require(!ok, "nothing to unwrap");
    }
}
