/**
 * LevelDB (classic-level) persistence. Every change of the active chain — one block connected or
 * disconnected, with its coins, undo data, tx index entries and the new tip — is one atomic batch,
 * so a process killed at any instant reopens at a block boundary with a matching UTXO set.
 */
import { mkdirSync } from "node:fs";

import { ClassicLevel } from "classic-level";

import { BlockHeader, type BlockHash, type Txid } from "../bitcoin/index.js";
import {
  decodeCoin,
  encodeCoin,
  Reader,
  Writer,
  type Coin,
  type OutpointKey,
  parseOutpointKey,
} from "./coins.js";
import { StorageError } from "./errors.js";

/** Block index status bits (persisted). */
export const BlockStatus = {
  HAVE_DATA: 1,
  /** Connected to the active chain at least once: its scripts were verified. */
  VALID: 2,
  /** Failed validation, or was invalidated by `invalidateblock`. */
  FAILED: 4,
  /** Descends from a failed block. */
  FAILED_CHILD: 8,
} as const;

export interface StoredIndexEntry {
  readonly header: BlockHeader;
  readonly height: number;
  readonly status: number;
}

const enc = new TextEncoder();
const P_META = enc.encode("N");
const P_TIP = enc.encode("T");
const P_INDEX = 0x69; // 'i'
const P_BLOCK = 0x62; // 'b'
const P_UNDO = 0x75; // 'u'
const P_COIN = 0x63; // 'c'
const P_TX = 0x78; // 'x'

function key(prefix: number, ...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((a, p) => a + p.length, 1);
  const out = new Uint8Array(len);
  out[0] = prefix;
  let o = 1;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const hexBytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, "hex"));
const bytesHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

function u32be(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, false);
  return b;
}

/** `c` ‖ txid (hex order) ‖ vout (big-endian), written straight from the map key. */
function coinKey(k: OutpointKey): Uint8Array {
  const i = k.indexOf(":");
  const out = Buffer.allocUnsafe(37);
  out[0] = P_COIN;
  if (out.write(k.slice(0, i), 1, "hex") !== 32) {
    const o = parseOutpointKey(k);
    return key(P_COIN, hexBytes(o.txid), u32be(o.vout));
  }
  out.writeUInt32BE(Number(k.slice(i + 1)) >>> 0, 33);
  return out;
}

type Op = { type: "put"; key: Uint8Array; value: Uint8Array } | { type: "del"; key: Uint8Array };

/** Changes collected in memory and written in one atomic LevelDB batch. */
export class StoreBatch {
  readonly ops: Op[] = [];
  constructor(private readonly store: ChainStore) {}
  putIndex(e: StoredIndexEntry): this {
    const v = new Writer().bytes(e.header.encode()).u32(e.height).u8(e.status).finish();
    this.ops.push({ type: "put", key: key(P_INDEX, hexBytes(e.header.hash())), value: v });
    return this;
  }
  putBlock(hash: BlockHash, bytes: Uint8Array): this {
    this.ops.push({ type: "put", key: key(P_BLOCK, hexBytes(hash)), value: bytes });
    return this;
  }
  delBlock(hash: BlockHash): this {
    this.ops.push({ type: "del", key: key(P_BLOCK, hexBytes(hash)) });
    return this;
  }
  putUndo(hash: BlockHash, bytes: Uint8Array): this {
    this.ops.push({ type: "put", key: key(P_UNDO, hexBytes(hash)), value: bytes });
    return this;
  }
  delUndo(hash: BlockHash): this {
    this.ops.push({ type: "del", key: key(P_UNDO, hexBytes(hash)) });
    return this;
  }
  putCoin(k: OutpointKey, c: Coin): this {
    this.ops.push({ type: "put", key: coinKey(k), value: encodeCoin(c) });
    return this;
  }
  delCoin(k: OutpointKey): this {
    this.ops.push({ type: "del", key: coinKey(k) });
    return this;
  }
  putTx(txid: Txid, block: BlockHash, index: number): this {
    const value = Buffer.allocUnsafe(36);
    value.write(block, 0, "hex");
    value.writeUInt32LE(index >>> 0, 32);
    this.ops.push({ type: "put", key: key(P_TX, hexBytes(txid)), value });
    return this;
  }
  delTx(txid: Txid): this {
    this.ops.push({ type: "del", key: key(P_TX, hexBytes(txid)) });
    return this;
  }
  setTip(hash: BlockHash): this {
    this.ops.push({ type: "put", key: P_TIP, value: hexBytes(hash) });
    return this;
  }
  write(): Promise<void> {
    return this.store.writeBatch(this.ops);
  }
}

export interface StoreOptions {
  /** fsync every batch (survives power loss, not only process death). Default true. */
  readonly sync?: boolean;
}

export class ChainStore {
  private closed = false;
  private constructor(
    private readonly db: ClassicLevel<Uint8Array, Uint8Array>,
    private readonly sync: boolean,
  ) {}

  static async open(dir: string, network: string, opts: StoreOptions = {}): Promise<ChainStore> {
    mkdirSync(dir, { recursive: true });
    // As Core's CDBWrapper: no compression (keys are hashes, coins small; the CPU is worth more),
    // a larger write buffer so a big block's batch does not start a compaction.
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
      keyEncoding: "view",
      valueEncoding: "view",
      compression: false,
      writeBufferSize: 16 * 1024 * 1024,
    });
    await db.open();
    const store = new ChainStore(db, opts.sync ?? true);
    const meta = await db.get(P_META);
    if (meta === undefined) await db.put(P_META, enc.encode(network), { sync: true });
    else if (new TextDecoder().decode(meta) !== network) {
      await db.close();
      throw new StorageError(
        "wrong-network",
        `database in ${dir} belongs to ${new TextDecoder().decode(meta)}, not ${network}`,
        dir,
      );
    }
    return store;
  }

  batch(): StoreBatch {
    return new StoreBatch(this);
  }

  async writeBatch(ops: Op[]): Promise<void> {
    if (this.closed) throw new StorageError("closed", "node database is closed");
    if (ops.length === 0) return;
    await this.db.batch(ops, { sync: this.sync });
  }

  async tip(): Promise<BlockHash | undefined> {
    const v = await this.db.get(P_TIP);
    return v === undefined ? undefined : (bytesHex(v) as BlockHash);
  }

  async loadIndex(): Promise<StoredIndexEntry[]> {
    const out: StoredIndexEntry[] = [];
    for await (const [, v] of this.db.iterator({
      gte: Uint8Array.of(P_INDEX),
      lt: Uint8Array.of(P_INDEX + 1),
    })) {
      const r = new Reader(v);
      const header = BlockHeader.decode(r.bytes(80));
      out.push({ header, height: r.u32(), status: r.u8() });
    }
    return out;
  }

  async loadCoins(): Promise<Map<OutpointKey, Coin>> {
    const out = new Map<OutpointKey, Coin>();
    for await (const [k, v] of this.db.iterator({
      gte: Uint8Array.of(P_COIN),
      lt: Uint8Array.of(P_COIN + 1),
    })) {
      const txid = bytesHex(k.subarray(1, 33));
      const vout = new DataView(k.buffer, k.byteOffset + 33, 4).getUint32(0, false);
      out.set(`${txid}:${vout}` as OutpointKey, decodeCoin(v));
    }
    return out;
  }

  getBlock(hash: BlockHash): Promise<Uint8Array | undefined> {
    return this.db.get(key(P_BLOCK, hexBytes(hash)));
  }

  getUndo(hash: BlockHash): Promise<Uint8Array | undefined> {
    return this.db.get(key(P_UNDO, hexBytes(hash)));
  }

  async getTxLocation(txid: Txid): Promise<{ block: BlockHash; index: number } | undefined> {
    const v = await this.db.get(key(P_TX, hexBytes(txid)));
    if (v === undefined) return undefined;
    const r = new Reader(v);
    return { block: bytesHex(r.bytes(32)) as BlockHash, index: r.u32() };
  }

  /** Bytes the database occupies (approximate, as Core's size_on_disk). */
  async approximateSize(): Promise<number> {
    try {
      return await this.db.approximateSize(Uint8Array.of(0), Uint8Array.of(0xff));
    } catch {
      return 0;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }
}
