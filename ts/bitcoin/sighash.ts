/** Signature hashes: legacy, BIP143 (segwit v0) and BIP341 (taproot), with per-transaction caching. */
import { LvmError } from "../core/index.js";
import { ByteWriter } from "./bytes.js";
import { sha256, sha256d, taggedHash } from "./hash.js";
import { removeCodeSeparators } from "./script/script.js";
import { writeOutpoint, type Transaction } from "./tx.js";
import type { TxOut } from "./types.js";

export const SIGHASH_DEFAULT = 0x00;
export const SIGHASH_ALL = 0x01;
export const SIGHASH_NONE = 0x02;
export const SIGHASH_SINGLE = 0x03;
export const SIGHASH_ANYONECANPAY = 0x80;

export class SighashError extends LvmError<
  "BAD_HASHTYPE" | "NO_SINGLE_OUTPUT" | "BAD_INPUT_INDEX" | "MISSING_PREVOUTS"
> {
  override readonly name = "SighashError";
}

/**
 * Hashes shared by every input's signature hash (BIP143 double-SHA256 ones, BIP341 single-SHA256
 * ones), computed once per transaction on first use. The transaction must not change afterwards.
 */
export class PrecomputedTxData {
  private shared?: { prevouts: Uint8Array; sequences: Uint8Array; outputs: Uint8Array };
  private v0?: { prevouts: Uint8Array; sequences: Uint8Array; outputs: Uint8Array };
  private v1?: {
    prevouts: Uint8Array;
    amounts: Uint8Array;
    scripts: Uint8Array;
    sequences: Uint8Array;
    outputs: Uint8Array;
  };

  constructor(
    readonly tx: Transaction,
    readonly prevouts?: readonly TxOut[],
  ) {}

  /** The single-SHA256 hashes both versions start from (BIP143's are these hashed again). */
  private single(): NonNullable<PrecomputedTxData["shared"]> {
    if (this.shared) return this.shared;
    const tx = this.tx;
    const p = new ByteWriter(36 * tx.inputs.length);
    const s = new ByteWriter(4 * tx.inputs.length);
    for (const i of tx.inputs) {
      writeOutpoint(p, i.prevout);
      s.u32(i.sequence);
    }
    const o = new ByteWriter(64 * tx.outputs.length);
    for (const out of tx.outputs) o.i64(out.value).varBytes(out.scriptPubKey);
    this.shared = {
      prevouts: sha256(p.finish()),
      sequences: sha256(s.finish()),
      outputs: sha256(o.finish()),
    };
    return this.shared;
  }

  /** BIP143 hashes are the BIP341 ones hashed once more. */
  bip143(): NonNullable<PrecomputedTxData["v0"]> {
    if (!this.v0) {
      const h = this.single();
      this.v0 = {
        prevouts: sha256(h.prevouts),
        sequences: sha256(h.sequences),
        outputs: sha256(h.outputs),
      };
    }
    return this.v0;
  }

  /** BIP341 hashes, the spent amounts and scripts included (only taproot needs those). */
  bip341(): NonNullable<PrecomputedTxData["v1"]> {
    if (this.v1) return this.v1;
    if (!this.prevouts)
      throw new SighashError("MISSING_PREVOUTS", "taproot signature hashes need every spent output");
    const a = new ByteWriter(8 * this.prevouts.length);
    const sc = new ByteWriter(36 * this.prevouts.length);
    for (const prev of this.prevouts) {
      a.i64(prev.value);
      sc.varBytes(prev.scriptPubKey);
    }
    this.v1 = { ...this.single(), amounts: sha256(a.finish()), scripts: sha256(sc.finish()) };
    return this.v1;
  }
}

const ONE = (() => {
  const b = new Uint8Array(32);
  b[0] = 1;
  return b;
})();

/**
 * Legacy signature hash (internal byte order). `scriptCode` is the script from the last executed
 * OP_CODESEPARATOR with the signature already removed (FindAndDelete); separators are dropped
 * here, as Core's serializer does. Out-of-range SIGHASH_SINGLE gives Core's historical "1" hash.
 */
export function sighashLegacy(
  tx: Transaction,
  inputIndex: number,
  scriptCode: Uint8Array,
  hashType: number,
): Uint8Array {
  if (inputIndex >= tx.inputs.length) return ONE.slice();
  const base = hashType & 0x1f;
  const none = base === SIGHASH_NONE;
  const single = base === SIGHASH_SINGLE;
  const anyoneCanPay = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  if (single && inputIndex >= tx.outputs.length) return ONE.slice();
  const code = removeCodeSeparators(scriptCode);
  const w = new ByteWriter(256 + code.length);
  w.u32(tx.version);
  const inputs = anyoneCanPay ? [inputIndex] : tx.inputs.map((_, i) => i);
  w.compactSize(inputs.length);
  for (const i of inputs) {
    const input = tx.inputs[i]!;
    writeOutpoint(w, input.prevout);
    w.varBytes(i === inputIndex ? code : new Uint8Array(0));
    w.u32(i !== inputIndex && (single || none) ? 0 : input.sequence);
  }
  const nOutputs = none ? 0 : single ? inputIndex + 1 : tx.outputs.length;
  w.compactSize(nOutputs);
  for (let o = 0; o < nOutputs; o++) {
    if (single && o !== inputIndex) w.i64(-1n).compactSize(0);
    else w.i64(tx.outputs[o]!.value).varBytes(tx.outputs[o]!.scriptPubKey);
  }
  w.u32(tx.locktime).u32(hashType);
  return sha256d(w.finish());
}

/** BIP143 signature hash for segwit v0 inputs. */
export function sighashWitnessV0(
  tx: Transaction,
  inputIndex: number,
  scriptCode: Uint8Array,
  amount: bigint,
  hashType: number,
  cache: PrecomputedTxData = new PrecomputedTxData(tx),
): Uint8Array {
  const input = tx.inputs[inputIndex];
  if (!input) throw new SighashError("BAD_INPUT_INDEX", `no input ${inputIndex}`, { value: inputIndex });
  const base = hashType & 0x1f;
  const anyoneCanPay = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  const zero: Uint8Array = new Uint8Array(32);
  const h = cache.bip143();
  const prevouts = anyoneCanPay ? zero : h.prevouts;
  const sequences = !anyoneCanPay && base !== SIGHASH_SINGLE && base !== SIGHASH_NONE ? h.sequences : zero;
  let outputs: Uint8Array = zero;
  if (base !== SIGHASH_SINGLE && base !== SIGHASH_NONE) outputs = h.outputs;
  else if (base === SIGHASH_SINGLE && inputIndex < tx.outputs.length) {
    const o = tx.outputs[inputIndex]!;
    outputs = sha256d(new ByteWriter(64).i64(o.value).varBytes(o.scriptPubKey).finish());
  }
  const w = new ByteWriter(160 + scriptCode.length);
  w.u32(tx.version).bytes(prevouts).bytes(sequences);
  writeOutpoint(w, input.prevout);
  w.varBytes(scriptCode).i64(amount).u32(input.sequence).bytes(outputs).u32(tx.locktime).u32(hashType);
  return sha256d(w.finish());
}

export interface TaprootSighashExt {
  /** Tapscript spends: the leaf's hash (ext_flag 1). */
  leafHash?: Uint8Array;
  /** The annex including its 0x50 tag. */
  annex?: Uint8Array;
  /** Opcode position of the last executed OP_CODESEPARATOR (0xffffffff when none). */
  codeSeparatorPos?: number;
}

/** BIP341 signature hash (the message BIP340 signs). Throws SighashError on undefined hash types. */
export function sighashTaproot(
  tx: Transaction,
  inputIndex: number,
  prevouts: readonly TxOut[],
  hashType: number,
  ext: TaprootSighashExt = {},
  cache: PrecomputedTxData = new PrecomputedTxData(tx, prevouts),
): Uint8Array {
  if (!(hashType <= 0x03 || (hashType >= 0x81 && hashType <= 0x83)))
    throw new SighashError("BAD_HASHTYPE", `undefined taproot hash type 0x${hashType.toString(16)}`, {
      value: hashType,
    });
  const input = tx.inputs[inputIndex];
  if (!input) throw new SighashError("BAD_INPUT_INDEX", `no input ${inputIndex}`, { value: inputIndex });
  if (prevouts.length !== tx.inputs.length)
    throw new SighashError("MISSING_PREVOUTS", `${prevouts.length} prevouts for ${tx.inputs.length} inputs`, {
      value: prevouts.length,
      details: { inputs: tx.inputs.length },
    });
  const outputType = hashType === SIGHASH_DEFAULT ? SIGHASH_ALL : hashType & 3;
  const anyoneCanPay = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  const w = new ByteWriter(256);
  w.u8(0).u8(hashType).u32(tx.version).u32(tx.locktime);
  if (!anyoneCanPay) {
    const h = cache.bip341();
    w.bytes(h.prevouts).bytes(h.amounts).bytes(h.scripts).bytes(h.sequences);
  }
  if (outputType === SIGHASH_ALL) w.bytes(cache.bip341().outputs);
  const extFlag = ext.leafHash ? 1 : 0;
  w.u8(extFlag * 2 + (ext.annex ? 1 : 0));
  if (anyoneCanPay) {
    writeOutpoint(w, input.prevout);
    const prev = prevouts[inputIndex]!;
    w.i64(prev.value).varBytes(prev.scriptPubKey).u32(input.sequence);
  } else w.u32(inputIndex);
  if (ext.annex) w.bytes(sha256(new ByteWriter(ext.annex.length + 5).varBytes(ext.annex).finish()));
  if (outputType === SIGHASH_SINGLE) {
    const o = tx.outputs[inputIndex];
    if (!o)
      throw new SighashError(
        "NO_SINGLE_OUTPUT",
        `SIGHASH_SINGLE for input ${inputIndex} without a matching output`,
        { value: inputIndex, details: { outputs: tx.outputs.length } },
      );
    w.bytes(sha256(new ByteWriter(64).i64(o.value).varBytes(o.scriptPubKey).finish()));
  }
  if (ext.leafHash)
    w.bytes(ext.leafHash)
      .u8(0)
      .u32(ext.codeSeparatorPos ?? 0xffffffff);
  return taggedHash("TapSighash", w.finish());
}
