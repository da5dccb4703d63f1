/**
 * The chain state machine: block index (every valid block seen, any branch), the active chain,
 * the UTXO set, and the transitions between them — connect one block, disconnect one block, and
 * activate the most-work valid chain (reorg). Each transition is one atomic database batch.
 */
import {
  Block,
  type BlockHash,
  type BlockHeader,
  type Transaction,
  type Txid,
  type TxOut,
} from "../bitcoin/index.js";
import {
  CoinsOverlay,
  decodeUndo,
  encodeUndo,
  outpointKey,
  type Coin,
  type CoinSource,
  type OutpointKey,
} from "./coins.js";
import { RejectError, StorageError } from "./errors.js";
import { genesisBlock, type ChainParams } from "./params.js";
import { isUnspendable } from "./script.js";
import { ScriptCheckPool, type PendingCheck } from "./script-workers.js";
import { ScriptExecutionCache, SignatureCache } from "./sigcache.js";
import { BlockStatus, type ChainStore, type StoreBatch } from "./storage.js";
import {
  blockScriptFlags,
  blockSubsidy,
  blockWork,
  calculateSequenceLocks,
  checkBlock,
  checkProofOfWork,
  contextualCheckBlock,
  contextualCheckHeader,
  MAX_BLOCK_SIGOPS_COST,
  MAX_MONEY,
  nextWorkRequired,
  sequenceLocksSatisfied,
  txSigOpCost,
  type PowContext,
} from "./validation.js";

/** One block known to the node (on the active chain or a side branch). */
export interface BlockIndex {
  readonly hash: BlockHash;
  readonly header: BlockHeader;
  readonly height: number;
  readonly prev: BlockIndex | undefined;
  /** Total work of the chain ending here. */
  readonly chainWork: bigint;
  status: number;
  /** Arrival order: between chains of equal work the first seen wins, as in Core. */
  readonly seq: number;
  mtp?: number;
}

const FAILED_ANY = BlockStatus.FAILED | BlockStatus.FAILED_CHILD;

/** Blocks that left and joined the active chain during one state change, oldest first. */
export interface ChainChanges {
  readonly disconnected: Block[];
  readonly connected: Block[];
}

export type ProcessBlockResult = "new-tip" | "side-branch" | "duplicate";

function btc(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  return `${neg ? "-" : ""}${a / 100_000_000n}.${(a % 100_000_000n).toString().padStart(8, "0")}`;
}

export class Chain implements CoinSource {
  readonly index = new Map<BlockHash, BlockIndex>();
  private active: BlockIndex[] = [];
  private coins = new Map<OutpointKey, Coin>();
  /** Blocks validated but not yet written (a new tip is written with its connect batch). */
  private pending = new Map<BlockHash, Block>();
  private candidates = new Set<BlockIndex>();
  private failReasons = new Map<BlockHash, RejectError>();
  private seq = 0;
  /** (wtxid, flags) whose scripts all passed: filled by the mempool, consulted when blocks connect. */
  readonly scriptCache = new ScriptExecutionCache();
  /** Valid signatures seen at mempool entry (Core's signature cache). */
  readonly sigCache = new SignatureCache();
  /** Txids and wtxid leaves of checked blocks (hashed by the block checks), for `connectTip`. */
  private readonly blockTxids = new WeakMap<Block, readonly Txid[]>();
  private readonly blockWtxids = new WeakMap<Block, readonly Uint8Array[]>();
  /** Txids of the transaction lists of connected blocks, so the mempool need not hash them again. */
  readonly connectedTxids = new WeakMap<readonly Transaction[], readonly Txid[]>();
  /** Worker threads for the script checks of a block. */
  readonly scriptChecks = new ScriptCheckPool();
  /** Block time "now" (seconds); tests and `setmocktime` may override it. */
  now: () => number = () => Math.floor(Date.now() / 1000);

  private constructor(
    readonly params: ChainParams,
    readonly store: ChainStore,
  ) {}

  /** Loads the chain from disk, creating the genesis state in an empty database. */
  static async load(store: ChainStore, params: ChainParams): Promise<Chain> {
    const chain = new Chain(params, store);
    const genesis = genesisBlock(params);
    let tipHash = await store.tip();
    if (tipHash === undefined) {
      // The genesis coinbase is not spendable: Core never adds it to the UTXO set.
      const batch = store.batch();
      batch.putIndex({
        header: genesis.header,
        height: 0,
        status: BlockStatus.HAVE_DATA | BlockStatus.VALID,
      });
      batch.putBlock(params.genesisHash, genesis.encode());
      batch.setTip(params.genesisHash);
      await batch.write();
      tipHash = params.genesisHash;
    }
    const entries = (await store.loadIndex()).sort((a, b) => a.height - b.height);
    for (const e of entries) {
      const hash = e.header.hash();
      const prev = e.height === 0 ? undefined : chain.index.get(e.header.prevHash);
      if (e.height > 0 && prev === undefined)
        throw new StorageError("corrupt", `block ${hash} has no parent in the index`, hash);
      if (e.height === 0 && hash !== params.genesisHash)
        throw new StorageError("wrong-network", `database genesis ${hash} is not ${params.name}'s`, hash);
      chain.index.set(hash, {
        hash,
        header: e.header,
        height: e.height,
        prev,
        chainWork: (prev?.chainWork ?? 0n) + blockWork(e.header.bits),
        status: e.status,
        seq: chain.seq++,
      });
    }
    const tip = chain.index.get(tipHash);
    if (tip === undefined)
      throw new StorageError("corrupt", `tip ${tipHash} is not in the block index`, tipHash);
    const path: BlockIndex[] = [];
    for (let p: BlockIndex | undefined = tip; p !== undefined; p = p.prev) path.push(p);
    chain.active = path.reverse();
    chain.coins = await store.loadCoins();
    chain.refreshCandidates();
    return chain;
  }

  get tip(): BlockIndex {
    return this.active[this.active.length - 1];
  }

  get height(): number {
    return this.active.length - 1;
  }

  atHeight(h: number): BlockIndex | undefined {
    return Number.isInteger(h) && h >= 0 ? this.active[h] : undefined;
  }

  isActive(idx: BlockIndex): boolean {
    return this.active[idx.height] === idx;
  }

  /** The block at `height` on the branch ending at `idx`. */
  ancestor(idx: BlockIndex, height: number): BlockIndex {
    let p: BlockIndex | undefined = idx;
    while (p !== undefined && p.height > height) {
      if (this.active[p.height] === p) return this.active[height];
      p = p.prev;
    }
    if (p === undefined || p.height !== height) throw new RangeError(`no ancestor at height ${height}`);
    return p;
  }

  /** Median of the last 11 block times ending at `idx` (BIP113). */
  mtp(idx: BlockIndex): number {
    if (idx.mtp !== undefined) return idx.mtp;
    const times: number[] = [];
    for (let p: BlockIndex | undefined = idx; p !== undefined && times.length < 11; p = p.prev)
      times.push(p.header.time);
    times.sort((a, b) => a - b);
    idx.mtp = times[Math.floor(times.length / 2)];
    return idx.mtp;
  }

  private powContext(idx: BlockIndex): PowContext {
    return {
      height: idx.height,
      bits: idx.header.bits,
      time: idx.header.time,
      ancestor: (h: number) => this.powContext(this.ancestor(idx, h)),
    };
  }

  /** Bits the block after `prev` must carry when mined at `time`. */
  nextBits(prev: BlockIndex, time: number): number {
    return nextWorkRequired(this.powContext(prev), time, this.params);
  }

  getCoin(key: OutpointKey): Coin | undefined {
    return this.coins.get(key);
  }

  /** Every unspent output (read-only view). */
  allCoins(): ReadonlyMap<OutpointKey, Coin> {
    return this.coins;
  }

  async readBlock(hash: BlockHash): Promise<Block | undefined> {
    const p = this.pending.get(hash);
    if (p !== undefined) return p;
    const bytes = await this.store.getBlock(hash);
    return bytes === undefined ? undefined : Block.decode(bytes);
  }

  /** Why a block was marked invalid, if it was rejected by this process. */
  failReason(hash: BlockHash): RejectError | undefined {
    return this.failReasons.get(hash);
  }

  /**
   * Validates a block and makes it part of the best chain if it has the most work. Throws
   * RejectError for an invalid block; nothing of an invalid block is written to disk.
   */
  async processBlock(block: Block): Promise<{ result: ProcessBlockResult; changes: ChainChanges }> {
    const none: ChainChanges = { connected: [], disconnected: [] };
    // Core's transactions are immutable once built; frozen ones keep their bytes and ids.
    for (const tx of block.txs) tx.freeze();
    const hash = block.header.hash();
    const known = this.index.get(hash);
    if (known !== undefined) {
      if (known.status & FAILED_ANY)
        throw (
          this.failReasons.get(hash) ?? new RejectError("already-known", "duplicate-invalid", undefined, hash)
        );
      return { result: "duplicate", changes: none };
    }
    checkProofOfWork(block.header, this.params);
    const prev = this.index.get(block.header.prevHash);
    if (prev === undefined)
      throw new RejectError(
        "orphan",
        "prev-blk-not-found",
        `previous block ${block.header.prevHash} unknown`,
        hash,
      );
    if (prev.status & FAILED_ANY)
      throw new RejectError("consensus", "bad-prevblk", "previous block invalid", hash);
    const prevMtp = this.mtp(prev);
    contextualCheckHeader(block.header, this.powContext(prev), prevMtp, this.now(), this.params);
    this.blockTxids.set(block, checkBlock(block, this.params));
    const wtxids = contextualCheckBlock(block, prev.height + 1, prevMtp, this.params);
    if (wtxids !== undefined) this.blockWtxids.set(block, wtxids);

    const idx: BlockIndex = {
      hash,
      header: block.header,
      height: prev.height + 1,
      prev,
      chainWork: prev.chainWork + blockWork(block.header.bits),
      status: BlockStatus.HAVE_DATA,
      seq: this.seq++,
    };
    this.index.set(hash, idx);
    if (idx.chainWork <= this.tip.chainWork) {
      // A side branch: stored so a later heavier extension can reorg onto it.
      const batch = this.store.batch();
      batch.putIndex({ header: idx.header, height: idx.height, status: idx.status });
      batch.putBlock(hash, block.encode());
      try {
        await batch.write();
      } catch (e) {
        this.index.delete(hash);
        throw e;
      }
      return { result: "side-branch", changes: none };
    }
    this.pending.set(hash, block);
    this.candidates.add(idx);
    const changes = await this.activateBestChain();
    if (idx.status & FAILED_ANY) {
      throw (
        this.failReasons.get(hash) ?? new RejectError("consensus", "block-validation-failed", undefined, hash)
      );
    }
    return { result: this.isActive(idx) ? "new-tip" : "side-branch", changes };
  }

  private refreshCandidates(): void {
    this.candidates.clear();
    const tipWork = this.tip.chainWork;
    for (const idx of this.index.values())
      if (idx.status & BlockStatus.HAVE_DATA && !(idx.status & FAILED_ANY) && idx.chainWork > tipWork)
        this.candidates.add(idx);
  }

  private bestCandidate(): BlockIndex | undefined {
    let best: BlockIndex | undefined;
    for (const c of this.candidates) {
      if (c.status & FAILED_ANY || c.chainWork <= this.tip.chainWork) {
        this.candidates.delete(c);
        continue;
      }
      if (
        best === undefined ||
        c.chainWork > best.chainWork ||
        (c.chainWork === best.chainWork && c.seq < best.seq)
      )
        best = c;
    }
    return best;
  }

  /** Moves the active chain to the most-work valid branch, one atomic step per block. */
  async activateBestChain(): Promise<ChainChanges> {
    const changes = { connected: [] as Block[], disconnected: [] as Block[] };
    for (;;) {
      const best = this.bestCandidate();
      if (best === undefined) break;
      let fork: BlockIndex | undefined = best;
      while (fork !== undefined && !this.isActive(fork)) fork = fork.prev;
      if (fork === undefined)
        throw new StorageError("corrupt", "candidate chain does not meet the active chain");
      while (this.tip !== fork) changes.disconnected.push(await this.disconnectTip());
      const path: BlockIndex[] = [];
      for (let p: BlockIndex = best; p !== fork; p = p.prev as BlockIndex) path.push(p);
      path.reverse();
      for (const p of path) {
        const block = await this.readBlock(p.hash);
        if (block === undefined)
          throw new StorageError("corrupt", `block data of ${p.hash} is missing`, p.hash);
        try {
          await this.connectTip(p, block);
          changes.connected.push(block);
        } catch (e) {
          if (!(e instanceof RejectError)) throw e;
          await this.markFailed(p, e);
          break;
        }
      }
    }
    return changes;
  }

  private descendants(idx: BlockIndex): BlockIndex[] {
    const below = new Set<BlockIndex>([idx]);
    const out: BlockIndex[] = [];
    const later = [...this.index.values()]
      .filter((c) => c.height > idx.height)
      .sort((a, b) => a.height - b.height);
    for (const c of later)
      if (c.prev !== undefined && below.has(c.prev)) {
        below.add(c);
        out.push(c);
      }
    return out;
  }

  private async markFailed(idx: BlockIndex, reason: RejectError | undefined): Promise<void> {
    if (reason !== undefined) this.failReasons.set(idx.hash, reason);
    idx.status |= BlockStatus.FAILED;
    const batch = this.store.batch();
    const wasPending = this.pending.delete(idx.hash);
    if (!wasPending) {
      // Stored earlier as a side branch: keep the verdict, drop the invalid data.
      if (reason !== undefined) {
        idx.status &= ~BlockStatus.HAVE_DATA;
        batch.delBlock(idx.hash);
      }
      batch.putIndex({ header: idx.header, height: idx.height, status: idx.status });
    }
    for (const d of this.descendants(idx)) {
      d.status |= BlockStatus.FAILED_CHILD;
      this.candidates.delete(d);
      if (!this.pending.has(d.hash)) batch.putIndex({ header: d.header, height: d.height, status: d.status });
    }
    this.candidates.delete(idx);
    await batch.write();
  }

  /** Validates `block` on top of the tip with all inputs and scripts, then writes it in one batch. */
  private async connectTip(idx: BlockIndex, block: Block): Promise<void> {
    const params = this.params;
    const height = idx.height;
    const prev = idx.prev as BlockIndex;
    if (prev !== this.tip) throw new StorageError("corrupt", "connectTip called off the tip", idx.hash);
    const flags = blockScriptFlags(params, height, idx.hash);
    const csv = height >= params.csvHeight;
    const prevMtp = this.mtp(prev);
    const view = new CoinsOverlay(this);
    const spent: Coin[] = [];
    const checks: PendingCheck[] = [];
    let fees = 0n;
    let sigops = 0;
    const reject = (reason: string, debug?: string): RejectError =>
      new RejectError("consensus", reason, debug, idx.hash);

    const txids = this.blockTxids.get(block) ?? block.txs.map((tx) => tx.txid());
    const wtxids = this.blockWtxids.get(block);
    for (const [t, tx] of block.txs.entries()) {
      const txid = txids[t]!;
      if (tx.isCoinbase()) {
        sigops += txSigOpCost(tx, []);
      } else {
        const prevouts: TxOut[] = [];
        const heights: number[] = [];
        let valueIn = 0n;
        for (const input of tx.inputs) {
          const coin = view.getCoin(outpointKey(input.prevout));
          if (coin === undefined)
            throw reject("bad-txns-inputs-missingorspent", `CheckTxInputs: inputs missing/spent in ${txid}`);
          if (coin.coinbase && height - coin.height < params.coinbaseMaturity)
            throw reject(
              "bad-txns-premature-spend-of-coinbase",
              `tried to spend coinbase at depth ${height - coin.height}`,
            );
          valueIn += coin.value;
          if (coin.value < 0n || coin.value > MAX_MONEY || valueIn > MAX_MONEY)
            throw reject("bad-txns-inputs-values-outofrange");
          prevouts.push({ value: coin.value, scriptPubKey: coin.scriptPubKey });
          heights.push(coin.height);
        }
        const valueOut = tx.outputs.reduce((a, o) => a + o.value, 0n);
        if (valueIn < valueOut)
          throw reject("bad-txns-in-belowout", `value in (${btc(valueIn)}) < value out (${btc(valueOut)})`);
        fees += valueIn - valueOut;
        if (fees > MAX_MONEY) throw reject("bad-txns-accumulated-fee-outofrange");
        if (csv) {
          const lock = calculateSequenceLocks(tx, heights, (h) => this.mtp(this.ancestor(prev, h)));
          if (!sequenceLocksSatisfied(lock, height, prevMtp))
            throw reject("bad-txns-nonfinal", "contains a non-BIP68-final transaction");
        }
        sigops += txSigOpCost(tx, prevouts);
        if (sigops > MAX_BLOCK_SIGOPS_COST) throw reject("bad-blk-sigops", "too many sigops");
        // Scripts are checked after the loop, in parallel; ones verified at mempool entry are skipped.
        const leaf = wtxids?.[t];
        if (
          !(leaf !== undefined
            ? this.scriptCache.hasLeaf(leaf, flags)
            : this.scriptCache.has(tx.wtxid(), flags))
        )
          checks.push({ index: checks.length, blockIndex: t, tx, prevouts });
        for (const input of tx.inputs) spent.push(view.spend(outpointKey(input.prevout)) as Coin);
      }
      if (sigops > MAX_BLOCK_SIGOPS_COST) throw reject("bad-blk-sigops", "too many sigops");
      tx.outputs.forEach((o, vout) => {
        if (isUnspendable(o.scriptPubKey)) return;
        const k = outpointKey({ txid, vout });
        if (view.getCoin(k) !== undefined) throw reject("bad-txns-BIP30", "tried to overwrite transaction");
        view.add(k, { value: o.value, scriptPubKey: o.scriptPubKey, height, coinbase: tx.isCoinbase() });
      });
    }
    const limit = blockSubsidy(height, params) + fees;
    const paid = block.txs[0].outputs.reduce((a, o) => a + o.value, 0n);
    if (paid > limit)
      throw reject("bad-cb-amount", `coinbase pays too much (actual=${paid} vs limit=${limit})`);
    const failed = await this.scriptChecks.check(checks, flags, this.sigCache);
    if (failed !== undefined) {
      throw reject(
        `mandatory-script-verify-flag-failed (${failed.message})`,
        `${txids[checks[failed.tx]!.blockIndex]}:${failed.input} ${failed.error}`,
      );
    }

    const batch = this.store.batch();
    const status = idx.status | BlockStatus.HAVE_DATA | BlockStatus.VALID;
    batch.putIndex({ header: idx.header, height, status });
    if (this.pending.has(idx.hash)) batch.putBlock(idx.hash, block.encode());
    batch.putUndo(idx.hash, encodeUndo(spent));
    this.writeCoins(batch, view);
    txids.forEach((txid, i) => batch.putTx(txid, idx.hash, i));
    batch.setTip(idx.hash);
    await batch.write();

    this.applyCoins(view);
    idx.status = status;
    this.pending.delete(idx.hash);
    this.active.push(idx);
    this.connectedTxids.set(block.txs, txids);
  }

  private writeCoins(batch: StoreBatch, view: CoinsOverlay): void {
    for (const k of view.spent.keys()) batch.delCoin(k);
    for (const [k, c] of view.added) batch.putCoin(k, c);
  }

  private applyCoins(view: CoinsOverlay): void {
    for (const k of view.spent.keys()) this.coins.delete(k);
    for (const [k, c] of view.added) this.coins.set(k, c);
  }

  /** Undoes the tip block with its undo data; returns it. */
  private async disconnectTip(): Promise<Block> {
    const idx = this.tip;
    const prev = idx.prev;
    if (prev === undefined) throw new StorageError("corrupt", "cannot disconnect the genesis block");
    const block = await this.readBlock(idx.hash);
    const undoBytes = await this.store.getUndo(idx.hash);
    if (block === undefined || undoBytes === undefined)
      throw new StorageError("corrupt", `block or undo data of ${idx.hash} is missing`, idx.hash);
    const undo = decodeUndo(undoBytes);
    const view = new CoinsOverlay(this);
    let u = undo.length;
    for (let t = block.txs.length - 1; t >= 0; t--) {
      const tx = block.txs[t];
      const txid = tx.txid();
      tx.outputs.forEach((o, vout) => {
        if (!isUnspendable(o.scriptPubKey)) view.spend(outpointKey({ txid, vout }));
      });
      if (tx.isCoinbase()) continue;
      for (let i = tx.inputs.length - 1; i >= 0; i--) {
        if (u === 0) throw new StorageError("corrupt", `undo data of ${idx.hash} is short`, idx.hash);
        view.add(outpointKey(tx.inputs[i].prevout), undo[--u]);
      }
    }
    const batch = this.store.batch();
    this.writeCoins(batch, view);
    batch.delUndo(idx.hash);
    for (const tx of block.txs) batch.delTx(tx.txid());
    batch.setTip(prev.hash);
    await batch.write();
    this.applyCoins(view);
    this.active.pop();
    return block;
  }

  /** Marks a block and its descendants invalid and moves the tip off them (`invalidateblock`). */
  async invalidateBlock(hash: BlockHash): Promise<ChainChanges> {
    const idx = this.index.get(hash);
    if (idx === undefined) throw new RangeError(`unknown block ${hash}`);
    if (idx.height === 0)
      throw new RejectError("consensus", "genesis-block", "cannot invalidate the genesis block", hash);
    const disconnected: Block[] = [];
    while (this.isActive(idx)) disconnected.push(await this.disconnectTip());
    await this.markFailed(idx, undefined);
    this.refreshCandidates();
    const more = await this.activateBestChain();
    return { disconnected: [...disconnected, ...more.disconnected], connected: more.connected };
  }

  /** Clears invalid marks set on a block, its ancestors and descendants (`reconsiderblock`). */
  async reconsiderBlock(hash: BlockHash): Promise<ChainChanges> {
    const idx = this.index.get(hash);
    if (idx === undefined) throw new RangeError(`unknown block ${hash}`);
    const batch = this.store.batch();
    const touched = [idx, ...this.descendants(idx)];
    for (let p = idx.prev; p !== undefined; p = p.prev) touched.push(p);
    for (const d of touched) {
      if (!(d.status & FAILED_ANY)) continue;
      d.status &= ~FAILED_ANY;
      this.failReasons.delete(d.hash);
      if (!this.pending.has(d.hash)) batch.putIndex({ header: d.header, height: d.height, status: d.status });
    }
    await batch.write();
    this.refreshCandidates();
    return this.activateBestChain();
  }
}
