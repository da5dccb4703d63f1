/** Machine-readable reasons a ZK pipeline step refuses its input. */
import { LvmError } from "../core/index.js";

export type ZkErrorCode =
  | "CIRCUIT_NOT_FOUND"
  | "CIRCUIT_COMPILE_FAILED"
  | "PTAU_NOT_FOUND"
  | "PTAU_INVALID"
  | "PTAU_TOO_SMALL"
  | "PROOF_FILE_INVALID"
  | "INPUT_INVALID"
  | "WITNESS_FAILED"
  | "VKEY_MISMATCH"
  | "PUBLIC_INPUT_COUNT"
  | "SETUP_FAILED";

/** Every bad input to the ZK pipeline surfaces as this: one line naming the file or value and the problem. */
export class ZkError extends LvmError<ZkErrorCode> {
  override readonly name = "ZkError";
  /** The offending file path or value. */
  declare readonly value: string;
  constructor(code: ZkErrorCode, value: string, problem: string, cause?: unknown) {
    super(code, `${value}: ${problem}`, { value, cause });
  }
}
