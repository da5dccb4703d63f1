export type RelayerErrorCode =
  | "BAD_HEADER" // the source returned something that is not an 80-byte header
  | "NO_COMMON_ANCESTOR" // the source shares no block with the contract's best chain
  | "REORG_TOO_DEEP" // a competing branch longer than one transaction may carry
  | "FORK_NOT_HEAVIER" // the contract refuses the source's branch (tie or lighter)
  | "SUBMIT_FAILED" // the L2 transaction reverted or could not be sent
  | "BAD_OPTION";

/** A relayer failure with a machine-readable code and the offending value. */
export class RelayerError extends Error {
  constructor(
    readonly code: RelayerErrorCode,
    message: string,
    readonly value?: unknown,
  ) {
    super(message);
    this.name = "RelayerError";
  }
}
