import { LvmError, type LvmErrorOptions } from "../core/index.js";

/** Why the DLC component refused something. Tests and callers branch on these, never on text. */
export const DLC_ERROR_CODES = [
  "BAD_POINT",
  "BAD_SCALAR",
  "BAD_ADAPTOR_SIGNATURE",
  "BAD_ATTESTATION",
  "WRONG_NONCE",
  "WRONG_EVENT",
  "BAD_ANNOUNCEMENT",
  "UNKNOWN_OUTCOME",
  "BAD_OUTCOME",
  "BAD_INTERVAL",
  "BAD_PARAMS",
  "BAD_AMOUNT",
  "BAD_SIGNATURE",
  "NONCE_REUSE",
  "NOT_SETTLEABLE",
  "THRESHOLD_NOT_MET",
  "UNKNOWN_CHANNEL",
] as const;

export type DlcErrorCode = (typeof DLC_ERROR_CODES)[number];

/** Every refusal of `ts/dlc`. Nothing is changed when one is thrown. */
export class DlcError extends LvmError<DlcErrorCode> {
  override readonly name = "DlcError";
  constructor(code: DlcErrorCode, message: string, options?: LvmErrorOptions) {
    super(code, message, options);
  }
}
