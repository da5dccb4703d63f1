import { LvmError, type LvmErrorOptions } from "../core/index.js";

/** Machine-readable reasons the watchtower refused an input or a step. */
export type ChallengerErrorCode =
  | "INVALID_TXID" // not 64 hex digits
  | "UNKNOWN_GRAPH" // no known peg-out graph has this KickOff
  | "MALFORMED_TX" // bytes that do not decode as a transaction
  | "NOT_A_KICKOFF" // a transaction that is no known graph's KickOff
  | "NOT_ON_L1" // the KickOff is neither in the mempool nor in a block
  | "HONEST_CLAIM" // a manual challenge of a claim the L2 covers (pass force to challenge anyway)
  | "CONNECTOR_SPENT" // KickOff's challenge connector is spent (Take1, or another Challenge)
  | "NO_FUNDS" // the challenger has no coin to fund the Challenge
  | "NOT_AN_ASSERT" // a transaction that is no known graph's Assert
  | "MALFORMED_ASSERT" // an Assert whose witness does not have the shape of the graph's program
  | "NO_PRESIGNATURE"; // an AssertTimeout is due but the graph came without the committee's presignature

/**
 * A watchtower refusal: `code` says what was wrong, `value` carries the offending input, `cause`
 * what failed underneath (a `BridgeError` from the graph code, say).
 */
export class ChallengerError extends LvmError<ChallengerErrorCode> {
  override readonly name = "ChallengerError";
  constructor(
    code: ChallengerErrorCode,
    message: string,
    value?: unknown,
    options: Omit<LvmErrorOptions, "value"> = {},
  ) {
    super(code, message, { ...options, value });
  }
}
