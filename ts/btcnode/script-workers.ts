/**
 * Parallel script checks for block connection (Core's CCheckQueue): the block's transactions are
 * split into batches in block order that worker threads and the calling thread take as they become
 * free, and the block passes only if every batch reports no failure. The failure reported is the first
 * one in block order, so the verdict and its message do not depend on thread timing. A batch whose
 * worker dies or cannot start is verified on the calling thread instead: an infrastructure fault
 * is never taken for a verdict.
 */
import { createRequire } from "node:module";
import os from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

import {
  secp256k1Backend,
  type Secp256k1BackendName,
  type ScriptFlags,
  type Transaction,
  type TxOut,
} from "../bitcoin/index.js";
import { checkInputScripts, type InputFailure, type SignatureCache } from "./sigcache.js";

/** One transaction to check: its index in the block, its bytes and the outputs it spends. */
export interface CheckJob {
  readonly index: number;
  readonly tx: Uint8Array;
  readonly prevouts: readonly TxOut[];
}

export interface CheckBatch {
  readonly id: number;
  readonly flags: ScriptFlags;
  readonly backend: Secp256k1BackendName;
  readonly jobs: readonly CheckJob[];
}

/** A failing input, named by the transaction's index in the block. */
export interface BlockInputFailure extends InputFailure {
  readonly tx: number;
}

export interface CheckReply {
  readonly id: number;
  checked: number;
  readonly failure?: BlockInputFailure;
  /** The worker threw: the batch must be checked elsewhere. */
  readonly crash?: string;
}

/** A transaction of the block whose scripts still need checking. */
export interface PendingCheck {
  /** Position in the list handed to `check` (what a failure's `tx` refers to). */
  readonly index: number;
  /** Position in the block. */
  readonly blockIndex: number;
  readonly tx: Transaction;
  readonly prevouts: readonly TxOut[];
}

const WORKER_URL = new URL("./script-worker.ts", import.meta.url).href;

/**
 * The worker's entry: the project runs its TypeScript through tsx, whose loader a worker does
 * not inherit from every launcher (the tsx CLI's is lost), so the worker registers it itself.
 */
function workerSource(): string {
  const load = `import(${JSON.stringify(WORKER_URL)})`;
  if (!WORKER_URL.endsWith(".ts")) return load;
  // import.meta.resolve is missing where tsx loads this file as CommonJS (mocha's require).
  const tsx = pathToFileURL(createRequire(WORKER_URL).resolve("tsx/esm/api")).href;
  return `import(${JSON.stringify(tsx)}).then((m) => { (m.register ?? m.default.register)(); return ${load}; })`;
}

/** Below this many inputs a block is checked on the calling thread (messages cost more). */
export const PARALLEL_MIN_INPUTS = 64;

export class ScriptCheckPool {
  private workers: Worker[] | undefined;
  private broken = false;
  private nextId = 0;
  private readonly waiting = new Map<number, (r: CheckReply) => void>();
  /** Batch ids each worker has not answered yet. */
  private readonly owed = new Map<Worker, Set<number>>();
  private busy = 0;
  /** Inputs of the last parallel check, and how many of them worker threads verified. */
  lastCheck = { inputs: 0, byWorkers: 0 };

  /** `threads` worker threads besides the caller (default: one per core, minus the caller's). */
  constructor(readonly threads = Math.max(1, os.availableParallelism() - 1)) {}

  private start(): Worker[] | undefined {
    if (this.workers || this.broken) return this.workers;
    try {
      this.workers = Array.from({ length: this.threads }, () => {
        const w = new Worker(workerSource(), { eval: true, execArgv: [] });
        w.on("message", (r: CheckReply) => {
          const done = this.waiting.get(r.id);
          this.waiting.delete(r.id);
          done?.(r);
        });
        w.on("error", () => this.fail(w));
        w.on("exit", () => this.fail(w));
        w.unref(); // after the listeners, which would take a reference again
        return w;
      });
    } catch {
      this.broken = true;
      this.workers = undefined;
    }
    return this.workers;
  }

  /** A dead worker: everything it owed is answered with a crash (then checked locally). */
  private fail(w: Worker): void {
    if (!this.workers?.includes(w)) return;
    this.workers = this.workers.filter((x) => x !== w);
    if (this.workers.length === 0) this.workers = undefined;
    for (const id of this.owed.get(w) ?? []) {
      const done = this.waiting.get(id);
      this.waiting.delete(id);
      done?.({ id, checked: 0, crash: "worker exited" });
    }
    this.owed.delete(w);
  }

  private send(w: Worker, batch: CheckBatch): Promise<CheckReply> {
    let owed = this.owed.get(w);
    if (owed === undefined) this.owed.set(w, (owed = new Set()));
    owed.add(batch.id);
    return new Promise((resolve) => {
      this.waiting.set(batch.id, (r) => {
        owed.delete(batch.id);
        resolve(r);
      });
      try {
        w.postMessage(batch);
      } catch (e) {
        this.waiting.delete(batch.id);
        resolve({ id: batch.id, checked: 0, crash: e instanceof Error ? e.message : String(e) });
      }
    });
  }

  /**
   * Checks every input of `pending` under `flags`; resolves to the first failure in block order,
   * or undefined when all pass. `sigCache` is consulted for the caller's share and for batches
   * re-checked after a worker fault.
   */
  async check(
    pending: readonly PendingCheck[],
    flags: ScriptFlags,
    sigCache?: SignatureCache,
  ): Promise<BlockInputFailure | undefined> {
    const local = (list: readonly PendingCheck[]): BlockInputFailure | undefined => {
      for (const p of list) {
        const f = checkInputScripts(p.tx, p.prevouts, flags, sigCache ? { sigCache } : {});
        if (f) return { tx: p.index, ...f };
      }
      return undefined;
    };
    const inputs = pending.reduce((n, p) => n + p.tx.inputs.length, 0);
    const workers = inputs >= PARALLEL_MIN_INPUTS ? this.start() : undefined;
    if (!workers) return local(pending);

    // Contiguous batches in block order, pulled by whichever thread is free: workers are sent
    // one each as they become idle, the caller takes the next between looking at their replies.
    const size = Math.max(16, Math.ceil(inputs / ((workers.length + 1) * 16)));
    const batches: PendingCheck[][] = [];
    let current: PendingCheck[] = [];
    let inBatch = 0;
    for (const p of pending) {
      current.push(p);
      inBatch += p.tx.inputs.length;
      if (inBatch >= size) {
        batches.push(current);
        current = [];
        inBatch = 0;
      }
    }
    if (current.length > 0) batches.push(current);

    const backend = secp256k1Backend().name;
    const stats = { inputs, byWorkers: 0 };
    this.lastCheck = stats;
    const failures: BlockInputFailure[] = [];
    const outstanding = new Set<Promise<void>>();
    let next = 0;
    // Once a batch failed, later batches cannot hold an earlier failure: they are not started.
    const more = (): boolean => next < batches.length && failures.length === 0;
    const dispatch = (w: Worker): void => {
      if (!more()) return;
      const group = batches[next++]!;
      const batch: CheckBatch = {
        id: this.nextId++,
        flags,
        backend,
        jobs: group.map((p) => ({ index: p.index, tx: p.tx.encode(), prevouts: p.prevouts })),
      };
      const done: Promise<void> = this.send(w, batch).then((r) => {
        outstanding.delete(done);
        if (r.crash === undefined) stats.byWorkers += r.checked;
        const f = r.crash !== undefined ? local(group) : r.failure;
        if (f !== undefined) failures.push(f);
        else if (r.crash === undefined) dispatch(w);
      });
      outstanding.add(done);
    };
    this.busy++;
    for (const w of workers) w.ref();
    try {
      // Two batches in flight per worker: it starts the second while its first reply waits for
      // the caller to finish the batch in hand.
      for (let k = 0; k < 2; k++) for (const w of workers) dispatch(w);
      while (more()) {
        const f = local(batches[next++]!);
        if (f !== undefined) failures.push(f);
        await new Promise<void>((r) => setImmediate(r)); // let worker replies in
      }
      while (outstanding.size > 0) await Promise.all([...outstanding]);
      failures.sort((x, y) => x.tx - y.tx || x.input - y.input);
      return failures[0];
    } finally {
      if (--this.busy === 0) for (const w of this.workers ?? []) w.unref();
    }
  }

  /**
   * Starts the workers now and resolves once each has loaded and answered (Core starts its script
   * check threads at startup; here they otherwise start with the first block that needs them).
   */
  async ready(): Promise<number> {
    const ws = this.start() ?? [];
    this.busy++;
    for (const w of ws) w.ref(); // the answers must be able to keep the process alive
    try {
      await Promise.all(
        ws.map((w) => this.send(w, { id: this.nextId++, flags: 0, backend: "native", jobs: [] })),
      );
    } finally {
      if (--this.busy === 0) for (const w of this.workers ?? []) w.unref();
    }
    return this.liveWorkers;
  }

  /** Worker threads started and alive. */
  get liveWorkers(): number {
    return this.workers?.length ?? 0;
  }

  /** Stops the worker threads (they are unreferenced while idle, so this is optional). */
  async close(): Promise<void> {
    const ws = this.workers ?? [];
    this.workers = undefined;
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
