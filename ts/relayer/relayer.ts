import { bytesToHex } from "../bitcoin/index.js";
import { RelayerError } from "./errors.js";
import { displayToInternal, headerHash } from "./hashes.js";
import type { HeaderSource, Height, InternalHash, LightClientPort, RelayEvent, SyncReport } from "./types.js";

export interface RelayerOptions {
  source: HeaderSource;
  client: LightClientPort;
  /** Headers per transaction when extending the tip (gas per header falls with batch size). */
  batchSize?: number;
  /** Longest competing branch sent in one transaction (a branch must be submitted whole). */
  maxReorgDepth?: number;
  pollMs?: number;
  onEvent?: (e: RelayEvent) => void;
}

/**
 * Keeps the L2 light client at the Bitcoin source's best chain. Its progress is the contract's
 * own tip, read at every round, so a restarted relayer resumes where the chain is without
 * resubmitting, and two relayers racing cost gas but never corrupt anything.
 */
export class Relayer {
  readonly #source: HeaderSource;
  readonly #client: LightClientPort;
  readonly #batch: number;
  readonly #maxReorg: number;
  readonly #pollMs: number;
  readonly #onEvent: (e: RelayEvent) => void;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(opts: RelayerOptions) {
    const batch = opts.batchSize ?? 100;
    const maxReorg = opts.maxReorgDepth ?? 500;
    if (!Number.isInteger(batch) || batch < 1)
      throw new RelayerError("BAD_OPTION", "batchSize must be ≥ 1", batch);
    if (!Number.isInteger(maxReorg) || maxReorg < 1)
      throw new RelayerError("BAD_OPTION", "maxReorgDepth must be ≥ 1", maxReorg);
    this.#source = opts.source;
    this.#client = opts.client;
    this.#batch = batch;
    this.#maxReorg = maxReorg;
    this.#pollMs = opts.pollMs ?? 2_000;
    this.#onEvent = opts.onEvent ?? (() => undefined);
  }

  /** One round: find where the contract's chain meets the source's, send what is missing. */
  async syncOnce(): Promise<SyncReport> {
    const best = await this.#client.bestBlock();
    const sourceHeight = await this.#source.getBlockCount();
    const ancestor = await this.#commonAncestor(best.height, sourceHeight);
    const report: SyncReport = { submitted: 0, transactions: 0, reorg: false, tip: best };
    if (ancestor === sourceHeight) {
      if (ancestor < best.height) this.#onEvent({ kind: "waiting", reason: "source is behind the contract" });
      return report;
    }

    let from = ancestor + 1;
    if (ancestor < best.height) {
      // A competing branch: it only counts once it outweighs the contract's, so it goes whole.
      const depth = sourceHeight - ancestor;
      if (depth > this.#maxReorg)
        throw new RelayerError("REORG_TOO_DEEP", `branch of ${depth} headers exceeds maxReorgDepth`, depth);
      await this.#send(from, sourceHeight, report);
      from = sourceHeight + 1;
    }
    for (; from <= sourceHeight; from += this.#batch) {
      await this.#send(from, Math.min(sourceHeight, from + this.#batch - 1), report);
    }
    report.tip = await this.#client.bestBlock();
    return report;
  }

  /** Polls until `stop()`; a failed round is reported and retried on the next tick. */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const tick = (): void => {
      this.#running = this.syncOnce()
        .then(() => undefined)
        .catch((e: unknown) =>
          this.#onEvent({ kind: "error", error: e instanceof Error ? e : new Error(String(e)) }),
        )
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.#pollMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#running;
  }

  async #send(from: number, to: number, report: SyncReport): Promise<void> {
    const headers: Uint8Array[] = [];
    let prev: InternalHash | undefined;
    for (let h = from; h <= to; h++) {
      const displayHash = await this.#source.getBlockHash(h);
      const raw = (await this.#source.getBlockHeader(displayHash)).encode();
      const hash = headerHash(raw);
      // The source must hand out the headers it names; a mismatch means a reorg mid-read.
      if (hash !== displayToInternal(displayHash))
        throw new RelayerError("BAD_HEADER", `header at ${h} does not hash to ${displayHash}`, h);
      if (prev !== undefined && `0x${bytesToHex(raw.subarray(4, 36))}` !== prev)
        throw new RelayerError("BAD_HEADER", `source changed chain while reading height ${h}`, h);
      prev = hash;
      headers.push(raw);
    }
    const receipt = await this.#client.submitHeaders(headers);
    report.submitted += headers.length;
    report.transactions += 1;
    report.reorg ||= receipt.reorg;
    this.#onEvent({
      kind: "submitted",
      from: from as Height,
      to: to as Height,
      count: headers.length,
      gasUsed: receipt.gasUsed,
      reorg: receipt.reorg,
    });
  }

  /** Highest height at which the source's block is in the contract's best chain. */
  async #commonAncestor(contractHeight: number, sourceHeight: number): Promise<number> {
    let h = Math.min(contractHeight, sourceHeight);
    // Reorgs are shallow: step back one block at a time, then in doubling strides.
    for (let step = 1, i = 0; h >= 0; i++) {
      const hash = displayToInternal(await this.#source.getBlockHash(h));
      if (await this.#client.isInBestChain(hash, 1)) {
        if (step === 1) return h;
        // Overshot: narrow down between h and h + step linearly (bounded by the last stride).
        for (let k = h + step - 1; k > h; k--) {
          if (await this.#client.isInBestChain(displayToInternal(await this.#source.getBlockHash(k)), 1))
            return k;
        }
        return h;
      }
      if (i >= 8) step *= 2;
      h = h > 0 ? Math.max(0, h - step) : -1;
    }
    throw new RelayerError(
      "NO_COMMON_ANCESTOR",
      "source shares no block with the contract's chain",
      contractHeight,
    );
  }
}
