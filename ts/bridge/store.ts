/**
 * Durable state of the bridge roles: JSON records in an embedded LevelDB (classic-level, as the
 * nodes use), one database per role. A `put` (or a `batch` of puts) is atomic: after a crash a
 * record is either the old one or the new one, never half of each. Flows write their next state
 * here *before* each external effect (a broadcast, an L2 transaction), so a restart knows what
 * may already have happened and checks the chain instead of guessing.
 *
 * Values are JSON with bigints and bytes tagged (`{"$n": "…"}`, `{"$b": "hex"}`), so a record
 * round-trips with its types.
 */
import { mkdirSync } from "node:fs";

import { ClassicLevel } from "classic-level";

import { bytesToHex, hexToBytes } from "../bitcoin/index.js";
import { BridgeError } from "./errors.js";

const replacer = (_k: string, v: unknown): unknown =>
  typeof v === "bigint" ? { $n: v.toString() } : v instanceof Uint8Array ? { $b: bytesToHex(v) } : v;

const reviver = (_k: string, v: unknown): unknown => {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && typeof o.$n === "string") return BigInt(o.$n);
    if (keys.length === 1 && typeof o.$b === "string") return hexToBytes(o.$b);
  }
  return v;
};

export const encodeRecord = (v: unknown): string => JSON.stringify(v, replacer);
export const decodeRecord = <T>(s: string): T => JSON.parse(s, reviver) as T;

export class FlowStore {
  private constructor(
    readonly dir: string,
    private readonly db: ClassicLevel<string, string>,
  ) {}

  /**
   * Opens (creating) the database in `dir`. LevelDB admits one process at a time: while another
   * holds it, retries for `waitMs`, then refuses with `STORE_BUSY`.
   */
  static async open(dir: string, waitMs = 10_000): Promise<FlowStore> {
    mkdirSync(dir, { recursive: true });
    const deadline = Date.now() + waitMs;
    for (;;) {
      const db = new ClassicLevel<string, string>(dir, { valueEncoding: "utf8" });
      try {
        await db.open();
        return new FlowStore(dir, db);
      } catch (e) {
        const locked = (e as { cause?: { code?: string } }).cause?.code === "LEVEL_LOCKED";
        if (!locked || Date.now() >= deadline)
          throw new BridgeError(
            locked ? "STORE_BUSY" : "STORE_CORRUPT",
            locked ? `${dir} is in use by another process` : `cannot open ${dir}`,
            dir,
            { cause: e },
          );
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  async get<T>(kind: string, key: string): Promise<T | undefined> {
    const s = await this.db.get(`${kind}/${key}`);
    return s === undefined ? undefined : decodeRecord<T>(s);
  }

  /** Writes one record, atomically and durably (synced). */
  async put(kind: string, key: string, value: unknown): Promise<void> {
    await this.db.put(`${kind}/${key}`, encodeRecord(value), { sync: true });
  }

  /** Writes several records in one atomic, synced batch. */
  async batch(records: readonly { kind: string; key: string; value: unknown }[]): Promise<void> {
    await this.db.batch(
      records.map((r) => ({ type: "put" as const, key: `${r.kind}/${r.key}`, value: encodeRecord(r.value) })),
      { sync: true },
    );
  }

  /** Every record of `kind`, in key order. */
  async list<T>(kind: string): Promise<T[]> {
    const out: T[] = [];
    for await (const v of this.db.values({ gt: `${kind}/`, lt: `${kind}/\uffff` }))
      out.push(decodeRecord<T>(v));
    return out;
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
