/**
 * Typed errors of the node. A rejected block or transaction carries Bitcoin Core's reject reason
 * (`bad-txns-inputs-missingorspent`, `min relay fee not met` …) so RPC answers read like Core's.
 */

import { LvmError } from "../core/index.js";

/** Why validation failed, mirroring Core's TxValidationResult / BlockValidationResult classes. */
export type RejectKind =
  | "consensus" // breaks a consensus rule: the object is invalid for every node
  | "policy" // valid but not standard / not relayed by this node
  | "missing-inputs" // spends coins that are unknown or already spent
  | "already-known" // already in the chain or the mempool
  | "mempool-conflict" // conflicts with a mempool transaction it cannot replace
  | "premature" // not final yet (locktime / sequence locks / coinbase maturity)
  | "mutated" // block data that does not match its header (merkle malleation)
  | "orphan"; // block whose parent is unknown

/** A block or transaction rejected by validation or policy. `reason` is Core's reject reason. */
export class RejectError extends LvmError<string> {
  override readonly name = "RejectError";
  /** The txid or block hash that was rejected. */
  declare readonly value: string | undefined;
  constructor(
    readonly kind: RejectKind,
    readonly reason: string,
    readonly debug?: string,
    value?: string,
    cause?: unknown,
  ) {
    super(reason, debug ? `${reason}, ${debug}` : reason, { value, details: { kind }, cause });
  }
}

/** A bad argument to a node method (unknown block, height out of range …). */
export type NodeInputErrorCode =
  "block-not-found" | "height-out-of-range" | "tx-not-found" | "bad-argument" | "not-regtest";

export class NodeInputError extends LvmError<NodeInputErrorCode> {
  override readonly name = "NodeInputError";
  constructor(code: NodeInputErrorCode, message: string, value?: unknown, cause?: unknown) {
    super(code, message, { value, cause });
  }
}

/** The on-disk state cannot be used (corrupt database, wrong network …). */
export class StorageError extends LvmError<"corrupt" | "wrong-network" | "closed"> {
  override readonly name = "StorageError";
  constructor(
    code: "corrupt" | "wrong-network" | "closed",
    message: string,
    value?: unknown,
    cause?: unknown,
  ) {
    super(code, message, { value, cause });
  }
}
