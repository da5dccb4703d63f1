import { bn254 } from "@noble/curves/bn254.js";
import { expect } from "chai";

import { runFragment, type StackValue } from "../../ts/bitvm/index.js";
import {
  DIGITS,
  FQ,
  checkHint,
  elementWitness,
  g1,
  g1AddChecks,
  g1AddConstChecks,
  g1FixedBaseMul,
  g1ScalarMulStep,
  g1Ops,
  hintWitness,
  type FieldOp,
} from "../../ts/bitvm/bn254/index.js";

const G = bn254.G1.Point.BASE;
const p = FQ.p;
type Aff = { x: bigint; y: bigint };
const aff = (k: bigint): Aff => G.multiply(k).toAffine();
const args = (...ps: Aff[]): bigint[] => ps.flatMap((q) => [q.x, q.y]);

describe("bitvm/bn254: G1 in Script (affine, hinted slopes), executed against @noble/curves", function () {
  const ops = new Map<string, { op: FieldOp; frag: ReturnType<FieldOp["build"]> }>(
    g1Ops().map((op) => [op.name, { op, frag: op.build() }]),
  );
  const get = (n: string) => ops.get(n)!;
  const ok = (n: string, w: readonly StackValue[]): boolean => {
    const r = runFragment(get(n).frag, w);
    expect(r.stats.maxStackDepth).to.be.at.most(1000);
    return r.ok;
  };
  /** The witness with the operand element at `index` (0 = first operand's x) replaced. */
  const withOperand = (
    n: string,
    w: readonly StackValue[],
    index: number,
    digits: number[],
  ): StackValue[] => {
    const at = w.length - get(n).op.arity * DIGITS + index * DIGITS;
    return [...w.slice(0, at), ...digits, ...w.slice(at + DIGITS)];
  };

  it("every fragment stays within 1,000 stack items", function () {
    for (const { frag } of ops.values()) expect(frag.effect.maxDepth).to.be.at.most(1000);
  });

  it("add: kG + mG for small, large and random multiples", function () {
    const { op, frag } = get("g1_add");
    for (const [k, m] of [
      [1n, 2n],
      [2n, 1n],
      [5n, 7n],
      [bn254.fields.Fr.ORDER - 1n, 2n], // −G + 2G = G
      [0x1234567890abcdefn, 0xfedcba9876543210n],
    ] as const) {
      const r = runFragment(frag, op.witness(args(aff(k), aff(m))));
      expect(r.ok, r.ok ? "" : r.message).to.equal(true);
      const want = G.multiply(k).add(G.multiply(m)).toAffine();
      expect(op.read(r.stack)).to.deep.equal([want.x, want.y]);
    }
  });

  it("add: P = Q and P = −Q (result at infinity) have no witness, and forged ones fail", function () {
    const { op } = get("g1_add");
    const P = aff(3n);
    expect(() => op.witness(args(P, P))).to.throw(RangeError);
    expect(() => op.witness(args(P, { x: P.x, y: p - P.y }))).to.throw(RangeError);
    // P + P with a slope of the prover's choosing: every identity holds, only x_P ≠ x_Q refuses it
    const lambda = 5n;
    const R = g1.apply(P, P, lambda);
    const values = new Map([
      ["P.x", P.x],
      ["P.y", P.y],
      ["Q.x", P.x],
      ["Q.y", P.y],
      ["l", lambda],
      ["R.x", R.x],
      ["R.y", R.y],
    ]);
    const attack = [
      ...g1AddChecks("P", "Q", "R", "l").flatMap((c) => hintWitness(checkHint(FQ, c, values))),
      ...elementWitness([lambda, R.x, R.y, P.x, P.y, P.x, P.y]),
    ];
    expect(ok("g1_add", attack), "P + P with a free slope").to.equal(false);
    // the doubling's slope and result presented to the addition of P and P
    const dbl = get("g1_double").op.witness(args(P));
    const forged = [...dbl, ...elementWitness([P.x, P.y])];
    expect(ok("g1_add", forged)).to.equal(false);
    // an honest add witness with Q replaced by −P
    const w = op.witness(args(P, aff(4n)));
    const neg = withOperand(
      "g1_add",
      withOperand("g1_add", w, 2, elementWitness([P.x])),
      3,
      elementWitness([p - P.y]),
    );
    expect(ok("g1_add", neg)).to.equal(false);
  });

  it("double: 2·kG for small, large and random k", function () {
    const { op, frag } = get("g1_double");
    for (const k of [1n, 2n, 3n, bn254.fields.Fr.ORDER - 1n, 0xdeadbeefcafebaben]) {
      const r = runFragment(frag, op.witness(args(aff(k))));
      expect(r.ok, r.ok ? "" : r.message).to.equal(true);
      const want = G.multiply(k).double().toAffine();
      expect(op.read(r.stack)).to.deep.equal([want.x, want.y]);
    }
  });

  for (const name of ["g1_add", "g1_double"]) {
    it(`${name}: a wrong slope or hint, a wrong result, a non-canonical limb, an operand ≥ p and swapped coordinates each fail`, function () {
      const { op } = get(name);
      const pts = name === "g1_add" ? [aff(11n), aff(13n)] : [aff(11n)];
      const w = op.witness(args(...pts));
      expect(ok(name, w)).to.equal(true);
      const resAt = w.length - op.arity * DIGITS - 2 * DIGITS;
      const slopeAt = resAt - DIGITS;
      for (const at of [0, 40, slopeAt - 1, slopeAt, slopeAt + DIGITS - 1]) {
        const bad = [...w];
        bad[at] = (bad[at] as number) + 1;
        expect(ok(name, bad), `hint/slope item ${at}`).to.equal(false);
      }
      const res = op.model(args(...pts));
      const wr = [
        ...w.slice(0, resAt),
        ...elementWitness([res[0]!, (res[1]! + 1n) % p]),
        ...w.slice(resAt + 2 * DIGITS),
      ];
      expect(ok(name, wr), "y_R + 1").to.equal(false);
      const wn = [...w];
      const at = w.length - op.arity * DIGITS + DIGITS - 1; // P.x's least significant digit
      wn[at] = (wn[at] as number) + 128;
      wn[at - 1] = (wn[at - 1] as number) - 1;
      expect(ok(name, wn), "non-canonical x_P").to.equal(false);
      const big = withOperand(name, w, 0, elementWitness([pts[0]!.x + p]).slice(0, DIGITS));
      expect(ok(name, big), "x_P + p").to.equal(false);
      const swapped = withOperand(
        name,
        withOperand(name, w, 0, elementWitness([pts[0]!.y])),
        1,
        elementWitness([pts[0]!.x]),
      );
      expect(ok(name, swapped), "x and y of P swapped").to.equal(false);
    });
  }

  it("on-curve: points pass; (x, y + 1), (x, 0) and an element ≥ p fail", function () {
    const { op } = get("g1_on_curve");
    for (const k of [1n, 2n, 0x1234n]) expect(ok("g1_on_curve", op.witness(args(aff(k))))).to.equal(true);
    const P = aff(9n);
    const w = op.witness(args(P));
    expect(ok("g1_on_curve", withOperand("g1_on_curve", w, 1, elementWitness([(P.y + 1n) % p])))).to.equal(
      false,
    );
    expect(ok("g1_on_curve", withOperand("g1_on_curve", w, 1, elementWitness([0n])))).to.equal(false);
    expect(
      ok("g1_on_curve", withOperand("g1_on_curve", w, 1, elementWitness([P.y + p]).slice(0, DIGITS))),
    ).to.equal(false);
  });

  it("on-curve-checked add = on_curve(P), on_curve(Q), add(P, Q): add alone accepts an off-curve Q, on_curve refuses it, and R of on-curve P, Q is on the curve", function () {
    const add = get("g1_add").op;
    const curve = get("g1_on_curve").op;
    const P = aff(2n);
    // Q = (5, 7) is not on y² = x³ + 3 (49 ≠ 128); its addition witness is consistent
    const Q = { x: 5n, y: 7n };
    expect(bn254.fields.Fp.eql(bn254.fields.Fp.sqr(Q.y), Q.x ** 3n + 3n)).to.equal(false);
    const w = add.witness(args(P, Q));
    expect(ok("g1_add", w), "add does not check its inputs").to.equal(true);
    const R = add.read(runFragment(get("g1_add").frag, w).stack);
    // so the composition needs the on-curve leaves: Q's refutes it, and R is off the curve too
    // (no honest on-curve witness exists for them; one forged from an on-curve point's fails)
    expect(() => curve.witness(args(Q))).to.throw(RangeError);
    expect(() => curve.witness([R[0]!, R[1]!])).to.throw(RangeError);
    const w5 = curve.witness(args(aff(5n)));
    for (const X of [Q, { x: R[0]!, y: R[1]! }]) {
      const forged = withOperand(
        "g1_on_curve",
        withOperand("g1_on_curve", w5, 0, elementWitness([X.x])),
        1,
        elementWitness([X.y]),
      );
      expect(ok("g1_on_curve", forged)).to.equal(false);
    }
    expect(ok("g1_on_curve", curve.witness(args(P)))).to.equal(true);
    // with both inputs on the curve the result is (the chord's third point): no check needed on R,
    // and cofactor 1 makes every one of these points a member of the order-r group
    for (const [k, m] of [
      [3n, 11n],
      [0x1234567890abcdefn, 0xfedcba9876543210n],
    ] as const) {
      const wk = add.witness(args(aff(k), aff(m)));
      const Rk = add.read(runFragment(get("g1_add").frag, wk).stack);
      expect(ok("g1_on_curve", curve.witness([Rk[0]!, Rk[1]!]))).to.equal(true);
      expect(bn254.G1.Point.fromAffine({ x: Rk[0]!, y: Rk[1]! }).equals(G.multiply(k + m))).to.equal(true);
    }
    // #E(Fq) = r: the cofactor is 1
    expect(bn254.G1.Point.CURVE().h).to.equal(1n);
    expect(bn254.G1.Point.CURVE().n).to.equal(bn254.fields.Fr.ORDER);
  });

  it("neg: −kG matches @noble/curves", function () {
    const { op, frag } = get("g1_neg");
    const P = aff(77n);
    const r = runFragment(frag, op.witness(args(P)));
    const want = G.multiply(77n).negate().toAffine();
    expect(op.read(r.stack)).to.deep.equal([want.x, want.y]);
  });

  it("fixed-base multiplication by a public scalar: k·C leaf by leaf (5-bit scalars)", function () {
    const C = aff(0x1234567n);
    const program = g1FixedBaseMul(C, 5);
    for (const step of program.steps) expect(step.fragment.effect.maxDepth).to.be.at.most(1000);
    for (const k of [1n, 0b10110n, 31n]) {
      const { result, figures } = program.run(k, (f, w) => {
        const r = runFragment(f, w);
        expect(r.stats.maxStackDepth).to.be.at.most(1000);
        return r.ok ? r : { ...r, message: r.message };
      });
      expect(figures).to.have.length(6);
      const want = G.multiply(0x1234567n * k).toAffine();
      expect(result, `k = ${k}`).to.deep.equal({ x: want.x, y: want.y });
    }
    expect(() => program.run(0n, () => ({ ok: true, stack: [] }))).to.throw(RangeError);
  });

  it("scalar-mul step: a skipped addition, an unchecked one, a bit of 2 and P = C with a free slope fail", function () {
    const C = aff(8n);
    const P = aff(1000n);
    const { fragment, witness } = g1ScalarMulStep("step", C);
    const good1 = witness(P, 1);
    const good0 = witness(P, 0);
    expect(runFragment(fragment, good1).ok).to.equal(true);
    expect(runFragment(fragment, good0).ok).to.equal(true);
    // bit 1 with R = P (the addition skipped), and bit 0 with R = P + C
    expect(runFragment(fragment, [...good0.slice(0, -1), 1]).ok, "bit 1, R = P").to.equal(false);
    const sum = G.multiply(1008n).toAffine();
    const forged0 = [...elementWitness([sum.x, sum.y]), ...good0.slice(2 * DIGITS)];
    expect(runFragment(fragment, forged0).ok, "bit 0, R = P + C").to.equal(false);
    expect(runFragment(fragment, [...good1.slice(0, -1), 2]).ok, "bit 2").to.equal(false);
    expect(runFragment(fragment, [...good1.slice(0, -1), -1]).ok, "bit −1").to.equal(false);
    // P = C: the slope identity holds for every λ; only the x_P ≠ x_C check refuses it
    const lambda = 5n;
    const R = g1.apply(C, C, lambda);
    const values = new Map([
      ["P.x", C.x],
      ["P.y", C.y],
      ["l", lambda],
      ["R.x", R.x],
      ["R.y", R.y],
    ]);
    const degenerate = [
      ...elementWitness([R.x, R.y]),
      ...g1AddConstChecks("step", "P", C, "R", "l").flatMap((c) => hintWitness(checkHint(FQ, c, values))),
      ...elementWitness([lambda, C.x, C.y]),
      1,
    ];
    expect(runFragment(fragment, degenerate).ok, "P = C with a free slope").to.equal(false);
  });
});
