/**
 * Fq2 = Fq[u]/(u² + 1), the first floor of BN254's tower. An Fq2 element `a` is the two Fq
 * elements `a.c0` (deeper) and `a.c1`, 74 stack items. Sums are two Fq sums; every product is one
 * product check per coordinate over the four digit vectors, so a multiplication costs four digit
 * products and two quotient products, with no Karatsuba sums (their digits would leave the table).
 */
import type { StackTracker } from "../tracker.js";

import {
  FQ,
  checkConstant,
  elementNames,
  fieldAdd,
  fieldDouble,
  fieldEqualVerify,
  fieldMove,
  fieldNeg,
  fieldRename,
  fieldSub,
} from "./field.js";
import { productChecks, type Check } from "./mulcheck.js";
import { hintedFieldOp, modInverse, plainFieldOp, type FieldOp } from "./ops.js";

const p = FQ.p;
const mod = (v: bigint): bigint => ((v % p) + p) % p;

/** An Fq2 value off-chain: c0 + c1·u. */
export type Fq2Value = readonly [bigint, bigint];

export const c0 = (a: string): string => `${a}.c0`;
export const c1 = (a: string): string => `${a}.c1`;

/** Stack names of Fq2 element `a`, bottom first. */
export const fq2Names = (a: string): string[] => [...elementNames(c0(a)), ...elementNames(c1(a))];

export function fq2Add(t: StackTracker, a: string, b: string, out: string): void {
  fieldAdd(t, FQ, c0(a), c0(b), c0(out));
  fieldAdd(t, FQ, c1(a), c1(b), c1(out));
}

export function fq2Sub(t: StackTracker, a: string, b: string, out: string): void {
  fieldSub(t, FQ, c0(a), c0(b), c0(out));
  fieldSub(t, FQ, c1(a), c1(b), c1(out));
}

export function fq2Double(t: StackTracker, a: string, out: string): void {
  fieldDouble(t, FQ, c0(a), c0(out));
  fieldDouble(t, FQ, c1(a), c1(out));
}

export function fq2Neg(t: StackTracker, a: string, out: string): void {
  fieldNeg(t, FQ, c0(a), c0(out));
  fieldNeg(t, FQ, c1(a), c1(out));
}

/** The Frobenius map a ↦ a^p, which on Fq2 is conjugation: c0 − c1·u. */
export function fq2Frobenius(t: StackTracker, a: string, out: string): void {
  fieldMove(t, c0(a));
  fieldRename(t, c0(a), c0(out));
  fieldNeg(t, FQ, c1(a), c1(out));
}

export function fq2EqualVerify(t: StackTracker, a: string, b: string): void {
  fieldEqualVerify(t, c0(a), c0(b));
  fieldEqualVerify(t, c1(a), c1(b));
}

/** The identities of r = a·b: r0 = a0b0 − a1b1, r1 = a0b1 + a1b0. */
export function fq2MulChecks(a: string, b: string, r: string): Check[] {
  return [
    {
      terms: [
        { x: c0(a), y: c0(b), coef: 1 },
        { x: c1(a), y: c1(b), coef: -1 },
      ],
      r: c0(r),
      hint: `${c0(r)}#h`,
    },
    {
      terms: [
        { x: c0(a), y: c1(b), coef: 1 },
        { x: c1(a), y: c0(b), coef: 1 },
      ],
      r: c1(r),
      hint: `${c1(r)}#h`,
    },
  ];
}

/** r = a²: r0 = a0² − a1² (two half-cost squares), r1 = 2·a0·a1. */
export function fq2SquareChecks(a: string, r: string): Check[] {
  return [
    {
      terms: [
        { x: c0(a), y: c0(a), coef: 1 },
        { x: c1(a), y: c1(a), coef: -1 },
      ],
      r: c0(r),
      hint: `${c0(r)}#h`,
    },
    { terms: [{ x: c0(a), y: c1(a), coef: 2 }], r: c1(r), hint: `${c1(r)}#h` },
  ];
}

/** r = a·ξ for the sextic non-residue ξ = 9 + u: r0 = 9a0 − a1, r1 = a0 + 9a1. */
export function fq2MulByNonResidueChecks(a: string, r: string): Check[] {
  return [
    { terms: [{ x: c0(a), y: 9n, coef: 1 }], linear: [{ v: c1(a), coef: -1 }], r: c0(r), hint: `${c0(r)}#h` },
    { terms: [{ x: c1(a), y: 9n, coef: 1 }], linear: [{ v: c0(a), coef: 1 }], r: c1(r), hint: `${c1(r)}#h` },
  ];
}

/** r = a·s for s in Fq. */
export function fq2MulByFqChecks(a: string, s: string, r: string): Check[] {
  return [
    { terms: [{ x: c0(a), y: s, coef: 1 }], r: c0(r), hint: `${c0(r)}#h` },
    { terms: [{ x: c1(a), y: s, coef: 1 }], r: c1(r), hint: `${c1(r)}#h` },
  ];
}

/** r = a·c for a constant c (the Frobenius coefficients of Fq6/Fq12, fixed line coefficients). */
export function fq2MulConstChecks(fragment: string, a: string, c: Fq2Value, r: string): Check[] {
  const [k0, k1] = [checkConstant(fragment, FQ, c[0]), checkConstant(fragment, FQ, c[1])];
  const terms0: Check["terms"][number][] = [];
  const terms1: Check["terms"][number][] = [];
  if (k0 !== 0n) {
    terms0.push({ x: c0(a), y: k0, coef: 1 });
    terms1.push({ x: c1(a), y: k0, coef: 1 });
  }
  if (k1 !== 0n) {
    terms0.push({ x: c1(a), y: k1, coef: -1 });
    terms1.push({ x: c0(a), y: k1, coef: 1 });
  }
  return [
    { terms: terms0, r: c0(r), hint: `${c0(r)}#h` },
    { terms: terms1, r: c1(r), hint: `${c1(r)}#h` },
  ];
}

/** a·inv = 1: (a0i0 − a1i1, a0i1 + a1i0) = (1, 0). */
export function fq2InvChecks(a: string, inv: string): Check[] {
  return [
    {
      terms: [
        { x: c0(a), y: c0(inv), coef: 1 },
        { x: c1(a), y: c1(inv), coef: -1 },
      ],
      r: 1n,
      hint: `${c0(inv)}#h`,
    },
    {
      terms: [
        { x: c0(a), y: c1(inv), coef: 1 },
        { x: c1(a), y: c0(inv), coef: 1 },
      ],
      r: 0n,
      hint: `${c1(inv)}#h`,
    },
  ];
}

// Off-chain Fq2 arithmetic for witnesses.
export const fq2 = {
  add: (a: Fq2Value, b: Fq2Value): Fq2Value => [mod(a[0] + b[0]), mod(a[1] + b[1])],
  sub: (a: Fq2Value, b: Fq2Value): Fq2Value => [mod(a[0] - b[0]), mod(a[1] - b[1])],
  mul: (a: Fq2Value, b: Fq2Value): Fq2Value => [
    mod(a[0] * b[0] - a[1] * b[1]),
    mod(a[0] * b[1] + a[1] * b[0]),
  ],
  inv(a: Fq2Value): Fq2Value {
    const n = modInverse(FQ, mod(a[0] * a[0] + a[1] * a[1]));
    return [mod(a[0] * n), mod(-a[1] * n)];
  },
};

const pair = (v: ReadonlyMap<string, bigint>, a: string): Fq2Value => [v.get(c0(a))!, v.get(c1(a))!];
const named = (r: string, x: Fq2Value): Map<string, bigint> =>
  new Map([
    [c0(r), x[0]],
    [c1(r), x[1]],
  ]);

/** A fixed constant for the constant-multiplication fragment (γ₁,₁ of the Fq12 Frobenius). */
export const FQ2_DEMO_CONSTANT: Fq2Value = [
  0x1284b71c2865a7dfe8b99fdd76e68b605c521e08292f2176d60b35dadcc9e470n,
  0x246996f3b4fae7e6a6327cfe12150b8e747992778eeec7e5ca5cf05f80f362acn,
];

/** The standalone Fq2 fragments (operands checked canonical), as the catalog and bench run them. */
export function fq2Ops(): FieldOp[] {
  const a = [c0("a"), c1("a")];
  const b = [c0("b"), c1("b")];
  const r = [c0("r"), c1("r")];
  const plain = (
    name: string,
    description: string,
    operands: string[],
    gen: (t: StackTracker) => void,
    model: (x: readonly bigint[]) => bigint[],
  ): FieldOp => plainFieldOp(FQ, `fq2_${name}`, description, operands, 2, gen, model);
  const hinted = (
    name: string,
    description: string,
    operands: string[],
    checks: Check[],
    compute: (v: ReadonlyMap<string, bigint>) => Map<string, bigint>,
    results = r,
    consume: string[] = operands,
  ): FieldOp =>
    hintedFieldOp(FQ, {
      name: `fq2_${name}`,
      description,
      operands,
      results,
      checks,
      compute,
      // operands and results are checked canonical before the products: no second range check
      gen: (t) =>
        productChecks(t, FQ, checks, {
          consume: new Set(consume),
          trusted: new Set([...operands, ...results]),
        }),
    });
  return [
    plain(
      "add",
      "a + b",
      [...a, ...b],
      (t) => fq2Add(t, "a", "b", "o"),
      (x) => [...fq2.add([x[0]!, x[1]!], [x[2]!, x[3]!])],
    ),
    plain(
      "sub",
      "a − b",
      [...a, ...b],
      (t) => fq2Sub(t, "a", "b", "o"),
      (x) => [...fq2.sub([x[0]!, x[1]!], [x[2]!, x[3]!])],
    ),
    plain(
      "double",
      "2a",
      a,
      (t) => fq2Double(t, "a", "o"),
      (x) => [mod(2n * x[0]!), mod(2n * x[1]!)],
    ),
    plain(
      "neg",
      "−a",
      a,
      (t) => fq2Neg(t, "a", "o"),
      (x) => [mod(-x[0]!), mod(-x[1]!)],
    ),
    plain(
      "frobenius",
      "a^p = conjugate (c0 − c1·u)",
      a,
      (t) => fq2Frobenius(t, "a", "o"),
      (x) => [x[0]!, mod(-x[1]!)],
    ),
    hinted(
      "mul",
      "a·b, hinted (4 digit products + 2 quotient products)",
      [...a, ...b],
      fq2MulChecks("a", "b", "r"),
      (v) => named("r", fq2.mul(pair(v, "a"), pair(v, "b"))),
    ),
    hinted("square", "a², hinted (a0² − a1² and 2·a0·a1)", a, fq2SquareChecks("a", "r"), (v) =>
      named("r", fq2.mul(pair(v, "a"), pair(v, "a"))),
    ),
    hinted("mul_by_nonresidue", "a·(9 + u), hinted", a, fq2MulByNonResidueChecks("a", "r"), (v) =>
      named("r", fq2.mul(pair(v, "a"), [9n, 1n])),
    ),
    hinted("mul_by_fq", "a·s for s in Fq, hinted", [...a, "s"], fq2MulByFqChecks("a", "s", "r"), (v) =>
      named("r", fq2.mul(pair(v, "a"), [v.get("s")!, 0n])),
    ),
    hinted(
      "mul_const",
      "a·c for a fixed Fq2 constant c, hinted",
      a,
      fq2MulConstChecks("fq2_mul_const", "a", FQ2_DEMO_CONSTANT, "r"),
      (v) => named("r", fq2.mul(pair(v, "a"), FQ2_DEMO_CONSTANT)),
    ),
    hinted("inv", "a⁻¹ from the witness, checked by a·a⁻¹ = 1", a, fq2InvChecks("a", "r"), (v) =>
      named("r", fq2.inv(pair(v, "a"))),
    ),
  ];
}
