import { Transaction } from "@scure/btc-signer/transaction.js";
import { BridgeError } from "./errors.js";
import type { TapLeaf } from "./taproot.js";
import { sats, txid as toTxid, type Sats, type Txid, type Utxo } from "./types.js";

/** BIP341 hash types used by the graph. */
export const SIGHASH_DEFAULT = 0x00;
export const SIGHASH_SINGLE_ANYONECANPAY = 0x83;

/** Sequence that disables BIP68 and opts out of RBF signalling on non-timelocked inputs. */
export const SEQUENCE_FINAL_NO_RBF = 0xfffffffe;

/** The names of every transaction in the peg-in / peg-out graph. */
export type TxName =
  | "PegInDeposit"
  | "PegInConfirm"
  | "PegInRefund"
  | "KickOff"
  | "Take1"
  | "Challenge"
  | "Assert"
  | "Take2"
  | "AssertTimeout"
  | "Disprove";

/**
 * A graph transaction together with the outputs it spends (taproot sighashes commit to all of
 * them). Built unsigned; witnesses are attached per input once signatures exist. Other protocols'
 * transactions (ts/dlc) use the same builder with their own names and an nLockTime.
 */
export class BridgeTx<N extends string = TxName> {
  readonly #tx: Transaction;
  readonly prevouts: Utxo[] = [];

  constructor(
    readonly name: N,
    lockTime = 0,
  ) {
    this.#tx = new Transaction({
      version: 2,
      lockTime,
      allowUnknownOutputs: true,
      allowUnknownInputs: true,
      disableScriptCheck: true,
    });
  }

  addInput(u: Utxo, sequence: number = SEQUENCE_FINAL_NO_RBF): number {
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

  get inputCount(): number {
    return this.#tx.inputsLength;
  }

  get outputCount(): number {
    return this.#tx.outputsLength;
  }

  output(vout: number): { script: Uint8Array; amount: Sats } {
    const o = this.#tx.getOutput(vout);
    if (o.script === undefined || o.amount === undefined)
      throw new BridgeError("GRAPH_MISMATCH", `${this.name} has no output ${vout}`, vout);
    return { script: o.script, amount: sats(o.amount) };
  }

  /** The outpoint `vout` of this transaction as a spendable UTXO. */
  utxo(vout: number): Utxo {
    const o = this.output(vout);
    return { txid: this.txid, vout, amount: o.amount, script: o.script };
  }

  get lockTime(): number {
    return this.#tx.lockTime;
  }

  sequence(vin: number): number {
    return this.#tx.getInput(vin).sequence ?? SEQUENCE_FINAL_NO_RBF;
  }

  /** Segwit txid: witnesses excluded, so it is fixed before anything is signed. */
  get txid(): Txid {
    return toTxid(this.#tx.id);
  }

  /** BIP341 signature hash of input `vin`, for a key-path spend or for `leaf`. */
  sighash(vin: number, leaf?: TapLeaf, hashType: number = SIGHASH_DEFAULT): Uint8Array {
    return this.#tx.preimageWitnessV1(
      vin,
      this.prevouts.map((p) => p.script),
      hashType,
      this.prevouts.map((p) => p.amount),
      undefined,
      leaf?.script,
    );
  }

  /** Records the key-path internal key in the PSBT so a wallet knows how to sign input `vin`. */
  setTapInternalKey(vin: number, key: Uint8Array): void {
    this.#tx.updateInput(vin, { tapInternalKey: key }, true);
  }

  setWitness(vin: number, stack: Uint8Array[]): void {
    this.#tx.updateInput(vin, { finalScriptWitness: stack }, true);
  }

  hasWitness(vin: number): boolean {
    return this.#tx.getInput(vin).finalScriptWitness !== undefined;
  }

  witness(vin: number): Uint8Array[] {
    return this.#tx.getInput(vin).finalScriptWitness ?? [];
  }

  /** Network serialization with witnesses; every input must have one. */
  toBytes(): Uint8Array {
    for (let i = 0; i < this.inputCount; i++) {
      if (!this.hasWitness(i))
        throw new BridgeError("MISSING_PRESIGNATURE", `${this.name} input ${i} has no witness`, i);
    }
    return this.#tx.toBytes(true, true);
  }

  get hex(): string {
    return Buffer.from(this.toBytes()).toString("hex");
  }

  /** Weight of the signed transaction (BIP141). */
  get weight(): number {
    return this.#tx.weight;
  }

  get vsize(): number {
    return this.#tx.vsize;
  }

  /** Fee paid, from the prevouts this template recorded. */
  get fee(): Sats {
    let out = 0n;
    for (let i = 0; i < this.outputCount; i++) out += this.output(i).amount;
    const inp = this.prevouts.reduce((a, p) => a + p.amount, 0n);
    return sats(inp - out);
  }

  /** PSBT (BIP174 v0) of the unsigned transaction, for a wallet to sign. */
  toPsbt(): Uint8Array {
    return this.#tx.toPSBT(0);
  }
}

/** vsize `tx` will have once every input carries a witness of the given element sizes. */
export function measureVsize(tx: BridgeTx<string>, witnessShapes: number[][]): number {
  witnessShapes.forEach((shape, i) =>
    tx.setWitness(
      i,
      shape.map((n) => new Uint8Array(n)),
    ),
  );
  return tx.vsize;
}

/**
 * Builds a transaction whose last output absorbs the fee: first with zero fee and placeholder
 * witnesses of the real shape to measure vsize, then again with fee = vsize × feeRate. Presigned
 * transactions cannot be bumped later, so the fee has to be right when the committee signs.
 */
export function buildWithFee<T extends BridgeTx<string>>(
  make: (fee: bigint) => T,
  witnessShapes: number[][],
  feeRate: bigint,
): T {
  return make(BigInt(measureVsize(make(0n), witnessShapes)) * feeRate);
}
