/** Public surface of the L2 node. */
export type { Batch, BatchProof, BatchProver, BatchWithdrawal } from "./batch.js";
export { EdrExecutor, createEdrProvider } from "./edr.js";
export { L2Error, type L2ErrorCode } from "./errors.js";
export type { ChainSpec, GenesisAccount, LvmExecutor, SealResult } from "./executor.js";
export {
  BRIDGE_ADDRESS,
  BRIDGE_GOVERNOR_SLOT,
  DEV_BALANCE_WEI,
  DEV_MNEMONIC,
  GENESIS_TIME,
  LVM_DEVNET_CHAIN_ID,
  SEQUENCER_FEE_ADDRESS,
  TOTAL_SUPPLY_WEI,
  devAccounts,
  loadBridgeCode,
  lvmChainSpec,
  type DevAccount,
  type GenesisOptions,
} from "./genesis.js";
export { DurableLog, type BlockRecord } from "./log.js";
export { DEFAULT_L2_PORT, L2Node, type L2NodeOptions } from "./node.js";
export { JsonRpcExecutor } from "./rpc-executor.js";
export { createRpc, serveRpc, type RpcHandle, type RpcServerOptions } from "./rpc.js";
export { Sequencer, nextBaseFee, type SequencerOptions } from "./sequencer.js";
export { TxPool, decodeTransaction, intrinsicGas, type PoolTx } from "./txpool.js";
export * from "./types.js";
export { ZkBatchProver, type ChunkProof } from "./zk-prover.js";
