/**
 * Embedded Bitcoin node: regtest (or mainnet-rules) chain state with full validation, mempool,
 * miner, Bitcoin Core-compatible JSON-RPC, and the `BitcoinBackend` services use.
 */
export { BtcNode, type NodeOptions, type TxLookup, type TestAcceptResult, type NodeEvents } from "./node.js";
export { startRegtestNode, type RegtestNodeOptions, type RunningNode } from "./service.js";
export {
  EmbeddedBackend,
  BitcoindRpcBackend,
  BackendRejectError,
  type BitcoinBackend,
  type BackendNetwork,
  type BitcoindRpcBackendOptions,
  type ChainInfo,
  type TxStatus,
  type Utxo,
  type TxOutInfo,
  type TxProof,
  type MempoolTestResult,
} from "./backend.js";
export { MAINNET, REGTEST, chainParams, genesisBlock, type ChainParams, type ChainName } from "./params.js";
export { DEFAULT_POLICY, type PolicyOptions } from "./policy.js";
export { RejectError, NodeInputError, StorageError, type RejectKind } from "./errors.js";
export { addressToScript, scriptToAddress, AddressError } from "./address.js";
export type { BlockIndex, ChainChanges } from "./chain.js";
export type { Coin } from "./coins.js";
export type { MempoolEntry, AcceptResult } from "./mempool.js";
export { JsonRpcClient, RpcTransportError, type RpcClientOptions } from "./rpc/client.js";
export { RpcError, RpcCode } from "./rpc/errors.js";
export {
  startRpcServer,
  type RpcServer,
  type RpcServerOptions,
  type RpcMethod,
  type RpcTable,
} from "./rpc/server.js";
export { nodeMethods } from "./rpc/methods.js";
