/**
 * The sequencer: the L2's entry point. It validates signed transactions, logs them durably
 * before acknowledging, passes them to the executor's pool as they arrive, and seals blocks on an
 * interval or as soon as a block's worth of gas is waiting. Blocks follow one ordering rule, fee
 * priority with nonce gaps held (geth's), which the executor's pool applies (docs/l2.md says why
 * there and not here). On start it replays its log, checking every block reaches the recorded
 * hash and state root.
 */
import { EventEmitter } from "node:events";

import { formBatch, type Batch, type BatchProof, type BatchProver } from "./batch.js";
import { L2Error } from "./errors.js";
import type { ChainSpec, LvmExecutor } from "./executor.js";
import type { BlockRecord, DurableLog } from "./log.js";
import { TxPool, decodeTransaction, type PoolTx, type ValidationContext } from "./txpool.js";
import type { AccountState, Address, BlockHeader, Hash32, Hex } from "./types.js";

export interface SequencerOptions {
  /** Block interval while transactions wait, in milliseconds. */
  readonly blockTimeMs: number;
  /** Smallest accepted priority fee per gas, in wei. */
  readonly minTip: bigint;
  /** A batch is formed every this many blocks. */
  readonly batchBlocks: number;
  /** The bridge predeploy, read for each batch's withdrawal root. */
  readonly bridge: Address;
  /** Called once per batch when present. */
  readonly prover?: BatchProver;
}

/** Events: "block" (BlockHeader, PoolTx[]), "batch" (Batch), "error" (unknown). */
export class Sequencer extends EventEmitter {
  readonly pool = new TxPool();
  readonly #executor: LvmExecutor;
  readonly #spec: ChainSpec;
  readonly #log: DurableLog;
  readonly #opts: SequencerOptions;
  readonly #accounts = new Map<string, AccountState>();
  /** Account reads asked for in this event-loop turn, sent to the executor together. */
  #reads: { address: Address; resolve: (state: Promise<AccountState>) => void }[] = [];
  #readsByAddress = new Map<Address, Promise<AccountState>>();
  #head: BlockHeader;
  /** Bumped whenever executed state changes, so reads that straddle a seal are not cached. */
  #epoch = 0;
  #sealing: Promise<BlockHeader | undefined> | undefined;
  #proving: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(
    executor: LvmExecutor,
    spec: ChainSpec,
    log: DurableLog,
    opts: SequencerOptions,
    head: BlockHeader,
  ) {
    super();
    this.#executor = executor;
    this.#spec = spec;
    this.#log = log;
    this.#opts = opts;
    this.#head = head;
  }

  /** Starts the executor, checks the log belongs to this chain, replays it, and starts mining. */
  static async open(
    executor: LvmExecutor,
    spec: ChainSpec,
    log: DurableLog,
    opts: SequencerOptions,
  ): Promise<Sequencer> {
    const head = await executor.start(spec);
    const genesis = await executor.block(0);
    if (genesis === undefined) throw new L2Error("EXECUTOR", "executor has no genesis block", spec.chainId);
    const chain = await log.chain();
    if (chain === undefined) {
      await log.setChain({ chainId: spec.chainId.toString(), genesisHash: genesis.hash });
    } else if (chain.chainId !== spec.chainId.toString() || chain.genesisHash !== genesis.hash) {
      throw new L2Error(
        "DATADIR_MISMATCH",
        `the data directory belongs to chain ${chain.chainId} with genesis ${chain.genesisHash}`,
        chain,
      );
    }
    const seq = new Sequencer(executor, spec, log, opts, head);
    await seq.#replay();
    // A block every interval, empty or not, as L2s do: clients that watch for "the next block"
    // (ethers' tx.wait() among them) would otherwise wait forever on an idle chain.
    seq.#timer = setInterval(() => void seq.produceBlock({ allowEmpty: true }), opts.blockTimeMs);
    return seq;
  }

  get head(): BlockHeader {
    return this.#head;
  }

  get executor(): LvmExecutor {
    return this.#executor;
  }

  /** Validates `raw`, logs it durably, pools it and returns its hash. */
  async submit(raw: string): Promise<Hash32> {
    const { tx, replaced } = await this.#admit(raw);
    // The log write and the executor's check run side by side. A block that includes the
    // transaction is logged after it (the log keeps its write order), so no block can name a
    // transaction the log lacks; one the executor refuses is taken out of the log again (if a
    // crash comes first, the replay refuses it again).
    const [logged, queued] = await Promise.allSettled([
      this.#log.appendTx(tx.raw),
      this.#enqueue(tx, replaced),
    ]);
    if (queued.status === "rejected") {
      if (logged.status === "fulfilled") await this.#log.removeTx(logged.value);
      throw queued.reason;
    }
    if (logged.status === "rejected") {
      // A disk fault, not bad input: the client is told, and so is the operator, because the
      // executor now holds a transaction the log lacks (a block including it could not replay).
      this.#unadmit(tx, undefined);
      this.emit("error", logged.reason);
      throw logged.reason;
    }
    if (this.pool.gas >= this.#spec.blockGasLimit) void this.produceBlock();
    return tx.hash;
  }

  /** The nonce the sender's next transaction should use, counting pooled ones. */
  async pendingNonce(address: Address): Promise<number> {
    // While a block seals, its transactions stay pooled until the state after it is readable, so
    // state + pool gives the same answer before and after; a read that straddles the switch is
    // retried (the epoch moved) rather than mixing the two.
    for (;;) {
      const epoch = this.#epoch;
      const account = await this.#account(address);
      if (epoch === this.#epoch) return this.pool.nextNonce(address, account.nonce);
    }
  }

  /** Seals one block from the pool now (no-op if nothing is executable, unless `allowEmpty`). Calls are serialised. */
  produceBlock(opts: { allowEmpty?: boolean } = {}): Promise<BlockHeader | undefined> {
    const run = async (): Promise<BlockHeader | undefined> => {
      if (this.#closed) return undefined;
      if (this.pool.size === 0 && opts.allowEmpty !== true) return undefined;
      return this.#sealed(await this.#executor.mine(this.#nextTimestamp()), undefined);
    };
    const previous = this.#sealing ?? Promise.resolve(undefined);
    const next = previous.then(run, run).catch((e: unknown) => {
      this.emit("error", e);
      return undefined;
    });
    this.#sealing = next;
    return next;
  }

  /** The batch with `index`, if formed. */
  async batch(index: number): Promise<{ batch: Batch; proof?: BatchProof } | undefined> {
    return (await this.#log.batch(index)) as { batch: Batch; proof?: BatchProof } | undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#sealing;
    await this.#proving;
    await this.#log.close();
    await this.#executor.close();
  }

  /** Checks `raw` against state + pool and pools it; returns what it replaced, if anything. */
  async #admit(raw: string): Promise<{ tx: PoolTx; replaced: PoolTx | undefined }> {
    const tx = decodeTransaction(raw, this.#validationContext());
    // Admission does not wait for a sealing block: see pendingNonce for why state + pool is sound.
    for (;;) {
      const epoch = this.#epoch;
      const account = await this.#account(tx.from);
      // A block sealed while we read: the account state may be stale, read again.
      if (epoch !== this.#epoch) continue;
      return { tx, replaced: this.pool.add(tx, account) };
    }
  }

  /** Hands an admitted transaction to the executor's pool; if refused, undoes the admission. */
  async #enqueue(tx: PoolTx, replaced: PoolTx | undefined): Promise<void> {
    try {
      await this.#executor.submit(tx);
    } catch (e) {
      this.#unadmit(tx, replaced);
      throw e;
    }
  }

  #unadmit(tx: PoolTx, replaced: PoolTx | undefined): void {
    this.pool.remove(tx.hash);
    // The executor refused the replacement, so it still holds the original: so do we.
    if (replaced !== undefined) this.pool.restore(replaced);
  }

  #validationContext(): ValidationContext {
    return {
      chainId: this.#spec.chainId,
      blockGasLimit: this.#spec.blockGasLimit,
      baseFee: nextBaseFee(this.#head),
      minTip: this.#opts.minTip,
    };
  }

  async #account(address: Address): Promise<AccountState> {
    const key = address.toLowerCase();
    const cached = this.#accounts.get(key);
    if (cached !== undefined) return cached;
    const epoch = this.#epoch;
    const state = await this.#read(key as Address);
    // A read that straddled a seal holds the state before it: answer it, but never cache it.
    if (epoch === this.#epoch) this.#accounts.set(key, state);
    return state;
  }

  /**
   * Reads coalesce per event-loop turn into one executor call: after each block every active
   * sender is read again, and one batch costs the executor far less than two requests each.
   */
  #read(address: Address): Promise<AccountState> {
    const pending = this.#readsByAddress.get(address);
    if (pending !== undefined) return pending;
    if (this.#reads.length === 0) setImmediate(() => this.#flushReads());
    const promise = new Promise<AccountState>((resolve) => this.#reads.push({ address, resolve }));
    this.#readsByAddress.set(address, promise);
    return promise;
  }

  #flushReads(): void {
    const reads = this.#reads;
    this.#reads = [];
    this.#readsByAddress = new Map();
    const states = this.#executor.accounts(reads.map((r) => r.address));
    reads.forEach((r, i) => r.resolve(states.then((all) => all[i] as AccountState)));
  }

  #nextTimestamp(): number {
    const now = Math.floor(Date.now() / 1000);
    const min = this.#head.timestamp + (this.#executor.allowsSameTimestamp ? 0 : 1);
    return Math.max(now, min);
  }

  /** Takes a block the executor sealed; `expected` is the logged record when replaying. */
  async #sealed(block: BlockHeader, expected: BlockRecord | undefined): Promise<BlockHeader> {
    if (expected !== undefined && (block.hash !== expected.hash || block.stateRoot !== expected.stateRoot)) {
      throw new L2Error(
        "REPLAY_DIVERGED",
        `replaying block ${expected.number} gave hash ${block.hash} state root ${block.stateRoot}, the log says ${expected.hash} ${expected.stateRoot}: the log was written under another chain spec or executor version (a devnet can be reset by removing its data directory)`,
        expected,
      );
    }
    const included: PoolTx[] = [];
    for (const hash of block.transactions) {
      const tx = this.pool.get(hash);
      if (tx === undefined) continue;
      this.pool.remove(hash);
      included.push(tx);
    }
    this.#accounts.clear();
    this.#epoch++;
    this.#head = block;
    // Replaced transactions whose nonce a block has now used can never run.
    const senders = [...new Set(included.map((tx) => tx.from))];
    const states = await Promise.all(senders.map((sender) => this.#account(sender)));
    senders.forEach((sender, i) => this.pool.prune(sender, (states[i] as AccountState).nonce));
    if (expected === undefined) {
      await this.#log.appendBlock({
        number: block.number,
        timestamp: block.timestamp,
        hash: block.hash,
        stateRoot: block.stateRoot,
        transactions: block.transactions,
      });
    }
    this.emit("block", block, included);
    await this.#maybeBatch(block);
    return block;
  }

  /** Batch k covers blocks k*N+1 … (k+1)*N: numbering alone decides, so a replay forms the same ones. */
  async #maybeBatch(block: BlockHeader): Promise<void> {
    const n = this.#opts.batchBlocks;
    if (block.number === 0 || block.number % n !== 0) return;
    const index = block.number / n - 1;
    const stored = await this.batch(index);
    if (stored?.batch.blockHash === block.hash && stored.proof !== undefined) return;
    const batch = await formBatch(this.#executor, this.#opts.bridge, index, block.number - n + 1, block);
    await this.#log.putBatch(index, { batch });
    this.emit("batch", batch);
    // Proving takes seconds: it runs behind block production, one batch at a time, in order.
    const prover = this.#opts.prover;
    if (prover !== undefined)
      this.#proving = this.#proving.then(async () => {
        if (this.#closed) return;
        try {
          const proof = await prover.prove(batch, async (i) => (await this.batch(i))?.batch);
          await this.#log.putBatch(index, { batch, proof });
          this.emit("proof", batch, proof);
        } catch (e) {
          this.emit("error", e);
        }
      });
  }

  async #replay(): Promise<void> {
    const raws = new Map<string, Hex>();
    const order: Hash32[] = [];
    const ctx: ValidationContext = { ...this.#validationContext(), baseFee: 0n, minTip: 0n };
    for await (const raw of this.#log.transactions()) {
      const tx = decodeTransaction(raw, ctx);
      raws.set(tx.hash, raw);
      order.push(tx.hash);
    }
    const mined = new Set<string>();
    for await (const record of this.#log.blocks()) {
      for (const h of record.transactions) mined.add(h);
      const existing = await this.#executor.block(record.number);
      if (existing !== undefined && existing.hash === record.hash) {
        this.#head = existing;
        continue;
      }
      const txs = record.transactions.map((hash) => {
        const raw = raws.get(hash);
        if (raw === undefined)
          throw new L2Error("REPLAY_DIVERGED", `block ${record.number} names unlogged tx ${hash}`, hash);
        return { hash, raw };
      });
      await this.#sealed((await this.#executor.sealBlock(txs, record.timestamp)).block, record);
    }
    // Accepted but not yet mined: back into the pool, in acceptance order, under today's rules.
    for (const hash of order) {
      if (mined.has(hash) || this.pool.get(hash) !== undefined) continue;
      try {
        const { tx, replaced } = await this.#admit(raws.get(hash) as Hex);
        await this.#enqueue(tx, replaced);
      } catch {
        // Replaced or made invalid by a mined block: dropped, exactly as before the restart.
      }
    }
  }
}

/** EIP-1559 base fee of the block after `parent` (elasticity 2, denominator 8). */
export function nextBaseFee(parent: BlockHeader): bigint {
  const target = parent.gasLimit / 2n;
  const base = parent.baseFeePerGas;
  if (parent.gasUsed === target || target === 0n) return base;
  if (parent.gasUsed > target) {
    const delta = (base * (parent.gasUsed - target)) / target / 8n;
    return base + (delta > 1n ? delta : 1n);
  }
  return base - (base * (target - parent.gasUsed)) / target / 8n;
}
