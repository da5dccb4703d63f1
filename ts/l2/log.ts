/**
 * The sequencer's durable, ordered log in LevelDB (classic-level). A transaction is appended
 * before its hash is returned to the client, so an accepted transaction survives kill -9; block
 * records name the transactions each block included and the state root it reached, so a restart
 * replays the chain and checks it arrives at the same roots. Writes are group-committed: all
 * appends that arrive while a write is in flight share the next synced batch.
 */
import { ClassicLevel } from "classic-level";

import type { BlockNumber, Hash32, Hex } from "./types.js";

/** What the log keeps about a sealed block. */
export interface BlockRecord {
  readonly number: BlockNumber;
  readonly timestamp: number;
  readonly hash: Hash32;
  readonly stateRoot: Hash32;
  readonly transactions: readonly Hash32[];
}

/** Identifies the chain a data directory belongs to. */
export interface ChainRecord {
  readonly chainId: string;
  readonly genesisHash: Hash32;
}

const pad = (n: number) => n.toString(16).padStart(12, "0");
const TX = "t!";
const BLOCK = "b!";
const BATCH = "c!";
const CHAIN = "m!chain";

interface Pending {
  readonly ops: ({ type: "put"; key: string; value: string } | { type: "del"; key: string })[];
  readonly done: () => void;
  readonly fail: (e: unknown) => void;
}

export class DurableLog {
  readonly #db: ClassicLevel<string, string>;
  #nextSeq = 0;
  #queue: Pending[] = [];
  #writing = false;

  private constructor(db: ClassicLevel<string, string>) {
    this.#db = db;
  }

  static async open(dir: string): Promise<DurableLog> {
    const db = new ClassicLevel<string, string>(dir, { valueEncoding: "utf8" });
    await db.open();
    const log = new DurableLog(db);
    for await (const key of db.keys({ gte: TX, lt: "t~", reverse: true, limit: 1 })) {
      log.#nextSeq = parseInt(key.slice(TX.length), 16) + 1;
    }
    return log;
  }

  async chain(): Promise<ChainRecord | undefined> {
    const v = await this.#db.get(CHAIN);
    return v === undefined ? undefined : (JSON.parse(v) as ChainRecord);
  }

  setChain(record: ChainRecord): Promise<void> {
    return this.#write([{ type: "put", key: CHAIN, value: JSON.stringify(record) }]);
  }

  /** Appends an accepted transaction; resolves with its position once it is on disk. */
  async appendTx(raw: Hex): Promise<number> {
    const seq = this.#nextSeq++;
    await this.#write([{ type: "put", key: TX + pad(seq), value: raw }]);
    return seq;
  }

  /** Takes back the transaction appended at `seq` (one the executor then refused). */
  removeTx(seq: number): Promise<void> {
    return this.#write([{ type: "del", key: TX + pad(seq) }]);
  }

  appendBlock(record: BlockRecord): Promise<void> {
    return this.#write([{ type: "put", key: BLOCK + pad(record.number), value: JSON.stringify(record) }]);
  }

  putBatch(index: number, value: unknown): Promise<void> {
    return this.#write([{ type: "put", key: BATCH + pad(index), value: JSON.stringify(value) }]);
  }

  async batch(index: number): Promise<unknown> {
    const v = await this.#db.get(BATCH + pad(index));
    return v === undefined ? undefined : JSON.parse(v);
  }

  /** Every accepted transaction, in acceptance order. */
  async *transactions(): AsyncGenerator<Hex> {
    for await (const value of this.#db.values({ gte: TX, lt: "t~" })) yield value as Hex;
  }

  /** Every block record, in block order. */
  async *blocks(): AsyncGenerator<BlockRecord> {
    for await (const value of this.#db.values({ gte: BLOCK, lt: "b~" }))
      yield JSON.parse(value) as BlockRecord;
  }

  async close(): Promise<void> {
    while (this.#writing || this.#queue.length > 0) await new Promise((r) => setImmediate(r));
    await this.#db.close();
  }

  #write(ops: Pending["ops"]): Promise<void> {
    return new Promise((done, fail) => {
      this.#queue.push({ ops, done, fail });
      // The first write of an event-loop turn starts the flush at the turn's end, so every
      // append of the turn (a coalesced burst of admissions) shares its synced batch. Started
      // at once, it carried the turn's first append alone and the rest waited a whole sync for
      // the next batch (10,000 transfers at 64 in flight: 755 syncs then, 620 now).
      if (!this.#writing) {
        this.#writing = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#queue;
      this.#queue = [];
      try {
        await this.#db.batch(
          group.flatMap((p) => p.ops),
          { sync: true },
        );
        for (const p of group) p.done();
      } catch (e) {
        for (const p of group) p.fail(e);
      }
    }
    this.#writing = false;
  }
}
