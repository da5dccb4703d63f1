import { LvmError, type LvmErrorOptions } from "../core/index.js";

/** Machine-readable reasons a bridge operation was refused. */
export type BridgeErrorCode =
  | "INVALID_ARGUMENT"
  | "INVALID_KEY"
  | "INVALID_AMOUNT"
  | "INVALID_TXID"
  | "INVALID_RECIPIENT"
  | "INVALID_TIMELOCK"
  | "INVALID_FEE_RATE"
  | "INVALID_COMMITTEE"
  | "UNKNOWN_SIGNER"
  | "NONCE_REUSE"
  | "NONCE_MISSING"
  | "UNKNOWN_ROUND"
  | "GRAPH_MISMATCH"
  | "BAD_NONCE"
  | "BAD_PARTIAL_SIGNATURE"
  | "BAD_SIGNATURE"
  | "MISSING_PRESIGNATURE"
  | "NOT_CONFIRMABLE"
  | "WRONG_DEPOSIT_SCRIPT"
  | "INSUFFICIENT_FUNDS"
  | "NON_STANDARD"
  | "MALFORMED_PSBT"
  | "NOT_CONFIRMED"
  | "STORE_BUSY"
  | "STORE_CORRUPT"
  | "BROADCAST_REFUSED"
  | "CONFLICTED"
  | "UNKNOWN_FLOW"
  | "CONTRACT_REVERT"
  | "RPC_FAILED";

/**
 * Every refusal by the bridge components is a `BridgeError`: `code` says what was wrong, `value`
 * carries the offending input so a caller (or a log line) can show it without parsing the message,
 * `cause` what failed underneath.
 */
export class BridgeError extends LvmError<BridgeErrorCode> {
  override readonly name = "BridgeError";
  constructor(
    code: BridgeErrorCode,
    message: string,
    value?: unknown,
    options: Omit<LvmErrorOptions, "value"> = {},
  ) {
    super(code, message, { ...options, value });
  }
}

/** True for a BridgeError of `code` (branch on codes, never on messages). */
export const isBridgeCode = (e: unknown, code: BridgeErrorCode): e is BridgeError =>
  e instanceof BridgeError && e.code === code;
