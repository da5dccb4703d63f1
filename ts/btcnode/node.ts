/**
 * The node: chain state, mempool, miner and fee estimator behind one serialized API. Every
 * mutation runs under one lock, so RPC calls, in-process callers and mining never interleave.
 */
import { EventEmitter } from "node:events";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

import { Transaction, type Block, type BlockHash, type Outpoint, type Txid } from "../bitcoin/index.js";
import { Chain, type BlockIndex, type ChainChanges, type ProcessBlockResult } from "./chain.js";
import { decodeUndo, outpointKey, parseOutpointKey, type Coin, type OutpointKey } from "./coins.js";
import { NodeInputError, RejectError } from "./errors.js";
import { FeeEstimator, type FeeEstimate } from "./fees.js";
import { Mempool, type AcceptResult, type MempoolEntry } from "./mempool.js";
import { buildBlock, mineBlock, selectTransactions } from "./miner.js";
import { chainParams, type ChainName, type ChainParams } from "./params.js";
import { DEFAULT_POLICY, type PolicyOptions } from "./policy.js";
import { ChainStore } from "./storage.js";

export interface NodeOptions {
  /** Directory of the node's database (created if missing). */
  readonly datadir: string;
  readonly chain?: ChainName | ChainParams;
  readonly policy?: Partial<PolicyOptions>;
  /** fsync each block's batch (default true). */
  readonly sync?: boolean;
}

export interface TxLookup {
  readonly tx: Transaction;
  /** Set when confirmed on the active chain. */
  readonly block?: BlockIndex;
  readonly inMempool: boolean;
}

export interface TestAcceptResult {
  readonly txid: Txid;
  readonly wtxid: Txid;
  /** undefined: not validated because an earlier package member failed. */
  readonly allowed?: boolean;
  readonly vsize?: number;
  readonly fee?: bigint;
  readonly rejectReason?: string;
  readonly error?: RejectError;
}

/** Events: "block" (BlockIndex of the new tip) after every tip change, "tx" (MempoolEntry) on acceptance. */
export interface NodeEvents {
  block: [BlockIndex];
  tx: [MempoolEntry];
}

class Lock {
  private last: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const p = this.last.then(fn);
    this.last = p.catch(() => undefined);
    return p;
  }
}

export class BtcNode extends EventEmitter<NodeEvents> {
  private readonly lock = new Lock();
  private readonly fees = new FeeEstimator();
  private mockTime = 0;
  private extraNonce = 0;
  private closed = false;

  private constructor(
    readonly params: ChainParams,
    readonly datadir: string,
    private readonly store: ChainStore,
    readonly chain: Chain,
    readonly mempool: Mempool,
  ) {
    super();
    const now = (): number => (this.mockTime > 0 ? this.mockTime : Math.floor(Date.now() / 1000));
    chain.now = now;
    mempool.now = now;
  }

  /** Opens (or creates) a node database and finishes any reorg a crash interrupted. */
  static async open(opts: NodeOptions): Promise<BtcNode> {
    const params = typeof opts.chain === "object" ? opts.chain : chainParams(opts.chain ?? "regtest");
    const store = await ChainStore.open(path.join(opts.datadir, "chainstate"), params.name, {
      sync: opts.sync,
    });
    try {
      const chain = await Chain.load(store, params);
      const mempool = new Mempool(chain, { ...DEFAULT_POLICY, ...opts.policy });
      const node = new BtcNode(params, opts.datadir, store, chain, mempool);
      await chain.activateBestChain();
      node.loadMempool();
      return node;
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lock.run(async () => {
      this.saveMempool();
      await this.store.close();
    });
  }

  private get mempoolFile(): string {
    return path.join(this.datadir, "mempool.dat");
  }

  /**
   * Writes the mempool (one hex transaction per line, arrival order) so a clean restart keeps
   * pending transactions, as Core's mempool.dat does. Returns the file name.
   */
  saveMempool(): string {
    const lines = this.mempool.inOrder().map((e) => Buffer.from(e.tx.encode()).toString("hex"));
    const tmp = `${this.mempoolFile}.new`;
    writeFileSync(tmp, lines.join("\n"));
    renameSync(tmp, this.mempoolFile);
    return this.mempoolFile;
  }

  /** Re-validates the saved mempool against the current tip; what no longer fits is dropped. */
  private loadMempool(): void {
    if (!existsSync(this.mempoolFile)) return;
    for (const line of readFileSync(this.mempoolFile, "utf8").split("\n")) {
      if (line.length === 0) continue;
      try {
        this.mempool.accept(Transaction.decode(Uint8Array.from(Buffer.from(line, "hex"))));
      } catch {
        // A saved transaction that is invalid now (or unreadable) is simply not restored.
      }
    }
  }

  /** Current time as the node sees it (seconds; `setmocktime` overrides it). */
  now(): number {
    return this.chain.now();
  }

  setMockTime(t: number): void {
    this.mockTime = t;
  }

  get tip(): BlockIndex {
    return this.chain.tip;
  }

  get height(): number {
    return this.chain.height;
  }

  blockIndex(hash: BlockHash): BlockIndex | undefined {
    return this.chain.index.get(hash);
  }

  isActive(idx: BlockIndex): boolean {
    return this.chain.isActive(idx);
  }

  /** Active-chain block hash at `height`. */
  blockHash(height: number): BlockHash {
    const idx = this.chain.atHeight(height);
    if (idx === undefined)
      throw new NodeInputError("height-out-of-range", "Block height out of range", height);
    return idx.hash;
  }

  /** Next block on the active chain after `idx`. */
  next(idx: BlockIndex): BlockIndex | undefined {
    return this.chain.isActive(idx) ? this.chain.atHeight(idx.height + 1) : undefined;
  }

  async getBlock(hash: BlockHash): Promise<Block> {
    const b = await this.chain.readBlock(hash);
    if (b === undefined) throw new NodeInputError("block-not-found", "Block not found", hash);
    return b;
  }

  /** Coins a block spent, in input order (undefined when the block is not connected). */
  async getBlockUndo(hash: BlockHash): Promise<Coin[] | undefined> {
    const u = await this.store.getUndo(hash);
    return u === undefined ? undefined : decodeUndo(u);
  }

  medianTimePast(idx: BlockIndex): number {
    return this.chain.mtp(idx);
  }

  async getTransaction(txid: Txid, blockHash?: BlockHash): Promise<TxLookup | undefined> {
    if (blockHash === undefined) {
      const e = this.mempool.get(txid);
      if (e !== undefined) return { tx: e.tx, inMempool: true };
    }
    let idx: BlockIndex | undefined;
    let index: number | undefined;
    if (blockHash !== undefined) {
      idx = this.chain.index.get(blockHash);
      if (idx === undefined) throw new NodeInputError("block-not-found", "Block hash not found", blockHash);
    } else {
      const loc = await this.store.getTxLocation(txid);
      if (loc === undefined) return undefined;
      idx = this.chain.index.get(loc.block);
      index = loc.index;
    }
    if (idx === undefined) return undefined;
    const block = await this.chain.readBlock(idx.hash);
    if (block === undefined) return undefined;
    const tx = index !== undefined ? block.txs[index] : block.txs.find((t) => t.txid() === txid);
    if (tx === undefined || tx.txid() !== txid) return undefined;
    return { tx, block: idx, inMempool: false };
  }

  /** An unspent output; with `includeMempool`, mempool spends hide coins and mempool outputs count. */
  getTxOut(o: Outpoint, includeMempool = true): Coin | undefined {
    const k = outpointKey(o);
    return includeMempool ? this.mempool.getCoin(k) : this.chain.getCoin(k);
  }

  /** Confirmed coins whose scriptPubKey is one of `scripts` (Core's scantxoutset). */
  scanUtxos(scripts: readonly Uint8Array[]): { outpoint: Outpoint; coin: Coin }[] {
    const wanted = new Set(scripts.map((s) => Buffer.from(s).toString("hex")));
    const out: { outpoint: Outpoint; coin: Coin }[] = [];
    for (const [k, c] of this.chain.allCoins())
      if (wanted.has(Buffer.from(c.scriptPubKey).toString("hex")))
        out.push({ outpoint: parseOutpointKey(k), coin: c });
    return out;
  }

  allCoins(): ReadonlyMap<OutpointKey, Coin> {
    return this.chain.allCoins();
  }

  estimateFee(target: number, mode: "economical" | "conservative"): FeeEstimate | undefined {
    const e = this.fees.estimate(target, mode);
    if (e === undefined) return undefined;
    const floor = this.mempool.minFeeRate;
    return { feeRate: e.feeRate < floor ? floor : e.feeRate, blocks: e.blocks };
  }

  // --- mutations (serialized) -------------------------------------------------------------------

  /** Validates and stores a block; the tip moves if it makes the most-work chain. */
  submitBlock(block: Block): Promise<ProcessBlockResult> {
    return this.lock.run(async () => {
      let r: Awaited<ReturnType<Chain["processBlock"]>>;
      try {
        r = await this.chain.processBlock(block);
      } catch (e) {
        // A failed reorg attempt may still have moved the tip (back to the old chain or elsewhere).
        await this.settle({ connected: [], disconnected: [] });
        throw e;
      }
      await this.settle(r.changes);
      return r.result;
    });
  }

  /** Accepts a transaction into the mempool (sendrawtransaction). */
  sendTransaction(tx: Transaction, maxFeeRate?: bigint): Promise<AcceptResult> {
    return this.lock.run(() => {
      const r = this.mempool.accept(tx, { maxFeeRate });
      const e = this.mempool.get(r.txid);
      if (e !== undefined) this.emit("tx", e);
      return r;
    });
  }

  /** Core's testmempoolaccept: validates a transaction or a package without changing anything. */
  testAccept(txs: readonly Transaction[], maxFeeRate?: bigint): Promise<TestAcceptResult[]> {
    return this.lock.run(() => {
      const out: TestAcceptResult[] = [];
      const added: Txid[] = [];
      let failed = false;
      for (const tx of txs) {
        const txid = tx.txid();
        const wtxid = tx.wtxid();
        if (failed) {
          out.push({ txid, wtxid });
          continue;
        }
        try {
          const single = txs.length === 1;
          const r = this.mempool.accept(tx, { testOnly: single, maxFeeRate, noTrim: true });
          if (!single) added.push(r.txid);
          out.push({ txid, wtxid, allowed: true, vsize: r.vsize, fee: r.fee });
        } catch (e) {
          if (!(e instanceof RejectError)) throw e;
          failed = true;
          const reason = e.kind === "missing-inputs" ? "missing-inputs" : e.reason;
          out.push({ txid, wtxid, allowed: false, rejectReason: reason, error: e });
        }
      }
      for (const txid of added.reverse()) {
        const e = this.mempool.get(txid);
        if (e !== undefined) this.mempool.removeWithDescendants(e);
      }
      return out;
    });
  }

  /** Mines `n` blocks paying `script`, with mempool transactions by fee rate (generatetoaddress). */
  generate(n: number, script: Uint8Array, maxTries = 1_000_000): Promise<BlockHash[]> {
    return this.lock.run(async () => {
      const hashes: BlockHash[] = [];
      for (let i = 0; i < n; i++) {
        const entries = selectTransactions(this.mempool);
        const block = buildBlock(
          this.chain,
          entries.map((e) => e.tx),
          entries.reduce((a, e) => a + e.fee, 0n),
          script,
          ++this.extraNonce,
        );
        if (!mineBlock(block, maxTries)) break;
        const r = await this.chain.processBlock(block);
        await this.settle(r.changes);
        hashes.push(block.header.hash());
      }
      return hashes;
    });
  }

  /** Mines one block with exactly `txs` (generateblock); `submit: false` returns it unsubmitted. */
  generateBlock(script: Uint8Array, txs: readonly Transaction[], submit = true): Promise<Block> {
    return this.lock.run(async () => {
      let fees = 0n;
      const view = new Map<string, bigint>();
      for (const tx of txs) {
        let inSum = 0n;
        for (const input of tx.inputs) {
          const k = outpointKey(input.prevout);
          const v = view.get(k) ?? this.chain.getCoin(k)?.value;
          if (v === undefined)
            throw new RejectError("missing-inputs", "bad-txns-inputs-missingorspent", undefined, tx.txid());
          inSum += v;
        }
        tx.outputs.forEach((o, vout) => view.set(outpointKey({ txid: tx.txid(), vout }), o.value));
        fees += inSum - tx.outputs.reduce((a, o) => a + o.value, 0n);
      }
      const block = buildBlock(this.chain, txs, fees, script, ++this.extraNonce);
      if (!mineBlock(block, 10_000_000)) throw new RejectError("consensus", "high-hash", "no nonce found");
      if (submit) {
        try {
          const r = await this.chain.processBlock(block);
          await this.settle(r.changes);
        } catch (e) {
          await this.settle({ connected: [], disconnected: [] });
          throw e;
        }
      }
      return block;
    });
  }

  invalidateBlock(hash: BlockHash): Promise<void> {
    return this.lock.run(async () => {
      if (!this.chain.index.has(hash)) throw new NodeInputError("block-not-found", "Block not found", hash);
      await this.settle(await this.chain.invalidateBlock(hash));
    });
  }

  reconsiderBlock(hash: BlockHash): Promise<void> {
    return this.lock.run(async () => {
      if (!this.chain.index.has(hash)) throw new NodeInputError("block-not-found", "Block not found", hash);
      await this.settle(await this.chain.reconsiderBlock(hash));
    });
  }

  private lastTip: BlockHash | undefined;

  /** Brings the mempool and fee estimator in line with a chain change. */
  private async settle(ch: ChainChanges): Promise<void> {
    const tipBefore = this.lastTip;
    for (const b of ch.disconnected) {
      const idx = this.chain.index.get(b.header.hash());
      if (idx !== undefined) this.fees.blockDisconnected(idx.height);
    }
    for (const b of ch.connected) {
      const idx = this.chain.index.get(b.header.hash());
      const rates: bigint[] = [];
      for (const tx of b.txs) {
        const e = this.mempool.get(tx.txid());
        if (e !== undefined) rates.push((e.fee * 1000n) / BigInt(e.vsize));
      }
      if (idx !== undefined) this.fees.blockConnected(idx.height, rates);
    }
    if (ch.disconnected.length === 0) {
      for (const b of ch.connected) this.mempool.removeForBlock(b.txs);
    } else {
      // After a reorg, re-validate everything: disconnected transactions first (oldest block first),
      // then the old mempool, against the new tip. What no longer fits is dropped.
      const old = this.mempool.clear();
      const again: Transaction[] = [];
      for (const b of [...ch.disconnected].reverse())
        for (const tx of b.txs) if (!tx.isCoinbase()) again.push(tx);
      for (const e of old) again.push(e.tx);
      for (const tx of again) {
        try {
          this.mempool.accept(tx);
        } catch (e) {
          if (!(e instanceof RejectError)) throw e;
        }
      }
    }
    const tip = this.chain.tip;
    this.lastTip = tip.hash;
    if (tipBefore !== tip.hash) this.emit("block", tip);
    await Promise.resolve();
  }

  /**
   * Recomputes the UTXO set from the blocks of the active chain and compares it with the stored
   * one (a deep `verifychain`); returns the number of coins checked.
   */
  async verifyUtxoSet(): Promise<{ ok: boolean; coins: number; mismatches: string[] }> {
    return this.lock.run(async () => {
      const rebuilt = new Map<string, Coin>();
      for (let h = 1; h <= this.chain.height; h++) {
        const block = await this.getBlock(this.blockHash(h));
        for (const tx of block.txs) {
          if (!tx.isCoinbase()) for (const i of tx.inputs) rebuilt.delete(outpointKey(i.prevout));
          const txid = tx.txid();
          tx.outputs.forEach((o, vout) => {
            const s = o.scriptPubKey;
            if ((s.length > 0 && s[0] === 0x6a) || s.length > 10_000) return;
            rebuilt.set(outpointKey({ txid, vout }), {
              value: o.value,
              scriptPubKey: s,
              height: h,
              coinbase: tx.isCoinbase(),
            });
          });
        }
      }
      const mismatches: string[] = [];
      const stored = this.chain.allCoins();
      for (const [k, c] of rebuilt) {
        const s = stored.get(k as OutpointKey);
        if (s === undefined || s.value !== c.value || s.height !== c.height || s.coinbase !== c.coinbase)
          mismatches.push(k);
      }
      for (const k of stored.keys()) if (!rebuilt.has(k)) mismatches.push(k);
      return { ok: mismatches.length === 0, coins: rebuilt.size, mismatches };
    });
  }
}
