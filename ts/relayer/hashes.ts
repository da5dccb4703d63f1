import { bytesToHex, hexToBytes, reverseHex, sha256d } from "../bitcoin/index.js";
import { RelayerError } from "./errors.js";
import type { DisplayHash, InternalHash } from "./types.js";

/** Core prints hashes byte-reversed; the contract keys headers by the raw SHA-256d output. */
export function displayToInternal(h: string): InternalHash {
  if (!/^[0-9a-fA-F]{64}$/.test(h)) throw new RelayerError("BAD_HEADER", "not a 32-byte hex block hash", h);
  return `0x${reverseHex(hexToBytes(h))}` as InternalHash;
}

export function internalToDisplay(h: InternalHash): DisplayHash {
  return reverseHex(hexToBytes(h.slice(2))) as DisplayHash;
}

/** The hash a header is known by on the contract. */
export function headerHash(header: Uint8Array): InternalHash {
  if (header.length !== 80) throw new RelayerError("BAD_HEADER", "header is not 80 bytes", header.length);
  return `0x${bytesToHex(sha256d(header))}` as InternalHash;
}
