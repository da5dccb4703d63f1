/** Byte reading and writing for the wire formats, with Core's compact-size rules. */
import { BitcoinDecodeError } from "./errors.js";

/** Largest length prefix Core accepts when deserializing (MAX_SIZE). */
export const MAX_SIZE = 0x02000000;

export { hexToBytes, bytesToHex, reverseHex } from "../core/index.js";

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

export class ByteReader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(n: number, what: string): void {
    if (this.bytes.length - this.offset < n)
      throw new BitcoinDecodeError(
        "TRUNCATED",
        this.offset,
        `truncated ${what}: need ${n} bytes, have ${this.remaining}`,
      );
  }

  u8(what = "byte"): number {
    this.need(1, what);
    return this.bytes[this.offset++]!;
  }

  u32(what = "uint32"): number {
    this.need(4, what);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 4;
    return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  }

  i32(what = "int32"): number {
    return this.u32(what) | 0;
  }

  /** Signed 64-bit (amounts are int64 on the wire). */
  i64(what = "int64"): bigint {
    const lo = BigInt(this.u32(what));
    const hi = BigInt(this.u32(what));
    return BigInt.asIntN(64, (hi << 32n) | lo);
  }

  bytesN(n: number, what = "bytes"): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** Core's ReadCompactSize with the canonical-encoding and MAX_SIZE checks. */
  compactSize(what = "compact size"): number {
    const start = this.offset;
    const first = this.u8(what);
    let n: number;
    if (first < 0xfd) return first;
    if (first === 0xfd) {
      this.need(2, what);
      n = this.bytes[this.offset]! | (this.bytes[this.offset + 1]! << 8);
      this.offset += 2;
      if (n < 0xfd) throw new BitcoinDecodeError("NON_CANONICAL_VARINT", start, `non-canonical ${what}`);
    } else if (first === 0xfe) {
      n = this.u32(what);
      if (n < 0x10000) throw new BitcoinDecodeError("NON_CANONICAL_VARINT", start, `non-canonical ${what}`);
    } else {
      const lo = this.u32(what);
      const hi = this.u32(what);
      if (hi === 0) throw new BitcoinDecodeError("NON_CANONICAL_VARINT", start, `non-canonical ${what}`);
      throw new BitcoinDecodeError("OVERSIZED", start, `${what} ${hi * 2 ** 32 + lo} exceeds ${MAX_SIZE}`);
    }
    if (n > MAX_SIZE) throw new BitcoinDecodeError("OVERSIZED", start, `${what} ${n} exceeds ${MAX_SIZE}`);
    return n;
  }

  varBytes(what = "byte vector"): Uint8Array {
    const n = this.compactSize(`${what} length`);
    return this.bytesN(n, what);
  }
}

export class ByteWriter {
  private buf: Uint8Array;
  length = 0;
  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): this {
    this.grow(1);
    this.buf[this.length++] = v;
    return this;
  }

  u32(v: number): this {
    this.grow(4);
    const b = this.buf;
    const o = this.length;
    b[o] = v & 0xff;
    b[o + 1] = (v >>> 8) & 0xff;
    b[o + 2] = (v >>> 16) & 0xff;
    b[o + 3] = (v >>> 24) & 0xff;
    this.length += 4;
    return this;
  }

  i64(v: bigint): this {
    const u = BigInt.asUintN(64, v);
    this.u32(Number(u & 0xffffffffn));
    return this.u32(Number(u >> 32n));
  }

  bytes(b: Uint8Array): this {
    this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  compactSize(n: number): this {
    if (n < 0xfd) return this.u8(n);
    if (n <= 0xffff)
      return this.u8(0xfd)
        .u8(n & 0xff)
        .u8(n >>> 8);
    if (n <= 0xffffffff) return this.u8(0xfe).u32(n);
    return this.u8(0xff)
      .u32(n >>> 0)
      .u32(Math.floor(n / 2 ** 32));
  }

  varBytes(b: Uint8Array): this {
    return this.compactSize(b.length).bytes(b);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
