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

/** Serializations and ids of a frozen transaction, computed on first use. */
interface TxMemo {
  base?: Uint8Array;
  full?: Uint8Array;
  hash?: Uint8Array;
  txid?: Txid;
  wtxid?: Txid;
  witness?: boolean;
}

export class Transaction {
  /** Set by `freeze()`: from then on the fields cannot change, so encodings and ids are kept. */
  #memo: TxMemo | undefined;
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

  /**
   * Makes the transaction immutable (as Core's `CTransaction` is): the object, its input and
   * output arrays, each input, prevout, witness stack and output are frozen, and from then on the
   * serializations, txid and wtxid are computed once. The byte arrays (scripts, witness items)
   * cannot be frozen: they must not be changed in place either. `encode()` of a frozen
   * transaction returns a shared array the caller must not modify. Idempotent; returns `this`.
   */
  freeze(): this {
    if (this.#memo !== undefined) return this;
    for (const i of this.inputs) {
      Object.freeze(i.prevout);
      Object.freeze(i.witness);
      Object.freeze(i);
    }
    for (const o of this.outputs) Object.freeze(o);
    Object.freeze(this.inputs);
    Object.freeze(this.outputs);
    Object.freeze(this);
    this.#memo = {};
    return this;
  }

  get frozen(): boolean {
    return this.#memo !== undefined;
  }

  hasWitness(): boolean {
    const m = this.#memo;
    if (m?.witness !== undefined) return m.witness;
    const has = this.inputs.some((i) => i.witness.length > 0);
    if (m !== undefined) m.witness = has;
    return has;
  }

  isCoinbase(): boolean {
    return (
      this.inputs.length === 1 &&
      this.inputs[0]!.prevout.txid === NULL_TXID &&
      this.inputs[0]!.prevout.vout >>> 0 === 0xffffffff
    );
  }

  write(w: ByteWriter, witness = true): void {
    if (this.#memo !== undefined) {
      w.bytes(this.encode({ witness }));
      return;
    }
    this.writeFields(w, witness);
  }

  private writeFields(w: ByteWriter, witness: boolean): void {
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
    const witness = opts.witness ?? true;
    const m = this.#memo;
    if (m !== undefined) {
      const kept = witness ? m.full : m.base;
      if (kept !== undefined) return kept;
      // Without witness data both serializations are the same bytes.
      if (!this.hasWitness() && (m.full ?? m.base) !== undefined) return (m.full ?? m.base)!;
    }
    const w = new ByteWriter(256);
    this.writeFields(w, witness);
    const bytes = w.finish();
    if (m !== undefined) {
      if (witness) m.full = bytes;
      else m.base = bytes;
    }
    return bytes;
  }

  toHex(opts?: { witness?: boolean }): string {
    return Buffer.from(this.encode(opts)).toString("hex");
  }

  /** sha256d of the witness-stripped serialization, internal byte order. */
  hashBytes(): Uint8Array {
    const m = this.#memo;
    if (m?.hash !== undefined) return m.hash;
    const h = sha256d(this.encode({ witness: false }));
    if (m !== undefined) m.hash = h;
    return h;
  }

  txid(): Txid {
    const m = this.#memo;
    if (m?.txid !== undefined) return m.txid;
    const id = reverseHex(this.hashBytes()) as Txid;
    if (m !== undefined) m.txid = id;
    return id;
  }

  wtxid(): Txid {
    const m = this.#memo;
    if (m?.wtxid !== undefined) return m.wtxid;
    const id = this.hasWitness()
      ? (reverseHex(sha256d(this.encode({ witness: true }))) as Txid)
      : this.txid();
    if (m !== undefined) m.wtxid = id;
    return id;
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
