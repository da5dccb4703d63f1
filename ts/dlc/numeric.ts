/**
 * Numeric outcomes by digit decomposition, and the interval cover ("CET compression" in dlcspecs):
 * an interval [a, b] of outcomes is covered by the fewest digit prefixes, each prefix being one CET
 * whose adaptor point sums only the attested digits of that prefix. An interval of L values needs
 * O(base · log_base L) prefixes instead of L CETs.
 */
import { DlcError } from "./errors.js";

/** The `n` base-`base` digits of `value`, the most significant first (leading zeros kept). */
export function toDigits(value: bigint, base: number, n: number): number[] {
  const B = BigInt(base);
  if (value < 0n || value >= B ** BigInt(n))
    throw new DlcError("BAD_OUTCOME", `outcome does not fit ${n} base-${base} digits`, { value });
  const out = new Array<number>(n);
  let v = value;
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(v % B);
    v /= B;
  }
  return out;
}

export function fromDigits(digits: readonly number[], base: number): bigint {
  return digits.reduce((acc, d) => acc * BigInt(base) + BigInt(d), 0n);
}

/** Digits needed for every value up to `max`. */
export function digitsFor(max: bigint, base: number): number {
  let n = 1;
  while (BigInt(base) ** BigInt(n) <= max) n++;
  return n;
}

/**
 * The fewest digit prefixes whose outcome sets are disjoint and cover exactly [from, to]:
 * greedily the largest aligned block base^k starting at the current value that still fits.
 */
export function coverInterval(from: bigint, to: bigint, base: number, n: number): number[][] {
  const B = BigInt(base);
  const max = B ** BigInt(n) - 1n;
  if (from < 0n || to > max || from > to)
    throw new DlcError("BAD_INTERVAL", `interval must satisfy 0 ≤ from ≤ to ≤ ${max}`, {
      value: { from, to },
    });
  const out: number[][] = [];
  let x = from;
  while (x <= to) {
    let k = 0;
    let size = 1n;
    while (k < n && x % (size * B) === 0n && x + size * B - 1n <= to) {
      size *= B;
      k++;
    }
    out.push(toDigits(x, base, n).slice(0, n - k));
    x += size;
  }
  return out;
}

/** Whether `value`'s digits start with `prefix`. */
export function prefixMatches(prefix: readonly number[], value: bigint, base: number, n: number): boolean {
  const d = toDigits(value, base, n);
  return prefix.every((x, i) => d[i] === x);
}
