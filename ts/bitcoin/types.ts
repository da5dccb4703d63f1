/** Domain types for Bitcoin values. Brands stop a txid from being passed where a block hash goes. */
import { BitcoinDecodeError } from "./errors.js";

export type Hex = string;
/** Display-order (byte-reversed) hex, 64 lowercase characters. */
export type Txid = string & { readonly __brand: "Txid" };
export type BlockHash = string & { readonly __brand: "BlockHash" };
/** An amount in satoshis. */
export type Sats = bigint & { readonly __brand: "Sats" };

export interface Outpoint {
  txid: Txid;
  vout: number;
}

export interface TxIn {
  prevout: Outpoint;
  scriptSig: Uint8Array;
  sequence: number;
  witness: Uint8Array[];
}

export interface TxOut {
  /** Satoshis; int64 on the wire, so a decoded value may be negative (and is then invalid). */
  value: bigint;
  scriptPubKey: Uint8Array;
}

const HASH_HEX = /^[0-9a-f]{64}$/;

function checkHash(kind: string, s: string): string {
  const lower = s.toLowerCase();
  if (!HASH_HEX.test(lower))
    throw new BitcoinDecodeError("BAD_HASH", 0, `${kind} must be 64 hex characters, got "${s}"`);
  return lower;
}

export const txidFromHex = (s: string): Txid => checkHash("txid", s) as Txid;
export const blockHashFromHex = (s: string): BlockHash => checkHash("block hash", s) as BlockHash;

export function sats(v: bigint | number): Sats {
  const b = BigInt(v);
  if (b < 0n) throw new RangeError(`negative amount: ${b} sats`);
  return b as Sats;
}

/** BTC decimal (as bitcoind's JSON) → sats, without floating point. */
export function btcToSats(btc: string | number): Sats {
  const s = typeof btc === "number" ? btc.toFixed(8) : btc.trim();
  const m = /^(-?)(\d+)(?:\.(\d{1,8}))?$/.exec(s);
  if (!m) throw new RangeError(`not a BTC amount: "${btc}"`);
  const v = BigInt(m[2]!) * 100_000_000n + BigInt((m[3] ?? "").padEnd(8, "0"));
  return sats(m[1] ? -v : v);
}

export function satsToBtc(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  return `${neg ? "-" : ""}${a / 100_000_000n}.${(a % 100_000_000n).toString().padStart(8, "0")}`;
}
