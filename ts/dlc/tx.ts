/**
 * A DLC transaction with the outputs it spends (BIP341 sighashes commit to all of them), built with
 * @scure/btc-signer, witnesses attached once signatures exist.
 */
import { Transaction as ScureTx } from "@scure/btc-signer/transaction.js";
import { Transaction, sats, type Sats, type Txid } from "../bitcoin/index.js";
import type { TapLeaf } from "../bridge/index.js";
import { DlcError } from "./errors.js";

/** An output being spent. */
export interface DlcUtxo {
  readonly txid: Txid;
  readonly vout: number;
  readonly amount: Sats;
  readonly script: Uint8Array;
}

export type DlcTxName = "Funding" | "CET" | "Refund" | "OracleSign" | "DisproveCET" | "StakeReclaim";

/** Sequence that enables nLockTime and opts out of RBF signalling. */
export const SEQUENCE_LOCKTIME = 0xfffffffe;

export class DlcTx {
  readonly #tx: ScureTx;
  readonly prevouts: DlcUtxo[] = [];

  constructor(
    readonly name: DlcTxName,
    lockTime = 0,
  ) {
    this.#tx = new ScureTx({
      version: 2,
      lockTime,
      allowUnknownOutputs: true,
      allowUnknownInputs: true,
      disableScriptCheck: true,
    });
  }

  addInput(u: DlcUtxo, sequence: number = SEQUENCE_LOCKTIME): number {
    this.prevouts.push(u);
    return this.#tx.addInput({
      txid: u.txid,
      index: u.vout,
      sequence,
      witnessUtxo: { script: u.script, amount: u.amount },
    });
  }

  addOutput(script: Uint8Array, amount: bigint): number {
    return this.#tx.addOutput({ script, amount });
  }

  get outputCount(): number {
    return this.#tx.outputsLength;
  }

  output(vout: number): { script: Uint8Array; amount: Sats } {
    const o = this.#tx.getOutput(vout);
    if (o.script === undefined || o.amount === undefined)
      throw new DlcError("BAD_PARAMS", `${this.name} has no output ${vout}`, { value: vout });
    return { script: o.script, amount: sats(o.amount) };
  }

  utxo(vout: number): DlcUtxo {
    const o = this.output(vout);
    return { txid: this.txid, vout, amount: o.amount, script: o.script };
  }

  get txid(): Txid {
    return this.#tx.id as Txid;
  }

  get lockTime(): number {
    return this.#tx.lockTime;
  }

  sequence(vin: number): number {
    return this.#tx.getInput(vin).sequence ?? SEQUENCE_LOCKTIME;
  }

  /** BIP341 SIGHASH_DEFAULT hash of input `vin`, key path or `leaf`. */
  sighash(vin: number, leaf?: TapLeaf): Uint8Array {
    return this.#tx.preimageWitnessV1(
      vin,
      this.prevouts.map((p) => p.script),
      0,
      this.prevouts.map((p) => p.amount),
      undefined,
      leaf?.script,
    );
  }

  setWitness(vin: number, stack: Uint8Array[]): void {
    this.#tx.updateInput(vin, { finalScriptWitness: stack }, true);
  }

  hasWitness(vin: number): boolean {
    return this.#tx.getInput(vin).finalScriptWitness !== undefined;
  }

  toBytes(): Uint8Array {
    for (let i = 0; i < this.prevouts.length; i++)
      if (!this.hasWitness(i))
        throw new DlcError("BAD_SIGNATURE", `${this.name} input ${i} has no witness`, { value: i });
    return this.#tx.toBytes(true, true);
  }

  /** Our consensus core's view of the signed transaction. */
  toTransaction(): Transaction {
    return Transaction.decode(this.toBytes());
  }

  get vsize(): number {
    return this.#tx.vsize;
  }

  get weight(): number {
    return this.#tx.weight;
  }

  get fee(): Sats {
    let out = 0n;
    for (let i = 0; i < this.outputCount; i++) out += this.output(i).amount;
    return sats(this.prevouts.reduce((a, p) => a + p.amount, 0n) - out);
  }
}

/** Builds with a zero fee and placeholder witnesses of the real shape, then with fee = vsize × rate. */
export function withFee(make: (fee: bigint) => DlcTx, witnessShapes: number[][], feeRate: bigint): DlcTx {
  const probe = make(0n);
  witnessShapes.forEach((shape, i) =>
    probe.setWitness(
      i,
      shape.map((n) => new Uint8Array(n)),
    ),
  );
  return make(BigInt(probe.vsize) * feeRate);
}
