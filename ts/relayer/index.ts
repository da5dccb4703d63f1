/**
 * Bitcoin header relayer: keeps the L2 light client (contracts/bitcoin/BtcLightClient.sol) at the
 * best chain of a Bitcoin source (`BitcoinBackend` from ts/btcnode, or anything shaped alike).
 */
export { Relayer, type RelayerOptions } from "./relayer.js";
export { EthersLightClient, decodeLightClientError, type DecodedRevert } from "./contract.js";
export { RelayerError, type RelayerErrorCode } from "./errors.js";
export { displayToInternal, internalToDisplay, headerHash } from "./hashes.js";
export type {
  DisplayHash,
  InternalHash,
  Height,
  HeaderSource,
  LightClientPort,
  SubmitReceipt,
  RelayEvent,
  SyncReport,
} from "./types.js";
