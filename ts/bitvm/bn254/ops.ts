/**
 * Hinted field operations built on the product check, the nibble conversions, and the
 * standalone fragments (with their witnesses) that the tests, the catalog and the bench run.
 */
import { OP } from "../../bitcoin/index.js";
import { BitvmBuildError, num, type Fragment, type Op } from "../fragment.js";
import { stackNumber, type StackValue } from "../run.js";
import { StackTracker } from "../tracker.js";

import {
  checkCanonical,
  checkConstant,
  digit,
  elementNames,
  elementWitness,
  fieldAdd,
  fieldDouble,
  fieldEqual,
  fieldEqualVerify,
  fieldIsZero,
  fieldNeg,
  fieldPush,
  fieldSub,
  readElements,
  type PrimeField,
} from "./field.js";
import { checkHint, hintNames, hintWitness, productChecks, type Check } from "./mulcheck.js";
import { fieldMulPlain } from "./plain.js";

/** r = a·b (a, b consumed; the hint `${r}#h` and r itself are witness items below them). */
export function fieldMulHinted(
  t: StackTracker,
  f: PrimeField,
  a: string,
  b: string,
  r: string,
  trusted = false,
): void {
  productChecks(t, f, [{ terms: [{ x: a, y: b, coef: 1 }], r, hint: `${r}#h` }], {
    consume: new Set([a, b]),
    trusted: trusted ? new Set([a, b]) : new Set(),
  });
}

/** r = a² (a consumed). */
export function fieldSquareHinted(
  t: StackTracker,
  f: PrimeField,
  a: string,
  r: string,
  trusted = false,
): void {
  productChecks(t, f, [{ terms: [{ x: a, y: a, coef: 1 }], r, hint: `${r}#h` }], {
    consume: new Set([a]),
    trusted: trusted ? new Set([a]) : new Set(),
  });
}

/** r = a·c for a constant c (a consumed). */
export function fieldMulConstHinted(
  t: StackTracker,
  f: PrimeField,
  a: string,
  c: bigint,
  r: string,
  trusted = false,
): void {
  checkConstant(t.name, f, c);
  productChecks(t, f, [{ terms: [{ x: a, y: c, coef: 1 }], r, hint: `${r}#h` }], {
    consume: new Set([a]),
    trusted: trusted ? new Set([a]) : new Set(),
  });
}

/** Checks a·inv = 1 (a consumed, inv — a witness item — left in place, canonical). */
export function fieldInvHinted(
  t: StackTracker,
  f: PrimeField,
  a: string,
  inv: string,
  trusted = false,
): void {
  checkCanonical(t, f, inv);
  productChecks(t, f, [{ terms: [{ x: a, y: inv, coef: 1 }], r: 1n, hint: `${inv}#h` }], {
    consume: new Set([a]),
    trusted: trusted ? new Set([a]) : new Set(),
  });
}

/** Stack names of a 64-nibble vector, bottom first (most significant deepest). */
export const nibbleNames = (n: string): string[] => elementNames(n, 64);

/** Nibbles of a 256-bit value, least significant first. */
export function toNibbles(v: bigint): number[] {
  return Array.from({ length: 64 }, (_, i) => Number((v >> BigInt(4 * i)) & 15n));
}

/**
 * Fails unless nibble vector `n` (each checked 0…15) and element `a` are the same number: both
 * are recombined in 28-bit groups (7 nibbles = 4 digits) and the groups compared.
 * `keep` says which of the two stays on the stack; the other is consumed.
 */
export function nibblesMatch(t: StackTracker, a: string, n: string, keep: "nibbles" | "digits"): void {
  const bring = (name: string, as: string, consumeIt: boolean): void => {
    if (consumeIt) {
      t.move(name);
      t.rename(name, as);
    } else t.copy(name, as);
  };
  const times = (k: number): Op[] => Array.from({ length: k }, () => [OP.OP_DUP, OP.OP_ADD]).flat();
  for (let g = 0; g <= 9; g++) {
    const nd = g < 9 ? 4 : 1;
    const nn = g < 9 ? 7 : 1;
    // digits, most significant first
    for (let k = nd - 1; k >= 0; k--) {
      bring(digit(a, 4 * g + k), "d", keep === "nibbles");
      if (k < nd - 1) {
        t.move("D");
        t.apply([...times(7), OP.OP_ADD], 2, ["D"]);
      } else t.rename("d", "D");
    }
    for (let k = nn - 1; k >= 0; k--) {
      bring(digit(n, 7 * g + k), "x", keep === "digits");
      t.apply([OP.OP_DUP, OP.OP_0, num(16), OP.OP_WITHIN, OP.OP_VERIFY], 1, ["x"]);
      if (k < nn - 1) {
        t.move("N");
        t.apply([...times(4), OP.OP_ADD], 2, ["N"]);
      } else t.rename("x", "N");
    }
    t.move("D");
    t.apply(OP.OP_NUMEQUALVERIFY, 2, []);
  }
}

/** How a standalone fragment's witness is made and its result read. */
export interface FieldOp {
  name: string;
  description: string;
  /** Elements the witness supplies (besides hints). */
  arity: number;
  build(): Fragment;
  /** The full witness (bottom first) for the given operands; throws if no valid witness exists. */
  witness(args: readonly bigint[]): StackValue[];
  /** The result read off the final stack. */
  read(stack: readonly Uint8Array[]): bigint[];
  /** What the result should be (computed off-chain, by bigint arithmetic). */
  model(args: readonly bigint[]): bigint[];
}

const mod = (f: PrimeField, v: bigint): bigint => ((v % f.p) + f.p) % f.p;

export function modInverse(f: PrimeField, a: bigint): bigint {
  if (mod(f, a) === 0n) throw new RangeError("0 has no inverse");
  let [r0, r1] = [f.p, mod(f, a)];
  let [s0, s1] = [0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(f, s0);
}

const INV_CHECK: Check = { terms: [{ x: "a", y: "r", coef: 1 }], r: 1n, hint: "r#h" };

const readAll = (count: number) => (stack: readonly Uint8Array[]) =>
  readElements(stack.map(stackNumber), count);

/** The standalone fragments of field `f`; `checkInputs` makes each check its operands canonical. */
export function fieldOps(f: PrimeField, opts: { checkInputs?: boolean; constant?: bigint } = {}): FieldOp[] {
  const checked = opts.checkInputs ?? true;
  const c = opts.constant ?? 0x2b149d40ceb8aaae81be18991be06ac3b5b4c5e559dbefa33267e6dc24a138e5n % f.p;
  const n = (op: string): string => `${f.name}_${op}${checked ? "" : "_unchecked"}`;
  const plain = (
    op: string,
    description: string,
    arity: 1 | 2,
    gen: (t: StackTracker) => void,
    outputs: number,
    model: (x: readonly bigint[]) => bigint[],
  ): FieldOp => ({
    name: n(op),
    description,
    arity,
    build: () => {
      const t = new StackTracker(
        n(op),
        arity === 2 ? [...elementNames("a"), ...elementNames("b")] : elementNames("a"),
      );
      if (checked) {
        checkCanonical(t, f, "a");
        if (arity === 2) checkCanonical(t, f, "b");
      }
      gen(t);
      return t.finish();
    },
    witness: (x) => elementWitness(x.slice(0, arity)),
    read:
      outputs === 0
        ? () => []
        : outputs === 1 && op.startsWith("is")
          ? (s) => [BigInt(stackNumber(s[0]!))]
          : readAll(outputs),
    model,
  });
  const hinted = (
    op: string,
    description: string,
    arity: 1 | 2,
    check: Check,
    gen: (t: StackTracker) => void,
    model: (x: readonly bigint[]) => bigint,
  ): FieldOp => ({
    name: n(op),
    description,
    arity,
    build: () => {
      const t = new StackTracker(n(op), [
        ...hintNames(f, check),
        ...elementNames("r"),
        ...elementNames("a"),
        ...(arity === 2 ? elementNames("b") : []),
      ]);
      if (checked) {
        checkCanonical(t, f, "a");
        if (arity === 2) checkCanonical(t, f, "b");
      }
      gen(t);
      return t.finish();
    },
    witness: (x) => {
      const values = new Map([
        ["a", x[0]!],
        ["b", x[1] ?? 0n],
        ["r", model(x)],
      ]);
      const h = checkHint(f, check, values);
      return [...hintWitness(h), ...elementWitness([model(x)]), ...elementWitness(x.slice(0, arity))];
    },
    read: readAll(1),
    model: (x) => [model(x)],
  });
  return [
    {
      name: n("push"),
      description: `push the constant ${c} as 37 digits`,
      arity: 0,
      build: () => {
        const t = new StackTracker(n("push"));
        fieldPush(t, f, c, "c");
        return t.finish();
      },
      witness: () => [],
      read: readAll(1),
      model: () => [c],
    },
    plain(
      "check",
      "fail unless a is canonical (digits 0…127, a < p); leaves a",
      1,
      () => undefined,
      1,
      (x) => [x[0]!],
    ),
    plain(
      "add",
      "a + b mod p",
      2,
      (t) => fieldAdd(t, f, "a", "b", "o"),
      1,
      (x) => [mod(f, x[0]! + x[1]!)],
    ),
    plain(
      "sub",
      "a − b mod p",
      2,
      (t) => fieldSub(t, f, "a", "b", "o"),
      1,
      (x) => [mod(f, x[0]! - x[1]!)],
    ),
    plain(
      "double",
      "2a mod p",
      1,
      (t) => fieldDouble(t, f, "a", "o"),
      1,
      (x) => [mod(f, 2n * x[0]!)],
    ),
    plain(
      "neg",
      "−a mod p",
      1,
      (t) => fieldNeg(t, f, "a", "o"),
      1,
      (x) => [mod(f, -x[0]!)],
    ),
    plain(
      "equal",
      "1 if a = b else 0",
      2,
      (t) => fieldEqual(t, "a", "b", "e"),
      1,
      (x) => [x[0] === x[1] ? 1n : 0n],
    ),
    plain(
      "equalverify",
      "fail unless a = b",
      2,
      (t) => fieldEqualVerify(t, "a", "b"),
      0,
      () => [],
    ),
    plain(
      "is_zero",
      "1 if a = 0 else 0",
      1,
      (t) => fieldIsZero(t, "a", "z"),
      1,
      (x) => [x[0] === 0n ? 1n : 0n],
    ),
    plain(
      "mul_plain",
      "a·b mod p computed by the script (no hint): product columns, carries, fold, reduction",
      2,
      (t) => fieldMulPlain(t, f, "a", "b", "o"),
      1,
      (x) => [mod(f, x[0]! * x[1]!)],
    ),
    plain(
      "square_plain",
      "a² mod p computed by the script (no hint; cross products doubled)",
      1,
      (t) => fieldMulPlain(t, f, "a", null, "o"),
      1,
      (x) => [mod(f, x[0]! * x[0]!)],
    ),
    hinted(
      "mul",
      "a·b mod p, checked from the witness's quotient and carries",
      2,
      { terms: [{ x: "a", y: "b", coef: 1 }], r: "r", hint: "r#h" },
      (t) => fieldMulHinted(t, f, "a", "b", "r", checked),
      (x) => mod(f, x[0]! * x[1]!),
    ),
    hinted(
      "square",
      "a² mod p, hinted (cross products doubled: 703 digit products instead of 1,369)",
      1,
      { terms: [{ x: "a", y: "a", coef: 1 }], r: "r", hint: "r#h" },
      (t) => fieldSquareHinted(t, f, "a", "r", checked),
      (x) => mod(f, x[0]! * x[0]!),
    ),
    hinted(
      "mul_const",
      `a·c mod p for the constant c = ${c}, hinted`,
      1,
      { terms: [{ x: "a", y: c, coef: 1 }], r: "r", hint: "r#h" },
      (t) => fieldMulConstHinted(t, f, "a", c, "r", checked),
      (x) => mod(f, x[0]! * c),
    ),
    hinted(
      "mul_by_9",
      "9a mod p, hinted (one-digit constant: 37 products)",
      1,
      { terms: [{ x: "a", y: 9n, coef: 1 }], r: "r", hint: "r#h" },
      (t) => fieldMulConstHinted(t, f, "a", 9n, "r", checked),
      (x) => mod(f, 9n * x[0]!),
    ),
    {
      name: n("inv"),
      description: "a⁻¹ from the witness, checked by a·a⁻¹ = 1",
      arity: 1,
      build: () => {
        const t = new StackTracker(n("inv"), [
          ...hintNames(f, INV_CHECK),
          ...elementNames("r"),
          ...elementNames("a"),
        ]);
        if (checked) checkCanonical(t, f, "a");
        fieldInvHinted(t, f, "a", "r", checked);
        return t.finish();
      },
      witness: (x) => {
        const inv = modInverse(f, x[0]!);
        const h = checkHint(
          f,
          INV_CHECK,
          new Map([
            ["a", x[0]!],
            ["r", inv],
          ]),
        );
        return [...hintWitness(h), ...elementWitness([inv]), ...elementWitness([x[0]!])];
      },
      read: readAll(1),
      model: (x) => [modInverse(f, x[0]!)],
    },
    {
      name: n("to_nibbles"),
      description:
        "a as 64 nibbles (most significant deepest, as Winternitz and BLAKE3 take them), from the witness, checked",
      arity: 1,
      build: () => {
        const t = new StackTracker(n("to_nibbles"), [...nibbleNames("n"), ...elementNames("a")]);
        if (checked) checkCanonical(t, f, "a");
        nibblesMatch(t, "a", "n", "nibbles");
        return t.finish();
      },
      witness: (x) => [...[...toNibbles(x[0]!)].reverse(), ...elementWitness([x[0]!])],
      read: (s) => {
        const nib = s.map(stackNumber).reverse();
        return [nib.reduce((acc, v, i) => acc + (BigInt(v) << BigInt(4 * i)), 0n)];
      },
      model: (x) => [x[0]!],
    },
    {
      name: n("from_nibbles"),
      description: "64 nibbles to digits (supplied by the witness, checked canonical and equal)",
      arity: 1,
      build: () => {
        const t = new StackTracker(n("from_nibbles"), [...elementNames("a"), ...nibbleNames("n")]);
        checkCanonical(t, f, "a");
        nibblesMatch(t, "a", "n", "digits");
        return t.finish();
      },
      witness: (x) => [...elementWitness([x[0]!]), ...[...toNibbles(x[0]!)].reverse()],
      read: readAll(1),
      model: (x) => [x[0]!],
    },
  ];
}

/** Refuses an operand that is not a canonical element (for the catalog's textual inputs). */
export function parseElement(fragment: string, f: PrimeField, text: string): bigint {
  let v: bigint;
  try {
    v = BigInt(text.trim());
  } catch {
    throw new BitvmBuildError(fragment, "range", `"${text}" is not a number`);
  }
  return checkConstant(fragment, f, v, "operand");
}

/** A standalone fragment over Fq elements whose results are checked from witness hints. */
export interface HintedSpec {
  name: string;
  description: string;
  /** Input elements, in witness order (each 37 digits), checked canonical where they index the table. */
  operands: readonly string[];
  /** Witness elements consumed by the checks (slopes): range-checked where they index the table. */
  aux?: readonly string[];
  /** Result elements: supplied by the witness, checked canonical, left on the stack. */
  results: readonly string[];
  /** The identities, over the names above; their hints lie deepest, in this order. */
  checks: readonly Check[];
  /** Emits the code (the checks, and whatever else) over the initial stack. */
  gen(t: StackTracker): void;
  /** The results' values from the operands'. */
  compute(values: ReadonlyMap<string, bigint>): ReadonlyMap<string, bigint>;
}

/** Builds the FieldOp (fragment, witness, reader) of a hinted spec. */
export function hintedFieldOp(f: PrimeField, spec: HintedSpec): FieldOp {
  const values = (x: readonly bigint[]): Map<string, bigint> => {
    const m = new Map(spec.operands.map((o, i) => [o, x[i]!] as const));
    for (const [k, v] of spec.compute(m)) m.set(k, v);
    return m;
  };
  return {
    name: spec.name,
    description: spec.description,
    arity: spec.operands.length,
    build: () => {
      const t = new StackTracker(spec.name, [
        ...spec.checks.flatMap((c) => hintNames(f, c)),
        ...(spec.aux ?? []).flatMap((r) => elementNames(r)),
        ...spec.results.flatMap((r) => elementNames(r)),
        ...spec.operands.flatMap((o) => elementNames(o)),
      ]);
      // Operands and results must be canonical: digits in range (they index the table) and < p.
      for (const o of spec.operands) checkCanonical(t, f, o);
      for (const r of spec.results) if (!spec.checks.some((c) => c.r === r)) checkCanonical(t, f, r);
      spec.gen(t);
      return t.finish();
    },
    witness: (x) => {
      const v = values(x);
      return [
        ...spec.checks.flatMap((c) => hintWitness(checkHint(f, c, v))),
        ...elementWitness((spec.aux ?? []).map((r) => v.get(r)!)),
        ...elementWitness(spec.results.map((r) => v.get(r)!)),
        ...elementWitness(spec.operands.map((o) => v.get(o)!)),
      ];
    },
    read: readAll(spec.results.length),
    model: (x) => {
      const v = values(x);
      return spec.results.map((r) => v.get(r)!);
    },
  };
}

/** A standalone fragment without hints: operands in, results out. */
export function plainFieldOp(
  f: PrimeField,
  name: string,
  description: string,
  operands: readonly string[],
  outputs: number,
  gen: (t: StackTracker) => void,
  model: (x: readonly bigint[]) => bigint[],
  check = true,
): FieldOp {
  return {
    name,
    description,
    arity: operands.length,
    build: () => {
      const t = new StackTracker(
        name,
        operands.flatMap((o) => elementNames(o)),
      );
      if (check) for (const o of operands) checkCanonical(t, f, o);
      gen(t);
      return t.finish();
    },
    witness: (x) => elementWitness(x.slice(0, operands.length)),
    read: readAll(outputs),
    model,
  };
}
