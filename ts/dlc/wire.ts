/**
 * dlcspecs' wire primitives: BOLT-1 bigsize, big-endian integers, length-prefixed UTF-8 strings,
 * and TLV records (bigsize type, bigsize length, value).
 */
import { DlcError } from "./errors.js";

export class Writer {
  readonly #parts: number[] = [];
  u8(v: number): this {
    this.#parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >> 8).u8(v);
  }
  u32(v: number): this {
    return this.u16(v >>> 16).u16(v & 0xffff);
  }
  i32(v: number): this {
    return this.u32(v >>> 0);
  }
  bigsize(v: number): this {
    if (v < 0xfd) return this.u8(v);
    if (v <= 0xffff) return this.u8(0xfd).u16(v);
    if (v <= 0xffffffff) return this.u8(0xfe).u32(v);
    throw new DlcError("BAD_PARAMS", "bigsize above 2^32 is not used here", { value: v });
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.#parts.push(x);
    return this;
  }
  string(s: string): this {
    const b = new TextEncoder().encode(s.normalize("NFC"));
    return this.bigsize(b.length).bytes(b);
  }
  tlv(type: number, value: Uint8Array): this {
    return this.bigsize(type).bigsize(value.length).bytes(value);
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.#parts);
  }
}

export class Reader {
  #pos = 0;
  constructor(readonly buf: Uint8Array) {}
  get done(): boolean {
    return this.#pos === this.buf.length;
  }
  #take(n: number): Uint8Array {
    if (this.#pos + n > this.buf.length)
      throw new DlcError("BAD_ANNOUNCEMENT", "message truncated", { details: { at: this.#pos, need: n } });
    const out = this.buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }
  u8(): number {
    return this.#take(1)[0]!;
  }
  u16(): number {
    const b = this.#take(2);
    return (b[0]! << 8) | b[1]!;
  }
  u32(): number {
    return ((this.u16() << 16) >>> 0) + this.u16();
  }
  i32(): number {
    return this.u32() | 0;
  }
  bigsize(): number {
    const f = this.u8();
    if (f < 0xfd) return f;
    const v = f === 0xfd ? this.u16() : f === 0xfe ? this.u32() : -1;
    const min = f === 0xfd ? 0xfd : 0x10000;
    if (v < min) throw new DlcError("BAD_ANNOUNCEMENT", "non-canonical or oversized bigsize", { value: v });
    return v;
  }
  bytes(n: number): Uint8Array {
    return this.#take(n).slice();
  }
  string(): string {
    return new TextDecoder("utf-8", { fatal: true }).decode(this.#take(this.bigsize()));
  }
  /** Reads one TLV record of the expected type and returns a reader over its value. */
  tlv(type: number): Reader {
    const t = this.bigsize();
    if (t !== type)
      throw new DlcError("BAD_ANNOUNCEMENT", `expected TLV type ${type}, got ${t}`, { value: t });
    return new Reader(this.#take(this.bigsize()));
  }
  end(): void {
    if (!this.done) throw new DlcError("BAD_ANNOUNCEMENT", "trailing bytes after the message");
  }
}
