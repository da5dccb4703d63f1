/**
 * The hinted product check: every multiplication in the BN254 code is an identity
 *
 *     Σ_k c_k · x_k · y_k  +  m·p  −  q·p  −  r  =  0        (over the integers)
 *
 * between digit vectors, with the quotient q, the result r and the column carries supplied by
 * the witness. Script has no OP_MUL, so each digit product comes from a table of quarter squares
 * Q(s) = ⌊s²/4⌋ kept on the stack: x·y = Q(x+y) − Q(x−y) (exact for integers).
 *
 * Column c of the identity (the coefficient of 128^c) is summed on top of the stack; the carry
 * k_c supplied by the witness must satisfy X_c + k_{c−1} = 128·k_c, and the last column must be
 * 0. Telescoping, Σ 128^c X_c = 0 exactly; a carry that does not fit makes 128·k a 5-byte number
 * that the next numeric opcode refuses. Every digit that indexes the table is range-checked
 * (0…127) first: an out-of-range digit would read the wrong stack item.
 *
 * The table lookups need no depth arithmetic: the factors are copied above the table with an
 * offset (x + α, y + 1) chosen so that x' + y' and x' − y' + 1 are, at the moments they are used,
 * the PICK depths of Q(x+y) and Q(x−y). This holds because the stack height while a column is
 * summed never changes. One digit product costs 16 bytes:
 * `<x'> PICK <y'> PICK 2DUP ADD PICK ROT ROT SUB 1ADD PICK SUB ADD`.
 */
import { OP } from "../../bitcoin/index.js";
import { BitvmBuildError, num, type Op } from "../fragment.js";
import type { StackTracker } from "../tracker.js";

import { DIGITS, DIGIT_BASE, checkCanonical, digit, fromDigits, toDigits, type PrimeField } from "./field.js";

/** Q(s) for s in −127…254: 382 entries. */
const TABLE_LOW = -(DIGIT_BASE - 1);
const TABLE_HIGH = 2 * (DIGIT_BASE - 1);
export const TABLE_ENTRIES = TABLE_HIGH - TABLE_LOW + 1;

/** Multiplies the top item by k (1…8) with DUP/ADD. */
const SCALE: readonly (readonly Op[])[] = [
  [],
  [],
  [OP.OP_DUP, OP.OP_ADD],
  [OP.OP_DUP, OP.OP_DUP, OP.OP_ADD, OP.OP_ADD],
  [OP.OP_DUP, OP.OP_ADD, OP.OP_DUP, OP.OP_ADD],
  [OP.OP_DUP, OP.OP_DUP, OP.OP_ADD, OP.OP_DUP, OP.OP_ADD, OP.OP_ADD],
  [OP.OP_DUP, OP.OP_ADD, OP.OP_DUP, OP.OP_DUP, OP.OP_ADD, OP.OP_ADD],
  [OP.OP_DUP, OP.OP_DUP, OP.OP_ADD, OP.OP_DUP, OP.OP_DUP, OP.OP_ADD, OP.OP_ADD, OP.OP_ADD],
  [OP.OP_DUP, OP.OP_ADD, OP.OP_DUP, OP.OP_ADD, OP.OP_DUP, OP.OP_ADD],
];
const scale = (k: number): readonly Op[] => {
  const ops = SCALE[k];
  if (ops === undefined) throw new RangeError(`product check: coefficient ${k} is not 1…8`);
  return ops;
};
const tableName = (s: number): string => `sq.${s}`;

/** A product term c·x·y: x a variable element, y a variable element or a constant. */
export interface Term {
  x: string;
  y: string | bigint;
  /** A nonzero integer, |coef| ≤ 8. */
  coef: number;
}

/** A linear term c·v of a check. */
export interface Linear {
  v: string;
  /** A nonzero integer, |coef| ≤ 8. */
  coef: number;
}

/** One identity Σ c·x·y + m·p − q·p − r = 0. */
export interface Check {
  terms: readonly Term[];
  /** Terms c·v added digit by digit (no table): sums and differences inside an identity. */
  linear?: readonly Linear[];
  /** A constant added to the left side (0 ≤ constant < p; write −c as p − c). */
  constant?: bigint;
  /** The result: an element on the stack (range- and p-checked here), or a constant. */
  r: string | bigint;
  /** Name of the hint: its quotient digits are `${hint}.q.i`, its carries `${hint}.k.i`. */
  hint: string;
}

/** How many quotient digits and columns a check needs (a product of 37-digit vectors has 73). */
export interface CheckLayout {
  qDigits: number;
  columns: number;
}

const digitCount = (v: bigint): number => {
  let n = 0;
  for (let x = v; x > 0n; x >>= 7n) n++;
  return Math.max(n, 1);
};

export function checkLayout(f: PrimeField, check: Check): CheckLayout {
  const m = offsetMultiple(f, check.terms, check.linear);
  let qmax = m;
  let columns = DIGITS;
  for (const term of check.terms) {
    const ymax = typeof term.y === "bigint" ? term.y : f.p - 1n;
    if (term.coef > 0) qmax += (BigInt(term.coef) * (f.p - 1n) * ymax) / f.p + 1n;
    columns = Math.max(columns, DIGITS + (typeof term.y === "bigint" ? digitCount(term.y) : DIGITS) - 1);
  }
  for (const l of check.linear ?? []) if (l.coef > 0) qmax += BigInt(l.coef);
  if ((check.constant ?? 0n) > 0n) qmax += 1n;
  const qDigits = digitCount(qmax);
  columns = Math.max(columns, qDigits + DIGITS - 1, digitCount(m * f.p + f.p));
  return { qDigits, columns };
}

/** Columns are checked in pairs (X_2c + 128·X_2c+1 + k = 2^14·k'): one carry per pair but the last. */
export const carryCount = (columns: number): number => Math.ceil(columns / 2) - 1;

export const quotientName = (hint: string): string => `${hint}.q`;
export const carryName = (hint: string): string => `${hint}.k`;

/** Stack names of a hint, bottom first: carries (deepest), then the quotient. */
export function hintNames(f: PrimeField, check: Check): string[] {
  const { qDigits, columns } = checkLayout(f, check);
  const k = carryName(check.hint);
  const q = quotientName(check.hint);
  return [
    ...Array.from({ length: carryCount(columns) }, (_, i) => digit(k, carryCount(columns) - 1 - i)),
    ...Array.from({ length: qDigits }, (_, i) => digit(q, qDigits - 1 - i)),
  ];
}

/** m with m·p ≥ every negative term's magnitude: makes q ≥ 0. */
function offsetMultiple(f: PrimeField, terms: readonly Term[], linear: readonly Linear[] = []): bigint {
  let neg = 0n;
  for (const l of linear) if (l.coef < 0) neg += BigInt(-l.coef) * (f.p - 1n);
  for (const term of terms) {
    if (term.coef > 0) continue;
    const ymax = typeof term.y === "bigint" ? term.y : f.p - 1n;
    neg += BigInt(-term.coef) * (f.p - 1n) * ymax;
  }
  return (neg + f.p - 1n) / f.p;
}

/** The witness values a check needs. */
export interface CheckValues {
  /** Each variable's value by name. */
  values: ReadonlyMap<string, bigint>;
}

/** Computes q, r and the carries of `check` from the values of its variables. */
export function checkHint(
  f: PrimeField,
  check: Check,
  values: ReadonlyMap<string, bigint>,
): { q: bigint; r: bigint; carries: number[]; qDigits: number[] } {
  const val = (n: string | bigint): bigint => {
    if (typeof n === "bigint") return n;
    const v = values.get(n);
    if (v === undefined) throw new RangeError(`checkHint: no value for "${n}"`);
    return v;
  };
  const m = offsetMultiple(f, check.terms, check.linear);
  let total = m * f.p + (check.constant ?? 0n);
  for (const term of check.terms) total += BigInt(term.coef) * val(term.x) * val(term.y);
  for (const l of check.linear ?? []) total += BigInt(l.coef) * val(l.v);
  const r = typeof check.r === "bigint" ? check.r : ((total % f.p) + f.p) % f.p;
  const diff = total - r;
  if (diff % f.p !== 0n || diff < 0n)
    throw new RangeError(`checkHint: no quotient (the identity cannot hold)`);
  const q = diff / f.p;
  const { qDigits: qn, columns: COLUMNS } = checkLayout(f, check);
  const qDigits = toDigits(q, qn);
  // Column sums exactly as the script forms them, then the carries.
  const cols = new Array<bigint>(COLUMNS).fill(0n);
  const addProduct = (coef: bigint, xd: readonly number[], yd: readonly number[]): void => {
    for (let i = 0; i < xd.length; i++)
      for (let j = 0; j < yd.length; j++) {
        if (i + j >= COLUMNS) {
          if (xd[i]! * yd[j]! !== 0) throw new RangeError("checkHint: product beyond the last column");
          continue;
        }
        cols[i + j]! += coef * BigInt(xd[i]! * yd[j]!);
      }
  };
  for (const term of check.terms) addProduct(BigInt(term.coef), toDigits(val(term.x)), toDigits(val(term.y)));
  addProduct(-1n, qDigits, f.pDigits);
  for (const l of check.linear ?? []) toDigits(val(l.v)).forEach((d, c) => (cols[c]! += BigInt(l.coef * d)));
  const k = columnConstants(constantPart(f, check), COLUMNS);
  for (let c = 0; c < COLUMNS; c++) cols[c]! += BigInt(k[c] ?? 0);
  if (typeof check.r !== "bigint") toDigits(r).forEach((d, c) => (cols[c]! -= BigInt(d)));
  const carries: number[] = [];
  let carry = 0n;
  const pairs = carryCount(COLUMNS) + 1;
  for (let c = 0; c < pairs; c++) {
    const x = cols[2 * c]! + 128n * (cols[2 * c + 1] ?? 0n) + carry;
    if (c === pairs - 1) {
      if (x !== 0n) throw new RangeError(`checkHint: last columns sum to ${x}, not 0`);
      break;
    }
    if (x % 16384n !== 0n)
      throw new RangeError(`checkHint: columns ${2 * c}, ${2 * c + 1} not divisible by 2^14`);
    carry = x / 16384n;
    carries.push(Number(carry));
  }
  if (fromDigits(qDigits) !== q) throw new RangeError("checkHint: quotient digits");
  return { q, r, carries, qDigits };
}

/** The constant part of the left side minus a constant result: m·p + constant − r. */
function constantPart(f: PrimeField, c: Check): bigint {
  const m = offsetMultiple(f, c.terms, c.linear);
  return m * f.p + (c.constant ?? 0n) - (typeof c.r === "bigint" ? c.r : 0n);
}

/** Signed per-column constants of k (|k| < 128^columns). */
function columnConstants(k: bigint, columns: number): number[] {
  const sign = k < 0n ? -1 : 1;
  return toDigits(k < 0n ? -k : k, columns).map((d) => sign * d);
}

/** The witness (bottom first) of a hint: carries then quotient, each most significant deepest. */
export function hintWitness(h: { carries: readonly number[]; qDigits: readonly number[] }): number[] {
  return [...[...h.carries].reverse(), ...[...h.qDigits].reverse()];
}

export interface ProductChecksOptions {
  /** Variables whose digits are range-checked as they are copied (default: all). */
  trusted?: ReadonlySet<string>;
  /** Variables to consume (moved rather than copied; default: none). */
  consume?: ReadonlySet<string>;
}

/**
 * Emits `checks`, sharing one table and one offset copy of each factor. Afterwards the results
 * `r` (variables) are left where they were (checked canonical), the hints are consumed, the
 * variables in `consume` are gone and the others untouched.
 */
export function productChecks(
  t: StackTracker,
  f: PrimeField,
  checks: readonly Check[],
  opts: ProductChecksOptions = {},
): void {
  const quotients = new Set(checks.map((c) => quotientName(c.hint)));
  // Quotients are hints: always range-checked and consumed.
  const consume = new Set([...(opts.consume ?? []), ...quotients]);
  const trusted = opts.trusted ?? new Set<string>();
  // Factor roles: first factors get x + α, second (variable) factors y + 1.
  const firsts: string[] = [];
  const seconds: string[] = [];
  for (const c of checks) {
    for (const term of c.terms) {
      if (!firsts.includes(term.x)) firsts.push(term.x);
      if (typeof term.y === "string" && !seconds.includes(term.y)) seconds.push(term.y);
    }
    firsts.push(quotientName(c.hint));
    let weight = 0;
    for (const term of c.terms) weight += Math.abs(term.coef);
    for (const l of c.linear ?? []) weight += Math.abs(l.coef) / 64;
    // |column| ≤ (Σ|c| + 1) · 37 · 127² + constants: must stay a 4-byte number.
    // A column pair X_2c + 128·X_2c+1 + k must stay a 4-byte number.
    if (129 * ((weight + 1) * DIGITS * 127 * 127 + 256) + 2 ** 18 > 2 ** 31 - 1)
      throw new BitvmBuildError(
        t.name,
        "range",
        `a product check of weight ${weight} could overflow a column`,
      );
  }
  for (const c of checks) if (typeof c.r === "string") checkCanonical(t, f, c.r);
  const lengths = new Map<string, number>(
    checks.map((c) => [quotientName(c.hint), checkLayout(f, c).qDigits]),
  );
  const len = (v: string): number => lengths.get(v) ?? DIGITS;

  for (let s = TABLE_HIGH; s >= TABLE_LOW; s--) t.push(Math.floor((s * s) / 4), tableName(s));
  const V = [...firsts, ...seconds].reduce((n, v) => n + len(v), 0);
  // Depth of Q(0) while a column's accumulator is the top item.
  const E = V + (-TABLE_LOW + 1);
  const alpha = E + 1;
  const copyName = (v: string, role: "x" | "y", i: number): string => `${v}'${role}.${i}`;
  const roleCount = (v: string): number => (firsts.includes(v) ? 1 : 0) + (seconds.includes(v) ? 1 : 0);
  // Variables read only by linear terms have no copy: their originals are read, dropped at the end.
  const linearVars = new Set(checks.flatMap((c) => (c.linear ?? []).map((l) => l.v)));
  const used = new Map<string, number>();
  const place = (v: string, role: "x" | "y", offset: number, check: boolean): void => {
    const n = (used.get(v) ?? 0) + 1;
    used.set(v, n);
    const last = n === roleCount(v);
    for (let i = len(v) - 1; i >= 0; i--) {
      const name = copyName(v, role, i);
      const src = digit(v, i);
      if (last && consume.has(v)) {
        t.move(src);
        t.rename(src, name);
      } else t.copy(src, name);
      const ops: Op[] = check ? [OP.OP_DUP, OP.OP_0, num(DIGIT_BASE), OP.OP_WITHIN, OP.OP_VERIFY] : [];
      ops.push(num(offset), OP.OP_ADD);
      t.apply(ops, 1, [name]);
    }
  };
  for (const v of firsts) place(v, "x", alpha, !trusted.has(v) || quotients.has(v));
  for (const v of seconds) place(v, "y", 1, firsts.includes(v) ? false : !trusted.has(v));
  const q0 = tableName(0);

  /** Adds column `col` of check `c` to the accumulator on top. */
  const sumColumn = (c: Check, terms: readonly Term[], col: number, qDigits: number, acc: string): void => {
    for (const term of terms) {
      const yConst = typeof term.y === "bigint" ? toDigits(term.y) : undefined;
      const square = term.x === term.y;
      const xn = term.x === quotientName(c.hint) ? qDigits : DIGITS;
      for (let i = 0; i < xn; i++) {
        const j = col - i;
        if (j < 0 || j >= (yConst?.length ?? DIGITS)) continue;
        if (square && j < i) continue;
        if (yConst !== undefined && yConst[j] === 0) continue;
        let coef = term.coef;
        if (square && j !== i) coef *= 2;
        t.copy(copyName(term.x, "x", i), "px");
        if (yConst !== undefined) t.push(yConst[j]! + 1, "py");
        else t.copy(copyName(term.y as string, "y", j), "py");
        // [acc x' y'] → Q(x+y) → [acc Q(x+y) Q(x−y)] → acc ± c·(Q(x+y) − Q(x−y))
        t.apply([OP.OP_2DUP, OP.OP_ADD, OP.OP_PICK], 2, ["px", "py", "qs"]);
        t.apply([OP.OP_ROT, OP.OP_ROT, OP.OP_SUB, OP.OP_1ADD, OP.OP_PICK, OP.OP_SUB], 3, ["xy"]);
        const k = scale(Math.abs(coef));
        if (k.length > 0) t.apply(k, 1, ["xy"]);
        t.apply(coef > 0 ? OP.OP_ADD : OP.OP_SUB, 2, [acc]);
      }
    }
    if (col < DIGITS) {
      for (const l of c.linear ?? []) {
        // read from an offset copy when there is one (the offset is folded into the column constant)
        const at = firsts.includes(l.v)
          ? copyName(l.v, "x", col)
          : seconds.includes(l.v)
            ? copyName(l.v, "y", col)
            : digit(l.v, col);
        t.copy(at, "lv");
        const k = scale(Math.abs(l.coef));
        if (k.length > 0) t.apply(k, 1, ["lv"]);
        t.apply(l.coef > 0 ? OP.OP_ADD : OP.OP_SUB, 2, [acc]);
      }
      if (typeof c.r === "string") {
        t.copy(digit(c.r, col), "r");
        t.apply(OP.OP_SUB, 2, [acc]);
      }
    }
  };

  for (const c of checks) {
    const { qDigits, columns: COLUMNS } = checkLayout(f, c);
    const consts = columnConstants(constantPart(f, c), COLUMNS);
    const terms: Term[] = [...c.terms, { x: quotientName(c.hint), y: f.p, coef: -1 }];
    let acc = t.temp("acc");
    const pairs = carryCount(COLUMNS) + 1;
    const times = (k: number): Op[] => Array.from({ length: k }, () => [OP.OP_DUP, OP.OP_ADD]).flat();
    for (let pair = 0; pair < pairs; pair++) {
      for (const col of [2 * pair, 2 * pair + 1]) {
        if (col >= COLUMNS) continue;
        const odd = col % 2 === 1;
        let k = consts[col] ?? 0;
        if (col < DIGITS)
          for (const l of c.linear ?? [])
            k -= l.coef * (firsts.includes(l.v) ? alpha : seconds.includes(l.v) ? 1 : 0);
        if (odd) {
          t.toAlt(acc);
          acc = t.temp("acc");
          t.push(k, acc);
        } else if (col === 0) t.push(k, acc);
        else if (k !== 0) t.apply([num(k), OP.OP_ADD], 1, [acc]);
        if (t.depth(q0) !== E) throw new BitvmBuildError(t.name, "opcode", "product check: table moved");
        sumColumn(c, terms, col, qDigits, acc);
        if (odd) {
          t.apply(times(7), 1, [acc]);
          const low = t.fromAlt();
          t.apply(OP.OP_ADD, 2, [low]);
          acc = low;
        }
      }
      if (pair === pairs - 1) {
        t.apply([OP.OP_0, OP.OP_NUMEQUALVERIFY], 1, []);
        break;
      }
      const kName = digit(carryName(c.hint), pair);
      t.move(kName);
      t.apply([OP.OP_TUCK, ...times(14), OP.OP_NUMEQUALVERIFY], 2, [kName]);
      acc = kName;
    }
  }
  // Drop the copies (top-most) and the table.
  for (const v of [...seconds].reverse()) for (let i = 0; i < len(v); i++) t.drop(copyName(v, "y", i));
  for (const v of [...firsts].reverse()) for (let i = 0; i < len(v); i++) t.drop(copyName(v, "x", i));
  for (let s = TABLE_LOW; s <= TABLE_HIGH; s++) t.drop(tableName(s));
  for (const v of linearVars)
    if (consume.has(v) && !firsts.includes(v) && !seconds.includes(v))
      for (let i = 0; i < DIGITS; i++) t.drop(digit(v, i));
}
