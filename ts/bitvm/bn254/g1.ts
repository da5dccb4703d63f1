/**
 * G1 of BN254 (y² = x³ + 3 over Fq) in affine coordinates, every slope supplied by the witness
 * and checked: a point `P` is the Fq elements `P.x` (deeper) and `P.y`, 74 stack items. Affine
 * coordinates cannot hold the point at infinity; the operations refuse the inputs whose result
 * would be it (or whose slope the identities would not pin down), and the caller handles them.
 */
import { OP } from "../../bitcoin/index.js";
import type { StackTracker } from "../tracker.js";

import { DIGITS, FQ, digit, elementNames, fieldNeg } from "./field.js";
import { productChecks, type Check } from "./mulcheck.js";
import { hintedFieldOp, modInverse, plainFieldOp, type FieldOp } from "./ops.js";

const p = FQ.p;
const mod = (v: bigint): bigint => ((v % p) + p) % p;

export const gx = (P: string): string => `${P}.x`;
export const gy = (P: string): string => `${P}.y`;
export const g1Names = (P: string): string[] => [...elementNames(gx(P)), ...elementNames(gy(P))];

/** Fails if elements a and b are equal (both kept). */
export function fieldNotEqualVerify(t: StackTracker, a: string, b: string): void {
  for (let i = 0; i < DIGITS; i++) {
    t.copy(digit(a, i), "ea");
    t.copy(digit(b, i), "eb");
    t.apply(OP.OP_NUMEQUAL, 2, ["e"]);
    if (i > 0) {
      t.move("eq");
      t.apply(OP.OP_BOOLAND, 2, ["eq"]);
    } else t.rename("e", "eq");
  }
  t.apply([OP.OP_NOT, OP.OP_VERIFY], 1, []);
}

/** Fails if element a is 0 (kept). */
export function fieldNonZeroVerify(t: StackTracker, a: string): void {
  for (let i = 0; i < DIGITS; i++) {
    t.copy(digit(a, i), "d");
    if (i > 0) {
      t.move("nz");
      t.apply(OP.OP_BOOLOR, 2, ["nz"]);
    } else t.rename("d", "nz");
  }
  t.apply(OP.OP_VERIFY, 1, []);
}

/** R = P + Q with slope λ: λ(x_Q − x_P) = y_Q − y_P, x_R = λ² − x_P − x_Q, y_R = λ(x_P − x_R) − y_P. */
export function g1AddChecks(P: string, Q: string, R: string, lambda: string): Check[] {
  return [
    {
      terms: [
        { x: lambda, y: gx(Q), coef: 1 },
        { x: lambda, y: gx(P), coef: -1 },
      ],
      linear: [
        { v: gy(Q), coef: -1 },
        { v: gy(P), coef: 1 },
      ],
      r: 0n,
      hint: `${lambda}#h`,
    },
    {
      terms: [{ x: lambda, y: lambda, coef: 1 }],
      linear: [
        { v: gx(P), coef: -1 },
        { v: gx(Q), coef: -1 },
      ],
      r: gx(R),
      hint: `${gx(R)}#h`,
    },
    {
      terms: [
        { x: lambda, y: gx(P), coef: 1 },
        { x: lambda, y: gx(R), coef: -1 },
      ],
      linear: [{ v: gy(P), coef: -1 }],
      r: gy(R),
      hint: `${gy(R)}#h`,
    },
  ];
}

/** R = 2P with slope λ: 2λ·y_P = 3x_P², x_R = λ² − 2x_P, y_R = λ(x_P − x_R) − y_P. */
export function g1DoubleChecks(P: string, R: string, lambda: string): Check[] {
  return [
    {
      terms: [
        { x: lambda, y: gy(P), coef: 2 },
        { x: gx(P), y: gx(P), coef: -3 },
      ],
      r: 0n,
      hint: `${lambda}#h`,
    },
    {
      terms: [{ x: lambda, y: lambda, coef: 1 }],
      linear: [{ v: gx(P), coef: -2 }],
      r: gx(R),
      hint: `${gx(R)}#h`,
    },
    {
      terms: [
        { x: lambda, y: gx(P), coef: 1 },
        { x: lambda, y: gx(R), coef: -1 },
      ],
      linear: [{ v: gy(P), coef: -1 }],
      r: gy(R),
      hint: `${gy(R)}#h`,
    },
  ];
}

/** P on the curve: x2 = x², y² − x2·x = 3 (x2 a witness element). */
export function g1OnCurveChecks(P: string, x2: string): Check[] {
  return [
    { terms: [{ x: gx(P), y: gx(P), coef: 1 }], r: x2, hint: `${x2}#h` },
    {
      terms: [
        { x: gy(P), y: gy(P), coef: 1 },
        { x: x2, y: gx(P), coef: -1 },
      ],
      r: 3n,
      hint: `${gy(P)}#h`,
    },
  ];
}

/** An affine point off-chain. */
export interface G1Value {
  x: bigint;
  y: bigint;
}

/** Affine addition and doubling off-chain (for the witnesses' slopes). */
export const g1 = {
  addSlope: (P: G1Value, Q: G1Value): bigint => mod((Q.y - P.y) * modInverse(FQ, mod(Q.x - P.x))),
  doubleSlope: (P: G1Value): bigint => mod(3n * P.x * P.x * modInverse(FQ, mod(2n * P.y))),
  apply(P: G1Value, Q: G1Value, l: bigint): G1Value {
    const x = mod(l * l - P.x - Q.x);
    return { x, y: mod(l * (P.x - x) - P.y) };
  },
};

/** The standalone G1 fragments (operands checked canonical). */
export function g1Ops(): FieldOp[] {
  const P = [gx("P"), gy("P")];
  const Q = [gx("Q"), gy("Q")];
  const R = [gx("R"), gy("R")];
  const val = (v: ReadonlyMap<string, bigint>, n: string): G1Value => ({
    x: v.get(gx(n))!,
    y: v.get(gy(n))!,
  });
  const out = (l: bigint, r: G1Value): Map<string, bigint> =>
    new Map([
      ["l", l],
      [gx("R"), r.x],
      [gy("R"), r.y],
    ]);
  const addChecks = g1AddChecks("P", "Q", "R", "l");
  const dblChecks = g1DoubleChecks("P", "R", "l");
  const curveChecks = g1OnCurveChecks("P", "x2");
  return [
    hintedFieldOp(FQ, {
      name: "g1_add",
      description: "P + Q (P ≠ ±Q, neither at infinity), slope from the witness",
      operands: [...P, ...Q],
      aux: ["l"],
      results: R,
      checks: addChecks,
      compute: (v) => {
        const [a, b] = [val(v, "P"), val(v, "Q")];
        const l = g1.addSlope(a, b);
        return out(l, g1.apply(a, b, l));
      },
      gen: (t) => {
        // x_P ≠ x_Q: otherwise the slope identity holds for any λ (P = Q) or none (P = −Q)
        fieldNotEqualVerify(t, gx("P"), gx("Q"));
        productChecks(t, FQ, addChecks, {
          consume: new Set(["l", ...P, ...Q]),
          trusted: new Set([...P, ...Q, ...R]),
        });
      },
    }),
    hintedFieldOp(FQ, {
      name: "g1_double",
      description: "2P (P not at infinity), slope from the witness",
      operands: P,
      aux: ["l"],
      results: R,
      checks: dblChecks,
      compute: (v) => {
        const a = val(v, "P");
        const l = g1.doubleSlope(a);
        return out(l, g1.apply(a, a, l));
      },
      gen: (t) => {
        // y_P ≠ 0: otherwise the slope identity would not fix λ
        fieldNonZeroVerify(t, gy("P"));
        productChecks(t, FQ, dblChecks, { consume: new Set(["l", ...P]), trusted: new Set([...P, ...R]) });
      },
    }),
    hintedFieldOp(FQ, {
      name: "g1_on_curve",
      description: "fail unless y² = x³ + 3 (x² from the witness); leaves P",
      operands: P,
      aux: [],
      results: ["x2"],
      checks: curveChecks,
      compute: (v) => new Map([["x2", mod(v.get(gx("P"))! ** 2n)]]),
      gen: (t) => {
        productChecks(t, FQ, curveChecks, { trusted: new Set([...P, "x2"]) });
        for (let i = 0; i < DIGITS; i++) t.drop(digit("x2", i));
      },
    }),
    plainFieldOp(
      FQ,
      "g1_neg",
      "−P = (x, −y)",
      P,
      2,
      (t) => fieldNeg(t, FQ, gy("P"), gy("R")),
      (x) => [x[0]!, mod(-x[1]!)],
    ),
  ];
}
