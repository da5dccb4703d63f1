import { bn254 } from "@noble/curves/bn254.js";
import { expect } from "chai";

import { runFragment, type StackValue } from "../../ts/bitvm/index.js";
import {
  BN_X0,
  DIGITS,
  FQ,
  G2Program,
  PSI3_GAMMA,
  PSI_GAMMA,
  TWIST_B,
  elementWitness,
  fq2Ops,
  g2OnTwistChecks,
  g2Ops,
  g2Psi3Value,
  g2PsiValue,
  g2SubgroupOps,
  checkHint,
  hintWitness,
  type FieldOp,
  type Fq2Value,
  type G2Value,
} from "../../ts/bitvm/bn254/index.js";

const F2 = bn254.fields.Fp2;
const G = bn254.G2.Point;
type NPoint = ReturnType<typeof G.fromAffine>;
type N2 = ReturnType<typeof F2.create>;
const p = FQ.p;
const r = bn254.fields.Fr.ORDER;
const v2 = (a: N2): Fq2Value => [a.c0, a.c1];
const value = (P: NPoint): G2Value => {
  const a = P.toAffine();
  return { x: v2(a.x), y: v2(a.y) };
};
const toNoble = (T: G2Value): NPoint =>
  G.fromAffine({
    x: F2.create({ c0: T.x[0], c1: T.x[1] }),
    y: F2.create({ c0: T.y[0], c1: T.y[1] }),
  });
/** The leaves `npm test` executes: the on-twist check and the ladder's first steps, and the last 19
 *  (2·[x₀]B, ψ³, the three additions, ψ, ψ², the equality); the ladder's middle comes from the
 *  witness builders (which throw where no witness exists). BN254_FULL=1 executes all 288. */
const FULL = process.env.BN254_FULL !== undefined && process.env.BN254_FULL !== "";
const executed = (i: number): boolean => FULL || i < 11 || i >= 269;
const flat = (...xs: Fq2Value[]): bigint[] => xs.flatMap((x) => [...x]);
/** [k]P for any k ≥ 0 (noble's multiply refuses k ≥ r). */
const mulAny = (P: NPoint, k: bigint): NPoint => {
  let R = G.ZERO;
  let A = P;
  for (let e = k; e > 0n; e >>= 1n) {
    if ((e & 1n) === 1n) R = R.add(A);
    A = A.double();
  }
  return R;
};
/** A point of the twist y² = x³ + b' with x = seed + 7u (the first seed whose rhs is a square). */
const twistPoint = (seed: bigint): NPoint => {
  const b = F2.create({ c0: TWIST_B[0], c1: TWIST_B[1] });
  for (let k = seed; ; k++) {
    const x = F2.create({ c0: k, c1: 7n });
    const rhs = F2.add(F2.mul(F2.mul(x, x), x), b);
    let y: N2;
    try {
      y = F2.sqrt(rhs);
    } catch {
      continue;
    }
    if (!F2.eql(F2.mul(y, y), rhs)) continue;
    return G.fromAffine({ x, y }); // on the twist by construction (noble's assertValidity also demands G2)
  }
};

describe("bitvm/bn254: the G2 on-twist check, ψ³ and the subgroup check, executed against @noble/curves", function () {
  const ops = new Map<string, { op: FieldOp; frag: ReturnType<FieldOp["build"]> }>(
    [...g2SubgroupOps(), ...g2Ops().filter((o) => o.name.startsWith("g2_psi"))].map((op) => [
      op.name,
      { op, frag: op.build() },
    ]),
  );
  const square = fq2Ops().find((o) => o.name === "fq2_square")!;
  const squareFrag = square.build();
  const run = (n: string, w: readonly StackValue[]) => {
    const r = runFragment(ops.get(n)!.frag, w);
    expect(r.stats.maxStackDepth).to.be.at.most(1000);
    return r;
  };
  const expectRun = (n: string, x: readonly bigint[], want: readonly bigint[]): StackValue[] => {
    const { op } = ops.get(n)!;
    const w = op.witness(x);
    const res = run(n, w);
    expect(res.ok, `${n}: ${res.ok ? "" : res.message}`).to.equal(true);
    expect(op.read(res.stack), n).to.deep.equal(want);
    return w;
  };
  /** A changed carry, quotient digit and operand digit, a non-canonical operand, swapped c0/c1 of each Fq2 operand. */
  const tamper = (n: string, w: readonly StackValue[]): void => {
    const { op } = ops.get(n)!;
    const opsAt = w.length - op.arity * DIGITS;
    for (const at of [0, 3, opsAt - 1, opsAt + 5, w.length - 1]) {
      const bad = [...w];
      bad[at] = (bad[at] as number) + 1;
      expect(run(n, bad).ok, `${n}: item ${at} + 1`).to.equal(false);
    }
    for (let e = 0; e < op.arity; e++) {
      // element e written non-canonically (same value: its lowest digit + 128, the next − 1)
      const nc = [...w];
      const lo = opsAt + (e + 1) * DIGITS - 1;
      nc[lo] = (nc[lo] as number) + 128;
      nc[lo - 1] = (nc[lo - 1] as number) - 1;
      expect(run(n, nc).ok, `${n}: operand ${e} non-canonical`).to.equal(false);
    }
    for (let e = 0; e < op.arity; e += 2) {
      const at = opsAt + e * DIGITS;
      const ws = [
        ...w.slice(0, at),
        ...w.slice(at + DIGITS, at + 2 * DIGITS),
        ...w.slice(at, at + DIGITS),
        ...w.slice(at + 2 * DIGITS),
      ];
      expect(run(n, ws).ok, `${n}: operand ${e / 2} c0 ↔ c1`).to.equal(false);
    }
  };
  const xSquared = (x: Fq2Value): Fq2Value => {
    const s = F2.sqr(F2.create({ c0: x[0], c1: x[1] }));
    return [s.c0, s.c1];
  };

  it("every new fragment stays within 1,000 stack items", function () {
    for (const { frag } of ops.values()) expect(frag.effect.maxDepth).to.be.at.most(1000);
  });

  it("on-twist: b' = 3/(9+u) is noble's; G2 points and a twist point outside G2 pass (with s = x² from fq2_square)", function () {
    const b = (G as unknown as { CURVE(): { b: N2 } }).CURVE().b;
    expect(TWIST_B).to.deep.equal(v2(b));
    const off = twistPoint(3n);
    expect(off.isTorsionFree(), "the twist point is outside G2").to.equal(false);
    for (const P of [G.BASE, G.BASE.multiply(0xabcdefn), off]) {
      const T = value(P);
      // s comes from the fq2_square leaf
      const sq = runFragment(squareFrag, square.witness(flat(T.x)));
      expect(sq.ok).to.equal(true);
      const [s0, s1] = square.read(sq.stack);
      const s: Fq2Value = [s0!, s1!];
      expect(s).to.deep.equal(xSquared(T.x));
      expectRun("g2_on_twist", flat(T.x, T.y, s), []);
    }
  });

  it("on-twist: a wrong hint, a non-canonical limb, swapped c0/c1, an operand ≥ p fail", function () {
    const T = value(G.BASE.multiply(7n));
    const w = expectRun("g2_on_twist", flat(T.x, T.y, xSquared(T.x)), []);
    tamper("g2_on_twist", w);
    // x_T + p (same value mod p, not canonical), hints honest for that integer
    const { op } = ops.get("g2_on_twist")!;
    const big = op.witness(flat(T.x, T.y, xSquared(T.x)));
    const hx = elementWitness([T.x[0] + p]);
    const opsAt = big.length - 6 * DIGITS;
    const ws = [...big.slice(0, opsAt), ...hx, ...big.slice(opsAt + DIGITS)];
    expect(run("g2_on_twist", ws).ok, "x.c0 + p").to.equal(false);
  });

  it("on-twist: a point off the twist has no witness; the forged s that would pass g2_on_twist is refused by fq2_square", function () {
    const P = value(G.BASE.multiply(5n));
    const off: G2Value = { x: P.x, y: [P.y[0], (P.y[1] + 1n) % p] };
    const { op } = ops.get("g2_on_twist")!;
    expect(() => op.witness(flat(off.x, off.y, xSquared(off.x)))).to.throw(RangeError);
    // s' = (y² − b')/x satisfies the leaf's identity: g2_on_twist alone would accept it …
    const [X, Y, Bt] = [
      F2.create({ c0: off.x[0], c1: off.x[1] }),
      F2.create({ c0: off.y[0], c1: off.y[1] }),
      F2.create({ c0: TWIST_B[0], c1: TWIST_B[1] }),
    ];
    const forged = v2(F2.div(F2.sub(F2.sqr(Y), Bt), X));
    expectRun("g2_on_twist", flat(off.x, off.y, forged), []);
    // … which is why s is an fq2_square result: with s' as its result, fq2_square fails
    const w = square.witness(flat(off.x));
    const resAt = w.length - 4 * DIGITS;
    const bad = [...w.slice(0, resAt), ...elementWitness([...forged]), ...w.slice(resAt + 2 * DIGITS)];
    expect(runFragment(squareFrag, bad).ok, "fq2_square with result s'").to.equal(false);
    // and the honest s makes g2_on_twist fail with any carries: forge a witness from the wrong result
    const vals = new Map<string, bigint>();
    const names = ["T.x.c0", "T.x.c1", "T.y.c0", "T.y.c1", "s.c0", "s.c1"];
    flat(P.x, P.y, xSquared(P.x)).forEach((v, i) => vals.set(names[i]!, v));
    const honest = g2OnTwistChecks("T", "s").flatMap((c) => hintWitness(checkHint(FQ, c, vals)));
    const attack = [...honest, ...elementWitness(flat(off.x, off.y, xSquared(off.x)))];
    expect(run("g2_on_twist", attack).ok, "off-twist point with the on-twist point's hints").to.equal(false);
  });

  it("on-twist: a point that satisfies one coordinate of y² = x³ + b' but not the other fails (both identities are checked)", function () {
    const T = value(G.BASE.multiply(11n));
    const [X, Bt] = [F2.create({ c0: T.x[0], c1: T.x[1] }), F2.create({ c0: TWIST_B[0], c1: TWIST_B[1] })];
    const rhs = F2.add(F2.mul(F2.sqr(X), X), Bt);
    const F1 = bn254.fields.Fp;
    // c0 of the equation holds (y0² − y1² = rhs0), c1 does not
    let only0: G2Value | undefined;
    for (let y1 = 5n; only0 === undefined; y1++) {
      const t = F1.add(rhs.c0, F1.sqr(y1));
      let y0: bigint;
      try {
        y0 = F1.sqrt(t);
      } catch {
        continue;
      }
      if (F1.sqr(y0) === t && F1.mul(2n, F1.mul(y0, y1)) !== rhs.c1) only0 = { x: T.x, y: [y0, y1] };
    }
    // c1 holds (2y0y1 = rhs1), c0 does not
    const y0 = 12345n;
    const only1: G2Value = { x: T.x, y: [y0, F1.div(rhs.c1, F1.mul(2n, y0))] };
    const { op } = ops.get("g2_on_twist")!;
    const honest = op.witness(flat(T.x, T.y, xSquared(T.x)));
    for (const [label, P] of [
      ["c0 only", only0],
      ["c1 only", only1],
    ] as const) {
      expect(() => op.witness(flat(P.x, P.y, xSquared(P.x))), label).to.throw(RangeError);
      // with the on-twist point's hints
      const w = [
        ...honest.slice(0, honest.length - 6 * DIGITS),
        ...elementWitness(flat(P.x, P.y, xSquared(P.x))),
      ];
      expect(run("g2_on_twist", w).ok, label).to.equal(false);
    }
  });

  it("ψ³: (x̄·ξ^((p³−1)/3), ȳ·ξ^((p³−1)/2)) matches [p³ mod r]T for T in G2 and ψ∘ψ∘ψ; wrong hints, limbs, swapped coordinates, ψ's constants fail", function () {
    expect(PSI3_GAMMA.x).to.not.deep.equal(PSI_GAMMA.x);
    for (const k of [1n, 7n, 0x1234567890abcdefn]) {
      const T = value(G.BASE.multiply(k));
      const want = value(G.BASE.multiply(k).multiply(p ** 3n % r));
      const wx = expectRun("g2_psi3_x", flat(T.x), flat(want.x));
      const wy = expectRun("g2_psi3_y", flat(T.y), flat(want.y));
      expect(g2Psi3Value(T)).to.deep.equal(want);
      expect(g2PsiValue(g2PsiValue(g2PsiValue(T)))).to.deep.equal(want);
      if (k === 7n) {
        tamper("g2_psi3_x", wx);
        tamper("g2_psi3_y", wy);
        expect(run("g2_psi3_y", wx).ok, "ψ³ x's witness on the y leaf").to.equal(false);
        expect(run("g2_psi3_x", wy).ok, "ψ³ y's witness on the x leaf").to.equal(false);
        const psiW = ops.get("g2_psi_x")!.op.witness(flat(T.x));
        expect(run("g2_psi3_x", psiW).ok, "ψ's witness on ψ³'s leaf").to.equal(false);
        expect(run("g2_psi_x", wx).ok, "ψ³'s witness on ψ's leaf").to.equal(false);
      }
    }
  });

  it("the identity [x₀+1]B + ψ([x₀]B) + ψ²([x₀]B) = ψ³([2x₀]B) holds for B in G2 and fails for twist points outside G2 (noble)", function () {
    const psiK = (P: NPoint, k: number): NPoint => {
      let T = value(P);
      for (let i = 0; i < k; i++) T = g2PsiValue(T);
      return toNoble(T);
    };
    const identity = (B: NPoint): boolean => {
      const xB = mulAny(B, BN_X0);
      const lhs = mulAny(B, BN_X0 + 1n)
        .add(psiK(xB, 1))
        .add(psiK(xB, 2));
      return lhs.equals(psiK(mulAny(B, 2n * BN_X0), 3));
    };
    for (const k of [1n, 5n, 0x1234567n]) expect(identity(G.BASE.multiply(k)), `[${k}]G2`).to.equal(true);
    for (const seed of [3n, 100n, 12345n]) {
      const P = twistPoint(seed);
      const cof = mulAny(P, r); // the component outside G2 alone
      expect(P.isTorsionFree() || cof.isTorsionFree() || cof.is0()).to.equal(false);
      expect(identity(P), `twist point ${seed}`).to.equal(false);
      expect(identity(cof), `[r]·twist point ${seed}`).to.equal(false);
    }
  });

  it(`subgroup check, leaf by leaf: B in G2 passes all 288 leaves (on-twist, [x₀]B, ψ, ψ², ψ³, equality; ${FULL ? "all executed" : "30 executed, BN254_FULL=1 for all"})`, function () {
    const k = 0x2468acen;
    const B = value(G.BASE.multiply(k));
    const prog = new G2Program(executed);
    prog.subgroupCheck(B);
    expect(prog.leaves.length).to.equal(288);
    expect(prog.leaves.filter((l) => l.executed).length).to.equal(FULL ? 288 : 30);
    expect(prog.leaves.slice(-19).every((l) => l.executed)).to.equal(true);
    expect(prog.maxStack).to.be.at.most(1000);
    expect(prog.leaves.at(-1)!.name).to.equal("g2_equalverify");
    // the ladder's [x₀]B is noble's
    const ladder = new G2Program(() => false);
    expect(ladder.mul(B, BN_X0)).to.deep.equal(value(G.BASE.multiply(k).multiply(BN_X0)));
    expect(ladder.leaves.length).to.equal(3 * (62 + 27));
  });

  it("subgroup check: B on the twist outside G2 passes every leaf but the final equality, which fails", function () {
    for (const P of [twistPoint(100n), mulAny(twistPoint(12345n), r)]) {
      expect(P.isTorsionFree()).to.equal(false);
      const prog = new G2Program(executed);
      expect(() => prog.subgroupCheck(value(P))).to.throw(RangeError, /leaf 287 \(g2_equalverify\) failed/);
      // every earlier leaf has its witness (the executed ones, the last 18 among them, passed)
      expect(prog.leaves.length).to.equal(287);
    }
  });

  it("subgroup check: B off the twist is refused by its first leaves", function () {
    const T = value(G.BASE.multiply(9n));
    const prog = new G2Program();
    expect(() => prog.subgroupCheck({ x: T.x, y: [T.y[0], (T.y[1] + 1n) % p] })).to.throw(RangeError);
    expect(prog.leaves.length).to.equal(1); // fq2_square ran; g2_on_twist has no witness
  });
});
