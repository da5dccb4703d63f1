/**
 * G1 of BN254 (y² = x³ + 3 over Fq) in affine coordinates, every slope supplied by the witness
 * and checked: a point `P` is the Fq elements `P.x` (deeper) and `P.y`, 74 stack items. Affine
 * coordinates cannot hold the point at infinity; the operations refuse the inputs whose result
 * would be it (or whose slope the identities would not pin down), and the caller handles them.
 */
import { OP, bytesToHex } from "../../bitcoin/index.js";
import { BitvmBuildError, fragment as fragmentOf, num, type Fragment } from "../fragment.js";
import { stackNumber, type StackValue } from "../run.js";
import { StackTracker } from "../tracker.js";

import {
  DIGITS,
  FQ,
  checkCanonical,
  checkConstant,
  digit,
  elementNames,
  elementWitness,
  fieldNeg,
  readElements,
  toDigits,
} from "./field.js";
import { checkHint, hintNames, hintWitness, productChecks, type Check } from "./mulcheck.js";
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

/** R = P + C for a constant point C (x_P ≠ x_C), slope λ from the witness. */
export function g1AddConstChecks(
  fragment: string,
  P: string,
  C: G1Value,
  R: string,
  lambda: string,
): Check[] {
  const cx = checkConstant(fragment, FQ, C.x);
  const cy = checkConstant(fragment, FQ, C.y);
  return [
    {
      // λ·x_C − λ·x_P + y_P = y_C
      terms: [...(cx === 0n ? [] : [{ x: lambda, y: cx, coef: 1 }]), { x: lambda, y: gx(P), coef: -1 }],
      linear: [{ v: gy(P), coef: 1 }],
      r: cy,
      hint: `${lambda}#h`,
    },
    {
      // x_R = λ² − x_P − x_C
      terms: [{ x: lambda, y: lambda, coef: 1 }],
      linear: [{ v: gx(P), coef: -1 }],
      constant: mod(-cx),
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

/**
 * One step of the multiplication of a fixed point by a public scalar: R = P + bit·C, where C is
 * the step's constant 2^i·G and bit the scalar's bit i (0 or 1, checked). Witness, bottom first:
 * R, the hints, λ, P, bit. With bit = 1 the addition is checked (and x_P ≠ x_C); with bit = 0
 * R = P is checked and the hints are dropped. The IF's two branches leave the same stack: R.
 */
export function g1ScalarMulStep(
  name: string,
  C: G1Value,
): { fragment: Fragment; witness: (P: G1Value, bit: 0 | 1) => StackValue[] } {
  const checks = g1AddConstChecks(name, "P", C, "R", "l");
  const body = [
    ...g1Names("R"),
    ...checks.flatMap((c) => hintNames(FQ, c)),
    ...elementNames("l"),
    ...g1Names("P"),
  ];
  const t = new StackTracker(name, [...body, "bit"]);
  for (const e of [gx("R"), gy("R"), gx("P"), gy("P")]) checkCanonical(t, FQ, e);
  t.copy("bit", "b");
  t.apply([OP.OP_0, OP.OP_2, OP.OP_WITHIN, OP.OP_VERIFY], 1, []);
  const add = new StackTracker(name, body);
  // x_P ≠ x_C, digit by digit against the constant
  const cd = toDigits(C.x);
  for (let i = 0; i < DIGITS; i++) {
    add.copy(digit(gx("P"), i), "d");
    add.apply([num(cd[i]!), OP.OP_NUMEQUAL], 1, ["e"]);
    if (i > 0) {
      add.move("eq");
      add.apply(OP.OP_BOOLAND, 2, ["eq"]);
    } else add.rename("e", "eq");
  }
  add.apply([OP.OP_NOT, OP.OP_VERIFY], 1, []);
  productChecks(add, FQ, checks, {
    consume: new Set(["l", gx("P"), gy("P")]),
    trusted: new Set([gx("P"), gy("P"), gx("R"), gy("R")]),
  });
  const skip = new StackTracker(name, body);
  for (const c of ["x", "y"] as const)
    for (let i = 0; i < DIGITS; i++) {
      skip.move(digit(`P.${c}`, i));
      skip.copy(digit(`R.${c}`, i), "r");
      skip.apply(OP.OP_NUMEQUALVERIFY, 2, []);
    }
  const keep = new Set(g1Names("R"));
  for (const n of [...body].reverse()) if (skip.has(n) && !keep.has(n)) skip.drop(n);
  for (const tr of [add, skip])
    if (tr.size !== 2 * DIGITS)
      throw new BitvmBuildError(name, "opcode", "scalar-mul step: branches leave different stacks");
  const fragment = fragmentOf(name, [...t.ops, OP.OP_IF, ...add.ops, OP.OP_ELSE, ...skip.ops, OP.OP_ENDIF]);
  const witness = (P: G1Value, bit: 0 | 1): StackValue[] => {
    const l = bit === 1 ? g1.addSlope(P, C) : 0n;
    const R = bit === 1 ? g1.apply(P, C, l) : P;
    const values = new Map([
      [gx("P"), P.x],
      [gy("P"), P.y],
      ["l", l],
      [gx("R"), R.x],
      [gy("R"), R.y],
    ]);
    const hints =
      bit === 1
        ? checks.flatMap((c) => hintWitness(checkHint(FQ, c, values)))
        : checks.flatMap((c) => hintNames(FQ, c).map(() => 0));
    return [...elementWitness([R.x, R.y]), ...hints, ...elementWitness([l, P.x, P.y]), bit];
  };
  return { fragment, witness };
}

/** k·P off-chain (affine double-and-add; null is the point at infinity). */
export function g1MulValue(P: G1Value, k: bigint): G1Value | null {
  let acc: G1Value | null = null;
  let base: G1Value | null = P;
  for (let e = k; e > 0n && base !== null; e >>= 1n) {
    if (e & 1n) acc = acc === null ? base : g1AddValue(acc, base);
    base = g1AddValue(base, base);
  }
  return acc;
}

/** P + Q off-chain, handling doubling and infinity. */
export function g1AddValue(P: G1Value, Q: G1Value): G1Value | null {
  if (P.x === Q.x) {
    if (mod(P.y + Q.y) === 0n) return null;
    return g1.apply(P, P, g1.doubleSlope(P));
  }
  return g1.apply(P, Q, g1.addSlope(P, Q));
}

/**
 * The offset the scalar multiplication starts from (affine points cannot start at infinity):
 * O = h·G for h = the first 8 bytes of "bitlayer-lvm/g1-msm-offset" read as a number, subtracted
 * again by the last leaf. An unlucky scalar can make a step degenerate (x_P = x_C), which fails the
 * honest prover's leaf (a liveness matter, never a soundness one: each leaf checks what it claims).
 */
export const G1_MSM_OFFSET_SCALAR = BigInt(
  "0x" + bytesToHex(new TextEncoder().encode("bitlayer-lvm/g1-msm-offset").subarray(0, 8)),
);

/**
 * k·C for a fixed point C and a public n-bit scalar k ≥ 1, as n + 1 leaves: step i adds
 * bit_i·2^i·C to the accumulator (from O), the last subtracts O. `run` executes them on our
 * interpreter, each leaf's result feeding the next, and returns k·C with every leaf's figures.
 */
export function g1FixedBaseMul(C: G1Value, bits: number) {
  const G: G1Value = { x: 1n, y: 2n };
  const O = g1MulValue(G, G1_MSM_OFFSET_SCALAR)!;
  const constants: G1Value[] = [];
  let c: G1Value = C;
  for (let i = 0; i < bits; i++) {
    constants.push(c);
    c = g1AddValue(c, c)!;
  }
  const negO: G1Value = { x: O.x, y: mod(-O.y) };
  const steps = [...constants, negO].map((k, i) => g1ScalarMulStep(`g1_msm_step_${i}`, k));
  return {
    steps,
    offset: O,
    run(
      k: bigint,
      exec: (f: Fragment, w: StackValue[]) => { ok: boolean; stack: Uint8Array[]; message?: string },
    ) {
      if (k <= 0n || k >= 1n << BigInt(bits)) throw new RangeError(`scalar ${k} is not in 1…2^${bits} − 1`);
      let acc = O;
      const figures: { bytes: number; ok: boolean }[] = [];
      steps.forEach((s, i) => {
        const bit = i === bits ? 1 : Number((k >> BigInt(i)) & 1n);
        const r = exec(s.fragment, s.witness(acc, bit as 0 | 1));
        figures.push({ bytes: s.fragment.size, ok: r.ok });
        if (!r.ok) throw new RangeError(`leaf ${i} failed: ${r.message ?? ""}`);
        const [x, y] = readElements(r.stack.map(stackNumber), 2);
        acc = { x: x!, y: y! };
      });
      return { result: acc, figures };
    },
  };
}
