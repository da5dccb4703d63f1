/**
 * `npm run bench -- zk [ptau]`: the pipeline on the example circuit (Poseidon Merkle inclusion,
 * depth 20): constraints, uncached Groth16 setup, witness + prove, JS verify, on-chain verify gas.
 */
import { rm } from "node:fs/promises";
import path from "node:path";

import { network, tasks } from "hardhat";

import {
  BUILD_DIR,
  PoseidonMerkleTree,
  compileCircuit,
  groth16Calldata,
  merkleInclusionInput,
  proveGroth16,
  releaseZk,
  resolvePtau,
  setupGroth16,
  findPtau,
  toField,
  verifyGroth16,
} from "../ts/zk/index.js";

export default async function zkBench(args: string[]): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const circuit = await compileCircuit("circuits/merkle_inclusion.circom");
  const compileS = (performance.now() - t0) / 1000;
  const ptau = await resolvePtau(circuit, args[0] ?? findPtau(16));

  // A private cache directory so the setup is measured, not looked up.
  const scratch = path.join(BUILD_DIR, `bench-${process.pid}`);
  try {
    const t1 = performance.now();
    const setup = await setupGroth16(circuit, ptau, undefined, scratch);
    const setupS = (performance.now() - t1) / 1000;

    const tree = new PoseidonMerkleTree(20);
    for (let i = 0; i < 16; i++) tree.append(toField(1n + BigInt(i)));
    const input = merkleInclusionInput(tree.path(11));
    await proveGroth16(setup, input); // warm-up: wasm instantiation and curve threads
    const runs = 3;
    const t2 = performance.now();
    let proof = await proveGroth16(setup, input);
    for (let i = 1; i < runs; i++) proof = await proveGroth16(setup, input);
    const proveS = (performance.now() - t2) / 1000 / runs;

    const t3 = performance.now();
    const ok = await verifyGroth16(setup.vkey, proof);
    const verifyMs = performance.now() - t3;
    if (!ok) throw new Error("bench: the proof does not verify");

    await tasks.getTask("build").run({ quiet: true });
    const { ethers } = await network.create();
    const verifier = await ethers.deployContract("MerkleInclusionVerifier");
    const cd = groth16Calldata(proof);
    const [signer] = await ethers.getSigners();
    const tx = await signer.sendTransaction({
      to: await verifier.getAddress(),
      data: verifier.interface.encodeFunctionData("verifyProof", [
        cd.a,
        cd.b,
        cd.c,
        cd.pub as [bigint, bigint],
      ]),
    });
    const receipt = await tx.wait();

    return {
      circuit: circuit.source,
      constraints: circuit.constraints,
      public_inputs: circuit.publicInputs,
      ptau: path.basename(ptau),
      compile_s: +compileS.toFixed(2),
      setup_s: +setupS.toFixed(2),
      prove_s: +proveS.toFixed(3),
      verify_ms: +verifyMs.toFixed(1),
      onchain_verify_gas_per_tx: Number(receipt?.gasUsed ?? -1),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await releaseZk();
  }
}
