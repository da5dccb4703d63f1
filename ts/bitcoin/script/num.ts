/**
 * CScriptNum: little-endian sign-magnitude integers. Script arithmetic takes operands of at most
 * 4 bytes (5 for lock times), so every value fits a JS double exactly and the hot path stays on
 * `number`; `bigint` is accepted at the public edge only.
 */

import { LvmError } from "../../core/index.js";

/** Thrown by `decodeNum`; the interpreter reports it as SCRIPTNUM. */
export class ScriptNumError extends LvmError<"SCRIPTNUM"> {
  override readonly name = "ScriptNumError";
  constructor(message: string, value?: unknown) {
    super("SCRIPTNUM", message, { value });
  }
}

const CACHE_MIN = -1;
const CACHE_MAX = 1024;
const cache: Uint8Array[] = [];

function encodeUncached(n: number): Uint8Array {
  if (n === 0) return new Uint8Array(0);
  const neg = n < 0;
  let abs = neg ? -n : n;
  const out: number[] = [];
  while (abs > 0) {
    out.push(abs % 256);
    abs = Math.floor(abs / 256);
  }
  // Keep the sign bit free for the sign: add a byte when the top bit is taken.
  if ((out[out.length - 1]! & 0x80) !== 0) out.push(neg ? 0x80 : 0);
  else if (neg) out[out.length - 1]! |= 0x80;
  return Uint8Array.from(out);
}

for (let i = CACHE_MIN; i <= CACHE_MAX; i++) cache.push(encodeUncached(i));

/**
 * Minimal encoding of `n`. Small values come from a shared cache: stack items are never mutated in
 * place by the interpreter, which is what makes sharing safe.
 */
export function encodeNum(n: number): Uint8Array {
  if (n >= CACHE_MIN && n <= CACHE_MAX && Number.isInteger(n)) return cache[n - CACHE_MIN]!;
  return encodeUncached(n);
}

/** Public form: minimal CScriptNum bytes of a number or bigint (a fresh copy). */
export function scriptNum(n: number | bigint): Uint8Array {
  if (typeof n === "bigint") {
    if (n === 0n) return new Uint8Array(0);
    const neg = n < 0n;
    let abs = neg ? -n : n;
    const out: number[] = [];
    while (abs > 0n) {
      out.push(Number(abs & 0xffn));
      abs >>= 8n;
    }
    if ((out[out.length - 1]! & 0x80) !== 0) out.push(neg ? 0x80 : 0);
    else if (neg) out[out.length - 1]! |= 0x80;
    return Uint8Array.from(out);
  }
  if (!Number.isSafeInteger(n)) throw new ScriptNumError(`scriptNum: ${n} is not a safe integer`, n);
  return encodeUncached(n);
}

/** Decode with Core's rules: at most `maxSize` bytes, and minimal when `requireMinimal`. */
export function decodeNum(v: Uint8Array, requireMinimal: boolean, maxSize = 4): number {
  const len = v.length;
  if (len > maxSize) throw new ScriptNumError(`script number overflow (${len} > ${maxSize} bytes)`);
  if (len === 0) return 0;
  const last = v[len - 1]!;
  if (requireMinimal && (last & 0x7f) === 0 && (len <= 1 || (v[len - 2]! & 0x80) === 0)) {
    throw new ScriptNumError("non-minimally encoded script number");
  }
  let result = 0;
  let mul = 1;
  for (let i = 0; i < len - 1; i++) {
    result += v[i]! * mul;
    mul *= 256;
  }
  result += (last & 0x7f) * mul;
  return (last & 0x80) !== 0 ? -result : result;
}

/** Core's CastToBool: false for any encoding of zero, including negative zero. */
export function castToBool(v: Uint8Array): boolean {
  const len = v.length;
  for (let i = 0; i < len; i++) {
    if (v[i] !== 0) return !(i === len - 1 && v[i] === 0x80);
  }
  return false;
}
