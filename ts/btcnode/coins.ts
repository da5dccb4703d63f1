/**
 * Coins (unspent outputs), the in-memory UTXO set and the binary records the node keeps on disk
 * (coins, undo data, block index entries). These formats are the node's own, not Core's.
 */
import type { Outpoint, Txid } from "../bitcoin/index.js";
import { StorageError } from "./errors.js";

/** An unspent output with the facts validation needs about it. */
export interface Coin {
  readonly value: bigint;
  readonly scriptPubKey: Uint8Array;
  /** Height of the block that created it (mempool coins: tip height + 1). */
  readonly height: number;
  readonly coinbase: boolean;
}

/** Map key of an outpoint. */
export type OutpointKey = string & { readonly __brand: "OutpointKey" };

export function outpointKey(o: Outpoint): OutpointKey {
  return `${o.txid}:${o.vout}` as OutpointKey;
}

export function parseOutpointKey(k: OutpointKey): Outpoint {
  const i = k.indexOf(":");
  return { txid: k.slice(0, i) as Txid, vout: Number(k.slice(i + 1)) };
}

/** Read access to a set of coins. */
export interface CoinSource {
  getCoin(key: OutpointKey): Coin | undefined;
}

/**
 * Pending changes over a base coin set: block connection validates against it and the node
 * applies it (to memory and, in the same batch, to disk) only when the whole block is valid.
 */
export class CoinsOverlay implements CoinSource {
  readonly added = new Map<OutpointKey, Coin>();
  readonly spent = new Map<OutpointKey, Coin>();
  constructor(private readonly base: CoinSource) {}

  getCoin(key: OutpointKey): Coin | undefined {
    const a = this.added.get(key);
    if (a !== undefined) return a;
    if (this.spent.has(key)) return undefined;
    return this.base.getCoin(key);
  }

  add(key: OutpointKey, coin: Coin): void {
    this.added.set(key, coin);
  }

  /** Removes a coin and returns it; undefined when it does not exist. */
  spend(key: OutpointKey): Coin | undefined {
    const a = this.added.get(key);
    if (a !== undefined) {
      this.added.delete(key);
      return a;
    }
    if (this.spent.has(key)) return undefined;
    const c = this.base.getCoin(key);
    if (c !== undefined) this.spent.set(key, c);
    return c;
  }
}

// --- binary records -------------------------------------------------------------------------

export class Writer {
  private parts: Uint8Array[] = [];
  private len = 0;
  bytes(b: Uint8Array): this {
    this.parts.push(b);
    this.len += b.length;
    return this;
  }
  u8(n: number): this {
    return this.bytes(Uint8Array.of(n));
  }
  u32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n >>> 0, true);
    return this.bytes(b);
  }
  u64(n: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, n, true);
    return this.bytes(b);
  }
  varBytes(b: Uint8Array): this {
    return this.u32(b.length).bytes(b);
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.len);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

export class Reader {
  private o = 0;
  private readonly view: DataView;
  constructor(private readonly b: Uint8Array) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  private need(n: number): void {
    if (this.o + n > this.b.length)
      throw new StorageError("corrupt", "truncated record in the node database");
  }
  u8(): number {
    this.need(1);
    return this.b[this.o++];
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.o, true);
    this.o += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.o, true);
    this.o += 8;
    return v;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.b.slice(this.o, this.o + n);
    this.o += n;
    return v;
  }
  varBytes(): Uint8Array {
    return this.bytes(this.u32());
  }
  get done(): boolean {
    return this.o === this.b.length;
  }
}

export function writeCoin(w: Writer, c: Coin): Writer {
  return w
    .u32(c.height)
    .u8(c.coinbase ? 1 : 0)
    .u64(c.value)
    .varBytes(c.scriptPubKey);
}

export function readCoin(r: Reader): Coin {
  const height = r.u32();
  const coinbase = r.u8() === 1;
  const value = r.u64();
  return { height, coinbase, value, scriptPubKey: r.varBytes() };
}

/** The same record as `writeCoin`, in one allocation (a block writes thousands). */
export function encodeCoin(c: Coin): Uint8Array {
  const n = c.scriptPubKey.length;
  const out = new Uint8Array(17 + n);
  const v = new DataView(out.buffer);
  v.setUint32(0, c.height >>> 0, true);
  out[4] = c.coinbase ? 1 : 0;
  v.setBigUint64(5, c.value, true);
  v.setUint32(13, n, true);
  out.set(c.scriptPubKey, 17);
  return out;
}

export function decodeCoin(b: Uint8Array): Coin {
  return readCoin(new Reader(b));
}

/** Undo data of a block: the coins its transactions spent, in input order. */
export function encodeUndo(spent: readonly Coin[]): Uint8Array {
  const w = new Writer().u32(spent.length);
  for (const c of spent) writeCoin(w, c);
  return w.finish();
}

export function decodeUndo(b: Uint8Array): Coin[] {
  const r = new Reader(b);
  const n = r.u32();
  const out: Coin[] = [];
  for (let i = 0; i < n; i++) out.push(readCoin(r));
  return out;
}
