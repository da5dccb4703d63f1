/** The withdrawal-batch circuit's Groth16 verifier (contracts/zk/WithdrawalBatch8Verifier.sol). */
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

export default buildModule("BatchVerifier", (m) => {
  const batchVerifier = m.contract("WithdrawalBatch8Verifier");
  return { batchVerifier };
});
