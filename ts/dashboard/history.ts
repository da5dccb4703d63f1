/**
 * The invariant history on disk (LevelDB, `<datadir>/dashboard/invariant`): one sample per L1
 * height, keyed by the height so a later sample of the same height (a reorg, a later read)
 * replaces the earlier. A restarted dashboard draws the chart from where it stopped.
 */
import { mkdirSync } from "node:fs";

import { ClassicLevel } from "classic-level";

import type { InvariantSample } from "./source.js";

export interface InvariantHistoryStore {
  /** The last `limit` samples, oldest first. */
  load(limit: number): Promise<InvariantSample[]>;
  put(sample: InvariantSample): Promise<void>;
  close(): Promise<void>;
}

const key = (height: number): string => height.toString().padStart(10, "0");

function isSample(v: unknown): v is InvariantSample {
  const s = v as InvariantSample;
  return (
    typeof s === "object" &&
    s !== null &&
    Number.isInteger(s.l1Height) &&
    typeof s.l2OutsideSats === "string" &&
    typeof s.l1LockedSats === "string"
  );
}

export async function openInvariantHistory(dir: string): Promise<InvariantHistoryStore> {
  mkdirSync(dir, { recursive: true });
  const db = new ClassicLevel<string, string>(dir, { valueEncoding: "utf8" });
  await db.open();
  return {
    async load(limit: number): Promise<InvariantSample[]> {
      const out: InvariantSample[] = [];
      for await (const value of db.values({ reverse: true, limit })) {
        try {
          const s: unknown = JSON.parse(value);
          if (isSample(s)) out.push(s);
        } catch {
          // A value that does not parse is skipped: the chart loses one point, not its history.
        }
      }
      return out.reverse();
    },
    put: (s: InvariantSample) => db.put(key(s.l1Height), JSON.stringify(s)),
    close: () => db.close(),
  };
}
