/**
 * Batches: every N blocks the node forms a batch, the unit a state claim on L1 commits to
 * (block range, L2 block hash, state root, withdrawal root). A prover, when one is plugged in,
 * is called once per batch.
 */
import { Interface, id as keccakId } from "ethers";

import type { LvmExecutor } from "./executor.js";
import type { Address, BlockHeader, BlockNumber, Hash32, Hex } from "./types.js";

/** What one batch commits to. */
export interface Batch {
  readonly index: number;
  readonly fromBlock: BlockNumber;
  readonly toBlock: BlockNumber;
  /** Hash of the last block of the batch. */
  readonly blockHash: Hash32;
  readonly stateRoot: Hash32;
  /** The bridge's withdrawal accumulator at `toBlock`. */
  readonly withdrawalRoot: Hash32;
  readonly withdrawalCount: number;
  /** The withdrawals recorded in this batch's blocks, in id order. */
  readonly withdrawals: readonly BatchWithdrawal[];
}

/** One peg-out request, as the bridge's WithdrawalInitiated event records it. */
export interface BatchWithdrawal {
  readonly id: number;
  /** Satoshis, as a decimal string (JSON has no bigint). */
  readonly sats: string;
  readonly scriptPubKey: Hex;
}

/**
 * The hook through which the node asks the LVM's back end for a proof of a batch. The ZK prover
 * (ts/zk, Groth16 / PLONK) implements it; the node keeps what it returns next to the batch.
 */
export interface BatchProver {
  /** A short name of the proof system, e.g. "groth16". */
  readonly system: string;
  /**
   * Proves `batch`. Batches arrive in index order, but a prover that keeps state across batches
   * (a tree) may start mid-chain after a restart: `earlier(i)` returns batch i from the log.
   */
  prove(batch: Batch, earlier: (index: number) => Promise<Batch | undefined>): Promise<BatchProof>;
}

/** An opaque proof as the prover returns it, serialisable to JSON. */
export interface BatchProof {
  readonly system: string;
  readonly proof: unknown;
  readonly publicSignals: readonly string[];
}

const BRIDGE_EVENTS = new Interface([
  "event WithdrawalInitiated(uint256 indexed id, address indexed sender, uint64 sats, bytes scriptPubKey, bytes32 leaf, bytes32 withdrawalRoot)",
]);
const WITHDRAWAL_INITIATED = BRIDGE_EVENTS.getEvent("WithdrawalInitiated")!.topicHash;
const WITHDRAWAL_ROOT = keccakId("withdrawalRoot()").slice(0, 10);
const WITHDRAWAL_COUNT = keccakId("withdrawalCount()").slice(0, 10);

/** Reads the batch facts for blocks (`fromBlock`…`block.number`) from the executor. */
export async function formBatch(
  executor: LvmExecutor,
  bridge: Address,
  index: number,
  fromBlock: BlockNumber,
  block: BlockHeader,
): Promise<Batch> {
  const tag = `0x${block.number.toString(16)}`;
  const root = (await executor.request("eth_call", [{ to: bridge, data: WITHDRAWAL_ROOT }, tag])) as Hash32;
  const count = (await executor.request("eth_call", [{ to: bridge, data: WITHDRAWAL_COUNT }, tag])) as string;
  const logs = (await executor.request("eth_getLogs", [
    {
      address: bridge,
      fromBlock: `0x${fromBlock.toString(16)}`,
      toBlock: tag,
      topics: [WITHDRAWAL_INITIATED],
    },
  ])) as { topics: string[]; data: string }[];
  const withdrawals = logs.map((log): BatchWithdrawal => {
    const ev = BRIDGE_EVENTS.parseLog(log)!;
    return {
      id: Number(ev.args.getValue("id") as bigint),
      sats: (ev.args.getValue("sats") as bigint).toString(),
      scriptPubKey: ev.args.getValue("scriptPubKey") as Hex,
    };
  });
  return {
    index,
    fromBlock,
    toBlock: block.number,
    blockHash: block.hash,
    stateRoot: block.stateRoot,
    withdrawalRoot: root === "0x" ? (`0x${"0".repeat(64)}` as Hash32) : root,
    withdrawalCount: count === "0x" ? 0 : Number(BigInt(count)),
    withdrawals,
  };
}
