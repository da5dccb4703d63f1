/**
 * The LVM executor: the front end that runs EVM transactions and seals blocks. The sequencer
 * decides *what* goes into a block and *when*; the executor only executes. Two implementations
 * share one Ethereum JSON-RPC dialect (the Hardhat one: `evm_setAutomine`, `evm_mine`,
 * `hardhat_dropTransaction`): EDR in process ({@link EdrExecutor}) and any node reached over
 * HTTP ({@link JsonRpcExecutor}).
 */
import { AbiCoder } from "ethers";

import { L2Error } from "./errors.js";
import {
  wei,
  type AccountState,
  type Address,
  type BlockHeader,
  type BlockNumber,
  type Hash32,
  type Hex,
  type RawTx,
  type Wei,
} from "./types.js";

/** An account present at genesis. */
export interface GenesisAccount {
  readonly address: Address;
  readonly balance: Wei;
  /** Runtime bytecode for a predeployed contract. */
  readonly code?: Hex;
  /** Storage slots a predeploy starts with (slot → value, 32-byte hex each); empty otherwise. */
  readonly storage?: Readonly<Record<Hex, Hex>>;
}

/** Everything that determines the chain's genesis and its rules. */
export interface ChainSpec {
  readonly chainId: bigint;
  /** Genesis block time, seconds since the epoch. */
  readonly genesisTime: number;
  readonly blockGasLimit: bigint;
  readonly initialBaseFeePerGas: bigint;
  /** Receives priority fees (the sequencer's fee account). */
  readonly coinbase: Address;
  readonly hardfork: "prague" | "cancun";
  readonly alloc: readonly GenesisAccount[];
}

/** What sealing a block did with the transactions it was given. */
export interface SealResult {
  readonly block: BlockHeader;
  /** Refused by the executor (e.g. funds spent by an earlier transaction of the block). */
  readonly rejected: readonly { readonly hash: Hash32; readonly reason: string }[];
  /** Valid but not included (block full); removed from the executor's own pool. */
  readonly deferred: readonly Hash32[];
}

/** The executor interface the sequencer and the RPC server drive. */
export interface LvmExecutor {
  readonly kind: "edr" | "json-rpc";
  /** Whether two consecutive blocks may carry the same timestamp. */
  readonly allowsSameTimestamp: boolean;
  /** Sets the genesis up (or checks a running node against it) and returns the head block. */
  start(spec: ChainSpec): Promise<BlockHeader>;
  /** A read-only Ethereum JSON-RPC call (eth_call, eth_getLogs, …). Throws {@link L2Error} "EXECUTOR". */
  request(method: string, params: readonly unknown[]): Promise<unknown>;
  /** Nonces and balances at the head, in one round trip where the transport allows it. */
  accounts(addresses: readonly Address[]): Promise<AccountState[]>;
  /**
   * Puts a transaction the sequencer has admitted into the executor's pool, where it is checked
   * and decoded again by the EVM's own rules as it arrives, not when the block is sealed. Throws
   * {@link L2Error} "EXECUTOR" with the executor's reason if refused.
   */
  submit(tx: RawTx): Promise<void>;
  /** Seals one block from the pool with `timestamp` (the pool's fee-priority order) and returns it. */
  mine(timestamp: number): Promise<BlockHeader>;
  /**
   * Executes exactly `txs` in one new block with `timestamp`, by the same ordering rule as
   * {@link mine} (a replayed block's transactions come out in their recorded order); leaves
   * nothing behind in the pool.
   */
  sealBlock(txs: readonly RawTx[], timestamp: number): Promise<SealResult>;
  /** The block at `number`, or undefined past the head. */
  block(number: BlockNumber | "latest"): Promise<BlockHeader | undefined>;
  close(): Promise<void>;
}

interface RpcBlock {
  number: Hex;
  hash: Hash32;
  stateRoot: Hash32;
  timestamp: Hex;
  gasUsed: Hex;
  gasLimit: Hex;
  baseFeePerGas?: Hex;
  transactions: Hash32[];
}

/** A JSON-RPC answer as both EDR and HTTP nodes produce it. */
export interface RpcAnswer {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** The revert bytes in a Hardhat/EDR (`{ data: { data: "0x…" } }`) or geth (`"0x…"`) error. */
function revertData(data: unknown): string | undefined {
  const inner = typeof data === "object" && data !== null ? (data as { data?: unknown }).data : data;
  return typeof inner === "string" && /^0x([0-9a-fA-F]{2})*$/.test(inner) ? inner : undefined;
}

/** geth's message: "execution reverted", with the reason of an Error(string) revert. */
function revertMessage(data: string): string {
  if (!data.startsWith("0x08c379a0")) return "execution reverted";
  try {
    const [reason] = AbiCoder.defaultAbiCoder().decode(["string"], "0x" + data.slice(10)) as unknown as [
      string,
    ];
    return `execution reverted: ${reason}`;
  } catch {
    return "execution reverted";
  }
}

/** Shared logic: both executors speak the same JSON-RPC, only the transport differs. */
export abstract class RpcDialectExecutor implements LvmExecutor {
  abstract readonly kind: "edr" | "json-rpc";
  abstract readonly allowsSameTimestamp: boolean;
  abstract start(spec: ChainSpec): Promise<BlockHeader>;
  abstract close(): Promise<void>;
  protected abstract send(method: string, params: readonly unknown[]): Promise<RpcAnswer>;

  /** Several calls, answered in order; one by one here, as one batch where a transport can. */
  protected sendBatch(calls: readonly (readonly [string, readonly unknown[]])[]): Promise<RpcAnswer[]> {
    return Promise.all(calls.map(([method, params]) => this.send(method, params)));
  }

  async accounts(addresses: readonly Address[]): Promise<AccountState[]> {
    const answers = await this.sendBatch(
      addresses.flatMap((a) => [
        ["eth_getTransactionCount", [a, "latest"]] as const,
        ["eth_getBalance", [a, "latest"]] as const,
      ]),
    );
    const value = (answer: RpcAnswer | undefined, address: Address): string => {
      if (answer?.error !== undefined || typeof answer?.result !== "string")
        throw new L2Error("EXECUTOR", answer?.error?.message ?? "no account state", address);
      return answer.result;
    };
    return addresses.map((a, i) => ({
      nonce: Number(value(answers[2 * i], a)),
      balance: wei(BigInt(value(answers[2 * i + 1], a))),
    }));
  }

  async request(method: string, params: readonly unknown[]): Promise<unknown> {
    const answer = await this.send(method, params);
    if (answer.error !== undefined) {
      const revert = revertData(answer.error.data);
      // Reverts are answered as geth does (code 3, "execution reverted", the revert bytes as
      // data), which is what ethers and viem decode custom errors from; Hardhat nests them.
      if (revert !== undefined) throw new L2Error("EXECUTOR", revertMessage(revert), method, 3, revert);
      throw new L2Error("EXECUTOR", answer.error.message, method, answer.error.code, answer.error.data);
    }
    return answer.result ?? null;
  }

  /** Puts `txs` into the node's pool one by one, in order; returns the ones it refused. */
  protected async submitInOrder(txs: readonly RawTx[]): Promise<Rejection[]> {
    const rejected: Rejection[] = [];
    for (const tx of txs) {
      const answer = await this.send("eth_sendRawTransaction", [tx.raw]);
      if (answer.error !== undefined) rejected.push({ hash: tx.hash, reason: answer.error.message });
    }
    return rejected;
  }

  async block(number: BlockNumber | "latest"): Promise<BlockHeader | undefined> {
    const tag = number === "latest" ? "latest" : `0x${number.toString(16)}`;
    const b = (await this.request("eth_getBlockByNumber", [tag, false])) as RpcBlock | null;
    return b === null ? undefined : toHeader(b);
  }

  async submit(tx: RawTx): Promise<void> {
    await this.request("eth_sendRawTransaction", [tx.raw]);
  }

  async mine(timestamp: number): Promise<BlockHeader> {
    await this.request("evm_mine", [timestamp]);
    const block = await this.block("latest");
    if (block === undefined) throw new L2Error("EXECUTOR", "no block after evm_mine", timestamp);
    return block;
  }

  async sealBlock(txs: readonly RawTx[], timestamp: number): Promise<SealResult> {
    const rejected = await this.submitInOrder(txs);
    const block = await this.mine(timestamp);
    const included = new Set(block.transactions);
    const refused = new Set(rejected.map((r) => r.hash));
    const deferred = txs.map((t) => t.hash).filter((h) => !included.has(h) && !refused.has(h));
    // Anything left in the executor's own pool would be mined in an order we did not choose.
    for (const hash of deferred) await this.request("hardhat_dropTransaction", [hash]);
    return { block, rejected, deferred };
  }
}

/** What {@link RpcDialectExecutor.submitInOrder} reports for transactions the node refused. */
export type Rejection = { readonly hash: Hash32; readonly reason: string };

function toHeader(b: RpcBlock): BlockHeader {
  return {
    number: Number(b.number),
    hash: b.hash,
    stateRoot: b.stateRoot,
    timestamp: Number(b.timestamp),
    gasUsed: BigInt(b.gasUsed),
    gasLimit: BigInt(b.gasLimit),
    baseFeePerGas: BigInt(b.baseFeePerGas ?? "0x0"),
    transactions: b.transactions,
  };
}
