/**
 * SHA-256 in Script: the compression function and the hash of exactly 64 bytes (two compressions:
 * the message block, then the constant padding block), for BitVM leaves.
 *
 * Representation: a u32 is eight 4-bit limbs, `w.0` least significant (see u32.ts), because Script
 * has no bitwise opcodes and only 32-bit signed arithmetic. Bitwise work goes through lookup tables
 * kept on the stack (xor on a 16·a + b index, halves, ×16, carries, and the shift tables of the
 * non-nibble-aligned rotations), ~560 items in all; the state is then the eight working words, the
 * kept chaining value and a rolling window of sixteen message words, so the peak stays under the
 * 1,000-item limit (the schedule is never held as 64 words).
 *
 * Cost drivers: nearly every operation is a table lookup (`base ADD PICK`, 3–5 bytes, most of the
 * script) or a PICK of a limb. So each round works limb by limb and fuses what it can:
 * - σ/Σ: the three rotations and two xors are one index per output nibble,
 *   xor[xor[16·A + B] + 16·C], the ×16 read straight from ×16 shift tables (no multiplications);
 * - Ch = (f + g + (e^g) − (e^f)) / 2 and Maj = (a + b + c − (a^b^c)) / 2: two xors and a halving
 *   each, no AND;
 * - T1 = h + Σ1 + Ch + K + W is never normalised: the new e and a are limb sums settled once each,
 *   a carry of up to 7 split off through the div16 table;
 * - indexes that are sums of table outputs carry a constant offset built into the tables feeding
 *   them, so their lookups skip most of the base push (tuned by a first build);
 * - for the padding block the whole schedule is known at build time: K + W is one constant.
 */
import { BitvmInputError, type Fragment, num } from "./fragment.js";
import { StackTracker } from "./tracker.js";
import { OP } from "../bitcoin/index.js";

import { HALF_TABLE, LIMBS, XOR_TABLE, limb, u32Add, u32Names, u32Push, u32ToLimbs } from "./u32.js";
import { stackNumber } from "./run.js";

export const SHA256_K: readonly number[] = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
];

export const SHA256_IV: readonly number[] = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

const rotr = (x: number, r: number): number => ((x >>> r) | (x << (32 - r))) >>> 0;
const sigma0 = (x: number): number => (rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)) >>> 0;
const sigma1 = (x: number): number => (rotr(x, 17) ^ rotr(x, 19) ^ (x >>> 10)) >>> 0;

/** The full 64-word schedule of a constant block. */
export function sha256Schedule(block: readonly number[]): number[] {
  const w = [...block];
  for (let i = 16; i < 64; i++)
    w.push((sigma1(w[i - 2]!) + w[i - 7]! + sigma0(w[i - 15]!) + w[i - 16]!) >>> 0);
  return w;
}

let uid = 0;
const fresh = (p: string): string => `${p}@${uid++}`;

/* ---------- tables ---------- */

const X16 = "x16";
/** ×16 with the xor table's offset: the high half of an xor index. */
const X16X = "x16x";
/** ×16 with the div16 table's offset: removes the carry from an offset limb sum. */
const X16D = "x16d";
const DIV16 = "div16";
/** Carries of limb sums up to this bound are looked up (the largest sum: a' = T1 + Σ0 + Maj + carry). */
const DIV16_SIZE = 113;
const shiftTable = (dir: "shr" | "shl", s: number, x16: boolean): string => `${dir}${s}${x16 ? "x16" : ""}`;

/**
 * The tables, deepest first: carries, halves, xor and the ×16 tables (their lookups are offset, so
 * depth costs them little), then the eight shift tables the σ/Σ read with raw limbs as indexes,
 * those of Σ0/Σ1 (every round) on top.
 */
function shaTables(): [string, number[]][] {
  const { kx, kd } = offsets;
  const tables: [string, number[]][] = [
    [DIV16, Array.from({ length: DIV16_SIZE }, (_, v) => v >> 4)],
    [HALF_TABLE, Array.from({ length: 31 }, (_, k) => k >> 1)],
    [XOR_TABLE, Array.from({ length: 256 }, (_, k) => (k >> 4) ^ (k & 15))],
    [X16, Array.from({ length: 16 }, (_, v) => 16 * v)],
    [X16X, Array.from({ length: 16 }, (_, v) => 16 * v + kx)],
    [X16D, Array.from({ length: 16 }, (_, v) => 16 * v + kd)],
  ];
  for (const [s, x16] of [
    [3, false],
    [3, true],
    [1, false],
    [2, true],
  ] as const) {
    const m = x16 ? 16 : 1;
    // The ×16 shr piece is in every high half of an xor index: it carries the xor offset.
    const k = x16 ? kx : 0;
    tables.push([shiftTable("shr", s, x16), Array.from({ length: 16 }, (_, v) => m * (v >> s) + k)]);
    tables.push([
      shiftTable("shl", 4 - s, x16),
      Array.from({ length: 16 }, (_, v) => m * ((v << (4 - s)) & 15)),
    ]);
  }
  return tables;
}

function pushShaTables(t: StackTracker): void {
  for (const [name, entries] of shaTables()) t.pushTable(name, entries);
}

function dropShaTables(t: StackTracker): void {
  for (const [name, entries] of shaTables().reverse()) t.dropTable(name, entries.length);
}

/**
 * Lookups cost `base ADD PICK`, and base (the items above the table) is mostly over 127: a
 * 3-byte push. Indexes that are sums of table outputs carry a constant offset instead (kx in
 * the ×16 tables feeding the xor table, kd in limb sums feeding div16), so the lookup only
 * pushes base − offset, usually small or zero. The offsets are tuned by a first build.
 */
const offsets = { kx: 0, kd: 0, record: undefined as Map<string, number[]> | undefined };

/** Replaces the top (an index carrying `off`) by the table entry. */
function lookupOff(t: StackTracker, table: string, off: number, as: string): void {
  const base = t.depth(`${table}#0`) - 1 - off;
  offsets.record?.get(table)?.push(base + off);
  t.apply(base === 0 ? [OP.OP_PICK] : [num(base), OP.OP_ADD, OP.OP_PICK], 1, [as]);
}

/** Cost in bytes of pushing `d` then ADD, as a lookup adjusts its index. */
const adjustCost = (d: number): number =>
  d === 0 ? 0 : (d >= -1 && d <= 16 ? 1 : d >= -127 && d <= 127 ? 2 : 3) + 1;

/** The offset minimising the total adjustment cost over the recorded bases. */
function bestOffset(bases: readonly number[]): number {
  let best = 0;
  let bestCost = Infinity;
  for (const k of new Set(bases)) {
    let c = 0;
    for (const b of bases) c += adjustCost(b - k);
    if (c < bestCost) [best, bestCost] = [k, c];
  }
  return best;
}

/** Builds twice: once recording the lookup bases, once with the offsets they suggest. */
function tuned(build: () => Fragment): Fragment {
  offsets.kx = 0;
  offsets.kd = 0;
  offsets.record = new Map([
    [XOR_TABLE, []],
    [DIV16, []],
  ]);
  try {
    build();
    offsets.kx = bestOffset(offsets.record.get(XOR_TABLE)!);
    offsets.kd = bestOffset(offsets.record.get(DIV16)!);
  } finally {
    offsets.record = undefined;
  }
  return build();
}

/* ---------- nibble operations ---------- */

const ADD = (t: StackTracker, out: string): void => t.apply(OP.OP_ADD, 2, [out]);

/**
 * A rotation (or shift) by r = 4q + s (s ≠ 0): output limb i is (x[i+q] >> s) + (x[i+q+1] << (4−s)) & 15,
 * two disjoint pieces read through shift tables.
 */
interface Rot {
  r: number;
  shift?: boolean;
}
/** σ/Σ as [A, B, C]: the result nibble is xor[xor[16·A + B] + 16·C], A and C read ×16 tables. */
type Sigma = readonly [Rot, Rot, Rot];
const BIG_SIGMA0: Sigma = [{ r: 2 }, { r: 13 }, { r: 22 }];
const BIG_SIGMA1: Sigma = [{ r: 6 }, { r: 25 }, { r: 11 }];
const SMALL_SIGMA0: Sigma = [{ r: 18 }, { r: 7 }, { r: 3, shift: true }];
const SMALL_SIGMA1: Sigma = [{ r: 19 }, { r: 17 }, { r: 10, shift: true }];

interface Piece {
  limb: number;
  table: string;
}

function pieces(rot: Rot, i: number, x16: boolean): Piece[] {
  const q = Math.floor(rot.r / 4);
  const s = rot.r % 4;
  const j = i + q;
  const out: Piece[] = [];
  if (rot.shift === true && j >= LIMBS) return out;
  out.push({ limb: j % LIMBS, table: shiftTable("shr", s, x16) });
  if (!(rot.shift === true && j + 1 >= LIMBS))
    out.push({ limb: (j + 1) % LIMBS, table: shiftTable("shl", 4 - s, x16) });
  return out;
}

const sigmaPieces = (sg: Sigma, i: number): [Piece[], Piece[], Piece[]] => [
  pieces(sg[0], i, true),
  pieces(sg[1], i, false),
  pieces(sg[2], i, true),
];

/** Reads limbs of `x`, consuming each at its last read when `consume`. */
class Reader {
  readonly #left = new Map<number, number>();
  constructor(
    readonly t: StackTracker,
    readonly x: string,
    readonly consume: boolean,
    reads: readonly number[],
  ) {
    for (const l of reads) this.#left.set(l, (this.#left.get(l) ?? 0) + 1);
  }
  read(l: number): void {
    const n = this.#left.get(l)! - 1;
    this.#left.set(l, n);
    this.t.bring(limb(this.x, l), this.consume && n === 0);
  }
  /** Drops the limbs a consuming reader never read. */
  done(): void {
    if (!this.consume) return;
    for (let l = 0; l < LIMBS; l++) if (!this.#left.has(l)) this.t.drop(limb(this.x, l));
  }
}

function sigmaReader(t: StackTracker, x: string, sg: Sigma, consume: boolean): Reader {
  const reads: number[] = [];
  for (let i = 0; i < LIMBS; i++) for (const ps of sigmaPieces(sg, i)) for (const p of ps) reads.push(p.limb);
  return new Reader(t, x, consume, reads);
}

/** Limb i of σ/Σ(x), left on top as `out`. */
function sigmaNibble(t: StackTracker, rd: Reader, sg: Sigma, i: number, out: string): void {
  const [a, b, c] = sigmaPieces(sg, i);
  let have = false;
  const take = (ps: Piece[]): void => {
    for (const p of ps) {
      rd.read(p.limb);
      t.lookup(p.table, out);
      if (have) ADD(t, out);
      have = true;
    }
  };
  take(a);
  take(b);
  if (a.length === 0 || b.length === 0) throw new BitvmInputError("sigma: A and B must read limbs");
  lookupOff(t, XOR_TABLE, offsets.kx, out);
  take(c);
  if (c.length > 0) lookupOff(t, XOR_TABLE, offsets.kx, out);
}

/** Ch(e,f,g) = (f + g + (e^g) − (e^f)) / 2 on limb i. */
function chNibble(t: StackTracker, e: string, f: string, g: string, i: number, out: string): void {
  const E = t.temp();
  t.copy(limb(e, i), E);
  t.lookup(X16X, E);
  const E2 = t.temp();
  t.apply(OP.OP_DUP, 1, [E, E2]);
  t.copy(limb(g, i), t.temp());
  ADD(t, E2);
  lookupOff(t, XOR_TABLE, offsets.kx, E2);
  t.apply(OP.OP_SWAP, 2, [E2, E]);
  t.copy(limb(f, i), t.temp());
  ADD(t, E);
  lookupOff(t, XOR_TABLE, offsets.kx, E);
  t.apply(OP.OP_SUB, 2, [out]);
  t.copy(limb(f, i), t.temp());
  ADD(t, out);
  t.copy(limb(g, i), t.temp());
  ADD(t, out);
  t.lookup(HALF_TABLE, out);
}

/** Maj(a,b,c) = (a + b + c − (a^b^c)) / 2 on limb i. */
function majNibble(t: StackTracker, a: string, b: string, c: string, i: number, out: string): void {
  t.copy(limb(a, i), out);
  t.copy(limb(b, i), t.temp());
  ADD(t, out);
  t.copy(limb(c, i), t.temp());
  ADD(t, out);
  const x = t.temp();
  t.copy(limb(a, i), x);
  t.lookup(X16X, x);
  t.copy(limb(b, i), t.temp());
  ADD(t, x);
  lookupOff(t, XOR_TABLE, offsets.kx, x);
  t.lookup(X16X, x);
  t.copy(limb(c, i), t.temp());
  ADD(t, x);
  lookupOff(t, XOR_TABLE, offsets.kx, x);
  t.apply(OP.OP_SUB, 2, [out]);
  t.lookup(HALF_TABLE, out);
}

/**
 * Splits the limb sum on top into (carry, sum mod 16), the carry below, through the div16 and ×16
 * tables; the last limb keeps no carry.
 */
function settle(t: StackTracker, out: string, carry: string | undefined, offset: boolean): void {
  const c = t.temp();
  t.apply(OP.OP_DUP, 1, [out, c]);
  lookupOff(t, DIV16, offset ? offsets.kd : 0, c);
  const x16 = offset ? X16D : X16;
  if (carry === undefined) {
    t.lookup(x16, c);
    t.apply(OP.OP_SUB, 2, [out]);
    return;
  }
  const c16 = t.temp();
  t.apply(OP.OP_TUCK, 2, [carry, out, c16]);
  t.lookup(x16, c16);
  t.apply(OP.OP_SUB, 2, [out]);
}

/** Adds the carry of the previous limb (if any) to the top, then settles (the sum carries kd if `offset`). */
function carryAndSettle(t: StackTracker, out: string, i: number, carry: string, offset = false): void {
  if (i > 0) {
    t.move(carry);
    ADD(t, out);
  }
  settle(t, out, i < LIMBS - 1 ? carry : undefined, offset);
}

type Message = { names: readonly string[] } | { constants: readonly number[] };

/**
 * One compression on a tracker whose tables are pushed: `h` are the eight chaining words, named
 * (consumed by the final addition) or constant; `msg` the sixteen message words (consumed) or a
 * constant block. Leaves the eight new words named `${out}0` … `${out}7`.
 */
function compress(
  t: StackTracker,
  h: readonly string[] | readonly number[],
  msg: Message,
  out: string,
): void {
  const v = h.map((x: string | number) => {
    const c = fresh("v");
    if (typeof x === "number") u32Push(t, x, c);
    else for (let i = LIMBS - 1; i >= 0; i--) t.copy(limb(x, i), limb(c, i));
    return c;
  });
  const constW = "constants" in msg ? sha256Schedule(msg.constants) : undefined;
  const w: string[] = "names" in msg ? [...msg.names] : [];
  // Remaining reads of each schedule word: the last one consumes it.
  const uses = Array.from(
    { length: 64 },
    (_, j) => 1 + [2, 7, 15, 16].filter((d) => j + d >= 16 && j + d < 64).length,
  );
  const use = (j: number): boolean => --uses[j]! === 0;
  for (let r = 0; r < 64; r++) {
    if (constW === undefined && r >= 16) {
      // W[r] = σ1(W[r−2]) + W[r−7] + σ0(W[r−15]) + W[r−16], limb by limb.
      const z = fresh("W");
      const s1 = sigmaReader(t, w[r - 2]!, SMALL_SIGMA1, use(r - 2));
      const s0 = sigmaReader(t, w[r - 15]!, SMALL_SIGMA0, use(r - 15));
      const w7 = use(r - 7);
      const w16 = use(r - 16);
      const carry = fresh("c");
      for (let i = 0; i < LIMBS; i++) {
        const o = limb(z, i);
        sigmaNibble(t, s1, SMALL_SIGMA1, i, o);
        const x = t.temp();
        sigmaNibble(t, s0, SMALL_SIGMA0, i, x);
        ADD(t, o);
        t.bring(limb(w[r - 7]!, i), w7);
        ADD(t, o);
        t.bring(limb(w[r - 16]!, i), w16);
        ADD(t, o);
        carryAndSettle(t, o, i, carry);
      }
      s1.done();
      s0.done();
      w.push(z);
    }
    const [a, b, c, d, e, f, g, hh] = v as [string, string, string, string, string, string, string, string];
    const wr = constW === undefined ? w[r]! : undefined;
    const wLast = wr !== undefined && use(r);
    const kw = u32ToLimbs(constW === undefined ? SHA256_K[r]! : (SHA256_K[r]! + constW[r]!) >>> 0);
    const s1 = sigmaReader(t, e, BIG_SIGMA1, false);
    const s0 = sigmaReader(t, a, BIG_SIGMA0, false);
    const ne = fresh("e");
    const na = fresh("a");
    const ce = fresh("ce");
    const ca = fresh("ca");
    for (let i = 0; i < LIMBS; i++) {
      // T1 = h + Σ1(e) + Ch(e,f,g) + K + W, unsettled: both sums below settle it.
      const T1 = fresh("T1");
      sigmaNibble(t, s1, BIG_SIGMA1, i, T1);
      chNibble(t, e, f, g, i, t.temp());
      ADD(t, T1);
      t.move(limb(hh, i));
      ADD(t, T1);
      if (wr !== undefined) {
        t.bring(limb(wr, i), wLast);
        ADD(t, T1);
      }
      // The constant also carries kd, for both settles below.
      if (kw[i]! + offsets.kd !== 0) {
        t.push(kw[i]! + offsets.kd, t.temp());
        ADD(t, T1);
      }
      // e' = d + T1
      const oe = limb(ne, i);
      t.copy(T1, oe);
      t.move(limb(d, i));
      ADD(t, oe);
      carryAndSettle(t, oe, i, ce, true);
      // a' = T1 + Σ0(a) + Maj(a,b,c)
      const oa = limb(na, i);
      sigmaNibble(t, s0, BIG_SIGMA0, i, oa);
      majNibble(t, a, b, c, i, t.temp());
      ADD(t, oa);
      t.move(T1);
      ADD(t, oa);
      carryAndSettle(t, oa, i, ca, true);
    }
    v.splice(0, 8, na, a, b, c, ne, e, f, g);
  }
  for (let i = 0; i < 8; i++) {
    const x = h[i]!;
    if (typeof x === "number") u32Add(t, v[i]!, x, `${out}${i}`, { a: true });
    else u32Add(t, x, v[i]!, `${out}${i}`, { a: true, b: true });
  }
}

/** Moves the output words above the tables, drops the tables, and builds the fragment. */
function finishWithout(t: StackTracker, out: string): Fragment {
  const outs = Array.from({ length: 8 }, (_, i) => u32Names(`${out}${i}`)).flat();
  for (const n of [...outs].reverse()) t.toAlt(n);
  dropShaTables(t);
  for (let i = 0; i < outs.length; i++) t.fromAlt();
  return t.finish();
}

const hNames = Array.from({ length: 8 }, (_, i) => `H${i}`);
const wNames = Array.from({ length: 16 }, (_, i) => `W${i}`);

/**
 * SHA-256 compression: input stack (bottom first) H0 … H7 then W0 … W15, each a u32 in nibble
 * form (`u32Witness` order); output the eight new chaining words, H0 deepest.
 */
export function sha256Compress(name = "sha256Compress"): Fragment {
  return tuned(() => buildCompress(name));
}

function buildCompress(name: string): Fragment {
  const t = new StackTracker(name, [...hNames.flatMap(u32Names), ...wNames.flatMap(u32Names)]);
  pushShaTables(t);
  compress(t, hNames, { names: wNames }, "O");
  return finishWithout(t, "O");
}

/** SHA-256 of exactly 64 bytes: input 16 big-endian message words, output the 8 digest words. */
export function sha256Hash64(name = "sha256Hash64"): Fragment {
  return tuned(() => buildHash64(name));
}

function buildHash64(name: string): Fragment {
  const t = new StackTracker(name, wNames.flatMap(u32Names));
  pushShaTables(t);
  compress(t, SHA256_IV, { names: wNames }, "M");
  const pad = [0x80000000, ...Array<number>(14).fill(0), 512];
  compress(
    t,
    Array.from({ length: 8 }, (_, i) => `M${i}`),
    { constants: pad },
    "O",
  );
  return finishWithout(t, "O");
}

/** The input stack (bottom first) of `sha256Hash64` for a 64-byte message. */
export function sha256Hash64Input(message: Uint8Array): number[] {
  if (message.length !== 64)
    throw new BitvmInputError(`sha256Hash64Input: ${message.length} bytes, expected 64`);
  const dv = new DataView(message.buffer, message.byteOffset, 64);
  return Array.from({ length: 16 }, (_, i) => dv.getUint32(4 * i, false)).flatMap((x) =>
    u32ToLimbs(x).reverse(),
  );
}

/** The 32 digest bytes from the output stack of `sha256Hash64`. */
export function sha256Hash64Digest(stack: readonly Uint8Array[]): Uint8Array {
  if (stack.length !== 64)
    throw new BitvmInputError(`sha256Hash64Digest: ${stack.length} stack items, expected 64`);
  const out = new Uint8Array(32);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) {
    let x = 0;
    for (let j = 0; j < 8; j++) {
      const n = stackNumber(stack[8 * i + j]!);
      if (!Number.isInteger(n) || n < 0 || n > 15)
        throw new BitvmInputError(`digest limb ${n} is not a nibble`);
      x = x * 16 + n;
    }
    dv.setUint32(4 * i, x, false);
  }
  return out;
}
