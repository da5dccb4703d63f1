/** Typed error for malformed bytes anywhere in the consensus core's parsers. */
export type DecodeErrorCode =
  | "TRUNCATED"
  | "TRAILING_BYTES"
  | "NON_CANONICAL_VARINT"
  | "OVERSIZED"
  | "BAD_WITNESS_FLAG"
  | "SUPERFLUOUS_WITNESS"
  | "BAD_HEX"
  | "BAD_HASH"
  | "BAD_HEADER";

export class BitcoinDecodeError extends Error {
  constructor(
    readonly code: DecodeErrorCode,
    /** Byte offset where decoding failed. */
    readonly offset: number,
    message: string,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = "BitcoinDecodeError";
  }
}
