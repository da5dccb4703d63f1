/** Typed error for malformed bytes anywhere in the consensus core's parsers. */
import { LvmError } from "../core/index.js";

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

export class BitcoinDecodeError extends LvmError<DecodeErrorCode> {
  override readonly name = "BitcoinDecodeError";
  constructor(
    code: DecodeErrorCode,
    /** Byte offset where decoding failed. */
    readonly offset: number,
    message: string,
    cause?: unknown,
  ) {
    super(code, `${message} (at byte ${offset})`, { details: { offset }, cause });
  }
}

/** A caller passed an argument outside what a consensus-core function is defined for. */
export class BitcoinArgumentError extends LvmError<"INVALID_ARGUMENT"> {
  override readonly name = "BitcoinArgumentError";
  constructor(message: string, value?: unknown) {
    super("INVALID_ARGUMENT", message, { value });
  }
}
