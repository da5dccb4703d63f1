// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BtcLightClient} from "../../../contracts/bitcoin/BtcLightClient.sol";

/// @dev The cheatcodes these tests use (forge-std from npm is unusable here).
interface LcVm {
    function expectRevert(bytes calldata revertData) external;

    function expectRevert() external;

    function expectEmit(bool t1, bool t2, bool t3, bool data, address emitter) external;
}

/// @dev Header construction and mining for synthetic chains under easy targets.
abstract contract LightClientTestBase {
    LcVm internal constant vm = LcVm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    uint32 internal constant REGTEST_BITS = 0x207fffff;
    uint256 internal constant REGTEST_POW_LIMIT = uint256(0x7fffff) << 232;
    uint256 internal constant MAINNET_POW_LIMIT = uint256(0xffff) << 208;

    uint256 private _salt;

    function le32(uint32 v) internal pure returns (bytes4) {
        return bytes4(uint32((v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24)));
    }

    function hash256(bytes memory b) internal pure returns (bytes32) {
        return sha256(abi.encodePacked(sha256(b)));
    }

    function powValue(bytes32 h) internal pure returns (uint256 v) {
        for (uint256 i = 0; i < 32; ++i) v |= uint256(uint8(h[i])) << (8 * i);
    }

    function targetOf(uint32 bits) internal pure returns (uint256) {
        return uint256(bits & 0xffffff) << (8 * ((bits >> 24) - 3));
    }

    function encodeHeader(
        bytes32 prev,
        bytes32 merkleRoot,
        uint32 time,
        uint32 bits,
        uint32 nonce
    ) internal pure returns (bytes memory) {
        return abi.encodePacked(le32(4), prev, merkleRoot, le32(time), le32(bits), le32(nonce));
    }

    /// @dev Finds a nonce meeting `bits`; the merkle root is salted so every header is unique.
    function mine(bytes32 prev, uint32 time, uint32 bits) internal returns (bytes memory hdr, bytes32 h) {
        return mineWithRoot(prev, keccak256(abi.encode("root", ++_salt)), time, bits);
    }

    function mineWithRoot(
        bytes32 prev,
        bytes32 root,
        uint32 time,
        uint32 bits
    ) internal pure returns (bytes memory hdr, bytes32 h) {
        uint256 target = targetOf(bits);
        hdr = encodeHeader(prev, root, time, bits, 0);
        // The nonce is rewritten in place: allocating a header per attempt exhausts memory.
        for (uint32 nonce = 0; ; ++nonce) {
            bytes4 n = le32(nonce);
            for (uint256 k = 0; k < 4; ++k) hdr[76 + k] = n[k];
            h = hash256(hdr);
            if (powValue(h) <= target) return (hdr, h);
        }
    }

    /// @dev A header that fails its target (searches for a nonce that misses it).
    function mineFailing(
        bytes32 prev,
        uint32 time,
        uint32 bits
    ) internal pure returns (bytes memory hdr, bytes32 h) {
        uint256 target = targetOf(bits);
        for (uint32 nonce = 0; ; ++nonce) {
            hdr = encodeHeader(prev, bytes32(uint256(1)), time, bits, nonce);
            h = hash256(hdr);
            if (powValue(h) > target) return (hdr, h);
        }
    }

    /// @dev Mines `count` headers on `prev` at regtest difficulty; returns the batch and hashes.
    function mineChain(
        bytes32 prev,
        uint256 count,
        uint32 startTime
    ) internal returns (bytes memory batch, bytes32[] memory hashes) {
        hashes = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) {
            (bytes memory hdr, bytes32 h) = mine(prev, startTime + uint32(i) * 600, REGTEST_BITS);
            batch = bytes.concat(batch, hdr);
            hashes[i] = h;
            prev = h;
        }
    }

    function regtestClient() internal returns (BtcLightClient lc, bytes32 genesis) {
        (bytes memory g, bytes32 h) = mine(bytes32(0), 1_296_688_602, REGTEST_BITS);
        lc = new BtcLightClient(g, 0, REGTEST_POW_LIMIT, false);
        genesis = h;
    }

    /// @dev Builds a Merkle tree over `leaves` (Bitcoin's: odd levels duplicate their last node)
    /// and returns the root and the branch of `index`.
    function merkle(
        bytes32[] memory leaves,
        uint256 index
    ) internal pure returns (bytes32, bytes memory branch) {
        bytes32[] memory level = leaves;
        while (level.length > 1) {
            uint256 n = (level.length + 1) / 2;
            bytes32[] memory next = new bytes32[](n);
            uint256 sib = index ^ 1;
            branch = bytes.concat(branch, sib < level.length ? level[sib] : level[index]);
            for (uint256 k = 0; k < n; ++k) {
                bytes32 l = level[2 * k];
                bytes32 r = 2 * k + 1 < level.length ? level[2 * k + 1] : l;
                next[k] = hash256(abi.encodePacked(l, r));
            }
            level = next;
            index >>= 1;
        }
        return (level[0], branch);
    }

    function slice(bytes memory b, uint256 from, uint256 to) internal pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = from; i < to; ++i) out[i - from] = b[i];
    }

    function assertEq(uint256 a, uint256 b, string memory what) internal pure {
        require(a == b, what);
    }

    function assertEq(bytes32 a, bytes32 b, string memory what) internal pure {
        require(a == b, what);
    }
}
