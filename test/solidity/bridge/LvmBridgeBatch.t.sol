// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IWithdrawalBatchVerifier, LvmBridge} from "../../../contracts/bridge/LvmBridge.sol";
import {WithdrawalBatch8Verifier} from "../../../contracts/zk/WithdrawalBatch8Verifier.sol";
import {ProofFixture} from "../zk/ProofFixture.sol";

contract GovernedBridge is LvmBridge {
    constructor(address g) {
        bytes32 slot = GOVERNOR_SLOT;
        assembly {
            sstore(slot, g)
        }
    }
}

/// @dev The bridge verifying the LVM prover's batch proofs with the generated verifier.
contract LvmBridgeBatchTest {
    GovernedBridge internal bridge = new GovernedBridge(address(this));
    IWithdrawalBatchVerifier internal verifier = IWithdrawalBatchVerifier(
        address(new WithdrawalBatch8Verifier())
    );

    function _record(ProofFixture.Groth16Proof memory p) internal returns (bool ok, bytes memory ret) {
        (ok, ret) = address(bridge).call(
            abi.encodeCall(LvmBridge.recordBatchProof, (p.a, p.b, p.c, p.pub[0]))
        );
    }

    function test_realProof_recordedOnce() public {
        ProofFixture.Groth16Proof memory p = ProofFixture.batch8();
        (bool ok, bytes memory ret) = _record(p);
        require(!ok && bytes4(ret) == LvmBridge.BatchVerifierNotSet.selector, "verifier not set yet");
        bridge.setBatchVerifier(verifier);
        (ok, ) = _record(p);
        require(ok && bridge.provenBatches(p.pub[0]), "real proof recorded");
        (ok, ret) = _record(p);
        require(!ok && bytes4(ret) == LvmBridge.BatchAlreadyProven.selector, "once");
    }

    function testFuzz_tamperedProofOrCommitment_reverts(uint8 word, uint256 mask) public {
        bridge.setBatchVerifier(verifier);
        ProofFixture.Groth16Proof memory p = ProofFixture.batch8();
        mask = mask == 0 ? 1 : mask;
        word = word % 9;
        if (word < 2) p.a[word] ^= mask;
        else if (word < 6) p.b[(word - 2) / 2][(word - 2) % 2] ^= mask;
        else if (word < 8) p.c[word - 6] ^= mask;
        else p.pub[0] ^= mask;
        (bool ok, bytes memory ret) = _record(p);
        require(!ok && bytes4(ret) == LvmBridge.InvalidBatchProof.selector, "tampered proof recorded");
        require(!bridge.provenBatches(p.pub[0]), "nothing recorded");
    }

    function test_setBatchVerifier_governorOnce() public {
        GovernedBridge other = new GovernedBridge(address(0xBEEF));
        (bool ok, bytes memory ret) = address(other).call(
            abi.encodeCall(LvmBridge.setBatchVerifier, (verifier))
        );
        require(!ok && bytes4(ret) == LvmBridge.NotGovernor.selector, "not governor");
        bridge.setBatchVerifier(verifier);
        (ok, ret) = address(bridge).call(abi.encodeCall(LvmBridge.setBatchVerifier, (verifier)));
        require(!ok && bytes4(ret) == LvmBridge.BatchVerifierAlreadySet.selector, "once");
    }
}
