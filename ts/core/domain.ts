/**
 * The domain model every component shares: bytes and hex, Bitcoin identifiers and amounts, L2
 * amounts. One type and one checking constructor per fact; brands stop a txid from going where a
 * block hash goes and wei from going where sats go.
 *
 * Constructors check and throw a `DomainError` naming what was wrong; casts (`as Txid`) are for
 * values that came out of our own hashing or decoding, never for input.
 */
import { LvmError } from "./errors.js";

export type DomainErrorCode =
  | "INVALID_HEX"
  | "INVALID_TXID"
  | "INVALID_HASH"
  | "INVALID_AMOUNT"
  | "INVALID_OUTPOINT"
  | "INVALID_HEIGHT"
  | "INVALID_WEI";

export class DomainError extends LvmError<DomainErrorCode> {
  override readonly name = "DomainError";
}

// ---------------------------------------------------------------------------------------------
// bytes and hex

/**
 * Lowercase hex without a prefix, as Bitcoin Core prints scripts, transactions and hashes. The
 * brand is documentary (any string converts), so `Txid` and `BlockHash` can be cast from it.
 */
export type Hex = string & { readonly __hex?: never };
/** A 0x-prefixed hex string, as Ethereum JSON-RPC and ABI encoders speak. */
export type PrefixedHex = `0x${string}`;

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

/** True for an even-length hex string without prefix (either case). */
export function isHex(s: string): boolean {
  return HEX_RE.test(s);
}

/** Even-length hex (either case, no prefix) → bytes; anything else is `INVALID_HEX`. */
export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== "string" || !HEX_RE.test(hex))
    throw new DomainError("INVALID_HEX", `not an even-length hex string: "${String(hex).slice(0, 32)}…"`, {
      value: hex,
    });
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

/** Bytes → lowercase hex without prefix. */
export function bytesToHex(b: Uint8Array): Hex {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex") as Hex;
}

/** Bytes → 0x-prefixed lowercase hex. */
export function bytesToPrefixedHex(b: Uint8Array): PrefixedHex {
  return `0x${bytesToHex(b)}`;
}

/** Hex of the reversed bytes: how Bitcoin displays txids and block hashes. */
export function reverseHex(b: Uint8Array): Hex {
  return bytesToHex(b.slice().reverse());
}

// ---------------------------------------------------------------------------------------------
// Bitcoin identifiers

/** Transaction id in display (byte-reversed) order: 64 lowercase hex characters, as Core prints it. */
export type Txid = string & { readonly __brand: "Txid" };
/** Block hash in display (byte-reversed) order: 64 lowercase hex characters. */
export type BlockHash = string & { readonly __brand: "BlockHash" };

const HASH_LOWER = /^[0-9a-f]{64}$/;
const HASH_ANY = /^[0-9a-fA-F]{64}$/;

/** A txid as our code writes it: exactly 64 lowercase hex characters (`INVALID_TXID` otherwise). */
export function txid(v: string): Txid {
  if (typeof v !== "string" || !HASH_LOWER.test(v))
    throw new DomainError("INVALID_TXID", `not a lowercase 64-hex txid: ${String(v)}`, { value: v });
  return v as Txid;
}

/** A txid as users and RPC callers write it: 64 hex characters in either case, lowercased. */
export function txidFromHex(s: string): Txid {
  if (typeof s !== "string" || !HASH_ANY.test(s))
    throw new DomainError("INVALID_TXID", `txid must be 64 hex characters, got "${String(s)}"`, { value: s });
  return s.toLowerCase() as Txid;
}

/** A block hash in either case, lowercased (`INVALID_HASH` otherwise). */
export function blockHashFromHex(s: string): BlockHash {
  if (typeof s !== "string" || !HASH_ANY.test(s))
    throw new DomainError("INVALID_HASH", `block hash must be 64 hex characters, got "${String(s)}"`, {
      value: s,
    });
  return s.toLowerCase() as BlockHash;
}

/** Where a transaction output is: its transaction and its index there. */
export interface Outpoint {
  txid: Txid;
  vout: number;
}

/** Checks both halves (lowercase txid, vout a uint32) and returns a fresh outpoint. */
export function outpoint(txidHex: string, vout: number): Outpoint {
  if (!Number.isInteger(vout) || vout < 0 || vout > 0xffff_ffff)
    throw new DomainError("INVALID_OUTPOINT", `vout must be a uint32, got ${vout}`, { value: vout });
  return { txid: txid(txidHex), vout };
}

/** A block height: a non-negative safe integer. */
export type Height = number & { readonly __brand: "Height" };

export function height(v: number): Height {
  if (!Number.isSafeInteger(v) || v < 0)
    throw new DomainError("INVALID_HEIGHT", `height must be a non-negative integer, got ${v}`, { value: v });
  return v as Height;
}

// ---------------------------------------------------------------------------------------------
// amounts

/** Satoshis in one bitcoin. */
export const COIN = 100_000_000n;
/** Core's MAX_MONEY: no amount, output or sum of outputs may exceed 21 million BTC. */
export const MAX_MONEY = 21_000_000n * COIN;

/** An amount in satoshis, 0 … MAX_MONEY. Branded so that wei or vbytes cannot be passed by mistake. */
export type Sats = bigint & { readonly __brand: "Sats" };

/** Checks 0 ≤ v ≤ MAX_MONEY (`INVALID_AMOUNT` otherwise; a non-integer number too). */
export function sats(v: bigint | number): Sats {
  if (typeof v === "number" && !Number.isSafeInteger(v))
    throw new DomainError("INVALID_AMOUNT", `amount ${v} is not a whole number of sats`, { value: v });
  const b = BigInt(v);
  if (b < 0n || b > MAX_MONEY)
    throw new DomainError("INVALID_AMOUNT", `amount ${b} sats is outside [0, MAX_MONEY]`, {
      value: v,
      details: { max: MAX_MONEY },
    });
  return b as Sats;
}

/** BTC decimal string or number (as bitcoind's JSON) → sats, without floating-point arithmetic. */
export function btcToSats(btc: string | number): Sats {
  const s = typeof btc === "number" ? btc.toFixed(8) : String(btc).trim();
  const m = /^(-?)(\d+)(?:\.(\d{1,8}))?$/.exec(s);
  if (!m) throw new DomainError("INVALID_AMOUNT", `not a BTC amount: "${btc}"`, { value: btc });
  const v = BigInt(m[2]!) * COIN + BigInt((m[3] ?? "").padEnd(8, "0"));
  return sats(m[1] ? -v : v);
}

/** Sats → BTC decimal with 8 places, as bitcoind prints amounts. */
export function satsToBtc(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  return `${neg ? "-" : ""}${a / COIN}.${(a % COIN).toString().padStart(8, "0")}`;
}

/** An amount of the L2's native BTC in wei (18 decimals): a uint256, 0 ≤ v < 2^256. */
export type Wei = bigint & { readonly __brand: "Wei" };

export const WEI_PER_SAT = 10n ** 10n;
export const WEI_PER_BTC = 10n ** 18n;
const UINT256_LIMIT = 1n << 256n;

/** Checks 0 ≤ v < 2^256 (`INVALID_WEI` otherwise). */
export function wei(v: bigint | number): Wei {
  if (typeof v === "number" && !Number.isSafeInteger(v))
    throw new DomainError("INVALID_WEI", `amount ${v} is not a whole number of wei`, { value: v });
  const b = BigInt(v);
  if (b < 0n || b >= UINT256_LIMIT)
    throw new DomainError("INVALID_WEI", `amount ${b} wei is outside [0, 2^256)`, { value: v });
  return b as Wei;
}

/** Sats → wei (10^10 wei per sat). */
export function satsToWei(s: bigint): Wei {
  return wei(s * WEI_PER_SAT);
}

/** Whole bitcoins → wei. */
export function btcToWei(btc: bigint): Wei {
  return wei(btc * WEI_PER_BTC);
}
