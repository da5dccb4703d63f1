import { LvmError, type LvmErrorOptions } from "../core/index.js";

export type DashboardErrorCode =
  /** A path parameter or query string that does not match the API (HTTP 400). */
  | "BAD_REQUEST"
  /** A well-formed id nothing is known by (HTTP 404). */
  | "UNKNOWN_DEPOSIT"
  | "UNKNOWN_WITHDRAWAL"
  | "UNKNOWN_GRAPH"
  | "UNKNOWN_TRANSACTION"
  | "UNKNOWN_CHANNEL"
  /** The devnet runs no OP-DLC bridge, so there is no DLC panel to answer from (HTTP 404). */
  | "NO_DLC"
  | "NOT_FOUND"
  /** The first snapshot has not been read yet (HTTP 503). */
  | "NOT_READY"
  /** The dashboard service's URL asked for before its start (HTTP 503). */
  | "NOT_STARTED"
  /** The data source failed (HTTP 502); the server keeps running and retries. */
  | "SOURCE_FAILED";

const STATUS: Record<DashboardErrorCode, number> = {
  BAD_REQUEST: 400,
  UNKNOWN_DEPOSIT: 404,
  UNKNOWN_WITHDRAWAL: 404,
  UNKNOWN_GRAPH: 404,
  UNKNOWN_TRANSACTION: 404,
  UNKNOWN_CHANNEL: 404,
  NO_DLC: 404,
  NOT_FOUND: 404,
  NOT_READY: 503,
  NOT_STARTED: 503,
  SOURCE_FAILED: 502,
};

export class DashboardError extends LvmError<DashboardErrorCode> {
  override readonly name = "DashboardError";

  constructor(code: DashboardErrorCode, message: string, options: LvmErrorOptions = {}) {
    super(code, message, options);
  }

  /** The HTTP status the API answers this error with. */
  get status(): number {
    return STATUS[this.code];
  }
}
