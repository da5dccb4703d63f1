import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { network } from "hardhat";

import {
  BUILD_DIR,
  PoseidonMerkleTree,
  merkleInclusionInput,
  REPO_ROOT,
  ZkError,
  compileCircuit,
  groth16Calldata,
  proveGroth16,
  readProofFile,
  releaseZk,
  renderSolidityVerifier,
  resolvePtau,
  rootFromPath,
  setupGroth16,
  toField,
  verifierContractName,
  verifyGroth16,
  type Groth16Proof,
  type Groth16Setup,
} from "../../ts/zk/index.js";

const SHARED = path.resolve(REPO_ROOT, "..", "shared", "ptau");

async function expectZkError(p: Promise<unknown>, code: string): Promise<ZkError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(ZkError);
    expect((err as ZkError).code).to.equal(code);
    return err as ZkError;
  }
  expect.fail(`expected ZkError ${code}`);
}

/** No temp file or directory may survive a step, failed or not. */
async function leftovers(dir = BUILD_DIR): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.includes(".tmp-")) out.push(path.join(dir, e.name));
    if (e.isDirectory()) out.push(...(await leftovers(path.join(dir, e.name))));
  }
  return out;
}

describe("zk pipeline: Poseidon Merkle inclusion (depth 20)", function () {
  let setup: Groth16Setup;
  let tree: PoseidonMerkleTree;
  let good: Groth16Proof;

  before(async function () {
    const circuit = await compileCircuit("circuits/merkle_inclusion.circom");
    setup = await setupGroth16(circuit, await resolvePtau(circuit, path.join(SHARED, "pot16.ptau")));
    tree = new PoseidonMerkleTree(20);
    for (let i = 0; i < 9; i++) tree.append(toField(7_000n + BigInt(i)));
    const p = tree.path(5);
    good = await proveGroth16(setup, merkleInclusionInput(p));
  });

  after(async function () {
    await releaseZk();
  });

  it("compiles to the expected constraint system and the TS model agrees with the circuit", function () {
    // 20 Poseidon(2) hashes (240 each after --O2) and 20 boolean checks + muxes.
    expect(setup.circuit.constraints).to.equal(4_860);
    expect(setup.circuit.publicInputs).to.equal(2);
    const p = tree.path(5);
    expect(rootFromPath(p.leaf, p.pathElements, p.pathIndices)).to.equal(tree.root);
    // public signals are [root, leaf]: the circuit accepted the root computed by the TS model.
    expect(good.publicSignals).to.deep.equal([tree.root.toString(), "7005"]);
  });

  it("verifies in JS and rejects a changed public input", async function () {
    expect(await verifyGroth16(setup.vkey, good)).to.equal(true);
    const forged = { ...good, publicSignals: [good.publicSignals[0], "7006"] };
    expect(await verifyGroth16(setup.vkey, forged)).to.equal(false);
    await expectZkError(verifyGroth16(setup.vkey, { ...good, publicSignals: ["1"] }), "PUBLIC_INPUT_COUNT");
  });

  it("refuses to prove a wrong path (witness fails)", async function () {
    const p = tree.path(5);
    const wrong = { ...p, leaf: toField(7_006n) };
    await expectZkError(proveGroth16(setup, merkleInclusionInput(wrong)), "WITNESS_FAILED");
    const nonBoolean = {
      ...merkleInclusionInput(p),
      pathIndices: p.pathIndices.map((b, i) => (i === 0 ? 2 : b)),
    };
    await expectZkError(proveGroth16(setup, nonBoolean), "WITNESS_FAILED");
  });

  it("the committed Solidity verifier is the one this setup generates (reproducible beacon)", async function () {
    const name = verifierContractName(setup.circuit.name);
    const committed = await readFile(path.join(REPO_ROOT, "contracts", "zk", `${name}.sol`), "utf8");
    expect(await renderSolidityVerifier(setup.zkey, name)).to.equal(committed);
  });

  it("verifies on the EDR network and rejects a tampered proof or public input", async function () {
    const { ethers } = await network.create();
    const verifier = await ethers.deployContract("MerkleInclusionVerifier");
    const cd = groth16Calldata(good);
    expect(await verifier.verifyProof(cd.a, cd.b, cd.c, cd.pub as [bigint, bigint])).to.equal(true);

    const tamperedInput = [...cd.pub];
    tamperedInput[1] += 1n;
    expect(await verifier.verifyProof(cd.a, cd.b, cd.c, tamperedInput as [bigint, bigint])).to.equal(false);

    // Another valid curve point in place of C: the pairing check fails.
    const otherProof = await proveGroth16(setup, merkleInclusionInput(tree.path(2)));
    const other = groth16Calldata(otherProof);
    expect(await verifier.verifyProof(cd.a, cd.b, other.c, cd.pub as [bigint, bigint])).to.equal(false);
    // A point off the curve: the precompile rejects it and the verifier returns false.
    expect(
      await verifier.verifyProof([cd.a[0], cd.a[1] + 1n], cd.b, cd.c, cd.pub as [bigint, bigint]),
    ).to.equal(false);
  });

  it("bad input: one clear error naming the file, nothing half-written in build/", async function () {
    const dir = path.join(REPO_ROOT, "build", "zk-test-bad");
    await mkdir(dir, { recursive: true });
    try {
      const circuit = setup.circuit;
      await expectZkError(resolvePtau(circuit, path.join(dir, "missing.ptau")), "PTAU_NOT_FOUND");
      await writeFile(
        path.join(dir, "junk.ptau"),
        "definitely not a ptau file, padded to be long enough ...",
      );
      const e = await expectZkError(resolvePtau(circuit, path.join(dir, "junk.ptau")), "PTAU_INVALID");
      expect(e.message).to.contain("junk.ptau");
      await expectZkError(resolvePtau(circuit, path.join(SHARED, "pot12.ptau")), "PTAU_TOO_SMALL");

      const broken = path.join("build", "zk-test-bad", "broken.circom");
      await writeFile(
        path.join(REPO_ROOT, broken),
        "pragma circom 2.1.0;\ntemplate T() { signal input a; a === ; }\ncomponent main = T();\n",
      );
      const ce = await expectZkError(compileCircuit(broken), "CIRCUIT_COMPILE_FAILED");
      expect(ce.message.split("\n")).to.have.length(1);
      expect(ce.message).to.contain("broken.circom");

      await writeFile(
        path.join(dir, "proof.json"),
        JSON.stringify({ proof: { pi_a: ["1"] }, publicSignals: [] }),
      );
      const pe = await expectZkError(readProofFile(path.join(dir, "proof.json")), "PROOF_FILE_INVALID");
      expect(pe.message).to.contain("proof.json");
      await writeFile(path.join(dir, "notjson.json"), "{");
      await expectZkError(readProofFile(path.join(dir, "notjson.json")), "PROOF_FILE_INVALID");

      expect(await leftovers()).to.deep.equal([]);
      expect(existsSync(path.join(BUILD_DIR, "circuits", "broken"))).to.equal(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
