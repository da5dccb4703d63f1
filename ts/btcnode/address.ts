/**
 * Addresses ↔ output scripts for a network, through bitcoinjs-lib's address module (base58check,
 * bech32 and bech32m decoding with their checksums). Witness programs of any version are built
 * from the decoded (version, program) so no elliptic-curve library is needed for taproot.
 */
import { address as btcAddress } from "bitcoinjs-lib";

import { LvmError } from "../core/index.js";
import type { ChainParams } from "./params.js";
import { witnessProgram } from "./script.js";

export class AddressError extends LvmError<"invalid-address"> {
  override readonly name = "AddressError";
  declare readonly value: string;
  constructor(value: string, cause?: unknown) {
    super("invalid-address", `Invalid address: ${value}`, { value, cause });
  }
}

const OP_DUP = 0x76;
const OP_HASH160 = 0xa9;
const OP_EQUALVERIFY = 0x88;
const OP_CHECKSIG = 0xac;
const OP_EQUAL = 0x87;

/** scriptPubKey paying to `addr` on the given network; throws AddressError. */
export function addressToScript(addr: string, params: ChainParams): Uint8Array {
  const net = params.network;
  if (addr.toLowerCase().startsWith(`${net.bech32}1`)) {
    let d: { version: number; prefix: string; data: Uint8Array };
    try {
      d = btcAddress.fromBech32(addr);
    } catch (e) {
      throw new AddressError(addr, e);
    }
    if (d.prefix !== net.bech32 || d.version > 16 || d.data.length < 2 || d.data.length > 40)
      throw new AddressError(addr);
    if (d.version === 0 && d.data.length !== 20 && d.data.length !== 32) throw new AddressError(addr);
    return Uint8Array.of(d.version === 0 ? 0 : 0x50 + d.version, d.data.length, ...d.data);
  }
  let b: { version: number; hash: Uint8Array };
  try {
    b = btcAddress.fromBase58Check(addr);
  } catch (e) {
    throw new AddressError(addr, e);
  }
  if (b.hash.length !== 20) throw new AddressError(addr);
  if (b.version === net.pubKeyHash)
    return Uint8Array.of(OP_DUP, OP_HASH160, 20, ...b.hash, OP_EQUALVERIFY, OP_CHECKSIG);
  if (b.version === net.scriptHash) return Uint8Array.of(OP_HASH160, 20, ...b.hash, OP_EQUAL);
  throw new AddressError(addr);
}

/** The address of a standard output script, or undefined (bare multisig, OP_RETURN, non-standard). */
export function scriptToAddress(script: Uint8Array, params: ChainParams): string | undefined {
  const net = params.network;
  const wp = witnessProgram(script);
  if (wp !== null) {
    if (wp.version === 0 && wp.program.length !== 20 && wp.program.length !== 32) return undefined;
    return btcAddress.toBech32(wp.program, wp.version, net.bech32);
  }
  if (
    script.length === 25 &&
    script[0] === OP_DUP &&
    script[1] === OP_HASH160 &&
    script[2] === 20 &&
    script[23] === OP_EQUALVERIFY &&
    script[24] === OP_CHECKSIG
  )
    return btcAddress.toBase58Check(script.subarray(3, 23), net.pubKeyHash);
  if (script.length === 23 && script[0] === OP_HASH160 && script[1] === 20 && script[22] === OP_EQUAL)
    return btcAddress.toBase58Check(script.subarray(2, 22), net.scriptHash);
  return undefined;
}
