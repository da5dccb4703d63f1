/**
 * u32 arithmetic in Script on eight 4-bit limbs ("nibbles"), as BitVM does: Script numbers are
 * signed 32-bit with no bitwise opcodes, so bitwise operations go through lookup tables of
 * nibble pairs kept on the stack, and additions carry limb by limb.
 *
 * A u32 named `w` is the eight stack items `w.0` (least significant) … `w.7`; `u32Names(w)`
 * lists them bottom first, the order a witness pushes them in.
 */
import { OP } from "../bitcoin/index.js";

import type { Op } from "./fragment.js";
import type { StackTracker } from "./tracker.js";

export const LIMBS = 8;
export const limb = (w: string, i: number): string => `${w}.${i}`;

/** Stack order of a u32's limbs, bottom first: the most significant is deepest. */
export function u32Names(w: string): string[] {
  return Array.from({ length: LIMBS }, (_, i) => limb(w, LIMBS - 1 - i));
}

/** Limbs of `v`, least significant first. */
export function u32ToLimbs(v: number): number[] {
  return Array.from({ length: LIMBS }, (_, i) => (v >>> (4 * i)) & 0xf);
}

export function limbsToU32(limbs: readonly number[]): number {
  return limbs.reduce((acc, n, i) => (acc + n * 2 ** (4 * i)) >>> 0, 0);
}

/** The witness stack (bottom first) holding `values` as u32s, the first deepest. */
export function u32Witness(values: readonly number[]): number[] {
  return values.flatMap((v) => u32ToLimbs(v).reverse());
}

export const XOR_TABLE = "xor";
export const HALF_TABLE = "half";
/** x >> s and (x << s) & 15 for s = 1..3. */
export const shrTable = (s: number): string => `shr${s}`;
export const shlTable = (s: number): string => `shl${s}`;

/** The tables a u32 program needs; push before and drop after. */
export interface TableSet {
  xor?: boolean;
  half?: boolean;
  /** Bit shifts used by non-nibble-aligned rotations. */
  shifts?: readonly number[];
}

export function pushTables(t: StackTracker, set: TableSet): void {
  for (const s of set.shifts ?? []) {
    t.pushTable(
      shlTable(s),
      Array.from({ length: 16 }, (_, x) => (x << s) & 0xf),
    );
    t.pushTable(
      shrTable(s),
      Array.from({ length: 16 }, (_, x) => x >> s),
    );
  }
  if (set.half === true)
    t.pushTable(
      HALF_TABLE,
      Array.from({ length: 31 }, (_, k) => k >> 1),
    );
  if (set.xor === true)
    t.pushTable(
      XOR_TABLE,
      Array.from({ length: 256 }, (_, k) => (k >> 4) ^ (k & 0xf)),
    );
}

export function dropTables(t: StackTracker, set: TableSet): void {
  if (set.xor === true) t.dropTable(XOR_TABLE, 256);
  if (set.half === true) t.dropTable(HALF_TABLE, 31);
  for (const s of [...(set.shifts ?? [])].reverse()) {
    t.dropTable(shrTable(s), 16);
    t.dropTable(shlTable(s), 16);
  }
}

const TIMES16: Op[] = [
  OP.OP_DUP,
  OP.OP_ADD,
  OP.OP_DUP,
  OP.OP_ADD,
  OP.OP_DUP,
  OP.OP_ADD,
  OP.OP_DUP,
  OP.OP_ADD,
];

/** Pushes the constant `value` as u32 `w`. */
export function u32Push(t: StackTracker, value: number, w: string): void {
  const limbs = u32ToLimbs(value);
  for (let i = LIMBS - 1; i >= 0; i--) t.push(limbs[i]!, limb(w, i));
}

/** out = a ^ b on one nibble, through the xor table. */
export function xorNibble(
  t: StackTracker,
  a: string,
  b: string,
  out: string,
  consume: [boolean, boolean],
): void {
  t.bring(a, consume[0]);
  const idx = t.temp();
  t.apply(TIMES16, 1, [idx]);
  t.bring(b, consume[1]);
  t.apply(OP.OP_ADD, 2, [idx]);
  t.lookup(XOR_TABLE, out);
}

/** (a + b ∓ (a ^ b)) / 2 through the xor and half tables: a & b with OP_SUB, a | b with OP_ADD. */
function halfSumNibble(
  combine: typeof OP.OP_SUB | typeof OP.OP_ADD,
): (t: StackTracker, a: string, b: string, out: string, consume: [boolean, boolean]) => void {
  return (t, a, b, out, consume) => {
    const x = t.temp();
    xorNibble(t, a, b, x, [false, false]);
    t.bring(a, consume[0]);
    t.bring(b, consume[1]);
    t.apply(OP.OP_ADD, 2, [out]);
    t.move(x);
    t.apply(combine, 2, [out]);
    t.lookup(HALF_TABLE, out);
  };
}

/** out = a & b on one nibble. */
export const andNibble = halfSumNibble(OP.OP_SUB);
/** out = a | b on one nibble. */
export const orNibble = halfSumNibble(OP.OP_ADD);

type Consume = { a?: boolean; b?: boolean };

function each(t: StackTracker, a: string, b: string, out: string, c: Consume, f: typeof xorNibble): void {
  for (let i = 0; i < LIMBS; i++) f(t, limb(a, i), limb(b, i), limb(out, i), [c.a === true, c.b === true]);
}

export function u32Xor(t: StackTracker, a: string, b: string, out: string, c: Consume = {}): void {
  each(t, a, b, out, c, xorNibble);
}

export function u32And(t: StackTracker, a: string, b: string, out: string, c: Consume = {}): void {
  each(t, a, b, out, c, andNibble);
}

export function u32Or(t: StackTracker, a: string, b: string, out: string, c: Consume = {}): void {
  each(t, a, b, out, c, orNibble);
}

/** out = ~a. */
export function u32Not(t: StackTracker, a: string, out: string, consume = false): void {
  for (let i = 0; i < LIMBS; i++) {
    const k = t.temp();
    t.push(15, k);
    t.bring(limb(a, i), consume);
    t.apply(OP.OP_SUB, 2, [limb(out, i)]);
  }
}

/** Splits the sum on top (0 … 31) into (sum mod 16, carry), or just the low nibble on the last limb. */
function settle(t: StackTracker, out: string, carry: string | undefined): void {
  if (carry === undefined)
    t.apply([OP.OP_DUP, OP.OP_16, OP.OP_GREATERTHANOREQUAL, OP.OP_IF, OP.OP_16, OP.OP_SUB, OP.OP_ENDIF], 1, [
      out,
    ]);
  else
    t.apply(
      [
        OP.OP_DUP,
        OP.OP_16,
        OP.OP_GREATERTHANOREQUAL,
        OP.OP_IF,
        OP.OP_16,
        OP.OP_SUB,
        OP.OP_1,
        OP.OP_ELSE,
        OP.OP_0,
        OP.OP_ENDIF,
      ],
      1,
      [out, carry],
    );
}

/** out = a + b mod 2^32; `b` may be a constant. */
export function u32Add(t: StackTracker, a: string, b: string | number, out: string, c: Consume = {}): void {
  const k = typeof b === "number" ? u32ToLimbs(b) : undefined;
  let carry: string | undefined;
  for (let i = 0; i < LIMBS; i++) {
    t.bring(limb(a, i), c.a === true);
    if (carry !== undefined) {
      t.move(carry);
      t.apply(OP.OP_ADD, 2, [limb(out, i)]);
    }
    if (k === undefined) {
      t.bring(limb(b as string, i), c.b === true);
      t.apply(OP.OP_ADD, 2, [limb(out, i)]);
    } else if (k[i] !== 0) {
      t.push(k[i]!, t.temp());
      t.apply(OP.OP_ADD, 2, [limb(out, i)]);
    } else if (carry === undefined) {
      t.rename(t.names[t.size - 1]!, limb(out, i));
    }
    carry = i < LIMBS - 1 ? t.temp("carry") : undefined;
    settle(t, limb(out, i), carry);
  }
}

/** out = a − b mod 2^32. */
export function u32Sub(t: StackTracker, a: string, b: string, out: string, c: Consume = {}): void {
  let borrow: string | undefined;
  for (let i = 0; i < LIMBS; i++) {
    t.bring(limb(a, i), c.a === true);
    t.bring(limb(b, i), c.b === true);
    t.apply(OP.OP_SUB, 2, [limb(out, i)]);
    if (borrow !== undefined) {
      t.move(borrow);
      t.apply(OP.OP_SUB, 2, [limb(out, i)]);
    }
    if (i < LIMBS - 1) {
      borrow = t.temp("borrow");
      t.apply(
        [
          OP.OP_DUP,
          OP.OP_0,
          OP.OP_LESSTHAN,
          OP.OP_IF,
          OP.OP_16,
          OP.OP_ADD,
          OP.OP_1,
          OP.OP_ELSE,
          OP.OP_0,
          OP.OP_ENDIF,
        ],
        1,
        [limb(out, i), borrow],
      );
    } else
      t.apply([OP.OP_DUP, OP.OP_0, OP.OP_LESSTHAN, OP.OP_IF, OP.OP_16, OP.OP_ADD, OP.OP_ENDIF], 1, [
        limb(out, i),
      ]);
  }
}

/** Leaves 1 if a < b (unsigned), else 0, as `out`. */
export function u32LessThan(t: StackTracker, a: string, b: string, out: string, c: Consume = {}): void {
  t.push(0, out);
  for (let i = 0; i < LIMBS; i++) {
    t.bring(limb(a, i), c.a === true);
    t.bring(limb(b, i), c.b === true);
    // lt = a_i < b_i || (a_i == b_i && lt): the most significant differing limb decides.
    t.apply(
      [
        OP.OP_2DUP,
        OP.OP_LESSTHAN,
        OP.OP_TOALTSTACK,
        OP.OP_NUMEQUAL,
        OP.OP_BOOLAND,
        OP.OP_FROMALTSTACK,
        OP.OP_BOOLOR,
      ],
      3,
      [out],
    );
  }
}

/** Leaves 1 if a == b, else 0, as `out`. */
export function u32Equal(t: StackTracker, a: string, b: string, out: string, c: Consume = {}): void {
  for (let i = 0; i < LIMBS; i++) {
    t.bring(limb(a, i), c.a === true);
    t.bring(limb(b, i), c.b === true);
    t.apply(OP.OP_NUMEQUAL, 2, [limb(out, i)]);
    if (i > 0) t.apply(OP.OP_BOOLAND, 2, [out]);
    else t.rename(limb(out, 0), out);
  }
}

/**
 * out = a rotated right by r bits (or shifted right when `shift`). Whole-limb moves are free
 * (renaming); the remaining 1–3 bits combine two neighbouring limbs through the shift tables.
 */
export function u32Rotr(
  t: StackTracker,
  a: string,
  r: number,
  out: string,
  opts: { consume?: boolean; shift?: boolean } = {},
): void {
  const q = Math.floor(r / 4) % LIMBS;
  const s = r % 4;
  const src = (i: number): string | undefined => {
    const j = i + q;
    if (opts.shift === true && j >= LIMBS) return undefined;
    return limb(a, j % LIMBS);
  };
  // Each source limb is read by at most two output limbs: consume it at its last use.
  const lastUse = new Map<string, number>();
  for (let i = 0; i < LIMBS; i++)
    for (const name of s === 0 ? [src(i)] : [src(i), src(i + 1)])
      if (name !== undefined) lastUse.set(name, i);
  const take = (name: string, i: number): void => {
    t.bring(name, opts.consume === true && lastUse.get(name) === i);
  };
  for (let i = 0; i < LIMBS; i++) {
    const lo = src(i);
    const o = limb(out, i);
    if (s === 0) {
      if (lo === undefined) t.push(0, o);
      else {
        take(lo, i);
        t.rename(t.names[t.size - 1]!, o);
      }
      continue;
    }
    const hi = opts.shift === true && i + q + 1 >= LIMBS ? undefined : src(i + 1);
    if (lo === undefined) {
      t.push(0, o);
      continue;
    }
    take(lo, i);
    t.lookup(shrTable(s), o);
    if (hi !== undefined) {
      take(hi, i);
      const h = t.temp();
      t.lookup(shlTable(4 - s), h);
      t.apply(OP.OP_ADD, 2, [o]);
    }
  }
  // A shift never reads its low limbs: a consumed input must not leave them behind.
  if (opts.consume === true)
    for (let i = 0; i < LIMBS; i++) if (!lastUse.has(limb(a, i)) && t.has(limb(a, i))) t.drop(limb(a, i));
}

/** Drops every limb of `w`. */
export function u32Drop(t: StackTracker, w: string): void {
  for (let i = 0; i < LIMBS; i++) t.drop(limb(w, i));
}

/** Renames u32 `from` to `to` (no code). */
export function u32Rename(t: StackTracker, from: string, to: string): void {
  for (let i = 0; i < LIMBS; i++) t.rename(limb(from, i), limb(to, i));
}
