/**
 * Sender recovery, most of what admitting a transaction costs. It runs in Bitcoin Core's
 * libsecp256k1 built natively (the `secp256k1` package's prebuilt addon, ≈0.06 ms a signature),
 * falling back to its WASM build (`tiny-secp256k1`, ≈0.27 ms) where no binary is prebuilt
 * (linux x64, macOS arm64 and Windows x64 are). At 0.06 ms it runs in place: handing it to a
 * worker thread cost the main thread as much in messages as the recovery itself.
 */
import { createRequire } from "node:module";

/** Which libsecp256k1 build recovers senders in this process. */
export type RecoveryBackend = "native" | "wasm";

type Recover = (hash: Uint8Array, sig: Uint8Array, parity: number) => Uint8Array | null;

interface NativeSecp256k1 {
  ecdsaRecover(sig: Uint8Array, recid: number, hash: Uint8Array, compressed: boolean): Uint8Array;
}
interface WasmSecp256k1 {
  recover(hash: Uint8Array, sig: Uint8Array, parity: 0 | 1, compressed: boolean): Uint8Array | null;
}

function load(): { backend: RecoveryBackend; recover: Recover } {
  const require = createRequire(import.meta.url);
  try {
    // The addon alone: the package's own entry point would fall back silently to a pure-JS
    // curve twenty times slower.
    const native = require("secp256k1/bindings.js") as NativeSecp256k1;
    return { backend: "native", recover: (h, s, p) => native.ecdsaRecover(s, p, h, false) };
  } catch {
    const wasm = require("tiny-secp256k1") as WasmSecp256k1;
    return { backend: "wasm", recover: (h, s, p) => wasm.recover(h, s, p as 0 | 1, false) };
  }
}

const loaded = load();

/** The libsecp256k1 build in use. */
export const recoveryBackend: RecoveryBackend = loaded.backend;

/**
 * The uncompressed public key that signed `hash` with `sig` (r ‖ s) and y parity `parity`, or
 * null for an invalid signature.
 */
export function recoverPublicKey(hash: Uint8Array, sig: Uint8Array, parity: number): Uint8Array | null {
  if (parity !== 0 && parity !== 1) return null;
  try {
    return loaded.recover(hash, sig, parity);
  } catch {
    return null;
  }
}
