import { bn254 } from "@noble/curves/bn254.js";
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { hash160, STANDARD_FLAGS, verifyInput } from "../../ts/bitcoin/index.js";
import { FQ } from "../../ts/bitvm/bn254/index.js";
import {
  assertTransactions,
  buildAssertion,
  checkAssertion,
  compileProgram,
  digitKeygen,
  digitOpen,
  digitPublicKey,
  digitSign,
  disproveTransaction,
  disproveTree,
  evaluate,
  fq6ProductClaim,
  Groth16Error,
  leafWitness,
  openAssertion,
  leafInfos,
  programContentHash,
  ProgramBuilder,
  operatorPublicKeys,
  runLeaf,
  MAX_STANDARD_TX_WEIGHT,
  type Assertion,
  type CompiledProgram,
  type Program,
} from "../../ts/bitvm/groth16/index.js";
import { outpoint } from "../../ts/core/index.js";

const { Fp2, Fp6 } = bn254.fields;
const FULL = process.env.GROTH16_FULL === "1";

function rng(seed: number): () => bigint {
  let s = BigInt(seed) | 1n;
  return () => {
    let v = 0n;
    for (let i = 0; i < 5; i++) {
      s = (s * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
      v = (v << 64n) | s;
    }
    return v % FQ.p;
  };
}
const next = rng(17);
type F2 = [bigint, bigint];
const r2 = (): F2 => [next(), next()];
const n6 = (a: readonly F2[]) =>
  Fp6.create({
    c0: Fp2.create({ c0: a[0]![0], c1: a[0]![1] }),
    c1: Fp2.create({ c0: a[1]![0], c1: a[1]![1] }),
    c2: Fp2.create({ c0: a[2]![0], c1: a[2]![1] }),
  });

const seed = new Uint8Array(32).fill(0x5a);

describe("bitvm/groth16: commitments to Fq digit vectors", () => {
  it("signs, opens and refuses a forged digit", () => {
    const sk = digitKeygen(seed, 3, 37);
    const pk = digitPublicKey(sk);
    const msg = Array.from({ length: 37 }, (_, i) => (i * 37) % 128);
    const sig = digitSign(sk, msg);
    expect(digitOpen(pk, sig)).to.deep.equal(msg);
    // Raising a digit needs the chain value one step earlier: advancing is what anyone can do,
    // and it lowers the checksum's preimage the other way, so the checksum refuses it.
    const forged = sig.slice();
    const i = forged.length - 2 - 2 * 3; // a message digit's value item (top is checksum 0's digit)
    forged[i + 1] = Uint8Array.of(forged[i + 1]!.length === 0 ? 1 : forged[i + 1]![0]! + 1);
    expect(digitOpen(pk, forged)).to.equal(undefined);
    expect(() => digitSign(sk, [...msg.slice(1), 128])).to.throw(/digits of 0–127/);
  });
});

describe("bitvm/groth16: the chunker on a real program (Fq6 product claim)", function () {
  this.timeout(600_000);
  let program: Program;
  let compiled: CompiledProgram;
  let honest: bigint[][];
  let assertion: Assertion;
  let keys: ReturnType<typeof operatorPublicKeys> | undefined;
  const pks = () => (keys ??= operatorPublicKeys(program, seed));
  const cache = mkdtempSync(path.join(os.tmpdir(), "g16-"));
  after(() => rmSync(cache, { recursive: true, force: true }));

  before(() => {
    program = fq6ProductClaim();
    const progress: number[] = [];
    compiled = compileProgram(program, pks(), { cacheDir: cache, onProgress: (d) => progress.push(d) });
    expect(progress.at(-1)).to.equal(compiled.leafCount);
    const [a, b] = [
      [r2(), r2(), r2()],
      [r2(), r2(), r2()],
    ];
    const c = n6(a).c0 && Fp6.mul(n6(a), n6(b));
    const c6: F2[] = [
      [c.c0.c0, c.c0.c1],
      [c.c1.c0, c.c1.c1],
      [c.c2.c0, c.c2.c1],
    ];
    honest = evaluate(program, [...a, ...b, ...c6]);
    assertion = buildAssertion(program, honest, seed);
  });

  it("has 9 input leaves, 26 chunk leaves and a final leaf, each under 390 KB and 1,000 items", () => {
    expect(compiled.leafCount).to.equal(36);
    expect(compiled.leaves.filter((l) => l.kind === "input")).to.have.length(9);
    expect(compiled.leaves.filter((l) => l.kind === "chunk")).to.have.length(26);
    for (let i = 0; i < compiled.leafCount; i++) expect(compiled.leaf(i).length).to.be.below(390_000);
  });

  it("reads the leaves back from the cache by content hash", () => {
    let built = 0;
    const again = compileProgram(program, pks(), { cacheDir: cache, onProgress: () => built++ });
    expect(again.contentHash).to.equal(compiled.contentHash);
    expect(built).to.equal(1); // one "done" report, nothing rebuilt
    expect(Buffer.from(again.leaf(20)).equals(Buffer.from(compiled.leaf(20)))).to.equal(true);
    const other = programContentHash(program, operatorPublicKeys(program, new Uint8Array(32).fill(1)));
    expect(other).to.not.equal(compiled.contentHash);
  });

  it("a valid assertion: checkAssertion says valid and every leaf, executed, fails", () => {
    expect(checkAssertion(program, pks(), assertion)).to.deep.equal({ valid: true });
    const digits = openAssertion(program, pks(), assertion);
    let peak = 0;
    for (const info of compiled.leaves) {
      const run = runLeaf(compiled.leaf(info.index), leafWitness(program, info, assertion, digits));
      expect(run.succeeds, info.name).to.equal(false);
      expect(run.error, info.name).to.equal("ends false"); // it ran to the end: no forged hint
      peak = Math.max(peak, run.maxStack);
    }
    expect(peak).to.be.at.most(1000);
  });

  it("a false claim committed consistently: the final leaf succeeds", () => {
    const inputs = program.inputs.map((v) => honest[v]!);
    inputs[7] = [inputs[7]![0]!, (inputs[7]![1]! + 1n) % FQ.p];
    const lie = buildAssertion(program, evaluate(program, inputs), seed);
    const r = checkAssertion(program, pks(), lie);
    if (r.valid) return expect.fail("false claim accepted");
    expect(r.info.kind).to.equal("final");
    expect(runLeaf(compiled.leaf(r.leafIndex), r.witness).succeeds).to.equal(true);
  });

  it("a non-canonical input (x + p in 37 digits) makes its input leaf succeed", () => {
    const values = honest.map((v) => [...v]);
    values[4] = [values[4]![0]!, values[4]![1]! + FQ.p]; // < 2^259 still fits 37 digits
    const r = checkAssertion(program, pks(), buildAssertion(program, values, seed));
    if (r.valid) return expect.fail("accepted");
    expect(r.info).to.include({ kind: "input", ref: 4 });
    expect(runLeaf(compiled.leaf(r.leafIndex), r.witness).succeeds).to.equal(true);
    // The boundary: p itself is refused, p − 1 and 0 are canonical (the leaf fails).
    for (const [x, refutes] of [
      [FQ.p, true],
      [FQ.p - 1n, false],
      [0n, false],
      [2n ** 259n - 1n, true],
    ] as const) {
      values[4] = [1n, x];
      const a = buildAssertion(program, values, seed);
      const info = compiled.leaves[4]!;
      const w = leafWitness(program, info, a, openAssertion(program, pks(), a));
      expect(runLeaf(compiled.leaf(4), w).succeeds, `input ${x}`).to.equal(refutes);
    }
  });

  // The leaf layout is a function of the program alone: chunk leaves follow the 9 input leaves.
  const chunkLeaves = leafInfos(fq6ProductClaim())
    .filter((l) => l.kind === "chunk")
    .map((l) => l.index);
  const sample = FULL ? chunkLeaves : [chunkLeaves[3]!, chunkLeaves.at(-1)!];

  for (const li of sample)
    it(`corrupting exactly chunk leaf ${li}'s output makes it succeed and ${FULL ? "no leaf before it" : "not the leaf before it"}`, () => {
      const digits0 = openAssertion(program, pks(), assertion);
      {
        const c = program.chunks[compiled.leaves[li]!.ref]!;
        const values = honest.map((v) => [...v]);
        values[c.output] = [(values[c.output]![0]! + 1n) % FQ.p, values[c.output]![1]!];
        const bad = buildAssertion(program, values, seed);
        const r = checkAssertion(program, pks(), bad);
        if (r.valid) return expect.fail(`chunk leaf ${li} corrupted but valid`);
        expect(r.leafIndex).to.equal(li);
        const run = runLeaf(compiled.leaf(li), r.witness);
        expect(run.succeeds, `leaf ${li}`).to.equal(true);
        const digits = openAssertion(program, pks(), bad);
        const before = FULL ? compiled.leaves.slice(0, li) : [compiled.leaves[li - 1]!];
        for (const info of before)
          expect(
            runLeaf(compiled.leaf(info.index), leafWitness(program, info, bad, digits)).succeeds,
            info.name,
          ).to.equal(false);
        // With the honest assertion the same leaf fails.
        expect(
          runLeaf(compiled.leaf(li), leafWitness(program, compiled.leaves[li]!, assertion, digits0)).succeeds,
        ).to.equal(false);
        // A wrong Winternitz signature on any committed value of the leaf makes it fail.
        for (const v of [...c.inputs, c.output]) {
          const forged: Assertion = { signatures: bad.signatures.map((s) => s.slice()) };
          const sig = forged.signatures[v]!;
          const j = sig.length - 2 - 2 * 5; // a digit's chain value (digit items lie above them)
          sig[j] = Uint8Array.from(sig[j]!, (x, k) => (k === 0 ? x ^ 1 : x));
          const w = leafWitness(program, compiled.leaves[li]!, forged, digits);
          expect(runLeaf(compiled.leaf(li), w).succeeds, `forged sig of value ${v}`).to.equal(false);
          expect(() => checkAssertion(program, pks(), forged)).to.throw(Groth16Error, `value ${v}`);
        }
      }
    });

  it("an assertion with a missing value is a typed error", () => {
    const missing: Assertion = { signatures: assertion.signatures.slice(1) };
    expect(() => checkAssertion(program, pks(), missing)).to.throw(Groth16Error, /committed values/);
  });

  it("Assert transactions: standard weight, each input's script accepts its signatures, a forged one fails", () => {
    const txs = assertTransactions(program, pks(), assertion);
    expect(txs.flatMap((t) => t.chunks.flatMap((c) => c.values))).to.have.length(program.values.length);
    for (const t of txs) {
      expect(t.weight).to.be.at.most(MAX_STANDARD_TX_WEIGHT);
      for (const c of FULL || t === txs[0] ? t.chunks : []) {
        expect(c.maxStack).to.be.at.most(1000);
        expect(runLeaf(c.script, c.witness).succeeds).to.equal(true);
      }
    }
    const c = txs[0]!.chunks[0]!;
    const w = c.witness.slice();
    w[0] = Uint8Array.from(w[0]!, (x, k) => (k === 0 ? x ^ 1 : x));
    expect(runLeaf(c.script, w).succeeds).to.equal(false);
    // Advancing a digit's chain (d → d + 1 needs only a hash) is what the checksum refuses.
    const adv = c.witness.slice();
    const d = adv[1]!.length === 0 ? 0 : adv[1]![0]!;
    expect(d).to.be.below(127);
    adv[0] = hash160(adv[0]!);
    adv[1] = Uint8Array.of(d + 1);
    expect(runLeaf(c.script, adv)).to.include({ succeeds: false });
  });

  it("the Disprove transaction of a corrupted chunk: standard, and valid in our interpreter", () => {
    const tree = disproveTree(compiled);
    expect(tree.merkleRoot).to.have.length(32);
    const c = program.chunks[0]!;
    const values = honest.map((v) => [...v]);
    values[c.output] = [values[c.output]![0]!, (values[c.output]![1]! + 5n) % FQ.p];
    const r = checkAssertion(program, pks(), buildAssertion(program, values, seed));
    if (r.valid) return expect.fail("valid");
    const prev = { outpoint: outpoint("11".repeat(32), 0), value: 1_000_000n };
    const tx = disproveTransaction(compiled, tree, r.leafIndex, r.witness, prev, tree.script, 300_000n);
    expect(tx.weight()).to.be.at.most(MAX_STANDARD_TX_WEIGHT);
    const items = tx.inputs[0]!.witness;
    for (const it of items.slice(0, -2)) expect(it.length).to.be.at.most(80);
    const prevouts = [{ value: prev.value, scriptPubKey: tree.script }];
    expect(verifyInput(tx, 0, prevouts, STANDARD_FLAGS).ok).to.equal(true);
    // The same leaf with the honest witness (no disagreement) is refused.
    const digits = openAssertion(program, pks(), assertion);
    const honestTx = disproveTransaction(
      compiled,
      tree,
      r.leafIndex,
      leafWitness(program, r.info, assertion, digits),
      prev,
      tree.script,
      300_000n,
    );
    expect(verifyInput(honestTx, 0, prevouts, STANDARD_FLAGS).ok).to.equal(false);
  });
});

describe("bitvm/groth16: a G1 chunk program (doubling twice, against @noble/curves)", function () {
  this.timeout(300_000);
  it("computes 4P leaf by leaf; a corrupted 2P is refuted by its leaf, the honest assertion by none", () => {
    const b = new ProgramBuilder("g1_4p");
    const P = b.input("P", 2);
    const P2 = b.call("g1_double", P);
    const P4 = b.call("g1_double", P2);
    const program = b.build();
    const pks = operatorPublicKeys(program, seed);
    const compiled = compileProgram(program, pks);
    const G = bn254.G1.Point.BASE.multiply(5n).toAffine();
    const values = evaluate(program, [[G.x, G.y]]);
    const four = bn254.G1.Point.BASE.multiply(20n).toAffine();
    expect(values[P4]).to.deep.equal([four.x, four.y]);
    const honest = buildAssertion(program, values, seed);
    expect(checkAssertion(program, pks, honest).valid).to.equal(true);
    const digits = openAssertion(program, pks, honest);
    for (const info of compiled.leaves)
      expect(
        runLeaf(compiled.leaf(info.index), leafWitness(program, info, honest, digits)).succeeds,
      ).to.equal(false);
    const bad = values.map((v) => [...v]);
    bad[P2] = [bad[P2]![0]!, FQ.p - bad[P2]![1]!]; // −2P: on the curve, wrong
    const r = checkAssertion(program, pks, buildAssertion(program, bad, seed));
    if (r.valid) return expect.fail("−2P accepted as 2P");
    expect(r.info).to.include({ kind: "chunk", ref: 0 });
    expect(runLeaf(compiled.leaf(r.leafIndex), r.witness).succeeds).to.equal(true);
  });
});
