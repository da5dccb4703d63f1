/**
 * Plain (unhinted) multiplication and squaring: the script computes a·b mod p itself, with no
 * witness beyond the operands. Used where no prover supplies a quotient (a leaf a challenger runs
 * on committed values alone, or a reference to compare the hinted check with).
 *
 * 1. The 73 columns of the integer product Σ a_i·b_j·128^(i+j) are summed with the quarter-square
 *    table (the same offset-copy lookups as `mulcheck.ts`: x' + y' and x' − y' + 1 are the PICK
 *    depths) and parked on the altstack, so the stack height stays fixed while they are summed.
 * 2. The columns are carry-normalised into 73 digits: a column x ≤ B is split into x mod 128 and
 *    ⌊x/128⌋ by a greedy binary decomposition (`DUP 128·2^j GREATERTHANOREQUAL IF …`), one step
 *    per bit of ⌊B/128⌋ (Script has no division or shifts).
 * 3. The 36 high digits are folded: Y = Σ_{j<37} m_j·128^j + Σ_{i≥37} m_i·(128^i mod p), each
 *    column j being Σ_i m_i·K_i[j] for the build-time digits K_i of 128^i mod p, computed by
 *    Horner over the bits of the constants (copies and additions, no table).
 * 4. Y (< 2^267) is normalised again and reduced by conditional subtractions of 2^k·p for
 *    k = K … 0 (a compare chain, then the subtraction under OP_NOTIF), leaving Y mod p canonical.
 *
 * Every bound used to size a step is computed at build time from canonical inputs; the inputs
 * must be canonical (the standalone fragments check them).
 */
import { OP } from "../../bitcoin/index.js";
import { BitvmBuildError, num, type Op } from "../fragment.js";
import type { StackTracker } from "../tracker.js";

import {
  DIGITS,
  DIGIT_BASE,
  digit,
  elementNames,
  subConstInPlace,
  toDigits,
  type PrimeField,
} from "./field.js";
import { TABLE_ENTRIES } from "./mulcheck.js";

const TABLE_LOW = -(DIGIT_BASE - 1);
const TABLE_HIGH = TABLE_LOW + TABLE_ENTRIES - 1;
const PRODUCT_COLUMNS = 2 * DIGITS - 1;

const bitLength = (v: bigint): number => (v === 0n ? 0 : v.toString(2).length);
/** Digits needed for every value below `bound` (exclusive). */
const digitsBelow = (bound: bigint): number => Math.max(1, Math.ceil(bitLength(bound - 1n) / 7));

/** [x] → [⌊x/128⌋, x mod 128] for 0 ≤ x ≤ bound: one conditional subtraction per carry bit. */
function splitOps(bound: number): Op[] {
  const bits = bitLength(BigInt(Math.floor(bound / DIGIT_BASE)));
  const ops: Op[] = [OP.OP_0, OP.OP_SWAP];
  for (let j = bits - 1; j >= 0; j--) {
    const v = DIGIT_BASE << j;
    ops.push(OP.OP_DUP, num(v), OP.OP_GREATERTHANOREQUAL, OP.OP_IF, num(v), OP.OP_SUB);
    ops.push(OP.OP_SWAP, num(1 << j), OP.OP_ADD, OP.OP_SWAP, OP.OP_ENDIF);
  }
  return ops;
}

/**
 * Carry-normalises columns `cols` (column c ≤ bounds[c], Σ cols·128^c < valueBound) into digits
 * `${out}.k`, k < digitsBelow(valueBound), each 0…127 (the columns are consumed; the digits are
 * left on the stack in no particular order). Returns the digit count.
 */
function normalize(
  t: StackTracker,
  cols: readonly string[],
  bounds: readonly number[],
  valueBound: bigint,
  out: string,
): number {
  const n = digitsBelow(valueBound);
  if (cols.length > n) throw new BitvmBuildError(t.name, "range", "normalize: more columns than digits");
  let carry: string | undefined;
  let carryBound = 0;
  for (let c = 0; c < n; c++) {
    let x: string;
    let xb: number;
    if (c < cols.length) {
      x = cols[c]!;
      xb = bounds[c]!;
      t.move(x);
      if (carry !== undefined) {
        t.move(carry);
        t.apply(OP.OP_ADD, 2, [x]);
        xb += carryBound;
      }
    } else if (carry !== undefined) {
      x = carry;
      xb = carryBound;
    } else {
      t.push(0, digit(out, c));
      continue;
    }
    carry = undefined;
    carryBound = 0;
    // The value bound makes the last column a digit; a column below 128 needs no split.
    if (c === n - 1 || xb < DIGIT_BASE) {
      t.rename(x, digit(out, c));
      continue;
    }
    carry = t.temp("carry");
    carryBound = Math.floor(xb / DIGIT_BASE);
    t.apply(splitOps(xb), 1, [carry, digit(out, c)]);
  }
  return n;
}

/** s (n digits, s < 2c) becomes s − c if s ≥ c, else stays: the digits end on top, s.0 on top. */
function condSubConst(t: StackTracker, s: string, n: number, c: bigint): void {
  const cd = toDigits(c, n);
  for (let i = n - 1; i >= 0; i--) t.move(digit(s, i));
  const b = t.temp("borrow");
  for (let i = 0; i < n; i++) {
    const x = t.temp();
    t.copy(digit(s, i), x);
    if (i === 0) t.apply([num(cd[0]!), OP.OP_LESSTHAN], 1, [b]);
    else {
      t.move(b);
      t.apply([OP.OP_SUB, num(cd[i]!), OP.OP_LESSTHAN], 2, [b]);
    }
  }
  t.apply([OP.OP_NOTIF, ...subConstInPlace(cd), OP.OP_ENDIF], n + 1, elementNames(s, n));
}

/**
 * out = a·b mod p, or a² mod p when `b` is null (a and b consumed, canonical; out canonical,
 * its 37 digits on top of the stack, out.0 on top).
 */
export function fieldMulPlain(
  t: StackTracker,
  f: PrimeField,
  a: string,
  b: string | null,
  out: string,
): void {
  const square = b === null;
  // 1. product columns
  for (let s = TABLE_HIGH; s >= TABLE_LOW; s--) t.push(Math.floor((s * s) / 4), `pq.${s}`);
  const V = 2 * DIGITS;
  const E = V + (-TABLE_LOW + 1); // depth of Q(0) while a column's accumulator is on top
  const alpha = E + 1;
  const xs = (i: number): string => `${out}'x.${i}`;
  const ys = (i: number): string => `${out}'y.${i}`;
  for (let i = DIGITS - 1; i >= 0; i--) {
    if (square) t.copy(digit(a, i), xs(i));
    else {
      t.move(digit(a, i));
      t.rename(digit(a, i), xs(i));
    }
    t.apply([num(alpha), OP.OP_ADD], 1, [xs(i)]);
  }
  for (let j = DIGITS - 1; j >= 0; j--) {
    const src = square ? digit(a, j) : digit(b, j);
    t.move(src);
    t.rename(src, ys(j));
    t.apply(OP.OP_1ADD, 1, [ys(j)]);
  }
  const q0 = `pq.0`;
  const cols: string[] = [];
  const bounds: number[] = [];
  for (let c = 0; c < PRODUCT_COLUMNS; c++) {
    const acc = `${out}.col.${c}`;
    t.push(0, acc);
    if (t.depth(q0) !== E) throw new BitvmBuildError(t.name, "opcode", "plain product: table moved");
    let bound = 0;
    for (let i = Math.max(0, c - DIGITS + 1); i <= Math.min(c, DIGITS - 1); i++) {
      const j = c - i;
      if (square && j < i) continue;
      const twice = square && j !== i;
      t.copy(xs(i), "px");
      t.copy(ys(j), "py");
      t.apply([OP.OP_2DUP, OP.OP_ADD, OP.OP_PICK], 2, ["px", "py", "qs"]);
      t.apply([OP.OP_ROT, OP.OP_ROT, OP.OP_SUB, OP.OP_1ADD, OP.OP_PICK, OP.OP_SUB], 3, ["xy"]);
      if (twice) t.apply([OP.OP_DUP, OP.OP_ADD], 1, ["xy"]);
      t.apply(OP.OP_ADD, 2, [acc]);
      bound += (twice ? 2 : 1) * (DIGIT_BASE - 1) ** 2;
    }
    t.toAlt(acc);
    cols.push(acc);
    bounds.push(bound);
  }
  for (let j = 0; j < DIGITS; j++) t.drop(ys(j));
  for (let i = 0; i < DIGITS; i++) t.drop(xs(i));
  for (let s = TABLE_LOW; s <= TABLE_HIGH; s++) t.drop(`pq.${s}`);
  for (let c = 0; c < PRODUCT_COLUMNS; c++) t.fromAlt();
  // 2. normalise: the product is below (p − 1)² + 1
  const m = `${out}.m`;
  const mn = normalize(t, cols, bounds, (f.p - 1n) ** 2n + 1n, m);
  // 3. fold the high digits with the constants 128^i mod p
  const yCols: string[] = [];
  const yBounds: number[] = [];
  let yValueBound = 128n ** BigInt(DIGITS);
  const K = Array.from({ length: mn }, (_, i) => (i < DIGITS ? [] : toDigits(128n ** BigInt(i) % f.p)));
  for (let i = DIGITS; i < mn; i++) yValueBound += BigInt(DIGIT_BASE - 1) * (128n ** BigInt(i) % f.p);
  for (let j = 0; j < DIGITS; j++) {
    const acc = `${out}.y.${j}`;
    let started = false;
    let bound = DIGIT_BASE - 1;
    for (let bit = 6; bit >= 0; bit--) {
      if (started) t.apply([OP.OP_DUP, OP.OP_ADD], 1, [acc]);
      for (let i = DIGITS; i < mn; i++) {
        if (((K[i]![j]! >> bit) & 1) === 0) continue;
        if (!started) {
          t.copy(digit(m, i), acc);
          started = true;
        } else {
          t.copy(digit(m, i), "mi");
          t.apply(OP.OP_ADD, 2, [acc]);
        }
      }
    }
    for (let i = DIGITS; i < mn; i++) bound += (DIGIT_BASE - 1) * K[i]![j]!;
    if (started) {
      t.move(digit(m, j));
      t.apply(OP.OP_ADD, 2, [acc]);
    } else {
      t.move(digit(m, j));
      t.rename(digit(m, j), acc);
    }
    yCols.push(acc);
    yBounds.push(bound);
  }
  for (let i = DIGITS; i < mn; i++) t.drop(digit(m, i));
  // 4. normalise Y, then subtract 2^k·p while it is at least that
  const v = `${out}.v`;
  let n = normalize(t, yCols, yBounds, yValueBound, v);
  let k = 0;
  while (f.p << BigInt(k + 1) < yValueBound) k++;
  for (; k >= 0; k--) {
    condSubConst(t, v, n, f.p << BigInt(k));
    const n2 = digitsBelow(f.p << BigInt(k));
    for (let i = n - 1; i >= n2; i--) t.drop(digit(v, i)); // provably zero now
    n = n2;
  }
  if (n !== DIGITS) throw new BitvmBuildError(t.name, "range", "plain product: result is not 37 digits");
  for (let i = DIGITS - 1; i >= 0; i--) {
    t.move(digit(v, i));
    t.rename(digit(v, i), digit(out, i));
  }
}
