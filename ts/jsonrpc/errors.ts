/**
 * The error a JSON-RPC method throws to answer with a given JSON-RPC `code`, `message` and `data`.
 * Anything else a handler throws is answered as an internal error without its text.
 */
import { LvmError, type LvmErrorOptions } from "../core/index.js";

/** JSON-RPC 2.0 and geth's codes. */
export const JsonRpcCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** geth's default for a method's error (transaction-pool rejections, "filter not found"). */
  SERVER_ERROR: -32000,
  TIMEOUT: -32002,
  RESPONSE_TOO_LARGE: -32003,
} as const;

export type JsonRpcErrorCode =
  | "PARSE_ERROR"
  | "INVALID_REQUEST"
  | "METHOD_NOT_FOUND"
  | "INVALID_PARAMS"
  | "INTERNAL_ERROR"
  | "SERVER_ERROR"
  | "TIMEOUT"
  | "RESPONSE_TOO_LARGE";

export interface JsonRpcErrorOptions extends LvmErrorOptions {
  /** JSON-RPC `code`; defaults to the one named by `code`. */
  rpcCode?: number;
  /** JSON-RPC `data`, passed through as is (revert data, for example). */
  rpcData?: unknown;
}

export class JsonRpcError extends LvmError<JsonRpcErrorCode> {
  override readonly name = "JsonRpcError";
  readonly rpcCode: number;
  readonly rpcData: unknown;
  constructor(code: JsonRpcErrorCode, message: string, options: JsonRpcErrorOptions = {}) {
    super(code, message, options);
    this.rpcCode = options.rpcCode ?? JsonRpcCode[code];
    this.rpcData = options.rpcData;
  }
}
