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
  | "NOT_CONFIRMED";

/**
 * Every refusal by `ts/bridge` is a `BridgeError`: `code` says what was wrong, `value` carries the
 * offending input so a caller (or a log line) can show it without parsing the message.
 */
export class BridgeError extends Error {
  override readonly name = "BridgeError";
  constructor(
    readonly code: BridgeErrorCode,
    message: string,
    readonly value?: unknown,
  ) {
    super(message);
  }
}
