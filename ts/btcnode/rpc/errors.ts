/** Bitcoin Core's RPC error codes (src/rpc/protocol.h) and the error class carrying them. */
import { LvmError, type LvmErrorOptions } from "../../core/index.js";

export const RpcCode = {
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  PARSE_ERROR: -32700,
  MISC_ERROR: -1,
  TYPE_ERROR: -3,
  INVALID_ADDRESS_OR_KEY: -5,
  OUT_OF_MEMORY: -7,
  INVALID_PARAMETER: -8,
  DATABASE_ERROR: -20,
  DESERIALIZATION_ERROR: -22,
  VERIFY_ERROR: -25,
  VERIFY_REJECTED: -26,
  VERIFY_ALREADY_IN_CHAIN: -27,
  IN_WARMUP: -28,
  METHOD_DEPRECATED: -32,
  CLIENT_NOT_CONNECTED: -9,
  CLIENT_IN_INITIAL_DOWNLOAD: -10,
} as const;

export type RpcCodeValue = (typeof RpcCode)[keyof typeof RpcCode];

/** The name of a Core RPC code (`RPC_VERIFY_REJECTED` is "VERIFY_REJECTED"); "RPC_ERROR" for others. */
export type RpcErrorCode = keyof typeof RpcCode | "RPC_ERROR";

const CODE_NAMES = new Map<number, keyof typeof RpcCode>(
  Object.entries(RpcCode).map(([name, n]) => [n, name as keyof typeof RpcCode]),
);

/**
 * An error answered to an RPC client as `{ code: rpcCode, message }`. `rpcCode` is Core's
 * numeric code, for the wire; `code` is its name, like every LvmError's.
 */
export class RpcError extends LvmError<RpcErrorCode> {
  override readonly name = "RpcError";
  constructor(
    readonly rpcCode: number,
    message: string,
    options: LvmErrorOptions = {},
  ) {
    super(CODE_NAMES.get(rpcCode) ?? "RPC_ERROR", message, options);
  }
}
