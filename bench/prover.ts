/**
 * `npm run bench -- prover [ptau]`: the LVM prover's circuits. Constraints per circuit, witness +
 * Groth16 prove seconds per batch size (1, 8, 32 withdrawals) and per withdrawal, and the gas of
 * one verifying transaction on EDR for each back end (Groth16: batch of 8; PLONK: the example
 * Merkle circuit, as the batch circuits exceed pot16 under PLONK).
 */
import path from "node:path";

import { network, tasks } from "hardhat";

import {
  PoseidonMerkleTree,
  REPO_ROOT,
  WithdrawalTree,
  asGroth16,
  createProver,
  groth16Calldata,
  merkleInclusionInput,
  plonkCalldata,
  releaseZk,
  toField,
  type Groth16Proof,
} from "../ts/zk/index.js";

export default async function proverBench(args: string[]): Promise<Record<string, unknown>> {
  const ptau = args[0] ?? path.resolve(REPO_ROOT, "..", "shared", "ptau", "pot16.ptau");
  // A private cache so proofs are computed, not looked up (keys are reused: setup is not measured here).
  const cacheDir = path.join(REPO_ROOT, "build", "zk");
  const out: Record<string, unknown> = {};
  try {
    let batch8Proof: Groth16Proof | undefined;
    for (const n of [1, 8, 32]) {
      const prover = createProver({
        circuit: `circuits/withdrawal_batch_${n}.circom`,
        backend: "groth16",
        ptau,
        cacheDir,
      });
      const keys = await prover.setup();
      // Fresh ids per run keep proofs out of the cache; the first proof per circuit is a warm-up
      // (wasm instantiation, curve worker threads) and is not timed.
      const salt = BigInt(Date.now());
      const batchOf = (k: bigint) =>
        new WithdrawalTree(n).appendBatch(
          Array.from({ length: n }, (_, i) => ({
            id: toField(salt * 1000n + k * 100n + BigInt(i)),
            amount: 10_000n,
            spkHash: toField(7),
          })),
        );
      await prover.prove(batchOf(1n).inputs);
      const w = batchOf(2n);
      const t = performance.now();
      const proof = await prover.prove(w.inputs);
      const s = (performance.now() - t) / 1000;
      out[`batch${n}_constraints`] = keys.circuit.constraints;
      out[`batch${n}_prove_s`] = +s.toFixed(2);
      out[`batch${n}_prove_s_per_withdrawal`] = +(s / n).toFixed(3);
      if (n === 8) batch8Proof = asGroth16(proof);
    }
    const claim = await createProver({
      circuit: "circuits/payout_claim.circom",
      backend: "groth16",
      ptau,
    }).setup();
    out.payout_claim_constraints = claim.circuit.constraints;

    await tasks.getTask("build").run({ quiet: true });
    const { ethers } = await network.create();
    const [signer] = await ethers.getSigners();
    const g = await ethers.deployContract("WithdrawalBatch8Verifier");
    const cd = groth16Calldata(batch8Proof as Groth16Proof);
    const gTx = await signer.sendTransaction({
      to: await g.getAddress(),
      data: g.interface.encodeFunctionData("verifyProof", [cd.a, cd.b, cd.c, [cd.pub[0]]]),
    });
    out.groth16_verify_gas_per_tx_1_public_input = Number((await gTx.wait())?.gasUsed ?? -1);

    const plonk = createProver({ circuit: "circuits/merkle_inclusion.circom", backend: "plonk", ptau });
    const tree = new PoseidonMerkleTree(20);
    tree.append(toField(BigInt(Date.now())));
    const t = performance.now();
    const pp = await plonk.prove(merkleInclusionInput(tree.path(0)));
    out.plonk_merkle20_prove_s = +((performance.now() - t) / 1000).toFixed(2);
    const pcd = await plonkCalldata(pp);
    const p = await ethers.deployContract("MerkleInclusionPlonkVerifier");
    const pTx = await signer.sendTransaction({
      to: await p.getAddress(),
      data: p.interface.encodeFunctionData("verifyProof", [pcd.proof, [pcd.pub[0], pcd.pub[1]]]),
    });
    out.plonk_verify_gas_per_tx_2_public_inputs = Number((await pTx.wait())?.gasUsed ?? -1);
    return out;
  } finally {
    await releaseZk();
  }
}
