import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import {
  BUILD_DIR,
  PayoutsTree,
  PoseidonMerkleTree,
  REPO_ROOT,
  WithdrawalTree,
  ZkError,
  asGroth16,
  createProver,
  groth16Calldata,
  merkleInclusionInput,
  plonkCalldata,
  releaseZk,
  toField,
  type Proof,
  type Prover,
  type Withdrawal,
} from "../../ts/zk/index.js";

const PTAU = path.resolve(REPO_ROOT, "..", "shared", "ptau", "pot16.ptau");

async function expectZkError(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(ZkError);
    expect((err as ZkError).code).to.equal(code);
    return;
  }
  expect.fail(`expected ZkError ${code}`);
}

const withdrawal = (i: number): Withdrawal => ({
  id: toField(1_000 + i),
  amount: 50_000n + BigInt(i),
  spkHash: toField(0xabc0n + BigInt(i)),
});

describe("LVM prover: withdrawal batch and payout claim circuits", function () {
  let batch: Prover;
  let claim: Prover;

  before(function () {
    batch = createProver({ circuit: "circuits/withdrawal_batch_8.circom", backend: "groth16", ptau: PTAU });
    claim = createProver({ circuit: "circuits/payout_claim.circom", backend: "groth16", ptau: PTAU });
  });

  after(async function () {
    await releaseZk();
  });

  it("batch circuit: new root and commitment equal the TypeScript model's, across two batches", async function () {
    const tree = new WithdrawalTree(8);
    const first = tree.appendBatch([0, 1, 2].map(withdrawal));
    const second = tree.appendBatch([3, 4, 5, 6, 7, 8, 9, 10].map(withdrawal));
    expect(second.startIndex).to.equal(8);
    expect(second.oldRoot).to.equal(first.newRoot);
    for (const w of [first, second]) {
      const proof = await batch.prove(w.inputs);
      expect(proof.publicSignals).to.deep.equal([w.commitment.toString()]);
      expect(await batch.verify(proof)).to.equal(true);
    }
  });

  it("batch circuit rejects a wrong amount, a wrong path, an oversized amount and a gap", async function () {
    const tree = new WithdrawalTree(8);
    tree.appendBatch([withdrawal(0)]);
    const w = tree.appendBatch([1, 2].map(withdrawal));
    const i = w.inputs as { amounts: bigint[]; pathElements: bigint[]; enabled: bigint[] };
    await expectZkError(
      batch.prove({ ...w.inputs, amounts: [i.amounts[0] + 1n, ...i.amounts.slice(1)] }),
      "WITNESS_FAILED",
    );
    await expectZkError(
      batch.prove({ ...w.inputs, pathElements: [i.pathElements[0] + 1n, ...i.pathElements.slice(1)] }),
      "WITNESS_FAILED",
    );
    await expectZkError(
      batch.prove({ ...w.inputs, amounts: [1n << 64n, ...i.amounts.slice(1)] }),
      "WITNESS_FAILED",
    );
    await expectZkError(
      batch.prove({ ...w.inputs, enabled: [1n, 0n, 1n, 0n, 0n, 0n, 0n, 0n] }),
      "WITNESS_FAILED",
    );
    await expectZkError(batch.prove({ ...w.inputs, startIndex: 0n }), "WITNESS_FAILED");
    await expectZkError(batch.prove({ ...w.inputs, ids: "not a list" }), "INPUT_INVALID");
  });

  it("payout-claim circuit: proves membership with one public input; a wrong path or txid fails", async function () {
    const payouts = new PayoutsTree(toField(77));
    for (let i = 0; i < 5; i++) {
      payouts.add({ withdrawalId: toField(1_000 + i), operator: toField(3), txid: `${i}`.padStart(64, "e") });
    }
    const { inputs, commitment } = payouts.claimWitness(4);
    const proof = await claim.prove(inputs);
    expect(proof.publicSignals).to.deep.equal([commitment.toString()]);
    expect(await claim.verify(proof)).to.equal(true);
    const i = inputs as { pathIndices: number[]; txidLo: bigint };
    await expectZkError(
      claim.prove({ ...inputs, pathIndices: [1, ...i.pathIndices.slice(1)] }),
      "WITNESS_FAILED",
    );
    await expectZkError(claim.prove({ ...inputs, txidLo: i.txidLo + 1n }), "WITNESS_FAILED");
  });

  it("generated verifiers accept real proofs on EDR and reject tampered ones", async function () {
    const { ethers } = await network.create();
    const tree = new WithdrawalTree(8);
    const w = tree.appendBatch([0, 1].map(withdrawal));
    const cd = groth16Calldata(asGroth16(await batch.prove(w.inputs)));
    const batchVerifier = await ethers.deployContract("WithdrawalBatch8Verifier");
    expect(await batchVerifier.verifyProof(cd.a, cd.b, cd.c, [cd.pub[0]])).to.equal(true);
    expect(await batchVerifier.verifyProof(cd.a, cd.b, cd.c, [cd.pub[0] + 1n])).to.equal(false);
    expect(await batchVerifier.verifyProof(cd.a, cd.b, [cd.c[0], cd.c[1] + 1n], [cd.pub[0]])).to.equal(false);

    const committed = await readFile(
      path.join(REPO_ROOT, "contracts", "zk", "WithdrawalBatch8Verifier.sol"),
      "utf8",
    );
    expect(await batch.solidityVerifier()).to.equal(committed);
  });

  it("PLONK back end: same interface, verifies in JS and on EDR, rejects tampering and mixing back ends", async function () {
    const plonk = createProver({ circuit: "circuits/merkle_inclusion.circom", backend: "plonk", ptau: PTAU });
    const tree = new PoseidonMerkleTree(20);
    for (let i = 0; i < 3; i++) tree.append(toField(40 + i));
    const proof = await plonk.prove(merkleInclusionInput(tree.path(2)));
    expect(proof.backend).to.equal("plonk");
    expect(await plonk.verify(proof)).to.equal(true);
    expect(await plonk.verify({ ...proof, publicSignals: [proof.publicSignals[0], "41"] })).to.equal(false);
    await expectZkError(plonk.verify({ ...proof, publicSignals: ["1"] }), "PUBLIC_INPUT_COUNT");
    await expectZkError(batch.verify(proof), "VKEY_MISMATCH");

    const { ethers } = await network.create();
    const verifier = await ethers.deployContract("MerkleInclusionPlonkVerifier");
    const cd = await plonkCalldata(proof);
    const p = cd.proof as unknown as Parameters<typeof verifier.verifyProof>[0];
    expect(await verifier.verifyProof(p, [cd.pub[0], cd.pub[1]])).to.equal(true);
    expect(await verifier.verifyProof(p, [cd.pub[0], cd.pub[1] + 1n])).to.equal(false);
  });

  it("a corrupted proof cache entry is dropped and the proof recomputed", async function () {
    const tree = new WithdrawalTree(8);
    const w = tree.appendBatch([withdrawal(42)]);
    const first: Proof = await batch.prove(w.inputs);
    const dir = path.join(BUILD_DIR, "proofs");
    // Corrupt every cache entry (content-addressed, so this one is among them).
    for (const f of await readdir(dir)) await writeFile(path.join(dir, f), "{ torn wri");
    const again = await batch.prove(w.inputs);
    expect(again.publicSignals).to.deep.equal(first.publicSignals);
    expect(await batch.verify(again)).to.equal(true);
    const entries = await Promise.all((await readdir(dir)).map((f) => readFile(path.join(dir, f), "utf8")));
    expect(entries.filter((e) => e.startsWith("{ torn"))).to.have.length(entries.length - 1);
  });
});
