/**
 * Consistency of test/solidity/zk/ProofFixture.sol (the real proofs Verifiers.t.sol feeds to the
 * committed verifiers). Proofs are randomised, so the file cannot be compared with a fresh run;
 * instead: its public signals are the TypeScript model's for the generator's deterministic
 * statements, its proofs verify in JS (snarkjs) under verification keys read back from the
 * committed verifier contracts (the source of truth, no build cache needed), tampering fails, and
 * the file is byte-for-byte what the generator renders for those proof words.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import * as snarkjs from "snarkjs";

import { FIELD_MODULUS, REPO_ROOT, releaseZk } from "../../ts/zk/index.js";
import {
  FIXTURE_FILE,
  batch8Statement,
  merkleInclusionStatement,
  parseFixture,
  payoutClaimStatement,
  renderFixture,
  type FixtureData,
  type Groth16Words,
} from "../solidity/zk/gen-proof-fixture.js";

async function contractConstants(name: string): Promise<Map<string, string>> {
  const src = await readFile(path.join(REPO_ROOT, "contracts", "zk", `${name}.sol`), "utf8");
  const out = new Map<string, string>();
  for (const m of src.matchAll(/uint(?:256|32|16) constant (\w+)\s*=\s*(\d+);/g)) out.set(m[1], m[2]);
  return out;
}

function getter(k: Map<string, string>, file: string): (name: string) => string {
  return (name) => {
    const v = k.get(name);
    if (v === undefined) throw new Error(`${file}: constant ${name} not found`);
    return v;
  };
}

/** The snarkjs Groth16 vkey a verifier was rendered from (the template swaps G2 coordinates). */
async function groth16VkeyFromContract(name: string): Promise<Record<string, unknown>> {
  const k = await contractConstants(name);
  const c = getter(k, name);
  const g2 = (p: string): string[][] => [
    [c(`${p}x2`), c(`${p}x1`)],
    [c(`${p}y2`), c(`${p}y1`)],
    ["1", "0"],
  ];
  const IC: string[][] = [];
  for (let i = 0; k.has(`IC${i}x`); i++) IC.push([c(`IC${i}x`), c(`IC${i}y`), "1"]);
  return {
    protocol: "groth16",
    curve: "bn128",
    nPublic: IC.length - 1,
    vk_alpha_1: [c("alphax"), c("alphay"), "1"],
    vk_beta_2: g2("beta"),
    vk_gamma_2: g2("gamma"),
    vk_delta_2: g2("delta"),
    IC,
  };
}

/** The snarkjs PLONK vkey a verifier was rendered from. */
async function plonkVkeyFromContract(name: string): Promise<Record<string, unknown>> {
  const c = getter(await contractConstants(name), name);
  const g1 = (p: string): string[] => [c(`${p}x`), c(`${p}y`), "1"];
  return {
    protocol: "plonk",
    curve: "bn128",
    nPublic: Number(c("nPublic")),
    power: Math.log2(Number(c("n"))),
    k1: c("k1"),
    k2: c("k2"),
    Qm: g1("Qm"),
    Ql: g1("Ql"),
    Qr: g1("Qr"),
    Qo: g1("Qo"),
    Qc: g1("Qc"),
    S1: g1("S1"),
    S2: g1("S2"),
    S3: g1("S3"),
    X_2: [
      [c("X2x1"), c("X2x2")],
      [c("X2y1"), c("X2y2")],
      ["1", "0"],
    ],
    w: c("w1"),
  };
}

/** verifyProof's calldata form back to a snarkjs proof object (un-swapping the G2 coordinates). */
function groth16Json(g: Groth16Words): { proof: object; publicSignals: string[] } {
  const s = (x: bigint): string => x.toString();
  return {
    proof: {
      protocol: "groth16",
      curve: "bn128",
      pi_a: [s(g.a[0]), s(g.a[1]), "1"],
      pi_b: [
        [s(g.b[0][1]), s(g.b[0][0])],
        [s(g.b[1][1]), s(g.b[1][0])],
        ["1", "0"],
      ],
      pi_c: [s(g.c[0]), s(g.c[1]), "1"],
    },
    publicSignals: g.pub.map(s),
  };
}

/** The 24 PLONK calldata words back to a snarkjs proof object. */
function plonkJson(words: bigint[]): object {
  const s = (i: number): string => words[i].toString();
  const point = (i: number): string[] => [s(i), s(i + 1), "1"];
  const names = ["A", "B", "C", "Z", "T1", "T2", "T3", "Wxi", "Wxiw"];
  const evals = ["eval_a", "eval_b", "eval_c", "eval_s1", "eval_s2", "eval_zw"];
  return {
    protocol: "plonk",
    curve: "bn128",
    ...Object.fromEntries(names.map((n, i) => [n, point(2 * i)])),
    ...Object.fromEntries(evals.map((n, i) => [n, s(18 + i)])),
  };
}

describe("ProofFixture.sol: committed proofs for the Solidity verifier tests", function () {
  let src: string;
  let fx: FixtureData;

  before(async function () {
    src = await readFile(FIXTURE_FILE, "utf8");
    fx = parseFixture(src);
  });

  after(async function () {
    await releaseZk();
  });

  it("public signals are the TypeScript model's for the generator's deterministic statements", function () {
    expect(fx.batch8.pub.map(String)).to.deep.equal(batch8Statement().publicSignals);
    expect(fx.payoutClaim.pub.map(String)).to.deep.equal(payoutClaimStatement().publicSignals);
    expect(fx.plonk.pub.map(String)).to.deep.equal(merkleInclusionStatement().publicSignals);
    expect(fx.plonk.proof).to.have.length(24);
  });

  it("is exactly what the generator renders for these proof words (no hand edits, Prettier-stable)", async function () {
    expect(await renderFixture(fx)).to.equal(src);
  });

  it("Groth16 proofs verify in JS under the vkeys of the committed verifiers; tampering fails", async function () {
    for (const [contract, words] of [
      ["WithdrawalBatch8Verifier", fx.batch8],
      ["PayoutClaimVerifier", fx.payoutClaim],
    ] as const) {
      const vkey = await groth16VkeyFromContract(contract);
      expect(vkey.nPublic, contract).to.equal(1);
      const { proof, publicSignals } = groth16Json(words);
      expect(await snarkjs.groth16.verify(vkey, publicSignals, proof), contract).to.equal(true);
      const other = [(BigInt(publicSignals[0]) + 1n).toString()];
      expect(await snarkjs.groth16.verify(vkey, other, proof), `${contract}: other input`).to.equal(false);
      // snarkjs refuses a public input outside the field (the contracts' checkField does too).
      const wrapped = [(BigInt(publicSignals[0]) + FIELD_MODULUS).toString()];
      expect(await snarkjs.groth16.verify(vkey, wrapped, proof), `${contract}: input + r`).to.equal(false);
    }
    // Each proof is bound to its own circuit's key.
    const batchVkey = await groth16VkeyFromContract("WithdrawalBatch8Verifier");
    const payout = groth16Json(fx.payoutClaim);
    expect(await snarkjs.groth16.verify(batchVkey, payout.publicSignals, payout.proof)).to.equal(false);
  });

  it("the PLONK proof verifies in JS under the committed MerkleInclusionPlonkVerifier's vkey", async function () {
    const vkey = await plonkVkeyFromContract("MerkleInclusionPlonkVerifier");
    expect(vkey.power).to.equal(16);
    const pub = fx.plonk.pub.map(String);
    expect(await snarkjs.plonk.verify(vkey, pub, plonkJson(fx.plonk.proof))).to.equal(true);
    expect(await snarkjs.plonk.verify(vkey, [pub[0], "43"], plonkJson(fx.plonk.proof))).to.equal(false);
    const tampered = [...fx.plonk.proof];
    tampered[20] = (tampered[20] + 1n) % FIELD_MODULUS; // eval_c
    expect(await snarkjs.plonk.verify(vkey, pub, plonkJson(tampered))).to.equal(false);
  });
});
