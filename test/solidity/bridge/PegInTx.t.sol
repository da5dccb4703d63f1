// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {PegInTx} from "../../../contracts/bridge/PegInTx.sol";

/// @dev Exposes the library with calldata arguments.
contract PegInTxHarness {
    function parse(bytes calldata rawTx, bytes calldata pool) external pure returns (PegInTx.PegIn memory) {
        return PegInTx.parse(rawTx, pool);
    }
}

contract PegInTxTest {
    PegInTxHarness internal h = new PegInTxHarness();

    // A PegInConfirm built and signed by ts/bridge (devnet profile), witness stripped.
    bytes internal constant RAW =
        hex"020000000122e91ee79a200b0b9c7b22af6e597e1d6589f6b3ef25cef4cec0e7fbc768afcc0000000000feffffff02aa400f000000000022512063a1b0cb332309641995516a65dc2f0101cdae19293dc8a598322b7616f8884b00000000000000001b6a19424c564d0100000000000000000000000000000000000b17c000000000";
    bytes internal constant POOL = hex"512063a1b0cb332309641995516a65dc2f0101cdae19293dc8a598322b7616f8884b";
    // Display txid c600cf09…99fc, i.e. internal order:
    bytes32 internal constant TXID = 0xfc99fae7c271e590722fa1b00d79d4abfe1689e5d820bf8243322d9909cf00c6;

    function test_parse_pegInConfirm_succeeds() public view {
        PegInTx.PegIn memory p = h.parse(RAW, POOL);
        require(p.txid == TXID, "txid");
        require(p.amountSats == 999_594, "amount");
        require(p.recipient == address(0x00000000000000000000000000000000000B17C0), "recipient");
    }

    function test_parse_wrongPool_reverts() public view {
        bytes memory other = POOL;
        other[33] = 0x4c;
        _expectRevert(RAW, other, PegInTx.PegInTxNotPool.selector);
    }

    function test_parse_badTagMagic_reverts() public view {
        bytes memory raw = RAW;
        raw[101] = 0x43; // "BLVM" → "CLVM" (magic's first byte)
        _expectRevert(raw, POOL, PegInTx.PegInTxBadTag.selector);
    }

    function test_parse_witnessSerialization_reverts() public view {
        bytes memory raw = abi.encodePacked(bytes4(0x02000000), hex"0001", _slice(RAW, 4, RAW.length));
        _expectRevert(raw, POOL, PegInTx.PegInTxHasWitness.selector);
    }

    function test_parse_trailingBytes_reverts() public view {
        _expectRevert(abi.encodePacked(RAW, hex"00"), POOL, PegInTx.PegInTxTrailingBytes.selector);
    }

    function testFuzz_parse_truncated_reverts(uint256 cut) public view {
        cut = cut % RAW.length;
        (bool ok, ) = address(h).staticcall(
            abi.encodeCall(PegInTxHarness.parse, (_slice(RAW, 0, cut), POOL))
        );
        require(!ok, "truncated tx parsed");
    }

    function _expectRevert(bytes memory raw, bytes memory pool, bytes4 selector) internal view {
        (bool ok, bytes memory ret) = address(h).staticcall(
            abi.encodeCall(PegInTxHarness.parse, (raw, pool))
        );
        require(!ok, "did not revert");
        require(ret.length >= 4 && bytes4(ret) == selector, "wrong error");
    }

    function _slice(bytes memory b, uint256 from, uint256 to) internal pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = from; i < to; ++i) out[i - from] = b[i];
    }
}
