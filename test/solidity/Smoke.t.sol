// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

contract SmokeTest {
    function test_addition_succeeds() public pure {
        require(1 + 1 == 2, "math");
    }

    function testFuzz_add(uint64 a, uint64 b) public pure {
        require(uint256(a) + uint256(b) >= a, "overflow");
    }
}
