/**
 * A DLC transaction: the bridge's transaction builder (ts/bridge: the outputs it spends, BIP341
 * sighashes, witnesses attached once signatures exist) with the DLC's names and an nLockTime.
 */
import { Transaction } from "../bitcoin/index.js";
import { BridgeTx, buildWithFee, SEQUENCE_FINAL_NO_RBF, type Utxo } from "../bridge/index.js";

/** An output being spent. */
export type DlcUtxo = Utxo;

export type DlcTxName = "Funding" | "CET" | "Refund" | "OracleSign" | "DisproveCET" | "StakeReclaim";

/** Sequence that enables nLockTime and opts out of RBF signalling. */
export const SEQUENCE_LOCKTIME = SEQUENCE_FINAL_NO_RBF;

export class DlcTx extends BridgeTx<DlcTxName> {
  /** Our consensus core's view of the signed transaction. */
  toTransaction(): Transaction {
    return Transaction.decode(this.toBytes());
  }
}

/** Builds with a zero fee and placeholder witnesses of the real shape, then with fee = vsize × rate. */
export const withFee = (make: (fee: bigint) => DlcTx, witnessShapes: number[][], feeRate: bigint): DlcTx =>
  buildWithFee(make, witnessShapes, feeRate);
