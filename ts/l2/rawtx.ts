/**
 * Signed transaction bytes → fields, for the sequencer's admission path. ethers' `Transaction`
 * does this too, but builds a rich object, checksums addresses and re-encodes the transaction for
 * each hash: decoding and recovering a transfer took 0.20 ms that way, 0.11 ms reading the bytes
 * in place as here. This one is strict where Ethereum is (canonical RLP,
 * minimal integers, exact field counts, no trailing bytes, low-s signatures); a property test
 * holds it to ethers' decoding (`test/l2/rawtx.test.ts`). Types 0 (EIP-155), 1, 2 and 4 (EIP-7702,
 * whose authorizations are checked for shape here and for signatures by the EVM, which skips bad
 * ones as the EIP says).
 */
import { LvmError } from "../core/index.js";

/** Why bytes are not a transaction; `kind` picks the JSON-RPC error the caller answers with. */
export class RawTxError extends LvmError<"INVALID_RAW_TX"> {
  override readonly name = "RawTxError";
  constructor(
    readonly kind: "rlp" | "type" | "signature",
    message: string,
  ) {
    super("INVALID_RAW_TX", message, { details: { kind } });
  }
}

/** The fields of a signed transaction (fee fields both hold the gas price for types 0 and 1). */
export interface SignedTxFields {
  readonly type: 0 | 1 | 2 | 4;
  /** 0 for a legacy transaction without EIP-155 replay protection. */
  readonly chainId: bigint;
  readonly nonce: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly maxFeePerGas: bigint;
  readonly gasLimit: bigint;
  /** 20 bytes, or null for a contract creation. */
  readonly to: Uint8Array | null;
  readonly value: bigint;
  readonly data: Uint8Array;
  /** Per access-list entry, how many storage keys it names. */
  readonly accessListKeys: readonly number[];
  /** EIP-7702 authorizations (type 4 only; 0 otherwise). */
  readonly authorizations: number;
  readonly yParity: 0 | 1;
  /** r ‖ s, 64 bytes. */
  readonly signature: Uint8Array;
  /** The bytes whose keccak-256 the sender signed. */
  readonly signingPayload: Uint8Array;
}

/** secp256k1's group order n, and n / 2: a larger s is the malleable twin of a valid one (EIP-2). */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N >> 1n;

interface Item {
  readonly list: boolean;
  /** Where the item's header starts. */
  readonly pos: number;
  /** Where the payload starts, and where it (and so the item) ends. */
  readonly start: number;
  readonly end: number;
}

/** One RLP item at `pos`, which must end by `limit`; non-canonical length forms are refused. */
function item(bytes: Uint8Array, pos: number, limit: number): Item {
  if (pos >= limit) throw new RawTxError("rlp", "rlp: unexpected end of input");
  const b = bytes[pos] as number;
  if (b < 0x80) return { list: false, pos, start: pos, end: pos + 1 };
  const list = b >= 0xc0;
  const short = b - (list ? 0xc0 : 0x80);
  let start: number;
  let len: number;
  if (short <= 55) {
    start = pos + 1;
    len = short;
    if (!list && len === 1 && start < limit && (bytes[start] as number) < 0x80)
      throw new RawTxError("rlp", "rlp: non-canonical size information");
  } else {
    const lenOfLen = short - 55;
    start = pos + 1 + lenOfLen;
    if (start > limit) throw new RawTxError("rlp", "rlp: unexpected end of input");
    if (bytes[pos + 1] === 0) throw new RawTxError("rlp", "rlp: non-canonical size information");
    len = 0;
    for (let i = pos + 1; i < start; i++) len = len * 256 + (bytes[i] as number);
    if (len <= 55) throw new RawTxError("rlp", "rlp: non-canonical size information");
  }
  const end = start + len;
  if (end > limit) throw new RawTxError("rlp", "rlp: value size exceeds available input length");
  return { list, pos, start, end };
}

/** The items of the list at `pos`, which must take exactly the rest of the input. */
function fields(bytes: Uint8Array, pos: number): Item[] {
  const outer = item(bytes, pos, bytes.length);
  if (!outer.list) throw new RawTxError("rlp", "rlp: expected input list");
  if (outer.end !== bytes.length) throw new RawTxError("rlp", "rlp: input contains more than one value");
  const out: Item[] = [];
  for (let at = outer.start; at < outer.end;) {
    const it = item(bytes, at, outer.end);
    out.push(it);
    at = it.end;
  }
  return out;
}

function str(bytes: Uint8Array, it: Item, what: string): Uint8Array {
  if (it.list) throw new RawTxError("rlp", `rlp: expected input string or byte for ${what}`);
  return bytes.subarray(it.start, it.end);
}

function uint(bytes: Uint8Array, it: Item, what: string, maxBytes: number): bigint {
  const b = str(bytes, it, what);
  if (b.length > maxBytes) throw new RawTxError("rlp", `rlp: input too long for ${what}`);
  if (b.length > 0 && b[0] === 0)
    throw new RawTxError("rlp", `rlp: non-canonical integer (leading zero bytes) for ${what}`);
  let n = 0n;
  for (const byte of b) n = (n << 8n) | BigInt(byte);
  return n;
}

function address(bytes: Uint8Array, it: Item, what: string, optional: boolean): Uint8Array | null {
  const b = str(bytes, it, what);
  if (b.length === 0 && optional) return null;
  if (b.length !== 20) throw new RawTxError("rlp", `rlp: ${what} must be 20 bytes`);
  return b;
}

function accessListKeys(bytes: Uint8Array, it: Item): number[] {
  if (!it.list) throw new RawTxError("rlp", "rlp: expected input list for accessList");
  const counts: number[] = [];
  for (let at = it.start; at < it.end;) {
    const entry = item(bytes, at, it.end);
    at = entry.end;
    if (!entry.list) throw new RawTxError("rlp", "rlp: expected input list for access list entry");
    const addr = item(bytes, entry.start, entry.end);
    address(bytes, addr, "access list address", false);
    const keys = item(bytes, addr.end, entry.end);
    if (!keys.list || keys.end !== entry.end)
      throw new RawTxError("rlp", "rlp: access list entry must be [address, storageKeys]");
    let count = 0;
    for (let k = keys.start; k < keys.end; count++) {
      const key = item(bytes, k, keys.end);
      if (str(bytes, key, "storage key").length !== 32)
        throw new RawTxError("rlp", "rlp: storage key must be 32 bytes");
      k = key.end;
    }
    counts.push(count);
  }
  return counts;
}

function signature(r: bigint, s: bigint): Uint8Array {
  if (r === 0n || r >= N || s === 0n || s > HALF_N)
    throw new RawTxError("signature", "invalid transaction v, r, s values");
  return Buffer.from(r.toString(16).padStart(64, "0") + s.toString(16).padStart(64, "0"), "hex");
}

/** An RLP list header for a payload of `len` bytes. */
function listHeader(len: number): number[] {
  if (len <= 55) return [0xc0 + len];
  const be: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) be.unshift(n % 256);
  return [0xf7 + be.length, ...be];
}

function encodeUint(n: bigint): Uint8Array {
  if (n === 0n) return Uint8Array.of(0x80);
  const hex = n.toString(16);
  const be = Buffer.from(hex.length % 2 === 0 ? hex : "0" + hex, "hex");
  return be.length === 1 && (be[0] as number) < 0x80 ? be : Uint8Array.of(0x80 + be.length, ...be);
}

/**
 * What the sender signed, cut from the signed bytes rather than re-encoded: `prefix` (the type
 * byte, if any), then a list of the fields before the signature plus `tail`.
 */
function signingPayload(
  bytes: Uint8Array,
  items: readonly Item[],
  sigAt: number,
  prefix: number[],
  tail: Uint8Array,
): Uint8Array {
  const body = bytes.subarray((items[0] as Item).pos, (items[sigAt] as Item).pos);
  const header = listHeader(body.length + tail.length);
  const out = new Uint8Array(prefix.length + header.length + body.length + tail.length);
  out.set(prefix, 0);
  out.set(header, prefix.length);
  out.set(body, prefix.length + header.length);
  out.set(tail, prefix.length + header.length + body.length);
  return out;
}

function legacy(bytes: Uint8Array): SignedTxFields {
  const f = fields(bytes, 0);
  if (f.length !== 9) throw new RawTxError("rlp", `rlp: a legacy transaction has 9 fields, not ${f.length}`);
  const at = (i: number) => f[i] as Item;
  const gasPrice = uint(bytes, at(1), "gasPrice", 32);
  const v = uint(bytes, at(6), "v", 32);
  let chainId = 0n;
  let yParity: 0 | 1;
  let tail: Uint8Array = new Uint8Array(0);
  if (v === 27n || v === 28n) yParity = v === 27n ? 0 : 1;
  else if (v >= 35n) {
    chainId = (v - 35n) / 2n;
    yParity = (v - 35n) % 2n === 0n ? 0 : 1;
    // EIP-155 signs [fields…, chainId, 0, 0].
    const id = encodeUint(chainId);
    tail = new Uint8Array(id.length + 2);
    tail.set(id, 0);
    tail.set([0x80, 0x80], id.length);
  } else throw new RawTxError("signature", "invalid transaction v, r, s values");
  return {
    type: 0,
    chainId,
    nonce: uint(bytes, at(0), "nonce", 8),
    maxPriorityFeePerGas: gasPrice,
    maxFeePerGas: gasPrice,
    gasLimit: uint(bytes, at(2), "gas", 8),
    to: address(bytes, at(3), "to", true),
    value: uint(bytes, at(4), "value", 32),
    data: str(bytes, at(5), "data"),
    accessListKeys: [],
    authorizations: 0,
    yParity,
    signature: signature(uint(bytes, at(7), "r", 32), uint(bytes, at(8), "s", 32)),
    signingPayload: signingPayload(bytes, f, 6, [], tail),
  };
}

function typed(bytes: Uint8Array, type: 1 | 2 | 4): SignedTxFields {
  const f = fields(bytes, 1);
  const count = type === 1 ? 11 : type === 2 ? 12 : 13;
  if (f.length !== count)
    throw new RawTxError("rlp", `rlp: a type-${type} transaction has ${count} fields, not ${f.length}`);
  const at = (i: number) => f[i] as Item;
  // Types 2 and 4 have one fee field more, right after the nonce; every later field shifts by
  // one. Type 4 has the authorization list after the access list: the signature shifts again.
  const k = type === 1 ? 0 : 1;
  const a = type === 4 ? 1 : 0;
  const tip = uint(bytes, at(2), type === 1 ? "gasPrice" : "maxPriorityFeePerGas", 32);
  const feeCap = type === 1 ? tip : uint(bytes, at(3), "maxFeePerGas", 32);
  const parity = uint(bytes, at(8 + k + a), "yParity", 1);
  if (parity > 1n) throw new RawTxError("signature", "invalid transaction v, r, s values");
  // EIP-7702: no contract creation, at least one authorization.
  const to = address(bytes, at(4 + k), "to", type !== 4);
  const authorizations = type === 4 ? authorizationCount(bytes, at(9)) : 0;
  return {
    type,
    chainId: uint(bytes, at(0), "chainId", 32),
    nonce: uint(bytes, at(1), "nonce", 8),
    maxPriorityFeePerGas: tip,
    maxFeePerGas: feeCap,
    gasLimit: uint(bytes, at(3 + k), "gas", 8),
    to,
    value: uint(bytes, at(5 + k), "value", 32),
    data: str(bytes, at(6 + k), "data"),
    accessListKeys: accessListKeys(bytes, at(7 + k)),
    authorizations,
    yParity: parity === 0n ? 0 : 1,
    signature: signature(uint(bytes, at(9 + k + a), "r", 32), uint(bytes, at(10 + k + a), "s", 32)),
    signingPayload: signingPayload(bytes, f, 8 + k + a, [type], new Uint8Array(0)),
  };
}

/** EIP-7702's authorization list: [[chainId, address, nonce, yParity, r, s], …], not empty. */
function authorizationCount(bytes: Uint8Array, it: Item): number {
  if (!it.list) throw new RawTxError("rlp", "rlp: expected input list for authorizationList");
  let count = 0;
  for (let p = it.start; p < it.end; count++) {
    const entry = item(bytes, p, it.end);
    p = entry.end;
    if (!entry.list) throw new RawTxError("rlp", "rlp: expected input list for authorization");
    const parts: Item[] = [];
    for (let q = entry.start; q < entry.end;) {
      const x = item(bytes, q, entry.end);
      parts.push(x);
      q = x.end;
    }
    if (parts.length !== 6) throw new RawTxError("rlp", "rlp: an authorization has 6 fields");
    uint(bytes, parts[0]!, "authorization chainId", 32);
    address(bytes, parts[1]!, "authorization address", false);
    uint(bytes, parts[2]!, "authorization nonce", 8);
    uint(bytes, parts[3]!, "authorization yParity", 1);
    uint(bytes, parts[4]!, "authorization r", 32);
    uint(bytes, parts[5]!, "authorization s", 32);
  }
  if (count === 0) throw new RawTxError("type", "EIP-7702 transaction with empty auth list");
  return count;
}

/** Decodes a signed type-0 (EIP-155 or unprotected), type-1, type-2 or type-4 transaction. */
export function decodeSignedTx(bytes: Uint8Array): SignedTxFields {
  if (bytes.length === 0) throw new RawTxError("rlp", "rlp: empty input");
  const first = bytes[0] as number;
  if (first >= 0xc0) return legacy(bytes);
  if (first === 1 || first === 2 || first === 4) return typed(bytes, first);
  if (first <= 0x7f) throw new RawTxError("type", "transaction type not supported");
  throw new RawTxError("rlp", "rlp: expected input list");
}
