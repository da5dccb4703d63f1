/**
 * Signature recovery off the main thread. Recovering a sender is most of what admitting a
 * transaction costs (≈0.3 ms in libsecp256k1's WASM build, against ≈0.1 ms for everything else),
 * and the main thread also serves HTTP, writes the log and drives the executor; a worker gives
 * the recovery its own core. Requests are batched per event-loop turn so a burst costs one message
 * each way, not one per transaction.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

interface Job {
  readonly hash: Uint8Array;
  readonly sig: Uint8Array;
  readonly parity: number;
}

// The worker is plain CommonJS from a string, so it loads the same way under tsx, Hardhat and
// compiled output; it needs nothing but libsecp256k1.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const ecc = require(workerData.ecc);
parentPort.on("message", (jobs) => {
  parentPort.postMessage(jobs.map((j) => {
    try { return ecc.recover(j.hash, j.sig, j.parity, false); } catch { return null; }
  }));
});`;

export class SignatureRecovery {
  readonly #worker: Worker;
  #queue: { job: Job; resolve: (pub: Uint8Array | null) => void }[] = [];
  readonly #inflight: ((results: (Uint8Array | null)[]) => void)[] = [];
  #scheduled = false;
  #failed: Error | undefined;

  constructor() {
    const ecc = createRequire(import.meta.url).resolve("tiny-secp256k1");
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ecc } });
    // Idle workers must not keep the process alive; pending work holds a ref through its promise.
    this.#worker.unref();
    this.#worker.on("message", (results: (Uint8Array | null)[]) => this.#inflight.shift()?.(results));
    this.#worker.on("error", (e) => {
      this.#failed = e;
    });
  }

  /** The uncompressed public key that signed `hash`, or null for an invalid signature. */
  recover(hash: Uint8Array, sig: Uint8Array, parity: number): Promise<Uint8Array | null> {
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    return new Promise((resolve) => {
      this.#queue.push({ job: { hash, sig, parity }, resolve });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    this.#inflight.push((results) => batch.forEach((b, i) => b.resolve(results[i] ?? null)));
    this.#worker.postMessage(batch.map((b) => b.job));
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}
