import { bn254 } from "@noble/curves/bn254.js";
import { expect } from "chai";

import { FQ, fq2, G2_DEMO_LINE } from "../../ts/bitvm/bn254/index.js";
import { BitvmBuildError } from "../../ts/bitvm/fragment.js";
import {
  buildAssertion,
  checkAssertion,
  compileProgram,
  evaluate,
  g1Add,
  g2AddStep,
  g2LineFixed,
  leafWitness,
  openAssertion,
  operatorPublicKeys,
  ProgramBuilder,
  runLeaf,
  type Assertion,
} from "../../ts/bitvm/groth16/index.js";

const seed = new Uint8Array(32).fill(0x33);
const LIMIT = 1000;

describe("bitvm/groth16: split ops (g1_add, g2_chord, g2_point_y, g2_line_fixed) within 1,000 items", function () {
  this.timeout(600_000);
  const b = new ProgramBuilder("split_ops");
  const P = b.input("P", 2);
  const Q = b.input("Q", 2);
  const T = [b.input("T.x", 2), b.input("T.y", 2)] as const;
  const B = [b.input("B.x", 2), b.input("B.y", 2)] as const;
  const Pn = b.input("P'", 2);
  const sum = g1Add(b, P, Q);
  const step = g2AddStep(b, T, B);
  const [c1, c3] = g2LineFixed(b, Pn);
  const program = b.build();
  const pks = operatorPublicKeys(program, seed);
  const compiled = compileProgram(program, pks);

  const g1p = (k: bigint) => bn254.G1.Point.BASE.multiply(k).toAffine();
  const g2p = (k: bigint) => bn254.G2.Point.BASE.multiply(k).toAffine();
  const f2 = (x: { c0: bigint; c1: bigint }) => [x.c0, x.c1];
  const [p, q, t, bb] = [g1p(7n), g1p(11n), g2p(5n), g2p(3n)];
  const pn = [p.x, p.y]; // any canonical pair will do: the fixed line is linear in P'
  const values = evaluate(program, [[p.x, p.y], [q.x, q.y], f2(t.x), f2(t.y), f2(bb.x), f2(bb.y), pn]);
  const honest = buildAssertion(program, values, seed);
  const digits = openAssertion(program, pks, honest);

  it("computes P + Q, T + B with its line, and the fixed line's coefficients as @noble/curves does", () => {
    const s = g1p(18n);
    expect(values[sum]).to.deep.equal([s.x, s.y]);
    const r = g2p(8n);
    expect([...values[step.R[0]]!, ...values[step.R[1]]!]).to.deep.equal([...f2(r.x), ...f2(r.y)]);
    // the line through T and B: μ = y_T − λ·x_T, and B lies on it
    const [l, m] = [values[step.lambda]!, values[step.mu]!] as [bigint[], bigint[]];
    const at = (x: bigint[]) => fq2.add(fq2.mul([l[0]!, l[1]!], [x[0]!, x[1]!]), [m[0]!, m[1]!]);
    expect(at(f2(bb.x))).to.deep.equal(f2(bb.y));
    const neg = (c: readonly [bigint, bigint]) => fq2.sub([0n, 0n], c);
    expect(values[c1]).to.deep.equal([...fq2.mul(neg(G2_DEMO_LINE.lambda), [pn[0]!, 0n])]);
    expect(values[c3]).to.deep.equal([...fq2.mul(neg(G2_DEMO_LINE.mu), [pn[1]!, 0n])]);
  });

  it("honest assertion: valid, every leaf executed fails at its end, each peak stack + altstack ≤ 1,000", () => {
    expect(checkAssertion(program, pks, honest)).to.deep.equal({ valid: true });
    const peaks = new Map<string, number>();
    for (const info of compiled.leaves) {
      const run = runLeaf(compiled.leaf(info.index), leafWitness(program, info, honest, digits));
      expect(run.succeeds, info.name).to.equal(false);
      expect(run.error, info.name).to.equal("ends false");
      expect(run.maxStack, info.name).to.be.at.most(LIMIT);
      const op = info.name.replace(/^chunk \d+ /, "");
      peaks.set(op, Math.max(peaks.get(op) ?? 0, run.maxStack));
    }
    for (const op of ["g1_add_slope", "g1_add_point", "fq2_inv", "g2_line_fixed_c1", "g2_line_fixed_c3"])
      expect(peaks.get(op), op).to.be.a("number");
  });

  for (const op of [
    "g1_add_slope",
    "g1_add_point",
    "fq2_inv",
    "fq2_mul",
    "g2_point_x",
    "g2_line_fixed_c1",
    "g2_line_fixed_c3",
  ])
    it(`corrupting ${op}'s committed output makes its leaf succeed (peak ≤ 1,000); a forged signature makes it fail`, () => {
      const ci = program.chunks.findIndex((c) => c.op === op);
      const c = program.chunks[ci]!;
      const bad = values.map((v) => [...v]);
      bad[c.output] = [(bad[c.output]![0]! + 1n) % FQ.p, ...bad[c.output]!.slice(1)];
      const lie = buildAssertion(program, bad, seed);
      const r = checkAssertion(program, pks, lie);
      if (r.valid) return expect.fail("accepted");
      expect(r.info).to.include({ kind: "chunk", ref: ci });
      const run = runLeaf(compiled.leaf(r.leafIndex), r.witness);
      expect(run.succeeds).to.equal(true);
      expect(run.maxStack).to.be.at.most(LIMIT);
      const forged: Assertion = { signatures: lie.signatures.map((s) => s.slice()) };
      const sig = forged.signatures[c.output]!;
      const j = sig.length - 2 - 2 * 5;
      sig[j] = Uint8Array.from(sig[j]!, (x, k) => (k === 0 ? x ^ 1 : x));
      const w = leafWitness(program, r.info, forged, openAssertion(program, pks, lie));
      expect(runLeaf(compiled.leaf(r.leafIndex), w).succeeds).to.equal(false);
    });

  it("the unsplit ops still exceed the limit as chunk leaves: compileProgram refuses them", () => {
    for (const [op, n] of [
      ["g1_add", [2, 2]],
      ["g2_line_fixed", [2]],
    ] as const) {
      const u = new ProgramBuilder(op);
      u.call(op, ...n.map((e, i) => u.input(`x${i}`, e)));
      const prog = u.build();
      expect(() => compileProgram(prog, operatorPublicKeys(prog, seed)), op).to.throw(BitvmBuildError);
    }
  });
});
