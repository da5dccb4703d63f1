/**
 * G2 lines for the Miller loop, in affine form y = λ·x + μ over Fq2, every slope from the witness
 * and checked. Each fragment is one or two Fq2 identities, so it fits the 1,000-item stack beside
 * the 382-entry table; a Miller-loop step chains them (tangent or chord slope, line constant, line
 * evaluation), passing λ and μ between leaves.
 *
 * A G2 point `T` is the Fq2 elements `T.x` and `T.y` (148 items). Line evaluation at a G1 point
 * uses the point in the normalised form P' = (x_P / y_P, 1 / y_P) (`g1_normalize`), so that the
 * line's sparse Fq12 value is 1 + (−λ·x')·w + (−μ·y')·w³ and its coefficients are two Fq2 × Fq
 * products.
 */
import { OP } from "../../bitcoin/index.js";
import type { StackTracker } from "../tracker.js";

import { DIGITS, FQ, checkConstant, digit } from "./field.js";
import { c0, c1, fq2, fq2MulConstChecks, type Fq2Value } from "./fq2.js";
import { gx, gy } from "./g1.js";
import { productChecks, type Check } from "./mulcheck.js";
import { hintedFieldOp, modInverse, type FieldOp } from "./ops.js";

const p = FQ.p;
const mod = (v: bigint): bigint => ((v % p) + p) % p;

/** Fails if every digit of the given elements is 0 (all kept). */
function anyNonZeroVerify(t: StackTracker, elements: readonly string[]): void {
  let first = true;
  for (const e of elements)
    for (let i = 0; i < DIGITS; i++) {
      t.copy(digit(e, i), "d");
      if (!first) {
        t.move("nz");
        t.apply(OP.OP_BOOLOR, 2, ["nz"]);
      } else t.rename("d", "nz");
      first = false;
    }
  t.apply(OP.OP_VERIFY, 1, []);
}

/** Fails if the Fq2 elements a and b are equal (both kept). */
function fq2NotEqualVerify(t: StackTracker, a: string, b: string): void {
  let first = true;
  for (const [x, y] of [
    [c0(a), c0(b)],
    [c1(a), c1(b)],
  ] as const)
    for (let i = 0; i < DIGITS; i++) {
      t.copy(digit(x, i), "ea");
      t.copy(digit(y, i), "eb");
      t.apply(OP.OP_NUMEQUAL, 2, ["e"]);
      if (!first) {
        t.move("eq");
        t.apply(OP.OP_BOOLAND, 2, ["eq"]);
      } else t.rename("e", "eq");
      first = false;
    }
  t.apply([OP.OP_NOT, OP.OP_VERIFY], 1, []);
}

/** λ is the tangent slope at T: 2λ·y = 3x² (two Fq identities). */
export function g2TangentChecks(T: string, l: string): Check[] {
  const [x, y] = [gx(T), gy(T)];
  return [
    {
      terms: [
        { x: c0(l), y: c0(y), coef: 2 },
        { x: c1(l), y: c1(y), coef: -2 },
        { x: c0(x), y: c0(x), coef: -3 },
        { x: c1(x), y: c1(x), coef: 3 },
      ],
      r: 0n,
      hint: `${c0(l)}#t`,
    },
    {
      terms: [
        { x: c0(l), y: c1(y), coef: 2 },
        { x: c1(l), y: c0(y), coef: 2 },
        { x: c0(x), y: c1(x), coef: -6 },
      ],
      r: 0n,
      hint: `${c1(l)}#t`,
    },
  ];
}

/** λ is the chord slope through T and Q: λ·(x_Q − x_T) = y_Q − y_T. */
export function g2ChordChecks(T: string, Q: string, l: string): Check[] {
  const [xT, yT, xQ, yQ] = [gx(T), gy(T), gx(Q), gy(Q)];
  return [
    {
      terms: [
        { x: c0(l), y: c0(xQ), coef: 1 },
        { x: c0(l), y: c0(xT), coef: -1 },
        { x: c1(l), y: c1(xQ), coef: -1 },
        { x: c1(l), y: c1(xT), coef: 1 },
      ],
      linear: [
        { v: c0(yQ), coef: -1 },
        { v: c0(yT), coef: 1 },
      ],
      r: 0n,
      hint: `${c0(l)}#c`,
    },
    {
      terms: [
        { x: c0(l), y: c1(xQ), coef: 1 },
        { x: c0(l), y: c1(xT), coef: -1 },
        { x: c1(l), y: c0(xQ), coef: 1 },
        { x: c1(l), y: c0(xT), coef: -1 },
      ],
      linear: [
        { v: c1(yQ), coef: -1 },
        { v: c1(yT), coef: 1 },
      ],
      r: 0n,
      hint: `${c1(l)}#c`,
    },
  ];
}

/** μ = y_T − λ·x_T: the line's constant. */
export function g2LineConstantChecks(T: string, l: string, mu: string): Check[] {
  const [x, y] = [gx(T), gy(T)];
  return [
    {
      terms: [
        { x: c0(l), y: c0(x), coef: -1 },
        { x: c1(l), y: c1(x), coef: 1 },
      ],
      linear: [{ v: c0(y), coef: 1 }],
      r: c0(mu),
      hint: `${c0(mu)}#h`,
    },
    {
      terms: [
        { x: c0(l), y: c1(x), coef: -1 },
        { x: c1(l), y: c0(x), coef: -1 },
      ],
      linear: [{ v: c1(y), coef: 1 }],
      r: c1(mu),
      hint: `${c1(mu)}#h`,
    },
  ];
}

/** x_R = λ² − x_T − x_Q (x_Q = x_T when doubling): the new point's x. */
export function g2PointXChecks(xT: string, xQ: string, l: string, xR: string): Check[] {
  return [
    {
      terms: [
        { x: c0(l), y: c0(l), coef: 1 },
        { x: c1(l), y: c1(l), coef: -1 },
      ],
      linear: [
        { v: c0(xT), coef: -1 },
        { v: c0(xQ), coef: -1 },
      ],
      r: c0(xR),
      hint: `${c0(xR)}#h`,
    },
    {
      terms: [{ x: c0(l), y: c1(l), coef: 2 }],
      linear: [
        { v: c1(xT), coef: -1 },
        { v: c1(xQ), coef: -1 },
      ],
      r: c1(xR),
      hint: `${c1(xR)}#h`,
    },
  ];
}

/** y_R = λ·(x_T − x_R) − y_T: the new point's y. */
export function g2PointYChecks(T: string, l: string, xR: string, yR: string): Check[] {
  const [xT, yT] = [gx(T), gy(T)];
  return [
    {
      terms: [
        { x: c0(l), y: c0(xT), coef: 1 },
        { x: c0(l), y: c0(xR), coef: -1 },
        { x: c1(l), y: c1(xT), coef: -1 },
        { x: c1(l), y: c1(xR), coef: 1 },
      ],
      linear: [{ v: c0(yT), coef: -1 }],
      r: c0(yR),
      hint: `${c0(yR)}#h`,
    },
    {
      terms: [
        { x: c0(l), y: c1(xT), coef: 1 },
        { x: c0(l), y: c1(xR), coef: -1 },
        { x: c1(l), y: c0(xT), coef: 1 },
        { x: c1(l), y: c0(xR), coef: -1 },
      ],
      linear: [{ v: c1(yT), coef: -1 }],
      r: c1(yR),
      hint: `${c1(yR)}#h`,
    },
  ];
}

/** The line of a fixed G2 point (constants λ, μ) at P' = (x', y'): c1 = −λ·x', c3 = −μ·y'. */
export function g2LineFixedChecks(
  fragment: string,
  line: { lambda: Fq2Value; mu: Fq2Value },
  P: string,
  out: string,
): Check[] {
  const neg = (v: bigint): bigint => checkConstant(fragment, FQ, mod(-v));
  const term = (x: string, c: bigint): Check["terms"] => (c === 0n ? [] : [{ x, y: c, coef: 1 }]);
  const [xp, yp] = [gx(P), gy(P)];
  const parts: [string, string, bigint][] = [
    [c0(`${out}1`), xp, neg(line.lambda[0])],
    [c1(`${out}1`), xp, neg(line.lambda[1])],
    [c0(`${out}3`), yp, neg(line.mu[0])],
    [c1(`${out}3`), yp, neg(line.mu[1])],
  ];
  return parts.map(([r, x, c]) => ({ terms: term(x, c), r, hint: `${r}#h` }));
}

/** P' = (x/y, 1/y) from P: y'·y = 1 and x' = x·y'. */
export function g1NormalizeChecks(P: string, N: string): Check[] {
  return [
    { terms: [{ x: gy(N), y: gy(P), coef: 1 }], r: 1n, hint: `${gy(N)}#h` },
    { terms: [{ x: gx(P), y: gy(N), coef: 1 }], r: gx(N), hint: `${gx(N)}#h` },
  ];
}

/** A fixed line for the demonstration fragment: the tangent at 2·G2 (any constants would do). */
export const G2_DEMO_LINE: { lambda: Fq2Value; mu: Fq2Value } = {
  lambda: [
    0x1cdc044f17999227eabd56d4e922fdbede24b697392faedc10e0f871ad009ae6n,
    0x02ea6893199ba1c165271f9cccf0de11f968c39ce48b1964880b76c0c669810cn,
  ],
  mu: [
    0x14d00461fb7ff1c1f5d2fe1dd7ffc081f18e21affdce781fc843c53cf86d2698n,
    0x16c82c7cc1f3fdf9a6f075531cce3e7c95b9a4bd2ad22edc66822b741805c28dn,
  ],
};

const F2 = (a: string): string[] => [c0(a), c1(a)];
const get2 = (v: ReadonlyMap<string, bigint>, a: string): Fq2Value => [v.get(c0(a))!, v.get(c1(a))!];
const set2 = (m: Map<string, bigint>, a: string, x: Fq2Value): void => {
  m.set(c0(a), x[0]);
  m.set(c1(a), x[1]);
};

/** The standalone G2-line fragments (operands checked canonical). */
function fq2PowValue(a: Fq2Value, e: bigint): Fq2Value {
  let r: Fq2Value = [1n, 0n];
  let b = a;
  for (let k = e; k > 0n; k >>= 1n) {
    if ((k & 1n) === 1n) r = fq2.mul(r, b);
    b = fq2.mul(b, b);
  }
  return r;
}

/** ψ on the twist (untwist-Frobenius-twist): ψ(x, y) = (x̄·γ_x, ȳ·γ_y), γ_x = ξ^((p−1)/3), γ_y = ξ^((p−1)/2). */
export const PSI_GAMMA: { x: Fq2Value; y: Fq2Value } = {
  x: fq2PowValue([9n, 1n], (p - 1n) / 3n),
  y: fq2PowValue([9n, 1n], (p - 1n) / 2n),
};

/** ψ² on the twist: (x·ω, −y) with ω = ξ^((p²−1)/3) in Fq (ξ^((p²−1)/2) = −1). */
export const PSI2_OMEGA: bigint = (() => {
  const w = fq2PowValue([9n, 1n], (p * p - 1n) / 3n);
  const m1 = fq2PowValue([9n, 1n], (p * p - 1n) / 2n);
  if (w[1] !== 0n || m1[0] !== p - 1n || m1[1] !== 0n) throw new RangeError("ψ²: constants not in Fq");
  return w[0];
})();

/** ψ off-chain (for witnesses and tests). */
export function g2PsiValue(T: { x: Fq2Value; y: Fq2Value }): { x: Fq2Value; y: Fq2Value } {
  const conj = (a: Fq2Value): Fq2Value => [a[0], mod(-a[1])];
  return { x: fq2.mul(conj(T.x), PSI_GAMMA.x), y: fq2.mul(conj(T.y), PSI_GAMMA.y) };
}

/** r = ā·c for a constant c: (a0 − a1u)(k0 + k1u) = (a0k0 + a1k1) + (a0k1 − a1k0)u. */
export function fq2ConjMulConstChecks(fragment: string, a: string, c: Fq2Value, r: string): Check[] {
  const [k0, k1] = [checkConstant(fragment, FQ, c[0]), checkConstant(fragment, FQ, c[1])];
  if (k0 === 0n || k1 === 0n)
    throw new RangeError("fq2ConjMulConstChecks: both coefficients must be nonzero");
  return [
    {
      terms: [
        { x: c0(a), y: k0, coef: 1 },
        { x: c1(a), y: k1, coef: 1 },
      ],
      r: c0(r),
      hint: `${c0(r)}#h`,
    },
    {
      terms: [
        { x: c0(a), y: k1, coef: 1 },
        { x: c1(a), y: k0, coef: -1 },
      ],
      r: c1(r),
      hint: `${c1(r)}#h`,
    },
  ];
}

export function g2Ops(): FieldOp[] {
  const T = [...F2(gx("T")), ...F2(gy("T"))];
  const Q = [...F2(gx("Q")), ...F2(gy("Q"))];
  const tangent = g2TangentChecks("T", "l");
  const chord = g2ChordChecks("T", "Q", "l");
  const constant = g2LineConstantChecks("T", "l", "m");
  const fixed = g2LineFixedChecks("g2_line_fixed", G2_DEMO_LINE, "P", "c");
  const normalize = g1NormalizeChecks("P", "N");
  const pointX = g2PointXChecks("T.x", "Q.x", "l", "R.x");
  const pointY = g2PointYChecks("T", "l", "R.x", "R.y");
  const twoT = (v: ReadonlyMap<string, bigint>): Fq2Value[] => [get2(v, gx("T")), get2(v, gy("T"))];
  const psiOp = (coord: "x" | "y"): FieldOp => {
    const checks = fq2ConjMulConstChecks(`g2_psi_${coord}`, "a", PSI_GAMMA[coord], "r");
    return hintedFieldOp(FQ, {
      name: `g2_psi_${coord}`,
      description: `the ${coord} coordinate of ψ(T): conj(${coord}_T)·ξ^((p−1)/${coord === "x" ? 3 : 2}), hinted`,
      operands: F2("a"),
      results: F2("r"),
      checks,
      compute: (v) => {
        const a = get2(v, "a");
        const m = new Map<string, bigint>();
        set2(m, "r", fq2.mul([a[0], mod(-a[1])], PSI_GAMMA[coord]));
        return m;
      },
      gen: (t) =>
        productChecks(t, FQ, checks, {
          consume: new Set(F2("a")),
          trusted: new Set([...F2("a"), ...F2("r")]),
        }),
    });
  };
  const psi2 = fq2MulConstChecks("g2_psi2_x", "a", [PSI2_OMEGA, 0n], "r");
  return [
    psiOp("x"),
    psiOp("y"),
    hintedFieldOp(FQ, {
      name: "g2_psi2_x",
      description:
        "the x coordinate of ψ²(T): x_T·ω, ω = ξ^((p²−1)/3) in Fq (its y is −y_T: fq2_neg), hinted",
      operands: F2("a"),
      results: F2("r"),
      checks: psi2,
      compute: (v) => {
        const m = new Map<string, bigint>();
        set2(m, "r", fq2.mul(get2(v, "a"), [PSI2_OMEGA, 0n]));
        return m;
      },
      gen: (t) =>
        productChecks(t, FQ, psi2, { consume: new Set(F2("a")), trusted: new Set([...F2("a"), ...F2("r")]) }),
    }),
    hintedFieldOp(FQ, {
      name: "g2_tangent",
      description:
        "check λ (from the witness, left on the stack) is the tangent slope at T (T ≠ infinity, y_T ≠ 0)",
      operands: T,
      results: F2("l"),
      checks: tangent,
      compute: (v) => {
        const [x, y] = twoT(v);
        const m = new Map<string, bigint>();
        set2(m, "l", fq2.mul(fq2.mul([3n, 0n], fq2.mul(x, x)), fq2.inv(fq2.add(y, y))));
        return m;
      },
      gen: (t) => {
        anyNonZeroVerify(t, F2(gy("T")));
        productChecks(t, FQ, tangent, { consume: new Set(T), trusted: new Set([...T, ...F2("l")]) });
      },
    }),
    hintedFieldOp(FQ, {
      name: "g2_chord",
      description:
        "check λ (from the witness, left on the stack) is the slope of the chord through T and Q (x_T ≠ x_Q)",
      operands: [...T, ...Q],
      results: F2("l"),
      checks: chord,
      compute: (v) => {
        const m = new Map<string, bigint>();
        const dy = fq2.sub(get2(v, gy("Q")), get2(v, gy("T")));
        const dx = fq2.sub(get2(v, gx("Q")), get2(v, gx("T")));
        set2(m, "l", fq2.mul(dy, fq2.inv(dx)));
        return m;
      },
      gen: (t) => {
        fq2NotEqualVerify(t, gx("T"), gx("Q"));
        productChecks(t, FQ, chord, {
          consume: new Set([...T, ...Q]),
          trusted: new Set([...T, ...Q, ...F2("l")]),
        });
      },
    }),
    hintedFieldOp(FQ, {
      name: "g2_line_constant",
      description: "μ = y_T − λ·x_T, the constant of the line y = λx + μ through T",
      operands: [...T, ...F2("l")],
      results: F2("m"),
      checks: constant,
      compute: (v) => {
        const [x, y] = twoT(v);
        const m = new Map<string, bigint>();
        set2(m, "m", fq2.sub(y, fq2.mul(get2(v, "l"), x)));
        return m;
      },
      gen: (t) =>
        productChecks(t, FQ, constant, {
          consume: new Set([...T, ...F2("l")]),
          trusted: new Set([...T, ...F2("l"), ...F2("m")]),
        }),
    }),
    hintedFieldOp(FQ, {
      name: "g2_point_x",
      description: "x_R = λ² − x_T − x_Q of T + Q (or of 2T with x_Q = x_T), from the witness, checked",
      operands: [...F2("T.x"), ...F2("Q.x"), ...F2("l")],
      results: F2("R.x"),
      checks: pointX,
      compute: (v) => {
        const l = get2(v, "l");
        const m = new Map<string, bigint>();
        set2(m, "R.x", fq2.sub(fq2.sub(fq2.mul(l, l), get2(v, "T.x")), get2(v, "Q.x")));
        return m;
      },
      gen: (t) =>
        productChecks(t, FQ, pointX, {
          consume: new Set([...F2("T.x"), ...F2("Q.x"), ...F2("l")]),
          trusted: new Set([...F2("T.x"), ...F2("Q.x"), ...F2("l"), ...F2("R.x")]),
        }),
    }),
    hintedFieldOp(FQ, {
      name: "g2_point_y",
      description: "y_R = λ·(x_T − x_R) − y_T, from the witness, checked",
      operands: [...T, ...F2("l"), ...F2("R.x")],
      results: F2("R.y"),
      checks: pointY,
      compute: (v) => {
        const m = new Map<string, bigint>();
        const dx = fq2.sub(get2(v, "T.x"), get2(v, "R.x"));
        set2(m, "R.y", fq2.sub(fq2.mul(get2(v, "l"), dx), get2(v, "T.y")));
        return m;
      },
      gen: (t) =>
        productChecks(t, FQ, pointY, {
          consume: new Set([...T, ...F2("l"), ...F2("R.x")]),
          trusted: new Set([...T, ...F2("l"), ...F2("R.x"), ...F2("R.y")]),
        }),
    }),
    hintedFieldOp(FQ, {
      name: "g2_line_fixed",
      description:
        "a fixed line (precomputed λ, μ) at P' = (x', y'): the sparse coefficients −λ·x' and −μ·y'",
      operands: [gx("P"), gy("P")],
      results: [...F2("c1"), ...F2("c3")],
      checks: fixed,
      compute: (v) => {
        const [x, y] = [v.get(gx("P"))!, v.get(gy("P"))!];
        const m = new Map<string, bigint>();
        set2(m, "c1", fq2.mul(fq2.sub([0n, 0n], G2_DEMO_LINE.lambda), [x, 0n]));
        set2(m, "c3", fq2.mul(fq2.sub([0n, 0n], G2_DEMO_LINE.mu), [y, 0n]));
        return m;
      },
      gen: (t) =>
        productChecks(t, FQ, fixed, {
          consume: new Set([gx("P"), gy("P")]),
          trusted: new Set([gx("P"), gy("P"), ...F2("c1"), ...F2("c3")]),
        }),
    }),
    hintedFieldOp(FQ, {
      name: "g1_normalize",
      description: "P' = (x/y, 1/y) for line evaluation, from the witness, checked (y ≠ 0)",
      operands: [gx("P"), gy("P")],
      results: [gx("N"), gy("N")],
      checks: normalize,
      compute: (v) => {
        const yi = modInverse(FQ, v.get(gy("P"))!);
        return new Map([
          [gx("N"), mod(v.get(gx("P"))! * yi)],
          [gy("N"), yi],
        ]);
      },
      gen: (t) =>
        productChecks(t, FQ, normalize, {
          consume: new Set([gx("P"), gy("P")]),
          trusted: new Set([gx("P"), gy("P"), gx("N"), gy("N")]),
        }),
    }),
  ];
}
