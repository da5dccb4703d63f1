/**
 * Errors of the L2 node. Each carries a machine-readable `code`, the offending value, and the
 * JSON-RPC error code and message a geth node would answer with, so wallets and libraries that
 * match geth's strings (ethers, viem, Hardhat) classify them correctly.
 */
import { LvmError } from "../core/index.js";

/** Machine-readable reasons a transaction or request is refused. */
export type L2ErrorCode =
  | "INVALID_RLP"
  | "UNSUPPORTED_TX_TYPE"
  | "INVALID_SIGNATURE"
  | "UNPROTECTED_TX"
  | "WRONG_CHAIN_ID"
  | "NONCE_TOO_LOW"
  | "NONCE_TOO_HIGH"
  | "ALREADY_KNOWN"
  | "REPLACEMENT_UNDERPRICED"
  | "UNDERPRICED"
  | "FEE_CAP_BELOW_BASE_FEE"
  | "TIP_ABOVE_FEE_CAP"
  | "OVERSIZED"
  | "INSUFFICIENT_FUNDS"
  | "INTRINSIC_GAS_TOO_LOW"
  | "GAS_LIMIT_EXCEEDED"
  | "POOL_FULL"
  | "INVALID_PARAMS"
  | "METHOD_NOT_FOUND"
  | "EXECUTOR"
  | "REPLAY_DIVERGED"
  | "DATADIR_MISMATCH"
  | "BATCH_MISSING";

/** JSON-RPC 2.0 error codes used by geth. */
export const RPC_INVALID_PARAMS = -32602;
export const RPC_METHOD_NOT_FOUND = -32601;
/** geth answers every transaction-pool rejection with this code. */
export const RPC_SERVER_ERROR = -32000;

export class L2Error extends LvmError<L2ErrorCode> {
  override readonly name = "L2Error";
  constructor(
    code: L2ErrorCode,
    message: string,
    value: unknown,
    /** The JSON-RPC error code to answer with. */
    readonly rpcCode: number = RPC_SERVER_ERROR,
    /** JSON-RPC `data` (e.g. revert data), passed through as is. */
    readonly rpcData?: unknown,
    cause?: unknown,
  ) {
    super(code, message, { value, cause });
  }
}
