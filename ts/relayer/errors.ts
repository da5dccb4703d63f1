import { LvmError, type LvmErrorOptions } from "../core/index.js";

export type RelayerErrorCode =
  | "BAD_HEADER" // the source returned something that is not an 80-byte header
  | "NO_COMMON_ANCESTOR" // the source shares no block with the contract's best chain
  | "REORG_TOO_DEEP" // a competing branch longer than one transaction may carry
  | "FORK_NOT_HEAVIER" // the contract refuses the source's branch (tie or lighter)
  | "SUBMIT_FAILED" // the L2 transaction reverted or could not be sent
  | "BAD_OPTION"
  | "NO_BINDINGS"; // types/ (typechain) is missing: the project was not built

/**
 * A relayer failure: a machine-readable code, the offending value and, for a revert, the light
 * client's custom error by name and arguments in `details` (`{ error, args }`).
 */
export class RelayerError extends LvmError<RelayerErrorCode> {
  override readonly name = "RelayerError";

  constructor(
    code: RelayerErrorCode,
    message: string,
    value?: unknown,
    options: Omit<LvmErrorOptions, "value"> = {},
  ) {
    super(code, message, { ...options, value });
  }
}
