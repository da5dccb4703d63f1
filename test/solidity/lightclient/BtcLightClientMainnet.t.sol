// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BtcLightClient} from "../../../contracts/bitcoin/BtcLightClient.sol";
import {IBtcLightClient} from "../../../contracts/bitcoin/IBtcLightClient.sol";
import {LightClientTestBase} from "./LightClientTestBase.sol";
import {MainnetFixture} from "./MainnetFixture.sol";

/// @notice The light client under mainnet rules, fed real mainnet headers and transactions.
contract BtcLightClientMainnetTest is LightClientTestBase {
    /// @dev Work of one block at 0x1d00ffff: 2^256 / (0xffff·2^208 + 1).
    uint256 internal constant WORK_1D00FFFF = 4_295_032_833;

    BtcLightClient internal lc;
    bytes32 internal genesisHash;

    function setUp() public {
        lc = new BtcLightClient(MainnetFixture.GENESIS, 0, MAINNET_POW_LIMIT, true);
        genesisHash = hash256(MainnetFixture.GENESIS);
    }

    function header(uint256 height) internal pure returns (bytes memory) {
        return slice(MainnetFixture.HEADERS, (height - 1) * 80, height * 80);
    }

    function test_constructor_genesisIsTip_succeeds() public view {
        (bytes32 tip, uint256 height, uint256 work) = lc.bestBlock();
        // Display hash 000000000019d6…8ce26f in internal byte order.
        assertEq(tip, 0x6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000, "genesis hash");
        assertEq(height, 0, "height");
        assertEq(work, WORK_1D00FFFF, "work");
    }

    function test_submitHeaders_realMainnetBatch_succeeds() public {
        lc.submitHeaders(MainnetFixture.HEADERS);
        (bytes32 tip, uint256 height, uint256 work) = lc.bestBlock();
        assertEq(tip, MainnetFixture.LAST_HASH, "tip");
        assertEq(height, MainnetFixture.COUNT, "height");
        assertEq(work, (MainnetFixture.COUNT + 1) * WORK_1D00FFFF, "cumulative work");
        require(lc.isInBestChain(genesisHash, MainnetFixture.COUNT + 1), "genesis deeply confirmed");
        require(!lc.isInBestChain(genesisHash, MainnetFixture.COUNT + 2), "not deeper than the chain");
        require(lc.isInBestChain(MainnetFixture.LAST_HASH, 1), "tip has one confirmation");
    }

    function test_submitHeaders_smallBatchesAndResubmission_succeeds() public {
        for (uint256 from = 0; from < MainnetFixture.COUNT; from += 10) {
            uint256 to = from + 10 > MainnetFixture.COUNT ? MainnetFixture.COUNT : from + 10;
            lc.submitHeaders(slice(MainnetFixture.HEADERS, from * 80, to * 80));
        }
        // Resubmitting known headers is a no-op, not an error (relayer restarts rely on it).
        lc.submitHeaders(slice(MainnetFixture.HEADERS, 0, 800));
        (bytes32 tip, uint256 height, ) = lc.bestBlock();
        assertEq(tip, MainnetFixture.LAST_HASH, "tip");
        assertEq(height, MainnetFixture.COUNT, "height");
    }

    function test_submitHeaders_tamperedNonce_revertsLowWork() public {
        bytes memory h1 = header(1);
        h1[79] = bytes1(uint8(h1[79]) ^ 0x01);
        bytes32 h = hash256(h1);
        vm.expectRevert(
            abi.encodeWithSelector(IBtcLightClient.InsufficientProofOfWork.selector, 0, h, MAINNET_POW_LIMIT)
        );
        lc.submitHeaders(h1);
        (, uint256 height, ) = lc.bestBlock();
        assertEq(height, 0, "state unchanged");
    }

    function test_submitHeaders_easierBits_revertsUnexpectedBits() public {
        bytes memory h1 = header(1);
        h1[74] = 0xff; // bits 0x1d00ffff → 0x1dff ffff-ish: an easier target than the rules allow
        bytes32 h = hash256(h1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IBtcLightClient.UnexpectedBits.selector,
                0,
                h,
                uint32(0x1d00ffff),
                uint32(0x1dffffff)
            )
        );
        lc.submitHeaders(h1);
    }

    function test_submitHeaders_gap_revertsBrokenLink() public {
        bytes memory batch = bytes.concat(header(1), header(3));
        vm.expectRevert(
            abi.encodeWithSelector(
                IBtcLightClient.BrokenLink.selector,
                1,
                hash256(header(3)),
                hash256(header(1)),
                hash256(header(2))
            )
        );
        lc.submitHeaders(batch);
        (, uint256 height, ) = lc.bestBlock();
        assertEq(height, 0, "state unchanged after a failing batch");
    }

    function test_submitHeaders_unknownParent_reverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IBtcLightClient.UnknownParent.selector,
                0,
                hash256(header(2)),
                hash256(header(1)),
                0
            )
        );
        lc.submitHeaders(header(2));
    }

    function test_submitHeaders_badLength_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IBtcLightClient.HeaderBatchLength.selector, 79));
        lc.submitHeaders(slice(header(1), 0, 79));
        vm.expectRevert(abi.encodeWithSelector(IBtcLightClient.HeaderBatchLength.selector, 0));
        lc.submitHeaders("");
    }

    function test_verifyTx_realProofs_succeeds() public {
        lc.submitHeaders(MainnetFixture.HEADERS);
        MainnetFixture.Proof[] memory ps = MainnetFixture.proofs();
        require(ps.length > 0, "fixture has proofs");
        for (uint256 i = 0; i < ps.length; ++i) {
            MainnetFixture.Proof memory p = ps[i];
            uint256 confs = MainnetFixture.COUNT - p.height + 1;
            assertEq(lc.verifyTx(p.rawTx, p.header, p.index, p.branch, confs), p.txid, "txid");
        }
    }

    function test_verifyTx_tooFewConfirmations_reverts() public {
        lc.submitHeaders(MainnetFixture.HEADERS);
        MainnetFixture.Proof memory p = MainnetFixture.proofs()[0];
        uint256 confs = MainnetFixture.COUNT - p.height + 1;
        bytes32 bh = hash256(p.header);
        vm.expectRevert(
            abi.encodeWithSelector(
                IBtcLightClient.SpvInsufficientConfirmations.selector,
                bh,
                confs,
                confs + 1
            )
        );
        lc.verifyTx(p.rawTx, p.header, p.index, p.branch, confs + 1);
    }

    function test_verifyTx_wrongIndex_revertsMerkleMismatch() public {
        lc.submitHeaders(MainnetFixture.HEADERS);
        MainnetFixture.Proof memory p = MainnetFixture.proofs()[0];
        require(p.index == 1 && p.branch.length == 32, "fixture shape: second of two transactions");
        // Claimed at index 0, the transaction is hashed as the left child: a different root.
        bytes32 wrongRoot = hash256(abi.encodePacked(p.txid, p.branch));
        bytes32 realRoot = bytes32(slice(p.header, 36, 68));
        vm.expectRevert(
            abi.encodeWithSelector(IBtcLightClient.SpvMerkleMismatch.selector, p.txid, wrongRoot, realRoot)
        );
        lc.verifyTx(p.rawTx, p.header, 0, p.branch, 1);
    }

    function test_verifyTx_blockNotSubmitted_reverts() public {
        MainnetFixture.Proof memory p = MainnetFixture.proofs()[0];
        vm.expectRevert(
            abi.encodeWithSelector(IBtcLightClient.SpvBlockNotInBestChain.selector, hash256(p.header))
        );
        lc.verifyTx(p.rawTx, p.header, p.index, p.branch, 1);
    }

    function test_verifyTx_64ByteTx_reverts() public {
        lc.submitHeaders(MainnetFixture.HEADERS);
        MainnetFixture.Proof memory p = MainnetFixture.proofs()[0];
        // The concatenation of the two children of a Merkle node hashes to the node: as a
        // 64-byte "transaction" it would prove a fake leaf one level up. Refused by length.
        bytes32 txHash = hash256(p.rawTx);
        bytes memory fake =
            p.index & 1 == 1
                ? abi.encodePacked(slice(p.branch, 0, 32), txHash)
                : abi.encodePacked(txHash, slice(p.branch, 0, 32));
        vm.expectRevert(abi.encodeWithSelector(IBtcLightClient.SpvTxLength.selector, 64));
        lc.verifyTx(fake, p.header, 0, "", 1);
    }

    /// @notice Block 1 holds one transaction: its txid is the root and position 0 the only one.
    /// Position 1 with the coinbase as its own sibling is the copy Bitcoin's tree would pair an
    /// odd level's last node with: refused as past the transaction count.
    function test_verifyTx_block1PositionPastCount_revertsIndexPastTxCount() public {
        lc.submitHeaders(MainnetFixture.HEADERS);
        MainnetFixture.Proof memory p = MainnetFixture.block1Coinbase();
        assertEq(bytes32(slice(p.header, 36, 68)), p.txid, "one-transaction block: root is the txid");
        assertEq(lc.verifyTx(p.rawTx, p.header, 0, "", 1), p.txid, "coinbase at position 0");
        vm.expectRevert(abi.encodeWithSelector(IBtcLightClient.SpvIndexPastTxCount.selector, p.txid, 1, 0));
        lc.verifyTx(p.rawTx, p.header, 1, abi.encodePacked(p.txid), 1);
    }

    function test_chainWorkAt_beyondTip_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IBtcLightClient.HeightOutOfRange.selector, 1));
        lc.chainWorkAt(1);
    }
}
