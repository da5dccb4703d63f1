/** Block headers and blocks; compact difficulty targets and proof of work. */
import { ByteReader, ByteWriter, reverseHex } from "./bytes.js";
import { BitcoinArgumentError, BitcoinDecodeError } from "./errors.js";
import { sha256d } from "./hash.js";
import { Transaction } from "./tx.js";
import type { BlockHash } from "./types.js";

export interface BlockHeaderFields {
  version: number;
  prevHash: BlockHash;
  merkleRoot: Uint8Array;
  time: number;
  bits: number;
  nonce: number;
}

export class BlockHeader {
  version: number;
  prevHash: BlockHash;
  /** Internal byte order. */
  merkleRoot: Uint8Array;
  time: number;
  bits: number;
  nonce: number;

  constructor(f: BlockHeaderFields) {
    this.version = f.version;
    this.prevHash = f.prevHash;
    this.merkleRoot = f.merkleRoot;
    this.time = f.time;
    this.bits = f.bits;
    this.nonce = f.nonce;
  }

  static read(r: ByteReader): BlockHeader {
    return new BlockHeader({
      version: r.i32("header version"),
      prevHash: reverseHex(r.bytesN(32, "previous block hash")) as BlockHash,
      merkleRoot: r.bytesN(32, "merkle root").slice(),
      time: r.u32("header time"),
      bits: r.u32("header bits"),
      nonce: r.u32("header nonce"),
    });
  }

  static decode(b: Uint8Array): BlockHeader {
    if (b.length !== 80)
      throw new BitcoinDecodeError("BAD_HEADER", 0, `a block header is 80 bytes, got ${b.length}`);
    return BlockHeader.read(new ByteReader(b));
  }

  write(w: ByteWriter): void {
    w.u32(this.version)
      .bytes(Uint8Array.from(Buffer.from(this.prevHash, "hex")).reverse())
      .bytes(this.merkleRoot)
      .u32(this.time)
      .u32(this.bits)
      .u32(this.nonce);
  }

  encode(): Uint8Array {
    const w = new ByteWriter(80);
    this.write(w);
    return w.finish();
  }

  hashBytes(): Uint8Array {
    return sha256d(this.encode());
  }

  hash(): BlockHash {
    return reverseHex(this.hashBytes()) as BlockHash;
  }
}

export class Block {
  constructor(
    public header: BlockHeader,
    public txs: Transaction[],
  ) {}

  static decode(b: Uint8Array): Block {
    const r = new ByteReader(b);
    const header = BlockHeader.read(r);
    const n = r.compactSize("transaction count");
    const txs: Transaction[] = [];
    for (let i = 0; i < n; i++) txs.push(Transaction.read(r));
    if (r.remaining !== 0)
      throw new BitcoinDecodeError("TRAILING_BYTES", r.offset, `${r.remaining} bytes after the block`);
    return new Block(header, txs);
  }

  encode(opts: { witness?: boolean } = {}): Uint8Array {
    const w = new ByteWriter(1024);
    this.header.write(w);
    w.compactSize(this.txs.length);
    for (const tx of this.txs) tx.write(w, opts.witness ?? true);
    return w.finish();
  }

  /** BIP141 weight, from the transactions' sizes (kept by frozen transactions). */
  weight(): number {
    const n = this.txs.length;
    let size = 80 + (n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9);
    let stripped = size;
    for (const tx of this.txs) {
      stripped += tx.encode({ witness: false }).length;
      size += tx.encode().length;
    }
    return stripped * 3 + size;
  }

  hash(): BlockHash {
    return this.header.hash();
  }
}

/** Core's SetCompact: the target and whether the encoding is negative or overflows 256 bits. */
export function decodeCompact(bits: number): { target: bigint; negative: boolean; overflow: boolean } {
  const size = bits >>> 24;
  let word = bits & 0x007fffff;
  let target: bigint;
  if (size <= 3) {
    word >>>= 8 * (3 - size);
    target = BigInt(word);
  } else target = BigInt(word) << BigInt(8 * (size - 3));
  const negative = word !== 0 && (bits & 0x00800000) !== 0;
  const overflow = word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
  return { target, negative, overflow };
}

/** The target `bits` encodes; 0n for negative or overflowing encodings (never a valid target). */
export function bitsToTarget(bits: number): bigint {
  const d = decodeCompact(bits >>> 0);
  return d.negative || d.overflow ? 0n : d.target;
}

/** Core's GetCompact. */
export function targetToBits(target: bigint): number {
  if (target < 0n) throw new BitcoinArgumentError("targetToBits: negative target", target);
  let size = target === 0n ? 0 : Math.ceil(target.toString(2).length / 8);
  let compact: number;
  if (size <= 3) compact = Number(target << BigInt(8 * (3 - size)));
  else compact = Number((target >> BigInt(8 * (size - 3))) & 0xffffffffn);
  if (compact & 0x00800000) {
    compact >>>= 8;
    size++;
  }
  return (compact | (size << 24)) >>> 0;
}

/** Does a header hash (internal byte order) meet `bits`, which must itself be within `powLimit`? */
export function checkProofOfWork(hashBytes: Uint8Array, bits: number, powLimit: bigint): boolean {
  const { target, negative, overflow } = decodeCompact(bits >>> 0);
  if (negative || overflow || target === 0n || target > powLimit) return false;
  let h = 0n;
  for (let i = 31; i >= 0; i--) h = (h << 8n) | BigInt(hashBytes[i]!);
  return h <= target;
}
