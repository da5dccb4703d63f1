import { schnorr } from "@noble/curves/secp256k1.js";
import { BridgeError } from "./errors.js";

/** An amount of satoshis. Branded so that wei or vbytes cannot be passed by mistake. */
export type Sats = bigint & { readonly __brand: "Sats" };
/** A 32-byte BIP340 x-only public key. */
export type XOnlyKey = Uint8Array & { readonly __brand: "XOnlyKey" };
/** A 20-byte L2 (EVM) account that a deposit credits. */
export type L2Address = Uint8Array & { readonly __brand: "L2Address" };
/** Transaction id in display (reversed) hex, as Bitcoin Core prints it. */
export type Txid = string & { readonly __brand: "Txid" };
/** A number of blocks used as a BIP68/BIP112 relative timelock. */
export type Blocks = number & { readonly __brand: "Blocks" };

export interface Outpoint {
  txid: Txid;
  vout: number;
}

/** An output being spent: where it is, what it is worth, and its locking script. */
export interface Utxo extends Outpoint {
  amount: Sats;
  script: Uint8Array;
}

const MAX_MONEY = 21_000_000n * 100_000_000n;

export function sats(v: bigint | number): Sats {
  const b = typeof v === "number" ? BigInt(v) : v;
  if (b < 0n || b > MAX_MONEY)
    throw new BridgeError("INVALID_AMOUNT", `amount ${b} sats is outside [0, MAX_MONEY]`, v);
  return b as Sats;
}

/** Checks length and that the x coordinate is on the curve: a key nobody can sign for is refused. */
export function xOnlyKey(bytes: Uint8Array): XOnlyKey {
  if (bytes.length !== 32)
    throw new BridgeError("INVALID_KEY", `x-only key must be 32 bytes, got ${bytes.length}`, bytes);
  try {
    schnorr.utils.lift_x(BigInt("0x" + Buffer.from(bytes).toString("hex")));
  } catch {
    throw new BridgeError(
      "INVALID_KEY",
      "x-only key is not a point on secp256k1",
      Buffer.from(bytes).toString("hex"),
    );
  }
  return bytes as XOnlyKey;
}

export function l2Address(v: Uint8Array | string): L2Address {
  let bytes: Uint8Array;
  if (typeof v === "string") {
    if (!/^0x[0-9a-fA-F]{40}$/.test(v))
      throw new BridgeError("INVALID_RECIPIENT", `not a 0x-prefixed 20-byte address: ${v}`, v);
    bytes = Uint8Array.from(Buffer.from(v.slice(2), "hex"));
  } else {
    bytes = v;
  }
  if (bytes.length !== 20)
    throw new BridgeError("INVALID_RECIPIENT", `L2 address must be 20 bytes, got ${bytes.length}`, v);
  return bytes as L2Address;
}

export function txid(v: string): Txid {
  if (!/^[0-9a-f]{64}$/.test(v))
    throw new BridgeError("INVALID_TXID", `not a lowercase 64-hex txid: ${v}`, v);
  return v as Txid;
}
