// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BtcLightClient} from "../../../contracts/bitcoin/BtcLightClient.sol";
import {IBtcLightClient} from "../../../contracts/bitcoin/IBtcLightClient.sol";
import {LightClientTestBase} from "./LightClientTestBase.sol";

/**
 * @notice One proof, one position. Bitcoin's Merkle tree pairs the last node of an odd level
 * with itself, so a branch that climbs through that copy proves a transaction at a position past
 * the block's transaction count (mainnet block 830,000 has 1,851 transactions; a proof of its
 * last one also opens position 1,851). Each forged position below is first shown to reach the
 * header's root by a plain climb ({climb}, the rule-free reference), then the client must refuse
 * it with {SpvIndexPastTxCount} naming the level of the copy, while every real position passes.
 */
contract BtcLightClientSpvTest is LightClientTestBase {
    uint32 internal constant T0 = 1_600_000_000;

    /// @dev A plausible raw transaction (never 64 bytes) derived from `seed` and `i`.
    function fakeTx(uint256 seed, uint256 i) internal pure returns (bytes memory t) {
        uint256 len = 60 + (uint256(keccak256(abi.encode("len", seed, i))) % 104);
        if (len == 64) len = 65;
        t = new bytes(len);
        for (uint256 k = 0; k < len; k += 32) {
            bytes32 chunk = keccak256(abi.encode(seed, i, k));
            for (uint256 j = 0; j < 32 && k + j < len; ++j) t[k + j] = chunk[j];
        }
    }

    function leavesOf(uint256 seed, uint256 n) internal pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) leaves[i] = hash256(fakeTx(seed, i));
    }

    /// @dev The root a leaf and a branch imply, with no rule about positions: what a client
    /// without the duplicate check computes.
    function climb(bytes32 leaf, uint256 index, bytes memory branch) internal pure returns (bytes32 node) {
        node = leaf;
        for (uint256 k = 0; k < branch.length / 32; ++k) {
            bytes32 sibling = bytes32(slice(branch, 32 * k, 32 * k + 32));
            node =
                (index >> k) & 1 == 1
                    ? hash256(abi.encodePacked(sibling, node))
                    : hash256(abi.encodePacked(node, sibling));
        }
    }

    /// @dev A regtest client holding one block whose Merkle root is `root`.
    function clientWithRoot(bytes32 root) internal returns (BtcLightClient lc, bytes memory hdr) {
        bytes32 g;
        (lc, g) = regtestClient();
        (hdr, ) = mineWithRoot(g, root, T0, REGTEST_BITS);
        lc.submitHeaders(hdr);
    }

    /// @dev Asserts that position `forged` with `branch` reaches the block's root (the ambiguity is
    /// real) and that the client refuses it at `level`.
    function expectRefused(
        BtcLightClient lc,
        bytes memory hdr,
        bytes memory rawTx,
        uint256 forged,
        bytes memory branch,
        uint256 level
    ) internal {
        bytes32 txid = hash256(rawTx);
        assertEq(climb(txid, forged, branch), bytes32(slice(hdr, 36, 68)), "forged branch reaches the root");
        vm.expectRevert(
            abi.encodeWithSelector(IBtcLightClient.SpvIndexPastTxCount.selector, txid, forged, level)
        );
        lc.verifyTx(rawTx, hdr, forged, branch, 1);
    }

    /// @notice The shape of mainnet block 830,000: 1,851 transactions. The last one (1,850) is a
    /// left child paired with itself: accepted. Position 1,851 with the same branch is its copy.
    function test_verifyTx_1851Transactions_position1851Refused() public {
        uint256 seed = 830_000;
        bytes32[] memory leaves = leavesOf(seed, 1851);
        (bytes32 root, bytes memory branch) = merkle(leaves, 1850);
        (BtcLightClient lc, bytes memory hdr) = clientWithRoot(root);
        bytes memory last = fakeTx(seed, 1850);
        assertEq(lc.verifyTx(last, hdr, 1850, branch, 1), leaves[1850], "last transaction accepted");
        expectRefused(lc, hdr, last, 1851, branch, 0);
        // Every other real position still verifies (a sample across the tree).
        for (uint256 i = 0; i < 1851; i += 185) {
            (, bytes memory b) = merkle(leaves, i);
            assertEq(lc.verifyTx(fakeTx(seed, i), hdr, i, b, 1), leaves[i], "real position accepted");
        }
    }

    /// @notice Five transactions: the last one's ancestors are copied at levels 0 and 1, so
    /// positions 5, 6 and 7 all climb to the root; each is refused at its lowest copy.
    function test_verifyTx_copiesAtTwoLevels_allRefused() public {
        bytes32[] memory leaves = leavesOf(5, 5);
        (bytes32 root, bytes memory branch) = merkle(leaves, 4);
        (BtcLightClient lc, bytes memory hdr) = clientWithRoot(root);
        bytes memory t = fakeTx(5, 4);
        assertEq(lc.verifyTx(t, hdr, 4, branch, 1), leaves[4], "position 4 accepted");
        expectRefused(lc, hdr, t, 5, branch, 0);
        expectRefused(lc, hdr, t, 6, branch, 1);
        expectRefused(lc, hdr, t, 7, branch, 0);
    }

    /// @notice Three transactions: the copy of the third is the right sibling only at level 0;
    /// position 1 (a real right child, sibling different) is unaffected.
    function test_verifyTx_threeTransactions_onlyThePastCountPositionRefused() public {
        bytes32[] memory leaves = leavesOf(3, 3);
        (bytes32 root, bytes memory b2) = merkle(leaves, 2);
        (, bytes memory b1) = merkle(leaves, 1);
        (BtcLightClient lc, bytes memory hdr) = clientWithRoot(root);
        assertEq(lc.verifyTx(fakeTx(3, 1), hdr, 1, b1, 1), leaves[1], "position 1 accepted");
        assertEq(lc.verifyTx(fakeTx(3, 2), hdr, 2, b2, 1), leaves[2], "position 2 accepted");
        expectRefused(lc, hdr, fakeTx(3, 2), 3, b2, 0);
    }

    /**
     * @notice Random trees (odd and even sizes up to 300): from a real proof of position `i`,
     * every level where the running node is a left child paired with itself opens the forged
     * position `i | 2^k` with the very same branch. Each must reach the root by a plain climb
     * and be refused at level k; the last transaction of an odd-sized tree always has one.
     */
    /// hardhat-config: fuzz.runs = 48
    function testFuzz_verifyTx_positionsPastCount_refused(uint256 seed, uint16 nTx, uint16 idx) public {
        uint256 n = 2 + (uint256(nTx) % 299);
        bytes32[] memory leaves = leavesOf(seed, n);
        (bytes32 root, ) = merkle(leaves, 0);
        (BtcLightClient lc, bytes memory hdr) = clientWithRoot(root);
        uint256[2] memory picks = [uint256(idx) % n, n - 1];
        uint256 forgedCount = 0;
        for (uint256 p = 0; p < 2; ++p) {
            uint256 i = picks[p];
            (, bytes memory branch) = merkle(leaves, i);
            bytes memory t = fakeTx(seed, i);
            assertEq(lc.verifyTx(t, hdr, i, branch, 1), leaves[i], "real position accepted");
            bytes32 node = leaves[i];
            for (uint256 k = 0; k < branch.length / 32; ++k) {
                bytes32 sibling = bytes32(slice(branch, 32 * k, 32 * k + 32));
                bool right = (i >> k) & 1 == 1;
                if (!right && sibling == node) {
                    expectRefused(lc, hdr, t, i | (uint256(1) << k), branch, k);
                    ++forgedCount;
                }
                node =
                    right
                        ? hash256(abi.encodePacked(sibling, node))
                        : hash256(abi.encodePacked(node, sibling));
            }
        }
        if (n % 2 == 1) require(forgedCount > 0, "an odd tree's last transaction has a copy");
    }
}
