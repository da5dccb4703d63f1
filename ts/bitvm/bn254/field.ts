/**
 * BN254 prime-field elements (Fq, the base field, and Fr, the scalar field) in Script.
 *
 * An element named `a` is 37 digits of 7 bits, `a.0` (least significant) … `a.36`, on the stack
 * with `a.36` deepest and `a.0` on top. Seven bits is the largest digit for which the
 * quarter-square table of the product check (`mulcheck.ts`) fits beside its operands in the
 * 1,000-item stack: a·b = ⌊(a+b)²/4⌋ − ⌊(a−b)²/4⌋ needs the table over −127…254.
 *
 * A *canonical* element has every digit in 0…127 and value < p. Every operation here takes
 * canonical inputs and leaves a canonical output; `checkCanonical` makes a script fail on anything
 * else (standalone fragments check their witness inputs with it).
 */
import { OP } from "../../bitcoin/index.js";
import { BitvmBuildError, num, type Op } from "../fragment.js";
import type { StackTracker } from "../tracker.js";

export const DIGIT_BITS = 7;
export const DIGIT_BASE = 1 << DIGIT_BITS;
export const DIGITS = 37;

/** A prime field as the Script code sees it. */
export interface PrimeField {
  /** "fq" or "fr": prefixes fragment names. */
  name: string;
  p: bigint;
  /** p's digits, least significant first. */
  pDigits: readonly number[];
}

const BN254_P = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47n;
const BN254_R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;

/** Digits of `v` (≥ 0) in base 128, least significant first, exactly `count` of them. */
export function toDigits(v: bigint, count = DIGITS): number[] {
  if (v < 0n) throw new RangeError(`toDigits: ${v} is negative`);
  const out: number[] = [];
  let x = v;
  for (let i = 0; i < count; i++) {
    out.push(Number(x & 127n));
    x >>= 7n;
  }
  if (x !== 0n) throw new RangeError(`toDigits: ${v} does not fit ${count} digits`);
  return out;
}

/** The value of digits (least significant first); digits may be any integers. */
export function fromDigits(digits: readonly number[]): bigint {
  let v = 0n;
  for (let i = digits.length - 1; i >= 0; i--) v = v * 128n + BigInt(digits[i]!);
  return v;
}

const field = (name: string, p: bigint): PrimeField => ({ name, p, pDigits: toDigits(p) });

export const FQ: PrimeField = field("fq", BN254_P);
export const FR: PrimeField = field("fr", BN254_R);

/** Stack names of element `a`, bottom first (most significant deepest). */
export function elementNames(a: string, count = DIGITS): string[] {
  return Array.from({ length: count }, (_, i) => `${a}.${count - 1 - i}`);
}

export const digit = (a: string, i: number): string => `${a}.${i}`;

/** The witness items (bottom first) of a digit vector, least significant first in `digits`. */
export const digitsWitness = (digits: readonly number[]): number[] => [...digits].reverse();

/** The witness items (bottom first) of canonical elements, the first deepest. */
export function elementWitness(values: readonly bigint[]): number[] {
  return values.flatMap((v) => digitsWitness(toDigits(v)));
}

/** Reads elements back off a final stack (bottom first). */
export function readElements(stackNumbers: readonly number[], count: number): bigint[] {
  const out: bigint[] = [];
  for (let e = 0; e < count; e++) {
    const slice = stackNumbers.slice(e * DIGITS, (e + 1) * DIGITS);
    out.push(fromDigits([...slice].reverse()));
  }
  return out;
}

/** Refuses a constant that is not a canonical element, naming the fragment. */
export function checkConstant(fragment: string, f: PrimeField, v: unknown, what = "constant"): bigint {
  if (typeof v !== "bigint" || v < 0n || v >= f.p)
    throw new BitvmBuildError(
      fragment,
      "range",
      `${what} ${String(v)} is not a canonical ${f.name} element (0 ≤ x < p)`,
    );
  return v;
}

/** Pushes constant `c` as element `as`. */
export function fieldPush(t: StackTracker, f: PrimeField, c: bigint, as: string): void {
  const d = toDigits(checkConstant(t.name, f, c));
  for (let i = DIGITS - 1; i >= 0; i--) t.push(d[i]!, digit(as, i));
}

/** Copies element `a` to the top as `as`. */
export function fieldCopy(t: StackTracker, a: string, as: string): void {
  for (let i = DIGITS - 1; i >= 0; i--) t.copy(digit(a, i), digit(as, i));
}

/** Moves element `a` to the top (most significant deepest). */
export function fieldMove(t: StackTracker, a: string): void {
  for (let i = DIGITS - 1; i >= 0; i--) t.move(digit(a, i));
}

export function fieldDrop(t: StackTracker, a: string): void {
  for (let i = 0; i < DIGITS; i++) t.drop(digit(a, i));
}

export function fieldRename(t: StackTracker, from: string, to: string): void {
  for (let i = 0; i < DIGITS; i++) t.rename(digit(from, i), digit(to, i));
}

const RANGE: Op[] = [OP.OP_0, num(DIGIT_BASE), OP.OP_WITHIN, OP.OP_VERIFY];

/**
 * Fails unless `a` is canonical: every digit in 0…127 (one WITHIN each) and a < p (the borrow of
 * a − p, folded from the least significant digit). Leaves `a` in place.
 */
export function checkCanonical(t: StackTracker, f: PrimeField, a: string): void {
  const b = t.temp("borrow");
  for (let i = 0; i < DIGITS; i++) {
    const x = t.temp();
    t.copy(digit(a, i), x);
    // digit range, then borrow' = (a_i − borrow < p_i)
    t.apply([OP.OP_DUP, ...RANGE], 1, [x]);
    if (i === 0) t.apply([num(f.pDigits[0]!), OP.OP_LESSTHAN], 1, [b]);
    else {
      t.move(b);
      t.apply([OP.OP_SUB, num(f.pDigits[i]!), OP.OP_LESSTHAN], 2, [b]);
    }
  }
  t.apply(OP.OP_VERIFY, 1, []);
}

/** Fails unless every digit of the vector `a` (of `count` digits) is in 0…127. */
export function checkDigits(t: StackTracker, a: string, count = DIGITS): void {
  for (let i = 0; i < count; i++) {
    const x = t.temp();
    t.copy(digit(a, i), x);
    t.apply(RANGE, 1, []);
  }
}

/**
 * Code that replaces s (p ≤ s < 2p, the top 37 items, `s.0` on top) by s − p in place: the
 * borrow chain runs from the least significant digit, each result digit parked on the altstack.
 */
function subPInPlace(f: PrimeField): Op[] {
  return subConstInPlace(f.pDigits);
}

/**
 * A digit d ∈ (−128, 128) → d mod 128 on top and its borrow (1 when d < 0) under it: one step of
 * a borrow chain.
 */
export const BORROW_STEP: readonly Op[] = [
  OP.OP_DUP,
  OP.OP_0,
  OP.OP_LESSTHAN,
  OP.OP_TUCK,
  OP.OP_IF,
  num(DIGIT_BASE),
  OP.OP_ADD,
  OP.OP_ENDIF,
];

/** A digit d ∈ [0, 256) → d mod 128 on top and its carry (1 when d ≥ 128) under it. */
export const CARRY_STEP: readonly Op[] = [
  OP.OP_DUP,
  num(DIGIT_BASE - 1),
  OP.OP_GREATERTHAN,
  OP.OP_TUCK,
  OP.OP_IF,
  num(DIGIT_BASE),
  OP.OP_SUB,
  OP.OP_ENDIF,
];

/**
 * Code replacing the top n digits s (`s.0` on top, s ≥ c, c given by its n digits) by s − c in
 * place: the borrow chain runs from the least significant digit, each result digit parked on the
 * altstack, then all come back.
 */
export function subConstInPlace(cd: readonly number[]): Op[] {
  const ops: Op[] = [];
  const n = cd.length;
  for (let i = 0; i < n; i++) {
    if (i > 0) ops.push(OP.OP_SUB); // s_i − borrow
    if (cd[i] !== 0) ops.push(num(cd[i]!), OP.OP_SUB);
    if (i < n - 1) ops.push(...BORROW_STEP);
    ops.push(OP.OP_TOALTSTACK); // the borrow is now on top of the next digit
  }
  for (let i = 0; i < n; i++) ops.push(OP.OP_FROMALTSTACK);
  return ops;
}

/** The same for d + p where d = a − b + 128^37 came out of a borrow chain (a < b). */
function addPInPlace(f: PrimeField): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < DIGITS; i++) {
    if (i > 0) ops.push(OP.OP_ADD); // s_i + carry
    const pi = f.pDigits[i]!;
    if (pi !== 0) ops.push(num(pi), OP.OP_ADD);
    if (i < DIGITS - 1) ops.push(...CARRY_STEP);
    // a − b + p overflows the top digit by exactly 128 (the borrow chain wrapped at 128^37)
    else ops.push(num(DIGIT_BASE), OP.OP_SUB);
    ops.push(OP.OP_TOALTSTACK);
  }
  for (let i = 0; i < DIGITS; i++) ops.push(OP.OP_FROMALTSTACK);
  return ops;
}

/**
 * Element `s` (digits normalised, 0 ≤ s < 2p) on top of the stack becomes s mod p: one compare
 * chain computes s ≥ p, and the subtraction of p, written once, runs under OP_NOTIF.
 */
function reduceOnce(t: StackTracker, f: PrimeField, s: string): void {
  fieldMove(t, s);
  const b = t.temp("borrow");
  for (let i = 0; i < DIGITS; i++) {
    const x = t.temp();
    t.copy(digit(s, i), x);
    if (i === 0) t.apply([num(f.pDigits[0]!), OP.OP_LESSTHAN], 1, [b]);
    else {
      t.move(b);
      t.apply([OP.OP_SUB, num(f.pDigits[i]!), OP.OP_LESSTHAN], 2, [b]);
    }
  }
  const names = elementNames(s);
  t.apply([OP.OP_NOTIF, ...subPInPlace(f), OP.OP_ENDIF], DIGITS + 1, names);
}

/**
 * Digit-wise a ± b with carries (or borrows) sent to the altstack, producing `out` with digits
 * in range; `b` may be the same element as `a` (doubling) or absent (carry-normalise a).
 * Returns the final borrow's name for subtraction (1 when a < b), nothing for addition.
 */
function digitwise(
  t: StackTracker,
  a: string,
  b: string | "double",
  out: string,
  op: "add" | "sub",
): string | undefined {
  let carry: string | undefined;
  for (let i = 0; i < DIGITS; i++) {
    const x = t.temp();
    t.move(digit(a, i));
    if (b === "double") t.apply([OP.OP_DUP, OP.OP_ADD], 1, [x]);
    else {
      t.move(digit(b, i));
      t.apply(op === "add" ? OP.OP_ADD : OP.OP_SUB, 2, [x]);
    }
    if (carry !== undefined) {
      t.move(carry);
      t.apply(op === "add" ? OP.OP_ADD : OP.OP_SUB, 2, [x]);
    }
    const last = i === DIGITS - 1;
    if (!last || op === "sub") {
      const c = t.temp("c");
      const s = t.temp();
      t.apply([...(op === "add" ? CARRY_STEP : BORROW_STEP)], 1, [c, s]);
      t.toAlt(s);
      carry = c;
    } else t.toAlt(x);
  }
  const borrow = op === "sub" ? carry : undefined;
  for (let i = 0; i < DIGITS; i++) t.fromAlt();
  // The altstack held the digits (least significant first), so they come back most significant
  // first: rename the anonymous temporaries in that order.
  const names = t.names.slice(t.size - DIGITS);
  names.forEach((n, k) => t.rename(n, digit(out, DIGITS - 1 - k)));
  if (borrow !== undefined) t.move(borrow);
  return borrow;
}

/** out = a + b mod p (a and b consumed). */
export function fieldAdd(t: StackTracker, f: PrimeField, a: string, b: string, out: string): void {
  digitwise(t, a, b, out, "add");
  reduceOnce(t, f, out);
}

/** out = 2a mod p (a consumed). */
export function fieldDouble(t: StackTracker, f: PrimeField, a: string, out: string): void {
  digitwise(t, a, "double", out, "add");
  reduceOnce(t, f, out);
}

/** out = a − b mod p (a and b consumed): a borrow chain, then p added back under OP_IF. */
export function fieldSub(t: StackTracker, f: PrimeField, a: string, b: string, out: string): void {
  digitwise(t, a, b, out, "sub");
  // stack: … out (37 digits) borrow
  t.apply([OP.OP_IF, ...addPInPlace(f), OP.OP_ENDIF], DIGITS + 1, elementNames(out));
}

/** out = −a mod p (a consumed): p − a in place unless a = 0. */
export function fieldNeg(t: StackTracker, f: PrimeField, a: string, out: string): void {
  fieldMove(t, a);
  // nonzero flag: OR of the digits
  const z = t.temp("nz");
  for (let i = 0; i < DIGITS; i++) {
    const x = t.temp();
    t.copy(digit(a, i), x);
    if (i > 0) {
      t.move(z);
      t.apply(OP.OP_BOOLOR, 2, [z]);
    } else t.rename(x, z);
  }
  // p − a in place: digit i becomes p_i − a_i − borrow
  const ops: Op[] = [OP.OP_IF];
  for (let i = 0; i < DIGITS; i++) {
    if (i > 0) ops.push(OP.OP_ADD); // a_i + borrow
    ops.push(num(f.pDigits[i]!), OP.OP_SWAP, OP.OP_SUB);
    if (i < DIGITS - 1) ops.push(...BORROW_STEP);
    ops.push(OP.OP_TOALTSTACK);
  }
  for (let i = 0; i < DIGITS; i++) ops.push(OP.OP_FROMALTSTACK);
  ops.push(OP.OP_ENDIF);
  t.apply(ops, DIGITS + 1, elementNames(a));
  fieldRename(t, a, out);
}

/** Leaves 1 if a = b else 0 as `as` (a and b consumed). */
export function fieldEqual(t: StackTracker, a: string, b: string, as: string): void {
  for (let i = 0; i < DIGITS; i++) {
    const x = t.temp();
    t.move(digit(a, i));
    t.move(digit(b, i));
    t.apply(OP.OP_NUMEQUAL, 2, [x]);
    if (i > 0) {
      t.move(as);
      t.apply(OP.OP_BOOLAND, 2, [as]);
    } else t.rename(x, as);
  }
}

/** Fails unless a = b (a and b consumed). */
export function fieldEqualVerify(t: StackTracker, a: string, b: string): void {
  for (let i = 0; i < DIGITS; i++) {
    t.move(digit(a, i));
    t.move(digit(b, i));
    t.apply(OP.OP_NUMEQUALVERIFY, 2, []);
  }
}

/** Fails unless a equals the constant c (a consumed). */
export function fieldEqualVerifyConstant(t: StackTracker, f: PrimeField, a: string, c: bigint): void {
  const d = toDigits(checkConstant(t.name, f, c));
  for (let i = 0; i < DIGITS; i++) {
    t.move(digit(a, i));
    t.apply(d[i] === 0 ? [OP.OP_NOT, OP.OP_VERIFY] : [num(d[i]!), OP.OP_NUMEQUALVERIFY], 1, []);
  }
}

/** Leaves 1 if a = 0 else 0 as `as` (a consumed). */
export function fieldIsZero(t: StackTracker, a: string, as: string): void {
  for (let i = 0; i < DIGITS; i++) {
    t.move(digit(a, i));
    if (i === 0) {
      t.apply(OP.OP_NOT, 1, [as]);
    } else {
      const x = t.temp();
      t.apply(OP.OP_NOT, 1, [x]);
      t.move(as);
      t.apply(OP.OP_BOOLAND, 2, [as]);
    }
  }
}
