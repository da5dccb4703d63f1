/**
 * `BitcoinBackend`: the one way services talk to Bitcoin. `EmbeddedBackend` drives an in-process
 * BtcNode; `BitcoindRpcBackend` speaks Bitcoin Core's JSON-RPC to bitcoind (any network) or to
 * this project's node, so the same service code runs on the devnet and against real networks.
 */
import {
  Block,
  BlockHeader,
  Transaction,
  merkleBranch,
  type BlockHash,
  type Outpoint,
  type Sats,
  type Txid,
} from "../bitcoin/index.js";
import { addressToScript } from "./address.js";
import { NodeInputError, RejectError } from "./errors.js";
import type { BtcNode } from "./node.js";
import { JsonRpcClient, type RpcClientOptions } from "./rpc/client.js";
import { RpcCode, RpcError } from "./rpc/errors.js";
import { btcToSats, hexToBytes, isHex, LvmError } from "../core/index.js";

export interface ChainInfo {
  readonly chain: string;
  readonly height: number;
  readonly bestBlockHash: BlockHash;
  readonly medianTime: number;
}

/** Where a transaction is: confirmations 0 means in the mempool. */
export interface TxStatus {
  readonly confirmations: number;
  readonly blockHash?: BlockHash;
  readonly blockHeight?: number;
}

export interface Utxo {
  readonly outpoint: Outpoint;
  readonly value: Sats;
  readonly scriptPubKey: Uint8Array;
  readonly height: number;
  readonly coinbase: boolean;
}

export interface TxOutInfo {
  readonly value: Sats;
  readonly scriptPubKey: Uint8Array;
  readonly confirmations: number;
  readonly coinbase: boolean;
}

/** What an SPV verifier needs to check that a transaction is in a block. */
export interface TxProof {
  readonly tx: Transaction;
  readonly blockHash: BlockHash;
  readonly blockHeight: number;
  readonly header: BlockHeader;
  /** Position of the transaction in the block. */
  readonly index: number;
  /** Sibling hashes from the leaf up, internal byte order. */
  readonly branch: Uint8Array[];
  readonly confirmations: number;
}

export interface MempoolTestResult {
  readonly allowed: boolean;
  readonly rejectReason?: string;
  readonly vsize?: number;
  readonly fee?: Sats;
}

/** A transaction or block the backend refused; `code` is bitcoind's RPC code, `reason` its message. */
export class BackendRejectError extends LvmError<number> {
  override readonly name = "BackendRejectError";
  declare readonly value: string | undefined;
  constructor(
    code: number,
    readonly reason: string,
    value?: string,
    cause?: unknown,
  ) {
    super(code, reason, { value, cause });
  }
}

/** Network names as bitcoind reports them in `getblockchaininfo.chain`. */
export type BackendNetwork = "main" | "test" | "testnet4" | "signet" | "regtest";

export interface BitcoinBackend {
  readonly network: BackendNetwork;
  chainInfo(): Promise<ChainInfo>;
  getBlockCount(): Promise<number>;
  getBestBlockHash(): Promise<BlockHash>;
  getBlockHash(height: number): Promise<BlockHash>;
  getBlockHeader(hash: BlockHash): Promise<BlockHeader>;
  getBlock(hash: BlockHash): Promise<Block>;
  /** undefined when unknown (needs -txindex on bitcoind for confirmed non-wallet transactions). */
  getTransaction(txid: Txid): Promise<Transaction | undefined>;
  getTxStatus(txid: Txid): Promise<TxStatus | undefined>;
  getTxOut(outpoint: Outpoint, includeMempool?: boolean): Promise<TxOutInfo | undefined>;
  /** Merkle proof of a confirmed transaction (undefined when unconfirmed or unknown). */
  getTxProof(txid: Txid): Promise<TxProof | undefined>;
  /** Broadcast; throws BackendRejectError with bitcoind's code and reason. */
  sendTransaction(tx: Transaction): Promise<Txid>;
  /** Broadcast a serialized transaction (for callers that build with another library). */
  sendRawTransaction(hex: string): Promise<Txid>;
  testMempoolAccept(tx: Transaction): Promise<MempoolTestResult>;
  /** Confirmed unspent outputs paying an address or raw scriptPubKey. */
  scanUtxos(target: string | Uint8Array): Promise<Utxo[]>;
  /** sat/vB, undefined without data. */
  estimateFeeRate(targetBlocks: number): Promise<number | undefined>;
  /** Regtest only: mine blocks paying `address`. */
  mine(blocks: number, address: string): Promise<BlockHash[]>;
  /** Regtest/test helper: mark a block invalid (reorg it out). */
  invalidateBlock(hash: BlockHash): Promise<void>;
  close(): Promise<void>;
}

const sats = (v: bigint): Sats => v as Sats;

/** Decodes a hex transaction; a malformed one is a rejection with bitcoind's -22. */
function decodeTxHex(hex: string): Transaction {
  let cause: unknown;
  if (hex.length > 0 && isHex(hex))
    try {
      return Transaction.decode(hexToBytes(hex));
    } catch (e) {
      cause = e;
    }
  throw new BackendRejectError(
    RpcCode.DESERIALIZATION_ERROR,
    "TX decode failed. Make sure the tx has at least one input.",
    hex.slice(0, 64),
    cause,
  );
}

/** Builds a TxProof from the block a backend reports the transaction in. */
async function proofFrom(b: BitcoinBackend, txid: Txid): Promise<TxProof | undefined> {
  const status = await b.getTxStatus(txid);
  if (status?.blockHash === undefined || status.blockHeight === undefined) return undefined;
  const block = await b.getBlock(status.blockHash);
  const index = block.txs.findIndex((t) => t.txid() === txid);
  if (index < 0) return undefined;
  return {
    tx: block.txs[index],
    blockHash: status.blockHash,
    blockHeight: status.blockHeight,
    header: block.header,
    index,
    branch: merkleBranch(
      block.txs.map((t) => t.hashBytes()),
      index,
    ),
    confirmations: status.confirmations,
  };
}

/** The in-process node as a backend. */
export class EmbeddedBackend implements BitcoinBackend {
  readonly network: BackendNetwork;
  constructor(
    readonly node: BtcNode,
    private readonly ownsNode = false,
  ) {
    this.network = node.params.name;
  }

  async chainInfo(): Promise<ChainInfo> {
    const tip = this.node.tip;
    return {
      chain: this.network,
      height: tip.height,
      bestBlockHash: tip.hash,
      medianTime: this.node.medianTimePast(tip),
    };
  }
  async getBlockCount(): Promise<number> {
    return this.node.height;
  }
  async getBestBlockHash(): Promise<BlockHash> {
    return this.node.tip.hash;
  }
  async getBlockHash(height: number): Promise<BlockHash> {
    return this.node.blockHash(height);
  }
  async getBlockHeader(hash: BlockHash): Promise<BlockHeader> {
    const idx = this.node.blockIndex(hash);
    if (idx === undefined) throw new NodeInputError("block-not-found", "Block not found", hash);
    return idx.header;
  }
  getBlock(hash: BlockHash): Promise<Block> {
    return this.node.getBlock(hash);
  }
  async getTransaction(txid: Txid): Promise<Transaction | undefined> {
    return (await this.node.getTransaction(txid))?.tx;
  }
  async getTxStatus(txid: Txid): Promise<TxStatus | undefined> {
    const t = await this.node.getTransaction(txid);
    if (t === undefined) return undefined;
    if (t.block === undefined) return { confirmations: 0 };
    return {
      confirmations: this.node.height - t.block.height + 1,
      blockHash: t.block.hash,
      blockHeight: t.block.height,
    };
  }
  async getTxOut(outpoint: Outpoint, includeMempool = true): Promise<TxOutInfo | undefined> {
    const c = this.node.getTxOut(outpoint, includeMempool);
    if (c === undefined) return undefined;
    const confirmed = this.node.getTxOut(outpoint, false) !== undefined;
    return {
      value: sats(c.value),
      scriptPubKey: c.scriptPubKey,
      confirmations: confirmed ? this.node.height - c.height + 1 : 0,
      coinbase: c.coinbase,
    };
  }
  getTxProof(txid: Txid): Promise<TxProof | undefined> {
    return proofFrom(this, txid);
  }
  async sendTransaction(tx: Transaction): Promise<Txid> {
    try {
      return (await this.node.sendTransaction(tx)).txid;
    } catch (e) {
      if (e instanceof RejectError) {
        if (e.reason === "txn-already-in-mempool") return tx.txid();
        const code =
          e.kind === "missing-inputs"
            ? RpcCode.VERIFY_ERROR
            : e.reason === "txn-already-known"
              ? RpcCode.VERIFY_ALREADY_IN_CHAIN
              : RpcCode.VERIFY_REJECTED;
        throw new BackendRejectError(code, e.message, tx.txid(), e);
      }
      throw e;
    }
  }
  async sendRawTransaction(hex: string): Promise<Txid> {
    return this.sendTransaction(decodeTxHex(hex));
  }
  async testMempoolAccept(tx: Transaction): Promise<MempoolTestResult> {
    const [r] = await this.node.testAccept([tx]);
    return {
      allowed: r.allowed === true,
      rejectReason: r.rejectReason,
      vsize: r.vsize,
      fee: r.fee === undefined ? undefined : sats(r.fee),
    };
  }
  async scanUtxos(target: string | Uint8Array): Promise<Utxo[]> {
    const script = typeof target === "string" ? addressToScript(target, this.node.params) : target;
    return this.node.scanUtxos([script]).map(({ outpoint, coin }) => ({
      outpoint,
      value: sats(coin.value),
      scriptPubKey: coin.scriptPubKey,
      height: coin.height,
      coinbase: coin.coinbase,
    }));
  }
  async estimateFeeRate(targetBlocks: number): Promise<number | undefined> {
    const e = this.node.estimateFee(targetBlocks, "economical");
    return e === undefined ? undefined : Number(e.feeRate) / 1000;
  }
  async mine(blocks: number, address: string): Promise<BlockHash[]> {
    return this.node.generate(blocks, addressToScript(address, this.node.params));
  }
  async invalidateBlock(hash: BlockHash): Promise<void> {
    await this.node.invalidateBlock(hash);
  }
  async close(): Promise<void> {
    if (this.ownsNode) await this.node.close();
  }
}

export interface BitcoindRpcBackendOptions extends RpcClientOptions {
  /** Expected network; checked against getblockchaininfo by `connect`. */
  readonly network?: BackendNetwork;
}

/** bitcoind (or this project's node) over JSON-RPC. */
export class BitcoindRpcBackend implements BitcoinBackend {
  readonly rpc: JsonRpcClient;
  readonly network: BackendNetwork;

  constructor(opts: BitcoindRpcBackendOptions) {
    this.rpc = new JsonRpcClient(opts);
    this.network = opts.network ?? "regtest";
  }

  /** Creates the backend and checks that the server is reachable and on the expected chain. */
  static async connect(opts: BitcoindRpcBackendOptions): Promise<BitcoindRpcBackend> {
    const b = new BitcoindRpcBackend(opts);
    const info = await b.chainInfo();
    if (opts.network !== undefined && info.chain !== opts.network)
      throw new BackendRejectError(
        RpcCode.MISC_ERROR,
        `server is on ${info.chain}, expected ${opts.network}`,
        info.chain,
      );
    return b;
  }

  private async call<T>(method: string, params: readonly unknown[] = []): Promise<T> {
    return this.rpc.call<T>(method, params);
  }

  async chainInfo(): Promise<ChainInfo> {
    const r = await this.call<{
      chain: string;
      blocks: number;
      bestblockhash: BlockHash;
      mediantime: number;
    }>("getblockchaininfo");
    return { chain: r.chain, height: r.blocks, bestBlockHash: r.bestblockhash, medianTime: r.mediantime };
  }
  getBlockCount(): Promise<number> {
    return this.call("getblockcount");
  }
  getBestBlockHash(): Promise<BlockHash> {
    return this.call("getbestblockhash");
  }
  getBlockHash(height: number): Promise<BlockHash> {
    return this.call("getblockhash", [height]);
  }
  async getBlockHeader(hash: BlockHash): Promise<BlockHeader> {
    return BlockHeader.decode(hexToBytes(await this.call<string>("getblockheader", [hash, false])));
  }
  async getBlock(hash: BlockHash): Promise<Block> {
    return Block.decode(hexToBytes(await this.call<string>("getblock", [hash, 0])));
  }
  private async notFoundAsUndefined<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      return await p;
    } catch (e) {
      if (e instanceof RpcError && e.rpcCode === RpcCode.INVALID_ADDRESS_OR_KEY) return undefined;
      throw e;
    }
  }
  async getTransaction(txid: Txid): Promise<Transaction | undefined> {
    const h = await this.notFoundAsUndefined(this.call<string>("getrawtransaction", [txid, 0]));
    return h === undefined ? undefined : Transaction.decode(hexToBytes(h));
  }
  async getTxStatus(txid: Txid): Promise<TxStatus | undefined> {
    const r = await this.notFoundAsUndefined(
      this.call<{ confirmations?: number; blockhash?: BlockHash }>("getrawtransaction", [txid, 1]),
    );
    if (r === undefined) return undefined;
    if (r.blockhash === undefined) return { confirmations: 0 };
    const h = await this.call<{ height: number }>("getblockheader", [r.blockhash, true]);
    return { confirmations: r.confirmations ?? 0, blockHash: r.blockhash, blockHeight: h.height };
  }
  async getTxOut(outpoint: Outpoint, includeMempool = true): Promise<TxOutInfo | undefined> {
    const r = await this.call<{
      value: number;
      confirmations: number;
      coinbase: boolean;
      scriptPubKey: { hex: string };
    } | null>("gettxout", [outpoint.txid, outpoint.vout, includeMempool]);
    if (r === null) return undefined;
    return {
      value: btcToSats(r.value),
      scriptPubKey: hexToBytes(r.scriptPubKey.hex),
      confirmations: r.confirmations,
      coinbase: r.coinbase,
    };
  }
  getTxProof(txid: Txid): Promise<TxProof | undefined> {
    return proofFrom(this, txid);
  }
  async sendTransaction(tx: Transaction): Promise<Txid> {
    try {
      return await this.call<Txid>("sendrawtransaction", [Buffer.from(tx.encode()).toString("hex")]);
    } catch (e) {
      if (e instanceof RpcError) throw new BackendRejectError(e.rpcCode, e.message, tx.txid(), e);
      throw e;
    }
  }
  async sendRawTransaction(hex: string): Promise<Txid> {
    return this.sendTransaction(decodeTxHex(hex));
  }
  async testMempoolAccept(tx: Transaction): Promise<MempoolTestResult> {
    const [r] = await this.call<
      { allowed?: boolean; "reject-reason"?: string; vsize?: number; fees?: { base: number } }[]
    >("testmempoolaccept", [[Buffer.from(tx.encode()).toString("hex")]]);
    return {
      allowed: r.allowed === true,
      rejectReason: r["reject-reason"],
      vsize: r.vsize,
      fee: r.fees === undefined ? undefined : btcToSats(r.fees.base),
    };
  }
  async scanUtxos(target: string | Uint8Array): Promise<Utxo[]> {
    const desc =
      typeof target === "string" ? `addr(${target})` : `raw(${Buffer.from(target).toString("hex")})`;
    const r = await this.call<{
      unspents: {
        txid: Txid;
        vout: number;
        scriptPubKey: string;
        amount: number;
        height: number;
        coinbase?: boolean;
      }[];
    }>("scantxoutset", ["start", [desc]]);
    return r.unspents.map((u) => ({
      outpoint: { txid: u.txid, vout: u.vout },
      value: btcToSats(u.amount),
      scriptPubKey: hexToBytes(u.scriptPubKey),
      height: u.height,
      coinbase: u.coinbase ?? false,
    }));
  }
  async estimateFeeRate(targetBlocks: number): Promise<number | undefined> {
    const r = await this.call<{ feerate?: number }>("estimatesmartfee", [targetBlocks]);
    return r.feerate === undefined ? undefined : (r.feerate * 1e8) / 1000;
  }
  mine(blocks: number, address: string): Promise<BlockHash[]> {
    return this.call("generatetoaddress", [blocks, address]);
  }
  async invalidateBlock(hash: BlockHash): Promise<void> {
    await this.call("invalidateblock", [hash]);
  }
  async close(): Promise<void> {}
}
