/**
 * The challenger's role: watch a withdrawal's stake; if the oracle's sign transaction committed
 * an amount other than the one the L2 recorded, broadcast the Disprove-CET before the window ends.
 */
import type { Transaction } from "../bitcoin/index.js";
import { executeScript, txidFromHex } from "../bitcoin/index.js";
import type { BitcoinBackend } from "../btcnode/index.js";
import { stackNumber } from "../bitvm/index.js";
import { DlcError } from "./errors.js";
import { StakedOracle, committedAmount } from "./stake.js";

export type WatchResult =
  | { readonly status: "unsigned" }
  | { readonly status: "honest"; readonly interval: number; readonly committed: bigint }
  | {
      readonly status: "disproved";
      readonly interval: number;
      readonly committed: bigint;
      readonly txid: string;
    }
  | { readonly status: "settled-or-spent"; readonly interval: number; readonly committed: bigint };

/** The amount a sign transaction's witness commits, read by running the same Script check. */
export function committedAmountOf(staked: StakedOracle, witness: readonly Uint8Array[]): bigint {
  const r = executeScript(committedAmount(staked.terms.winternitz).bytes, {
    stack: StakedOracle.commitment(witness),
  });
  if (!r.ok || r.stack.length !== 1)
    throw new DlcError("BAD_SIGNATURE", "the sign transaction's commitment does not verify", {
      details: { error: r.ok ? "stack" : r.error },
    });
  return BigInt(stackNumber(r.stack[0]!));
}

/**
 * One look at the chain: which OracleSign_j (if any) is there, what it committed, and — when that
 * differs from `requested` and connector A is still unspent — the Disprove-CET, broadcast.
 */
export async function watchStake(
  backend: BitcoinBackend,
  staked: StakedOracle,
  requested: bigint,
  challengerScript: Uint8Array,
): Promise<WatchResult> {
  for (let j = 0; j < staked.signTxs.length; j++) {
    const id = staked.signTxs[j]!.txid;
    if ((await backend.getTxStatus(id)) === undefined) continue;
    const tx: Transaction | undefined = await backend.getTransaction(id);
    if (tx === undefined) continue;
    const committed = committedAmountOf(staked, tx.inputs[0]!.witness);
    if (committed === requested) return { status: "honest", interval: j, committed };
    if ((await backend.getTxOut({ txid: txidFromHex(id), vout: 1 }, true)) === undefined)
      return { status: "settled-or-spent", interval: j, committed };
    const disprove = staked.disprove(j, StakedOracle.commitment(tx.inputs[0]!.witness), challengerScript);
    const txid = await backend.sendTransaction(disprove.toTransaction());
    return { status: "disproved", interval: j, committed, txid };
  }
  return { status: "unsigned" };
}
