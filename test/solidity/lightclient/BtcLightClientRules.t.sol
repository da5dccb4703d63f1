// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BtcLightClient} from "../../../contracts/bitcoin/BtcLightClient.sol";
import {IBtcLightClient} from "../../../contracts/bitcoin/IBtcLightClient.sol";
import {BtcHeaders} from "../../../contracts/bitcoin/BtcHeaders.sol";
import {LightClientTestBase} from "./LightClientTestBase.sol";

/**
 * @notice Difficulty retargets (mainnet rules under an easy powLimit so headers can be mined
 * in the test), forks and reorgs, and fuzzed Merkle branches.
 */
contract BtcLightClientRulesTest is LightClientTestBase {
    uint32 internal constant T0 = 1_600_000_000;

    /// @dev A retargeting client whose epoch 0 is mined with `spacing` seconds between blocks;
    /// returns the hash of block 2015, the epoch's last.
    function epochZero(uint32 spacing) internal returns (BtcLightClient lc, bytes32 last) {
        (bytes memory g, bytes32 prev) = mine(bytes32(0), T0, REGTEST_BITS);
        lc = new BtcLightClient(g, 0, REGTEST_POW_LIMIT, true);
        for (uint256 part = 0; part < 5; ++part) {
            bytes memory batch = new bytes(403 * 80);
            uint256 from = 1 + part * 403;
            for (uint256 h = from; h < from + 403; ++h) {
                bytes memory hdr;
                (hdr, prev) = mine(prev, T0 + uint32(h) * spacing, REGTEST_BITS);
                uint256 at = (h - from) * 80;
                for (uint256 k = 0; k < 80; ++k) batch[at + k] = hdr[k];
            }
            lc.submitHeaders(batch);
        }
        (bytes32 tip, uint256 height, ) = lc.bestBlock();
        assertEq(height, 2015, "epoch zero complete");
        return (lc, tip);
    }

    function test_retarget_halfTimespan_roundsLikeCore() public {
        (BtcLightClient lc, bytes32 last) = epochZero(300);
        // Core: powLimit · (2015·300) / 1,209,600, truncated to a 3-byte mantissa = 0x203ff7de.
        // Measuring 2,016 intervals instead (fixing Core's off-by-one) would give 0x203fffff.
        (bytes memory forged, bytes32 fh) = mine(last, T0 + 2016 * 300, 0x203fffff);
        vm.expectRevert(
            abi.encodeWithSelector(
                IBtcLightClient.UnexpectedBits.selector,
                0,
                fh,
                uint32(0x203ff7de),
                uint32(0x203fffff)
            )
        );
        lc.submitHeaders(forged);

        (bytes memory ok, bytes32 okHash) = mine(last, T0 + 2016 * 300, 0x203ff7de);
        lc.submitHeaders(ok);
        (bytes32 tip, uint256 height, uint256 work) = lc.bestBlock();
        assertEq(tip, okHash, "retarget header accepted");
        assertEq(height, 2016, "height");
        // Epoch 0: 2,016 blocks of work 2; then one block at the new target.
        uint256 newTarget = uint256(0x3ff7de) << 232;
        assertEq(work, 2016 * 2 + ((~newTarget) / (newTarget + 1) + 1), "work adds up per target");
    }

    function test_retarget_forgedEasierTarget_reverts() public {
        (BtcLightClient lc, bytes32 last) = epochZero(150);
        // Blocks came 4x too fast: the target must quarter (clamp), not stay at powLimit.
        (bytes memory forged, bytes32 fh) = mine(last, T0 + 2016 * 150, REGTEST_BITS);
        vm.expectRevert(
            abi.encodeWithSelector(
                IBtcLightClient.UnexpectedBits.selector,
                0,
                fh,
                uint32(0x201fffff),
                REGTEST_BITS
            )
        );
        lc.submitHeaders(forged);
        (, uint256 height, ) = lc.bestBlock();
        assertEq(height, 2015, "state unchanged");
    }

    function test_retarget_slowBlocks_clampAtPowLimit_succeeds() public {
        (BtcLightClient lc, bytes32 last) = epochZero(6000);
        // 10x slower: the 4x clamp then powLimit cap keep the easiest target.
        (bytes memory hdr, bytes32 h) = mine(last, T0 + 2016 * 6000, REGTEST_BITS);
        lc.submitHeaders(hdr);
        require(lc.isInBestChain(h, 1), "accepted at powLimit");
    }

    function test_regtest_noRetarget_keepsBits_succeeds() public {
        (BtcLightClient lc, bytes32 g) = regtestClient();
        (bytes memory batch, bytes32[] memory hs) = mineChain(g, 3, T0);
        lc.submitHeaders(batch);
        require(lc.isInBestChain(hs[2], 1) && lc.isInBestChain(g, 4), "chain of 4");
        (bytes memory other, bytes32 oh) = mine(hs[2], T0, 0x201fffff);
        vm.expectRevert(
            abi.encodeWithSelector(
                IBtcLightClient.UnexpectedBits.selector,
                0,
                oh,
                REGTEST_BITS,
                uint32(0x201fffff)
            )
        );
        lc.submitHeaders(other);
    }

    function test_constructor_badCheckpoint_reverts() public {
        (bytes memory g, bytes32 h) = mine(bytes32(0), T0, REGTEST_BITS);
        vm.expectRevert(
            abi.encodeWithSelector(IBtcLightClient.BadCheckpoint.selector, h, "not an epoch start")
        );
        new BtcLightClient(g, 5, REGTEST_POW_LIMIT, true);
        vm.expectRevert(abi.encodeWithSelector(IBtcLightClient.BadCheckpoint.selector, h, "bits"));
        new BtcLightClient(g, 0, MAINNET_POW_LIMIT, true);
    }

    function test_submitHeaders_forkOvertakes_reorgs() public {
        (BtcLightClient lc, bytes32 g) = regtestClient();
        (bytes memory a, bytes32[] memory ah) = mineChain(g, 5, T0);
        lc.submitHeaders(a);

        // Branch B from A2 (height 2) reaching height 5: equal work, first seen wins.
        (bytes memory b, bytes32[] memory bh) = mineChain(ah[1], 4, T0 + 7);
        bytes memory b3 = slice(b, 0, 240);
        vm.expectRevert(abi.encodeWithSelector(IBtcLightClient.ForkNotHeavier.selector, bh[2], 12, 12));
        lc.submitHeaders(b3);

        // Height 6: heavier. The old branch above the fork point leaves the best chain.
        vm.expectEmit(true, true, false, true, address(lc));
        emit IBtcLightClient.Reorg(ah[4], bh[3], 2, 5, 6);
        lc.submitHeaders(b);
        (bytes32 tip, uint256 height, uint256 work) = lc.bestBlock();
        assertEq(tip, bh[3], "tip is B's");
        assertEq(height, 6, "height");
        assertEq(work, 14, "work");
        require(lc.isInBestChain(ah[1], 5), "common ancestor stays");
        require(!lc.isInBestChain(ah[2], 1) && !lc.isInBestChain(ah[4], 1), "A3..A5 stale");
        require(lc.isInBestChain(bh[0], 4), "B1 best");

        // A stale header no longer serves as a parent.
        (bytes memory a6, bytes32 a6h) = mine(ah[4], T0, REGTEST_BITS);
        vm.expectRevert(abi.encodeWithSelector(IBtcLightClient.UnknownParent.selector, 0, a6h, ah[4], 5));
        lc.submitHeaders(a6);

        // A comes back whole from the fork point and overtakes again: A3..A5 are best once more.
        bytes memory aBack = bytes.concat(slice(a, 160, 400), a6);
        (bytes memory a7, bytes32 a7h) = mine(a6h, T0, REGTEST_BITS);
        aBack = bytes.concat(aBack, a7);
        lc.submitHeaders(aBack);
        (tip, height, ) = lc.bestBlock();
        assertEq(tip, a7h, "A tip");
        assertEq(height, 7, "height 7");
        require(lc.isInBestChain(ah[2], 5) && !lc.isInBestChain(bh[0], 1), "A best, B stale");
    }

    /// hardhat-config: fuzz.runs = 64
    function testFuzz_verifyTx_randomTrees(uint256 seed, uint8 nTx, uint8 idx, uint16 flip) public {
        uint256 n = 1 + (uint256(nTx) % 40);
        uint256 index = uint256(idx) % n;
        bytes memory rawTx;
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; ++i) {
            // Lengths 60..163, never 64, so every leaf is a plausible transaction.
            uint256 len = 60 + (uint256(keccak256(abi.encode(seed, i))) % 104);
            if (len == 64) len = 65;
            bytes memory t = new bytes(len);
            for (uint256 k = 0; k < len; k += 32) {
                bytes32 chunk = keccak256(abi.encode(seed, i, k));
                for (uint256 j = 0; j < 32 && k + j < len; ++j) t[k + j] = chunk[j];
            }
            leaves[i] = hash256(t);
            if (i == index) rawTx = t;
        }
        (bytes32 root, bytes memory branch) = merkle(leaves, index);
        (BtcLightClient lc, bytes32 g) = regtestClient();
        (bytes memory hdr, ) = mineWithRoot(g, root, T0, REGTEST_BITS);
        lc.submitHeaders(hdr);
        assertEq(lc.verifyTx(rawTx, hdr, index, branch, 1), leaves[index], "valid proof accepted");

        if (branch.length == 0) return;
        // Any flipped bit of the branch must break the proof.
        uint256 bit = uint256(flip) % (branch.length * 8);
        branch[bit / 8] = bytes1(uint8(branch[bit / 8]) ^ uint8(1 << (bit % 8)));
        vm.expectRevert();
        lc.verifyTx(rawTx, hdr, index, branch, 1);
    }

    /// hardhat-config: fuzz.runs = 64
    function testFuzz_verifyTx_indexOutsideTree_reverts(uint256 index, uint8 depth) public {
        uint256 d = uint256(depth) % 12;
        if (index >> d == 0) index |= uint256(1) << d;
        (BtcLightClient lc, bytes32 g) = regtestClient();
        bytes memory rawTx = new bytes(100);
        (bytes memory hdr, ) = mineWithRoot(g, hash256(rawTx), T0, REGTEST_BITS);
        lc.submitHeaders(hdr);
        bytes memory branch = new bytes(32 * d);
        vm.expectRevert(
            abi.encodeWithSelector(
                IBtcLightClient.SpvBadBranch.selector,
                hash256(rawTx),
                index,
                branch.length
            )
        );
        lc.verifyTx(rawTx, hdr, index, branch, 1);
    }

    function test_submitHeaders_knownThenUnlinked_revertsBrokenLink() public {
        (BtcLightClient lc, bytes32 g) = regtestClient();
        (bytes memory a, bytes32[] memory ah) = mineChain(g, 4, T0);
        lc.submitHeaders(a);
        // A4 is known; the next header descends from A2, not A4: the batch is not one chain.
        (bytes memory x, bytes32 xh) = mine(ah[1], T0, REGTEST_BITS);
        vm.expectRevert(abi.encodeWithSelector(IBtcLightClient.BrokenLink.selector, 1, xh, ah[3], ah[1]));
        lc.submitHeaders(bytes.concat(slice(a, 240, 320), x));
    }

    /// @dev Compact-encoding facts (Core's SetCompact/GetCompact semantics).
    function test_compact_knownValues_matchCore() public pure {
        assertEq(BtcHeaders.bitsToTarget(0x01123456), 0x12, "0x01123456");
        assertEq(BtcHeaders.bitsToTarget(0x02123456), 0x1234, "0x02123456");
        assertEq(BtcHeaders.bitsToTarget(0x03123456), 0x123456, "0x03123456");
        assertEq(BtcHeaders.bitsToTarget(0x04123456), 0x12345600, "0x04123456");
        assertEq(BtcHeaders.bitsToTarget(0x05009234), 0x92340000, "0x05009234");
        assertEq(BtcHeaders.bitsToTarget(0x20123456), uint256(0x123456) << 232, "0x20123456");
        assertEq(BtcHeaders.bitsToTarget(0x1d00ffff), uint256(0xffff) << 208, "mainnet powLimit");
        assertEq(BtcHeaders.bitsToTarget(0x04923456), 0, "negative");
        assertEq(BtcHeaders.bitsToTarget(0xff123456), 0, "overflow");
        assertEq(BtcHeaders.bitsToTarget(0x01003456), 0, "underflows to zero");
        require(BtcHeaders.targetToBits(0x12) == 0x01120000, "GetCompact 0x12");
        require(BtcHeaders.targetToBits(0x80) == 0x02008000, "GetCompact 0x80 avoids the sign bit");
        require(BtcHeaders.targetToBits(0x12345600) == 0x04123456, "GetCompact 0x12345600");
        require(BtcHeaders.targetToBits(0x92340000) == 0x05009234, "GetCompact 0x92340000");
        require(BtcHeaders.targetToBits(uint256(0xffff) << 208) == 0x1d00ffff, "GetCompact powLimit");
    }

    /// @dev Encoding then decoding truncates to the top three bytes and never rounds up.
    function testFuzz_compact_roundTripTruncates(uint256 target) public pure {
        if (target == 0) return;
        uint256 back = BtcHeaders.bitsToTarget(BtcHeaders.targetToBits(target));
        uint256 size = 0;
        for (uint256 t = target; t != 0; t >>= 8) ++size;
        // A top byte ≥ 0x80 would set the sign bit: GetCompact keeps one byte less then.
        uint256 kept = (target >> (8 * (size - 1))) >= 0x80 ? 2 : 3;
        uint256 unit = size > kept ? uint256(1) << (8 * (size - kept)) : 1;
        require(back <= target && target - back < unit, "truncated to the mantissa");
    }
}
