/**
 * BLAKE3 compression in Script, on the nibble representation of u32.ts: every word is eight 4-bit
 * limbs (Script has no bitwise opcodes and only 32-bit signed arithmetic, so xor goes through a
 * 256-entry nibble table and additions carry limb by limb).
 *
 * What the script size is made of, and what is done about it:
 * - Constant folding: the chaining value, counter, block length and flags are build-time
 *   constants, so the whole initial state is; state words stay constants until a message word
 *   reaches them (most of the first round adds or xors a constant, without reading anything).
 * - Rotations by 16, 12 and 8 are renamings of limbs (no code); the rotation by 7 takes the top
 *   bit of one limb (x >= 8) plus the low three bits of the next, shifted (a 16-entry table).
 * - xor: the index 16a + b comes from a "×16" table whose entries already include the xor
 *   table's depth, so a nibble xor is two reads, one table read, an ADD and a PICK (plus a small
 *   correction when the stack is not at the depth folded in).
 * - add: a + b + m is one three-word addition; its limb sums (0..47) split into nibble and
 *   carry through two 48-entry tables. Two-word sums split with a comparison under IF.
 * - PICK/ROLL depths: beyond 16 items a read costs three bytes, beyond 127 four. The tables sit
 *   above the message words and below the state; every value is consumed at its last use.
 * Peak stack: 128 message items, 384 table items, 128 state items and a few temporaries.
 */
import { OP } from "../bitcoin/index.js";

import { BitvmInputError, num, type Fragment } from "./fragment.js";
import { StackTracker } from "./tracker.js";
import { LIMBS, XOR_TABLE, limb, limbsToU32, shlTable, u32Names, u32ToLimbs, u32Witness } from "./u32.js";
import { stackNumber } from "./run.js";

export const BLAKE3_IV = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
] as const;
export const BLAKE3_MSG_PERMUTATION = [2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8] as const;
export const CHUNK_START = 1;
export const CHUNK_END = 2;
export const ROOT = 8;

export interface Blake3CompressOptions {
  /** Chaining value (8 words); the IV by default. */
  cv?: readonly number[];
  /** Block counter (u64); 0 by default. */
  counter?: bigint | number;
  /** Bytes in the block; 64 by default. */
  blockLen?: number;
  /** Domain flags; CHUNK_START | CHUNK_END | ROOT by default. */
  flags?: number;
  name?: string;
}

/** A state word: a build-time constant, or the name of a u32 on the stack. */
type Word = number | string;

const rotr32 = (x: number, r: number): number => ((x >>> r) | (x << (32 - r))) >>> 0;

const T16_TABLE = "x16";
const MOD_TABLE = "mod16";
const DIV_TABLE = "div16";

/** A u32 operand of an addition: a named word (consumed or copied). */
interface Operand {
  name: string;
  consume: boolean;
}

class Builder {
  readonly t: StackTracker;
  #n = 0;
  /** Lookup bases seen by xor, to choose the offset folded into the ×16 table. */
  readonly xorBases = new Map<number, number>();
  constructor(
    name: string,
    inputs: readonly string[],
    readonly xorOffset: number,
  ) {
    this.t = new StackTracker(name, inputs);
  }
  fresh(prefix: string): string {
    return `${prefix}${this.#n++}`;
  }

  /** Entry `offset + index` of `table`, the index being on top. */
  lookupAt(table: string, offset: number, as: string): void {
    const t = this.t;
    const base = t.depth(`${table}#0`) - 1 + offset;
    t.apply(base === 0 ? [OP.OP_PICK] : [num(base), OP.OP_ADD, OP.OP_PICK], 1, [as]);
  }

  /** Sum of the named words and a constant, limb by limb with carries. */
  addWords(vars: readonly Operand[], k: number, out: string): void {
    const t = this.t;
    const kl = u32ToLimbs(k >>> 0);
    let carry: string | undefined;
    let carryMax = 0;
    for (let i = 0; i < LIMBS; i++) {
      const o = limb(out, i);
      vars.forEach((v, j) => {
        const top = t.bring(limb(v.name, i), v.consume);
        if (j === 0) t.rename(top, o);
        else t.apply(OP.OP_ADD, 2, [o]);
        if (j === 0 && carry !== undefined) {
          t.move(carry);
          t.apply(OP.OP_ADD, 2, [o]);
        }
      });
      if (kl[i] !== 0) {
        t.push(kl[i]!, t.temp());
        t.apply(OP.OP_ADD, 2, [o]);
      }
      const max = 15 * vars.length + kl[i]! + carryMax;
      const steps = Math.floor(max / 16);
      if (steps > 2) throw new BitvmInputError("addWords: sum too large");
      const last = i === LIMBS - 1;
      if (steps === 0) {
        carry = undefined;
        carryMax = 0;
      } else if (last) {
        // The top limb drops its carry: its low nibble only.
        this.lookupAt(MOD_TABLE, 0, o);
      } else if (steps === 1) {
        // s in 0..31: carry = s >= 16, and 16 comes off under IF (cheaper than two lookups).
        carry = t.temp("c");
        carryMax = 1;
        t.apply(
          [
            OP.OP_DUP,
            OP.OP_16,
            OP.OP_GREATERTHANOREQUAL,
            OP.OP_TUCK,
            OP.OP_IF,
            OP.OP_16,
            OP.OP_SUB,
            OP.OP_ENDIF,
          ],
          1,
          [carry, o],
        );
      } else {
        // s in 0..47 (three words and a carry of up to 2): both halves through tables.
        carry = t.temp("c");
        carryMax = steps;
        t.apply(OP.OP_DUP, 1, [o, carry]);
        this.lookupAt(DIV_TABLE, 0, carry);
        t.apply(OP.OP_SWAP, 2, [carry, o]);
        this.lookupAt(MOD_TABLE, 0, o);
      }
    }
  }

  add(terms: readonly [Word, boolean][]): Word {
    let k = 0;
    const vars: Operand[] = [];
    for (const [w, consume] of terms) {
      if (typeof w === "number") k = (k + w) >>> 0;
      else vars.push({ name: w, consume });
    }
    if (vars.length === 0) return k;
    const out = this.fresh("s");
    this.addWords(vars, k, out);
    return out;
  }

  xor(x: Word, y: Word, cx: boolean, cy: boolean): Word {
    if (typeof x === "number" && typeof y === "number") return (x ^ y) >>> 0;
    const t = this.t;
    const out = this.fresh("x");
    if (typeof x === "number" || typeof y === "number") {
      const [k, v, cv] = typeof x === "number" ? [x, y as string, cy] : [y as number, x, cx];
      const kl = u32ToLimbs(k);
      for (let i = 0; i < LIMBS; i++) {
        const top = t.bring(limb(v, i), cv);
        if (kl[i] === 0) t.rename(top, limb(out, i));
        else this.lookupAt(XOR_TABLE, 16 * kl[i]!, limb(out, i));
      }
      return out;
    }
    for (let i = 0; i < LIMBS; i++) {
      const o = limb(out, i);
      t.bring(limb(x, i), cx);
      this.lookupAt(T16_TABLE, 0, o);
      t.bring(limb(y, i), cy);
      t.apply(OP.OP_ADD, 2, [o]);
      // The index is 16x + xorOffset + y: correct the offset to the table's depth now.
      const base = t.depth(`${XOR_TABLE}#0`) - 1;
      this.xorBases.set(base, (this.xorBases.get(base) ?? 0) + 1);
      const adj = base - this.xorOffset;
      const fix = adj === 0 ? [] : adj > 0 ? [num(adj), OP.OP_ADD] : [num(-adj), OP.OP_SUB];
      t.apply([...fix, OP.OP_PICK], 1, [o]);
    }
    return out;
  }

  rotr(x: Word, r: number): Word {
    if (typeof x === "number") return rotr32(x, r);
    const out = this.fresh("r");
    if (r % 4 === 0) {
      const q = r / 4;
      for (let i = 0; i < LIMBS; i++) this.t.rename(limb(x, (i + q) % LIMBS), limb(out, i));
    } else if (r % 4 === 3) {
      // Limb i takes the top bit of x_{i+q} (x >> 3 is x >= 8) and the low three bits of x_{i+q+1}.
      const t = this.t;
      const q = (r - 3) / 4;
      const src = (i: number): string => limb(x, (i + q) % LIMBS);
      // Every limb of x is read twice: the second read consumes it.
      const seen = new Set<string>();
      const take = (n: string): void => {
        t.bring(n, seen.has(n));
        seen.add(n);
      };
      for (let i = 0; i < LIMBS; i++) {
        const o = limb(out, i);
        take(src(i + 1));
        this.lookupAt(shlTable(1), 0, o);
        take(src(i));
        t.apply([OP.OP_8, OP.OP_GREATERTHANOREQUAL, OP.OP_ADD], 2, [o]);
      }
    } else throw new BitvmInputError(`blake3: no table for a rotation by ${r}`);
    return out;
  }
}

/** Bytes of the offset correction for a xor lookup `adj` items off the folded offset. */
const adjCost = (adj: number): number =>
  adj === 0 ? 0 : Math.abs(adj) === 1 ? 1 : Math.abs(adj) <= 16 ? 2 : 3;

/** Builds the BLAKE3 compression function: 16 message words in, the first 8 output words out. */
export function blake3Compress(opts: Blake3CompressOptions = {}): Fragment {
  // The first build only measures where the xor table sits; the second folds the best offset.
  const probe = build(opts, 0);
  let best = 0;
  let bestCost = Infinity;
  for (const k of probe.xorBases.keys()) {
    let cost = 0;
    for (const [base, n] of probe.xorBases) cost += n * adjCost(base - k);
    if (cost < bestCost) [best, bestCost] = [k, cost];
  }
  return build(opts, best).t.finish();
}

function build(opts: Blake3CompressOptions, xorOffset: number): Builder {
  const cv = opts.cv ?? BLAKE3_IV;
  const counter = BigInt(opts.counter ?? 0);
  const blockLen = opts.blockLen ?? 64;
  const flags = opts.flags ?? CHUNK_START | CHUNK_END | ROOT;
  const inputs = Array.from({ length: 16 }, (_, i) => u32Names(`m${i}`)).flat();
  const b = new Builder(opts.name ?? "blake3Compress", inputs, xorOffset);
  const t = b.t;

  const tables: [string, number[]][] = [
    [XOR_TABLE, Array.from({ length: 256 }, (_, k) => (k >> 4) ^ (k & 0xf))],
    [shlTable(1), Array.from({ length: 16 }, (_, x) => (x << 1) & 0xf)],
    [MOD_TABLE, Array.from({ length: 48 }, (_, x) => x & 15)],
    [DIV_TABLE, Array.from({ length: 48 }, (_, x) => x >> 4)],
    [T16_TABLE, Array.from({ length: 16 }, (_, x) => 16 * x + xorOffset)],
  ];
  // Bottom to top; the ×16 table, read by every xor, sits closest to the working values.
  const pushed = [0, 3, 1, 2, 4].map((i) => tables[i]!);
  for (const [name, entries] of pushed) t.pushTable(name, entries);

  const v: Word[] = [
    ...cv,
    BLAKE3_IV[0],
    BLAKE3_IV[1],
    BLAKE3_IV[2],
    BLAKE3_IV[3],
    Number(counter & 0xffffffffn),
    Number((counter >> 32n) & 0xffffffffn),
    blockLen,
    flags,
  ];
  let m: string[] = Array.from({ length: 16 }, (_, i) => `m${i}`);

  const g = (ia: number, ib: number, ic: number, id: number, mx: string, my: string, last: boolean): void => {
    let [a, bb, c, d] = [v[ia]!, v[ib]!, v[ic]!, v[id]!];
    a = b.add([
      [a, true],
      [bb, false],
      [mx, last],
    ]);
    d = b.rotr(b.xor(d, a, true, false), 16);
    c = b.add([
      [c, true],
      [d, false],
    ]);
    bb = b.rotr(b.xor(bb, c, true, false), 12);
    a = b.add([
      [a, true],
      [bb, false],
      [my, last],
    ]);
    d = b.rotr(b.xor(d, a, true, false), 8);
    c = b.add([
      [c, true],
      [d, false],
    ]);
    bb = b.rotr(b.xor(bb, c, true, false), 7);
    [v[ia], v[ib], v[ic], v[id]] = [a, bb, c, d];
  };

  for (let round = 0; round < 7; round++) {
    const last = round === 6;
    g(0, 4, 8, 12, m[0]!, m[1]!, last);
    g(1, 5, 9, 13, m[2]!, m[3]!, last);
    g(2, 6, 10, 14, m[4]!, m[5]!, last);
    g(3, 7, 11, 15, m[6]!, m[7]!, last);
    g(0, 5, 10, 15, m[8]!, m[9]!, last);
    g(1, 6, 11, 12, m[10]!, m[11]!, last);
    g(2, 7, 8, 13, m[12]!, m[13]!, last);
    g(3, 4, 9, 14, m[14]!, m[15]!, last);
    m = BLAKE3_MSG_PERMUTATION.map((p) => m[p]!);
  }

  // h_i = v_i ^ v_{i+8}, computed last word first and parked on the altstack.
  for (let i = 7; i >= 0; i--) {
    const h = b.xor(v[i]!, v[i + 8]!, true, true);
    if (typeof h === "number") throw new BitvmInputError("blake3Compress: constant output");
    for (let j = 0; j < LIMBS; j++) t.toAlt(limb(h, j));
  }
  for (const [name, entries] of [...pushed].reverse()) t.dropTable(name, entries.length);
  for (let k = 0; k < 8 * LIMBS; k++) t.fromAlt();
  if (t.size !== 8 * LIMBS) throw new BitvmInputError(`blake3Compress: ${t.size} items left`);
  return b;
}

/** BLAKE3 of exactly 64 bytes: a single chunk, a single block, the root. */
export function blake3Hash64(): Fragment {
  return blake3Compress({ name: "blake3Hash64" });
}

/** The witness (bottom first) for `blake3Hash64`: the 16 little-endian message words as limbs. */
export function blake3Hash64Input(message: Uint8Array): number[] {
  if (message.length !== 64) throw new BitvmInputError(`blake3Hash64Input: ${message.length} bytes, need 64`);
  const dv = new DataView(message.buffer, message.byteOffset, 64);
  return u32Witness(Array.from({ length: 16 }, (_, i) => dv.getUint32(4 * i, true)));
}

/** The 32 digest bytes from the final stack of `blake3Hash64` (bottom first). */
export function blake3Hash64Digest(stack: readonly Uint8Array[]): Uint8Array {
  if (stack.length !== 8 * LIMBS)
    throw new BitvmInputError(`blake3Hash64Digest: ${stack.length} items, need 64`);
  const out = new Uint8Array(32);
  const dv = new DataView(out.buffer);
  for (let w = 0; w < 8; w++) {
    const limbs = stack.slice(w * LIMBS, (w + 1) * LIMBS).map(stackNumber);
    if (limbs.some((n) => n < 0 || n > 15))
      throw new BitvmInputError("blake3Hash64Digest: limb out of range");
    dv.setUint32(4 * w, limbsToU32(limbs.reverse()), true);
  }
  return out;
}
