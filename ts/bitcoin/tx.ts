/** Transactions: legacy and BIP144 segwit serialization, ids, weight. */
import { ByteReader, ByteWriter, reverseHex } from "./bytes.js";
import { BitcoinDecodeError } from "./errors.js";
import { sha256d } from "./hash.js";
import type { Outpoint, Txid, TxIn, TxOut } from "./types.js";

const NULL_TXID = "0".repeat(64) as Txid;

export interface TransactionFields {
  version?: number;
  locktime?: number;
  inputs?: TxIn[];
  outputs?: TxOut[];
}

export class Transaction {
  version: number;
  locktime: number;
  inputs: TxIn[];
  outputs: TxOut[];

  constructor(fields: TransactionFields = {}) {
    this.version = fields.version ?? 2;
    this.locktime = fields.locktime ?? 0;
    this.inputs = fields.inputs ?? [];
    this.outputs = fields.outputs ?? [];
  }

  /**
   * Core's deserializer, including its corners: an empty input vector followed by a non-zero
   * flag byte announces witness data; a witness record with every stack empty is rejected
   * ("superfluous witness record"), as is any unknown flag bit.
   */
  static decode(bytes: Uint8Array, opts: { allowWitness?: boolean } = {}): Transaction {
    const r = new ByteReader(bytes);
    const tx = Transaction.read(r, opts.allowWitness ?? true);
    if (r.remaining !== 0)
      throw new BitcoinDecodeError("TRAILING_BYTES", r.offset, `${r.remaining} bytes after the transaction`);
    return tx;
  }

  static fromHex(hex: string, opts?: { allowWitness?: boolean }): Transaction {
    return Transaction.decode(Uint8Array.from(Buffer.from(hex, "hex")), opts);
  }

  /** Read one transaction from `r` (used by block decoding). */
  static read(r: ByteReader, allowWitness = true): Transaction {
    const version = r.i32("version");
    let flags = 0;
    let inputs = readInputs(r);
    let outputs: TxOut[] = [];
    if (inputs.length === 0 && allowWitness) {
      flags = r.u8("segwit flag");
      if (flags !== 0) {
        inputs = readInputs(r);
        outputs = readOutputs(r);
      }
    } else outputs = readOutputs(r);
    if (flags & 1 && allowWitness) {
      flags ^= 1;
      const start = r.offset;
      let any = false;
      for (const input of inputs) {
        const n = r.compactSize("witness item count");
        for (let i = 0; i < n; i++) input.witness.push(r.varBytes("witness item"));
        if (n > 0) any = true;
      }
      if (!any)
        throw new BitcoinDecodeError(
          "SUPERFLUOUS_WITNESS",
          start,
          "witness flag set but every witness is empty",
        );
    }
    if (flags !== 0)
      throw new BitcoinDecodeError(
        "BAD_WITNESS_FLAG",
        r.offset,
        `unknown transaction optional data flag ${flags}`,
      );
    const locktime = r.u32("locktime");
    return new Transaction({ version, locktime, inputs, outputs });
  }

  hasWitness(): boolean {
    return this.inputs.some((i) => i.witness.length > 0);
  }

  isCoinbase(): boolean {
    return (
      this.inputs.length === 1 &&
      this.inputs[0]!.prevout.txid === NULL_TXID &&
      this.inputs[0]!.prevout.vout >>> 0 === 0xffffffff
    );
  }

  write(w: ByteWriter, witness = true): void {
    const segwit = witness && this.hasWitness();
    w.u32(this.version);
    if (segwit) w.u8(0).u8(1);
    w.compactSize(this.inputs.length);
    for (const i of this.inputs) {
      writeOutpoint(w, i.prevout);
      w.varBytes(i.scriptSig).u32(i.sequence);
    }
    w.compactSize(this.outputs.length);
    for (const o of this.outputs) w.i64(o.value).varBytes(o.scriptPubKey);
    if (segwit) {
      for (const i of this.inputs) {
        w.compactSize(i.witness.length);
        for (const item of i.witness) w.varBytes(item);
      }
    }
    w.u32(this.locktime);
  }

  encode(opts: { witness?: boolean } = {}): Uint8Array {
    const w = new ByteWriter(256);
    this.write(w, opts.witness ?? true);
    return w.finish();
  }

  toHex(opts?: { witness?: boolean }): string {
    return Buffer.from(this.encode(opts)).toString("hex");
  }

  /** sha256d of the witness-stripped serialization, internal byte order. */
  hashBytes(): Uint8Array {
    return sha256d(this.encode({ witness: false }));
  }

  txid(): Txid {
    return reverseHex(this.hashBytes()) as Txid;
  }

  wtxid(): Txid {
    return reverseHex(sha256d(this.encode({ witness: true }))) as Txid;
  }

  /** BIP141 weight: base size × 3 + total size. */
  weight(): number {
    return this.encode({ witness: false }).length * 3 + this.encode({ witness: true }).length;
  }

  vsize(): number {
    return Math.ceil(this.weight() / 4);
  }

  clone(): Transaction {
    return new Transaction({
      version: this.version,
      locktime: this.locktime,
      inputs: this.inputs.map((i) => ({
        prevout: { ...i.prevout },
        scriptSig: i.scriptSig,
        sequence: i.sequence,
        witness: [...i.witness],
      })),
      outputs: this.outputs.map((o) => ({ ...o })),
    });
  }
}

export function writeOutpoint(w: ByteWriter, p: Outpoint): void {
  w.bytes(Uint8Array.from(Buffer.from(p.txid, "hex")).reverse()).u32(p.vout);
}

function readInputs(r: ByteReader): TxIn[] {
  const n = r.compactSize("input count");
  const inputs: TxIn[] = [];
  for (let i = 0; i < n; i++) {
    const txid = reverseHex(r.bytesN(32, "prevout txid")) as Txid;
    const vout = r.u32("prevout index");
    const scriptSig = r.varBytes("scriptSig");
    const sequence = r.u32("sequence");
    inputs.push({ prevout: { txid, vout }, scriptSig, sequence, witness: [] });
  }
  return inputs;
}

function readOutputs(r: ByteReader): TxOut[] {
  const n = r.compactSize("output count");
  const outputs: TxOut[] = [];
  for (let i = 0; i < n; i++) {
    const value = r.i64("output value");
    outputs.push({ value, scriptPubKey: r.varBytes("scriptPubKey") });
  }
  return outputs;
}
