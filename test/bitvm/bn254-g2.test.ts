import { bn254 } from "@noble/curves/bn254.js";
import { expect } from "chai";

import { runFragment, type StackValue } from "../../ts/bitvm/index.js";
import {
  DIGITS,
  FQ,
  G2_DEMO_LINE,
  checkHint,
  elementWitness,
  g2PsiValue,
  finalOps,
  fq2Ops,
  g2ChordChecks,
  g2Ops,
  hintWitness,
  type FieldOp,
} from "../../ts/bitvm/bn254/index.js";

const F2 = bn254.fields.Fp2;
const F1 = bn254.fields.Fp;
type N2 = ReturnType<typeof F2.create>;
const p = FQ.p;
const g2 = (k: bigint) => bn254.G2.Point.BASE.multiply(k).toAffine();
const g1 = (k: bigint) => bn254.G1.Point.BASE.multiply(k).toAffine();
const flat = (...xs: N2[]): bigint[] => xs.flatMap((x) => [x.c0, x.c1]);
const fromFq = (x: bigint): N2 => F2.create({ c0: x, c1: 0n });

/** The independent model: slopes and line values by @noble/curves' Fp2. */
const tangent = (T: { x: N2; y: N2 }): N2 => F2.div(F2.mul(F2.mul(T.x, T.x), fromFq(3n)), F2.add(T.y, T.y));
const chord = (T: { x: N2; y: N2 }, Q: { x: N2; y: N2 }): N2 => F2.div(F2.sub(Q.y, T.y), F2.sub(Q.x, T.x));

describe("bitvm/bn254: G2 lines in Script (hinted slopes), executed against @noble/curves", function () {
  const ops = new Map<string, { op: FieldOp; frag: ReturnType<FieldOp["build"]> }>(
    g2Ops().map((op) => [op.name, { op, frag: op.build() }]),
  );
  const mulByFq = (() => {
    const op = fq2Ops().find((o) => o.name === "fq2_mul_by_fq")!;
    return { op, frag: op.build() };
  })();
  const run = (n: string, w: readonly StackValue[]) => {
    const r = runFragment(ops.get(n)!.frag, w);
    expect(r.stats.maxStackDepth).to.be.at.most(1000);
    return r;
  };
  const expectRun = (n: string, x: readonly bigint[], want: readonly bigint[]): StackValue[] => {
    const { op } = ops.get(n)!;
    const w = op.witness(x);
    const r = run(n, w);
    expect(r.ok, `${n}: ${r.ok ? "" : r.message}`).to.equal(true);
    expect(op.read(r.stack), n).to.deep.equal(want);
    return w;
  };
  /** Flips one item at each of a few places (hints, results, operands): each must fail. */
  const tamper = (n: string, w: readonly StackValue[]): void => {
    const { op } = ops.get(n)!;
    const opsAt = w.length - op.arity * DIGITS;
    for (const at of [3, opsAt - 1, opsAt - DIGITS, opsAt + 5]) {
      const bad = [...w];
      bad[at] = (bad[at] as number) + 1;
      expect(run(n, bad).ok, `${n}: item ${at} + 1`).to.equal(false);
    }
    // the first operand written non-canonically (same value)
    const nc = [...w];
    nc[opsAt + DIGITS - 1] = (nc[opsAt + DIGITS - 1] as number) + 128;
    nc[opsAt + DIGITS - 2] = (nc[opsAt + DIGITS - 2] as number) - 1;
    expect(run(n, nc).ok, `${n}: non-canonical operand`).to.equal(false);
  };

  it("every fragment stays within 1,000 stack items", function () {
    for (const { frag } of ops.values()) expect(frag.effect.maxDepth).to.be.at.most(1000);
  });

  it("tangent: λ = 3x²/2y for kG2; a wrong λ, hint, limb or swapped coordinates fail", function () {
    for (const k of [1n, 2n, 0xabcdefn]) {
      const T = g2(k);
      const w = expectRun("g2_tangent", flat(T.x, T.y), flat(tangent(T)));
      if (k === 2n) {
        tamper("g2_tangent", w);
        const swapped = ops.get("g2_tangent")!.op.witness(flat(T.x, T.y));
        const at = swapped.length - 4 * DIGITS;
        const ws = [
          ...swapped.slice(0, at),
          ...swapped.slice(at + 2 * DIGITS),
          ...swapped.slice(at, at + 2 * DIGITS),
        ];
        expect(run("g2_tangent", ws).ok, "x and y swapped").to.equal(false);
      }
    }
  });

  it("chord: λ = (y_Q − y_T)/(x_Q − x_T); T = Q with a free slope fails", function () {
    const [T, Q] = [g2(3n), g2(5n)];
    const w = expectRun("g2_chord", flat(T.x, T.y, Q.x, Q.y), flat(chord(T, Q)));
    tamper("g2_chord", w);
    // T = Q: both identities hold for any λ; only x_T ≠ x_Q refuses it
    const l: readonly [bigint, bigint] = [5n, 7n];
    const names = ["T.x", "T.y", "Q.x", "Q.y"];
    const vals = new Map<string, bigint>([
      ["l.c0", l[0]],
      ["l.c1", l[1]],
    ]);
    names.forEach((n) => {
      const v = n.endsWith("x") ? T.x : T.y;
      vals.set(`${n}.c0`, v.c0);
      vals.set(`${n}.c1`, v.c1);
    });
    const attack = [
      ...g2ChordChecks("T", "Q", "l").flatMap((c) => hintWitness(checkHint(FQ, c, vals))),
      ...elementWitness([...l, ...flat(T.x, T.y, T.x, T.y)]),
    ];
    expect(run("g2_chord", attack).ok, "T = Q with a free slope").to.equal(false);
  });

  it("line constant: μ = y − λx", function () {
    const T = g2(7n);
    const l = tangent(T);
    const mu = F2.sub(T.y, F2.mul(l, T.x));
    const w = expectRun("g2_line_constant", flat(T.x, T.y, l), flat(mu));
    tamper("g2_line_constant", w);
  });

  it("fixed line at a G1 point: (−λ·x', −μ·y') for the tangent at 2·G2", function () {
    // the demonstration constants are what they claim to be
    const T = bn254.G2.Point.BASE.double().toAffine();
    const l = tangent(T);
    const mu = F2.sub(T.y, F2.mul(l, T.x));
    expect([l.c0, l.c1, mu.c0, mu.c1]).to.deep.equal([...G2_DEMO_LINE.lambda, ...G2_DEMO_LINE.mu]);
    for (const k of [1n, 9n]) {
      const P = g1(k);
      const [xn, yn] = [F1.div(P.x, P.y), F1.inv(P.y)];
      const want = flat(F2.neg(F2.mul(l, fromFq(xn))), F2.neg(F2.mul(mu, fromFq(yn))));
      const w = expectRun("g2_line_fixed", [xn, yn], want);
      if (k === 9n) tamper("g2_line_fixed", w);
    }
  });

  /** Runs a fragment on operands and returns its results (they feed the next leaf). */
  const step = (n: string, x: readonly bigint[]): bigint[] => {
    const { op } = ops.get(n)!;
    const r = run(n, op.witness(x));
    expect(r.ok, `${n}: ${r.ok ? "" : r.message}`).to.equal(true);
    return op.read(r.stack);
  };

  it("a doubling step and an addition step of T, leaf by leaf: slope, new point, line at P", function () {
    const T = g2(0x1234n);
    const Q = g2(77n);
    const P = g1(5n);
    const Pn = step("g1_normalize", [P.x, P.y]);
    for (const [name, want, args] of [
      ["double", bn254.G2.Point.BASE.multiply(0x1234n).double().toAffine(), flat(T.x, T.y)],
      ["add", bn254.G2.Point.BASE.multiply(0x1234n + 77n).toAffine(), flat(T.x, T.y, Q.x, Q.y)],
    ] as const) {
      const l = step(name === "double" ? "g2_tangent" : "g2_chord", args);
      const mu = step("g2_line_constant", [...flat(T.x, T.y), ...l]);
      const xQ = name === "double" ? flat(T.x) : flat(Q.x);
      const xR = step("g2_point_x", [...flat(T.x), ...xQ, ...l]);
      const yR = step("g2_point_y", [...flat(T.x, T.y), ...l, ...xR]);
      expect([...xR, ...yR], name).to.deep.equal(flat(want.x, want.y));
      // the line through T with slope λ, evaluated at P' (the −1 sign folds into the Fq12 product)
      const fq2ByFq = (a: bigint[], s: bigint): bigint[] => {
        const r = runFragment(mulByFq.frag, mulByFq.op.witness([...a, s]));
        expect(r.ok).to.equal(true);
        return mulByFq.op.read(r.stack);
      };
      const lam = F2.create({ c0: l[0]!, c1: l[1]! });
      const m = F2.create({ c0: mu[0]!, c1: mu[1]! });
      expect(fq2ByFq(l, Pn[0]!)).to.deep.equal(flat(F2.mul(lam, fromFq(Pn[0]!))));
      expect(fq2ByFq(mu, Pn[1]!)).to.deep.equal(flat(F2.mul(m, fromFq(Pn[1]!))));
      // and the line really passes through T (and Q): y = λx + μ
      expect(F2.eql(T.y, F2.add(F2.mul(lam, T.x), m))).to.equal(true);
      if (name === "add") expect(F2.eql(Q.y, F2.add(F2.mul(lam, Q.x), m))).to.equal(true);
    }
  });

  it("new point: a wrong x_R or y_R fails", function () {
    const T = g2(3n);
    const l = tangent(T);
    const w = expectRun("g2_point_x", flat(T.x, T.x, l), flat(bn254.G2.Point.BASE.multiply(6n).toAffine().x));
    tamper("g2_point_x", w);
    const R = bn254.G2.Point.BASE.multiply(6n).toAffine();
    const wy = expectRun("g2_point_y", flat(T.x, T.y, l, R.x), flat(R.y));
    tamper("g2_point_y", wy);
  });

  it("ψ: (x̄·γ_x, ȳ·γ_y) matches ψ(T) = [6x₀²]T for T in G2 (the subgroup check's endomorphism); wrong hints, limbs, swapped coordinates fail", function () {
    const x0 = 4965661367192848881n;
    for (const k of [1n, 7n, 0x1234567890abcdefn]) {
      const T = g2(k);
      const want = bn254.G2.Point.BASE.multiply(k)
        .multiply(6n * x0 * x0)
        .toAffine();
      const wx = expectRun("g2_psi_x", flat(T.x), flat(want.x));
      const wy = expectRun("g2_psi_y", flat(T.y), flat(want.y));
      expect(g2PsiValue({ x: [T.x.c0, T.x.c1], y: [T.y.c0, T.y.c1] })).to.deep.equal({
        x: [want.x.c0, want.x.c1],
        y: [want.y.c0, want.y.c1],
      });
      if (k === 7n) {
        tamper("g2_psi_x", wx);
        tamper("g2_psi_y", wy);
        // swapped coordinates c0 ↔ c1 of the operand (the hint honest for the unswapped one)
        for (const [n, w] of [
          ["g2_psi_x", wx],
          ["g2_psi_y", wy],
        ] as const) {
          const at = w.length - 2 * DIGITS;
          const ws = [...w.slice(0, at), ...w.slice(at + DIGITS), ...w.slice(at, at + DIGITS)];
          expect(run(n, ws).ok, `${n}: swapped operand coordinates`).to.equal(false);
          // ψ of x given to the y leaf: the other constant
          const other = n === "g2_psi_x" ? "g2_psi_y" : "g2_psi_x";
          expect(run(other, w).ok, `${n}'s witness on ${other}`).to.equal(false);
        }
      }
    }
  });

  it("ψ²: x·ω matches ψ(ψ(T)) and [p² mod r]T; its y is −y; a wrong hint, limb or ψ's constant fail", function () {
    const r = bn254.fields.Fr.ORDER;
    for (const k of [1n, 0xabcdefn]) {
      const T = g2(k);
      const want = bn254.G2.Point.BASE.multiply(k)
        .multiply((p * p) % r)
        .toAffine();
      const w = expectRun("g2_psi2_x", flat(T.x), flat(want.x));
      const twice = g2PsiValue(g2PsiValue({ x: [T.x.c0, T.x.c1], y: [T.y.c0, T.y.c1] }));
      expect(twice.x).to.deep.equal([want.x.c0, want.x.c1]);
      expect(twice.y).to.deep.equal([(p - T.y.c0) % p, (p - T.y.c1) % p]);
      expect(want.y.c0).to.equal((p - T.y.c0) % p);
      if (k === 1n) {
        tamper("g2_psi2_x", w);
        expect(run("g2_psi_x", w).ok, "ψ²'s witness on ψ's leaf").to.equal(false);
      }
    }
  });

  it("normalize: P' = (x/y, 1/y); y = 0 has no witness", function () {
    const P = g1(12345n);
    const w = expectRun("g1_normalize", [P.x, P.y], [F1.div(P.x, P.y), F1.inv(P.y)]);
    tamper("g1_normalize", w);
    expect(() => ops.get("g1_normalize")!.op.witness([P.x, 0n])).to.throw(RangeError);
    expect(p).to.equal(F1.ORDER);
  });
});

describe("bitvm/bn254: the final check", function () {
  const [fq6, fq12] = finalOps();
  it("compressed: passes on a = 0 only; a non-canonical 0 (p) or any nonzero digit fails", function () {
    const f = fq6!.build();
    expect(f.effect.maxDepth).to.be.at.most(1000);
    expect(runFragment(f, fq6!.witness(Array<bigint>(6).fill(0n))).ok).to.equal(true);
    for (let k = 0; k < 6; k++) {
      const a = Array<bigint>(6).fill(0n);
      a[k] = k % 2 === 0 ? 1n : FQ.p; // 1, or p (≡ 0 but not canonical)
      expect(runFragment(f, fq6!.witness(a)).ok, `coefficient ${k}`).to.equal(false);
    }
    const w = fq6!.witness(Array<bigint>(6).fill(0n));
    w[100] = 128; // a digit out of range
    expect(runFragment(f, w).ok).to.equal(false);
  });
  it("uncompressed: passes on f = 1 only", function () {
    const f = fq12!.build();
    const one = [1n, ...Array<bigint>(11).fill(0n)];
    expect(runFragment(f, fq12!.witness(one)).ok).to.equal(true);
    expect(runFragment(f, fq12!.witness(Array<bigint>(12).fill(0n))).ok).to.equal(false);
    expect(runFragment(f, fq12!.witness([FQ.p + 1n, ...one.slice(1)])).ok).to.equal(false);
    for (const k of [1, 6, 11]) {
      const x = [...one];
      x[k] = 1n;
      expect(runFragment(f, fq12!.witness(x)).ok, `coefficient ${k}`).to.equal(false);
    }
  });
});
